"""Snapshots and table files: paths, atomic writes, round trips."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.datasets import make_run
from analytics.io import store
from analytics.io.store import (
    FORMULA_START,
    load_snapshot,
    save_snapshot,
    save_table,
    save_tables,
    snapshot_path,
)
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
        ("S1", "../R1", r"run_id='\.\./R1' is not an id.*cannot name a file"),
        ("a/b", "R1", r"space_token='a/b' is not an id.*cannot name a file"),
        ("", "R1", r"space_token='' is not an id.*cannot name a file"),
        ("S1", ".hidden", r"run_id='\.hidden' is not an id.*cannot name a file"),
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
        "task_id,call_id,turn,speaker,role,text,timestamp,offset_s,duration_s,n_words\n"
        'T1,,0,agent,,"Hello, ""Sam""",2026-02-07 05:57:45+00:00,,,\n'
        "T1,,1,user,,,,,,\n"
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


# --- formula cells (OWASP "CSV Injection") ---------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "plain, text",
    None,
]
"""A text column: six formula starts, a normal text and NA."""


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": pd.Series(HOSTILE, dtype="str"),
            "count": pd.array([-5, 0, 3, -1, 2, 7, 1, None], dtype="Int64"),
            "measure": pd.array([-2.5, 0.5, 1.0, -0.25, 2.0, 3.0, 4.0, None], dtype="Float64"),
        }
    )


def csv_cells(path: Path) -> list[list[str]]:
    """Every row of a CSV file, header first, as the csv module reads it."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_csv_formula_cells_are_neutralised(tmp_path):
    rows = csv_cells(save_table(hostile_frame(), tmp_path / "t.csv"))
    assert rows == [
        ["text", "count", "measure"],
        ['\'=HYPERLINK("http://x","y")', "-5", "-2.5"],
        ["'+1", "0", "0.5"],
        ["'-1+1", "3", "1.0"],
        ["'@SUM(A1)", "-1", "-0.25"],
        ["'\tcmd", "2", "2.0"],
        ["'\rcmd", "7", "3.0"],
        ["plain, text", "1", "4.0"],
        ["", "", ""],
    ]


def test_neutralising_leaves_the_callers_frame_alone(tmp_path):
    frame = hostile_frame()
    before = frame.copy()
    save_table(frame, tmp_path / "t.csv")
    pd.testing.assert_frame_equal(frame, before)


def test_keep_writes_the_raw_cells(tmp_path):
    rows = csv_cells(save_table(hostile_frame(), tmp_path / "t.csv", formulas="keep"))
    assert [row[0] for row in rows[1:]] == [*HOSTILE[:-1], ""]


def test_every_text_dtype_and_the_header_are_neutralised(tmp_path):
    frame = pd.DataFrame(
        {
            "=cmd": ["-x", "ok"],
            "mixed": pd.Series(["=x", -5], dtype=object),
            "category": pd.Series(["@a", "b"], dtype="category"),
            "string": pd.Series(["+a", None], dtype="string"),
            "arrow": pd.Series(["-a", "b"], dtype=pd.ArrowDtype(pa.string())),
            "flag": [True, False],
        }
    ).set_axis([7, 7])  # a repeated index label (the index is not written)
    assert csv_cells(save_table(frame, tmp_path / "t.csv")) == [
        ["'=cmd", "mixed", "category", "string", "arrow", "flag"],
        ["'-x", "'=x", "'@a", "'+a", "'-a", "True"],
        ["ok", "-5", "b", "", "b", "False"],
    ]


def test_every_header_row_of_a_multiindex_is_neutralised(tmp_path):
    frame = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("=a", "b"), ("c", "-d")]))
    assert csv_cells(save_table(frame, tmp_path / "t.csv")) == [
        ["'=a", "c"],
        ["b", "'-d"],
        ["1", "2"],
    ]


@pytest.mark.parametrize("formulas", ["neutralise", "keep"])
def test_a_formula_after_a_line_break_or_a_comma_stays_inside_its_quoted_cell(tmp_path, formulas):
    text = ["a\n=cmd", 'x",=cmd', "y\r=cmd", "z\r\n-1"]
    frame = pd.DataFrame({"text": text, "n": [1, 2, 3, 4]})
    path = save_table(frame, tmp_path / "t.csv", formulas=formulas)
    assert csv_cells(path) == [["text", "n"], *([t, str(n)] for n, t in enumerate(text, 1))]
    assert path.read_bytes() == (  # RFC 4180: CRLF ends a row; a cell with CR or LF is quoted
        b'text,n\r\n"a\n=cmd",1\r\n"x"",=cmd",2\r\n"y\r=cmd",3\r\n"z\r\n-1",4\r\n'
    )


def test_parquet_keeps_the_raw_text(tmp_path):
    path = save_table(hostile_frame(), tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), hostile_frame())


def test_an_unknown_formulas_choice_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"formulas='raw' is not one of 'neutralise', 'keep'"):
        save_table(hostile_frame(), tmp_path / "t.csv", formulas="raw")
    assert list(tmp_path.iterdir()) == []


TEXT_CELLS = st.lists(
    st.one_of(
        st.none(),
        st.text(),
        st.builds(lambda a, b: a + b, st.sampled_from(["=", "+", "-", "@", "\t", "\r"]), st.text()),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=TEXT_CELLS, formulas=st.sampled_from(["neutralise", "keep"]))
def test_any_text_reads_back_as_one_cell_per_value(tmp_path, cells, formulas):
    frame = pd.DataFrame({"text": pd.Series(cells, dtype="str"), "n": range(-1, len(cells) - 1)})
    rows = csv_cells(save_table(frame, tmp_path / "t.csv", formulas=formulas))
    neutral = formulas == "neutralise"
    expected = [
        "" if c is None else "'" + c if neutral and c.startswith(FORMULA_START) else c
        for c in cells
    ]
    assert rows == [["text", "n"], *([c, str(n)] for c, n in zip(expected, range(-1, 99)))]


def hyperlink_run():
    """A generated run whose first task's assignee is a spreadsheet formula."""
    payload = make_run(6, random_state=1)
    payload["data"][0]["assignee"] = '=HYPERLINK("http://evil.example","click")'
    return load_run(payload), payload["data"][0]["task_id"]


