"""Tests of analytics.stats.follow_ups: a hand-built calls table with one case per rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from analytics.load import Run
from analytics.schema import (
    CALLS_SCHEMA,
    FLAG,
    PROBLEMS_SCHEMA,
    TASKS_SCHEMA,
    TEXT,
    TIMESTAMP,
    TURNS_SCHEMA,
    conform,
    empty_frame,
)
from analytics.stats.follow_ups import FOLLOW_UPS_SCHEMA, follow_ups

FOLLOW_UP_COLUMNS = {
    "contact": TEXT,
    "callback_at": TIMESTAMP,
    "callback_text": TEXT,
    "callback_source": TEXT,
    "follow_up_required": FLAG,
    "follow_up_reason": TEXT,
}
"""The columns the loader adds for issue 14 (given here in case CALLS_SCHEMA lacks them)."""

NOW = "2026-02-01T06:00:00Z"


def calls_frame(rows: dict[str, list]) -> pd.DataFrame:
    return conform(pd.DataFrame(rows), {**CALLS_SCHEMA, **FOLLOW_UP_COLUMNS})


@pytest.fixture
def calls() -> pd.DataFrame:
    """L1 Call Back due 10:00 +05:30 (04:30 UTC, before NOW: overdue); L2 Send Details whose
    time "11 AM" is not a time; L3 Interested but follow_up_required, due tomorrow; L4 Not
    Interested, not required (out); L5 Call Back due at L1's time, started earlier than L1;
    L6 no outcome (out); L7 Call Back without a time, started before L2. L2 and L3 have
    follow_up_required, so they are leads whatever ``outcomes`` says."""
    due = "2026-02-01T10:00:00+05:30"
    return calls_frame(
        {
            "task_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
            "call_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7"],
            "run_id": "R1",
            "assignee": ["ava", "bo", "ava", "bo", "cy", "cy", "ava"],
            "customer": ["Asha", "Bala", "Chen", "Dev", "Esi", "Fay", "Gus"],
            "contact": ["+911", "+912", "+913", "+914", "+915", None, "+917"],
            "outcome": [
                "Call Back",
                "Send Details",
                "Interested",
                "Not Interested",
                "Call Back",
                None,
                "Call Back",
            ],
            "summary": ["s1", "s2", "s3", "s4", "s5", "s6", "s7"],
            "start_time": pd.to_datetime(
                [
                    "2026-01-31 10:00",
                    "2026-01-31 12:00",
                    "2026-01-31 13:00",
                    "2026-01-31 14:00",
                    "2026-01-31 09:00",
                    "2026-01-31 15:00",
                    "2026-01-31 11:00",
                ],
                utc=True,
            ),
            "callback_at": pd.to_datetime(
                [due, None, "2026-02-02T09:00Z", None, due, None, None], utc=True, format="ISO8601"
            ),
            "callback_text": [due, "11 AM", "2026-02-02T09:00Z", None, due, None, None],
            "callback_source": [
                "summary.callback_datetime",
                "follow_up.time",
                "structured_data.callback",
                None,
                "summary.callback_datetime",
                None,
                None,
            ],
            "follow_up_required": [None, True, True, False, None, None, None],
            "follow_up_reason": [None, "wants a brochure", "demo", None, None, None, None],
        }
    )


def test_leads_sorted_by_due_with_overdue_flags(calls):
    leads = follow_ups(calls, now=NOW)
    # due: L5 = L1 = 04:30 UTC (L5 started 09:00, L1 10:00), L3 = 2026-02-02 09:00; then the
    # NaT dues by start time: L7 (11:00), L2 (12:00). L4 and L6 are not leads.
    assert leads["task_id"].tolist() == ["L5", "L1", "L3", "L7", "L2"]
    # 04:30 < 06:00 -> overdue; 2026-02-02 09:00 > NOW -> not; NaT -> NA
    assert leads["overdue"].tolist() == [True, True, False, pd.NA, pd.NA]
    assert leads["due"].iloc[0] == pd.Timestamp("2026-02-01 04:30", tz="UTC")
    assert leads["due_text"].tolist()[-1] == "11 AM"
    assert leads["due_source"].tolist()[-1] == "follow_up.time"
    assert leads["outcome"].tolist() == [
        "Call Back",
        "Call Back",
        "Interested",
        "Call Back",
        "Send Details",
    ]
    assert leads.loc[2, "follow_up_reason"] == "demo"
    assert leads["contact"].tolist() == ["+915", "+911", "+913", "+917", "+912"]


def test_columns_and_dtypes_are_the_contract(calls):
    leads = follow_ups(calls, now=NOW)
    assert list(leads.columns) == list(FOLLOW_UPS_SCHEMA)
    assert list(FOLLOW_UPS_SCHEMA) == [
        "task_id",
        "call_id",
        "run_id",
        "assignee",
        "customer",
        "contact",
        "outcome",
        "due",
        "due_text",
        "due_source",
        "overdue",
        "follow_up_reason",
        "summary",
        "start_time",
    ]
    assert {c: str(t) for c, t in leads.dtypes.items()} == FOLLOW_UPS_SCHEMA
    assert leads.index.tolist() == list(range(len(leads)))


def test_a_run_gives_the_same_as_its_calls(calls):
    run = Run(
        tasks=empty_frame(TASKS_SCHEMA),
        calls=calls,
        turns=empty_frame(TURNS_SCHEMA),
        problems=empty_frame(PROBLEMS_SCHEMA),
    )
    pd.testing.assert_frame_equal(follow_ups(run, now=NOW), follow_ups(calls, now=NOW))


def test_input_is_not_modified(calls):
    before = calls.copy()
    follow_ups(calls, now=NOW)
    pd.testing.assert_frame_equal(calls, before)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (("Interested",), ["L3", "L2"]),  # L2 is a lead by follow_up_required
        ("Call Back", ["L5", "L1", "L3", "L7", "L2"]),  # one label as text; L3, L2 required
        ((), ["L3", "L2"]),  # only follow_up_required: L3 (due) before L2 (NaT)
        (["Not Interested"], ["L3", "L2", "L4"]),  # NaT dues by start: L2 12:00, L4 14:00
    ],
)
def test_outcomes_choose_the_leads(calls, outcomes, expected):
    assert follow_ups(calls, now=NOW, outcomes=outcomes)["task_id"].tolist() == expected


def test_a_label_found_in_the_calls_is_an_outcome_too(calls):
    relabelled = calls.assign(outcome=calls["outcome"].replace({"Interested": "Hot Lead"}))
    leads = follow_ups(relabelled, now=NOW, outcomes=["Hot Lead"])
    assert leads["task_id"].tolist() == ["L3", "L2"]  # L2 by follow_up_required


@pytest.mark.parametrize(
    "now",
    [
        "2026-02-01T11:30:00+05:30",  # = 06:00 UTC
        datetime(2026, 2, 1, 6, tzinfo=UTC),
        pd.Timestamp("2026-02-01 01:00", tz="America/New_York"),  # = 06:00 UTC
        "2026-02-01 06:00",  # naive = UTC
    ],
)
def test_now_in_any_form_and_zone(calls, now):
    assert follow_ups(calls, now=now)["overdue"].tolist() == [True, True, False, pd.NA, pd.NA]


def test_now_exactly_at_due_is_not_overdue(calls):
    leads = follow_ups(calls, now="2026-02-01T04:30Z")  # due < now is false when equal
    assert leads["overdue"].tolist()[:2] == [False, False]


def test_now_defaults_to_the_current_time():
    far = calls_frame(
        {
            "task_id": ["past", "future"],
            "outcome": ["Call Back", "Call Back"],
            "callback_at": pd.to_datetime(["2000-01-01", "2200-01-01"], utc=True),
        }
    )
    assert follow_ups(far)["overdue"].tolist() == [True, False]


def test_no_leads_and_empty_input_give_every_column():
    none = calls_frame({"task_id": ["X"], "outcome": ["Interested"]})
    empty = conform(empty_frame(CALLS_SCHEMA), {**CALLS_SCHEMA, **FOLLOW_UP_COLUMNS})
    for frame in (none, empty):
        leads = follow_ups(frame, now=NOW)
        assert leads.empty
        assert {c: str(t) for c, t in leads.dtypes.items()} == FOLLOW_UPS_SCHEMA


def test_a_run_without_the_follow_up_columns_is_told_to_reload():
    old = conform(pd.DataFrame({"task_id": ["X"]}), CALLS_SCHEMA)
    old = old.drop(columns=[c for c in FOLLOW_UP_COLUMNS if c in old.columns])
    with pytest.raises(ValueError, match=r"lacks the columns .*'callback_at'.*this version of"):
        follow_ups(old, now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"now": "soon"}, ValueError, r"now 'soon' is not a time"),
        ({"now": 5}, ValueError, r"now 5 is not a time"),
        ({"outcomes": ["Callback"]}, KeyError, r"'Callback', which is not an outcome.*Call Back"),
        ({"outcomes": [1]}, ValueError, r"outcomes must be text.*got 1"),
    ],
)
def test_bad_options(calls, kwargs, error, match):
    with pytest.raises(error, match=match):
        follow_ups(calls, **{"now": NOW, **kwargs})


def test_not_a_table():
    with pytest.raises(TypeError, match=r"calls must be a pandas DataFrame, got 'list'"):
        follow_ups([{"task_id": "X"}])
    with pytest.raises(ValueError, match=r"lacks the columns \[.*'outcome'.*pass a Run"):
        follow_ups(pd.DataFrame({"task_id": ["X"]}))


def test_the_sample_run_end_to_end(sample_run):
    calls = sample_run.calls
    leads = follow_ups(sample_run, now="2026-02-01")
    wanted = calls["outcome"].isin(["Call Back", "Send Details"]).to_numpy(bool)
    required = calls["follow_up_required"].fillna(False).to_numpy(bool)
    assert len(leads) == (wanted | required).sum()
    due = leads["due"].dropna()
    assert due.is_monotonic_increasing
    assert leads["due"].isna().to_numpy(bool)[len(due) :].all()  # NaT last
    assert (leads["overdue"].dropna() == (due < pd.Timestamp("2026-02-01", tz="UTC"))).all()
