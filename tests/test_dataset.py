"""The Parquet dataset store: write_dataset / writing / is_complete, open_dataset / Dataset.load.

The docstrings of :mod:`analytics.io.dataset` and :mod:`analytics.load.dataset` are the spec:
dtypes survive the round trip, a dataset loads as ``load_run`` of the same snapshots, the
manifest describes its runs, filters are pushed down to the files, a write is atomic and a
writer holds a lock.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
import threading
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import analytics
from analytics.datasets import make_run
from analytics.errors import SchemaError
from analytics.io import dataset as dataset_io
from analytics.io.dataset import is_complete, write_dataset, writing
from analytics.load import load_run
from analytics.load.dataset import (
    FORMAT,
    MANIFEST_NAME,
    is_dataset,
    open_dataset,
    read_manifest,
    table_path,
    tables_locked,
)
from analytics.schema import DATASET_SCHEMA_VERSION, MANIFEST_SCHEMA, TABLE_SCHEMAS

TABLES = tuple(TABLE_SCHEMAS)
ROW_KEYS = {
    "tasks": ["task_id"],
    "calls": ["task_id"],
    "turns": ["task_id", "turn"],
    "problems": ["task_id", "field", "problem"],
}


# --- helpers ----------------------------------------------------------------------------------


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _task(
    task_id: str,
    run_id: str | None,
    *,
    assignee: str = "aria",
    created: str = "2026-02-28T00:00:00Z",
    status: str = "completed",
    start: str | None = None,
    call: bool = True,
    **output: object,
) -> dict:
    """One task of the platform's shape; with ``call`` its output holds a two-turn call."""
    task: dict = {"task_id": task_id, "assignee": assignee, "status": status, "created": created}
    if run_id is not None:
        task["run_id"] = run_id
    if call:
        out: dict = {
            "call_id": f"C-{task_id}",
            "call_status": "completed",
            "transcript": [
                {"role": "assistant", "content": "hello there"},
                {"role": "user", "content": "hi"},
            ],
        }
        if start is not None:
            out["start_time"] = start
        task["output"] = {**out, **output}
    else:
        task["output"] = {}
    return task


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows by their key, then by every other column (rows of task_id NA tie on the key)."""
    order = [*ROW_KEYS[table], *(c for c in frame.columns if c not in ROW_KEYS[table])]
    return frame.sort_values(order, na_position="first").reset_index(drop=True)


def _assert_same_tables(stored, loaded) -> None:
    """``stored`` (from a dataset) equals ``loaded`` (from load_run) up to row order, once the
    dataset's own ``space`` (and ``run_id`` where the table has none) are dropped."""
    for table in TABLES:
        mine = getattr(loaded, table)
        theirs = getattr(stored, table)
        extra = ["space", *(["run_id"] if "run_id" not in mine.columns else [])]
        theirs = theirs.drop(columns=extra)
        assert sorted(theirs.columns) == sorted(mine.columns), table
        pd.testing.assert_frame_equal(
            _sorted(theirs[list(mine.columns)], table), _sorted(mine, table), obj=table
        )


def _tmp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


# --- a small literal dataset with known times, for the filters ---------------------------------
#
# space S1, run RA: A1 aria, call at 03-01 10:00 (inside the window of the time tests)
#                   A2 bolt, call at 03-05 10:00, duration "abc" (a problem of A2)
#                   A3 aria, a call with no start time, created 03-01 09:00
#                   A4 bolt, no call, created 03-01 08:00; A5 bolt, no call, created 02-01
#                   and an item that is not a task: a problem of no task (task_id NA), RA's
# space S1, run RB: B1 cleo, call at 03-02 12:00; B2 aria, call at 03-02 23:30
# space S2, run RC: C1 aria, call at 03-03 09:00
# Called tasks were created 02-28.

S1_PAYLOAD = [
    _task("A1", "RA", start="2026-03-01T10:00:00Z"),
    _task("A2", "RA", assignee="bolt", start="2026-03-05T10:00:00Z", duration="abc"),
    _task("A3", "RA", created="2026-03-01T09:00:00Z"),
    _task("A4", "RA", assignee="bolt", status="pending", call=False, created="2026-03-01T08:00Z"),
    _task("A5", "RA", assignee="bolt", status="pending", call=False, created="2026-02-01T08:00Z"),
    7,
    _task("B1", "RB", assignee="cleo", start="2026-03-02T12:00:00Z"),
    _task("B2", "RB", start="2026-03-02T23:30:00Z"),
]
S2_PAYLOAD = [_task("C1", "RC", start="2026-03-03T09:00:00Z")]


def _write_small(root: Path) -> Path:
    write_dataset(S1_PAYLOAD, root, space="S1")
    write_dataset(S2_PAYLOAD, root, space="S2")
    return root


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """The small dataset above (read only: tests that damage it copy it first)."""
    return _write_small(tmp_path_factory.mktemp("small"))


@pytest.fixture
def small_copy(small, tmp_path) -> Path:
    return Path(shutil.copytree(small, tmp_path / "copy"))


def _ids(frame: pd.DataFrame) -> list:
    return sorted(frame["task_id"].dropna().unique())


# --- 1. dtypes survive the round trip ----------------------------------------------------------


