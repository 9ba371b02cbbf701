"""build_report: a self-contained page, CSVs behind every number, personal data masked."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import tempfile
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_redact import emails, phones

from analytics.datasets import load_sample, make_run
from analytics.load import load_run
from analytics.viz import plots
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


# --- reading the page back -------------------------------------------------------------------


class _Tables(HTMLParser):
    """The page's tables by their heading: a list of rows, each a list of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.heading = ""
        self.text: list[str] | None = None
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h3", "td", "th"):
            self.text = []
        elif tag == "table":
            self.rows = self.tables.setdefault(self.heading, [])
        elif tag == "tr":
            self.rows.append([])
        elif tag == "br" and self.text is not None:
            self.text.append(" ")

    def handle_endtag(self, tag):
        if tag == "h3" and self.text is not None:
            self.heading = "".join(self.text).strip()
        elif tag in ("td", "th") and self.text is not None:
            self.rows[-1].append(" ".join("".join(self.text).split()))
        if tag in ("h3", "td", "th"):
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def page_tables(page: Path) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def table(page: Path, heading_start: str) -> pd.DataFrame:
    """The page's table whose heading starts with ``heading_start``, header row as columns."""
    found = [rows for h, rows in page_tables(page).items() if h.startswith(heading_start)]
    assert len(found) == 1, f"{heading_start!r} not among {list(page_tables(page))}"
    header, *body = found[0]
    return pd.DataFrame(body, columns=header, dtype=object)


def visible_text(page: Path) -> str:
    """The page without its images and markup, whitespace collapsed."""
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(text.split())


def task(tid, assignee, agent=None, user=None, outcome=None, *, call_status=None):
    """A task whose call has the agent and user lines given (none: an unanswered call).

    With a user line the agent closes with "bye": agent, user, agent, 4 s apart.
    """
    lines = [("assistant", agent), ("user", user), ("assistant", "bye" if user else None)]
    transcript = [
        {"role": role, "content": text, "timestamp": f"2026-01-31T11:00:{4 * i + 1:02d}Z"}
        for i, (role, text) in enumerate(lines)
        if text
    ]
    output = {"call_id": f"c{tid}", "call_status": call_status or ("completed" if user else "busy")}
    if transcript:
        output |= {
            "transcript": transcript,
            "duration": 60,
            "start_time": "2026-01-31 11:00:00",
            "end_time": "2026-01-31 11:01:00",
        }
    if outcome:
        output["post_call_data"] = {"summary": {"status": outcome, "summary": "ok"}}
    return {
        "task_id": tid,
        "run_id": "R1",
        "assignee": assignee,
        "status": "completed",
        "output": output,
    }


@pytest.fixture(scope="module")
def small_run():
    """Assignee a: 2 conversations (7 and 9 agent words), 2 unanswered calls, 1 voicemail the
    agent spoke 2 words into; b: 1 conversation (5 agent words)."""
    return load_run(
        [
            task("T1", "a", "our price is low today ok", "hi", "Interested"),
            task("T2", "a", "a b c d e f g h", "yes", "Not Interested"),
            task("T3", "a"),
            task("T4", "a"),
            task("T5", "a", "price price", call_status="voicemail"),
            task("T6", "b", "one two three four", "price", "Interested"),
        ]
    )


@pytest.fixture(scope="module")
def small(small_run, tmp_path_factory):
    return build_report(small_run, tmp_path_factory.mktemp("small") / "report")


def csv(page: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(page.parent / "tables" / f"{name}.csv", keep_default_na=False)


# --- 1. denominators --------------------------------------------------------------------------


def test_conversation_medians_cover_calls_with_a_conversation_only(small):
    # a: median agent words over its 2 conversations is (7 + 9) / 2 = 8, not the median of
    # 7, 9, 0, 0, 2 over all its calls (2)
    summary = csv(small, "conversation_by_assignee").set_index("assignee")
    assert summary.loc["a", "n_calls"] == 2
    assert summary.loc["a", "agent_words"] == 8
    assert summary.loc["b", "n_calls"] == 1
    assert summary.loc["b", "agent_words"] == 5
    shown = table(small, "Conversation metrics by assignee").set_index("assignee")
    assert shown.loc["a", "calls with a conversation"] == "2"
    assert shown.loc["a", "agent words"] == "8"
    assert shown.loc["a", "agent response gap"] == "4.0 s"  # agent, user, agent: 4 s apart


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory):
    return build_report(load_sample(), tmp_path_factory.mktemp("sample") / "r")


