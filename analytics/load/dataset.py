"""A space's history on disk, read back: :func:`open_dataset` and :class:`Dataset`.

A dataset is a folder that :func:`analytics.sync_space` and :func:`analytics.write_dataset`
keep (layout and rules in ``docs/dataset.md``)::

    <root>/manifest.json                                        one entry per run
    <root>/tables/<table>/space=<space>/run=<run>/part-0.parquet  tasks, calls, turns, problems
    <root>/raw/<space>/<run>.json                               the snapshots sync fetched

The manifest is the truth: a run is in the dataset when it has an entry, and only then are its
files read (a write in progress, or one a killed process left, is invisible). Every file holds
``space`` and ``run_id`` columns besides the table's own, so that any Parquet reader sees the
same rows this module returns.

Reading pushes every filter down: ``spaces``, ``runs`` and the time window choose files from
the manifest before any file is opened; the time window and ``assignees`` become Parquet
filter expressions, evaluated on row groups, and the other tables keep the tasks chosen.

Examples
--------
>>> import tempfile
>>> import analytics as an
>>> with tempfile.TemporaryDirectory() as root:
...     _ = an.write_dataset(an.datasets.make_run(30, random_state=1), root, space="S1")
...     data = open_dataset(root)
...     run = data.load()
...     print(len(data.runs), len(run.tasks), sorted(run.turns["space"].unique()))
1 30 ['S1']
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TypeAlias, TypeGuard

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

if sys.platform != "win32":  # POSIX file locks; on Windows nothing is locked (docs/dataset.md)
    import fcntl

from analytics._shared import check_known, text_list, utc_time
from analytics.errors import SchemaError
from analytics.load.tables import Run
from analytics.schema import (
    DATASET_SCHEMA_VERSION,
    MANIFEST_SCHEMA,
    TABLE_SCHEMAS,
    TEXT,
    TIMESTAMP,
    canonical_outcomes,
    check_outcome_map,
    conform,
    empty_frame,
)

__all__ = [
    "FORMAT",
    "MANIFEST_NAME",
    "Dataset",
    "Entry",
    "Manifest",
    "Moment",
    "is_dataset",
    "manifest_frame",
    "open_dataset",
    "read_manifest",
    "table_path",
    "tables_locked",
]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
TABLES_LOCK = ".tables.lock"
"""The lock a load shares and a writer holds while it replaces a run (:func:`tables_locked`)."""
FORMAT = "unpod-analytics dataset"
"""The ``format`` field of every manifest: what tells a dataset from any other folder."""
KEYS = ("space", "run_id")
"""The columns every file of a dataset holds besides its table's own."""
_ROW_KEYS = {
    "tasks": ("task_id",),
    "calls": ("task_id",),
    "turns": ("task_id", "turn"),
    "problems": ("task_id",),
}
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

Moment: TypeAlias = str | date | datetime | pd.Timestamp
"""A point in time a filter takes: ISO text, a date or a datetime (naive means UTC)."""
Window: TypeAlias = tuple[pd.Timestamp | None, pd.Timestamp | None]
"""``[start, end)`` in UTC; None is an open end."""


class Entry(msgspec.Struct, kw_only=True):
    """One run of a dataset, as its manifest records it (columns of :attr:`Dataset.runs`)."""

    space: str
    run_id: str
    run_name: str | None = None
    created: datetime | None = None
    run_status: str | None = None
    tasks: int
    calls: int
    turns: int
    problems: int
    first_call_start: datetime | None = None
    last_call_start: datetime | None = None
    first_task_created: datetime | None = None
    last_task_created: datetime | None = None
    complete: bool
    server_tasks: int | None = None
    synced_at: datetime
    schema_version: int = DATASET_SCHEMA_VERSION
    content_hash: str
    source: str = "sync"


class Manifest(msgspec.Struct, kw_only=True):
    """``manifest.json``: the format tag, its version and one :class:`Entry` per run."""

    format: str
    schema_version: int = DATASET_SCHEMA_VERSION
    runs: list[Entry] = msgspec.field(default_factory=list)


def manifest_frame(entries: Iterable[Entry]) -> pd.DataFrame:
    """Manifest entries as a frame of :data:`analytics.schema.MANIFEST_SCHEMA`."""
    rows = [msgspec.structs.asdict(e) for e in entries]
    frame = pd.DataFrame(rows, columns=list(MANIFEST_SCHEMA))
    times = [c for c, dtype in MANIFEST_SCHEMA.items() if dtype == TIMESTAMP]
    frame[times] = frame[times].apply(pd.to_datetime, utc=True)
    return conform(frame, MANIFEST_SCHEMA)


