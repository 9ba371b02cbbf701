"""Snapshots and table files: paths, atomic writes, round trips."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from analytics.datasets import make_run
from analytics.io import store
from analytics.io.store import load_snapshot, save_snapshot, save_tables, snapshot_path
from analytics.load import load_run
from analytics.schema import CALLS_SCHEMA, TASKS_SCHEMA, TURNS_SCHEMA, conform

RESPONSE = {"count": 1, "status_code": 200, "message": "ok", "data": [{"task_id": "T1"}]}


def test_snapshot_path_default_root():
    assert snapshot_path("S1", "R1") == Path("data/raw/S1/R1.json")


def test_snapshot_path_under_a_root(tmp_path):
    assert snapshot_path("S1", "R1", root=tmp_path) == tmp_path / "S1" / "R1.json"


def test_snapshot_path_json_file_is_taken_as_is(tmp_path):
    assert snapshot_path("S1", "R1", root=tmp_path / "x.json") == tmp_path / "x.json"


@pytest.mark.parametrize(
    ("space", "run", "match"),
    [
        ("S1", "../R1", r"run_id='\.\./R1' cannot name a file"),
        ("a/b", "R1", r"space_token='a/b' cannot name a file"),
        ("", "R1", r"space_token='' cannot name a file"),
        ("S1", ".hidden", r"run_id='\.hidden' cannot name a file"),
    ],
)
def test_snapshot_path_rejects_names_that_leave_the_root(space, run, match):
    with pytest.raises(ValueError, match=match):
        snapshot_path(space, run)


def test_save_snapshot_round_trip(tmp_path):
    path = save_snapshot(RESPONSE, tmp_path / "deep" / "dir" / "R1.json")
    assert path == tmp_path / "deep" / "dir" / "R1.json"
    assert load_snapshot(path) == RESPONSE
    assert json.loads(path.read_text()) == RESPONSE
    assert os.listdir(path.parent) == ["R1.json"]


def test_unserialisable_response_writes_nothing(tmp_path):
    target = tmp_path / "R1.json"
    with pytest.raises(TypeError, match="Encoding objects of type object is unsupported"):
        save_snapshot({"data": [{"task_id": "T1", "x": object()}]}, target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch, failure):
    target = save_snapshot(RESPONSE, tmp_path / "R1.json")

    def replace(src, dst):
        assert Path(src).read_bytes().startswith(b'{"count":2')  # the bytes were written
        raise failure

    monkeypatch.setattr(store.os, "replace", replace)
    with pytest.raises(type(failure)):
        save_snapshot({**RESPONSE, "count": 2}, target)
    assert load_snapshot(target) == RESPONSE
    assert list(tmp_path.iterdir()) == [target]


def test_interrupted_first_write_leaves_no_file(tmp_path, monkeypatch):
    def replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        save_snapshot(RESPONSE, tmp_path / "R1.json")
    assert list(tmp_path.iterdir()) == []


def small_run() -> SimpleNamespace:
    tasks = conform(
        pd.DataFrame({"task_id": ["T1"], "status": ["completed"], "has_call": [True]}),
        TASKS_SCHEMA,
    )
    calls = conform(
        pd.DataFrame({"task_id": ["T1"], "call_id": ["C1"], "duration_s": [42.5]}), CALLS_SCHEMA
    )
    turns = conform(
        pd.DataFrame(
            {
                "task_id": ["T1", "T1"],
                "turn": [0, 1],
                "speaker": ["agent", "user"],
                "text": ['Hello, "Sam"', None],
                "timestamp": ["2026-02-07T05:57:45", None],
            }
        ),
        TURNS_SCHEMA,
    )
    return SimpleNamespace(tasks=tasks, calls=calls, turns=turns)


def test_save_tables_csv(tmp_path):
    paths = save_tables(small_run(), tmp_path / "out")
    assert paths == [tmp_path / "out" / f"{t}.csv" for t in ("tasks", "calls", "turns")]
    assert paths[2].read_text() == (
        "task_id,call_id,turn,speaker,role,text,timestamp,offset_s,n_words\n"
        'T1,,0,agent,,"Hello, ""Sam""",2026-02-07 05:57:45+00:00,,\n'
        "T1,,1,user,,,,,\n"
    )
    header, row = paths[1].read_text().splitlines()
    assert header.split(",")[:3] == ["task_id", "call_id", "run_id"]
    assert row.startswith("T1,C1,")
    assert ",42.5," in row


def test_save_tables_parquet_keeps_dtypes(tmp_path):
    run = load_run(make_run(30, random_state=0))
    paths = save_tables(run, tmp_path, format="parquet")
    assert [p.name for p in paths] == ["tasks.parquet", "calls.parquet", "turns.parquet"]
    for name, path in zip(("tasks", "calls", "turns"), paths):
        pd.testing.assert_frame_equal(pd.read_parquet(path), getattr(run, name))


def test_save_tables_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match=r"format='xlsx' is not supported; use 'csv' or 'parquet'"):
        save_tables(small_run(), tmp_path, format="xlsx")
    assert list(tmp_path.iterdir()) == []


