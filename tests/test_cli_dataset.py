"""`unpod-analytics import`, `sync`, and `report`/`export`/`features --root` on a dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _server import Reply, ok, paged

import analytics as an
from analytics.cli import main

TOKEN = "tok-SECRET-cli-dataset-77"


@pytest.fixture
def snapshots(tmp_path):
    """Two saved runs (30 and 20 tasks) as JSON files; returns their paths and run ids."""
    paths, ids = [], []
    for seed, n in ((1, 30), (2, 20)):
        payload = an.datasets.make_run(n, random_state=seed)
        path = tmp_path / f"run{seed}.json"
        path.write_text(json.dumps(payload))
        paths.append(path)
        ids.append(payload["data"][0]["run_id"])
    return paths, ids


def test_import_prints_one_line_per_run_and_fills_the_manifest(snapshots, tmp_path, capsys):
    (one, two), (r1, r2) = snapshots
    assert main(["import", str(one), str(two), "--root", str(tmp_path / "ds"), "--space", "S"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{one}\tS\t{r1}\t30 tasks", f"{two}\tS\t{r2}\t20 tasks"]
    runs = an.open_dataset(tmp_path / "ds").runs
    assert sorted(runs["run_id"]) == sorted([r1, r2])
    assert runs.set_index("run_id")["tasks"].to_dict() == {r1: 30, r2: 20}
    assert set(runs["source"]) == {"import"}


def test_import_again_replaces_the_run(snapshots, tmp_path):
    (one, _), _ = snapshots
    root = str(tmp_path / "ds")
    for _ in range(2):
        assert main(["import", str(one), "--root", root, "--space", "S"]) == 0
    assert len(an.open_dataset(root).runs) == 1
    assert len(an.open_dataset(root).load().tasks) == 30


def test_import_of_tasks_without_run_id_needs_run(tmp_path, capsys):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps([{"task_id": "T1", "status": "completed"}]))
    root = str(tmp_path / "ds")
    assert main(["import", str(path), "--root", root, "--space", "S"]) == 1
    assert "task 'T1' has no run_id" in capsys.readouterr().err
    assert main(["import", str(path), "--root", root, "--space", "S", "--run", "R9"]) == 0
    assert an.open_dataset(root).runs["run_id"].tolist() == ["R9"]


def test_report_over_a_dataset_selection(snapshots, tmp_path, capsys):
    (one, two), (r1, _) = snapshots
    root = str(tmp_path / "ds")
    main(["import", str(one), str(two), "--root", root, "--space", "S"])
    capsys.readouterr()
    out = tmp_path / "rep"
    assert main(["report", "--root", root, "--run", r1, "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"{out / 'index.html'}\n"
    calls = pd.read_csv(out / "tables" / "calls.csv")
    assert len(calls) == len(an.load_run(one).calls)
    assert r1 in (out / "index.html").read_text()
    assert not (out / "tables" / "runs.csv").exists()  # one run: no Runs table


def test_export_with_root_and_window_equals_the_loaded_slice(snapshots, tmp_path):
    (one, two), _ = snapshots
    root = str(tmp_path / "ds")
    main(["import", str(one), str(two), "--root", root, "--space", "S"])
    out = tmp_path / "tables"
    window = ["--since", "2026-01-30", "--until", "2026-01-30"]
    assert main(["export", "--root", root, *window, "--out", str(out), "--format", "parquet"]) == 0
    expected = an.open_dataset(root).load(since="2026-01-30", until="2026-01-30")
    calls = pd.read_parquet(out / "calls.parquet")
    assert 0 < len(calls) == len(expected.calls) < len(an.open_dataset(root).load().calls)
    day = (pd.Timestamp("2026-01-30", tz="UTC"), pd.Timestamp("2026-01-31", tz="UTC"))
    timed = calls["start_time"].dropna()
    assert timed.between(*day, inclusive="left").all()
    untimed = calls.loc[calls["start_time"].isna(), "task_id"]  # unanswered dials: no start
    created = expected.tasks.set_index("task_id").loc[untimed, "created"]
    assert len(created) > 0
    assert created.between(*day, inclusive="left").all()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--root", "nowhere", "--out", "r"], "'nowhere' is not a dataset: nothing"),
        (
            ["report", "--since", "2026-01-01", "--out", "r"],
            "--since filters a dataset: give --root",
        ),
        (["export", "--out", "t"], "export needs SOURCE files or --root DIR"),
        (["features", "--space", "S", "x.json", "--out", "f.csv"], "--space filters a dataset"),
    ],
)
def test_dataset_option_errors_are_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_unknown_run_names_the_known_ones_without_quotes(snapshots, tmp_path, capsys):
    (one, _), (r1, _) = snapshots
    root = str(tmp_path / "ds")
    main(["import", str(one), "--root", root, "--space", "S"])
    capsys.readouterr()
    assert main(["report", "--root", root, "--run", "R0", "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"unpod-analytics: error: run 'R0' is not in the dataset at {root!r}; its runs: {r1}\n"
    )


def test_sources_and_root_together_are_refused(snapshots, tmp_path, capsys):
    (one, _), _ = snapshots
    root = str(tmp_path / "ds")
    main(["import", str(one), "--root", root, "--space", "S"])
    capsys.readouterr()
    assert main(["features", str(one), "--root", root, "--out", str(tmp_path / "f.csv")]) == 1
    assert "give either SOURCE files or --root DIR, not both" in capsys.readouterr().err


def _space(server, n_runs=2):
    """A space of ``n_runs`` finished runs of 5 tasks each on ``server``; returns the run ids."""
    ids = []
    objects = []
    for seed in range(1, n_runs + 1):
        tasks = an.datasets.make_run(5, random_state=seed, messy=False)["data"]
        run_id = tasks[0]["run_id"]
        for task in tasks:
            task["status"] = "completed"
        server.route(f"/spaces/S/runs/{run_id}/tasks/", paged(tasks))
        objects.append({"run_id": run_id, "status": "completed", "created": f"2026-11-0{seed}"})
        ids.append(run_id)
    server.add("/spaces/S/runs/", ok(objects))
    return ids


def test_sync_command_fetches_then_skips(unpod_server, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("UNPOD_API_TOKEN", TOKEN)
    monkeypatch.setenv("UNPOD_BASE_URL", unpod_server.base_url)
    monkeypatch.chdir(tmp_path)
    ids = _space(unpod_server)
    assert main(["sync", "--space", "S", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert all(run_id in out for run_id in ids)
    assert "fetched" in out
    assert Path("data/manifest.json").is_file()
    assert all(Path(f"data/raw/S/{run_id}.json").is_file() for run_id in ids)
    assert main(["sync", "--space", "S", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "skipped" in out
    assert TOKEN not in out + err
    assert TOKEN not in Path("data/manifest.json").read_text()


def test_sync_command_with_a_failing_run_prints_it_and_exits_1(
    unpod_server, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("UNPOD_API_TOKEN", TOKEN)
    monkeypatch.setenv("UNPOD_BASE_URL", unpod_server.base_url)
    monkeypatch.chdir(tmp_path)
    good, bad = _space(unpod_server)
    unpod_server.add(f"/spaces/S/runs/{bad}/tasks/", Reply(404, {"message": "Run gone"}))
    assert main(["sync", "--space", "S", "--quiet"]) == 1
    out, err = capsys.readouterr()
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "fetched" in rows[good]
    assert "failed" in rows[bad]
    assert "Run gone" in rows[bad]
    warning, summary = err.splitlines()
    assert warning.startswith(f"unpod-analytics: sync S: run {bad} failed: HTTP 404")
    assert summary == "SyncResult(fetched=1, skipped=0, failed=1)"
    assert an.open_dataset("data").runs["run_id"].tolist() == [good]
