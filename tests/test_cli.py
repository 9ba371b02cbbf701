"""The report, export and features commands, their help and their one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.cli import main
from analytics.datasets import make_run
from analytics.load import load_run


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "run.json"
    path.write_text(json.dumps(make_run(50, random_state=4)))
    return path


def test_report_of_the_bundled_sample_prints_the_page(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(tmp_path / "r" / "index.html")
    assert "Run overview" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_report_of_a_saved_run_with_a_title(source, tmp_path, capsys):
    assert main(["report", str(source), "--out", str(tmp_path), "--title", "Week 5"]) == 0
    assert "<title>Week 5</title>" in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_the_three_tables(source, tmp_path, capsys, fmt):
    assert main(["export", str(source), "--out", str(tmp_path), "--format", fmt]) == 0
    written = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[-1] for p in written] == [
        f"{t}.{fmt}" for t in ("tasks", "calls", "turns")
    ]
    run = load_run(source)
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    assert len(read(tmp_path / f"turns.{fmt}")) == len(run.turns)
    assert len(read(tmp_path / f"calls.{fmt}")) == len(run.calls)


def test_features_writes_one_row_per_call(source, tmp_path, capsys):
    out = tmp_path / "features.csv"
    assert main(["features", str(source), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    run = load_run(source)
    assert len(table) == len(run.calls)
    assert table["task_id"].is_unique
    assert {"assignee", "outcome", "agent_talk_share", "kw_price_user"} <= set(table.columns)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "missing.json", "--out", "x"], "cannot read 'missing.json' (No such file"),
        (["features", "{SOURCE}", "--out", "features.txt"], "must end in .csv or .parquet"),
        (["report", "--run", "R1", "--out", "x"], "--space and --run go together"),
        (["export", "{BAD}", "--out", "x"], "is not valid JSON"),
    ],
)
def test_errors_are_one_line_without_traceback(argv, message, source, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    argv = [a.replace("{SOURCE}", str(source)).replace("{BAD}", str(bad)) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("unpod-analytics: error: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["report", "export", "features", "fetch"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"examples:\n  unpod-analytics {command}" in capsys.readouterr().out