# --- atomic_directory -----------------------------------------------------------------------


def listing(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> text)."""
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_report(folder: Path, version: str, *, fail_after: int | None = None) -> None:
    """Write index.html and three tables, raising OSError after ``fail_after`` files."""
    names = ["tables/a.csv", "tables/b.csv", "tables/c.csv", "index.html"]
    for i, name in enumerate(names):
        if i == fail_after:
            raise OSError(28, "No space left on device")
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(f"{version} {name}")


@pytest.fixture
def previous(tmp_path) -> Path:
    target = tmp_path / "report"
    with store.atomic_directory(target) as folder:
        write_report(folder, "v1")
    return target


def test_atomic_directory_builds_a_new_directory(tmp_path):
    with store.atomic_directory(tmp_path / "deep" / "report") as folder:
        assert folder.parent == tmp_path / "deep"
        assert folder != tmp_path / "deep" / "report"
        write_report(folder, "v1")
    assert listing(tmp_path / "deep") == {
        "report/index.html": "v1 index.html",
        "report/tables/a.csv": "v1 tables/a.csv",
        "report/tables/b.csv": "v1 tables/b.csv",
        "report/tables/c.csv": "v1 tables/c.csv",
    }
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "deep" / "report").stat().st_mode & 0o777 == 0o777 & ~umask  # not 0700


def test_atomic_directory_replaces_the_whole_directory(previous):
    (previous / "tables" / "stale.csv").write_text("from an older version")
    with store.atomic_directory(previous) as folder:
        write_report(folder, "v2")
    assert set(listing(previous)) == {"index.html", "tables/a.csv", "tables/b.csv", "tables/c.csv"}
    assert set(listing(previous).values()) == {f"v2 {n}" for n in listing(previous)}
    assert os.listdir(previous.parent) == ["report"]  # nothing left beside it


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_midway_keeps_the_previous_directory(previous, failure):
    def build_and_fail():
        with store.atomic_directory(previous) as folder:
            write_report(folder, "v2", fail_after=2 if isinstance(failure, OSError) else None)
            raise failure

    before = listing(previous)
    with pytest.raises(type(failure)):
        build_and_fail()
    assert listing(previous) == before
    assert os.listdir(previous.parent) == ["report"]


def test_a_failure_on_the_first_build_leaves_nothing(tmp_path):
    with (
        pytest.raises(OSError, match="No space left"),
        store.atomic_directory(tmp_path / "report") as folder,
    ):
        write_report(folder, "v1", fail_after=3)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_swap_puts_the_previous_directory_back(previous, monkeypatch):
    before = listing(previous)
    rename = os.rename

    def failing_rename(src, dst):
        if Path(src).name.endswith(".tmp"):  # the new directory moving in
            raise OSError(28, "No space left on device")
        rename(src, dst)

    monkeypatch.setattr(store.os, "rename", failing_rename)
    with pytest.raises(OSError, match="No space left"), store.atomic_directory(previous) as folder:
        write_report(folder, "v2")
    assert listing(previous) == before
    assert os.listdir(previous.parent) == ["report"]


def test_atomic_directory_refuses_to_delete_files_it_does_not_own(previous):
    (previous / "notes.txt").write_text("mine")
    before = listing(previous)
    owned = {"index.html", "tables"}
    with (
        pytest.raises(FileExistsError, match=r"holds notes\.txt, which a report does not write"),
        store.atomic_directory(previous, owned=owned, what="report"),
    ):
        pytest.fail("the block must not run")
    assert listing(previous) == before
    assert os.listdir(previous.parent) == ["report"]


def test_atomic_directory_refuses_a_file(tmp_path):
    target = tmp_path / "report"
    target.write_text("a file")
    with (
        pytest.raises(FileExistsError, match=r"is a file.*give the path of a folder"),
        store.atomic_directory(target),
    ):
        pytest.fail("the block must not run")
    assert target.read_text() == "a file"


def test_atomic_directory_through_a_symlink_replaces_its_target(previous, tmp_path):
    link = tmp_path / "latest"
    link.symlink_to(previous, target_is_directory=True)
    with store.atomic_directory(link) as folder:
        write_report(folder, "v2")
    assert link.is_symlink()
    assert (previous / "index.html").read_text() == "v2 index.html"


def test_atomic_directory_never_replaces_the_current_folder(previous, monkeypatch):
    before = listing(previous)
    monkeypatch.chdir(previous / "tables")
    with (
        pytest.raises(FileExistsError, match=r"is the current folder or holds it"),
        store.atomic_directory(".."),
    ):
        pytest.fail("the block must not run")
    assert listing(previous) == before
    assert os.listdir(previous.parent) == ["report"]


def test_atomic_directory_of_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with store.atomic_directory("report") as folder:
        write_report(folder, "v1")
    with store.atomic_directory(Path("report")) as folder:
        write_report(folder, "v2")
    assert (tmp_path / "report" / "index.html").read_text() == "v2 index.html"
    assert os.listdir(tmp_path) == ["report"]