def test_the_sample_medians_are_over_conversations(sample_page):
    # the case: over all 91 of its calls space-agent-bolt's median agent words is 48;
    # over its 52 calls with a conversation it is 158.5
    summary = csv(sample_page, "conversation_by_assignee").set_index("assignee")
    assert summary.loc["space-agent-bolt", "n_calls"] == 52
    assert summary.loc["space-agent-bolt", "agent_words"] == 158.5


def test_keyword_rates_cover_calls_with_a_conversation_only(small):
    # a: "price" in T1 of its 2 conversations (the voicemail T5 does not count): 1/2
    rates = csv(small, "keyword_rates").set_index(["assignee", "lexicon"])
    assert rates.loc[("a", "price"), ["n", "count"]].tolist() == [2, 1]
    assert rates.loc[("b", "price"), ["n", "count"]].tolist() == [1, 1]
    shown = table(small, "Keyword hit rates").set_index("assignee")
    assert shown.loc["a", "price"] == "50% (9-91%)"


def test_each_table_n_is_its_plot_n(small_run, tmp_path, monkeypatch):
    seen = {}

    def spy(name):
        draw = getattr(plots, name)

        def record(data, **options):
            seen[name] = (data, options)
            return draw(data, **options)

        monkeypatch.setattr(plots, name, record)

    for name in ("plot_talk_share", "plot_response_gaps", "plot_keyword_rates"):
        spy(name)
    page = build_report(small_run, tmp_path / "r")
    n_calls = csv(page, "conversation_by_assignee").set_index("assignee")["n_calls"].to_dict()
    assert n_calls == {"a": 2, "b": 1}
    for name in ("plot_talk_share", "plot_response_gaps"):
        features, _ = seen[name]
        assert features["assignee"].value_counts().to_dict() == n_calls
    keywords, options = seen["plot_keyword_rates"]
    groups = keywords.merge(options["calls"][["task_id", "assignee"]], on="task_id")
    assert groups["assignee"].value_counts().to_dict() == n_calls
    keyword_n = csv(page, "keyword_rates").groupby("assignee")["n"].first().to_dict()
    assert keyword_n == n_calls


def test_captions_state_the_conversation_rule(small):
    text = visible_text(small)
    rule = "over 3 calls with a conversation: at least one agent turn and one user turn"
    assert text.count(rule) >= 3  # the section, its figures and its tables


def test_per_dial_rates_beside_the_rate_among_calls_with_an_outcome(small):
    dial = csv(small, "dial_rates").set_index("assignee")
    assert dial.loc["a", ["n", "count", "rate"]].tolist() == [5, 1, 0.2]
    shown = table(small, "Interested per call made").set_index("assignee")
    # Wilson 95%: 1 of 5 is 3.6-62.4%, 1 of 2 is 9.5-90.5%
    assert shown.loc["a"].to_dict() == {
        "calls made": "5",
        "Interested": "1",
        "per call made": "20% (4-62%)",
        "per call with an outcome": "50% (9-91%)",
    }
    assert "every call made" in visible_text(small)


# --- 2. empty and odd input ---------------------------------------------------------------------


def test_an_empty_run_says_it_has_no_tasks(tmp_path):
    page = build_report(load_run({"data": []}), tmp_path / "r")
    text = visible_text(page)
    assert "This run has no tasks" in text
    assert "0 runs" not in text
    assert "0 tasks" not in text
    assert "<img" not in page.read_text(encoding="utf-8")
    assert (page.parent / "tables" / "overview.csv").exists()


def _impossible_values() -> dict:
    raw = make_run(60, random_state=3)
    timed = [t for t in raw["data"] if (t.get("output") or {}).get("duration") is not None]
    timed[0]["output"]["duration"] = -30
    timed[1]["output"]["duration"] = 1e308
    timed[2]["output"]["duration"] = 9 * 3600
    for t in raw["data"]:
        t["assignee"] = None
    return raw


