"""build_report: a self-contained page, CSVs behind every number, personal data masked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.viz import report as report_module
from analytics.viz.report import build_report


@pytest.fixture(scope="module")
def run():
    return load_run(make_run(80, random_state=2))


@pytest.fixture(scope="module")
def built(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return build_report(run, out)


def written_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()
    )


def personal_values(run) -> set[str]:
    columns = ["input_contact_number", "input_email", "user_email", "input_name", "user_name"]
    values = pd.concat([run.tasks[c] for c in columns if c in run.tasks]).dropna()
    return {v for v in values if len(v) >= 4}


def test_page_is_self_contained(built):
    page = built.read_text(encoding="utf-8")
    assert built.name == "index.html"
    assert "<script" not in page.lower()
    sources = re.findall(r'src="([^"]+)"', page)
    assert sources
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r'href="(?!#)', page)  # links only inside the page
    for heading in (
        "Run overview",
        "Call durations",
        "Outcomes by assignee",
        "Conversation metrics",
        "Keyword trackers",
        "Data quality",
    ):
        assert f">{heading}</h2>" in page


def test_every_table_is_written_as_csv(built):
    names = {p.stem for p in (built.parent / "tables").glob("*.csv")}
    assert {
        "overview",
        "durations",
        "outcome_rates",
        "group_comparison",
        "connection_rates",
        "conversation_by_assignee",
        "keyword_rates",
        "quality",
        "calls",
    } <= names


def test_overview_counts_match_the_run(run, built):
    overview = pd.read_csv(built.parent / "tables" / "overview.csv").set_index("measure")
    assert overview.loc["tasks", "value"] == len(run.tasks)
    assert overview.loc["calls", "value"] == len(run.calls)
    assert overview.loc["connected calls", "value"] == int(run.calls["connected"].sum())
    assert overview.loc["transcript turns", "value"] == len(run.turns)


def test_redacted_report_holds_no_personal_data(run, built):
    text = written_text(built.parent)
    leaked = [v for v in personal_values(run) if v in text]
    assert leaked == []
    assert "recording_url" not in text
    assert "https://" not in text


def test_unredacted_report_keeps_personal_data(run, tmp_path):
    page = build_report(run, tmp_path, redact=False)
    text = written_text(page.parent)
    assert "Not redacted" in page.read_text(encoding="utf-8")
    assert any(v in text for v in personal_values(run))
    assert "recording_url" in (tmp_path / "tables" / "calls.csv").read_text().splitlines()[0]


def test_names_known_only_from_the_call_are_masked_too(tmp_path):
    task = {
        "task_id": "T1",
        "run_id": "R1",
        "assignee": "a1",
        "status": "completed",
        "output": {
            "call_id": "c1",
            "call_status": "completed",
            "customer": "Farida Khan",
            "transcript": [
                {"role": "assistant", "content": "Hello Farida!"},
                {"role": "user", "content": "Hi."},
            ],
            "post_call_data": {
                "summary": {
                    "status": "Call Back",
                    "summary": "Farida Khan asked for Monday.",
                    "name": "Farida Khan",
                }
            },
        },
    }
    text = written_text(build_report(load_run([task]), tmp_path).parent)
    assert "Farida" not in text
    assert "Khan" not in text
    assert "[name] asked for Monday." in text


def test_free_text_names_are_masked(tmp_path):
    task = {
        "task_id": "T1",
        "run_id": "R1",
        "assignee": "a1",
        "status": "completed",
        "input": {"name": "Meera Iyer", "contact_number": "9876501234"},
        "output": {
            "call_id": "c1",
            "call_status": "completed",
            "duration": 30,
            "start_time": "2026-01-31 11:47:38",
            "end_time": "2026-01-31 11:48:08",
            "transcript": [
                {"role": "assistant", "content": "Hello Meera, is this 9876501234?"},
                {"role": "user", "content": "Yes, mail meera@example.com"},
            ],
            "post_call_data": {
                "summary": {"status": "Interested", "summary": "Meera wants details."}
            },
        },
    }
    page = build_report(load_run([task]), tmp_path)
    text = written_text(page.parent)
    for secret in ("Meera", "9876501234", "meera@example.com", "Iyer"):
        assert secret not in text
    assert "[name] wants details." in text


def test_a_failed_build_keeps_the_old_page_and_leaves_no_temp_file(run, tmp_path, monkeypatch):
    page = build_report(run, tmp_path)
    before = page.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report_module, "_page", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_report(run, tmp_path)
    assert page.read_bytes() == before
    assert not list(tmp_path.rglob("*.tmp"))


def test_empty_run_still_gives_a_page(tmp_path):
    page = build_report(load_run({"data": []}), tmp_path)
    assert ">Run overview</h2>" in page.read_text(encoding="utf-8")


def _edge_runs() -> dict[str, list[dict]]:
    data = Path(__file__).parent / "data"
    completed = json.loads((data / "task_completed.json").read_text())
    return {
        "no assignee": [{**completed, "assignee": None}],
        "only pending": [json.loads((data / "task_pending.json").read_text())],
        "awaiting evaluation": [json.loads((data / "task_evaluating.json").read_text())],
        "failed only": [
            {
                "task_id": "T1",
                "status": "failed",
                "assignee": "a",
                "output": {"call_status": "busy"},
            }
        ],
        "untimed legacy call": [json.loads((data / "task_vapi_legacy.json").read_text())],
    }


@pytest.mark.parametrize("case", list(_edge_runs()))
def test_small_and_odd_runs_still_give_a_page(case, tmp_path):
    page = build_report(load_run(_edge_runs()[case]), tmp_path)
    text = page.read_text(encoding="utf-8")
    assert ">Data quality</h2>" in text
    assert "Traceback" not in text