def test_dtypes_round_trip_messy_run(tmp_path):
    payload = make_run(200, random_state=1, messy=True)
    write_dataset(payload, tmp_path, space="S1")
    stored, loaded = open_dataset(tmp_path).load(), load_run(payload)
    for table in TABLES:
        theirs, mine = getattr(stored, table), getattr(loaded, table)
        assert {c: theirs[c].dtype for c in mine.columns} == dict(mine.dtypes), table
        assert theirs["space"].dtype == "str"
        assert theirs["run_id"].dtype == "str"
    _assert_same_tables(stored, loaded)


def test_dtypes_round_trip_empty_run(tmp_path):
    rows = write_dataset(make_run(0), tmp_path, space="S1", run_id="R0")
    assert rows[["run_id", "tasks", "calls", "turns", "problems"]].values.tolist() == [
        ["R0", 0, 0, 0, 0]
    ]
    stored, loaded = open_dataset(tmp_path).load(), load_run(make_run(0))
    for table in TABLES:
        theirs, mine = getattr(stored, table), getattr(loaded, table)
        assert len(theirs) == 0
        assert {c: theirs[c].dtype for c in mine.columns} == dict(mine.dtypes), table
        assert (theirs["space"].dtype, theirs["run_id"].dtype) == ("str", "str")
        assert set(theirs.columns) == {*mine.columns, "space", "run_id"}


def test_dtypes_round_trip_with_problem_rows(tmp_path):
    payload = [
        _task("T1", "RP", start="2026-03-01T10:00:00Z", duration="abc"),
        {**_task("T2", "RP", call=False), "assignee": ["not", "text"]},
    ]
    loaded = load_run(payload)
    assert sorted(zip(loaded.problems["task_id"], loaded.problems["field"])) == [
        ("T1", "duration"),
        ("T2", "assignee"),
    ]
    rows = write_dataset(payload, tmp_path, space="S1")
    assert rows.loc[0, "problems"] == 2
    stored = open_dataset(tmp_path).load()
    for table in TABLES:
        theirs, mine = getattr(stored, table), getattr(loaded, table)
        assert {c: theirs[c].dtype for c in mine.columns} == dict(mine.dtypes), table
    _assert_same_tables(stored, loaded)
    assert stored.calls["duration_s"].isna().all()
    assert pd.isna(stored.tasks.set_index("task_id").loc["T2", "assignee"])


def test_files_hold_space_and_run_id_where_documented(tmp_path):
    write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    for table in TABLES:
        path = table_path(tmp_path, table, "S2", "RC")
        assert path == tmp_path / "tables" / table / "space=S2" / "run=RC" / "part-0.parquet"
        names = pq.read_schema(path).names
        assert {"space", "run_id"} <= set(names)
        assert set(TABLE_SCHEMAS[table]) <= set(names)
    read = pq.read_table(table_path(tmp_path, "turns", "S2", "RC")).to_pandas()
    assert set(read["space"]) == {"S2"}
    assert set(read["run_id"]) == {"RC"}


# --- 2. a dataset loads as load_run of the same snapshots ---------------------------------------


def test_load_equals_load_run_of_the_same_payloads(tmp_path):
    payloads = [make_run(60, random_state=k, messy=True) for k in (3, 4, 5)]
    for payload in payloads:
        write_dataset(payload, tmp_path, space="S1")
    loaded = load_run(payloads)
    data = open_dataset(tmp_path)
    assert len(data.runs) == 3
    _assert_same_tables(data.load(), loaded)
    _assert_same_tables(analytics.load_run(tmp_path), loaded)
    _assert_same_tables(analytics.load_run(str(tmp_path)), loaded)


def test_load_equals_load_run_across_spaces(small):
    payload = [*S1_PAYLOAD, *S2_PAYLOAD]
    stored = open_dataset(small).load()
    _assert_same_tables(stored, load_run(payload))
    assert stored.tasks.groupby("space")["task_id"].apply(sorted).to_dict() == {
        "S1": ["A1", "A2", "A3", "A4", "A5", "B1", "B2"],
        "S2": ["C1"],
    }


@pytest.mark.parametrize("as_text", [False, True])
def test_write_dataset_of_a_snapshot_path_records_its_hash(tmp_path, as_text):
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(json.dumps({"data": S2_PAYLOAD}))
    rows = write_dataset(str(snapshot) if as_text else snapshot, tmp_path / "root", space="S2")
    assert rows.loc[0, "content_hash"] == hashlib.sha256(snapshot.read_bytes()).hexdigest()
    _assert_same_tables(open_dataset(tmp_path / "root").load(), load_run(S2_PAYLOAD))


def test_input_columns_of_some_runs_read_back_as_na_for_the_others(tmp_path):
    with_input = {**_task("A1", "RA", start="2026-03-01T10:00:00Z"), "input": {"city": "Pune"}}
    write_dataset([with_input], tmp_path, space="S1")
    write_dataset(S2_PAYLOAD, tmp_path, space="S1")
    stored = open_dataset(tmp_path).load()
    assert stored.tasks[["task_id", "input_city"]].fillna("NA").values.tolist() == [
        ["A1", "Pune"],
        ["C1", "NA"],
    ]
    assert stored.tasks["input_city"].dtype == "str"
    assert list(stored.tasks.columns)[-2:] == ["input_city", "space"]
    _assert_same_tables(stored, load_run([with_input, *S2_PAYLOAD]))
    chosen = open_dataset(tmp_path).load(columns=["input_city"])
    assert list(chosen.tasks.columns) == ["task_id", "run_id", "input_city", "space"]
    assert chosen.tasks["input_city"].isna().tolist() == [False, True]


