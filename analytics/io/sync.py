"""Keeping a dataset in step with a space: :func:`sync_space` and its :class:`SyncResult`.

A sync lists the space's runs and goes through the chosen ones oldest first (by ``created``),
so that a sync stopped half-way leaves the older history complete. For each run it decides:

skipped
    The dataset holds the run, its entry is ``complete`` (the run and its tasks will not change
    any more, see :func:`~analytics.io.dataset.is_complete`) and the server still counts as
    many tasks as the entry was synced with. One request of one task finds that out
    (:meth:`~analytics.io.client.UnpodClient.run_task_count`); no page of tasks is read.
fetched
    Every task is read, the snapshot saved to ``<root>/raw/<space>/<run>.json`` (atomically)
    and the run's tables and manifest entry written through
    :class:`~analytics.io.dataset.DatasetWriter`: the run is in the dataset whole or not at all.
unchanged
    Fetched, but its tasks are the ones already stored (same SHA-256 of the task list, same
    run status): the tables stay, only the entry's ``synced_at`` and ``server_tasks`` change.
failed
    An API error, a connection error or a response the loader refuses: the run's one-line error
    is recorded, a warning logged, and the sync goes on with the next run. Nothing of the run
    is written; an earlier copy stays in the dataset.

The dataset is locked for the whole sync (one writer at a time; see :mod:`analytics.io.dataset`).
A sync killed at any point leaves a consistent dataset; the next one finishes the work.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd
from tqdm import tqdm

from analytics._shared import check_known, gc_paused, text_list, utc_time
from analytics.errors import ApiConnectionError, ApiError, SchemaError
from analytics.io._ids import check_id
from analytics.io.client import UnpodClient, run_response
from analytics.io.dataset import DatasetWriter, writing
from analytics.io.store import snapshot_path, write_atomic
from analytics.load import load_run
from analytics.load.dataset import Entry, Moment
from analytics.schema import TEXT

__all__ = ["SyncResult", "sync_space"]

log = logging.getLogger(__name__)

RAW = "raw"
"""The folder of a dataset's root that holds the snapshots sync fetched."""
FAILURES = (ApiError, ApiConnectionError, SchemaError)
"""What fails one run (recorded, the sync goes on); any other error stops the sync."""


@dataclass(frozen=True)
class SyncResult:
    """What :func:`sync_space` did, run by run.

    Attributes
    ----------
    root : Path
        The dataset folder.
    runs : list of str
        Every run the sync went through, in that order (oldest first).
    fetched : list of str
        The runs whose tasks were read, ``unchanged`` ones included.
    unchanged : list of str
        The fetched runs whose tasks were the ones already stored (tables not rewritten).
    skipped : list of str
        The complete runs whose task count had not changed (no task read).
    failed : list of str
        The runs that failed; nothing of them was written.
    tasks : dict of str to int
        The number of tasks of each fetched or skipped run.
    errors : dict of str to str
        The one-line error of each failed run.

    Examples
    --------
    >>> result = SyncResult(
    ...     Path("data"),
    ...     runs=["R1", "R2", "R3", "R4"],
    ...     fetched=["R2", "R3"],
    ...     unchanged=["R3"],
    ...     skipped=["R1"],
    ...     failed=["R4"],
    ...     tasks={"R1": 40, "R2": 12, "R3": 7},
    ...     errors={"R4": "HTTP 500 from /api/v2/platform/spaces/S1/runs/R4/tasks/: boom"},
    ... )
    >>> result, result.ok
    (SyncResult(fetched=2, skipped=1, failed=1), False)
    >>> result.table[["run_id", "action", "tasks"]]
      run_id     action  tasks
    0     R1    skipped     40
    1     R2    fetched     12
    2     R3  unchanged      7
    3     R4     failed   <NA>
    """

    root: Path
    runs: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    tasks: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"SyncResult(fetched={len(self.fetched)}, skipped={len(self.skipped)}, "
            f"failed={len(self.failed)})"
        )

    @property
    def ok(self) -> bool:
        """Whether no run failed."""
        return not self.failed

    @property
    def table(self) -> pd.DataFrame:
        """One row per run, in sync order: ``run_id``, ``action`` (fetched, unchanged, skipped
        or failed), ``tasks`` and ``error``."""
        rows = [(r, self.action(r), self.tasks.get(r), self.errors.get(r)) for r in self.runs]
        frame = pd.DataFrame(rows, columns=["run_id", "action", "tasks", "error"])
        return frame.astype({"run_id": TEXT, "action": TEXT, "tasks": "Int64", "error": TEXT})

    def action(self, run_id: str) -> str:
        """What the sync did with ``run_id``: fetched, unchanged, skipped or failed."""
        for action in ("unchanged", "fetched", "skipped", "failed"):
            if run_id in getattr(self, action):
                return action
        raise KeyError(f"run {run_id!r} was not synced; the runs synced: {self.runs}")


