"""load_run: every source form, every payload variant, bad input, duplicates, dtypes."""

from __future__ import annotations

import copy
import json
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.errors import ApiError, PermissionDeniedError, SchemaError
from analytics.load import Run, load_run
from analytics.schema import (
    CALLS_SCHEMA,
    MAX_CALL_COST,
    MAX_CALL_SECONDS,
    NULL_LITERALS,
    PROBLEMS_SCHEMA,
    TASKS_SCHEMA,
    TURNS_SCHEMA,
)

DATA = Path(__file__).parent / "data"


def payload(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def completed() -> dict:
    return payload("task_completed.json")


def call_task(task_id: str = "T1", **output) -> dict:
    """A minimal call task; ``output`` keys override a connected two-turn call."""
    base = {
        "call_id": "c1",
        "call_status": "completed",
        "start_time": "2026-01-31 11:47:38",
        "end_time": "2026-01-31 11:48:11",
        "duration": 33,
        "transcript": [
            {
                "role": "assistant",
                "content": "Hi, is this a good time?",
                "timestamp": "2026-01-31T11:47:40+00:00",
            },
            {"role": "user", "content": "Yes.", "timestamp": "2026-01-31T11:47:44+00:00"},
        ],
    }
    base.update(output)
    return {
        "task_id": task_id,
        "run_id": "R1",
        "assignee": "a1",
        "status": "completed",
        "created": "2026-01-31T11:47:20",
        "modified": "2026-01-31T11:48:40",
        "output": {k: v for k, v in base.items() if v is not ...},
    }


def one_call(**output) -> pd.Series:
    run = load_run([call_task(**output)])
    assert len(run.calls) == 1
    return run.calls.iloc[0]


PLATFORM_ONLY = (
    "platform_status",
    "channel",
    "agent_version",
    "latency_e2e_p50_s",
    "latency_e2e_p90_s",
    "latency_llm_p50_s",
    "latency_tts_p50_s",
    "latency_asr_p50_s",
    "user_interruptions",
    "agent_interruptions",
    "sentiment_label",
)
"""The calls columns only another platform fills (NA on an Unpod call)."""


def assert_schema(frame: pd.DataFrame, schema: dict) -> None:
    assert list(frame.columns[: len(schema)]) == list(schema)
    for column, dtype in schema.items():
        assert frame[column].dtype == dtype, column


# --- the canonical example, exactly -------------------------------------------------------


def test_completed_call_gives_the_hand_built_tables(completed):
    run = load_run({"count": 1, "status_code": 200, "message": "ok", "data": [completed]})
    calls = run.calls.drop(columns=["summary", "recording_url", "structured_data"])
    expected = pd.DataFrame(
        {
            "task_id": ["T5c1d2e3ff00a11f0878d43cd8a99e069"],
            "call_id": ["675272289779974401"],
            "run_id": ["R40fe5eface1511f082ac156368e7acc4"],
            "assignee": ["space-agent-8qmk42nslp91wrh3dz7btxc4"],
            "customer": ["Asha Rao"],
            "call_type": ["outbound"],
            "call_status": ["completed"],
            "end_reason": ["user_hangup"],
            "start_time": [pd.Timestamp("2026-01-31 11:47:38.067021", tz="UTC")],
            "end_time": [pd.Timestamp("2026-01-31 11:48:11.385745", tz="UTC")],
            "duration_s": [33.0],
            "cost": [0.0473],
            "outcome": ["Interested"],
            "outcome_raw": ["Interested"],
            "labels": ["Interested"],
            "success_score": [8.0],
            "success_evaluator": ["8"],
            "contact": ["9876543210"],  # output.contact_number
            "callback_at": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"),  # "N/A", null: none
            "callback_text": [None],
            "callback_source": [None],
            "follow_up_required": [False],
            "follow_up_reason": ["Demo already booked"],
            "platform": ["unpod"],
            **{key: [None] for key in PLATFORM_ONLY},
            "voicemail": [False],  # user_hangup: a known end that is not a voicemail
            "llm_prompt_tokens": [1200],  # output.metadata.usage
            "llm_completion_tokens": [None],
            "tts_characters": [None],
            "cost_parts": [None],
            "n_turns": [4],
            "n_agent_turns": [2],
            "n_user_turns": [2],
            "evaluated": [True],
            "connected": [True],
            "has_conversation": [True],
        }
    ).astype({k: v for k, v in CALLS_SCHEMA.items() if k in calls})
    pd.testing.assert_frame_equal(calls, expected)
    start = pd.Timestamp("2026-01-31 11:47:38.067021", tz="UTC")
    stamps = pd.to_datetime(
        [
            "2026-01-31T11:47:40.112Z",
            "2026-01-31T11:47:44.950Z",
            "2026-01-31T11:47:47.301Z",
            "2026-01-31T11:47:52.020Z",
        ],
        utc=True,
    )
    turns = pd.DataFrame(
        {
            "task_id": ["T5c1d2e3ff00a11f0878d43cd8a99e069"] * 4,
            "call_id": ["675272289779974401"] * 4,
            "turn": [0, 1, 2, 3],
            "speaker": ["agent", "user", "agent", "user"],
            "role": ["assistant", "user", "assistant", "user"],
            "text": [
                "Hi Asha, this is Aria from Acme. Is this a good time?",
                "Yes, go ahead.",
                "Would Tuesday 3 PM work for a demo?",
                "Tuesday works.",
            ],
            "timestamp": stamps,
            "offset_s": (stamps - start).total_seconds(),
            "duration_s": [None] * 4,  # no endTime or duration
            "n_words": [12, 3, 8, 2],
        }
    ).astype(TURNS_SCHEMA)
    pd.testing.assert_frame_equal(run.turns, turns)
    assert run.problems.empty


def test_task_row_and_input_columns(completed):
    tasks = load_run([completed]).tasks
    row = tasks.iloc[0]
    assert row["space_id"] == "346"
    assert pd.isna(row["thread_id"])
    assert row["objective"] == "Call the lead and confirm interest in the demo."
    assert row["user_email"] == "ops@example.com"
    assert row["user_name"] == "Ops User"
    assert row["created"] == pd.Timestamp("2026-01-31 11:47:20", tz="UTC")
    assert bool(row["has_call"])
    assert row["n_seen"] == 1
    assert row["input_name"] == "Asha Rao"
    assert row["input_contact_number"] == "9876543210"
    assert "input_labels" not in tasks  # lists are not scalars


def test_every_table_has_the_schema_dtypes(completed):
    run = load_run([completed, payload("task_pending.json"), payload("task_vapi_legacy.json")])
    assert_schema(run.tasks, TASKS_SCHEMA)
    assert_schema(run.calls, CALLS_SCHEMA)
    assert_schema(run.turns, TURNS_SCHEMA)
    assert_schema(run.problems, PROBLEMS_SCHEMA)
    assert run.tasks.filter(like="input_").dtypes.eq("str").all()


def test_empty_run_has_every_column():
    run = load_run({"count": 0, "status_code": 200, "message": "ok", "data": []})
    assert repr(run) == "Run(tasks=0, calls=0, turns=0, problems=0)"
    assert_schema(run.tasks, TASKS_SCHEMA)
    assert_schema(run.calls, CALLS_SCHEMA)
    assert_schema(run.turns, TURNS_SCHEMA)


# --- source forms -------------------------------------------------------------------------


def test_every_source_form_gives_the_same_tables(completed, tmp_path):
    response = {"count": 1, "status_code": 200, "message": "ok", "data": [completed]}
    text = json.dumps(response)
    path = tmp_path / "run.json"
    path.write_text(text)
    expected = load_run(response)
    for source in (
        text,
        text.encode(),
        path,
        str(path),
        [completed],
        completed,
        [response],
        [str(path)],
        json.dumps([response]),
    ):
        got = load_run(source)
        pd.testing.assert_frame_equal(got.tasks, expected.tasks)
        pd.testing.assert_frame_equal(got.turns, expected.turns)


def test_pages_concatenate_and_duplicates_keep_the_newest_modified(completed):
    evaluating = payload("task_evaluating.json")  # same task_id, older modified
    other = call_task("T2")
    page1 = {"status_code": 200, "data": [evaluating, other]}
    page2 = {"status_code": 200, "data": [completed]}
    for pages in ([page1, page2], [page2, page1]):
        run = load_run(pages)
        assert sorted(run.tasks["task_id"]) == sorted([completed["task_id"], "T2"])
        kept = run.calls.set_index("task_id").loc[completed["task_id"]]
        assert kept["n_turns"] == 4
        assert bool(kept["evaluated"])
        assert run.tasks.set_index("task_id")["n_seen"].to_dict() == {
            completed["task_id"]: 2,
            "T2": 1,
        }


def test_duplicate_tie_on_modified_keeps_the_later_copy():
    first, second = call_task("T1", call_id="first"), call_task("T1", call_id="second")
    assert load_run([first, second]).calls["call_id"].tolist() == ["second"]


def test_input_is_never_mutated(completed):
    data = {
        "status_code": 200,
        "data": [
            completed,
            payload("task_vapi_legacy.json"),
            call_task(transcript="AI: hi\nUser: yes"),
        ],
    }
    before = copy.deepcopy(data)
    load_run(data)
    assert data == before


# --- variants -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-31 11:47:38.067021", "2026-01-31 11:47:38.067021"),
        ("2026-01-31T11:47:38", "2026-01-31 11:47:38"),
        ("2026-01-31T11:47:38Z", "2026-01-31 11:47:38"),
        ("2026-01-31T13:47:38+02:00", "2026-01-31 11:47:38"),
        ("2026-01-31", "2026-01-31 00:00:00"),
        (1769860058000, "2026-01-31 11:47:38"),
    ],
)
def test_start_time_formats(raw, expected):
    assert one_call(start_time=raw)["start_time"] == pd.Timestamp(expected, tz="UTC")