def test_a_loaded_run_stored_under_another_space(small, tmp_path):
    rows = write_dataset(open_dataset(small).load(spaces="S1"), tmp_path, space="S9")
    assert rows[["space", "run_id", *TABLES]].values.tolist() == [
        ["S9", "RA", 5, 3, 6, 2],
        ["S9", "RB", 2, 2, 4, 0],
    ]
    assert rows["content_hash"].str.fullmatch(r"[0-9a-f]{64}").all()
    stored = open_dataset(tmp_path).load()
    assert set(stored.turns["space"]) == {"S9"}
    _assert_same_tables(stored, load_run(S1_PAYLOAD))


# --- 3. the manifest ------------------------------------------------------------------------


def test_manifest_entry_describes_the_run(tmp_path):
    payload = make_run(80, random_state=6, messy=True)
    loaded = load_run(payload)
    rows = write_dataset(payload, tmp_path, space="S1")
    runs = open_dataset(tmp_path).runs
    pd.testing.assert_frame_equal(rows, runs)
    assert len(runs) == 1
    entry = runs.iloc[0]
    assert entry["space"] == "S1"
    assert entry["run_id"] == loaded.tasks["run_id"].iloc[0]
    assert [entry[t] for t in TABLES] == [len(getattr(loaded, t)) for t in TABLES]
    assert entry["first_call_start"] == loaded.calls["start_time"].min()
    assert entry["last_call_start"] == loaded.calls["start_time"].max()
    assert entry["first_task_created"] == loaded.tasks["created"].min()
    assert entry["last_task_created"] == loaded.tasks["created"].max()
    assert entry["complete"] == is_complete(loaded)
    assert entry["source"] == "import"
    assert entry["schema_version"] == DATASET_SCHEMA_VERSION
    assert pd.isna(entry["run_name"])
    assert pd.isna(entry["run_status"])
    assert pd.isna(entry["created"])
    assert pd.isna(entry["server_tasks"])


def test_manifest_runs_have_the_schema_dtypes(small, tmp_path):
    runs = open_dataset(small).runs
    assert dict(runs.dtypes) == {
        c: pd.api.types.pandas_dtype(t) for c, t in MANIFEST_SCHEMA.items()
    }
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"format": FORMAT, "schema_version": 1}))
    empty = open_dataset(tmp_path).runs
    assert len(empty) == 0
    assert dict(empty.dtypes) == dict(runs.dtypes)


def test_manifest_runs_are_ordered_by_space_then_first_call(small):
    runs = open_dataset(small).runs
    assert runs[["space", "run_id"]].values.tolist() == [["S1", "RA"], ["S1", "RB"], ["S2", "RC"]]
    ra = runs.set_index("run_id").loc["RA"]
    assert ra["first_call_start"] == _utc("2026-03-01T10:00")
    assert ra["last_call_start"] == _utc("2026-03-05T10:00")
    assert ra["first_task_created"] == _utc("2026-02-01T08:00")
    assert ra["last_task_created"] == _utc("2026-03-01T09:00")
    assert [ra[t] for t in TABLES] == [5, 3, 6, 2]
    assert not ra["complete"]  # A4 and A5 are pending
    assert bool(runs.set_index("run_id").loc["RB", "complete"])


def test_writing_a_run_again_replaces_it(tmp_path):
    payload = make_run(40, random_state=8)
    first = write_dataset(payload, tmp_path, space="S1")
    again = write_dataset(payload, tmp_path, space="S1")
    runs = open_dataset(tmp_path).runs
    assert len(runs) == 1
    assert again.loc[0, "synced_at"] >= first.loc[0, "synced_at"]
    assert again.loc[0, "tasks"] == first.loc[0, "tasks"] == 40
    assert len(open_dataset(tmp_path).load().tasks) == 40
    fewer = {**payload, "data": payload["data"][:10]}
    write_dataset(fewer, tmp_path, space="S1")
    assert open_dataset(tmp_path).runs["tasks"].tolist() == [10]
    assert _ids(open_dataset(tmp_path).load().tasks) == sorted(t["task_id"] for t in fewer["data"])


def test_the_same_run_id_in_two_spaces_is_two_runs(tmp_path):
    write_dataset(S2_PAYLOAD, tmp_path, space="S1")
    write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    data = open_dataset(tmp_path)
    assert data.runs[["space", "run_id"]].values.tolist() == [["S1", "RC"], ["S2", "RC"]]
    assert data.load(runs="RC").tasks["space"].tolist() == ["S1", "S2"]
    assert data.load(spaces="S2").tasks["space"].tolist() == ["S2"]


def test_two_run_ids_in_one_source_make_two_entries(tmp_path):
    rows = write_dataset(S1_PAYLOAD, tmp_path, space="S1")
    assert sorted(rows["run_id"]) == ["RA", "RB"]
    counts = rows.set_index("run_id")[list(TABLES)]
    # RA: A1-A5 (A1, A2, A3 called), A2's bad duration and the item that is not a task
    assert counts.loc["RA"].tolist() == [5, 3, 6, 2]
    assert counts.loc["RB"].tolist() == [2, 2, 4, 0]
    stored = open_dataset(tmp_path).load()
    for table in ("tasks", "calls", "turns"):
        frame = getattr(stored, table)
        assert frame.groupby("run_id")["task_id"].apply(lambda s: set(s.str[0])).to_dict() == {
            "RA": {"A"},
            "RB": {"B"},
        }, table