def sync_space(
    space_token: str,
    *,
    root: str | os.PathLike[str] = "data",
    client: UnpodClient | None = None,
    runs: str | Iterable[str] | None = None,
    since: Moment | None = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> SyncResult:
    """Bring the dataset at ``root`` up to date with the runs of a space.

    Lists the space's runs, then, oldest first, skips each run the dataset holds complete and
    unchanged, and fetches and stores the others (see the module docstring). A run that fails
    is recorded and the sync goes on; read the dataset back with
    :func:`~analytics.open_dataset`.

    Parameters
    ----------
    space_token : str
        The space (its token, from :meth:`UnpodClient.spaces`).
    root : path, default ``data``
        The dataset folder (created when missing); snapshots go to ``<root>/raw``.
    client : UnpodClient, optional
        The client to use; default a new one configured from the environment
        (``UNPOD_API_TOKEN``...), closed at the end.
    runs : str or iterable of str, optional
        Only these runs (ids); default every run of the space.
    since : ISO text, date or datetime, optional
        Only the runs created at or after this time (naive times are UTC). A run whose
        ``created`` is missing or unreadable is kept. With ``runs``, both must hold.
    refresh : bool, default False
        Fetch every chosen run, complete ones included.
    progress : bool, optional
        Show a progress bar of the runs on stderr; default: when stderr is a terminal.

    Returns
    -------
    SyncResult
        The runs fetched, unchanged, skipped and failed, with task counts and errors.

    Raises
    ------
    KeyError
        A run in ``runs`` is not in the space (the space's run ids are listed); raised after
        listing the runs, before any task is read.
    ValueError
        ``since`` is not a time, a name in ``runs`` is not text, or ``space_token`` is not an
        id; raised before any request.
    ApiError, ApiConnectionError
        The space's runs cannot be listed (a failure of one run's tasks is recorded instead).
    BlockingIOError
        Another process is writing to the dataset.
    SchemaError
        ``root`` holds a ``manifest.json`` that is not a dataset's.

    Examples
    --------
    With a token in ``UNPOD_API_TOKEN``, sync a space, then sync again later:

    >>> result = sync_space("SPACE_TOKEN", root="data")  # doctest: +SKIP
    >>> result  # doctest: +SKIP
    SyncResult(fetched=3, skipped=2, failed=0)

    The arguments are checked before any request:

    >>> sync_space("S1", since="last week")
    Traceback (most recent call last):
    ...
    ValueError: since 'last week' is not a time: give ISO text such as '2026-11-01'
    """
    check_id(space_token, "space_token")
    names = text_list(runs, "runs")
    start = None if since is None else utc_time(since, "since")
    owner = UnpodClient(progress=progress) if client is None else contextlib.nullcontext(client)
    with owner as api:
        chosen = _chosen(api.runs(space_token), names, start, space_token)
        with writing(root) as writer:
            return _sync(api, writer, space_token, chosen, refresh=refresh, progress=progress)


# --- choosing runs ----------------------------------------------------------------------------


def _created(info: dict[str, Any]) -> pd.Timestamp | None:
    """When the platform says the run was created, or None when it does not say (readably)."""
    try:
        return utc_time(info.get("created"), "created")
    except ValueError:
        return None


def _chosen(
    listed: list[dict[str, Any]], names: list[str] | None, start: pd.Timestamp | None, space: str
) -> list[dict[str, Any]]:
    """The run objects to sync, oldest first; KeyError for a name the space does not have."""
    known = [r for r in listed if isinstance(r, dict) and isinstance(r.get("run_id"), str)]
    if len(known) < len(listed):
        log.warning(
            "space %s lists %d runs without a run_id: left out", space, len(listed) - len(known)
        )
    check_known(names, (r["run_id"] for r in known), what="run", where=f"space {space!r}")
    picked = [r for r in known if names is None or r["run_id"] in names]
    picked = [r for r in picked if start is None or _at_or_after(r, start)]
    return _oldest_first(picked)


def _at_or_after(info: dict[str, Any], start: pd.Timestamp) -> bool:
    created = _created(info)
    return created is None or created >= start


def _oldest_first(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By ``created``, unknown last; the listing is newest first, so ties go in reverse."""
    earliest = pd.Timestamp.min.tz_localize("UTC")

    def key(item: tuple[int, dict[str, Any]]) -> tuple[bool, pd.Timestamp, int]:
        created = _created(item[1])
        return created is None, earliest if created is None else created, -item[0]

    return [info for _, info in sorted(enumerate(runs), key=key)]


# --- syncing ----------------------------------------------------------------------------------


def _sync(
    api: UnpodClient,
    writer: DatasetWriter,
    space: str,
    chosen: list[dict[str, Any]],
    *,
    refresh: bool,
    progress: bool | None,
) -> SyncResult:
    result = SyncResult(writer.root)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(chosen, desc=f"sync {space}", unit="run", file=sys.stderr, disable=not show)
    with bar:
        for info in bar:
            _sync_run(api, writer, space, info, refresh, result)
    log.info("synced space %s into %s: %r", space, writer.root, result)
    return result


def _sync_run(
    api: UnpodClient,
    writer: DatasetWriter,
    space: str,
    info: dict[str, Any],
    refresh: bool,
    result: SyncResult,
) -> None:
    """Sync one run and record what happened in ``result``."""
    run_id: str = info["run_id"]
    result.runs.append(run_id)
    try:
        action, count = _decide(api, writer, space, info, refresh)
    except FAILURES as error:
        _record_failure(result, space, run_id, error)
        return
    if action != "skipped":  # "unchanged" runs were fetched too
        result.fetched.append(run_id)
    if action != "fetched":
        getattr(result, action).append(run_id)
    result.tasks[run_id] = count
    log.info("sync %s: run %s %s (%d tasks)", space, run_id, action, count)


def _record_failure(result: SyncResult, space: str, run_id: str, error: Exception) -> None:
    message = " ".join(str(error).split()) or type(error).__name__
    result.failed.append(run_id)
    result.errors[run_id] = message
    log.warning("sync %s: run %s failed: %s", space, run_id, message)


def _decide(
    api: UnpodClient, writer: DatasetWriter, space: str, info: dict[str, Any], refresh: bool
) -> tuple[str, int]:
    """Skip the run (complete, same task count on the server) or fetch it: (action, tasks)."""
    run_id = _listed_id(info["run_id"])
    entry = writer.entry(space, run_id)
    if not refresh and entry is not None and entry.complete:
        count = api.run_task_count(space, run_id)
        if count == entry.server_tasks:
            return "skipped", count
    return _fetch(api, writer, space, info, entry)


def _listed_id(run_id: str) -> str:
    try:
        return check_id(run_id, "run_id")
    except ValueError as error:
        raise ApiError(f"the space lists a run that cannot be fetched: {error}") from None


def _fetch(
    api: UnpodClient,
    writer: DatasetWriter,
    space: str,
    info: dict[str, Any],
    entry: Entry | None,
) -> tuple[str, int]:
    """Read every task of the run, save its snapshot and store it unless it is unchanged."""
    run_id = info["run_id"]
    with gc_paused():  # the pages' dicts form no cycles; collections only cost time
        tasks = list(api.iter_run_tasks(space, run_id))
    data = msgspec.json.encode(tasks)  # encoded once: hashed, then spliced into the snapshot
    envelope = run_response([], space_token=space, run_id=run_id) | {"count": len(tasks)}
    snapshot = msgspec.json.encode(envelope | {"data": msgspec.Raw(data)})
    run = load_run(snapshot)  # before anything is written: a refused response writes nothing
    digest = hashlib.sha256(data).hexdigest()
    path = snapshot_path(space, run_id, root=writer.root / RAW)
    write_atomic(path, lambda tmp: tmp.write_bytes(snapshot))
    if entry is not None and writer.unchanged(entry, content_hash=digest, info=info):
        writer.touch(entry, server_tasks=len(tasks))
        return "unchanged", len(tasks)
    writer.write(
        run,
        space=space,
        run_id=run_id,
        info=info,
        content_hash=digest,
        server_tasks=len(tasks),
        source="sync",
    )
    return "fetched", len(tasks)
