"""Files on disk: raw run snapshots (JSON) and tidy tables (CSV or Parquet).

Every write is atomic: the bytes go to a temporary file in the target's directory, which is
then renamed over the target with :func:`os.replace`. An interrupted or failed write leaves
the previous file (or no file) and no temporary file behind. :func:`atomic_directory` does the
same for a whole directory (the report: a page and its tables).

Temporary names and what a killed process leaves
    A write's temporary file is ``.<name>.<host>-<pid>-<random>.tmp`` beside its target
    (``<host>``: 8 hex digits derived from the machine's name, ``<pid>``: the writing process);
    a report's temporary folder is named the same way, and the previous report waits as
    ``.<name>.<host>-<pid>-<random>.old`` during the swap.

    *SIGTERM* (``kill``, a container or job scheduler stopping the process): while a write or
    a report build runs in the main thread and SIGTERM has its default action, a handler
    turns SIGTERM into an exception, so the temporary file or folder is removed as on any
    failure; the default action is then restored and the process ends by SIGTERM as it would
    have (exit status 143). A program's own SIGTERM handler is left in place (its handler
    decides; if it raises, as ``sys.exit`` does, the cleanup runs too), and signals are never
    touched off the main thread.

    *SIGKILL*, a power cut, or SIGTERM in the cases above leave the temporary entry behind, so
    every write sweeps its folder first: an entry named as above is removed when the process
    that made it no longer runs on this machine, or when it is over a day old
    (:data:`STALE_AFTER_S`; made on another machine, or its process id since reused). Nothing
    else is removed: not a name outside that pattern (a user's ``.notes.tmp``), not a
    symbolic link, not the entry of a write still running here.

Formula cells
    A spreadsheet runs a CSV cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return as a formula (OWASP, "CSV Injection"). :func:`save_table` therefore
    writes such text cells (and column names) with a leading ``'``, which spreadsheets take as
    "this is text"; numeric columns are written as numbers (``-5`` stays ``-5``). Rows end in
    CRLF (RFC 4180), so a cell holding a line break or a bare carriage return is quoted and
    cannot start a row of its own. ``formulas="keep"`` writes the raw cells; Parquet is never
    changed.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as root:
...     path = save_snapshot({"count": 0, "data": []}, snapshot_path("S1", "R1", root=root))
...     print(path.relative_to(root).as_posix(), load_snapshot(path))
S1/R1.json {'count': 0, 'data': []}
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any, Literal, Protocol

import msgspec
import pandas as pd

from analytics.io._ids import check_id

__all__ = [
    "FORMULA_START",
    "atomic_directory",
    "load_snapshot",
    "neutralise_formulas",
    "save_snapshot",
    "save_table",
    "save_tables",
    "snapshot_path",
    "write_atomic",
]

logger = logging.getLogger(__name__)

DEFAULT_ROOT = Path("data") / "raw"
TABLES = ("tasks", "calls", "turns")


def _safe_name(value: str, what: str) -> str:
    """``value`` if it is a plain platform id (:func:`check_id`), naming the file it would be."""
    try:
        return check_id(value, what)
    except ValueError as error:
        raise ValueError(f"{error}; it cannot name a file").with_traceback(None) from None


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


STALE_AFTER_S = 24 * 3600
"""Age (s) past which a temporary entry of ours is swept even if its process seems to run."""

_OURS = re.compile(
    r"\.(?P<name>.+)\.(?P<host>[0-9a-f]{8})-(?P<pid>[1-9][0-9]*)-[a-z0-9_]+\.(?:tmp|old)"
)
"""The names of our temporary entries: ``.<name>.<host>-<pid>-<random>.tmp`` (or ``.old``)."""


@cache
def _host_tag() -> str:
    return hashlib.blake2b(socket.gethostname().encode(), digest_size=4).hexdigest()


def _temp_prefix(name: str) -> str:
    """``.<name>.<host>-<pid>-``: with ``tempfile``'s random part and ``.tmp``, one of ours."""
    return f".{name}.{_host_tag()}-{os.getpid()}-"


