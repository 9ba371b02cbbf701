"""build_report's campaign sections: agents' funnel and cost first, then trends, timing, end
reasons, follow-ups and the calls to review; every table a CSV, personal data masked.

Small literal runs give numbers computed by hand (the arithmetic is in the comments); a
make_run run checks that the page and the CSVs hold what the analysis functions return.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from test_report import csv, elements, table, visible_text, written_text

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.review.queue import REVIEW_SCHEMA, review_queue
from analytics.stats.campaign import call_timing, end_reasons, funnel, outcome_trend
from analytics.stats.follow_ups import FOLLOW_UPS_SCHEMA, follow_ups
from analytics.viz._campaign import AGENTS_HEADING, separation, trend_freq
from analytics.viz._display import Link
from analytics.viz._format import format_significant
from analytics.viz._html import link_html
from analytics.viz.report import build_report

NOW = "2026-02-01T05:00Z"
SECTIONS = [
    "Run overview",
    "Agents: funnel and cost",
    "Trends",
    "When to call",
    "Why calls end",
    "Follow-ups",
    "Calls to review",
    "Call durations",
    "Outcomes by assignee",
    "Conversation metrics",
    "Keyword trackers",
    "Data quality",
]
CAMPAIGN_CSVS = ("funnel", "call_timing", "end_reasons", "follow_ups", "review_queue")


def call(
    tid: str,
    assignee: str,
    outcome: str = "Interested",
    *,
    start: str = "2026-01-31 11:00:00",
    user: str = "Sounds good, tell me more.",
    **output: object,
) -> dict:
    """A connected call of 60 s: agent, caller, agent, 2 s apart (no slow reply), evaluated
    with ``outcome``; ``output`` adds fields (``cost``, ``contact_number``, ``recording_url``);
    ``callback`` goes to ``post_call_data.summary.callback_datetime``."""
    t0 = pd.Timestamp(start, tz="UTC")
    lines = [("assistant", "Hello, this is Acme."), ("user", user), ("assistant", "Thanks, bye.")]
    transcript = [
        {"role": r, "content": c, "timestamp": (t0 + pd.Timedelta(seconds=1 + 2 * i)).isoformat()}
        for i, (r, c) in enumerate(lines)
    ]
    summary: dict[str, object] = {"status": outcome, "summary": "ok"}
    if "callback" in output:
        summary["callback_datetime"] = output.pop("callback")
    body = {
        "call_id": f"c{tid}",
        "call_status": "completed",
        "duration": 60,
        "start_time": start,
        "end_time": str(pd.Timestamp(start) + pd.Timedelta(seconds=60)),
        "transcript": transcript,
        "post_call_data": {"summary": summary},
        **output,
    }
    return {
        "task_id": tid,
        "run_id": "R1",
        "assignee": assignee,
        "status": "completed",
        "output": body,
    }


def headings(page: Path) -> list[str]:
    return re.findall(r"<h2>([^<]*)</h2>", page.read_text(encoding="utf-8"))


# --- a small literal run: the headline by hand -------------------------------------------------


@pytest.fixture(scope="module")
def costed(tmp_path_factory) -> Path:
    """a: 4 calls costing 0.10 each, 2 Interested; b: 2 calls without a cost, 1 Interested."""
    run = load_run(
        [
            call("T1", "a", cost=0.1),
            call("T2", "a", cost=0.1),
            call("T3", "a", "Not Interested", cost=0.1),
            call("T4", "a", "Not Interested", cost=0.1),
            call("T5", "b"),
            call("T6", "b", "Not Interested"),
        ]
    )
    return build_report(run, tmp_path_factory.mktemp("costed") / "r", now=NOW)


def test_the_headline_is_on_the_first_screen_in_numbers_computed_by_hand(costed):
    shown = table(costed, AGENTS_HEADING[:30]).set_index("assignee")
    # a: 2 Interested of 4 dials = 50%, Wilson 95% (15.0-85.0%); cost 4 x 0.10 / 2 = 0.200
    # b: 1 of 2 = 50%, Wilson 95% (9.5-90.5%); no call with a cost
    assert shown.loc["a", "dials"] == "4"
    assert shown.loc["a", "Interested"] == "2"
    assert shown.loc["a", "Interested per dial (95% CI)"] == "50% (15-85%)"
    assert shown.loc["a", "cost per Interested (95% CI)"].startswith("0.200 (")
    assert shown.loc["a", "calls with a cost"] == "4"
    assert shown.loc["b", "Interested per dial (95% CI)"] == "50% (9-91%)"
    assert shown.loc["b", "cost per Interested (95% CI)"] == "no known cost"
    assert shown.loc["b", "calls with a cost"] == "0"
    page = costed.read_text(encoding="utf-8")
    overview = page[page.index("<section id=overview>") : page.index("</section>")]
    assert overview.index(AGENTS_HEADING[:30]) < overview.index("<img")  # before the figure


def test_the_headline_says_when_the_data_do_not_separate_the_assignees(costed):
    text = html.unescape(visible_text(costed))
    # equal rates, overlapping intervals; only a has a cost: no verdict on cost
    assert "Interested per dial: a is highest, but its interval overlaps b's" in text
    assert "so the data do not separate them" in text
    assert "Cost per Interested:" not in text
    assert "calls.cost, in the account's currency as the platform bills it" in text
    assert "seeded percentile bootstrap" in text


def test_the_funnel_csv_is_the_funnel(costed):
    written = csv(costed, "funnel")
    assert written["dials"].tolist() == [4, 2]
    assert written["outcomes"].tolist() == [2, 1]
    assert float(written["cost_total"][0]) == pytest.approx(0.4)
    assert float(written["cost_per_outcome"][0]) == pytest.approx(0.2)
    assert written["cost_total"][1] == ""  # no known cost: empty, not 0


# --- a make_run run: the page holds what the analyses return -----------------------------------


@pytest.fixture(scope="module")
def run():
    return load_run(make_run(80, random_state=2))


@pytest.fixture(scope="module")
def built(run, tmp_path_factory) -> Path:
    return build_report(run, tmp_path_factory.mktemp("campaign") / "r", now=NOW)


def test_sections_come_in_order_after_the_overview(built):
    assert headings(built) == SECTIONS
    for key in ("agents", "trends", "timing", "end-reasons", "follow-ups", "review"):
        assert f'<a href="#{key}">' in built.read_text(encoding="utf-8")


def test_every_campaign_csv_has_the_analysis_columns(run, built):
    expected = {
        "funnel": funnel(run.calls, by="assignee"),
        "outcome_trend": outcome_trend(run.calls, freq="D"),
        "call_timing": call_timing(run.calls),
        "end_reasons": end_reasons(run.calls),
        "follow_ups": follow_ups(run, now=NOW),
        "review_queue": review_queue(run, n=20).drop(columns="recording_url"),  # redacted
    }
    for name, frame in expected.items():
        written = csv(built, name)
        assert list(written.columns) == list(frame.columns), name
        assert len(written) == len(frame), name
    assert list(csv(built, "follow_ups").columns) == list(FOLLOW_UPS_SCHEMA)
    assert "call_id" in csv(built, "review_queue").columns


def test_the_headline_numbers_are_those_of_funnel(run, built):
    steps = funnel(run.calls, by="assignee").set_index("assignee")
    shown = table(built, AGENTS_HEADING[:30]).set_index("assignee")
    assert list(shown.index) == list(steps.index)  # name order, not ranked
    assert shown["dials"].tolist() == [str(n) for n in steps["dials"]]
    assert shown["Interested"].tolist() == [str(n) for n in steps["outcomes"]]
    assert shown["calls with a cost"].tolist() == [str(n) for n in steps["n_costed"]]
    per_dial = steps[["per_dial_rate", "per_dial_ci_low", "per_dial_ci_high"]]
    rates = [f"{r:.0%} ({100 * lo:.0f}-{hi:.0%})" for r, lo, hi in per_dial.itertuples(index=False)]
    assert shown["Interested per dial (95% CI)"].tolist() == rates
    known = steps["cost_per_outcome"].notna()
    costs = [format_significant(c) for c in steps.loc[known, "cost_per_outcome"]]
    cells = shown.loc[known.to_numpy(), "cost per Interested (95% CI)"]
    assert [c.split(" (")[0] for c in cells] == costs
    written = pd.read_csv(built.parent / "tables" / "funnel.csv")
    for column in ("cost_per_outcome", "cost_ci_low", "cost_ci_high", "per_dial_rate"):
        expected = steps[column].astype(float).tolist()
        assert written[column].tolist() == pytest.approx(expected, nan_ok=True), column


def test_trend_timing_and_end_reason_tables_are_the_analyses(run, built):
    trend = outcome_trend(run.calls, freq="D")  # the calls span about 3 days: daily
    shown = table(built, "Interested rate per period")
    assert shown["calls with an outcome"].tolist() == [str(n) for n in trend["n"]]
    assert shown["period, UTC"].tolist() == [f"{p:%Y-%m-%d}" for p in trend["period"]]
    reasons = end_reasons(run.calls)
    ended = reasons[reasons["field"] == "end_reason"]
    shown = table(built, "End reasons")
    assert shown["calls"].tolist() == [str(n) for n in ended["count"]]
    assert shown["end reason"].tolist() == ended["value"].str.replace("_", " ").tolist()
    timing = table(built, "The busiest weekday and hour cells")
    counts = call_timing(run.calls)["n_calls"].sort_values(ascending=False).tolist()
    assert len(timing) == 12
    assert sorted((int(n) for n in timing["calls"]), reverse=True) == counts[:12]
    assert built.read_text(encoding="utf-8").count("<img") >= 13  # 7 figures before + 6 new


def test_follow_ups_are_judged_overdue_at_now(run, built):
    leads = follow_ups(run, now=NOW)
    written = csv(built, "follow_ups")
    assert (
        written["overdue"].tolist()
        == leads["overdue"].map({True: "True", False: "False"}).fillna("").tolist()
    )
    overdue = int(leads["overdue"].fillna(False).sum())
    assert f"{overdue} of those were due before 2026-02-01 05:00 UTC" in visible_text(built)


# --- personal data in the new tables -------------------------------------------------------------


@pytest.fixture(scope="module")
def personal():
    """T1: a Call Back whose contact, summary and caller turn hold a phone number, and who asks
    not to be called (an opt-out: in the review queue); T2: a Send Details lead with a short
    contact number and a requested time that is not a time; T3: an opt-out whose recording
    URL is a script, not a link."""
    phone = "+91 98765 43210"
    return load_run(
        [
            call(
                "T1",
                "a",
                "Call Back",
                contact_number=phone,
                callback="2026-02-01T10:00:00+05:30",
                recording_url="https://rec.example/T1.ogg",
                user="Stop calling me. If you must, my number is 98765 43210.",
            ),
            call(
                "T2",
                "a",
                "Send Details",
                contact_number="4471",
                callback="after lunch, ask for Ravi",
                recording_url="https://rec.example/T2.ogg",
            ),
            call(
                "T3",
                "b",
                "Not Interested",
                recording_url="javascript:alert(1)",
                user="Remove me from your list.",
            ),
        ]
    )


def test_redaction_masks_contacts_and_excerpts_and_drops_recordings(personal, tmp_path):
    page = build_report(personal, tmp_path / "r", now=NOW)
    text = written_text(page.parent)
    assert "98765" not in text
    assert "4471" not in text  # too short for the phone pattern: masked whole
    assert "https://" not in text
    assert "javascript:" not in text
    assert "recording_url" not in text
    leads = csv(page, "follow_ups").set_index("task_id")
    assert leads.loc["T1", "contact"] == "[redacted]"
    assert leads.loc["T2", "contact"] == "[redacted]"
    assert leads.loc["T2", "due_text"] == "[redacted]"  # the caller's words, masked whole
    assert "Ravi" not in (page.parent / "tables" / "follow_ups.csv").read_text()
    queue = csv(page, "review_queue").set_index("task_id")
    assert "[phone]" in queue.loc["T1", "excerpt"]
    shown = table(page, "Calls to review")
    assert "recording" not in shown.columns
    assert any("[phone]" in e for e in shown["excerpt"])
    shown = table(page, "Follow-ups")
    assert set(shown["contact"]) == {"[redacted]"}
    assert shown["as said"].tolist() == ["", "[redacted]"]  # T2: no time, its words masked


def test_unredacted_recordings_are_safe_links(personal, tmp_path):
    page = build_report(personal, tmp_path / "r", redact=False, now=NOW)
    raw = page.read_text(encoding="utf-8")
    link = '<a href="https://rec.example/T1.ogg" rel="noopener noreferrer">recording</a>'
    assert link in raw
    assert 'href="javascript' not in raw
    assert "javascript:alert(1)" in visible_text(page)  # shown as text
    for tag, attrs in elements(page).tags:
        if tag == "a" and not attrs["href"].startswith("#"):
            assert attrs["href"].startswith("https://")
            assert attrs["rel"] == "noopener noreferrer"
    assert "https://rec.example/T1.ogg" in csv(page, "review_queue")["recording_url"].tolist()
    shown = table(page, "Follow-ups")
    assert "98765 43210" in shown["contact"].tolist()[0]
    # T1 due 04:30 UTC first; T2's words are not a time: shown as said, last
    assert shown["due"].tolist() == ["2026-02-01 04:30", ""]
    assert shown["as said"].tolist() == ["", "after lunch, ask for Ravi"]


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://rec.example/a.ogg", True),
        ("HTTP://rec.example/a.ogg", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https://rec.example/a b", False),  # whitespace: not one URL
        ("//rec.example/a.ogg", False),
        ("", False),
    ],
)
def test_only_http_urls_become_links(url, linked):
    written = link_html(Link(url))
    assert written.startswith("<a href=") is linked
    assert "<script" not in written


def test_a_link_escapes_its_url():
    written = link_html(Link('https://x.example/?a=1&b="><script>'))
    assert written == (
        '<a href="https://x.example/?a=1&amp;b=&quot;&gt;&lt;script&gt;" '
        'rel="noopener noreferrer">recording</a>'
    )


# --- empty and odd inputs ------------------------------------------------------------------------


def test_one_day_without_costs_follow_ups_or_signals_says_so(tmp_path):
    quiet = load_run(
        [call("T1", "a"), call("T2", "b", "Not Interested", start="2026-01-31 12:00:00")]
    )
    page = build_report(quiet, tmp_path / "r", now=NOW)
    text = visible_text(page)
    assert "Trends" not in headings(page)  # one day: no trend
    assert not (page.parent / "tables" / "outcome_trend.csv").exists()
    assert "No follow-ups in these calls." in text
    assert "No call raised a review signal." in text
    assert "No call has a cost" in text
    assert set(table(page, AGENTS_HEADING[:30])["cost per Interested (95% CI)"]) == {
        "no known cost"
    }
    assert csv(page, "review_queue").empty
    assert list(csv(page, "review_queue").columns) == [
        c for c in REVIEW_SCHEMA if c != "recording_url"
    ]


def test_an_empty_run_writes_every_campaign_csv_with_its_columns(tmp_path):
    page = build_report(load_run({"data": []}), tmp_path / "r")
    assert headings(page) == ["Run overview"]
    for name in CAMPAIGN_CSVS:
        assert (page.parent / "tables" / f"{name}.csv").exists(), name
    assert list(csv(page, "follow_ups").columns) == list(FOLLOW_UPS_SCHEMA)
    assert "dials" in csv(page, "funnel").columns
    assert AGENTS_HEADING not in page.read_text(encoding="utf-8")


def test_weeks_of_calls_trend_by_week(tmp_path):
    # 2026-01-05 (Mon) to 2026-01-27 (Tue): 22 days, 3 weeks or more: weekly
    starts = ["2026-01-05 10:00:00", "2026-01-14 10:00:00", "2026-01-27 10:00:00"]
    weeks = load_run([call(f"T{i}", "a", start=s) for i, s in enumerate(starts)])
    page = build_report(weeks, tmp_path / "r", now=NOW)
    shown = table(page, "Interested rate per period")
    # weeks end on Sundays: Jan 11, 18, 25 and Feb 1; a week without calls has no rate
    assert shown["period, UTC"].tolist() == [
        "2026-01-05 to 2026-01-11",
        "2026-01-12 to 2026-01-18",
        "2026-01-19 to 2026-01-25",
        "2026-01-26 to 2026-02-01",
    ]
    assert shown["calls with an outcome"].tolist() == ["1", "1", "0", "1"]
    assert shown["Interested rate (95% CI)"].tolist()[2] == ""


@pytest.mark.parametrize(
    ("first", "last", "freq"),
    [
        ("2026-01-01", "2026-01-22", "W"),  # 21 days
        ("2026-01-01", "2026-01-21 23:59", "D"),
        ("2026-01-01", "2026-01-03", "D"),  # 2 days
        ("2026-01-01", "2026-01-02 23:59", None),
    ],
)
def test_the_trend_period_follows_the_span_of_the_calls(first, last, freq):
    starts = pd.Series(pd.to_datetime([first, None, last], utc=True, format="ISO8601"))
    assert trend_freq(starts) == freq
    assert trend_freq(pd.Series([], dtype="datetime64[ns, UTC]")) is None


def test_the_time_zone_moves_calls_between_hours_and_days(tmp_path):
    # 2026-01-31 20:00 UTC is a Saturday; in Kolkata (+05:30) it is Sunday 01:30
    late = load_run([call("T1", "a", start="2026-01-31 20:00:00")])
    cells = {}
    for zone in ("UTC", "Asia/Kolkata"):
        page = build_report(late, tmp_path / zone.replace("/", "-"), timezone=zone, now=NOW)
        timing = csv(page, "call_timing")
        cells[zone] = timing.loc[timing["n_calls"] == 1, ["day", "hour"]].values.tolist()
        assert f"Weekdays and hours in {zone}." in visible_text(page)
    assert cells == {"UTC": [["Sat", 20]], "Asia/Kolkata": [["Sun", 1]]}


def test_overdue_depends_on_now(personal, tmp_path):
    # T1 asked for 2026-02-01 10:00 +05:30, that is 04:30 UTC
    for now, overdue in (("2026-02-01T04:00Z", "False"), ("2026-02-01T05:00Z", "True")):
        page = build_report(personal, tmp_path / now[:13], now=now)
        leads = csv(page, "follow_ups").set_index("task_id")
        assert leads.loc["T1", "overdue"] == overdue
        assert leads.loc["T2", "overdue"] == ""  # no time asked for
    page = build_report(personal, tmp_path / "default")
    assert "due before this report was made" in visible_text(page)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"timezone": "Mars/Base"}, "Mars/Base"),
        ({"now": "soon"}, "now 'soon' is not a time"),
    ],
)
def test_bad_options_are_one_line_errors_and_write_nothing(personal, tmp_path, option, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build_report(personal, tmp_path / "r", **option)
    assert not (tmp_path / "r").exists()


# --- the verdict on the intervals -----------------------------------------------------------------


def frame(rates: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(g, *v) for g, v in rates.items()],
        columns=["assignee", "per_dial_rate", "per_dial_ci_low", "per_dial_ci_high"],
    )


def test_separation_rests_on_the_intervals():
    clear = frame({"a": (0.30, 0.20, 0.42), "b": (0.10, 0.05, 0.19)})  # 0.20 > 0.19
    assert separation(clear, "per_dial", "X", best="high") == (
        "X: a is highest, and its interval clears every other assignee's."
    )
    close = frame({"a": (0.30, 0.20, 0.42), "b": (0.10, 0.05, 0.21), "c": (0.25, 0.1, 0.4)})
    assert separation(close, "per_dial", "X", best="high") == (
        "X: a is highest, but its interval overlaps b's and c's, so the data do not separate them."
    )
    # lowest is best (a cost): b's 0.10 with 0.05-0.19 against a's 0.20-0.42
    assert separation(clear, "per_dial", "X", best="low").startswith("X: b is lowest, and")


def test_separation_needs_two_values_and_treats_a_missing_bound_as_open():
    one = frame({"a": (0.30, 0.20, 0.42), "b": (float("nan"),) * 3})
    assert separation(one, "per_dial", "X", best="high") == ""
    unbounded = frame({"a": (0.30, 0.25, 0.42), "b": (0.10, 0.05, float("nan"))})
    assert "overlaps b's" in separation(unbounded, "per_dial", "X", best="high")


def test_separation_names_three_then_counts():
    many = frame(dict.fromkeys("abcdef", (0.2, 0.1, 0.3)))
    assert "overlaps b's, c's, d's and 2 more," in separation(many, "per_dial", "X", best="high")


# --- Dask ---------------------------------------------------------------------------------------


def test_a_dask_run_gives_the_same_campaign_tables(tmp_path):
    wing = pytest.importorskip("analytics.distributed")
    if not hasattr(wing, "review_queue"):
        pytest.skip("review_queue has no Dask side yet")
    import analytics as an

    an.write_dataset(make_run(40, random_state=1), tmp_path / "data", space="S1")
    dataset = an.open_dataset(tmp_path / "data")
    on_dask = build_report(dataset.to_dask(), tmp_path / "dask", now=NOW)
    on_pandas = build_report(dataset.load(), tmp_path / "pandas", now=NOW)
    for name in (*CAMPAIGN_CSVS, "outcome_trend"):
        pd.testing.assert_frame_equal(csv(on_dask, name), csv(on_pandas, name), obj=name)


def test_when_to_call_says_how_many_calls_have_no_start_time(run, built):
    """Unanswered dials often have no start time: the lead counts those left out of the cells."""
    untimed = run.calls["start_time"].isna()
    answered = int(run.calls.loc[untimed, "connected"].fillna(False).sum())
    assert untimed.sum() > answered  # mostly unanswered, as the sentence says
    text = visible_text(built)
    assert f"{int(untimed.sum())} calls without a start time ({answered} of them connected)" in text
