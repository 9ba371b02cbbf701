"""A fake Unpod space for the sync tests: runs made by ``make_run``, served by FakeUnpod.

Each run is served from its current state at every request, so a test changes what the next
sync sees by changing a :class:`FakeRun` (finish it, make it fail, slow it down)::

    from _space import SPACE, make_space

    space = make_space(unpod_server)          # four runs, the newest still in progress
    space.runs[space.ids[3]].finish()         # ... which now completes
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from _server import FakeUnpod, Reply, Request, paged

from analytics.datasets import make_run
from analytics.load import Run, load_run
from analytics.load.dataset import table_path

SPACE = "S"
SIZES = (12, 8, 10, 6)
"""Tasks per run, oldest run first."""
IN_PROGRESS = 2
"""How many of the newest tasks of the in-progress run are still ``in_progress``."""
SORT_KEYS = {
    "tasks": ["task_id"],
    "calls": ["task_id"],
    "turns": ["task_id", "turn"],
    "problems": ["task_id", "field", "problem"],
}


@dataclass
class FakeRun:
    """One run of the space: its object's fields, its tasks and how its tasks path answers."""

    run_id: str
    created: str
    status: str
    tasks: list[dict]
    finished: list[dict] = field(default_factory=list)
    """The tasks as they will be once the run completes (empty: it is complete)."""
    reply: Reply | None = None
    """Served instead of the tasks (an error answer), when set."""
    delay: float = 0.0
    """Seconds every answer to the run's tasks path waits."""

    def info(self) -> dict:
        """The run object, as GET runs lists it."""
        return {
            "space_id": "454",
            "user": "86",
            "thread_id": None,
            "run_id": self.run_id,
            "collection_ref": f"collection_data_{SPACE}",
            "run_mode": "prod",
            "status": self.status,
            "batch_count": 1,
            "created": self.created,
            "modified": self.created,
        }

    def finish(self) -> None:
        """The run completes: its tasks get their final status and output."""
        if self.finished:
            self.tasks, self.finished, self.status = self.finished, [], "completed"

    def answer(self, request: Request) -> Reply:
        reply = self.reply or paged(self.tasks)(request)
        return dataclasses.replace(reply, delay=self.delay)


def fake_run(n_tasks: int, seed: int, created: str, *, in_progress: int = 0) -> FakeRun:
    """A run of ``n_tasks`` from ``make_run``; its newest ``in_progress`` tasks still running."""
    tasks = make_run(n_tasks, random_state=seed)["data"]
    run_id = tasks[0]["run_id"]
    for task in tasks:
        task["run_id"] = run_id
    if not in_progress:
        return FakeRun(run_id, created, "completed", tasks)
    running = copy.deepcopy(tasks)
    for task in running[:in_progress]:
        task.update(status="in_progress", output={})
    return FakeRun(run_id, created, "pending", running, finished=tasks)


@dataclass
class FakeSpace:
    """The runs of space :data:`SPACE` on a FakeUnpod (``ids``: oldest first)."""

    server: FakeUnpod
    runs: dict[str, FakeRun]

    @property
    def ids(self) -> list[str]:
        return list(self.runs)

    def install(self) -> FakeSpace:
        self.server.route(f"/spaces/{SPACE}/runs/", self._listing)
        for run in self.runs.values():
            self.server.route(tasks_path(run.run_id), run.answer)
        return self

    def _listing(self, request: Request) -> Reply:
        newest_first = [run.info() for run in reversed(self.runs.values())]
        return paged(newest_first)(request)

    def tasks(self, *run_ids: str) -> list[dict]:
        """The tasks the runs serve now (all runs when none is named)."""
        return [t for rid in run_ids or self.ids for t in self.runs[rid].tasks]

    def probes(self, run_id: str) -> list[Request]:
        """The one-task count requests sent for the run."""
        return [r for r in self.server.requests_to(tasks_path(run_id)) if is_probe(r)]

    def page_reads(self, run_id: str) -> list[Request]:
        """The requests for pages of the run's tasks (count requests left out)."""
        return [r for r in self.server.requests_to(tasks_path(run_id)) if not is_probe(r)]


def make_space(server: FakeUnpod, sizes: tuple[int, ...] = SIZES) -> FakeSpace:
    """Runs of ``sizes`` tasks (seeds 1, 2...), created a day apart from 2026-01-10, oldest
    first; the newest is still in progress (run ``pending``, :data:`IN_PROGRESS` tasks
    ``in_progress``), the others completed."""
    last = len(sizes) - 1
    made = [
        fake_run(n, i + 1, f"2026-01-{10 + i:02d}T09:00:00", in_progress=IN_PROGRESS * (i == last))
        for i, n in enumerate(sizes)
    ]
    return FakeSpace(server, {run.run_id: run for run in made}).install()


def tasks_path(run_id: str) -> str:
    return f"/spaces/{SPACE}/runs/{run_id}/tasks/"


def is_probe(request: Request) -> bool:
    return request.query.get("page_size") == "1"


def table_files(root: Path, run_id: str) -> list[Path]:
    """The four table files of a run of :data:`SPACE` in the dataset at ``root``."""
    return [table_path(root, table, SPACE, run_id) for table in SORT_KEYS]


def comparable(run: Run, like: Run | None = None) -> dict[str, pd.DataFrame]:
    """The tables of ``run``, rows sorted by their keys; with ``like``, in its columns.

    Reading a dataset adds ``space`` to every table and ``run_id`` to those whose
    ``load_run`` version lacks it; taking the columns of ``like`` (a ``load_run`` result)
    leaves them out, after checking that no other column differs.
    """
    out = {}
    for table, keys in SORT_KEYS.items():
        frame = getattr(run, table)
        if like is not None:
            own = list(getattr(like, table).columns)
            assert set(frame.columns) - {"space", "run_id"} == set(own) - {"run_id"}, table
            frame = frame[own]
        out[table] = frame.sort_values(keys, ignore_index=True, na_position="first")
    return out


def assert_same_run(loaded: Run, tasks: list[dict] | Run) -> None:
    """``loaded`` (read from a dataset) holds what ``load_run`` makes of ``tasks``."""
    expected = tasks if isinstance(tasks, Run) else load_run(tasks)
    want, got = comparable(expected), comparable(loaded, expected)
    for table in SORT_KEYS:
        pd.testing.assert_frame_equal(got[table], want[table], obj=table)