def table_path(root: str | os.PathLike[str], table: str, space: str, run_id: str) -> Path:
    """Where a run's ``table`` lives: ``<root>/tables/<table>/space=<s>/run=<r>/part-0.parquet``.

    >>> table_path("data", "turns", "S1", "R1").as_posix()
    'data/tables/turns/space=S1/run=R1/part-0.parquet'
    """
    return Path(root) / "tables" / table / f"space={space}" / f"run={run_id}" / "part-0.parquet"


def is_dataset(path: object) -> TypeGuard[str | os.PathLike[str]]:
    """Whether ``path`` names a folder holding a dataset manifest."""
    if not isinstance(path, (str, os.PathLike)) or (isinstance(path, str) and "\n" in path):
        return False
    try:
        return (Path(path) / MANIFEST_NAME).is_file()
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def tables_locked(root: str | os.PathLike[str], *, shared: bool) -> Iterator[None]:
    """Hold the lock on a dataset's table files: shared to read them, exclusive to replace them.

    A writer holds it exclusively while it swaps one run's files and manifest entry, a load
    shares it while it reads, so a load waits at most one run's write. Without a lock file
    (never written to, or not writable) a load proceeds unlocked; so does anything on Windows.
    """
    path = Path(root) / TABLES_LOCK
    try:
        handle = path.open("ab" if not shared else "rb")
    except OSError:
        if not shared:
            raise
        yield
        return
    with handle:
        _flock(handle, shared=shared)
        try:
            yield
        finally:
            _unlock(handle)


def _flock(handle: IO[bytes], *, shared: bool) -> None:
    if sys.platform != "win32":
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform != "win32":
        fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(
    root: str | os.PathLike[str], *, storage_options: Mapping[str, Any] | None = None
) -> Manifest:
    """The manifest of the dataset at ``root`` (a folder, or a URL such as ``s3://bucket/data``
    read through fsspec with ``storage_options``).

    Raises
    ------
    SchemaError
        ``root`` holds no manifest, or one this library did not write (what was found is named).
    """
    fs, base = _location(root, storage_options)
    path = _join(base, MANIFEST_NAME)
    if fs is None and not Path(path).is_file():
        raise SchemaError(_not_a_dataset(Path(root)))
    if fs is not None and not fs.isfile(path):
        raise SchemaError(f"{str(root)!r} is not a dataset: no {MANIFEST_NAME} there")
    raw = Path(path).read_bytes() if fs is None else fs.cat_file(path)
    try:
        manifest = msgspec.json.decode(raw, type=Manifest)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise SchemaError(
            f"{path!r} is not a dataset manifest ({error}); sync or import into a new root"
        ) from None
    _check_format(manifest, path)
    return manifest


def _location(
    root: str | os.PathLike[str], storage_options: Mapping[str, Any] | None
) -> tuple[Any, str]:
    """``(None, path)`` for a local root; ``(fsspec file system, path)`` for a URL."""
    text = os.fspath(root)
    if "://" not in text:
        if storage_options:
            raise ValueError(
                f"storage_options are for a URL root such as 's3://bucket/data'; {text!r} is a "
                "local path: leave them out"
            )
        return None, text
    try:
        core = importlib.import_module("fsspec.core")  # optional: the dask extra brings it
    except ImportError:
        raise ImportError(
            f"reading {text!r} needs fsspec and the file system's package (s3fs, gcsfs, adlfs): "
            "pip install 'unpod-analytics[dask]' s3fs"
        ) from None
    fs, path = core.url_to_fs(text, **dict(storage_options or {}))
    return fs, str(path)


def _join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts]) if base else "/".join(parts)


def _check_format(manifest: Manifest, path: str) -> None:
    if manifest.format != FORMAT:
        raise SchemaError(
            f"{path!r} has format {manifest.format!r}, not {FORMAT!r}: it was not written by "
            "unpod-analytics; sync or import into a new root"
        )
    newest = max([manifest.schema_version, *(e.schema_version for e in manifest.runs)])
    if newest > DATASET_SCHEMA_VERSION:
        raise SchemaError(
            f"{path!r} was written with table schema version {newest}, "
            f"newer than this unpod-analytics reads ({DATASET_SCHEMA_VERSION}): upgrade it"
        )