def test_task_without_run_id_needs_run_id(tmp_path):
    payload = [_task("T1", None, start="2026-03-01T10:00:00Z")]
    with pytest.raises(ValueError, match=r"task 'T1' has no run_id: pass run_id="):
        write_dataset(payload, tmp_path, space="S1")
    assert not (tmp_path / MANIFEST_NAME).exists()
    rows = write_dataset(payload, tmp_path, space="S1", run_id="X")
    assert rows[["run_id", "tasks", "problems"]].values.tolist() == [["X", 1, 0]]


def test_run_id_given_stores_every_task_under_it(tmp_path):
    payload = [
        _task("T1", "OTHER", start="2026-03-01T10:00:00Z"),
        _task("T2", "X", start="2026-03-01T11:00:00Z"),
        _task("T3", None, call=False),
    ]
    rows = write_dataset(payload, tmp_path, space="S1", run_id="X")
    assert rows[["run_id", "tasks", "calls", "problems"]].values.tolist() == [["X", 3, 2, 1]]
    stored = open_dataset(tmp_path).load()
    for table in TABLES:
        assert set(getattr(stored, table)["run_id"]) <= {"X"}, table
    assert stored.tasks["run_id"].tolist() == ["X", "X", "X"]
    problem = stored.problems.iloc[0]
    assert (problem["task_id"], problem["field"]) == ("T1", "run_id")
    assert problem["problem"] == "run_id 'OTHER' differs from the run stored, 'X'"


@pytest.mark.parametrize(
    ("space", "run_id", "match"),
    [
        ("a/b", "R1", r"space='a/b' is not an id"),
        ("S1", "..", r"run_id='\.\.' is not an id"),
        ("S1", "", r"run_id='' is not an id"),
    ],
)
def test_ids_that_cannot_name_a_folder_raise(tmp_path, space, run_id, match):
    with pytest.raises(ValueError, match=match):
        write_dataset(S2_PAYLOAD, tmp_path, space=space, run_id=run_id)
    assert not (tmp_path / "tables").exists()


def test_run_id_in_the_payload_that_cannot_name_a_folder_raises(tmp_path):
    with pytest.raises(ValueError, match=r"run_id='\.\./up' is not an id"):
        write_dataset([_task("T1", "../up")], tmp_path, space="S1")
    assert not (tmp_path / "tables").exists()


def test_write_dataset_of_an_empty_run_without_run_id(tmp_path):
    rows = write_dataset(make_run(0), tmp_path, space="S1")
    assert len(rows) == 0
    assert list(rows.columns) == list(MANIFEST_SCHEMA)


def test_tasks_without_task_id_stay_in_their_own_run(tmp_path):
    payload = [
        _task("A1", "RA", start="2026-03-01T10:00:00Z"),
        {**_task("xa", "RA", start="2026-03-01T11:00:00Z"), "task_id": None},
        _task("B1", "RB", start="2026-03-01T12:00:00Z"),
        {**_task("xb", "RB", start="2026-03-01T13:00:00Z"), "task_id": None},
    ]
    loaded = load_run(payload)
    assert (len(loaded.tasks), len(loaded.calls), len(loaded.problems)) == (4, 4, 2)
    rows = write_dataset(payload, tmp_path, space="S1")
    assert rows[["tasks", "calls", "turns"]].values.tolist() == [[2, 2, 4], [2, 2, 4]]
    stored = open_dataset(tmp_path).load()
    assert sorted(zip(stored.calls["call_id"], stored.calls["run_id"])) == [
        ("C-A1", "RA"),
        ("C-B1", "RB"),
        ("C-xa", "RA"),
        ("C-xb", "RB"),
    ]
    _assert_same_tables(stored, loaded)


# --- DatasetWriter ----------------------------------------------------------------------------


def test_writer_write_entry_and_touch(tmp_path):
    run = load_run(S2_PAYLOAD)
    with writing(tmp_path) as writer:
        assert writer.entry("S2", "RC") is None
        entry = writer.write(
            run,
            space="S2",
            run_id="RC",
            info={"status": "pending", "name": "March leads", "created": "2026-03-03T08:00:00"},
            server_tasks=1,
        )
        assert writer.entry("S2", "RC") is entry
        touched = writer.touch(entry, server_tasks=2)
    assert (entry.run_status, entry.run_name, entry.source) == ("pending", "March leads", "sync")
    assert entry.created == datetime(2026, 3, 3, 8, tzinfo=UTC)
    assert entry.complete is False  # the run itself is still pending
    assert touched.synced_at >= entry.synced_at
    assert touched.server_tasks == 2
    runs = open_dataset(tmp_path).runs
    assert runs[["run_name", "run_status", "server_tasks", "complete"]].values.tolist() == [
        ["March leads", "pending", 2, False]
    ]
    assert read_manifest(tmp_path).runs[0].synced_at == touched.synced_at


# --- 4. filters ----------------------------------------------------------------------------------