def _running_here(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (when in doubt, yes)."""
    if os.name != "posix":  # os.kill(pid, 0) would stop the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # PermissionError: it runs, as another user
        return True
    return True


def _is_stale(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a temporary entry of ours whose writer is gone."""
    match = _OURS.fullmatch(entry.name)
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if match is None or stat.S_ISLNK(info.st_mode):
        return False
    if time.time() - info.st_mtime > STALE_AFTER_S:
        return True
    return match["host"] == _host_tag() and not _running_here(int(match["pid"]))


def _remove(entry: os.DirEntry[str]) -> None:
    try:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    except FileNotFoundError:  # another process swept it first
        return
    except OSError as exc:
        logger.warning("cannot remove %s, left by a stopped write: %s", entry.path, exc)
        return
    logger.info("removed %s, left by a write that was stopped", entry.path)


def _sweep(folder: Path) -> None:
    """Remove the temporary entries that stopped writes of ours left in ``folder``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if _is_stale(entry):
            _remove(entry)


class _Terminated(BaseException):
    """SIGTERM during a write, raised so that the write's cleanup runs; never escapes."""


def _sigterm_is_ours_to_handle() -> bool:
    on_main = threading.current_thread() is threading.main_thread()
    return on_main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """Run the block with SIGTERM raising :class:`_Terminated`, then end by SIGTERM after all.

    Only in the main thread and while SIGTERM has its default action (see the module
    docstring); a nested write finds this handler in place and leaves it alone.
    """
    if not _sigterm_is_ours_to_handle():
        yield
        return
    received: list[int] = []

    def terminate(signum: int, frame: FrameType | None) -> None:
        if not received:  # a second SIGTERM must not cut the cleanup short
            received.append(signum)
            raise _Terminated

    try:
        signal.signal(signal.SIGTERM, terminate)
        yield
    except _Terminated:
        pass  # the cleanup ran on the way here
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if received:
            signal.raise_signal(signal.SIGTERM)  # end as SIGTERM would have ended the process
    if received:  # only if SIGTERM is blocked: never report the write as done
        raise SystemExit(128 + signal.SIGTERM)


@contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds."""
    with _cleanup_on_sigterm():
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.name), suffix=".tmp", dir=path.parent)
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

    On any failure (SIGTERM included, see the module docstring) the temporary file is removed
    and ``path`` is left as it was. Temporary files that killed writes left in the folder are
    removed first.
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

    SIGTERM while the block runs removes the temporary directory too, and the process then
    ends by SIGTERM (see the module docstring). One window remains: between the two renames
    (two system calls, microseconds apart) ``path`` does not exist. A process killed right
    there leaves no ``path`` and the previous directory beside it as ``.<name>.<...>.old``; a
    process killed with SIGKILL while the block runs leaves its ``.<name>.<...>.tmp``
    sibling. The next build beside ``path`` (or any write in that folder) removes both once
    their process is gone.

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
    with _cleanup_on_sigterm():
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep(target.parent)
        prefix = _temp_prefix(target.name)
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=target.parent))
        try:
            yield tmp
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; a saved folder: usual mode
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


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""How a CSV cell begins that a spreadsheet would run as a formula (OWASP, "CSV Injection")."""

Formulas = Literal["neutralise", "keep"]
"""What :func:`save_table` does with formula cells in CSV: prefix them with ``'``, or not."""


def _check_formulas(formulas: str) -> None:
    if formulas not in ("neutralise", "keep"):
        raise ValueError(
            f"formulas={formulas!r} is not one of 'neutralise', 'keep': 'neutralise' prefixes "
            "text cells that a spreadsheet would run as a formula with ', 'keep' writes them raw"
        )


def _neutralise_cell(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def _neutralise_header(columns: pd.Index) -> pd.Index:
    if isinstance(columns, pd.MultiIndex):  # written as one header row per level
        names = [tuple(_neutralise_cell(part) for part in key) for key in columns]
        return pd.MultiIndex.from_tuples(names, names=columns.names)
    return columns.map(_neutralise_cell)


def _neutralise_column(column: pd.Series) -> pd.Series:
    """``column`` with ``'`` before each text value that begins like a formula."""
    try:
        hits = column.str.startswith(FORMULA_START, na=False).fillna(False).to_numpy(dtype=bool)
    except AttributeError:  # no text in it: numbers, times, flags
        return column
    if not hits.any():
        return column
    text = column.astype(object) if isinstance(column.dtype, pd.CategoricalDtype) else column
    return text.mask(hits, ("'" + text.astype(str)).to_numpy(dtype=object))  # by position


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which no text cell or column name begins like a formula.

    Text values (and column names) beginning with one of :data:`FORMULA_START` (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) get a leading ``'``, which spreadsheets show as text
    (OWASP, "CSV Injection"). Numeric, time and boolean columns are returned as they are, so
    ``-5`` stays a number; so are non-text values in an ``object`` column. ``frame`` is not
    changed.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"who": ["=1+1", "Asha", None], "n": [-5, 2, 0]}))
         who  n
    0  '=1+1 -5
    1   Asha  2
    2    NaN  0
    """
    out = frame.copy(deep=False)
    out.columns = _neutralise_header(frame.columns)
    for i, (_, column) in enumerate(frame.items()):
        neutral = _neutralise_column(column)
        if neutral is not column:
            out.isetitem(i, neutral.array)
    return out


def save_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    formulas: Formulas = "neutralise",
) -> Path:
    """Write one table to ``path`` as CSV or Parquet, atomically; the one table writer.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written, and it is not changed.
    path : path
        The target file; missing directories are created.
    format : {"csv", "parquet"}, optional
        Default: from the suffix of ``path`` (``.csv`` or ``.parquet``).
    formulas : {"neutralise", "keep"}, default "neutralise"
        CSV only. ``"neutralise"``: a text cell or column name that begins with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return, which a spreadsheet would run as a formula,
        is written with a leading ``'`` (:func:`neutralise_formulas`); numeric columns are
        written as numbers. ``"keep"``: every cell as it is, for programs that read the file
        (``pd.read_csv``), not spreadsheets. Rows end in CRLF (RFC 4180) either way, so a cell
        holding a line break is quoted. Parquet is always written as it is.

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
    >>> with tempfile.TemporaryDirectory() as root:
    ...     path = save_table(pd.DataFrame({"who": ["=1+1"], "n": [-5]}), Path(root) / "t.csv")
    ...     path.read_bytes()
    b"who,n\\r\\n'=1+1,-5\\r\\n"
    >>> save_table(pd.DataFrame(), "t.xlsx")
    Traceback (most recent call last):
    ...
    ValueError: 't.xlsx': name a .csv or .parquet file, or pass format=
    """
    path = Path(path)
    _check_formulas(formulas)
    if _table_format(path, format) == "parquet":
        return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))
    table = neutralise_formulas(frame) if formulas == "neutralise" else frame
    return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\r\n"))


class _Tables(Protocol):
    """What :func:`save_tables` reads: a :class:`~analytics.load.Run`, or anything like it."""

    @property
    def tasks(self) -> pd.DataFrame: ...
    @property
    def calls(self) -> pd.DataFrame: ...
    @property
    def turns(self) -> pd.DataFrame: ...


def save_tables(
    run: _Tables,
    out_dir: str | os.PathLike[str],
    *,
    format: str = "csv",
    formulas: Formulas = "neutralise",
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
    formulas : {"neutralise", "keep"}, default "neutralise"
        CSV only: text cells that a spreadsheet would run as a formula get a leading ``'``
        unless ``"keep"`` (see :func:`save_table`).

    Returns
    -------
    list of Path
        The files written, in the order tasks, calls, turns.
    """
    out = Path(out_dir)
    fmt = _table_format(out, format)
    _check_formulas(formulas)
    return [
        save_table(getattr(run, name), out / f"{name}.{fmt}", format=fmt, formulas=formulas)
        for name in TABLES
    ]