@pytest.mark.parametrize(("formulas", "prefix"), [("neutralise", "'"), ("keep", "")])
def test_save_tables_neutralises_an_assignee_formula(tmp_path, formulas, prefix):
    run, task_id = hyperlink_run()
    paths = save_tables(run, tmp_path, formulas=formulas)
    for path in paths[:2]:  # tasks and calls have the assignee
        with path.open(newline="", encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["task_id"] == task_id)
        assert row["assignee"] == prefix + '=HYPERLINK("http://evil.example","click")'


# --- leftover temporary files: SIGTERM cleans up, the next write sweeps a SIGKILL's ---------

posix_signals = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

SLOW_SNAPSHOT = """
import pathlib, sys, time
from analytics.io.store import save_snapshot

write_bytes = pathlib.Path.write_bytes

def slow(self, data):  # the bytes land in the temporary file, then the write hangs
    write_bytes(self, data)
    time.sleep(120)

pathlib.Path.write_bytes = slow
save_snapshot({"count": 1, "data": [{"task_id": "T1"}] * 1000}, sys.argv[1])
"""

SLOW_REPORT = """
import sys, time
from pathlib import Path
from analytics.io.store import atomic_directory, write_atomic

with atomic_directory(sys.argv[1]) as folder:
    (folder / "tables").mkdir()
    write_atomic(folder / "tables" / "a.csv", lambda tmp: (tmp.write_text("x"), time.sleep(120)))
"""

REPORT_WRITING = ".report.*.tmp/tables/.a.csv.*.tmp"
"""What :data:`SLOW_REPORT` has made once it sleeps: a table's temporary file in its folder's."""


def start(code: str, target: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code, str(target)])