def test_filter_spaces(small):
    data = open_dataset(small)
    assert _ids(data.load(spaces="S2").tasks) == ["C1"]
    assert _ids(data.load(spaces=["S1"]).tasks) == ["A1", "A2", "A3", "A4", "A5", "B1", "B2"]
    assert _ids(data.load(spaces=["S1", "S2"]).turns) == ["A1", "A2", "A3", "B1", "B2", "C1"]


def test_filter_runs_as_text_and_list(small):
    data = open_dataset(small)
    one = data.load(runs="RB")
    assert _ids(one.tasks) == ["B1", "B2"]
    assert _ids(one.calls) == ["B1", "B2"]
    assert set(one.turns["run_id"]) == {"RB"}
    assert len(one.problems) == 0
    two = data.load(runs=["RB", "RC"])
    assert _ids(two.tasks) == ["B1", "B2", "C1"]
    assert _ids(data.load(spaces="S1", runs="RA").tasks) == ["A1", "A2", "A3", "A4", "A5"]
    assert len(data.load(runs=[]).tasks) == 0


def test_filter_time_window(small):
    run = open_dataset(small).load(since="2026-03-01", until="2026-03-02T00:00:00Z")
    # A1: its call started inside (created before); A4: no call, created inside;
    # A2: its call started after; A3: its call has no start time (as an unanswered dial has
    # none), so it counts at its task's created time, inside
    assert _ids(run.tasks) == ["A1", "A3", "A4"]
    assert _ids(run.calls) == ["A1", "A3"]
    assert _ids(run.turns) == ["A1", "A3"]
    assert run.turns[["turn", "speaker"]].values.tolist() == [[0, "agent"], [1, "user"]] * 2
    # A2's problem goes with A2; the problem of no task stays with its run RA
    assert run.problems["field"].tolist() == ["task"]
    assert run.problems["task_id"].isna().all()
    assert run.problems["run_id"].tolist() == ["RA"]


def test_filter_time_bounds_are_since_inclusive_until_exclusive(small):
    data = open_dataset(small)
    # B1 starts at 12:00Z = 17:00+05:00 (at since: in); B2 at 23:30Z (at until: out)
    run = data.load(since="2026-03-02T17:00:00+05:00", until="2026-03-02T23:30:00")
    assert _ids(run.tasks) == ["B1"]
    naive = data.load(since=datetime(2026, 3, 2, 12), until=pd.Timestamp("2026-03-02T23:30:01Z"))
    assert _ids(naive.tasks) == ["B1", "B2"]


@pytest.mark.parametrize("until", ["2026-03-02", " 2026-03-02 ", date(2026, 3, 2)])
def test_until_as_a_date_covers_the_whole_day(small, until):
    run = open_dataset(small).load(since="2026-03-02", until=until)
    assert _ids(run.tasks) == ["B1", "B2"]  # B2 starts at 23:30 that day


def test_until_as_midnight_does_not_cover_the_day(small):
    data = open_dataset(small)
    for until in (datetime(2026, 3, 2), "2026-03-02T00:00:00", pd.Timestamp("2026-03-02")):
        assert _ids(data.load(since="2026-03-01", until=until).tasks) == ["A1", "A3", "A4"], until


@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds:UserWarning")
def test_until_alone(small):
    run = open_dataset(small).load(until="2026-03-01T12:00:00Z")
    assert _ids(run.tasks) == ["A1", "A3", "A4", "A5"]


def test_since_alone(small):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # see test_since_alone_warns_nothing
        run = open_dataset(small).load(since="2026-03-03")
    assert _ids(run.tasks) == ["A2", "C1"]


def test_since_alone_warns_nothing(small):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        open_dataset(small).load(since="2026-03-03")


@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds:UserWarning")
def test_time_outside_the_nanosecond_range(small):
    run = open_dataset(small).load(since="1500-01-01", until="2026-03-01T12:00:00Z")
    assert _ids(run.tasks) == ["A1", "A3", "A4", "A5"]


def test_filter_assignees(small):
    data = open_dataset(small)
    aria = data.load(assignees="aria")
    assert _ids(aria.tasks) == ["A1", "A3", "B2", "C1"]
    assert _ids(aria.calls) == ["A1", "A3", "B2", "C1"]
    assert _ids(aria.turns) == ["A1", "A3", "B2", "C1"]
    assert aria.problems["task_id"].isna().all()  # A2's problem is bolt's
    assert aria.problems["run_id"].tolist() == ["RA"]
    both = data.load(assignees=["aria", "cleo"], spaces="S1")
    assert _ids(both.tasks) == ["A1", "A3", "B1", "B2"]
    bolt = data.load(assignees="bolt", since="2026-03-01", until="2026-03-06")
    assert _ids(bolt.tasks) == ["A2", "A4"]
    problems = bolt.problems.fillna({"task_id": "-"})
    assert sorted(zip(problems["task_id"], problems["field"])) == [
        ("-", "task"),
        ("A2", "duration"),
    ]
    assert len(data.load(assignees="nobody").tasks) == 0


def test_problem_without_task_stays_with_its_run(small):
    data = open_dataset(small)
    cleo = data.load(assignees="cleo")  # only B1, of RB: RA is still chosen
    assert _ids(cleo.tasks) == ["B1"]
    assert cleo.problems[["field", "run_id"]].values.tolist() == [["task", "RA"]]
    assert cleo.problems["task_id"].isna().all()
    assert len(data.load(runs="RB").problems) == 0
    ra = data.load(runs="RA")
    assert sorted(ra.problems["field"]) == ["duration", "task"]


