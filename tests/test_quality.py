"""Tests of analytics.stats.quality: a hand-built run with one case per check, and the loader."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from analytics.datasets import make_run
from analytics.load import Run, load_run
from analytics.schema import (
    CALLS_SCHEMA,
    PROBLEMS_SCHEMA,
    QUALITY_CHECKS,
    QUALITY_SCHEMA,
    TASKS_SCHEMA,
    TURNS_SCHEMA,
    conform,
    empty_frame,
)
from analytics.stats.quality import quality_checks

IDS = [f"T{i}" for i in range(1, 10)]


def utc(*stamps):
    return pd.to_datetime(list(stamps), utc=True)


@pytest.fixture
def run() -> Run:
    """T1 came twice and has a late turn; T2 a duration 30 s off and an unknown label; T3 is
    exactly 2 s off and says 'other' (both fine); T4 connected with 0 s; T5 is still being
    evaluated; T6 has an empty and T7 no transcript; T8 an unreadable one; T9 never connected
    and lasted -5 s (impossible, whether connected or not).
    """
    tasks = conform(pd.DataFrame({"task_id": IDS, "n_seen": [2] + [1] * 8}), TASKS_SCHEMA)
    start, end = "2026-01-01 10:00:00", "2026-01-01 10:01:00"
    status = ["completed"] * 6 + ["connected", "completed", "notConnected"]
    calls = conform(
        pd.DataFrame(
            {
                "task_id": IDS,
                "call_status": status,
                "start_time": utc(*[start] * 3, None, *[start] * 5),
                "end_time": utc(*[end] * 3, None, *[end] * 5),
                "duration_s": [60.0, 30.0, 58.0, 0.0, None, 60, 60, 60, -5.0],
                "outcome_raw": ["Interested", "Maybe later", "other"] + [None] * 6,
                "n_turns": [4, 2, 2, 2, None, 0, None, None, None],
                "evaluated": [True] * 4 + [False] + [True] * 4,
                "connected": [True] * 4 + [None, False, None, None, False],
            }
        ),
        CALLS_SCHEMA,
    )
    turns = conform(
        pd.DataFrame(
            {
                "task_id": ["T1"] * 4 + ["T2"],
                "turn": [0, 1, 2, 3, 0],
                "timestamp": utc(
                    "2026-01-01 09:59:59",  # 1 s early: within the slack
                    "2026-01-01 10:00:30",
                    None,
                    "2026-01-01 10:01:05",  # 5 s late
                    "2026-01-01 10:00:10",
                ),
            }
        ),
        TURNS_SCHEMA,
    )
    problems = conform(
        pd.DataFrame(
            {
                "task_id": ["T8", None],
                "field": ["transcript", "task"],
                "problem": ["transcript is a number (5); left NA", "item 9 is not a task"],
            }
        ),
        PROBLEMS_SCHEMA,
    )
    return Run(tasks=tasks, calls=calls, turns=turns, problems=problems)


def test_quality_checks_one_case_each(run):
    expected = pd.DataFrame(
        [
            (
                "T1",
                "task_id",
                "duplicate_task",
                "task_id came 2 times in the input; kept the newest",
            ),
            (
                "T1",
                "transcript.timestamp",
                "turn_time_outside_call",
                "1 of 3 turn timestamps fall outside start_time..end_time, by up to 5.0 s",
            ),
            (
                "T2",
                "duration_s",
                "duration_mismatch",
                "duration_s is 30.0 s but end_time - start_time is 60.0 s",
            ),
            (
                "T2",
                "outcome",
                "unknown_outcome",
                "outcome label 'Maybe later' is not in OUTCOMES; counted as 'Other'",
            ),
            (
                "T4",
                "duration_s",
                "nonpositive_duration",
                "connected call has duration_s 0.0 s; not counted in durations",
            ),
            (
                "T5",
                "transcript",
                "transcript_pending",
                "call_status 'completed' but the platform is still evaluating the call; "
                "load the run again later",
            ),
            (
                "T6",
                "transcript",
                "transcript_missing",
                "call_status 'completed' and evaluated, but it has an empty transcript",
            ),
            (
                "T7",
                "transcript",
                "transcript_missing",
                "call_status 'connected' and evaluated, but it has no transcript",
            ),
            ("T8", "transcript", "unreadable", "transcript is a number (5); left NA"),
            (
                "T9",
                "duration_s",
                "impossible_duration",
                "duration_s is -5.0 s, not a possible call length (0..86,400 s); "
                "not counted in durations",
            ),
            (None, "task", "unreadable", "item 9 is not a task"),
        ],
        columns=list(QUALITY_SCHEMA),
    ).astype("str")
    pd.testing.assert_frame_equal(quality_checks(run), expected)


def test_quality_checks_cover_the_vocabulary(run):
    assert set(quality_checks(run)["check"]) == set(QUALITY_CHECKS)


def test_quality_checks_do_not_mutate(run):
    before = run.calls.copy()
    quality_checks(run)
    pd.testing.assert_frame_equal(run.calls, before)


def test_quality_checks_empty_run():
    empty = Run(
        tasks=empty_frame(TASKS_SCHEMA),
        calls=empty_frame(CALLS_SCHEMA),
        turns=empty_frame(TURNS_SCHEMA),
        problems=empty_frame(PROBLEMS_SCHEMA),
    )
    pd.testing.assert_frame_equal(quality_checks(empty), empty_frame(QUALITY_SCHEMA))


def call_task(task_id: str, modified: str = "2026-01-01T10:00:00", **output) -> dict:
    """A complete, clean call task; ``output`` overrides keys of its output."""
    transcript = [
        {"role": "assistant", "content": "Hello", "timestamp": "2026-01-01 10:00:01"},
        {"role": "user", "content": "Hi there", "timestamp": "2026-01-01 10:00:03"},
    ]
    base = {
        "call_id": f"c-{task_id}",
        "call_status": "completed",
        "start_time": "2026-01-01 10:00:00",
        "end_time": "2026-01-01 10:01:00",
        "duration": 60,
        "transcript": transcript,
        "post_call_data": {"summary": {"status": "Interested"}},
    }
    return {
        "task_id": task_id,
        "status": "completed",
        "modified": modified,
        "output": {k: v for k, v in {**base, **output}.items() if v is not ...},
    }


def test_loader_problems_and_findings_tell_one_story():
    payload = {
        "data": [
            call_task("A", modified="2026-01-01T10:00:00"),
            call_task("A", modified="2026-01-01T11:00:00"),
            call_task("B", start_time="not a time"),
            call_task("C", duration="about a minute"),
            call_task("D"),
            5,
        ]
    }
    run = load_run(payload)
    findings = quality_checks(run)
    unreadable = findings[findings["check"] == "unreadable"]
    pd.testing.assert_frame_equal(
        unreadable[["task_id", "field", "detail"]].reset_index(drop=True),
        run.problems.rename(columns={"problem": "detail"})
        .sort_values("task_id", na_position="last")
        .reset_index(drop=True),
    )
    assert set(unreadable["field"]) == {"start_time", "duration", "task"}
    others = findings[findings["check"] != "unreadable"]
    # B's start is NA and C's duration came from its times: nothing more to say about them.
    assert others[["task_id", "check"]].values.tolist() == [["A", "duplicate_task"]]


def test_generated_run_findings_are_consistent():
    run = load_run(make_run(120, random_state=2))
    findings = quality_checks(run)
    assert set(findings["check"]) <= set(QUALITY_CHECKS)
    assert (findings["check"] == "unreadable").sum() == len(run.problems)
    keys = findings[["task_id", "check"]].fillna("~")
    assert keys.equals(keys.sort_values(["task_id", "check"], kind="stable"))


def hand_built(**columns) -> Run:
    """A run of hand-built calls (``columns`` of the calls table); T-ids in order."""
    n = len(next(iter(columns.values())))
    ids = [f"T{i}" for i in range(1, n + 1)]
    calls = conform(
        pd.DataFrame({"task_id": ids, "call_status": "notConnected", **columns}), CALLS_SCHEMA
    )
    return Run(
        tasks=conform(pd.DataFrame({"task_id": ids, "n_seen": [1] * n}), TASKS_SCHEMA),
        calls=calls,
        turns=empty_frame(TURNS_SCHEMA),
        problems=empty_frame(PROBLEMS_SCHEMA),
    )


def test_a_call_matching_two_duration_checks_is_reported_once():
    """Connected, 0 s long, but 60 s between its times: nonpositive wins over mismatch."""
    run = hand_built(
        call_status=["completed"],
        start_time=utc("2026-01-01 10:00:00"),
        end_time=utc("2026-01-01 10:01:00"),
        duration_s=[0.0],
        connected=[True],
    )
    found = quality_checks(run)
    assert found[["task_id", "check"]].values.tolist() == [["T1", "nonpositive_duration"]]


def test_impossible_durations_are_reported_on_every_call_once_and_readably():
    start, end = utc(*["2026-01-01 10:00:00"] * 5), utc(*["2026-01-01 10:01:00"] * 5)
    run = hand_built(
        start_time=start,
        end_time=end,
        duration_s=[-5.0, math.inf, 1e308, 86_401.0, math.nan],
        connected=[False, True, None, True, False],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = quality_checks(run)
    assert found["check"].tolist() == ["impossible_duration"] * 4  # NaN is missing: not checked
    assert found["detail"].tolist() == [
        f"duration_s is {spelled}, not a possible call length (0..86,400 s); "
        "not counted in durations"
        for spelled in ["-5.0 s", "not a finite number", "1e+308 s", "86401.0 s"]
    ]
    assert not found["detail"].str.contains("inf").any()


def test_an_unreadable_duration_is_not_reported_again():
    """The loader's problem (``unreadable``) comes first: a call's duration is reported once,
    even when the times it fell back to are 0 s long on a connected call."""
    at = "2026-01-01 10:00:00"
    untimed = [{"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Hi"}]
    run = load_run(
        [
            call_task("A", duration=-5, start_time=..., end_time=...),
            call_task("B", duration=1e308, start_time=at, end_time=at, transcript=untimed),
            call_task("C", duration=..., end_time="2026-01-01 09:00:00", transcript=untimed),
            call_task("D", duration="long", end_time="2026-01-01 10:00:30"),
        ]
    )
    found = quality_checks(run)
    assert found[["task_id", "field", "check"]].values.tolist() == [
        ["A", "duration", "unreadable"],
        ["B", "duration", "unreadable"],
        ["C", "duration_s", "unreadable"],
        ["D", "duration", "unreadable"],
    ]