def wait_for(folder: Path, pattern: str, proc: subprocess.Popen[bytes]) -> list[Path]:
    """The paths matching ``pattern`` under ``folder``, once the writer has made them (<= 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = sorted(folder.glob(pattern))
        if found:
            return found
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the writer made no {pattern} in {folder} (exit status {proc.poll()})")


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    proc.send_signal(sig)
    try:
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
            proc.wait(timeout=60)
    assert status == -sig  # it dies by the signal, as without a handler


@posix_signals
def test_sigterm_during_a_snapshot_write_leaves_no_temporary_file(tmp_path):
    save_snapshot(RESPONSE, tmp_path / "R1.json")
    proc = start(SLOW_SNAPSHOT, tmp_path / "R1.json")
    wait_for(tmp_path, ".R1.json.*.tmp", proc)
    stop(proc, signal.SIGTERM)
    assert os.listdir(tmp_path) == ["R1.json"]
    assert load_snapshot(tmp_path / "R1.json") == RESPONSE  # the previous snapshot stays


@posix_signals
def test_sigterm_during_a_report_build_leaves_no_temporary_folder(previous):
    before = listing(previous)
    proc = start(SLOW_REPORT, previous)
    wait_for(previous.parent, REPORT_WRITING, proc)
    stop(proc, signal.SIGTERM)
    assert os.listdir(previous.parent) == ["report"]
    assert listing(previous) == before


def ours_for(leftover: Path, pid: int, suffix: str = ".tmp") -> str:
    """The name ``leftover`` (a SIGKILLed writer's) would have if process ``pid`` had made it."""
    prefix, writer, rest = leftover.name.rsplit("-", 2)
    assert writer.isdigit(), leftover.name  # the writer's process id is in the name
    return f"{prefix}-{pid}-{rest.removesuffix('.tmp')}{suffix}"


@posix_signals
def test_the_next_write_sweeps_a_killed_writers_temporary_file(tmp_path):
    proc = start(SLOW_SNAPSHOT, tmp_path / "R1.json")
    [leftover] = wait_for(tmp_path, ".R1.json.*.tmp", proc)
    stop(proc, signal.SIGKILL)
    assert leftover.exists()  # nothing can clean up after SIGKILL ...
    mine = [".notes.tmp", ".R1.json.tmp", ".R1.json.k3j2h1ab.tmp", "R1.json.tmp", ".x.1-2-3.tmp"]
    live = ours_for(leftover, os.getpid())  # a write in progress in a running process
    for name in [*mine, live]:
        (tmp_path / name).write_text("keep me")
    save_snapshot(RESPONSE, tmp_path / "R2.json")  # ... so the next write in the folder does
    assert sorted(os.listdir(tmp_path)) == sorted([*mine, live, "R2.json"])


@posix_signals
def test_the_next_build_sweeps_a_killed_builds_folders(previous):
    proc = start(SLOW_REPORT, previous)
    [table] = wait_for(previous.parent, REPORT_WRITING, proc)
    leftover = table.parents[1]
    stop(proc, signal.SIGKILL)
    assert leftover.is_dir()
    killed_mid_swap = leftover.with_name(ours_for(leftover, proc.pid, ".old"))
    shutil.copytree(previous, killed_mid_swap)  # as if killed between the two renames
    (previous.parent / ".report.notes.tmp").mkdir()  # a user's, not ours
    with store.atomic_directory(previous) as folder:
        write_report(folder, "v2")
    assert sorted(os.listdir(previous.parent)) == [".report.notes.tmp", "report"]


def test_a_temporary_file_of_ours_from_elsewhere_is_swept_only_when_a_day_old(tmp_path):
    other_host = tmp_path / ".R1.json.00000000-4242-abcdefgh.tmp"  # no host has tag 00000000
    other_host.write_text("partial")
    save_snapshot(RESPONSE, tmp_path / "R2.json")
    assert other_host.exists()  # its writer may still be running on the other machine
    day_old = time.time() - 24 * 3600 - 60
    os.utime(other_host, (day_old, day_old))
    save_snapshot(RESPONSE, tmp_path / "R2.json")
    assert os.listdir(tmp_path) == ["R2.json"]


def test_a_write_restores_the_sigterm_handler(tmp_path):
    def handler(signum, frame):  # pragma: no cover - never called
        raise AssertionError("called")

    before = signal.signal(signal.SIGTERM, handler)
    try:
        save_snapshot(RESPONSE, tmp_path / "R1.json")
        assert signal.getsignal(signal.SIGTERM) is handler  # a program's own handler is kept
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with store.atomic_directory(tmp_path / "report") as folder:
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
            save_table(pd.DataFrame({"a": [1]}), folder / "a.csv")
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_write_off_the_main_thread_leaves_signals_alone(tmp_path):
    errors: list[BaseException] = []

    def write():
        try:
            save_snapshot(RESPONSE, tmp_path / "R1.json")
        except BaseException as exc:  # pragma: no cover - the failure reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=60)
    assert errors == []
    assert load_snapshot(tmp_path / "R1.json") == RESPONSE
