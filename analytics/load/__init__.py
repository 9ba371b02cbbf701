"""Raw run payloads into tidy tables: :func:`load_run` and the :class:`Run` it returns; a
dataset of many runs read back with :func:`open_dataset`."""

from analytics.load.dataset import Dataset, open_dataset
from analytics.load.run import Source, load_run
from analytics.load.tables import Run

__all__ = ["Dataset", "Run", "Source", "load_run", "open_dataset"]