NA_TEXT = re.compile(r"<NA>|\b(nan|NaN|None|NaT|inf)\b")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(load_sample, id="sample"),
        pytest.param(lambda: load_run({"data": []}), id="empty"),
        pytest.param(lambda: load_run(_edge_runs()["no assignee"]), id="no assignee"),
        pytest.param(lambda: load_run(_impossible_values()), id="impossible values"),
    ],
)
def test_no_cell_shows_na_nan_or_none(source, tmp_path):
    page = build_report(source(), tmp_path / "r")
    cells = [c for rows in page_tables(page).values() for row in rows for c in row]
    assert cells
    assert [c for c in cells if NA_TEXT.search(c)] == []
    assert not NA_TEXT.search(visible_text(page))


def test_counts_agree_in_number(small_run, tmp_path):
    one = load_run([*_edge_runs()["no assignee"][:1], task("T9", "a", "hello there", "hi")])
    text = visible_text(build_report(one, tmp_path / "r"))
    assert "2 tasks by 1 assignee." in text
    assert not re.search(r"\b1 (tasks|calls|assignees|findings)\b", text)
    text = visible_text(build_report(load_run([task("T1", "a", "hi", "yo")]), tmp_path / "s"))
    assert "1 task by 1 assignee." in text


# --- 3. atomic ----------------------------------------------------------------------------------