@pytest.mark.parametrize("literal", ["None", "NULL", ""])
def test_start_time_null_literals_are_nat_without_problem(literal):
    run = load_run([call_task(start_time=literal)])
    assert pd.isna(run.calls["start_time"].iloc[0])
    assert run.problems.empty


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(33, 33.0), (147.2, 147.2), ("147.2", 147.2), ("0", 0.0), (0, 0.0), (..., 33.0), (None, 33.0)],
    ids=["int", "float", "string", "zero-string", "zero", "missing", "null"],
)
def test_duration_variants(duration, expected):
    assert one_call(duration=duration)["duration_s"] == expected


def test_duration_missing_and_no_times_is_na():
    call = one_call(duration=..., start_time="None")
    assert pd.isna(call["duration_s"])


def load_quietly(source) -> Run:
    """``load_run`` with every warning an error: no numpy warning may reach the user."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_run(source)


def untimed_call(task_id: str = "T1", **output) -> dict:
    """A call task without start and end times, so that duration_s is the duration alone."""
    return call_task(task_id, start_time=..., end_time=..., **output)


IMPOSSIBLE_DURATIONS = [
    (-5, "duration -5 is not a possible call length (0..86,400 s); left NA"),
    ("-5", "duration -5 is not a possible call length (0..86,400 s); left NA"),
    (86_401, "duration 86,401 is not a possible call length (0..86,400 s); left NA"),
    (1e308, "duration 1e+308 is not a possible call length (0..86,400 s); left NA"),
    (10**400, "duration 1e+400 is not a possible call length (0..86,400 s); left NA"),
    ("1e400", "duration 1e400 is not a possible call length (0..86,400 s); left NA"),
    (math.inf, "duration Infinity is not a possible call length (0..86,400 s); left NA"),
    (-math.inf, "duration -Infinity is not a possible call length (0..86,400 s); left NA"),
    (math.nan, "duration NaN is not a possible call length (0..86,400 s); left NA"),
]


@pytest.mark.parametrize("form", ["dict", "text", "bytes"])
@pytest.mark.parametrize(("duration", "problem"), IMPOSSIBLE_DURATIONS)
def test_impossible_duration_is_na_with_one_problem(form, duration, problem):
    task = untimed_call(duration=duration)
    text = json.dumps([task])  # Python's json writes NaN / Infinity tokens and big integers
    source = {"dict": [task], "text": text, "bytes": text.encode()}[form]
    run = load_quietly(source)
    assert pd.isna(run.calls["duration_s"].iloc[0])
    assert run.problems.values.tolist() == [["T1", "duration", problem]]


def test_impossible_duration_falls_back_to_the_times_like_an_unreadable_one():
    run = load_quietly([call_task(duration=10**400)])
    assert run.calls["duration_s"].tolist() == [33.0]
    assert run.problems["field"].tolist() == ["duration"]


def test_duration_at_the_limits_is_kept():
    run = load_quietly(
        [untimed_call("A", duration=0), untimed_call("B", duration=MAX_CALL_SECONDS)]
    )
    assert run.calls["duration_s"].tolist() == [0.0, 86400.0]
    assert run.problems.empty


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (
            "2026-01-31 11:48:11",
            "2026-01-31 11:47:38",
            "end_time - start_time is -33 s, not a possible call length (0..86,400 s); "
            "duration_s left NA",
        ),
        (
            "2026-01-31 11:00:00",
            "2026-02-02 11:00:00",
            "end_time - start_time is 172,800 s, not a possible call length (0..86,400 s); "
            "duration_s left NA",
        ),
    ],
)
def test_impossible_derived_duration_is_na_and_the_times_stay(start, end, problem):
    run = load_quietly([call_task(duration=..., start_time=start, end_time=end)])
    call = run.calls.iloc[0]
    assert pd.isna(call["duration_s"])
    assert call["start_time"] == pd.Timestamp(start, tz="UTC")
    assert call["end_time"] == pd.Timestamp(end, tz="UTC")
    assert run.problems.values.tolist() == [["T1", "duration_s", problem]]


def test_derived_duration_is_checked_only_when_it_is_used():
    run = load_quietly([call_task(duration=33, end_time="2026-01-31 11:00:00")])
    assert run.calls["duration_s"].tolist() == [33.0]  # quality_checks reports the mismatch
    assert run.problems.empty


@pytest.mark.parametrize(
    ("cost", "spelled"),
    [
        (-0.5, "-0.5"),
        (1e9, "1,000,000,000"),
        (1e20, "1e+20"),
        (math.inf, "Infinity"),
        (math.nan, "NaN"),
        (10**400, "1e+400"),
    ],
)
def test_impossible_cost_is_na_with_one_problem(cost, spelled):
    run = load_quietly(json.dumps([call_task(cost=cost)]))
    assert pd.isna(run.calls["cost"].iloc[0])
    problem = f"cost {spelled} is not a possible call cost (0..100,000); left NA"
    assert run.problems.values.tolist() == [["T1", "cost", problem]]


def test_cost_within_the_limit_is_kept():
    run = load_quietly([call_task("A", cost=0.0301), call_task("B", cost=MAX_CALL_COST)])
    assert run.calls["cost"].tolist() == [0.0301, 100000.0]


@pytest.mark.parametrize("stamp", [10**400, -(10**400), 1e308, -1e308, 2**70, "1e308"])
@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_impossible_timestamps_are_nat_with_one_problem_and_no_warning(field, stamp):
    run = load_quietly(json.dumps([call_task(**{field: stamp})]))
    assert pd.isna(run.calls[field].iloc[0])
    assert run.calls["duration_s"].tolist() == [33.0]
    assert run.problems[["task_id", "field"]].values.tolist() == [["T1", field]]


def test_huge_created_and_turn_times_do_not_warn():
    task = call_task(transcript=[{"role": "user", "content": "hi", "timestamp": 1e308}])
    run = load_quietly([{**task, "created": 10**400}])
    assert run.tasks["created"].isna().all()
    assert run.turns["timestamp"].isna().all()
    assert sorted(run.problems["field"]) == ["created", "transcript.timestamp"]


def test_impossible_seconds_from_start_are_na_with_a_problem_and_no_warning():
    from analytics.text.conversation import conversation_features

    def said(role, seconds):
        return {"role": role, "content": "hi there", "secondsFromStart": seconds}

    task = call_task(
        start_time=...,
        transcript=[said("assistant", 1e308), said("user", -1e308), said("assistant", 2.5)],
    )
    run = load_quietly([task])
    assert run.turns["offset_s"].isna().tolist() == [True, True, False]
    assert run.turns["offset_s"].iloc[2] == 2.5
    assert run.problems["problem"].tolist() == [
        "transcript.secondsFromStart 1e+308 is not a possible time into a call "
        "(0..86,400 s); left NA",
        "transcript.secondsFromStart -1e+308 is not a possible time into a call "
        "(0..86,400 s); left NA",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        conversation_features(run.turns, calls=run.calls)


def test_run_with_impossible_values_goes_through_the_analyses_without_warnings():
    from analytics.stats.durations import duration_summary
    from analytics.stats.quality import quality_checks
    from analytics.text.tables import call_features

    tasks = [
        untimed_call("A", duration=10**400, cost=10**400),
        untimed_call("B", duration=1e308, cost=-1),
        untimed_call("C", duration=-5),
        call_task("D", duration=..., end_time="2026-01-31 11:00:00"),
        call_task("E"),
    ]
    for source in (tasks, json.dumps(tasks)):
        run = load_quietly(source)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            summary = duration_summary(run.calls, include="all")
            findings = quality_checks(run)
            features = call_features(run)
        assert summary["n"].tolist() == [1]
        assert summary["max_s"].tolist() == [33.0]
        assert (findings["check"] == "unreadable").sum() == len(run.problems) == 6
        assert len(features) == 5


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("call_type", "outbound", "outbound"),
        ("call_type", "inbound", "inbound"),
        ("call_type", "outboundPhoneCall", "outbound"),
        ("call_type", "inboundPhoneCall", "inbound"),
        ("type", "inboundPhoneCall", "inbound"),
    ],
)
def test_call_type_variants(key, raw, expected):
    assert one_call(**{key: raw})["call_type"] == expected


def test_unknown_call_type_is_na_and_reported():
    run = load_run([call_task(call_type="webCall")])
    assert pd.isna(run.calls["call_type"].iloc[0])
    assert run.problems[["task_id", "field"]].values.tolist() == [["T1", "call_type"]]
    assert "'webCall'" in run.problems["problem"].iloc[0]


TWO_TURNS = [("agent", "Hi?"), ("user", "Yes.")]


@pytest.mark.parametrize(
    "transcript",
    [
        [{"role": "assistant", "content": "Hi?"}, {"role": "user", "content": "Yes."}],
        json.dumps([{"role": "assistant", "content": "Hi?"}, {"role": "user", "content": "Yes."}]),
        "AI: Hi?\nUser: Yes.",
        {
            "messages": [
                {"role": "agent", "message": "Hi?"},
                {"role": "customer", "message": "Yes."},
            ]
        },
        [{"role": "bot", "text": "Hi?"}, {"role": "human", "text": "Yes."}],
    ],
    ids=["list", "json-string", "text", "messages-dict", "text-key"],
)
def test_transcript_shapes(transcript):
    run = load_run([call_task(transcript=transcript)])
    assert list(zip(run.turns["speaker"], run.turns["text"])) == TWO_TURNS
    assert run.turns["turn"].tolist() == [0, 1]
    assert run.calls["n_turns"].iloc[0] == 2


def test_other_roles_are_kept_as_other():
    run = load_run(
        [
            call_task(
                transcript=[
                    {"role": "system", "content": "Call started"},
                    {"role": "user", "content": "Hello?"},
                    {"role": "transfer_target", "content": "Sales desk"},
                ]
            )
        ]
    )
    assert run.turns["speaker"].tolist() == ["other", "user", "other"]
    assert run.turns["role"].tolist() == ["system", "user", "transfer_target"]


def test_vapi_time_in_epoch_ms_and_seconds_from_start():
    run = load_run(
        [
            call_task(
                start_time="None",
                transcript={
                    "messages": [
                        {
                            "role": "agent",
                            "message": "Hi",
                            "time": 1769860060000,
                            "secondsFromStart": 2.0,
                        },
                        {
                            "role": "customer",
                            "message": "Yes",
                            "time": 1769860063500,
                            "secondsFromStart": 5.5,
                        },
                    ]
                },
            )
        ]
    )
    assert run.turns["timestamp"].tolist() == [
        pd.Timestamp("2026-01-31 11:47:40", tz="UTC"),
        pd.Timestamp("2026-01-31 11:47:43.5", tz="UTC"),
    ]
    assert run.turns["offset_s"].tolist() == [0.0, 3.5]  # since the first turn: no call start


def test_turns_without_timestamps_have_na_times():
    run = load_run([payload("task_vapi_legacy.json")])
    assert run.turns["timestamp"].isna().all()
    assert run.turns["offset_s"].isna().all()
    assert run.problems.empty


def test_empty_transcript_is_zero_turns_and_absent_transcript_is_na():
    empty = load_run([call_task(transcript=[])]).calls.iloc[0]
    assert empty["n_turns"] == 0
    assert not empty["connected"]
    absent = load_run([call_task(transcript=...)]).calls.iloc[0]
    assert pd.isna(absent["n_turns"])
    assert pd.isna(absent["connected"])


def test_legacy_vapi_payload():
    call = load_run([payload("task_vapi_legacy.json")]).calls.iloc[0]
    assert call["call_type"] == "outbound"
    assert call["duration_s"] == 147.2
    assert call["outcome"] == "Call Back"
    assert call["summary"] == "Ravi wants a call tomorrow."
    assert pd.isna(call["success_score"])
    assert pd.isna(call["success_evaluator"])
    assert json.loads(call["structured_data"]) == {"preferred_time": "11 AM"}
    assert call["end_reason"] == "customer-ended-call"
    assert pd.isna(call["customer"])


def test_customer_falls_back_to_the_summary_name():
    call = one_call(post_call_data={"summary": {"status": "Interested", "name": "Ravi K"}})
    assert call["customer"] == "Ravi K"


def test_docs_style_payload_with_flat_outcome_and_id():
    run = load_run([payload("task_docs_style.json")])
    call = run.calls.iloc[0]
    assert call["call_type"] == "inbound"
    assert call["duration_s"] == 90.0
    assert (call["outcome"], call["outcome_raw"]) == ("Interested", "interested")
    assert call["summary"] == "Caller asked about pricing."
    assert run.turns["speaker"].tolist() == ["agent", "user"]
    assert run.problems.empty


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Call Back", "Call Back"),
        ("call back", "Call Back"),
        ("CallBack", "Call Back"),
        ("InterestedIn", "Interested"),
        ("Not Interested", "Not Interested"),
        ("Unknown", "Other"),
    ],
)
def test_outcome_drift_is_canonical_and_raw_is_kept(raw, canonical):
    call = one_call(post_call_data={"summary": {"status": raw, "summary": "s"}})
    assert (call["outcome"], call["outcome_raw"]) == (canonical, raw)


@pytest.mark.parametrize(("raw", "score"), [("8", 8.0), ("8.5", 8.5), ("Good", None), (None, None)])
def test_success_evaluator(raw, score):
    call = one_call(post_call_data={"success_evaluator": raw})
    assert pd.isna(call["success_score"]) if score is None else call["success_score"] == score
    assert pd.isna(call["success_evaluator"]) if raw is None else call["success_evaluator"] == raw


def test_structured_data_and_classification_as_json_strings():
    call = one_call(
        post_call_data={
            "structured_data": '{"day": "Tue"}',
            "classification": '{"labels": ["A", "B"]}',
        }
    )
    assert json.loads(call["structured_data"]) == {"day": "Tue"}
    assert call["labels"] == "A; B"


def test_evaluating_state_is_a_call_not_yet_evaluated():
    run = load_run([payload("task_evaluating.json")])
    call = run.calls.iloc[0]
    assert call["call_status"] == "completed"
    assert not call["evaluated"]
    assert pd.isna(call["n_turns"])
    assert pd.isna(call["outcome"])
    assert pd.isna(call["connected"])
    assert run.problems.empty


def test_pending_task_with_empty_output_is_a_task_but_no_call():
    run = load_run([payload("task_pending.json")])
    assert len(run.tasks) == 1
    assert not run.tasks["has_call"].iloc[0]
    assert run.calls.empty
    assert run.turns.empty


def test_failed_call_with_only_status_and_error():
    task = {
        "task_id": "Tf",
        "status": "failed",
        "output": {"call_status": "notConnected", "error": "SIP 486"},
    }
    run = load_run([task])
    call = run.calls.iloc[0]
    assert call["call_status"] == "notConnected"
    assert not call["connected"]
    assert pd.isna(call["duration_s"])
    assert run.problems.empty


def test_unknown_keys_anywhere_are_ignored(completed):
    task = copy.deepcopy(completed)
    task["brand_new"] = {"x": 1}
    task["output"]["another"] = [1, 2]
    task["output"]["transcript"][0]["emotion"] = "happy"
    run = load_run([task])
    assert run.problems.empty
    assert len(run.turns) == 4


# --- malformed tasks stay, reported once per finding --------------------------------------


def test_malformed_tasks_stay_in_tasks_and_are_reported(completed):
    bad_output = {**call_task("T2"), "output": "garbage"}
    numbers = call_task("T3", transcript=[1, 2, 3])
    bad_time = call_task("T4", start_time="yesterday")
    bad_created = {**call_task("T5"), "created": "soon"}
    run = load_run([completed, bad_output, numbers, bad_time, bad_created])
    assert run.tasks["task_id"].tolist() == [completed["task_id"], "T2", "T3", "T4", "T5"]
    found = run.problems.set_index("task_id")["field"].to_dict()
    assert found == {"T2": "output", "T3": "transcript", "T4": "start_time", "T5": "created"}
    assert len(run.problems) == 4
    calls = run.calls.set_index("task_id")
    assert "T2" not in calls.index
    assert pd.isna(calls.loc["T3", "n_turns"])
    assert pd.isna(calls.loc["T4", "start_time"])
    assert calls.loc["T4", "duration_s"] == 33.0
    assert "'yesterday'" in run.problems.set_index("task_id").loc["T4", "problem"]
    assert len(run.turns) == 4 + 2 + 2  # the good calls load normally


def test_non_object_items_are_reported_and_tasks_without_id_kept():
    run = load_run({"data": [5, {"status": "pending"}, call_task("T1")]})
    assert len(run.tasks) == 2
    assert run.tasks["task_id"].isna().sum() == 1
    problems = run.problems.sort_values("field")
    assert problems["field"].tolist() == ["task", "task_id"]
    assert "item 0 of the input is not a task object but int 5" in problems["problem"].iloc[0]


def test_bad_text_and_timestamps_inside_a_transcript():
    run = load_run(
        [
            call_task(
                transcript=[
                    {"role": "assistant", "content": 12, "timestamp": "later"},
                    {"role": "user", "content": "ok", "timestamp": "2026-01-31T11:47:44Z"},
                ]
            )
        ]
    )
    assert pd.isna(run.turns["text"].iloc[0])
    assert pd.isna(run.turns["timestamp"].iloc[0])
    assert sorted(run.problems["field"]) == ["transcript.content", "transcript.timestamp"]


# --- input that is not a run at all -------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (b"not json", "JSON bytes is not valid JSON"),
        ("{not json", "JSON text is not valid JSON"),
        ("no/such/file.json", "neither JSON text nor an existing file"),
        (Path("no/such/file.json"), "cannot read 'no/such/file.json'"),
        (
            {"results": []},
            r"no platform's shape: neither 'data' \(an Unpod response\) nor 'task_id'",
        ),
        ({"status_code": 200, "data": {"x": 1}}, "'data' is a dict"),
        (42, "cannot load a int"),
    ],
)
def test_not_a_response_raises_schema_error(source, match):
    with pytest.raises(SchemaError, match=match):
        load_run(source)


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ([1, 2, 3], r"^source is a list of 3 items, none of them a task object \(found int 1\)"),
        ("[1, 2, 3]", r"^JSON text is a list of 3 items, none of them a task object"),
        (b"[null]", r"^JSON bytes is a list of 1 item, none of them a task object"),
        ([[1]], r"^source\[0\] is a list of 1 item, none of them a task object"),
        (["a"], "'a' is neither JSON text nor an existing file"),
        ({"data": [1, "x"]}, r"^source: 'data' is a list of 2 items, none of them a task object"),
    ],
)
def test_list_without_any_task_object_raises_schema_error(source, match):
    with pytest.raises(SchemaError, match=match) as info:
        load_run(source)
    assert "\n" not in str(info.value)
    assert "pass " in str(info.value)


@pytest.mark.parametrize("source", [[], "[]", b"[]", {"data": []}, '{"data": []}', [[], []]])
def test_empty_lists_are_an_empty_run(source):
    assert repr(load_run(source)) == "Run(tasks=0, calls=0, turns=0, problems=0)"


def test_a_few_non_task_items_among_tasks_are_reported_not_fatal():
    run = load_run([call_task("T1"), 7, [call_task("T2"), None]])
    assert run.tasks["task_id"].tolist() == ["T1", "T2"]
    assert run.problems["field"].tolist() == ["task", "task"]


def test_schema_error_is_a_value_error():
    with pytest.raises(ValueError, match=r"neither 'data' \(an Unpod response\) nor 'task_id'"):
        load_run("{}")


def test_saved_206_access_answer_raises_permission_denied():
    with pytest.raises(PermissionDeniedError, match="You Don't have Access") as info:
        load_run(DATA / "answer_206_no_access.json")
    assert info.value.status_code == 206


def test_saved_206_fetch_failed_raises_api_error_with_platform_message():
    with pytest.raises(ApiError, match="Runs Fetch Failed; upstream timeout") as info:
        load_run(DATA / "answer_206_fetch_failed.json")
    assert type(info.value) is ApiError


def test_saved_401_answer_raises_api_error():
    payload_401 = payload("answer_401.json")
    payload_401["data"] = None
    with pytest.raises(ApiError, match="Invalid token") as info:
        load_run(payload_401)
    assert info.value.status_code == 401


# --- property -----------------------------------------------------------------------------

role = st.sampled_from(["assistant", "user", "agent", "customer", "system", None])
message = st.fixed_dictionaries(
    {"role": role, "content": st.one_of(st.none(), st.text(max_size=30))},
    optional={"timestamp": st.sampled_from(["", "None", "2026-01-31T11:47:40Z", "junk"])},
)
output = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "call_status": st.sampled_from(["completed", "busy"]),
            "transcript": st.lists(message, max_size=6),
        }
    ),
)
task = st.builds(
    lambda i, out, modified: {"task_id": f"T{i}", "output": out, "modified": modified},
    st.integers(0, 15),
    output,
    st.sampled_from(["2026-01-31T11:47:20", "2026-02-01T00:00:00", "None", "bad"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(task, max_size=12))
def test_property_every_task_kept_and_one_turn_per_message(tasks):
    run = load_run({"data": tasks})
    assert isinstance(run, Run)
    assert set(run.tasks["task_id"]) == {t["task_id"] for t in tasks}
    assert run.tasks["task_id"].is_unique
    kept = dict.fromkeys(run.tasks["task_id"])
    for t in tasks:  # the copy the loader kept is one of the copies of that id
        kept[t["task_id"]] = kept[t["task_id"]] or []
        kept[t["task_id"]].append(len(t["output"].get("transcript", [])))
    per_call = run.turns.groupby("task_id").size()
    for task_id, lengths in kept.items():
        assert per_call.get(task_id, 0) in lengths
    assert (
        run.turns.groupby("task_id")["turn"]
        .apply(lambda s: s.tolist() == list(range(len(s))))
        .all()
    )


huge_int = st.integers(2**53, 2**2000) | st.integers(-(2**2000), -(2**53))
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | huge_int
    | st.floats()
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    ("created",),
    ("modified",),
    ("assignee",),
    ("input",),
    ("user_info",),
    ("task",),
    ("output",),
    ("output", "transcript"),
    ("output", "start_time"),
    ("output", "duration"),
    ("output", "call_type"),
    ("output", "cost"),
    ("output", "post_call_data"),
    ("output", "post_call_data", "summary"),
    ("output", "post_call_data", "classification"),
    ("output", "post_call_data", "success_evaluator"),
    ("output", "post_call_data", "structured_data"),
    ("output", "transcript", 0),
    ("output", "transcript", 0, "content"),
    ("output", "transcript", 0, "timestamp"),
    ("output", "transcript", 0, "role"),
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIELDS), json_value)
def test_property_any_value_anywhere_keeps_the_task_and_spares_the_others(field, value):
    """Whatever a field holds, the load does not fail, the task stays, and others are intact."""
    broken = payload("task_completed.json")
    node = broken
    for key in field[:-1]:
        node = node[key]
    node[field[-1]] = value
    healthy = {**payload("task_completed.json"), "task_id": "T-healthy"}
    run = load_quietly([broken, healthy])
    alone = load_run([healthy])
    assert run.tasks["task_id"].tolist() == [broken["task_id"], "T-healthy"]
    pd.testing.assert_frame_equal(
        run.turns[run.turns["task_id"] == "T-healthy"].reset_index(drop=True), alone.turns
    )
    assert not run.problems["task_id"].eq("T-healthy").any()


amount = (
    st.floats()
    | st.integers()
    | huge_int
    | st.sampled_from([10**400, -(10**400), 1e308, -1e308, 86_400, 86_400.5, 100_000, 0, -0.0])
    | st.floats().map(repr)
    | st.sampled_from(["1e400", "-5", " 12 ", "NaN", "inf", "None", "", "long"])
    | st.none()
)


def is_null(raw) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip().lower() in NULL_LITERALS)


stamp = st.none() | huge_int | st.floats() | st.integers() | st.sampled_from(["2026-01-31"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amount, amount, stamp, stamp, st.sampled_from(["dict", "text", "bytes"]))
def test_property_durations_and_costs_load_within_their_limits_without_warnings(
    duration, cost, start, end, form
):
    """Whatever number (or text) a duration, a cost or a time holds: the load does not fail or
    warn, and each value is NA or possible; an NA from a present value has one problem row."""
    task = call_task(duration=duration, cost=cost, start_time=start, end_time=end)
    text = json.dumps([task])
    run = load_quietly({"dict": [task], "text": text, "bytes": text.encode()}[form])
    call = run.calls.iloc[0]
    assert pd.isna(call["duration_s"]) or 0 <= call["duration_s"] <= MAX_CALL_SECONDS
    assert pd.isna(call["cost"]) or 0 <= call["cost"] <= MAX_CALL_COST
    for field in ("start_time", "end_time"):
        assert pd.isna(call[field]) or 1990 <= call[field].year < 2100
    fields = run.problems["field"].tolist()
    assert len(fields) == len(set(fields))  # one row per field at most
    for field, raw in {"duration": duration, "cost": cost}.items():
        if pd.isna(call["cost" if field == "cost" else "duration_s"]) and not is_null(raw):
            assert field in fields, (field, raw)
    for field, raw in {"start_time": start, "end_time": end}.items():
        if pd.isna(call[field]) and not (is_null(raw) or raw != raw):  # NaN: pandas' missing
            assert field in fields, (field, raw)
    assert not any("array(" in p or "np." in p for p in run.problems["problem"])


def test_has_conversation_needs_an_agent_turn_and_a_user_turn():
    def task(task_id, roles):
        if roles is None:
            return {"task_id": task_id, "output": {"call_status": "notConnected"}}
        messages = [{"role": r, "content": "hi"} for r in roles]
        return {"task_id": task_id, "output": {"call_status": "completed", "transcript": messages}}

    cases = {
        "both": ["assistant", "user"],
        "agent only": ["assistant", "assistant"],
        "user only": ["user"],
        "system and user": ["system", "user"],
        "no transcript": None,
    }
    calls = load_run([task(k, v) for k, v in cases.items()]).calls.set_index("task_id")
    assert calls["has_conversation"].dtype == bool
    assert calls["has_conversation"].to_dict() == {
        "both": True,
        "agent only": False,
        "user only": False,
        "system and user": False,
        "no transcript": False,
    }


# --- wrong types: read, or NA with a problem row that shows the value ---------------------


def full_task(task_id: str) -> dict:
    """A task in which every field the loader reads holds a good value."""
    return {
        "task_id": task_id,
        "run_id": "R1",
        "space_id": "S1",
        "thread_id": "H1",
        "assignee": "a1",
        "status": "completed",
        "execution_type": "call",
        "created": "2026-01-31T11:47:20",
        "modified": "2026-01-31T11:48:40",
        "task": {"objective": "Confirm the demo."},
        "user_info": {"email": "ops@example.com", "full_name": "Ops User"},
        "input": {"name": "Asha"},
        "output": {
            "call_id": "c1",
            "customer": "Asha",
            "contact_number": "9876543210",
            "call_type": "outbound",
            "call_status": "completed",
            "call_end_reason": "user_hangup",
            "start_time": "2026-01-31 11:47:38",
            "end_time": "2026-01-31 11:48:11",
            "duration": 33,
            "cost": 0.05,
            "recording_url": "https://example.com/r.ogg",
            "call_summary": "Agreed to a demo.",
            "outcome": "Interested",
            "data": "done",
            "post_call_data": {
                "summary": {
                    "status": "Interested",
                    "summary": "Agreed.",
                    "name": "Asha",
                    "contact": "9876543210",
                    "callback_datetime": "2026-02-01 10:00",
                },
                "outcome": "Interested",
                "classification": {"labels": ["Interested"]},
                "success_evaluator": "8",
                "structured_data": {"budget": "high"},
                "follow_up": {
                    "required": True,
                    "time": "2026-02-01T15:30:00+05:30",
                    "reason": "Send the invite",
                },
                "profile_summary": {"callback_time": "2026-02-01 10:00"},
            },
            "transcript": [
                {
                    "role": "assistant",
                    "content": "Hi",
                    "timestamp": "2026-01-31T11:47:40Z",
                    "secondsFromStart": 2,
                },
                {"role": "user", "content": "Yes.", "timestamp": "2026-01-31T11:47:44Z"},
            ],
        },
    }


POST = "output.post_call_data"
MESSAGE = "output.transcript.0"
READ_FIELDS = [
    # (path, paths removed so that the path is the one read, probe table.column, problem fields)
    ("run_id", (), "tasks.run_id", {"run_id"}),
    ("space_id", (), "tasks.space_id", {"space_id"}),
    ("thread_id", (), "tasks.thread_id", {"thread_id"}),
    ("assignee", (), "tasks.assignee", {"assignee"}),
    ("status", (), "tasks.status", {"status"}),
    ("execution_type", (), "tasks.execution_type", {"execution_type"}),
    ("created", (), "tasks.created", {"created"}),
    ("modified", (), "tasks.modified", {"modified"}),
    ("task", (), "tasks.objective", {"task"}),
    ("task.objective", (), "tasks.objective", {"objective"}),
    ("user_info", (), "tasks.user_email", {"user_info"}),
    ("user_info.email", (), "tasks.user_email", {"user_email"}),
    ("user_info.full_name", (), "tasks.user_name", {"user_name"}),
    ("input", (), "tasks.input_name", {"input"}),
    ("input.name", (), "tasks.input_name", {"input_name"}),
    ("output", (), "calls.call_id", {"output"}),
    ("output.call_id", (), "calls.call_id", {"call_id"}),
    ("output.customer", (), "calls.customer", {"customer"}),
    ("output.contact_number", (), "calls.contact", {"contact"}),
    ("output.call_type", (), "calls.call_type", {"call_type"}),
    ("output.type", ("output.call_type",), "calls.call_type", {"call_type"}),
    ("output.call_status", (), "calls.call_status", {"call_status"}),
    ("output.call_end_reason", (), "calls.end_reason", {"end_reason"}),
    ("output.end_reason", ("output.call_end_reason",), "calls.end_reason", {"end_reason"}),
    ("output.start_time", (), "calls.start_time", {"start_time"}),
    ("output.end_time", (), "calls.end_time", {"end_time"}),
    ("output.duration", ("output.end_time",), "calls.duration_s", {"duration"}),
    ("output.cost", (), "calls.cost", {"cost"}),
    ("output.recording_url", (), "calls.recording_url", {"recording_url"}),
    ("output.call_summary", (f"{POST}.summary",), "calls.summary", {"summary"}),
    (
        "output.outcome",
        (f"{POST}.summary", f"{POST}.outcome"),
        "calls.outcome_raw",
        {"outcome_raw"},
    ),
    ("output.data", (), None, set()),
    (POST, (), "calls.labels", {"post_call_data"}),
    (f"{POST}.summary", (), "calls.summary", {"post_call_data.summary", "summary"}),
    (f"{POST}.summary.status", (), "calls.outcome_raw", {"outcome_raw"}),
    (f"{POST}.summary.summary", (), "calls.summary", {"summary"}),
    (f"{POST}.summary.name", ("output.customer",), "calls.customer", {"customer"}),
    (f"{POST}.summary.contact", ("output.contact_number",), "calls.contact", {"contact"}),
    (
        f"{POST}.summary.callback_datetime",
        (f"{POST}.follow_up.time", f"{POST}.profile_summary.callback_time"),
        "calls.callback_at",
        {"summary.callback_datetime"},
    ),
    (f"{POST}.outcome", (f"{POST}.summary",), "calls.outcome_raw", {"outcome_raw"}),
    (f"{POST}.classification", (), "calls.labels", {"post_call_data.classification", "labels"}),
    (f"{POST}.classification.labels", (), "calls.labels", {"labels"}),
    (f"{POST}.classification.labels.0", (), "calls.labels", {"labels"}),
    (f"{POST}.success_evaluator", (), "calls.success_evaluator", {"success_evaluator"}),
    (f"{POST}.structured_data", (), "calls.structured_data", {"structured_data"}),
    (f"{POST}.follow_up", (), "calls.follow_up_reason", {"post_call_data.follow_up"}),
    (f"{POST}.follow_up.required", (), "calls.follow_up_required", {"follow_up_required"}),
    (
        f"{POST}.follow_up.time",
        (f"{POST}.summary.callback_datetime", f"{POST}.profile_summary.callback_time"),
        "calls.callback_at",
        {"follow_up.time"},
    ),
    (f"{POST}.follow_up.reason", (), "calls.follow_up_reason", {"follow_up_reason"}),
    (
        f"{POST}.profile_summary",
        (f"{POST}.summary.callback_datetime", f"{POST}.follow_up.time"),
        "calls.callback_at",
        {"post_call_data.profile_summary"},
    ),
    (  # free text is kept (callback_text), a value of no time's type is a problem
        f"{POST}.profile_summary.callback_time",
        (f"{POST}.summary.callback_datetime", f"{POST}.follow_up.time"),
        "calls.callback_text",
        {"profile_summary.callback_time"},
    ),
    ("output.transcript", (), "calls.n_turns", {"transcript"}),
    (MESSAGE, (), "turns.n", {"transcript"}),
    (f"{MESSAGE}.role", (), "turns.role", {"transcript.role"}),
    (f"{MESSAGE}.speaker", (f"{MESSAGE}.role",), "turns.role", {"transcript.role"}),
    (f"{MESSAGE}.content", (), "turns.text", {"transcript.content"}),
    (f"{MESSAGE}.message", (f"{MESSAGE}.content",), "turns.text", {"transcript.content"}),
    (f"{MESSAGE}.text", (f"{MESSAGE}.content",), "turns.text", {"transcript.content"}),
    (f"{MESSAGE}.timestamp", (), "turns.timestamp", {"transcript.timestamp"}),
    (f"{MESSAGE}.time", (f"{MESSAGE}.timestamp",), "turns.timestamp", {"transcript.time"}),
    (
        f"{MESSAGE}.secondsFromStart",
        (f"{MESSAGE}.timestamp",),
        "turns.offset_s",
        {"transcript.secondsFromStart"},
    ),
]
WRONG_VALUES = ["abc", "12", 0, 7, 2.5, True, False, math.nan, math.inf, [1, "x"], {"k": "v"}]
"""One value of every JSON type (and the NaN and Infinity tokens Python writes); a path whose
good value is an object skips the object, and a list item also gets null."""


def at(path: str) -> list:
    return [int(key) if key.isdigit() else key for key in path.split(".")]


def put(task: dict, path: str, value=...) -> None:
    """Set the value at ``path`` (remove it when ``value`` is left out)."""
    *parents, last = at(path)
    node = task
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value


def probe(run: Run, task_id: str, where: str):
    """The value a wrongly typed field lands in; None when the row itself is missing."""
    table_name, column = where.split(".")
    table = getattr(run, table_name)
    rows = table[table["task_id"] == task_id]
    if table_name == "turns":
        if column == "n":
            return len(rows) if len(rows) == 2 else None
        rows = rows[rows["turn"] == 0]
    return rows[column].iloc[0] if len(rows) == 1 and column in rows else None


def wrong_values_for(path: str) -> list:
    node = full_task("T")
    for key in at(path):
        node = node[key] if isinstance(node, list) else node.get(key)
    values = [v for v in WRONG_VALUES if not (isinstance(node, dict) and isinstance(v, dict))]
    return [*values, None] if path.split(".")[-1].isdigit() else values


@pytest.mark.parametrize("form", ["dict", "text"])
@pytest.mark.parametrize(("path", "removed", "where", "fields"), READ_FIELDS)
def test_every_wrongly_typed_value_is_read_or_na_with_a_problem_row(
    form, path, removed, where, fields
):
    """Each field the loader reads, given each JSON type: the task stays, and the value is
    read or it is NA with a problems row that names the task and the field and shows it."""
    values = wrong_values_for(path)
    tasks = [full_task(f"T{i}") for i in range(len(values))]
    for task, value in zip(tasks, values):
        for gone in removed:
            put(task, gone)
        put(task, path, value)
    run = load_quietly(tasks if form == "dict" else json.dumps(tasks))
    assert run.tasks["task_id"].tolist() == [t["task_id"] for t in tasks]
    assert not any("array(" in p or "np." in p for p in run.problems["problem"])
    silent = []
    for task, value in zip(tasks, values):
        if where is None or not pd.isna(probe(run, task["task_id"], where)):
            continue
        found = run.problems[run.problems["task_id"] == task["task_id"]]
        if not found["field"].isin(fields).any():
            silent.append(value)
    assert not silent, f"{path}: NA without a problem row for {silent}"


def test_a_wrongly_typed_task_id_keeps_the_task_with_a_problem_showing_the_value():
    ids = [*WRONG_VALUES, None]
    run = load_quietly([{**full_task("T"), "task_id": i} for i in ids])
    readable = ["abc", "12", "0", "7", "2.5"]
    assert run.tasks["task_id"].dropna().tolist() == readable
    assert run.tasks["task_id"].isna().sum() == len(ids) - len(readable)
    problems = run.problems[run.problems["field"] == "task_id"]["problem"].tolist()
    assert len(problems) == len(ids) - len(readable)
    for shown in ("True", "False", "nan", "inf", "[1, 'x']", "{'k': 'v'}"):
        assert any(shown in p for p in problems), shown
