"""``--lexicon FILE`` and ``--outcome-map FILE`` of report, features and export: files users
bring, their effect on the output, and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _server import paged

import analytics as an
from analytics.cli import main


def task(task_id: str, status: str | None, lines: list[tuple[str, str]], *, answered=True) -> dict:
    """A call task: the transcript ``lines`` (role, text), the raw outcome label ``status``."""
    output: dict = {
        "call_id": f"C{task_id}",
        "call_status": "completed" if answered else "notConnected",
        "start_time": "2026-01-31 11:47:38",
        "end_time": "2026-01-31 11:48:38",
        "duration": 60,
        "transcript": [{"role": role, "content": text} for role, text in lines],
    }
    if status is not None:
        output["post_call_data"] = {"summary": {"status": status, "summary": "s"}}
    return {
        "task_id": task_id,
        "run_id": "R1",
        "assignee": "aria",
        "status": "completed",
        "execution_type": "call",
        "output": output,
        "modified": "2026-01-31T11:50:00",
    }


TASKS = [
    task(
        "T1",
        "Hot Lead",
        [
            ("assistant", "Hello, this is Aria. Is now a good time?"),
            ("user", "I want a refund. A full REFUND, my money back!"),
            ("assistant", "I can arrange the refund today."),
        ],
    ),
    task("T2", "Not Interested", [("assistant", "Hi there."), ("user", "What is the price?")]),
    task("T3", "Interested", [("assistant", "Hello?"), ("user", "Yes, refund me.")]),
    task("T4", None, [], answered=False),
]
"""Keyword counts by hand, lexicon refund = ["refund", "money back"]:
T1 user "refund", "REFUND", "money back" -> 3 (first turn 1); agent "refund" -> 1.
T2 none. T3 user "refund" -> 1 (first turn 1). T4 no transcript -> 0, first turn NA."""


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"data": TASKS}), encoding="utf-8")
    return path


@pytest.fixture
def lexicon(tmp_path) -> Path:
    path = tmp_path / "words.toml"
    path.write_text('refund = ["refund", "money back"]\n', encoding="utf-8")
    return path


@pytest.fixture
def outcome_map(tmp_path) -> Path:
    path = tmp_path / "outcomes.json"
    path.write_text('{"Hot Lead": "Interested"}', encoding="utf-8")
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("unpod-analytics: error: ")
    return err.removeprefix("unpod-analytics: error: ").rstrip("\n")


# --- features -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("words.toml", 'refund = ["refund", "money back"]\n'),
        ("words.json", '{"refund": ["refund", "money back"]}'),
    ],
)
def test_features_counts_the_lexicon_of_the_file_instead_of_the_built_in_ones(
    source, tmp_path, capsys, name, text
):
    words = tmp_path / name
    words.write_text(text, encoding="utf-8")
    out = tmp_path / "features.csv"
    assert main(["features", str(source), "--lexicon", str(words), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}\n"
    table = pd.read_csv(out).set_index("task_id")
    kw = [c for c in table.columns if c.startswith("kw_")]
    assert kw == ["kw_refund_agent", "kw_refund_user", "kw_refund_first_turn"]
    assert table["kw_refund_user"].to_dict() == {"T1": 3, "T2": 0, "T3": 1, "T4": 0}
    assert table["kw_refund_agent"].to_dict() == {"T1": 1, "T2": 0, "T3": 0, "T4": 0}
    assert table["kw_refund_first_turn"].fillna(-1).to_dict() == {
        "T1": 1,
        "T2": -1,
        "T3": 1,
        "T4": -1,
    }


def test_features_without_a_lexicon_keeps_the_built_in_ones(source, tmp_path):
    out = tmp_path / "features.csv"
    assert main(["features", str(source), "--out", str(out)]) == 0
    columns = pd.read_csv(out).columns
    assert "kw_price_user" in columns
    assert not any(c.startswith("kw_refund") for c in columns)


def test_features_reads_outcomes_through_the_map(source, outcome_map, tmp_path):
    out = tmp_path / "features.parquet"
    assert (
        main(["features", str(source), "--outcome-map", str(outcome_map), "--out", str(out)]) == 0
    )
    outcomes = pd.read_parquet(out).set_index("task_id")["outcome"]
    # T1's "Hot Lead" would be "Other" without the map; the others map as usual
    assert outcomes.fillna("NA").to_dict() == {
        "T1": "Interested",
        "T2": "Not Interested",
        "T3": "Interested",
        "T4": "NA",
    }


# --- export ---------------------------------------------------------------------------------


def test_export_maps_hot_lead_to_interested_in_calls(source, outcome_map, tmp_path, capsys):
    out = tmp_path / "tables"
    assert main(["export", str(source), "--outcome-map", str(outcome_map), "--out", str(out)]) == 0
    assert capsys.readouterr().out.split() == [
        str(out / f"{t}.csv") for t in ("tasks", "calls", "turns")
    ]
    calls = pd.read_csv(out / "calls.csv").set_index("task_id")
    assert calls.loc["T1", "outcome"] == "Interested"
    assert calls.loc["T1", "outcome_raw"] == "Hot Lead"  # the platform's label is kept
    assert calls.loc["T2", "outcome"] == "Not Interested"


def test_export_without_a_map_leaves_hot_lead_as_other(source, tmp_path):
    assert main(["export", str(source), "--out", str(tmp_path)]) == 0
    assert pd.read_csv(tmp_path / "calls.csv").set_index("task_id").loc["T1", "outcome"] == "Other"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_with_a_lexicon_adds_the_keywords_table(source, lexicon, tmp_path, capsys, fmt):
    out = tmp_path / "tables"
    argv = ["export", str(source), "--lexicon", str(lexicon), "--out", str(out), "--format", fmt]
    assert main(argv) == 0
    names = ("tasks", "calls", "turns", "keywords")
    assert capsys.readouterr().out.split() == [str(out / f"{t}.{fmt}") for t in names]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    keywords = read(out / f"keywords.{fmt}")
    assert list(keywords.columns) == [
        "task_id",
        "kw_refund_agent",
        "kw_refund_user",
        "kw_refund_first_turn",
    ]
    assert keywords["kw_refund_user"].tolist() == [3, 0, 1, 0]  # T1..T4, sorted by task_id


# --- report ---------------------------------------------------------------------------------


def test_report_tracks_the_lexicon_of_the_file(source, lexicon, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(source), "--lexicon", str(lexicon), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"{out / 'index.html'}\n"
    rates = pd.read_csv(out / "tables" / "keyword_rates.csv")
    # 3 calls with a conversation (T1-T3); "refund" said in T1 and T3: 2 of 3
    assert rates[["assignee", "lexicon", "n", "count"]].values.tolist() == [
        ["aria", "refund", 3, 2]
    ]
    assert "refund" in (out / "index.html").read_text(encoding="utf-8")


def test_report_reads_outcomes_through_the_map(source, outcome_map, tmp_path):
    plain, mapped = tmp_path / "plain", tmp_path / "mapped"
    assert main(["report", str(source), "--out", str(plain)]) == 0
    assert (
        main(["report", str(source), "--outcome-map", str(outcome_map), "--out", str(mapped)]) == 0
    )
    # 3 calls with a label (T4 has none): plain Interested T3, Other T1 ("Hot Lead"),
    # Not Interested T2; mapped Interested T1 and T3
    assert outcome_counts(plain) == {
        "Interested": (1, 3),
        "Not Interested": (1, 3),
        "Other": (1, 3),
    }
    assert outcome_counts(mapped) == {"Interested": (2, 3), "Not Interested": (1, 3)}


def outcome_counts(report: Path) -> dict[str, tuple[int, int]]:
    """The outcome rates table of a report: outcome -> (count, n), for counts above 0."""
    table = pd.read_csv(report / "tables" / "outcome_rates.csv")
    found = table[table["count"] > 0]
    return {o: (c, n) for o, c, n in zip(found["outcome"], found["count"], found["n"], strict=True)}


def test_a_dataset_is_loaded_through_the_map(outcome_map, tmp_path):
    root = tmp_path / "data"
    an.write_dataset({"data": TASKS}, root, space="S1")
    out = tmp_path / "tables"
    argv = ["export", "--root", str(root), "--outcome-map", str(outcome_map), "--out", str(out)]
    assert main(argv) == 0
    assert pd.read_csv(out / "calls.csv").set_index("task_id").loc["T1", "outcome"] == "Interested"


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["report", "features", "export"])
@pytest.mark.parametrize("option", ["--lexicon", "--outcome-map"])
def test_a_missing_file_is_one_line_naming_it(command, option, source, tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    out = tmp_path / ("f.csv" if command == "features" else "out")
    assert main([command, str(source), option, str(missing), "--out", str(out)]) == 1
    what = "lexicon file" if option == "--lexicon" else "outcome map file"
    assert one_error_line(capsys) == (
        f"cannot read {what} '{missing}' (No such file or directory); check its path"
    )
    assert not out.exists()  # refused before any work


@pytest.mark.parametrize(
    ("option", "name", "text", "message"),
    [
        (
            "--lexicon",
            "words.yaml",
            "refund: [refund]",
            "lexicon file '{path}' must end in .toml or .json, not '.yaml'; "
            "save it as TOML or JSON with that suffix",
        ),
        (
            "--lexicon",
            "words.toml",
            'refund = "refund"',
            "lexicon file '{path}': lexicon 'refund' must be a list of phrases, got str "
            "'refund'; write it as a list, e.g. [\"refund\"]",
        ),
        (
            "--lexicon",
            "words.json",
            '{"my refund": ["refund"]}',
            "lexicon file '{path}': lexicon name 'my refund' must be letters, digits and "
            "underscores, not starting with a digit (it becomes part of column names); rename "
            "it, e.g. 'my_refund'",
        ),
        (
            "--lexicon",
            "words.toml",
            "refund = [refund",
            "lexicon file '{path}' is not valid TOML (Invalid value (at line 1, column 11)); "
            "fix the file",
        ),
        (
            "--outcome-map",
            "outcomes.toml",
            '"Hot Lead" = "Hot"',
            "outcome map file '{path}': label 'Hot Lead' maps to 'Hot', not a canonical "
            "outcome; use one of Interested, Call Back, Send Details, Not Interested, "
            "Not Connected, Abandoned, Dropped, Other",
        ),
        (
            "--outcome-map",
            "outcomes.json",
            "[]",
            "outcome map file '{path}' must hold one JSON table of keys and values, got list "
            '[]; e.g. {{"Hot Lead": "Interested"}}',
        ),
    ],
)
@pytest.mark.parametrize("command", ["report", "features", "export"])
def test_a_bad_file_is_one_line_naming_it(
    command, option, name, text, message, source, tmp_path, capsys
):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / ("f.csv" if command == "features" else "out")
    assert main([command, str(source), option, str(path), "--out", str(out)]) == 1
    assert one_error_line(capsys) == message.format(path=path)
    assert not out.exists()


def test_dask_engine_with_an_outcome_map_is_refused_before_any_work(outcome_map, tmp_path, capsys):
    argv = ["report", "--root", str(tmp_path / "data"), "--engine", "dask"]
    assert main([*argv, "--outcome-map", str(outcome_map), "--out", str(tmp_path / "r")]) == 1
    assert one_error_line(capsys) == (
        "--outcome-map is applied while loading runs into memory; --engine dask reads the "
        "dataset's stored outcomes as they are: drop one of them"
    )


def test_an_outcome_map_applies_to_the_sample(tmp_path):
    path = tmp_path / "outcomes.toml"
    path.write_text('"Send Details" = "Interested"\n', encoding="utf-8")
    out = tmp_path / "report"
    assert main(["report", "--outcome-map", str(path), "--out", str(out)]) == 0
    calls = pd.read_csv(out / "tables" / "calls.csv")
    sent = calls["outcome_raw"].eq("Send Details")
    assert sent.sum() > 0
    assert (calls.loc[sent, "outcome"] == "Interested").all()  # mapped, the raw label kept
    assert not calls["outcome"].eq("Send Details").any()


def test_an_outcome_map_applies_to_a_fetched_run(
    unpod_server, monkeypatch, outcome_map, tmp_path, capsys
):
    """fetch_run loads what it fetched through the map (a real server on 127.0.0.1)."""
    monkeypatch.setenv("UNPOD_API_TOKEN", "tok-vocabulary")
    monkeypatch.setenv("UNPOD_BASE_URL", unpod_server.base_url)
    unpod_server.route("/spaces/S1/runs/R1/tasks/", paged(TASKS))
    out = tmp_path / "report"
    argv = ["report", "--space", "S1", "--run", "R1", "--outcome-map", str(outcome_map)]
    assert main([*argv, "--out", str(out)]) == 0
    calls = pd.read_csv(out / "tables" / "calls.csv").set_index("task_id")
    assert calls.loc["T1", ["outcome", "outcome_raw"]].tolist() == ["Interested", "Hot Lead"]


@pytest.mark.parametrize("command", ["report", "features", "export"])
def test_help_names_both_options(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--lexicon FILE" in text
    assert "--outcome-map FILE" in text
