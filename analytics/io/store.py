"""Files on disk: raw run snapshots (JSON) and tidy tables (CSV or Parquet).

Every write is atomic: the bytes go to a temporary file in the target's directory, which is
then renamed over the target with :func:`os.replace`. An interrupted or failed write leaves
the previous file (or no file) and no temporary file behind. :func:`atomic_directory` does the
same for a whole directory (the report: a page and its tables).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as root:
...     path = save_snapshot({"count": 0, "data": []}, snapshot_path("S1", "R1", root=root))
...     print(path.relative_to(root).as_posix(), load_snapshot(path))
S1/R1.json {'count': 0, 'data': []}
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import msgspec
import pandas as pd

__all__ = [
    "atomic_directory",
    "load_snapshot",
    "save_snapshot",
    "save_table",
    "save_tables",
    "snapshot_path",
    "write_atomic",
]

logger = logging.getLogger(__name__)

DEFAULT_ROOT = Path("data") / "raw"
TABLES = ("tasks", "calls", "turns")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _safe_name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SAFE_NAME.fullmatch(value):
        raise ValueError(
            f"{what}={value!r} cannot name a file: use letters, digits, '_', '.' or '-', "
            "as in the ids the platform returns"
        )
    return value


def snapshot_path(
    space_token: str, run_id: str, *, root: str | os.PathLike[str] = DEFAULT_ROOT
) -> Path:
    """Where the snapshot of a run goes: ``<root>/<space_token>/<run_id>.json``.

    Parameters
    ----------
    space_token, run_id : str
        The space token and run id (letters, digits, ``_ . -``; nothing that climbs out of root).
    root : path, default ``data/raw``
        The snapshot directory. A path ending in ``.json`` is taken as the file itself.

    Examples
    --------
    >>> snapshot_path("S1", "R9").as_posix()
    'data/raw/S1/R9.json'
    >>> snapshot_path("S1", "R9", root="runs/today.json").as_posix()
    'runs/today.json'
    """
    _safe_name(space_token, "space_token")
    _safe_name(run_id, "run_id")
    root = Path(root)
    return root if root.suffix == ".json" else root / space_token / f"{run_id}.json"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a saved file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it onto ``path``.

    On any failure the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    with _atomic_path(path) as tmp:
        write(tmp)
    logger.info("wrote %s", path)
    return path


@contextmanager
def atomic_directory(
    path: str | os.PathLike[str],
    *,
    owned: Collection[str] | None = None,
    what: str = "folder",
) -> Iterator[Path]:
    """Build a directory in a temporary sibling of ``path``, then swap it in for ``path``.

    The block writes into the yielded directory. When it succeeds, the previous ``path`` (if
    any) is renamed aside, the new directory is renamed to ``path`` and the previous one is
    removed: readers see the old directory or the new one, never a mix. When the block or the
    swap fails (an exception, a full disk, Ctrl-C), the temporary directory is removed and
    ``path`` is left as it was.

    One window remains: between the two renames (two system calls, microseconds apart)
    ``path`` does not exist. A process killed right there leaves no ``path`` and the previous
    directory beside it as ``.<name>.<random>.old``. A process killed with SIGKILL while the
    block runs leaves its ``.<name>.<random>.tmp`` sibling; the next build does not touch it.

    Parameters
    ----------
    path : path
        The directory to replace (missing parents are created). A symbolic link is followed:
        its target is replaced and the link stays.
    owned : collection of str, optional
        The names an existing ``path`` may hold; when it holds anything else, nothing is
        written and FileExistsError names it (so that the swap never deletes files it did not
        write). Default: no check.
    what : str, default "folder"
        What the directory is, a noun for that message (``"report"``).

    Yields
    ------
    Path
        The empty temporary directory to write into.

    Raises
    ------
    FileExistsError
        ``path`` is a file, holds names outside ``owned``, or is (or holds) the current
        working directory.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     with atomic_directory(Path(root) / "out") as tmp:
    ...         _ = (tmp / "a.txt").write_text("new")
    ...     print(sorted(p.name for p in Path(root).iterdir()))
    ['out']
    """
    target = Path(os.path.realpath(path))  # a link's target; "." as the folder's own name
    _check_replaceable(target, owned, what)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; a saved folder gets the usual mode
        _swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("wrote %s", target)


def _check_replaceable(target: Path, owned: Collection[str] | None, what: str) -> None:
    """Raise FileExistsError unless ``target`` is missing or a folder holding only ``owned``."""
    if not target.exists():
        return
    if not target.is_dir():
        raise FileExistsError(f"{str(target)!r} is a file: give the path of a folder")
    if Path.cwd().resolve().is_relative_to(target):
        raise FileExistsError(
            f"{str(target)!r} is the current folder or holds it, which replacing it would "
            f"delete: give a folder inside it, such as {str(target / 'report')!r}"
        )
    foreign = (
        [] if owned is None else sorted(p.name for p in target.iterdir() if p.name not in owned)
    )
    if foreign:
        names = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise FileExistsError(
            f"{str(target)!r} holds {names}, which a {what} does not write and replacing the "
            "folder would delete: give a new or empty folder, or one holding only an earlier "
            f"{what}"
        )


def _swap_in(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``, the previous ``target`` aside first, then remove that."""
    if not target.exists():
        os.rename(new, target)
        return
    old = target.with_name(f"{new.name.removesuffix('.tmp')}.old")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def save_snapshot(response: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write a response-shaped dict as JSON to ``path``, atomically.

    Parameters
    ----------
    response : dict
        What to save, typically ``{"count", "status_code", "message", "data", ...}``.
    path : path
        The target file; missing directories are created.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    TypeError
        When ``response`` holds something JSON cannot represent (nothing is written).
    """
    data = msgspec.json.encode(response)
    return write_atomic(Path(path), lambda tmp: tmp.write_bytes(data))


def load_snapshot(path: str | os.PathLike[str]) -> Any:
    """Read back a JSON file written by :func:`save_snapshot`."""
    return msgspec.json.decode(Path(path).read_bytes())


TABLE_FORMATS = ("csv", "parquet")
"""The formats :func:`save_table` writes, named by a file's suffix or ``format=``."""


def _table_format(path: Path, fmt: str | None) -> str:
    chosen = fmt if fmt is not None else path.suffix.lstrip(".").lower()
    if chosen not in TABLE_FORMATS and fmt is not None:
        raise ValueError(f"format={fmt!r} is not supported; use 'csv' or 'parquet'")
    if chosen not in TABLE_FORMATS:
        raise ValueError(f"{str(path)!r}: name a .csv or .parquet file, or pass format=")
    return chosen


def save_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
) -> Path:
    """Write one table to ``path`` as CSV or Parquet, atomically; the one table writer.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written.
    path : path
        The target file; missing directories are created.
    format : {"csv", "parquet"}, optional
        Default: from the suffix of ``path`` (``.csv`` or ``.parquet``).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     path = save_table(pd.DataFrame({"a": [1, 2]}), Path(root) / "t.parquet")
    ...     pd.read_parquet(path)["a"].tolist()
    [1, 2]
    >>> save_table(pd.DataFrame(), "t.xlsx")
    Traceback (most recent call last):
    ...
    ValueError: 't.xlsx': name a .csv or .parquet file, or pass format=
    """
    path = Path(path)
    if _table_format(path, format) == "csv":
        return write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))
    return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


class _Tables(Protocol):
    """What :func:`save_tables` reads: a :class:`~analytics.load.Run`, or anything like it."""

    @property
    def tasks(self) -> pd.DataFrame: ...
    @property
    def calls(self) -> pd.DataFrame: ...
    @property
    def turns(self) -> pd.DataFrame: ...


def save_tables(
    run: _Tables, out_dir: str | os.PathLike[str], *, format: str = "csv"
) -> list[Path]:
    """Write a run's ``tasks``, ``calls`` and ``turns`` tables to ``out_dir``, atomically.

    Parameters
    ----------
    run : Run
        Anything with ``tasks``, ``calls`` and ``turns`` DataFrames (see ``analytics.load``).
    out_dir : path
        The directory to write ``tasks.<ext>``, ``calls.<ext>``, ``turns.<ext>`` into.
    format : {"csv", "parquet"}
        CSV (ISO timestamps, empty cells for NA) or Parquet through pyarrow (keeps dtypes).

    Returns
    -------
    list of Path
        The files written, in the order tasks, calls, turns.
    """
    out = Path(out_dir)
    fmt = _table_format(out, format)
    return [save_table(getattr(run, name), out / f"{name}.{fmt}", format=fmt) for name in TABLES]