def test_a_full_disk_midway_keeps_the_previous_report(small_run, tmp_path, monkeypatch):
    out = tmp_path / "report"
    build_report(small_run, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(report_module, "save_table", _failing_after(3))
    other_run = load_run([task("T7", "c", "hello there", "hi", "Call Back")])
    with pytest.raises(OSError, match="No space left"):
        build_report(other_run, out)  # 3 of its tables differ from the previous ones
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert os.listdir(tmp_path) == ["report"]


def test_a_failure_on_the_first_build_leaves_nothing(small_run, tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "save_table", _failing_after(5))
    with pytest.raises(OSError, match="No space left"):
        build_report(small_run, tmp_path / "report")
    assert os.listdir(tmp_path) == []


def _failing_after(n: int):
    """A table writer that writes ``n`` tables, then fails as a full disk does."""
    save = report_module.save_table
    written = []

    def save_table(frame, path, **options):
        if len(written) == n:
            raise OSError(28, "No space left on device")
        written.append(path)
        return save(frame, path, **options)

    return save_table


def test_a_report_never_replaces_a_folder_holding_other_files(small_run, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"notes\.txt, which a report does not write"):
        build_report(small_run, tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]


# --- 4. readable at real sizes ------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_calls(tmp_path_factory):
    """The calls of make_run(80) lasting 100 times longer: hours, not minutes."""
    raw = make_run(80, random_state=2)
    for t in raw["data"]:
        output = t.get("output") or {}
        if isinstance(output.get("duration"), int | float):
            output["duration"] *= 100
            output.pop("end_time", None)
    return build_report(load_run(raw), tmp_path_factory.mktemp("long") / "r")


def test_long_durations_read_in_minutes_or_hours_never_in_scientific_notation(long_calls):
    cells = [c for rows in page_tables(long_calls).values() for row in rows for c in row]
    assert not [c for c in cells if re.search(r"\de[+-]\d", c)]
    shown = table(long_calls, "Duration by assignee")
    raw = csv(long_calls, "durations")
    median_header = next(c for c in shown.columns if c.startswith("median"))
    assert median_header == "median (95% CI), h"
    # medians of 1-4 hours (3,300-14,200 s) read in hours: the csv's seconds / 3600, to 0.1 h
    expected = [f"{m / 3600:,.1f}" for m in raw["median_s"]]
    assert [c.split(" (")[0] for c in shown[median_header]] == expected
    longest_header = next(c for c in shown.columns if c.startswith("longest"))
    assert longest_header == "longest, h"


def test_table_headers_are_words_and_the_csvs_keep_raw_names(built):
    headers = [row for rows in page_tables(built).values() for row in rows[:1]]
    raw = [h for row in headers for h in row if "_" in h]
    assert raw == []
    assert {"median_ci_low", "median_s"} <= set(csv(built, "durations").columns)
    assert "p_value" in csv(built, "group_comparison").columns


def _twenty_assignees(n_tasks: int = 200) -> dict:
    raw = make_run(n_tasks, random_state=1)
    for i, t in enumerate(raw["data"]):
        t["assignee"] = f"agent-{i % 20:02d}"
    return raw


def test_tables_do_not_grow_sideways_with_the_number_of_assignees(built, tmp_path):
    twenty = build_report(load_run(_twenty_assignees()), tmp_path / "r")
    few, many = page_tables(built), page_tables(twenty)
    assert set(few) == set(many)
    widths = {h: (len(few[h][0]), len(many[h][0])) for h in few if not h.startswith("Outcome")}
    assert widths == {h: (w, w) for h, (w, _) in widths.items()}
    assert max(len(many[h][0]) for h in many) <= 12
    outcomes = table(twenty, "Outcome rates")
    assert len(outcomes) == 20  # one row per assignee
    assert len(outcomes.columns) <= 2 + 8  # assignee, n, the outcomes some assignee has


def test_every_table_scrolls_sideways_inside_the_page(built):
    page = built.read_text(encoding="utf-8")
    assert page.count("<table") == page.count("<div class=scroll><table")
    assert ".scroll{overflow-x:auto}" in page


def test_the_run_id_in_the_header_wraps(built):
    page = built.read_text(encoding="utf-8")
    assert re.search(r"header h1\{[^}]*overflow-wrap:anywhere", page)


def test_outcome_grid_leaves_out_outcomes_no_group_has(small):
    shown = table(small, "Outcome rates")
    assert list(shown.columns) == [
        "assignee",
        "calls with an outcome",
        "Interested",
        "Not Interested",
    ]
    assert shown.set_index("assignee").loc["a", "Interested"] == "50% (9-91%)"


def test_keyword_table_lexicons_in_the_order_of_the_keyword_frame(small_run, tmp_path):
    lexicons = {"zeta": ["price"], "alpha": ["hello"], "mid_word": ["yes"]}
    page = build_report(small_run, tmp_path / "r", lexicons=lexicons)
    assert list(table(page, "Keyword hit rates").columns) == [
        "assignee",
        "calls with a conversation",
        "zeta",
        "alpha",
        "mid word",
    ]


def test_redaction_leaves_numbers_alone(sample_page):
    # "106 (93-124)" has the digits and separators of a phone number; it is a median
    shown = table(sample_page, "Duration by assignee")
    medians = shown["median (95% CI), s"]
    assert medians.str.fullmatch(r"\d+ \(\d+-\d+\)").all(), medians.tolist()
    cells = [c for rows in page_tables(sample_page).values() for row in rows for c in row]
    assert not [c for c in cells if "[phone]" in c]


# --- 5. hostile input: nothing from the data becomes markup ------------------------------------

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</table></div><h1>owned",
    "Tom &amp; Jerry & co",
    "javascript:alert(document.cookie)",
    "<style>body{display:none}</style>",
    "nul\x00and\rcr",
    "$x^$ costs $5 or $6",  # matplotlib would read it as mathematics, and fail
)
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "code", "nav", "a",
    "main", "section", "h2", "em", "figure", "img", "figcaption", "div", "h3", "table", "thead",
    "tbody", "tr", "th", "td", "br", "span",
}  # fmt: skip
"""Every element the page's template writes: anything else came from the data."""


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text as the browser reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def elements(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def shown_as(value: str) -> str:
    """A string as the page shows it, whitespace left out: control characters (NUL) become
    U+FFFD, a CR a line break."""
    return "".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", value).split())


def hostile_run(value: str):
    """A small run holding ``value`` in every field the page shows: run id, assignee, task and
    call status, outcome label, summary, labels, and a malformed duration (a problem row)."""
    tasks = [
        task("T1", value, "hello there price", "hi", "Interested"),
        task("T2", "b", "hello price", "yes", "Call Back"),
        task("T3", value),
    ]
    for t in tasks:
        t["run_id"] = value
    output = tasks[0]["output"]
    output["post_call_data"] = {
        "summary": {"status": value, "summary": value},
        "classification": {"labels": [value, "ok"]},
    }
    tasks[1]["output"]["duration"] = value
    tasks[2]["status"] = value
    tasks[2]["output"]["call_status"] = value
    return load_run(tasks)


def assert_only_the_template(page: Path) -> _Elements:
    found = elements(page)
    tags = [tag for tag, _ in found.tags]
    assert set(tags) <= PAGE_TAGS, set(tags) - PAGE_TAGS
    assert tags.count("style") == 1
    assert tags.count("h1") == 1
    for tag, attrs in found.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            assert set(attrs) == {"alt", "src"}
            assert attrs["src"].startswith("data:image/png;base64,")
        if tag == "a":
            assert attrs["href"].startswith("#")
    return found


@pytest.mark.filterwarnings("ignore:Glyph 0:UserWarning")  # matplotlib has no glyph for NUL
@pytest.mark.filterwarnings("ignore:Glyph 13:UserWarning")  # nor for CR
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("redact", [True, False], ids=["redacted", "raw"])
def test_hostile_strings_never_become_markup(value, redact, tmp_path):
    page = build_report(hostile_run(value), tmp_path / "r", redact=redact)
    found = assert_only_the_template(page)
    text = "".join("".join(found.text).split())
    # in the title, the heading, the lead, the tables (assignee, statuses, problem detail)
    assert text.count(shown_as(value)) >= 6, text
    raw = page.read_text(encoding="utf-8")
    if set(value) & set('<>&"'):
        assert value not in raw
    assert "\x00" not in raw


def test_the_overview_lead_escapes_the_run_id(tmp_path):
    page = build_report(hostile_run("<script>alert(1)</script>"), tmp_path / "r")
    lead = re.search(
        r"<section id=overview><h2>[^<]*</h2><p class=lead>(.*?)</p>", page.read_text()
    )
    assert lead is not None
    assert lead.group(1).startswith("Run &lt;script&gt;alert(1)&lt;/script&gt;: 3 tasks")
    assert "<em>connected</em>" in lead.group(1)  # the page's own markup stays markup


def test_lexicon_names_reach_the_page_as_text_only(small_run, tmp_path):
    with pytest.raises(ValueError, match="identifier"):
        build_report(small_run, tmp_path / "r", lexicons={"<script>x</script>": ["price"]})
    assert not (tmp_path / "r").exists()
    page = build_report(small_run, tmp_path / "s", lexicons={"script_alert": ["price"]})
    assert_only_the_template(page)
    assert "script alert" in table(page, "Keyword hit rates").columns


# --- 6. redaction errs toward masking, and masks before it cuts ---------------------------------


def with_problems(run, problems: dict[str, str]):
    """``run`` with loader problems (field -> message) added for task T1."""
    more = pd.DataFrame(
        {"task_id": "T1", "field": list(problems), "problem": list(problems.values())}
    )
    table = pd.concat([run.problems, more], ignore_index=True)
    return dataclasses.replace(run, problems=table.astype(run.problems.dtypes.to_dict()))


CUT_MESSAGES = {
    # the loader quotes a value it cannot read, cut short: a cut address or number is still one
    "duration": "unreadable duration 'please call back on asha.rao@exam; left NA",
    "cost": "unreadable cost 'asha.rao@example...xxxxxxxxxxxxxxxxxx'; left NA",
    "start_time": "unreadable start_time 'ring +91 98765 4...'; left NA",
    "end_time": "unreadable end_time 'ring 98765\\xa043...'; left NA",
}


def test_addresses_and_numbers_cut_short_in_problem_messages_are_masked(small_run, tmp_path):
    page = build_report(with_problems(small_run, CUT_MESSAGES), tmp_path / "r")
    text = written_text(page.parent)
    assert "asha" not in text
    assert "98765" not in text
    details = csv(page, "quality").set_index("field")["detail"]
    assert details["duration"] == "unreadable duration 'please call back on [email]; left NA"
    assert details["end_time"] == "unreadable end_time 'ring [phone]...'; left NA"


def test_values_the_loader_quotes_are_masked(tmp_path):
    tasks = [task(f"T{i}", "a", "hello there", "hi", "Interested") for i in range(3)]
    tasks[0]["output"]["duration"] = "x" * 46 + "asha.rao@example.com"
    tasks[1]["output"]["duration"] = "asha.rao@example.com " + "y" * 60
    tasks[2]["output"]["cost"] = {"phone": "+91\u00a098765\u00a043210", "n": [1, 2, 3]}
    page = build_report(load_run(tasks), tmp_path / "r")
    text = written_text(page.parent)
    assert "rao@" not in text
    assert "98765" not in text
    assert csv(page, "quality")["check"].eq("unreadable").sum() == 3


def test_page_cells_are_cut_after_masking(small_run, tmp_path):
    # a long problem message: the page shows its first 160 characters or so, masked; the CSV
    # holds it whole, masked too; the address across the cut leaks in neither
    long = "unreadable note " + "word " * 28 + "ring +91 98765 43210 or asha.rao@example.com"
    page = build_report(with_problems(small_run, {"note": long}), tmp_path / "r")
    header, *rows = page_tables(page)["Findings"]
    shown = pd.DataFrame(rows, columns=header).set_index("field").loc["note", "detail"]
    assert len(shown) <= report_module.MAX_CELL_CHARS + 1
    assert shown.endswith("…")
    assert shown.startswith("unreadable note word word")
    whole = csv(page, "quality").set_index("field").loc["note", "detail"]
    assert whole.endswith("ring [phone] or [email]")
    text = written_text(page.parent)
    assert "asha" not in text
    assert "98765" not in text


FIRST_NAMES = ["Asha", "María", "José", "Zoë", "Björn", "Renée", "Łukasz", "Søren", "Meera"]
LAST_NAMES = ["Rao", "Núñez", "Müller", "Iyer", "Dvořák", "Ferreira", "Okonkwo"]


def fold(text: str) -> str:
    """Lower case without accents (what the redaction compares)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@st.composite
def written_as(draw, name: str) -> str:
    """``name`` as a transcript or a summary may spell it: any case, accents or none, composed
    or decomposed."""
    spelled = draw(st.sampled_from([name, name.upper(), name.lower(), fold(name).title()]))
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), spelled)


def varied(phone: str) -> bool:
    """4 different digits or more, as a real number has: 0000000000 is in many a float."""
    return len(set(re.sub(r"\D", "", phone))) >= 4


@st.composite
def contacts(draw) -> dict:
    first, last = draw(st.sampled_from(FIRST_NAMES)), draw(st.sampled_from(LAST_NAMES))
    full = f"{first} {last}"
    return {
        "name": full,
        "spelled": [draw(written_as(n)) for n in (full, first, last)],
        "phones": [draw(phones().filter(varied)) for _ in range(3)],
        "emails": [draw(emails()) for _ in range(3)],
    }


def planted_task(i: int, contact: dict) -> dict:
    """A task holding the contact's name, numbers and addresses everywhere a task has text."""
    full, first, last = contact["spelled"]
    (p1, p2, p3), (e1, e2, e3) = contact["phones"], contact["emails"]
    t = task(f"T{i}", "a", f"Hello {first}, is {p1} yours?", f"Yes. Mail {e1}", "Interested")
    t["input"] = {"name": contact["name"], "contact_number": p1, "email": e1, "notes": full}
    output = t["output"]
    output["customer"] = contact["name"]
    output["duration"] = f"{p2} / {e2}"  # unreadable: a problem row quoting the value
    output["post_call_data"] = {
        "summary": {
            "status": f"Call {last} on {p3}",  # an unknown outcome label: a quality finding
            "summary": f"{full} asked us to call {p2} or mail {e3}; {last} is busy.",
            "name": contact["name"],
        },
        "classification": {"labels": [first, p3, e2]},
        "structured_data": {"who": full, "phone": p3, "email": e3},
    }
    return t


def renderings(value: str) -> set[str]:
    """How a written file may hold ``value``: as it is, HTML-, JSON- or CSV-escaped."""
    return {value, html.escape(value), json.dumps(value)[1:-1], value.replace('"', '""')}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(contacts(), min_size=1, max_size=3))
def test_planted_personal_data_never_reaches_a_written_file(people):
    run = load_run([planted_task(i, c) for i, c in enumerate(people)])
    with tempfile.TemporaryDirectory() as out, mock.patch.object(report_module, "_draw") as draw:
        draw.return_value = b"png"  # figures are pictures: no text to search, and slow to draw
        page = build_report(run, Path(out) / "r")
        files = {
            p.name: p.read_text(encoding="utf-8") for p in page.parent.rglob("*") if p.is_file()
        }
    assert {"index.html", "calls.csv", "quality.csv"} <= set(files)
    for name, text in files.items():
        words = fold(text)
        for person in people:
            for value in person["phones"] + person["emails"] + [person["name"]]:
                assert not {v for v in renderings(value) if v in text}, (name, value)
            for phone in person["phones"]:
                assert re.sub(r"\D", "", phone) not in text, (name, phone)
            for part in fold(person["name"]).split():
                word = rf"(?<![^\W\d_]){re.escape(part)}(?![^\W\d_])"
                assert not re.search(word, words), (name, part)