def _not_a_dataset(root: Path) -> str:
    if not root.exists():
        found = "nothing is there"
    elif not root.is_dir():
        found = "it is a file"
    else:
        names = sorted(p.name for p in root.iterdir())
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        found = f"it holds {shown}" if names else "it is an empty folder"
    return (
        f"{str(root)!r} is not a dataset: {found}, and no {MANIFEST_NAME}; "
        f"fill it with `unpod-analytics sync --space SPACE --root {root}` (or `import`)"
    )


def open_dataset(
    root: str | os.PathLike[str] = "data", *, storage_options: Mapping[str, Any] | None = None
) -> Dataset:
    """Open the dataset at ``root`` (what :func:`analytics.sync_space` writes).

    Parameters
    ----------
    root : path or URL, default ``data``
        The dataset folder, the one holding ``manifest.json``; or a URL of a copy of it on
        object storage (``s3://bucket/data``, ``gs://...``, ``abfs://...``), read through
        fsspec (which needs the file system's package, such as ``s3fs``).
    storage_options : dict, optional
        Passed to fsspec for a URL root (credentials, endpoint...), as pandas and Dask take
        them. Writing (sync, import) needs a local folder; copy it to the bucket after.

    Returns
    -------
    Dataset
        Its :attr:`~Dataset.runs` and :meth:`~Dataset.load`.

    Raises
    ------
    SchemaError
        ``root`` is not a dataset; the message says what was found there.

    Examples
    --------
    >>> open_dataset("no/such/folder")
    Traceback (most recent call last):
    ...
    analytics.errors.SchemaError: 'no/such/folder' is not a dataset: nothing is there, ...
    """
    options = dict(storage_options or {})
    return Dataset(root, read_manifest(root, storage_options=options), storage_options=options)


