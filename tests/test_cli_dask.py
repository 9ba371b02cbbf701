"""`unpod-analytics report --root DIR --engine dask [--scheduler ADDRESS]`, and build_report of a
DaskRun: the same page and tables as the pandas engine, the turns analysed on the workers.

The dataset holds three runs in two spaces (one with impossible durations, no assignees and
tasks stored under another run id, so that the quality section has findings). The command
starts its own LocalCluster (one worker) in some tests; the ``--scheduler`` tests start one
here and pass its address.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import socket
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import analytics as an
from analytics import cli
from analytics.cli import main
from analytics.viz.report import build_report

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.xdist_group("dask-cli")  # one worker: the dataset and cluster built once

PER_CALL = ("calls", "conversation_features", "keyword_features", "quality")
"""The tables of one row per call (or finding): equal up to row order."""


def odd_run() -> dict:
    """25 tasks without assignees, three with impossible durations."""
    raw = an.datasets.make_run(25, random_state=3)
    timed = [t for t in raw["data"] if (t.get("output") or {}).get("duration") is not None]
    for task, duration in zip(timed, (-30, 1e308, 9 * 3600)):
        task["output"]["duration"] = duration
    for task in raw["data"]:
        task["assignee"] = None
    return raw


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dataset") / "data"
    an.write_dataset(an.datasets.make_run(40, random_state=1), folder, space="S1")
    an.write_dataset(an.datasets.make_run(30, random_state=2), folder, space="S1")
    an.write_dataset(odd_run(), folder, space="S2", run_id="R-odd")
    return folder


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of this test module (threads: quick to start), reached by its address."""
    with distributed.LocalCluster(
        n_workers=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as running:
        yield running


def report(*args: str) -> int:
    return main(["report", *args])


def tables(page: Path) -> dict[str, pd.DataFrame]:
    folder = page.parent / "tables"
    return {p.stem: pd.read_csv(p, keep_default_na=False) for p in sorted(folder.glob("*.csv"))}


def page_text(page: Path) -> str:
    """The page without its markup, whitespace collapsed, the time it was made taken out."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r"unpod-analytics report, \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", "", html)
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return " ".join(text.split())


def figures(page: Path) -> int:
    return page.read_text(encoding="utf-8").count("<img ")


def assert_same_report(dask_page: Path, pandas_page: Path) -> None:
    got, expected = tables(dask_page), tables(pandas_page)
    assert list(got) == list(expected)
    for name, frame in expected.items():
        if name in PER_CALL:
            keys = list(frame.columns)
            frame = frame.sort_values(keys, ignore_index=True)
            got[name] = got[name].sort_values(keys, ignore_index=True)
        pd.testing.assert_frame_equal(got[name], frame, obj=f"{name}.csv")
    assert page_text(dask_page) == page_text(pandas_page)
    assert figures(dask_page) == figures(pandas_page) > 0


def assert_no_cluster_left() -> None:
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()
    for _ in range(50):  # worker processes exit shortly after the cluster closes
        if not multiprocessing.active_children():
            break
        time.sleep(0.1)
    assert multiprocessing.active_children() == []


def error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


# --- the page ----------------------------------------------------------------------------------


def test_dask_engine_on_a_local_cluster_gives_the_pandas_report(root, tmp_path, capfd):
    level = logging.getLogger("distributed").level
    on_dask, on_pandas = tmp_path / "dask", tmp_path / "pandas"
    assert (
        report("--root", str(root), "--engine", "dask", "--workers", "1", "--out", str(on_dask))
        == 0
    )
    out, err = capfd.readouterr()
    assert out == f"{on_dask / 'index.html'}\n"
    assert err == ""  # distributed's INFO lines, of the workers too, are left out
    assert report("--root", str(root), "--out", str(on_pandas)) == 0
    assert_same_report(on_dask / "index.html", on_pandas / "index.html")
    text = page_text(on_dask / "index.html")
    assert "3 runs in 2 spaces" in text
    assert len(tables(on_dask / "index.html")["quality"]) > 0
    assert_no_cluster_left()
    assert logging.getLogger("distributed").level == level


def test_build_report_of_a_dask_run_matches_the_loaded_run_with_filters(root, tmp_path):
    data = an.open_dataset(root)
    calls = data.load().calls
    since = calls.loc[calls["space"] == "S1", "start_time"].dropna().median().date().isoformat()
    chosen = {"spaces": "S1", "since": since}
    loaded = data.load(**chosen)
    assert 0 < len(loaded.calls) < len(calls[calls["space"] == "S1"])  # the window cuts
    on_dask = build_report(data.to_dask(**chosen), tmp_path / "dask")  # Dask's own scheduler
    on_pandas = build_report(loaded, tmp_path / "pandas")
    assert_same_report(on_dask, on_pandas)


def test_the_turns_never_come_to_the_client(root, tmp_path, monkeypatch):
    druns = an.open_dataset(root).to_dask()
    turn_columns = {"turn", "speaker", "text"}
    computed: list[tuple[list[str], int]] = []
    compute = type(druns.turns).compute

    def recorded(self, *args, **kwargs):
        result = compute(self, *args, **kwargs)
        computed.append((list(getattr(result, "columns", [])), len(result)))
        return result

    monkeypatch.setattr(type(druns.turns), "compute", recorded)
    build_report(druns, tmp_path / "r")
    assert computed
    n_calls = an.open_dataset(root).runs["calls"].sum()
    n_turns = an.open_dataset(root).runs["turns"].sum()
    for columns, rows in computed:
        assert not turn_columns <= set(columns), columns
        assert rows <= max(n_calls, 100) < n_turns
    overview = tables(tmp_path / "r" / "index.html")["overview"].set_index("measure")["value"]
    assert overview["transcript turns"] == n_turns  # counted on the workers


# --- --scheduler -------------------------------------------------------------------------------


def test_scheduler_runs_the_report_on_that_cluster_and_leaves_it_running(
    root, cluster, tmp_path, capsys
):
    before = cluster.scheduler.transition_counter
    on_dask, on_pandas = tmp_path / "dask", tmp_path / "pandas"
    address = cluster.scheduler_address
    filters = ["--space", "S1", "--until", "2099-01-01"]
    args = ["--root", str(root), *filters, "--engine", "dask", "--scheduler", address]
    assert report(*args, "--out", str(on_dask)) == 0
    assert capsys.readouterr().err == ""
    assert cluster.scheduler.transition_counter > before  # the work ran there
    assert cluster.status.name == "running"
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()  # the command's client is closed
    assert report("--root", str(root), *filters, "--out", str(on_pandas)) == 0
    assert_same_report(on_dask / "index.html", on_pandas / "index.html")
    assert "2 runs of space S1" in page_text(on_dask / "index.html")


def test_an_unreachable_scheduler_is_one_line_naming_it(root, tmp_path, capsys, monkeypatch):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{free.getsockname()[1]}"
    monkeypatch.setattr(cli, "SCHEDULER_TIMEOUT", 1.0)
    started = time.monotonic()
    args = ["--root", str(root), "--engine", "dask", "--scheduler", address]
    assert report(*args, "--out", str(tmp_path / "r")) == 1
    assert time.monotonic() - started < 15
    line = error_line(capsys)
    assert line.startswith(
        f"unpod-analytics: error: cannot connect to the Dask scheduler at '{address}'"
    )
    assert "1 s" in line
    assert not (tmp_path / "r").exists()
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()  # the client that failed is not left as the default


@pytest.mark.parametrize(
    ("address", "reason"),
    [("nonsense://x:1", "unknown address scheme 'nonsense'"), ("", "it names no host")],
)
def test_a_malformed_scheduler_address_is_one_line(address, reason, root, tmp_path, capsys):
    args = ["--root", str(root), "--engine", "dask", "--scheduler", address]
    assert report(*args, "--out", str(tmp_path / "r")) == 1
    line = error_line(capsys)
    assert line.startswith(f"unpod-analytics: error: {address!r} is not a Dask scheduler address")
    assert reason in line


# --- the local cluster's life ------------------------------------------------------------------


def test_the_local_cluster_closes_on_an_error_too(root, tmp_path, capsys, monkeypatch):
    def broken(run, *args, **kwargs):
        assert distributed.default_client() is not None  # inside the cluster's block
        raise ValueError("report on fire")

    monkeypatch.setattr(cli, "build_report", broken)
    args = ["--root", str(root), "--engine", "dask", "--workers", "1"]
    assert report(*args, "--out", str(tmp_path / "r")) == 1
    assert error_line(capsys) == "unpod-analytics: error: report on fire"
    assert_no_cluster_left()


def test_verbose_shows_distributed_logs(root, tmp_path, capfd, monkeypatch):
    monkeypatch.setattr(cli, "build_report", lambda run, out, **kwargs: Path(out) / "index.html")
    args = ["--root", str(root), "--engine", "dask", "--workers", "1", "--verbose"]
    assert report(*args, "--out", str(tmp_path / "r")) == 0
    assert "distributed." in capfd.readouterr().err
    assert_no_cluster_left()


# --- the options' errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--engine", "dask"],
            "--engine dask reads a dataset: give --root DIR",
            id="dask without --root",
        ),
        pytest.param(
            ["--engine", "dask", "--space", "S", "--run", "R"],
            "--engine dask reads a dataset: give --root DIR",
            id="dask with --space/--run to fetch",
        ),
        pytest.param(
            ["--scheduler", "tcp://127.0.0.1:8786"],
            "--scheduler runs the report on Dask: give --engine dask too",
            id="scheduler without dask",
        ),
        pytest.param(
            ["--root", "ROOT", "--scheduler", "tcp://127.0.0.1:8786", "--engine", "pandas"],
            "--scheduler runs the report on Dask: give --engine dask too",
            id="scheduler with pandas",
        ),
        pytest.param(
            ["--workers", "2"],
            "--workers runs the report on Dask: give --engine dask too",
            id="workers without dask",
        ),
        pytest.param(
            ["--root", "ROOT", "--engine", "dask", "--workers", "2", "--scheduler", "tcp://h:1"],
            "--workers starts local workers; the scheduler of --scheduler has its own",
            id="workers with scheduler",
        ),
        pytest.param(
            ["--root", "ROOT", "--engine", "dask", "SOURCE.json"],
            "give either SOURCE files or --root DIR, not both",
            id="dask with sources",
        ),
        pytest.param(
            ["--root", "ROOT", "--engine", "dask", "--run", "R-none"],
            "run 'R-none' is not in the dataset",
            id="unknown run",
        ),
    ],
)
def test_option_errors_are_one_line(args, message, root, tmp_path, capsys):
    args = [str(root) if a == "ROOT" else a for a in args]
    started = time.monotonic()
    assert report(*args, "--out", str(tmp_path / "r")) == 1
    assert time.monotonic() - started < 5  # refused before a cluster starts
    line = error_line(capsys)
    assert line.startswith("unpod-analytics: error: ")
    assert message in line
    assert not (tmp_path / "r").exists()


def test_workers_must_be_a_positive_number(capsys, tmp_path):
    with pytest.raises(SystemExit):
        report("--root", "x", "--engine", "dask", "--workers", "0", "--out", str(tmp_path))
    assert "'0' is not a positive integer" in capsys.readouterr().err


def test_without_dask_the_engine_says_how_to_install_it(root, tmp_path, capsys, monkeypatch):
    wing = [m for m in sys.modules if f"{m}.".startswith("analytics.distributed.")]
    for name in wing:  # imported afresh, they meet no Dask
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "dask", None)
    args = ["--root", str(root), "--engine", "dask"]
    assert report(*args, "--out", str(tmp_path / "r")) == 1
    line = error_line(capsys)
    assert "--engine dask needs Dask" in line
    assert "pip install 'unpod-analytics[dask]'" in line
