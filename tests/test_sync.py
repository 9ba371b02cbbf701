"""sync_space against a real HTTP server on 127.0.0.1 (tests/_server.py, tests/_space.py).

The space has four runs (12, 8, 10 and 6 tasks, oldest first); the newest is still in progress
(run ``pending``, its two newest tasks ``in_progress`` with no output yet). The client reads
5 tasks a page, so a run of 12 tasks takes 3 page requests.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from _server import Reply, ok
from _space import (
    IN_PROGRESS,
    SIZES,
    SPACE,
    assert_same_run,
    make_space,
    table_files,
    tasks_path,
)

import analytics as an
from analytics.errors import ApiError
from analytics.io.client import UnpodClient, retry_policy
from analytics.io.dataset import writing
from analytics.load import load_run, open_dataset
from analytics.load.dataset import read_manifest

TOKEN = "tok-sync-7f3a9c2e"
PAGE_SIZE = 5


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(unpod_server, sleeps):
    policy = retry_policy(2, sleep=sleeps.append)
    with UnpodClient(
        TOKEN,
        base_url=unpod_server.base_url,
        page_size=PAGE_SIZE,
        max_retries=policy,
        progress=False,
    ) as api:
        yield api


@pytest.fixture
def space(unpod_server):
    return make_space(unpod_server)


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "data"


def entries(root: Path) -> dict:
    return {e.run_id: e for e in read_manifest(root).runs}


def pages(n_tasks: int) -> int:
    """The page requests a run of ``n_tasks`` takes (a short last page ends the read)."""
    return n_tasks // PAGE_SIZE + 1


# --- 1. the first sync ------------------------------------------------------------------------


def test_first_sync_fetches_every_run_oldest_first(space, client, root):
    a, b, c, d = space.ids
    result = an.sync_space(SPACE, root=root, client=client)

    assert result.runs == result.fetched == [a, b, c, d]
    assert result.skipped == result.failed == result.unchanged == []
    assert result.tasks == dict(zip([a, b, c, d], SIZES))
    assert result.ok
    assert repr(result) == "SyncResult(fetched=4, skipped=0, failed=0)"
    assert [e.run_id for e in read_manifest(root).runs] == [a, b, c, d]
    for rid, entry in entries(root).items():
        run = load_run(space.tasks(rid))
        assert (entry.space, entry.tasks, entry.server_tasks) == (
            SPACE,
            len(run.tasks),
            len(run.tasks),
        )
        assert (entry.calls, entry.turns) == (len(run.calls), len(run.turns))
        assert entry.complete is (rid != d)
        assert entry.run_status == ("pending" if rid == d else "completed")
        assert entry.source == "sync"
        assert (root / "raw" / SPACE / f"{rid}.json").is_file()
        assert all(path.is_file() for path in table_files(root, rid))
    # each run was read page by page, and no count was asked for (nothing was stored yet)
    assert [len(space.page_reads(rid)) for rid in space.ids] == [3, 2, 3, 2]
    assert [len(space.probes(rid)) for rid in space.ids] == [0, 0, 0, 0]
    # the in-progress run: two tasks still running, without their calls yet
    running = open_dataset(root).load(runs=d)
    assert running.tasks["status"].eq("in_progress").sum() == IN_PROGRESS
    finished = load_run(space.runs[d].finished)
    assert len(running.calls) == len(finished.calls) - IN_PROGRESS


# --- 2. the second sync -----------------------------------------------------------------------


def test_second_sync_skips_complete_runs_with_one_count_request_each(
    space, client, root, unpod_server
):
    a, b, c, d = space.ids
    an.sync_space(SPACE, root=root, client=client)
    before = entries(root)
    unpod_server.requests.clear()

    result = an.sync_space(SPACE, root=root, client=client)

    assert result.skipped == [a, b, c]
    assert result.fetched == result.unchanged == [d]  # fetched again, the same tasks
    assert result.tasks == dict(zip([a, b, c, d], SIZES))
    for rid in (a, b, c):
        (probe,) = space.probes(rid)
        assert probe.query == {"page": "1", "page_size": "1"}
        assert space.page_reads(rid) == []
    assert space.probes(d) == []  # an incomplete run is fetched without asking
    assert len(space.page_reads(d)) == 2
    after = entries(root)
    assert after[d].synced_at > before[d].synced_at  # touched
    assert after[d].content_hash == before[d].content_hash
    assert {rid: after[rid].synced_at for rid in (a, b, c)} == {
        rid: before[rid].synced_at for rid in (a, b, c)
    }


def test_a_complete_run_whose_count_changed_is_fetched(space, client, root):
    a = space.ids[0]
    an.sync_space(SPACE, root=root, client=client, runs=a)
    space.runs[a].tasks = space.runs[a].tasks[1:]  # the server now holds 11 tasks

    result = an.sync_space(SPACE, root=root, client=client, runs=a)

    assert result.fetched == [a]
    assert result.tasks[a] == 11
    assert len(space.probes(a)) == 1
    assert (entries(root)[a].tasks, entries(root)[a].server_tasks) == (11, 11)


# --- 3. an in-progress run completes between syncs --------------------------------------------


def test_a_run_that_completes_is_refetched_then_skipped(space, client, root):
    d = space.ids[3]
    an.sync_space(SPACE, root=root, client=client)
    assert not entries(root)[d].complete
    space.runs[d].finish()

    second = an.sync_space(SPACE, root=root, client=client)

    assert (second.fetched, second.unchanged) == ([d], [])
    entry = entries(root)[d]
    assert (entry.complete, entry.run_status, entry.tasks) == (True, "completed", 6)
    stored = open_dataset(root).load(runs=d)
    served = {t["task_id"]: t["status"] for t in space.tasks(d)}
    assert dict(zip(stored.tasks["task_id"], stored.tasks["status"])) == served
    assert "in_progress" not in served.values()
    assert_same_run(stored, space.tasks(d))

    third = an.sync_space(SPACE, root=root, client=client)
    assert third.skipped == space.ids
    assert third.fetched == []


# --- 4. a failing run -------------------------------------------------------------------------


def test_a_failing_run_is_recorded_and_the_others_synced(
    space, client, root, sleeps, unpod_server, caplog
):
    a, b, c, d = space.ids
    space.runs[b].reply = Reply(500, {"message": "boom", "status_code": 500})

    with caplog.at_level(logging.WARNING, logger="analytics.io.sync"):
        result = an.sync_space(SPACE, root=root, client=client)

    assert result.failed == [b]
    assert result.fetched == [a, c, d]
    assert not result.ok
    assert repr(result) == "SyncResult(fetched=3, skipped=0, failed=1)"
    assert result.errors == {b: f"HTTP 500 from {unpod_server.base_url}{tasks_path(b)}: boom"}
    assert len(unpod_server.requests_to(tasks_path(b))) == 3  # the request and 2 retries
    assert set(entries(root)) == {a, c, d}
    assert not (root / "raw" / SPACE / f"{b}.json").exists()
    assert not any(path.exists() for path in table_files(root, b))
    [warning] = [r for r in caplog.records if r.name == "analytics.io.sync"]
    assert warning.levelname == "WARNING"
    assert warning.getMessage() == f"sync S: run {b} failed: {result.errors[b]}"
    table = result.table
    assert table["action"].tolist() == ["fetched", "failed", "fetched", "fetched"]
    assert table["tasks"].tolist() == [12, pd.NA, 10, 6]
    assert table["error"].isna().tolist() == [True, False, True, True]

    space.runs[b].reply = None
    again = an.sync_space(SPACE, root=root, client=client)
    assert (again.fetched, again.skipped, again.failed) == ([b, d], [a, c], [])
    assert set(entries(root)) == {a, b, c, d}
    assert entries(root)[b].tasks == 8


def test_a_failing_run_keeps_its_previous_copy(space, client, root):
    d = space.ids[3]
    an.sync_space(SPACE, root=root, client=client, runs=d)
    before, served = entries(root)[d], space.tasks(d)
    space.runs[d].finish()
    space.runs[d].reply = Reply(503, {"message": "busy", "status_code": 503})

    result = an.sync_space(SPACE, root=root, client=client, runs=d)

    assert result.failed == [d]
    assert entries(root)[d] == before
    assert_same_run(open_dataset(root).load(runs=d), served)


def test_a_count_that_is_not_a_number_fails_the_run(space, client, root, unpod_server):
    a = space.ids[0]
    an.sync_space(SPACE, root=root, client=client, runs=a)
    listing = space.runs[a].answer

    def route(request):
        if request.query.get("page_size") == "1":
            return ok([], count="many")
        return listing(request)

    unpod_server.route(tasks_path(a), route)
    result = an.sync_space(SPACE, root=root, client=client, runs=a)
    assert result.failed == [a]
    assert "'count' is 'many'" in result.errors[a]


def test_run_task_count(space, client, unpod_server):
    a = space.ids[0]
    assert client.run_task_count(SPACE, a) == 12
    (request,) = unpod_server.requests
    assert request.query == {"page": "1", "page_size": "1"}
    unpod_server.add(tasks_path(a), ok([], count=-1))
    with pytest.raises(ApiError, match=r"'count' is -1, not an integer >= 0"):
        client.run_task_count(SPACE, a)
    with pytest.raises(ValueError, match=r"run_id='\.\./x' is not an id"):
        client.run_task_count(SPACE, "../x")


# --- 5. choosing runs -------------------------------------------------------------------------


def test_runs_and_since_choose(space, client, root):
    a, b, c, d = space.ids
    assert an.sync_space(SPACE, root=root, client=client, runs=[c, a]).fetched == [a, c]
    assert set(entries(root)) == {a, c}
    assert an.sync_space(SPACE, root=root, client=client, runs=b).fetched == [b]
    assert set(entries(root)) == {a, b, c}
    late = an.sync_space(SPACE, root=root, client=client, since="2026-01-12")
    assert (late.runs, late.skipped, late.fetched) == ([c, d], [c], [d])
    naive_utc = pd.Timestamp("2026-01-13T09:00:00")
    assert an.sync_space(SPACE, root=root, client=client, since=naive_utc).runs == [d]
    east = pd.Timestamp("2026-01-13T14:00:00+05:00")  # 09:00 UTC
    assert an.sync_space(SPACE, root=root, client=client, since=east).runs == [d]
    both = an.sync_space(SPACE, root=root, client=client, runs=[a, d], since="2026-01-11")
    assert both.runs == [d]


def test_a_run_without_a_readable_created_is_kept_and_goes_last(space, client, root):
    a, b, _, d = space.ids
    space.runs[b].created = "NULL"
    result = an.sync_space(SPACE, root=root, client=client, runs=[b, d, a], since="2026-01-12")
    assert result.runs == [d, b]
    assert entries(root)[b].created is None


def test_an_unknown_run_raises_before_any_task_is_read(space, client, root, unpod_server):
    with pytest.raises(KeyError, match=r"run 'R-nope' is not in space 'S'; its runs: R") as info:
        an.sync_space(SPACE, root=root, client=client, runs=[space.ids[0], "R-nope"])
    assert all(rid in str(info.value) for rid in space.ids)
    assert [r.path for r in unpod_server.requests] == [f"/api/v2/platform/spaces/{SPACE}/runs/"]
    assert not root.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "last week"}, "since 'last week' is not a time"),
        ({"since": 20260101}, "since 20260101 is not a time"),
        ({"runs": ["R1", 7]}, "runs must be text"),
    ],
)
def test_bad_arguments_raise_before_any_request(client, root, unpod_server, kwargs, message):
    with pytest.raises(ValueError, match=message):
        an.sync_space(SPACE, root=root, client=client, **kwargs)
    assert unpod_server.requests == []


def test_refresh_fetches_complete_runs(space, client, root):
    an.sync_space(SPACE, root=root, client=client)
    before = {rid: e.synced_at for rid, e in entries(root).items()}
    result = an.sync_space(SPACE, root=root, client=client, refresh=True)
    assert result.fetched == result.unchanged == space.ids
    assert [len(space.probes(rid)) for rid in space.ids] == [0, 0, 0, 0]
    assert [len(space.page_reads(rid)) for rid in space.ids] == [2 * pages(n) for n in SIZES]
    assert all(e.synced_at > before[rid] for rid, e in entries(root).items())


def test_a_second_writer_is_refused(space, client, root):
    with writing(root), pytest.raises(BlockingIOError, match="another process is writing"):
        an.sync_space(SPACE, root=root, client=client)


def test_progress_bar_on_stderr(space, client, root, capsys):
    a = space.ids[0]
    an.sync_space(SPACE, root=root, client=client, runs=a, progress=True)
    assert "sync S" in capsys.readouterr().err
    an.sync_space(SPACE, root=root, client=client, runs=a, progress=False)
    assert capsys.readouterr().err == ""


def test_a_write_that_fails_midway_leaves_no_half_run(space, client, root, monkeypatch):
    a, b, c, d = space.ids
    an.sync_space(SPACE, root=root, client=client)
    space.runs[d].finish()
    written = []

    def write_table(table, where, **kwargs):
        written.append(where)
        if len(written) == 3:  # d's tasks and calls are written, then the disk is full
            raise OSError(28, "No space left on device")
        return real(table, where, **kwargs)

    real = pq.write_table
    monkeypatch.setattr(pq, "write_table", write_table)
    with pytest.raises(OSError, match="No space left"):
        an.sync_space(SPACE, root=root, client=client)
    monkeypatch.undo()

    assert set(entries(root)) == {a, b, c}  # d's old copy was dropped, its new one not listed
    assert_same_run(open_dataset(root).load(), space.tasks(a, b, c))
    result = an.sync_space(SPACE, root=root, client=client)
    assert (result.skipped, result.fetched) == ([a, b, c], [d])
    assert entries(root)[d].complete
    assert_same_run(open_dataset(root).load(), space.tasks())


# --- 6. killed mid-way, then resumed ----------------------------------------------------------

SCRIPT = """
import sys
import analytics as an
client = an.UnpodClient(base_url=sys.argv[1], page_size=5, max_retries=0, progress=False)
an.sync_space("S", root=sys.argv[2], client=client)
"""


def _killed_sync(base_url: str, root: Path, stalled, how: int) -> int:
    """Run a sync in another process; send it ``how`` once it waits for ``stalled``'s tasks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNPOD_")}
    env["UNPOD_API_TOKEN"] = TOKEN
    args = [sys.executable, "-c", SCRIPT, base_url, str(root)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ends = time.monotonic() + 60
        while not stalled() and proc.poll() is None and time.monotonic() < ends:
            time.sleep(0.02)
        assert proc.poll() is None, proc.communicate()[1].decode()
        proc.send_signal(how)
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_sync_leaves_a_consistent_dataset_and_resumes(
    space, client, root, unpod_server, how
):
    a, b, c, d = space.ids
    space.runs[c].delay = 30.0  # the server stops at teardown, which ends the wait

    code = _killed_sync(unpod_server.base_url, root, lambda: space.page_reads(c), how)

    assert code == -how
    stored = entries(root)
    assert set(stored) == {a, b}  # the runs before c, each whole; c and d not at all
    for rid in (a, b):
        assert all(path.is_file() for path in table_files(root, rid))
        assert_same_run(open_dataset(root).load(runs=rid), space.tasks(rid))
    assert not any(path.exists() for rid in (c, d) for path in table_files(root, rid))
    assert_same_run(open_dataset(root).load(), space.tasks(a, b))

    space.runs[c].delay = 0.0
    result = an.sync_space(SPACE, root=root, client=client)
    assert (result.skipped, result.fetched) == ([a, b], [c, d])
    assert_same_run(open_dataset(root).load(), space.tasks())


# --- 7. a dataset reads back as load_run of its snapshots -------------------------------------


def test_dataset_equals_load_run_of_its_snapshots(space, client, root):
    space.runs[space.ids[3]].finish()
    an.sync_space(SPACE, root=root, client=client)
    snapshots = sorted((root / "raw" / SPACE).glob("*.json"))
    assert [p.stem for p in snapshots] == sorted(space.ids)
    data = open_dataset(root)
    assert_same_run(data.load(), load_run(snapshots))
    for path in snapshots:
        assert_same_run(data.load(runs=path.stem), load_run(path))
    assert data.load().tasks["space"].unique().tolist() == [SPACE]