class Dataset:
    """The runs of a dataset (:attr:`runs`) and their tables (:meth:`load`).

    Made by :func:`open_dataset`. Every :attr:`runs` and :meth:`load` reads the manifest
    afresh, so a dataset opened once in a notebook sees what later syncs added; a load that
    meets a sync replacing a run waits until that run's files are written (section 4 of
    ``docs/dataset.md``), so it never reads a mix of old and new tables.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        manifest: Manifest,
        *,
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.root = Path(root) if "://" not in os.fspath(root) else os.fspath(root)
        self.storage_options = dict(storage_options or {})
        self._fs, self._base = _location(root, self.storage_options)
        self._opened = manifest

    @property
    def manifest(self) -> Manifest:
        """The manifest as it is now (read again at each use; see :func:`read_manifest`)."""
        return read_manifest(self.root, storage_options=self.storage_options)

    def __repr__(self) -> str:
        entries = self._opened.runs
        spaces = len({e.space for e in entries})
        tasks = sum(e.tasks for e in entries)
        counted = f"{_count(len(entries), 'run')} in {_count(spaces, 'space')}"
        return f"Dataset({str(self.root)!r}: {counted}, {_count(tasks, 'task')})"

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: the manifest (columns :data:`analytics.schema.MANIFEST_SCHEMA`)."""
        return manifest_frame(_ordered(self.manifest.runs))

    def load(
        self,
        *,
        spaces: str | Iterable[str] | None = None,
        runs: str | Iterable[str] | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        assignees: str | Iterable[str] | None = None,
        columns: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
        outcome_map: Mapping[str, str] | None = None,
    ) -> Run:
        """The tables of the chosen runs, as one :class:`~analytics.load.Run`.

        Every table has ``space`` and ``run_id`` columns. Without filters, this is what
        :func:`~analytics.load_run` gives for the same snapshots, up to row order.

        Parameters
        ----------
        spaces, runs : str or iterable of str, optional
            Only these spaces (tokens) and runs (ids); default all.
        since, until : ISO text, date or datetime, optional
            Only calls that started at or after ``since`` and before ``until`` (naive times are
            UTC; a date alone as ``until`` covers that whole day). A task without a call, and a
            call without a start time (an unanswered dial has none), count at the task's
            ``created`` time.
        assignees : str or iterable of str, optional
            Only the tasks of these agents (``assignee``).
        columns : list of str, or dict of table name to list of str, optional
            Only these columns: a list applies to every table that has them, a dict names
            them per table. The keys (``task_id``, ``turn``, ``space``, ``run_id``) always
            come too.
        outcome_map : dict of str to str, optional
            Your own outcome vocabulary (raw label -> canonical outcome): ``calls.outcome`` is
            derived again from ``calls.outcome_raw`` with it, as
            :func:`~analytics.load_run` does (:func:`analytics.schema.canonical_outcomes`).

        Returns
        -------
        Run
            The four tables; the turns, calls and problems of the tasks kept (a problem that
            belongs to no task comes with its run).

        Raises
        ------
        KeyError
            A space or run is not in the dataset (the known ones are named).
        ValueError
            A time that cannot be read, or a column no table has.
        SchemaError
            A file the manifest lists is missing or unreadable.
        TypeError, ValueError
            ``outcome_map`` is not a dict of text to a canonical outcome
            (:func:`analytics.schema.check_outcome_map`).

        A column added to the tables after a run was written reads back as NA (of its dtype)
        for that run.

        Examples
        --------
        >>> import tempfile
        >>> import analytics as an
        >>> folder = tempfile.TemporaryDirectory()
        >>> _ = an.write_dataset(an.datasets.make_run(40, random_state=1), folder.name, space="S")
        >>> data = open_dataset(folder.name)
        >>> few = data.load(assignees="space-agent-aria", columns=["assignee", "outcome"])
        >>> list(few.calls.columns), set(few.tasks["assignee"])
        (['task_id', 'run_id', 'assignee', 'outcome', 'space'], {'space-agent-aria'})
        >>> data.load(runs="R0")
        Traceback (most recent call last):
        ...
        KeyError: "run 'R0' is not in the dataset at ...; its runs: ..."
        >>> folder.cleanup()
        """
        filters = {"spaces": spaces, "runs": runs, "since": since, "until": until}
        if outcome_map is None:
            return Run(**self._read(TABLE_SCHEMAS, filters, assignees, columns))
        outcome_map = check_outcome_map(outcome_map)
        frames = self._read(TABLE_SCHEMAS, filters, assignees, _with_outcome_raw(columns))
        frames["calls"] = _mapped_outcomes(frames["calls"], outcome_map, columns)
        return Run(**frames)

    def table(
        self,
        name: str,
        *,
        spaces: str | Iterable[str] | None = None,
        runs: str | Iterable[str] | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        assignees: str | Iterable[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """One table of :meth:`load` (``"tasks"``, ``"calls"``, ``"turns"`` or ``"problems"``),
        reading only its files (and, with a row filter, the columns of tasks and calls that
        choose the tasks)."""
        if name not in TABLE_SCHEMAS:
            raise ValueError(f"no table {name!r}; the tables are {', '.join(TABLE_SCHEMAS)}")
        filters = {"spaces": spaces, "runs": runs, "since": since, "until": until}
        chosen = None if columns is None else {name: columns}
        return self._read([name], filters, assignees, chosen)[name]

    def _read(
        self,
        tables: Iterable[str],
        filters: dict[str, Any],
        assignees: str | Iterable[str] | None,
        columns: Sequence[str] | Mapping[str, Sequence[str]] | None,
    ) -> dict[str, pd.DataFrame]:
        window = _window(filters["since"], filters["until"])
        wanted = _wanted_columns(columns)
        local = self._fs is None  # object stores have no locks: sync elsewhere, then copy
        with tables_locked(self.root, shared=True) if local else contextlib.nullcontext():
            chosen = self.entries(**filters)
            keep = self._kept_tasks(chosen, window, text_list(assignees, "assignees"))
            return {t: self._table(t, chosen, wanted[t], keep) for t in tables}

    def entries(
        self,
        *,
        spaces: str | Iterable[str] | None = None,
        runs: str | Iterable[str] | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
    ) -> list[Entry]:
        """The manifest entries :meth:`load` would read for these filters, in its order.

        Raises KeyError for an unknown space or run, ValueError for a time that is not one.
        """
        window = _window(since, until)
        chosen = self._entries(text_list(spaces, "spaces"), text_list(runs, "runs"))
        return [e for e in chosen if _overlaps(e, window)]

    def to_dask(
        self,
        *,
        spaces: str | Iterable[str] | None = None,
        runs: str | Iterable[str] | None = None,
        since: Moment | None = None,
        until: Moment | None = None,
        assignees: str | Iterable[str] | None = None,
        columns: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    ) -> Any:
        """The chosen runs as Dask frames: a :class:`analytics.distributed.DaskRun`.

        Takes the filters of :meth:`load`. Every table is one partition per run (a call's turns
        never straddle partitions) with the columns and dtypes :meth:`load` gives; the
        library's analyses accept these frames and return what they return on pandas. Needs
        the ``dask`` extra (``pip install 'unpod-analytics[dask]'``); ``docs/scale.md`` tells
        how to run it on a cluster.
        """
        distributed = importlib.import_module("analytics.distributed")  # an optional extra
        return distributed.to_dask(
            self,
            spaces=spaces,
            runs=runs,
            since=since,
            until=until,
            assignees=assignees,
            columns=columns,
        )

    # --- choosing runs ---

    def _entries(self, spaces: list[str] | None, runs: list[str] | None) -> list[Entry]:
        entries = _ordered(self.manifest.runs)
        where = f"the dataset at {str(self.root)!r}"
        check_known(spaces, (e.space for e in entries), what="space", where=where)
        if spaces is not None:
            entries = [e for e in entries if e.space in spaces]
        check_known(runs, (e.run_id for e in entries), what="run", where=where)
        return entries if runs is None else [e for e in entries if e.run_id in runs]

    def _kept_tasks(
        self,
        entries: list[Entry],
        window: Window | None,
        assignees: list[str] | None,
    ) -> pa.Array | None:
        """The task ids the filters keep (None: no row filter, every task of the runs)."""
        if window is None and assignees is None:
            return None
        tasks = self._arrow("tasks", entries, ["task_id", "created", "has_call"], _by(assignees))
        if window is None:
            return tasks["task_id"]
        start = ds.field("start_time")
        calls = self._arrow(
            "calls", entries, ["task_id", "start_time"], _in_window(start, window) | start.is_null()
        )
        untimed = pc.is_null(calls["start_time"])
        timed = pc.is_in(tasks["task_id"], value_set=calls["task_id"].filter(pc.invert(untimed)))
        at_created = pc.or_(
            pc.invert(tasks["has_call"]),
            pc.is_in(tasks["task_id"], value_set=calls["task_id"].filter(untimed)),
        )
        by_created = pc.and_(at_created, _between(tasks["created"], window))
        return tasks["task_id"].filter(pc.or_(timed, by_created))

    # --- reading ---

    def _table(
        self, table: str, entries: list[Entry], columns: list[str] | None, keep: pa.Array | None
    ) -> pd.DataFrame:
        wanted = None if columns is None else [*KEYS, *_ROW_KEYS.get(table, ()), *columns]
        arrow = self._arrow(table, entries, wanted, _of_tasks(keep, table))
        return _frame(arrow, table, wanted)

    def _arrow(
        self, table: str, entries: list[Entry], columns: list[str] | None, where: Any
    ) -> pa.Table:
        """The rows of ``table`` in ``entries``' files, read as one Parquet dataset (the files
        in parallel); a file that cannot be read raises SchemaError naming its run."""
        if not entries:
            return _empty_arrow(table, columns)
        paths = [str(self._path(table, e)) for e in entries]
        try:
            schema = self._schema(paths)
            names = set(schema.names)
            present = None if columns is None else [c for c in dict.fromkeys(columns) if c in names]
            files = ds.dataset(paths, format="parquet", schema=schema, filesystem=self._fs)
            return files.to_table(columns=present, filter=where)
        except (OSError, pa.ArrowException):
            self._check_files(table, entries)
            raise

    def _schema(self, paths: list[str]) -> pa.Schema:
        """The schema of these files together (columns some of them lack are nullable)."""
        schemas = [pq.read_schema(path, filesystem=self._fs) for path in paths]
        return pa.unify_schemas(schemas, promote_options="permissive").remove_metadata()

    def empty_table(self, name: str, entries: list[Entry]) -> pd.DataFrame:
        """``name``'s columns and dtypes over ``entries``' files, with no rows (only the files'
        footers are read): what a :meth:`load` of those runs would give, ``input_`` columns
        included."""
        if not entries:
            return _frame(_empty_arrow(name, None), name)
        paths = [str(self._path(name, e)) for e in entries]
        try:
            return _frame(self._schema(paths).empty_table(), name)
        except (OSError, pa.ArrowException):
            self._check_files(name, entries)
            raise

    def _path(self, table: str, entry: Entry) -> str:
        local = table_path(self._base or ".", table, entry.space, entry.run_id)
        return str(local) if self._fs is None else _join(self._base, *local.parts[-5:])

    def _check_files(self, table: str, entries: list[Entry]) -> None:
        """Raise SchemaError naming the first run whose ``table`` file cannot be read."""
        for entry in entries:
            try:
                pq.read_table(self._path(table, entry), filesystem=self._fs)
            except (OSError, pa.ArrowException) as error:
                raise SchemaError(
                    f"the manifest of {str(self.root)!r} lists run {entry.run_id!r} of space "
                    f"{entry.space!r}, but its {table} file cannot be read ({error}); sync that "
                    f"run again (sync --run {entry.run_id} --refresh)"
                ) from None


# --- filters ----------------------------------------------------------------------------------


_EARLIEST = pd.Timestamp.min.tz_localize("UTC").ceil("us")
_LATEST = pd.Timestamp.max.tz_localize("UTC").floor("us")


def _window(since: Moment | None, until: Moment | None) -> Window | None:
    """``[since, until)`` in UTC (an open end is None), or None when neither is given.

    A bound outside the nanosecond range of the tables (years 1677-2262) is clamped into it:
    an earlier ``since`` or later ``until`` bounds nothing.
    """
    if since is None and until is None:
        return None
    start = None if since is None else utc_time(since, "since")
    end = None if until is None else utc_time(until, "until")
    whole_day = isinstance(until, date) and not isinstance(until, datetime)
    if end is not None and (whole_day or _is_date_text(until)):
        end += pd.Timedelta(days=1)
    if start is not None and end is not None and end <= start:
        raise ValueError(f"until {until!r} is not after since {since!r}: swap them")
    start = None if start is None or start < _EARLIEST else min(start, _LATEST)
    end = None if end is None or end > _LATEST else max(end, _EARLIEST)
    return start, end


def _is_date_text(value: object) -> bool:
    return isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()) is not None


def _overlaps(entry: Entry, window: Window | None) -> bool:
    """Whether the run may hold a call or an uncalled task inside ``window``."""
    if window is None:
        return True
    times = [
        entry.first_call_start,
        entry.last_call_start,
        entry.first_task_created,
        entry.last_task_created,
    ]
    known = [pd.Timestamp(t) for t in times if t is not None]
    if not known:
        return True
    start, end = window
    return (end is None or min(known) < end) and (start is None or max(known) >= start)


def _ns(stamp: pd.Timestamp) -> pa.Scalar:
    return pa.scalar(stamp.as_unit("ns").value, type=pa.timestamp("ns", tz="UTC"))


def _in_window(field: Any, window: Window) -> Any:
    start, end = window
    after = None if start is None else field >= _ns(start)
    before = None if end is None else field < _ns(end)
    if after is None and before is None:
        return ds.scalar(True)
    return before if after is None else after if before is None else after & before


def _between(values: pa.ChunkedArray, window: Window) -> Any:
    start, end = window
    tests = [] if start is None else [pc.greater_equal(values, _ns(start))]
    tests += [] if end is None else [pc.less(values, _ns(end))]
    if not tests:
        return pa.array(np.ones(len(values), dtype=bool))
    inside = tests[0] if len(tests) == 1 else pc.and_(*tests)
    return pc.fill_null(inside, False)


def _by(assignees: list[str] | None) -> Any:
    return None if assignees is None else ds.field("assignee").isin(assignees)


def _of_tasks(keep: pa.Array | None, table: str) -> Any:
    if keep is None:
        return None
    ids = keep.combine_chunks() if isinstance(keep, pa.ChunkedArray) else keep
    chosen = ds.field("task_id").isin(ids)
    return chosen | ds.field("task_id").is_null() if table == "problems" else chosen


# --- columns and frames -----------------------------------------------------------------------


def _wanted_columns(
    columns: Sequence[str] | Mapping[str, Sequence[str]] | None,
) -> dict[str, list[str] | None]:
    if columns is None:
        return dict.fromkeys(TABLE_SCHEMAS)
    if isinstance(columns, Mapping):
        unknown_tables = [t for t in columns if t not in TABLE_SCHEMAS]
        if unknown_tables:
            raise ValueError(
                f"columns names table {unknown_tables[0]!r}; the tables are "
                f"{', '.join(TABLE_SCHEMAS)}"
            )
        chosen = {t: _column_list(columns[t], [t]) if t in columns else None for t in TABLE_SCHEMAS}
        return chosen
    listed = _column_list(columns, list(TABLE_SCHEMAS))
    return dict.fromkeys(TABLE_SCHEMAS, listed)


def _column_list(columns: Sequence[str], tables: list[str]) -> list[str]:
    names = [columns] if isinstance(columns, str) else list(columns)
    known = {c for t in tables for c in TABLE_SCHEMAS[t]} | set(KEYS)
    unknown = [c for c in names if c not in known and not str(c).startswith("input_")]
    if unknown:
        raise ValueError(
            f"no table {'/'.join(tables)} has a column {unknown[0]!r}; see analytics.schema "
            "for the columns of each table"
        )
    return names


def _with_outcome_raw(
    columns: Sequence[str] | Mapping[str, Sequence[str]] | None,
) -> Sequence[str] | Mapping[str, Sequence[str]] | None:
    """``columns`` with ``outcome_raw`` among the calls' when they hold ``outcome`` (an
    outcome map derives it from ``outcome_raw``)."""
    if columns is None or isinstance(columns, str):
        return columns
    if isinstance(columns, Mapping):
        chosen = list(columns.get("calls", ()))
        calls = [*chosen, "outcome_raw"] if "outcome" in chosen else chosen
        return {**columns, "calls": calls} if "calls" in columns else columns
    listed = list(columns)
    return [*listed, "outcome_raw"] if "outcome" in listed else listed


def _mapped_outcomes(
    calls: pd.DataFrame,
    outcome_map: Mapping[str, str],
    columns: Sequence[str] | Mapping[str, Sequence[str]] | None,
) -> pd.DataFrame:
    """``calls`` with ``outcome`` derived from ``outcome_raw`` by ``outcome_map``, and
    ``outcome_raw`` only when it was asked for."""
    if "outcome" not in calls:
        return calls
    mapped = calls.assign(outcome=canonical_outcomes(calls["outcome_raw"], outcome_map))
    chosen = columns.get("calls") if isinstance(columns, Mapping) else columns
    asked = chosen is None or isinstance(chosen, str) or "outcome_raw" in chosen
    return mapped if asked else mapped.drop(columns="outcome_raw")


def _empty_arrow(table: str, columns: list[str] | None) -> pa.Table:
    frame = empty_frame({**TABLE_SCHEMAS[table], **dict.fromkeys(KEYS, TEXT)})
    chosen = frame if columns is None else frame[[c for c in dict.fromkeys(columns) if c in frame]]
    return pa.Table.from_pandas(chosen, preserve_index=False)


_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype()}
"""Arrow types read straight into the schema's nullable dtypes (no NaN round trip)."""