def test_columns_as_a_list(small):
    run = open_dataset(small).load(columns=["outcome", "text"])
    assert list(run.tasks.columns) == ["task_id", "run_id", "space"]
    assert list(run.calls.columns) == ["task_id", "run_id", "outcome", "space"]
    assert list(run.turns.columns) == ["task_id", "turn", "text", "space", "run_id"]
    assert len(run.tasks) == 8
    assert len(run.turns) == 12
    assert run.turns["text"].dtype == "str"
    assert run.turns["turn"].dtype == "Int64"
    one = open_dataset(small).load(columns="assignee")
    assert list(one.tasks.columns) == ["task_id", "run_id", "assignee", "space"]


def test_columns_keep_the_problems_task_id(small):
    run = open_dataset(small).load(columns=["outcome"])
    assert list(run.problems.columns) == ["task_id", "space", "run_id"]


def test_columns_as_a_dict(small):
    run = open_dataset(small).load(columns={"calls": ["outcome"], "turns": "speaker"})
    assert list(run.calls.columns) == ["task_id", "run_id", "outcome", "space"]
    assert list(run.turns.columns) == ["task_id", "turn", "speaker", "space", "run_id"]
    # tables the dict does not name come whole
    assert list(run.tasks.columns)[: len(TABLE_SCHEMAS["tasks"])] == list(TABLE_SCHEMAS["tasks"])
    assert list(run.problems.columns) == [*TABLE_SCHEMAS["problems"], "space", "run_id"]


def test_columns_with_filters(small):
    run = open_dataset(small).load(
        assignees="aria", since="2026-03-02", until="2026-03-04", columns=["call_id"]
    )
    assert _ids(run.tasks) == ["B2", "C1"]
    assert run.calls[["task_id", "call_id"]].values.tolist() == [["B2", "C-B2"], ["C1", "C-C1"]]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"runs": [], "columns": ["outcome"]},
        {"since": "2030-01-01", "until": "2030-02-01", "columns": ["outcome"]},
        {"runs": [], "columns": ["input_context"]},
    ],
)
def test_columns_when_no_run_is_chosen(small, kwargs):
    run = open_dataset(small).load(**kwargs)
    assert len(run.tasks) == len(run.calls) == 0
    assert "task_id" in run.calls.columns


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"spaces": "S9"}, r"space 'S9' is not in the dataset at .*; its spaces: S1, S2"),
        ({"spaces": ["S1", "S9"]}, r"space 'S9' is not in the dataset.*its spaces: S1, S2"),
        ({"runs": "R9"}, r"run 'R9' is not in the dataset at .*; its runs: RA, RB, RC"),
        ({"spaces": "S2", "runs": "RA"}, r"run 'RA' is not in the dataset.*its runs: RC\W*$"),
    ],
)
def test_unknown_space_or_run_raises_key_error(small, kwargs, match):
    with pytest.raises(KeyError, match=match):
        open_dataset(small).load(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"columns": ["nope"]}, r"no table tasks/calls/turns/problems has a column 'nope'"),
        ({"columns": {"tasks": ["outcome"]}}, r"no table tasks has a column 'outcome'"),
        ({"columns": {"nope": ["task_id"]}}, r"columns names table 'nope'; the tables are"),
        ({"since": "not a time"}, r"since 'not a time' is not a time: give ISO text"),
        ({"since": "2026-03-01", "until": ""}, r"until '' is not a time"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, r"until '2026-03-01' is not after since"),
        ({"since": "2026-03-02T10:00", "until": "2026-03-02T10:00"}, r"is not after since"),
        ({"runs": ["RA", 3]}, r"runs must be text \(ids or names\), got 3"),
        ({"assignees": [None]}, r"assignees must be text \(ids or names\), got None"),
    ],
)
def test_bad_arguments_raise_value_error(small, kwargs, match):
    with pytest.raises(ValueError, match=match):
        open_dataset(small).load(**kwargs)


# --- 5. filters are pushed down to the files ------------------------------------------------------


def _delete_run_files(root: Path, space: str, run_id: str) -> None:
    for table in TABLES:
        table_path(root, table, space, run_id).unlink()


def _corrupt_run_files(root: Path, space: str, run_id: str) -> None:
    for table in TABLES:
        table_path(root, table, space, run_id).write_bytes(b"not parquet at all")


@pytest.mark.parametrize("damage", [_delete_run_files, _corrupt_run_files])
def test_loading_one_run_opens_only_its_files(small_copy, damage):
    damage(small_copy, "S1", "RA")
    data = open_dataset(small_copy)
    assert _ids(data.load(runs="RB").tasks) == ["B1", "B2"]
    assert _ids(data.load(runs=["RB", "RC"], assignees="aria").tasks) == ["B2", "C1"]
    assert _ids(data.load(spaces="S2", columns=["outcome"]).calls) == ["C1"]
    with pytest.raises(SchemaError, match=r"lists run 'RA' of space 'S1', but its tasks file "):
        data.load()
    with pytest.raises(SchemaError, match=r"sync that run again \(sync --run RA --refresh\)"):
        data.load(spaces="S1")


