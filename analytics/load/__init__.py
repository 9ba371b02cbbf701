"""Raw run payloads into tidy tables: :func:`load_run` and the :class:`Run` it returns."""

from analytics.load.run import Run, Source, load_run

__all__ = ["Run", "Source", "load_run"]