def _frame(arrow: pa.Table, table: str, wanted: list[str] | None = None) -> pd.DataFrame:
    """The Arrow rows as a frame with the schema's dtypes, ``space`` and ``run_id`` last.

    A schema column the files lack (written before the column was added) is NA, of its
    dtype, when it is ``wanted`` (None: every column)."""
    schema = TABLE_SCHEMAS[table]
    names = arrow.column_names
    extra = [c for c in names if c not in schema and c not in KEYS]
    order = [*(c for c in schema if c in names), *extra, *(k for k in KEYS if k not in schema)]
    frame = arrow.select([c for c in order if c in names]).to_pandas(types_mapper=_NULLABLE.get)
    dtypes = {c: schema.get(c, TEXT) for c in frame.columns}
    differ = {c: t for c, t in dtypes.items() if str(frame[c].dtype) != t}
    typed: pd.DataFrame = frame.astype(differ) if differ else frame
    added = [c for c in schema if c not in names and (wanted is None or c in wanted)]
    return _with_added(typed, table, added) if added else typed


def _with_added(frame: pd.DataFrame, table: str, added: list[str]) -> pd.DataFrame:
    """``frame`` with the schema columns ``added`` as NA (False for a never-unknown flag), in
    the schema's order."""
    schema = TABLE_SCHEMAS[table]
    filled = conform(frame, {c: schema[c] for c in added})
    order = [c for c in schema if c in filled] + [c for c in frame if c not in schema]
    return filled[order]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _ordered(entries: Iterable[Entry]) -> list[Entry]:
    """Runs by space, then by first call start (runs without calls by creation), then id."""

    def key(entry: Entry) -> tuple[str, str, str]:
        when = entry.first_call_start or entry.created or entry.first_task_created
        return entry.space, "" if when is None else when.isoformat(), entry.run_id

    return sorted(entries, key=key)