def test_a_time_window_skips_runs_by_the_manifest(small_copy):
    # RB's calls and tasks all fall before 03-03: the window never opens its files
    _corrupt_run_files(small_copy, "S1", "RB")
    run = open_dataset(small_copy).load(since="2026-03-03", until="2026-03-06")
    assert _ids(run.tasks) == ["A2", "C1"]
    with pytest.raises(SchemaError, match=r"lists run 'RB' of space 'S1', but its tasks file"):
        open_dataset(small_copy).load(since="2026-03-02", until="2026-03-06")


def test_one_missing_table_is_named(small_copy):
    table_path(small_copy, "turns", "S2", "RC").unlink()
    data = open_dataset(small_copy)
    assert _ids(data.load(spaces="S1").turns) == ["A1", "A2", "A3", "B1", "B2"]
    with pytest.raises(SchemaError, match=r"lists run 'RC' of space 'S2', but its turns file"):
        data.load(runs="RC")


# --- 6. what is not a dataset ----------------------------------------------------------------


def _nothing(path: Path) -> Path:
    return path / "missing"


def _a_file(path: Path) -> Path:
    (path / "file.json").write_text("{}")
    return path / "file.json"


def _empty_folder(path: Path) -> Path:
    (path / "empty").mkdir()
    return path / "empty"


def _other_files(path: Path) -> Path:
    folder = path / "other"
    folder.mkdir()
    for name in ("a.csv", "b.json", "c.txt"):
        (folder / name).write_text("x")
    return folder


@pytest.mark.parametrize(
    ("make", "found"),
    [
        (_nothing, "nothing is there"),
        (_a_file, "it is a file"),
        (_empty_folder, "it is an empty folder"),
        (_other_files, "it holds a.csv, b.json, c.txt"),
    ],
)
def test_open_dataset_of_what_is_not_a_dataset(tmp_path, make, found):
    path = make(tmp_path)
    with pytest.raises(SchemaError, match=rf"is not a dataset: {found}, and no manifest\.json"):
        open_dataset(path)
    assert not is_dataset(path)


def test_not_a_dataset_lists_at_most_five_names(tmp_path):
    for k in range(7):
        (tmp_path / f"f{k}.txt").write_text("x")
    with pytest.raises(
        SchemaError, match=r"it holds f0.txt, f1.txt, f2.txt, f3.txt, f4.txt, \.\.\."
    ):
        open_dataset(tmp_path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            json.dumps({"format": "something else", "schema_version": 1, "runs": []}),
            r"has format 'something else', not 'unpod-analytics dataset'",
        ),
        (
            json.dumps({"format": FORMAT, "schema_version": DATASET_SCHEMA_VERSION + 1}),
            rf"table schema version {DATASET_SCHEMA_VERSION + 1}, newer than .*: upgrade it",
        ),
        ('{"format": "unpod-analytics dataset", "runs": [', r"is not a dataset manifest \("),
        ("[1, 2]", r"is not a dataset manifest \("),
        (
            json.dumps({"format": FORMAT, "runs": [{"space": "S1"}]}),
            r"is not a dataset manifest \(",
        ),
    ],
)
def test_a_manifest_this_library_cannot_read(tmp_path, text, match):
    (tmp_path / MANIFEST_NAME).write_text(text)
    assert is_dataset(tmp_path)
    with pytest.raises(SchemaError, match=match):
        open_dataset(tmp_path)
    with pytest.raises(SchemaError, match=match):
        load_run(tmp_path)
    with pytest.raises(SchemaError, match=match):  # a writer will not overwrite it either
        write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    assert (tmp_path / MANIFEST_NAME).read_text() == text


