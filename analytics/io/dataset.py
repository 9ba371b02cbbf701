"""Writing a dataset: runs into Parquet tables plus a manifest entry each, atomically.

:func:`write_dataset` adds runs from snapshots or loaded tables; :func:`analytics.sync_space`
adds them from the API through the same :class:`DatasetWriter`. The reading side, and the
layout, are in :mod:`analytics.load.dataset` (``docs/dataset.md`` for users).

How a run is written, so that it is in the dataset whole or not at all
    1. If the run is already there, its manifest entry is removed first (the manifest is
       rewritten atomically): from now on readers do not see the run.
    2. Its four table files are written, each atomically (a temporary file renamed over the
       old one; see :func:`analytics.io.store.write_atomic`).
    3. Its new entry is added to the manifest, atomically. Only now do readers see it.

    A process killed anywhere leaves the previous version of the run (killed before 1), or no
    version (killed between 1 and 3, the files unlisted and ignored): never a mix of old and
    new tables. The next sync fetches a run that has no entry, so it finishes the work.

One writer at a time
    A writer holds an exclusive lock on ``<root>/.lock`` (``fcntl.flock``; not on Windows)
    from opening the manifest to its last write; a second writer fails at once, saying so.
    While it replaces one run (steps 1-3) it also holds ``<root>/.tables.lock`` exclusively,
    which a load shares (:func:`analytics.load.dataset.tables_locked`): a load waits at most
    one run's write, and never reads a mix of old and new tables.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import msgspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analytics._shared import utc_time
from analytics.io._ids import check_id
from analytics.io.store import write_atomic
from analytics.load import Run, Source, load_run
from analytics.load.dataset import (
    FORMAT,
    MANIFEST_NAME,
    Entry,
    Manifest,
    manifest_frame,
    read_manifest,
    table_path,
    tables_locked,
)
from analytics.schema import (
    FINAL_RUN_STATUSES,
    PROBLEMS_SCHEMA,
    TABLE_SCHEMAS,
    TEXT,
    UNFINISHED_TASK_STATUSES,
)

if sys.platform != "win32":  # POSIX; on Windows writers are not locked (the docs say so)
    import fcntl

__all__ = ["DatasetWriter", "is_complete", "write_dataset", "writing"]

log = logging.getLogger(__name__)

ROW_GROUP_ROWS = 131_072
"""Rows per Parquet row group: small enough for a filter to skip groups of a large run."""
LOCK_NAME = ".lock"


def is_complete(run: Run, *, status: str | None = None) -> bool:
    """Whether ``run`` will not change any more, so that a later sync may skip it.

    Complete means: the run's own ``status`` is final (``completed``/``failed``; ``None`` when
    unknown, as for a saved snapshot, is not held against it), no task is still ``pending``,
    ``scheduled``, ``in_progress``, ``processing`` or ``hold``, and no call is still awaiting
    its evaluation (``evaluated`` false: the platform's "available soon" state).

    Examples
    --------
    >>> from analytics import load_run
    >>> done = load_run([{"task_id": "T1", "status": "completed", "output": {}}])
    >>> is_complete(done), is_complete(done, status="pending")
    (True, False)
    >>> is_complete(load_run([{"task_id": "T1", "status": "in_progress"}]))
    False
    """
    if status is not None and status not in FINAL_RUN_STATUSES:
        return False
    if run.tasks["status"].isin(UNFINISHED_TASK_STATUSES).any():
        return False
    return not run.calls["evaluated"].eq(False).any()


def write_dataset(
    run: Run | Source,
    root: str | os.PathLike[str],
    *,
    space: str,
    run_id: str | None = None,
) -> pd.DataFrame:
    """Add runs to the dataset at ``root``, replacing those already there.

    Parameters
    ----------
    run : Run or any :func:`~analytics.load_run` source
        A loaded run, or what ``load_run`` reads (a saved snapshot's path, a response...).
        Its tasks are split by ``run_id``: each run goes in as its own entry.
    root : path
        The dataset folder (created when missing).
    space : str
        The space token the runs belong to.
    run_id : str, optional
        Store every task under this run id (a snapshot whose tasks lack ``run_id``, or one
        run under a name of your choice). A task whose own ``run_id`` differs gets a
        ``problems`` row saying so.

    Returns
    -------
    DataFrame
        The manifest rows written, one per run (as :attr:`Dataset.runs`).

    Raises
    ------
    ValueError
        A task has no ``run_id`` and ``run_id`` is not given, or an id cannot name a folder.
    BlockingIOError
        Another process is writing to the dataset.

    Examples
    --------
    >>> import tempfile
    >>> from analytics.datasets import make_run
    >>> with tempfile.TemporaryDirectory() as root:
    ...     rows = write_dataset(make_run(20, random_state=1), root, space="S1", run_id="R1")
    ...     print(rows[["space", "run_id", "tasks", "complete"]].to_string(index=False))
    space run_id  tasks  complete
       S1     R1     20     False
    """
    check_id(space, "space")
    loaded, digest = _loaded(run)
    split = _by_run(loaded, run_id)
    if not split:  # no task and no run_id: no run to store
        return manifest_frame([])
    with writing(root) as writer:
        entries = [
            writer.write(part, space=space, run_id=rid, content_hash=digest, source="import")
            for rid, part in split.items()
        ]
    return manifest_frame(entries)


def _loaded(run: Run | Source) -> tuple[Run, str | None]:
    """The run, and the SHA-256 of the snapshot file it came from (None: not from one file)."""
    if isinstance(run, Run):
        return run, None
    digest = None
    if isinstance(run, os.PathLike) or (isinstance(run, str) and Path(run).is_file()):
        with Path(run).open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
    return load_run(run), digest


def _by_run(run: Run, run_id: str | None) -> dict[str, Run]:
    """``run`` split into one :class:`Run` per run id (all of it under ``run_id`` if given)."""
    if run_id is not None:
        return {check_id(run_id, "run_id"): run}
    ids = run.tasks["run_id"]
    if ids.isna().any():
        missing = run.tasks.loc[ids.isna(), "task_id"].iloc[0]
        raise ValueError(
            f"task {missing!r} has no run_id: pass run_id='...' (--run RUN_ID on the command "
            "line) to store its run under a name"
        )
    names = list(dict.fromkeys(ids))
    if len(names) == 1:
        return {check_id(names[0], "run_id"): run}
    return {check_id(rid, "run_id"): _subset(run, ids[ids.eq(rid)].index) for rid in names}


def _subset(run: Run, rows: pd.Index) -> Run:
    """The part of ``run`` made of the tasks at ``rows``.

    Rows without a ``task_id`` follow their run by other keys: a call by its ``run_id``, a
    turn by its ``call_id``; a problem of no task goes with the first run of the input.
    """
    ids = run.tasks.loc[rows, "task_id"].dropna()
    run_id = run.tasks.loc[rows[0], "run_id"]
    calls = run.calls[run.calls["task_id"].isin(ids) | _orphans(run.calls, "run_id", [run_id])]
    turns = run.turns["task_id"].isin(ids) | _orphans(run.turns, "call_id", calls["call_id"])
    first = rows[0] == run.tasks.index[0]
    problems = run.problems["task_id"].isin(ids) | (first & run.problems["task_id"].isna())
    return Run(
        tasks=run.tasks.loc[rows],
        calls=calls,
        turns=run.turns[turns],
        problems=run.problems[problems],
    )


def _orphans(frame: pd.DataFrame, key: str, values: Any) -> pd.Series:
    """Rows without a ``task_id`` whose ``key`` is among ``values``."""
    return frame["task_id"].isna() & frame[key].isin(pd.Series(values).dropna())


@contextlib.contextmanager
def writing(root: str | os.PathLike[str]) -> Iterator[DatasetWriter]:
    """Lock the dataset at ``root`` (created if missing) and yield its :class:`DatasetWriter`.

    Raises
    ------
    BlockingIOError
        Another process holds the lock (a sync or an import is running on ``root``).
    SchemaError
        ``root`` holds a ``manifest.json`` that is not a dataset manifest.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        exists = (root / MANIFEST_NAME).exists()
        manifest = read_manifest(root) if exists else Manifest(format=FORMAT)
        yield DatasetWriter(root, manifest)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    with (root / LOCK_NAME).open("a") as handle:
        _lock(handle, root)
        try:
            yield
        finally:
            if sys.platform != "win32":
                fcntl.flock(handle, fcntl.LOCK_UN)


def _lock(handle: IO[str], root: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BlockingIOError(
            errno.EAGAIN,
            f"another process is writing to the dataset at {str(root)!r} (a sync or import); "
            "wait for it to finish, then run this again",
        ) from None


class DatasetWriter:
    """The manifest of a locked dataset, and the one way to change it (see the module doc)."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest

    def entry(self, space: str, run_id: str) -> Entry | None:
        """The manifest entry of a run, or None when the run is not in the dataset."""
        return next((e for e in self.manifest.runs if (e.space, e.run_id) == (space, run_id)), None)

    def write(
        self,
        run: Run,
        *,
        space: str,
        run_id: str,
        info: Mapping[str, Any] | None = None,
        content_hash: str | None = None,
        server_tasks: int | None = None,
        source: str = "sync",
    ) -> Entry:
        """Store ``run`` as run ``run_id`` of ``space``, replacing an earlier copy.

        ``info`` is the platform's run object (its ``status``, ``created`` and name go into the
        entry); ``content_hash`` fingerprints the snapshot (default: the written files').
        """
        space, run_id = check_id(space, "space"), check_id(run_id, "run_id")
        frames = _stamped(run, space, run_id)
        with tables_locked(self.root, shared=False):
            self._drop(space, run_id)
            digest = self._write_tables(frames, space, run_id)
            entry = self._add(
                frames, space, run_id, info, server_tasks, content_hash or digest, source
            )
        log.info("stored run %s of space %s: %d tasks", run_id, space, entry.tasks)
        return entry

    def _write_tables(self, frames: dict[str, pd.DataFrame], space: str, run_id: str) -> str:
        digest = hashlib.sha256()
        for table, frame in frames.items():
            _write_table(frame, table_path(self.root, table, space, run_id), digest)
        return digest.hexdigest()

    def _add(
        self,
        frames: dict[str, pd.DataFrame],
        space: str,
        run_id: str,
        info: Mapping[str, Any] | None,
        server_tasks: int | None,
        content_hash: str,
        source: str,
    ) -> Entry:
        entry = _entry(
            frames,
            space=space,
            run_id=run_id,
            info=info or {},
            server_tasks=server_tasks,
            content_hash=content_hash,
            source=source,
        )
        self._save([*self.manifest.runs, entry])
        return entry

    def unchanged(self, entry: Entry, *, content_hash: str, info: Mapping[str, Any]) -> bool:
        """Whether ``entry`` already stores these tasks (same hash) with this run status, so
        that a sync only needs :meth:`touch`."""
        return entry.content_hash == content_hash and entry.run_status == _text(info.get("status"))

    def touch(self, entry: Entry, *, server_tasks: int | None) -> Entry:
        """Record that ``entry``'s run was checked now and found unchanged."""
        fresh = msgspec.structs.replace(entry, synced_at=_now(), server_tasks=server_tasks)
        key = (entry.space, entry.run_id)
        self._save([fresh if (e.space, e.run_id) == key else e for e in self.manifest.runs])
        return fresh

    def _drop(self, space: str, run_id: str) -> None:
        old = self.entry(space, run_id)
        if old is not None:
            self._save([e for e in self.manifest.runs if e is not old])

    def _save(self, entries: list[Entry]) -> None:
        self.manifest = msgspec.structs.replace(self.manifest, runs=entries)
        text = msgspec.json.format(msgspec.json.encode(self.manifest), indent=1)
        write_atomic(self.root / MANIFEST_NAME, lambda tmp: tmp.write_bytes(text))


def _stamped(run: Run, space: str, run_id: str) -> dict[str, pd.DataFrame]:
    """The four tables with ``space`` and ``run_id`` set on every row (as the files hold them)."""
    tasks = run.tasks
    other = tasks["run_id"].notna() & tasks["run_id"].ne(run_id)
    problems = pd.concat([run.problems, _moved(tasks[other], run_id)], ignore_index=True)
    tables = {"tasks": tasks, "calls": run.calls, "turns": run.turns, "problems": problems}
    return {
        name: frame.assign(run_id=pd.Series(run_id, index=frame.index, dtype=TEXT)).assign(
            space=pd.Series(space, index=frame.index, dtype=TEXT)
        )[_file_columns(frame, name)]
        for name, frame in tables.items()
    }


def _file_columns(frame: pd.DataFrame, table: str) -> list[str]:
    """The table's columns in its order, then ``space``, then ``run_id`` where it has none."""
    own = [c for c in frame.columns if c not in ("space", "run_id") or c in TABLE_SCHEMAS[table]]
    return [*own, "space", *(["run_id"] if "run_id" not in own else [])]


def _moved(tasks: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """A problem row per task stored under another run than the one it names."""
    text = "run_id " + tasks["run_id"].map(repr) + f" differs from the run stored, {run_id!r}"
    rows = pd.DataFrame({"task_id": tasks["task_id"], "field": "run_id", "problem": text})
    return rows.astype(PROBLEMS_SCHEMA)


def _write_table(frame: pd.DataFrame, path: Path, digest: Any) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP_ROWS)
        with tmp.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())

    write_atomic(path, write)


def _entry(
    frames: dict[str, pd.DataFrame],
    *,
    space: str,
    run_id: str,
    info: Mapping[str, Any],
    server_tasks: int | None,
    content_hash: str,
    source: str,
) -> Entry:
    tasks, calls = frames["tasks"], frames["calls"]
    status = _text(info.get("status"))
    run = Run(tasks=tasks, calls=calls, turns=frames["turns"], problems=frames["problems"])
    return Entry(
        space=space,
        run_id=run_id,
        run_name=_text(info.get("name") or info.get("run_name")),
        created=_time(info.get("created")),
        run_status=status,
        tasks=len(tasks),
        calls=len(calls),
        turns=len(frames["turns"]),
        problems=len(frames["problems"]),
        first_call_start=_time(calls["start_time"].min()),
        last_call_start=_time(calls["start_time"].max()),
        first_task_created=_time(tasks["created"].min()),
        last_task_created=_time(tasks["created"].max()),
        complete=is_complete(run, status=status),
        server_tasks=server_tasks,
        synced_at=_now(),
        content_hash=content_hash,
        source=source,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _time(value: object) -> datetime | None:
    """A UTC datetime from a timestamp or the platform's text (naive is UTC), else None."""
    try:
        return utc_time(value, "time").to_pydatetime()
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(UTC)