def test_a_foreign_manifest_without_format_is_not_a_dataset(tmp_path):
    text = json.dumps({"name": "my-web-app", "version": "1.0.0"})
    (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(SchemaError, match=r"manifest"):
        open_dataset(tmp_path)
    with pytest.raises(SchemaError, match=r"manifest"):
        write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    assert (tmp_path / MANIFEST_NAME).read_text() == text


def test_is_dataset(small, tmp_path):
    assert is_dataset(small)
    assert is_dataset(str(small))
    assert not is_dataset(tmp_path)
    assert not is_dataset(f"{small}\n")
    assert not is_dataset(123)
    assert not is_dataset({"data": []})


# --- 7. a write is atomic ------------------------------------------------------------------------


def _fail_on_call(monkeypatch, number: int) -> list[int]:
    """Make the ``number``-th Parquet write from now raise OSError; returns the call counter."""
    calls: list[int] = []
    real = dataset_io.pq.write_table

    def write_table(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(dataset_io.pq, "write_table", write_table)
    return calls


def test_a_failed_replacement_leaves_the_run_out_whole(small_copy, monkeypatch):
    before = open_dataset(small_copy).load()
    replacement = [_task("C1", "RC", start="2026-03-03T09:00:00Z"), _task("C2", "RC")]
    calls = _fail_on_call(monkeypatch, 3)  # tasks, calls written; turns fails
    with pytest.raises(OSError, match="No space left on device"):
        write_dataset(replacement, small_copy, space="S2")
    assert len(calls) == 3
    monkeypatch.undo()
    data = open_dataset(small_copy)
    assert data.runs["run_id"].tolist() == ["RA", "RB"]
    with pytest.raises(KeyError, match=r"space 'S2' is not in the dataset"):
        data.load(spaces="S2")
    after = data.load()
    assert _ids(after.tasks) == [i for i in _ids(before.tasks) if i != "C1"]
    assert "RC" not in set(after.calls["run_id"])
    assert _tmp_files(small_copy) == []
    rows = write_dataset(replacement, small_copy, space="S2")
    assert rows[list(TABLES)].values.tolist() == [[2, 2, 4, 0]]
    assert _ids(open_dataset(small_copy).load(spaces="S2").tasks) == ["C1", "C2"]


def test_a_failed_new_run_leaves_the_manifest_without_it(small_copy, monkeypatch):
    manifest = (small_copy / MANIFEST_NAME).read_bytes()
    _fail_on_call(monkeypatch, 2)
    with pytest.raises(OSError, match="No space left on device"):
        write_dataset([_task("D1", "RD", start="2026-03-04T09:00:00Z")], small_copy, space="S2")
    monkeypatch.undo()
    assert (small_copy / MANIFEST_NAME).read_bytes() == manifest
    assert open_dataset(small_copy).runs["run_id"].tolist() == ["RA", "RB", "RC"]
    assert _tmp_files(small_copy) == []
    _assert_same_tables(open_dataset(small_copy).load(), load_run([*S1_PAYLOAD, *S2_PAYLOAD]))


def test_a_failed_first_write_leaves_no_dataset(tmp_path, monkeypatch):
    _fail_on_call(monkeypatch, 1)
    with pytest.raises(OSError, match="No space left on device"):
        write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    monkeypatch.undo()
    assert not is_dataset(tmp_path) or open_dataset(tmp_path).runs.empty
    assert _tmp_files(tmp_path) == []
    write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    assert open_dataset(tmp_path).runs["run_id"].tolist() == ["RC"]


# --- 8. one writer at a time ---------------------------------------------------------------------


def test_a_second_writer_in_another_process_is_refused(tmp_path):
    holder = textwrap.dedent(
        """
        import sys
        from analytics.io.dataset import writing
        with writing(sys.argv[1]):
            print("locked", flush=True)
            sys.stdin.readline()
        print("released", flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", holder, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "locked"
        with (
            pytest.raises(BlockingIOError, match=r"another process is writing to the dataset at"),
            writing(tmp_path),
        ):
            pass  # pragma: no cover
        with pytest.raises(BlockingIOError, match=r"wait for it to finish"):
            write_dataset(S2_PAYLOAD, tmp_path, space="S2")
        child.stdin.write("done\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "released"
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:  # pragma: no cover
            child.kill()
            child.wait()
    rows = write_dataset(S2_PAYLOAD, tmp_path, space="S2")
    assert rows["run_id"].tolist() == ["RC"]


def test_writing_twice_in_turn_in_one_process(tmp_path):
    with writing(tmp_path) as writer:
        writer.write(load_run(S2_PAYLOAD), space="S2", run_id="RC")
    with writing(tmp_path) as writer:
        assert writer.entry("S2", "RC") is not None


# --- 9. is_complete --------------------------------------------------------------------------


DONE = {"task_id": "T1", "status": "completed", "output": {}}
SOON = {
    "task_id": "T2",
    "status": "completed",
    "output": {
        "call_status": "completed",
        "data": "call completed evaluated data will be available soon",
    },
}


@pytest.mark.parametrize(
    ("tasks", "status", "expected"),
    [
        ([DONE], None, True),
        ([DONE], "completed", True),
        ([DONE], "failed", True),
        ([DONE], "pending", False),
        ([DONE], "in_progress", False),
        ([], None, True),
        ([DONE, {**DONE, "task_id": "T2", "status": "failed"}], None, True),
        ([DONE, {**DONE, "task_id": "T2", "status": "partially_completed"}], None, True),
        *(
            ([DONE, {**DONE, "task_id": "T2", "status": s}], None, False)
            for s in ("in_progress", "scheduled", "hold", "processing", "pending")
        ),
        ([DONE, SOON], None, False),
        ([DONE, SOON], "completed", False),
        ([_task("T3", None, start="2026-03-01T10:00:00Z")], "completed", True),
    ],
)
def test_is_complete(tasks, status, expected):
    assert is_complete(load_run(copy.deepcopy(tasks)), status=status) is expected


def test_available_soon_call_is_not_evaluated():
    calls = load_run([SOON]).calls
    assert calls["evaluated"].tolist() == [False]


def test_manifest_complete_follows_is_complete(tmp_path):
    rows = write_dataset([DONE, SOON], tmp_path, space="S1", run_id="R1")
    assert rows["complete"].tolist() == [False]
    rows = write_dataset([DONE], tmp_path, space="S1", run_id="R1")
    assert rows["complete"].tolist() == [True]
    assert open_dataset(tmp_path).runs["complete"].tolist() == [True]


def test_a_load_waits_while_a_run_is_being_replaced(tmp_path):
    """A writer replacing a run holds the tables lock; a load meanwhile must wait for it,
    so that it never reads old tasks with new calls."""
    payload = make_run(20, random_state=3)
    write_dataset(payload, tmp_path, space="S1")
    released = threading.Event()
    finished_after_release: list[bool] = []

    def load() -> None:
        run = open_dataset(tmp_path).load()
        finished_after_release.append(released.is_set() and len(run.tasks) == 20)

    with tables_locked(tmp_path, shared=False):
        reader = threading.Thread(target=load)
        reader.start()
        reader.join(timeout=0.5)
        assert reader.is_alive()  # still waiting for the lock
        released.set()
    reader.join(timeout=30)
    assert finished_after_release == [True]
