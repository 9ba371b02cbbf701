"""The Vapi adapter: call objects, lists, end-of-call webhooks and older objects as tasks.

The payloads in ``tests/data/vapi/`` are written by hand from Vapi's call type; every expected
value below is computed by hand from them (the arithmetic is in the comments).
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.load import load_run, vapi
from analytics.load.payload import Adapted, PostCall, Task
from analytics.schema import CALLS_SCHEMA, TURNS_SCHEMA

DATA = Path(__file__).parent / "data" / "vapi"
FILES = (
    "full_call.json",
    "customer_did_not_answer.json",
    "voicemail.json",
    "tool_calls.json",
    "webhook_end_of_call.json",
    "legacy.json",
    "calls_list.json",
)
FULL_ID = "0b7c6e2a-2f3e-4c55-9d0e-6a1f8f3c2b11"


def payload(name: str) -> Any:
    return json.loads((DATA / name).read_bytes())


def one_task(obj: Any) -> Task:
    """The only task of ``obj``, which must read without problems."""
    tasks, problems = vapi.to_tasks(obj)
    assert problems == []
    assert len(tasks) == 1
    return tasks[0]


def call(**fields: Any) -> dict[str, Any]:
    """A small ended outbound call; ``fields`` override or add keys."""
    base = {
        "id": "c1",
        "type": "outboundPhoneCall",
        "status": "ended",
        "endedReason": "customer-ended-call",
        "startedAt": "2026-01-01T11:47:38.067Z",
        "endedAt": "2026-01-01T11:48:11.385Z",
    }
    return {**base, **fields}


def turn_view(task: Task) -> list[tuple[Any, ...]]:
    transcript = task.output.transcript
    return [(m.role, m.content if m.content is not None else m.message) for m in transcript]


# --- matches ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"id": "c1", "status": "ended"}, True),
        ({"id": "c1", "artifact": {}}, True),
        ({"id": "c1", "orgId": "o1"}, True),
        ({"message": {"type": "end-of-call-report", "call": {"id": "c1"}}}, True),
        ({"message": {"type": "status-update", "status": "ringing"}}, True),
        ({"id": "c1"}, False),  # an id alone is no platform's
        ({"id": "c1", "task_id": "T1", "status": "ended"}, False),  # an Unpod task
        ({"call_id": "c1", "call_status": "ended"}, False),  # a Retell call
        ({"id": "c1", "call_id": "c1", "status": "ended"}, False),
        ({"data": [], "message": "OK"}, False),  # an Unpod response: its message is text
        ({"message": {"status": "ringing"}}, False),
        ([{"id": "c1", "status": "ended"}], False),  # lists are read item by item
        ("id", False),
        (None, False),
    ],
)
def test_matches(obj: Any, expected: bool) -> None:
    assert vapi.matches(obj) is expected


@pytest.mark.parametrize("name", [n for n in FILES if n != "calls_list.json"])
def test_every_sample_object_matches(name: str) -> None:
    assert vapi.matches(payload(name))


def test_every_item_of_the_list_matches() -> None:
    assert all(map(vapi.matches, payload("calls_list.json")))


# --- one full call ----------------------------------------------------------------------------


def test_full_call_task_fields() -> None:
    task = one_task(payload("full_call.json"))
    assert task.task_id == FULL_ID
    assert task.assignee == "5b0a4a08-assistant-uuid"  # no assistant.name: the assistantId
    assert task.status == "completed"  # ended
    assert (task.created, task.modified) == ("2026-01-01T11:47:30.100Z", "2026-01-01T11:48:20.000Z")
    assert (task.run_id, task.space_id, task.thread_id, task.input) == (None, None, None, None)


def test_full_call_output_fields() -> None:
    output = one_task(payload("full_call.json")).output
    assert output.call_id == FULL_ID
    assert output.call_type == "outbound"
    assert output.call_status == "completed"  # ended on customer-ended-call
    assert output.end_reason == "customer-ended-call"
    assert output.start_time == "2026-01-01T11:47:38.067Z"  # raw: the loader parses it
    assert output.end_time == "2026-01-01T11:48:11.385Z"
    assert output.duration is None  # the loader takes endedAt - startedAt (33.318 s)
    assert output.cost == 0.0742  # USD as is
    assert output.recording_url == "https://example.invalid/rec.wav"  # not the stereo one
    assert (output.customer, output.contact_number) == ("Asha", "+14155550199")
    assert output.post_call_data == PostCall(
        summary="Lead agreed to a demo.",
        outcome=None,  # "true" is not a label
        success_evaluator="true",
        structured_data={"demo_day": "Tuesday"},
    )


def test_full_call_adapted_fields() -> None:
    adapted = one_task(payload("full_call.json")).output.adapted
    # one turn: every median and the 90th percentile are that turn's, ms / 1000
    assert adapted == Adapted(
        platform="vapi",
        platform_status="ended",
        channel="phone",
        latency_e2e_p50_s=1.02,
        latency_e2e_p90_s=1.02,
        latency_llm_p50_s=0.41,
        latency_tts_p50_s=0.19,
        latency_asr_p50_s=0.12,
        user_interruptions=0,
        agent_interruptions=1,
        llm_prompt_tokens=3650,
        llm_completion_tokens=118,
        tts_characters=96,
        # total, the counts and analysisCostBreakdown (an object) are not parts
        cost_parts={"transport": 0.0055, "stt": 0.004, "llm": 0.0021, "tts": 0.012, "vapi": 0.0506},
    )
    # the parts add up to the total: 0.0055 + 0.004 + 0.0021 + 0.012 + 0.0506 = 0.0742
    assert math.isclose(sum(adapted.cost_parts.values()), 0.0742)


def test_full_call_turns_skip_the_system_prompt_and_keep_raw_times() -> None:
    transcript = one_task(payload("full_call.json")).output.transcript
    assert [(m.role, m.message) for m in transcript] == [
        ("bot", "Hi Asha, is this a good time?"),
        ("user", "Yes, go ahead."),
        ("bot", "Great, Tuesday it is."),
    ]
    first = transcript[0]
    assert (first.time, first.endTime, first.secondsFromStart, first.duration) == (
        1767268058690,
        1767268060410,
        0.62,
        1720,
    )


# --- calls that did not connect ---------------------------------------------------------------


def test_customer_did_not_answer() -> None:
    task = one_task(payload("customer_did_not_answer.json"))
    assert task.assignee == "demo-booker"  # assistant.name over assistantId
    assert task.status == "completed"  # the call ended, however it ended
    assert task.output.call_status == "notConnected"  # decided by the end reason
    assert task.output.transcript == []  # only the system prompt: no turn
    assert task.output.post_call_data.success_evaluator == "false"
    assert task.output.adapted.cost_parts == {"transport": 0.0012}
    assert (task.output.customer, task.output.contact_number) == (None, "+14155550142")


def test_voicemail() -> None:
    output = one_task(payload("voicemail.json")).output
    assert output.call_status == "voicemail"
    assert output.adapted.voicemail is None  # the loader derives it from the end reason
    assert output.post_call_data.success_evaluator == "0"  # a number, as text
    assert output.post_call_data.outcome is None  # a number is not a label
    assert (output.adapted.llm_prompt_tokens, output.adapted.tts_characters) == (0, 0)
    assert [(m.role, m.duration) for m in output.transcript] == [("user", 5500)]


# --- tool calls -------------------------------------------------------------------------------


def test_tool_messages_keep_their_role_with_readable_text() -> None:
    task = one_task(payload("tool_calls.json"))
    assert turn_view(task) == [
        ("bot", "Hello! Want to book a demo?"),
        ("user", "Yes, Tuesday please."),
        ("tool_calls", 'bookDemo({"day": "Tuesday"})'),
        ("tool_call_result", "Booked for Tuesday 10:00"),
        ("bot", "Done, you are booked for Tuesday at ten."),
    ]
    assert task.output.transcript[3].secondsFromStart == 7.3


def test_tool_calls_web_call_and_outcome() -> None:
    task = one_task(payload("tool_calls.json"))
    assert task.assignee == "web-booker"
    assert task.output.call_type is None  # a web call has no direction
    assert task.output.adapted.channel == "web"
    # structuredData.outcome comes before the success evaluation's label
    assert task.output.post_call_data.outcome == "Interested"
    assert task.output.post_call_data.success_evaluator == "Booked"
    assert task.output.adapted.cost_parts["transport"] == 0  # a zero part is a part


def test_tool_calls_latency_percentiles() -> None:
    adapted = one_task(payload("tool_calls.json")).output.adapted
    # turnLatency sorted: 800, 900, 1020, 1500
    #   p50 at rank 1.5: 900 + 0.5 * (1020 - 900) = 960 ms
    #   p90 at rank 2.7: 1020 + 0.7 * (1500 - 1020) = 1356 ms
    # modelLatency 300, 350, 400, 700 -> (350 + 400) / 2 = 375 ms
    # voiceLatency 150, 180, 200, 260 -> 190 ms; transcriberLatency 90, 100, 110, 130 -> 105 ms
    assert (adapted.latency_e2e_p50_s, adapted.latency_e2e_p90_s) == (0.96, 1.356)
    assert (adapted.latency_llm_p50_s, adapted.latency_tts_p50_s) == (0.375, 0.19)
    assert adapted.latency_asr_p50_s == 0.105
    assert (adapted.user_interruptions, adapted.agent_interruptions) == (2, 0)


def test_tool_call_variants() -> None:
    messages = [
        {"role": "tool_calls", "toolCalls": [
            {"function": {"name": "a", "arguments": {"x": 1}}},  # an object: as JSON text
            {"function": {"name": "b"}},  # no arguments
            {"id": "no-function"},  # skipped: nothing to say
        ]},
        {"role": "tool_call_result", "message": "fallback"},  # no result: its message
        {"role": "tool_call_result", "result": {"ok": True}},
        {"role": "tool_call_result", "result": 42},
        {"role": "tool_calls", "toolCalls": []},
    ]  # fmt: skip
    task = one_task(call(artifact={"messages": messages}))
    assert [text for _, text in turn_view(task)] == [
        'a({"x": 1}); b()',
        "fallback",
        '{"ok": true}',
        "42",
        "",
    ]


# --- the end-of-call webhook ------------------------------------------------------------------


def test_webhook_fills_the_call_from_beside_it() -> None:
    task = one_task(payload("webhook_end_of_call.json"))
    output = task.output
    assert task.task_id == "e5f6a7b8-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
    assert task.assignee == "asst-frontdesk-uuid"
    assert (task.created, task.modified) == ("2026-01-04T14:00:09.000Z", "2026-01-04T14:00:55.000Z")
    assert (output.call_type, output.call_status) == ("inbound", "completed")
    assert (output.start_time, output.end_time) == (
        "2026-01-04T14:00:10.000Z",
        "2026-01-04T14:00:50.250Z",
    )
    assert (output.end_reason, output.cost) == ("assistant-ended-call", 0.031)
    assert output.recording_url == "https://example.invalid/frontdesk.wav"
    assert (output.customer, output.contact_number) == ("Ravi", "+14155550123")  # the call's
    assert output.post_call_data.summary == "Caller asked about Sunday hours."
    assert output.post_call_data.success_evaluator == "8"  # a score, as text
    assert output.adapted.llm_prompt_tokens == 2100
    assert [role for role, _ in turn_view(task)] == ["bot", "user", "bot"]


def test_webhook_the_calls_own_value_wins() -> None:
    body = {
        "message": {
            "type": "end-of-call-report",
            "cost": 0.9,
            "summary": "beside",
            "call": call(cost=0.5, summary=None),
        }
    }
    task = one_task(body)
    assert task.output.cost == 0.5
    assert task.output.post_call_data.summary == "beside"  # the call's is null: filled
    assert task.output.adapted.channel == "phone"  # the message's type is not the call's


@pytest.mark.parametrize("kind", ["status-update", "transcript", "conversation-update"])
def test_other_webhook_messages_give_no_task(kind: str) -> None:
    tasks, problems = vapi.to_tasks({"message": {"type": kind, "call": call()}})
    assert tasks == []
    assert [(p["task_id"], p["field"]) for p in problems] == [(None, "message.type")]
    assert repr(kind) in problems[0]["problem"]
    assert "only end-of-call reports hold a finished call" in problems[0]["problem"]


@pytest.mark.parametrize("bad_call", [None, "c1", [call()]])
def test_end_of_call_report_without_a_call_object(bad_call: Any) -> None:
    message = {"type": "end-of-call-report", "call": bad_call}
    tasks, problems = vapi.to_tasks({"message": message})
    assert tasks == []
    assert [p["field"] for p in problems] == ["message.call"]
    assert "not an object; it was skipped" in problems[0]["problem"]


# --- older objects ----------------------------------------------------------------------------


def test_legacy_top_level_fields() -> None:
    task = one_task(payload("legacy.json"))
    assert task.output.recording_url == "https://example.invalid/legacy.wav"  # not stereo
    assert task.output.post_call_data.summary == "Caller wanted to book a table."
    assert turn_view(task) == [  # the messages before the text transcript
        ("assistant", "Hello, thanks for calling."),
        ("user", "I want to book a table."),
        ("assistant", "Sure, for when?"),
    ]


def test_current_places_come_before_the_older_ones() -> None:
    obj = call(
        artifact={"recordingUrl": "new.wav", "messages": [{"role": "bot", "message": "new"}]},
        analysis={"summary": "new summary"},
        recordingUrl="old.wav",
        summary="old summary",
        messages=[{"role": "bot", "message": "old"}],
    )
    task = one_task(obj)
    assert task.output.recording_url == "new.wav"
    assert task.output.post_call_data.summary == "new summary"
    assert turn_view(task) == [("bot", "new")]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"transcript": "AI: Hi.\nUser: Hey.\n"}, "AI: Hi.\nUser: Hey.\n"),
        ({"artifact": {"transcript": "AI: a"}, "transcript": "AI: b"}, "AI: a"),
        ({"artifact": {"messages": [], "transcript": "AI: a"}}, "AI: a"),  # empty: the text
        ({"artifact": {"messages": []}}, []),  # no message: no turn
        ({"messages": [{"role": "system", "message": "prompt"}]}, []),
        ({}, None),  # no transcript at all
    ],
)
def test_transcript_fallbacks(fields: dict[str, Any], expected: Any) -> None:
    assert one_task(call(**fields)).output.transcript == expected


def test_stereo_recording_is_the_last_resort() -> None:
    obj = call(artifact={"stereoRecordingUrl": "a-stereo.wav"}, stereoRecordingUrl="b.wav")
    assert one_task(obj).output.recording_url == "a-stereo.wav"
    assert one_task(call(stereoRecordingUrl="b.wav")).output.recording_url == "b.wav"


# --- lists ------------------------------------------------------------------------------------


def test_a_list_of_calls() -> None:
    tasks, problems = vapi.to_tasks(payload("calls_list.json"))
    assert problems == []
    assert [(t.task_id, t.status, t.output.call_status) for t in tasks] == [
        ("list-call-1", "completed", "completed"),
        ("list-call-2", "completed", "busy"),  # customer-busy decides
        ("list-call-3", "in_progress", "incall"),  # in-progress: ongoing
    ]
    assert [t.output.transcript is None for t in tasks] == [False, True, True]


def test_items_that_are_not_objects_are_skipped_with_a_problem() -> None:
    tasks, problems = vapi.to_tasks([call(id="a"), 7, "text", None, call(id="b")])
    assert [t.task_id for t in tasks] == ["a", "b"]
    assert [(p["task_id"], p["field"]) for p in problems] == [(None, "call")] * 3
    assert problems[0]["problem"] == "item 1 of the input is not a Vapi call object but an int (7)"


def test_input_that_is_no_object_at_all() -> None:
    tasks, problems = vapi.to_tasks(7)
    assert tasks == []
    assert problems[0]["problem"] == "the input is not a Vapi call object but an int (7)"
    assert vapi.to_tasks([]) == ([], [])


def test_a_call_without_an_id_is_kept() -> None:
    task = one_task({"status": "ended", "endedReason": "voicemail"})
    assert (task.task_id, task.output.call_id, task.output.call_status) == (None, None, "voicemail")


# --- states, directions, evaluations ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "task_status", "call_status"),
    [
        ("scheduled", None, "scheduled", "callDispatched"),
        ("queued", None, "scheduled", "callDispatched"),
        ("ringing", None, "scheduled", "callDispatched"),
        ("in-progress", None, "in_progress", "incall"),
        ("forwarding", None, "in_progress", "incall"),
        ("ended", "customer-ended-call", "completed", "completed"),
        ("ended", "customer-busy", "completed", "busy"),
        ("ended", "pipeline-error-openai-llm-failed", "completed", "completed"),
        (None, "silence-timed-out", "completed", "completed"),  # an end reason: it ended
        (None, None, None, None),
        ("paused", None, None, None),  # an unknown status: unknown state
        (["ended"], None, None, None),  # not text: passed on raw for the loader to report
    ],
)
def test_status_mapping(status: Any, reason: Any, task_status: Any, call_status: Any) -> None:
    task = one_task(call(status=status, endedReason=reason))
    assert (task.status, task.output.call_status) == (task_status, call_status)
    assert task.output.adapted.platform_status == status


@pytest.mark.parametrize(
    ("kind", "direction", "channel"),
    [
        ("inboundPhoneCall", "inbound", "phone"),
        ("outboundPhoneCall", "outbound", "phone"),
        ("webCall", None, "web"),
        ("vapi.websocketCall", None, "vapi.websocketCall"),
        (None, None, None),
        (5, None, 5),  # raw: the loader reports it
    ],
)
def test_type_mapping(kind: Any, direction: Any, channel: Any) -> None:
    output = one_task(call(type=kind)).output
    assert (output.call_type, output.adapted.channel) == (direction, channel)


@pytest.mark.parametrize(
    ("evaluation", "text", "outcome"),
    [
        (True, "true", None),
        (False, "false", None),
        (7, "7", None),
        (10**30, "1" + "0" * 30, None),  # an integer too large for a float
        (float("inf"), float("inf"), None),  # not finite: raw, the loader reports it
        (0.75, "0.75", None),
        ("8", "8", None),
        ("TRUE", "TRUE", None),
        ("Booked", "Booked", "Booked"),
        ("  ", "  ", None),
        (None, None, None),
        ({"score": 3}, {"score": 3}, None),  # raw: the loader reports it
    ],
)
def test_success_evaluation(evaluation: Any, text: Any, outcome: Any) -> None:
    post = one_task(call(analysis={"successEvaluation": evaluation})).output.post_call_data
    assert (post.success_evaluator, post.outcome) == (text, outcome)


@pytest.mark.parametrize(
    ("structured", "outcome"),
    [
        ({"status": "Done", "call_outcome": "Interested"}, "Interested"),  # call_outcome first
        ({"outcome": "", "disposition": "Call Back"}, "Call Back"),  # empty text is none
        ({"outcome": 5}, "Label"),  # no text: the evaluation's label
        ("outcome: x", "Label"),  # not an object
    ],
)
def test_outcome_from_structured_data(structured: Any, outcome: str) -> None:
    analysis = {"structuredData": structured, "successEvaluation": "Label"}
    post = one_task(call(analysis=analysis)).output.post_call_data
    assert post.outcome == outcome
    assert post.structured_data == structured  # kept whole


# --- latencies --------------------------------------------------------------------------------


def test_averages_alone_are_no_median() -> None:
    metrics = {"turnLatencyAverage": 900, "modelLatencyAverage": 400, "numUserInterrupted": 3}
    adapted = one_task(call(artifact={"performanceMetrics": metrics})).output.adapted
    assert adapted.latency_e2e_p50_s is None
    assert adapted.latency_llm_p50_s is None
    assert adapted.user_interruptions == 3


def test_latencies_that_are_not_possible_are_left_out_and_reported() -> None:
    turns = [
        {"turnLatency": 1000, "modelLatency": "fast"},
        {"turnLatency": True, "modelLatency": 500},
        {"turnLatency": 3000, "voiceLatency": -5},
        {"turnLatency": float("nan"), "transcriberLatency": 86_400_001},
    ]
    obj = call(artifact={"performanceMetrics": {"turnLatencies": turns}})
    tasks, problems = vapi.to_tasks(obj)
    adapted = tasks[0].output.adapted
    # turnLatency 1000 and 3000 (True and NaN are none): median 2000 ms, p90 1000 + 0.9 * 2000
    assert (adapted.latency_e2e_p50_s, adapted.latency_e2e_p90_s) == (2.0, 2.8)
    assert adapted.latency_llm_p50_s == 0.5
    assert (adapted.latency_tts_p50_s, adapted.latency_asr_p50_s) == (None, None)
    field = "artifact.performanceMetrics.turnLatencies"
    assert [(p["task_id"], p["field"]) for p in problems] == [
        ("c1", f"{field}.modelLatency"),
        ("c1", f"{field}.turnLatency"),
        ("c1", f"{field}.voiceLatency"),
        ("c1", f"{field}.turnLatency"),
        ("c1", f"{field}.transcriberLatency"),
    ]
    assert problems[0]["problem"] == (
        f"{field}.modelLatency 'fast' is not a possible latency (0..86,400,000 ms); "
        "left out of the latency columns"
    )
    assert vapi.decode(json.dumps(obj).encode()) is None  # the lenient way reports them


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(0, 10**6) | st.floats(0, 1e6), min_size=1, max_size=30),
    q=st.sampled_from([0.5, 0.9]),
)
def test_latency_quantile_is_numpys(values: list[float], q: float) -> None:
    turns = [{"turnLatency": v} for v in values]
    adapted = one_task(call(artifact={"performanceMetrics": {"turnLatencies": turns}})).output
    got = adapted.adapted.latency_e2e_p50_s if q == 0.5 else adapted.adapted.latency_e2e_p90_s
    assert got == pytest.approx(np.percentile(values, q * 100) / 1000, rel=1e-9, abs=1e-12)


# --- parts of the wrong type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"artifact": []}, "artifact"),
        ({"analysis": "great"}, "analysis"),
        ({"customer": "+1415"}, "customer"),
        ({"assistant": "Aria"}, "assistant"),
        ({"costBreakdown": [0.1]}, "costBreakdown"),
        ({"messages": "AI: hi"}, "messages"),
        ({"artifact": {"messages": "oops"}}, "artifact.messages"),
        ({"artifact": {"performanceMetrics": 7}}, "artifact.performanceMetrics"),
        (
            {"artifact": {"performanceMetrics": {"turnLatencies": {"turnLatency": 1}}}},
            "artifact.performanceMetrics.turnLatencies",
        ),
        (
            {"artifact": {"messages": [{"role": "tool_calls", "toolCalls": "x"}]}},
            "artifact.messages.toolCalls",
        ),
        (
            {"artifact": {"messages": [{"role": "tool_calls", "toolCalls": [{"function": "f"}]}]}},
            "artifact.messages.toolCalls.function",
        ),
    ],
)
def test_a_part_of_the_wrong_type_is_left_out(fields: dict[str, Any], field: str) -> None:
    obj = call(cost=0.25, **fields)
    tasks, problems = vapi.to_tasks(obj)
    assert [(p["task_id"], p["field"]) for p in problems] == [("c1", field)]
    assert "left NA" in problems[0]["problem"]
    assert tasks[0].output.cost == 0.25  # the rest is kept
    assert tasks[0].output.call_status == "completed"
    assert vapi.decode(json.dumps(obj).encode()) is None


def test_the_wrong_part_is_named_and_the_rest_of_its_object_kept() -> None:
    obj = call(artifact={"messages": "oops", "transcript": "AI: hello", "recordingUrl": "r.wav"})
    tasks, problems = vapi.to_tasks(obj)
    assert problems[0]["problem"] == "artifact.messages is a str ('oops'), expected a list; left NA"
    assert tasks[0].output.transcript == "AI: hello"
    assert tasks[0].output.recording_url == "r.wav"


def test_message_items_that_are_not_objects_are_skipped() -> None:
    messages = [{"role": "bot", "message": "Hi"}, 7, None, {"role": "user", "message": "Yo"}]
    tasks, problems = vapi.to_tasks(call(artifact={"messages": messages}))
    assert turn_view(tasks[0]) == [("bot", "Hi"), ("user", "Yo")]
    assert [p["field"] for p in problems] == ["artifact.messages"]
    assert problems[0]["problem"] == (
        "2 of 4 items of artifact.messages are not objects (the first: 7); they were skipped"
    )


def test_webhook_parts_are_named_where_they_sit() -> None:
    body = {
        "message": {
            "type": "end-of-call-report",
            "artifact": "none",
            "call": call(analysis=[1], cost=0.1),
        }
    }
    tasks, problems = vapi.to_tasks(body)
    assert tasks[0].task_id == "c1"
    assert [(p["task_id"], p["field"]) for p in problems] == [
        ("c1", "message.call.analysis"),
        ("c1", "message.artifact"),
    ]


def test_keys_that_cannot_name_a_field_are_dropped() -> None:
    obj = {**call(), 5: "five", "artifact": {1: 2, "recordingUrl": "r.wav"}, "x\ud800": 1}
    task = one_task(obj)
    assert (task.task_id, task.output.recording_url) == ("c1", "r.wav")


def test_the_input_is_never_mutated() -> None:
    obj = payload("webhook_end_of_call.json")
    obj["message"]["call"]["artifact"] = {"messages": [1, {"role": "bot", "message": "x"}]}
    before = copy.deepcopy(obj)
    vapi.to_tasks(obj)
    vapi.to_tasks([obj["message"]["call"]])
    assert obj == before


# --- decode: the typed way in -----------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_decode_equals_the_lenient_way(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert vapi.decode(raw) == vapi.to_tasks(json.loads(raw))[0]


@pytest.mark.parametrize(
    "raw",
    [
        b'[{"task_id": "T1", "output": {}}]',  # Unpod
        b'{"data": [{"task_id": "T1"}], "status_code": 200}',
        b'{"call_id": "c1", "call_status": "ended"}',  # Retell
        b'[{"id": "c1", "status": "ended"}, {"call_id": "c2"}]',  # a mix: the lenient way
        b'{"id": "c1"}',  # an id alone
        b'{"message": {"type": "status-update", "status": "ended"}}',
        b'{"message": {"type": "end-of-call-report"}}',  # no call
        b'{"id": "c1", "status": "ended", "messages": [7]}',
        b'{"id": "c1", "status": "ended", "artifact": {"messages": "x"}}',
        b"[1, 2]",
        b"not json",
        b"",
        b"[" * 100_000,  # nested too deep: never raises
    ],
)
def test_decode_refuses_what_is_not_a_clean_vapi_text(raw: bytes) -> None:
    assert vapi.decode(raw) is None


def test_decode_of_an_empty_list_is_no_task() -> None:
    assert vapi.decode(b"[]") == []


# --- a property over generated calls ----------------------------------------------------------

ROLES = st.sampled_from(["system", "bot", "assistant", "user", "tool_calls", "tool_call_result"])
MESSAGES = st.lists(
    st.fixed_dictionaries(
        {"role": ROLES, "message": st.text(max_size=12)},
        optional={"secondsFromStart": st.floats(0, 600), "time": st.integers(0, 2**41)},
    ),
    max_size=8,
)
CALLS = st.lists(
    st.fixed_dictionaries(
        {"id": st.uuids().map(str), "status": st.sampled_from(["ended", "queued", "ringing"])},
        optional={
            "type": st.sampled_from(["inboundPhoneCall", "outboundPhoneCall", "webCall"]),
            "endedReason": st.sampled_from(["customer-ended-call", "voicemail", "customer-busy"]),
            "cost": st.floats(0, 5),
            "artifact": st.fixed_dictionaries({}, optional={"messages": MESSAGES}),
            "messages": MESSAGES,
        },
    ),
    max_size=6,
    unique_by=lambda c: c["id"],
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=CALLS)
def test_every_call_once_and_one_turn_per_spoken_message(calls: list[dict[str, Any]]) -> None:
    tasks, problems = vapi.to_tasks(calls)
    assert problems == []
    assert [t.task_id for t in tasks] == [c["id"] for c in calls]
    for c, task in zip(calls, tasks):
        messages = c.get("artifact", {}).get("messages") or c.get("messages") or []
        said = [(m["role"], m["message"]) for m in messages if m["role"] != "system"]
        if messages:
            assert turn_view(task) == said
        else:
            assert task.output.transcript in (None, [])
    assert vapi.decode(json.dumps(calls).encode()) == tasks


# --- end to end: load_run ---------------------------------------------------------------------


def test_full_call_loads_into_the_hand_built_tables() -> None:
    run = load_run(DATA / "full_call.json")
    expected = pd.DataFrame(
        {
            "task_id": [FULL_ID],
            "call_id": [FULL_ID],
            "run_id": [None],
            "assignee": ["5b0a4a08-assistant-uuid"],
            "customer": ["Asha"],
            "call_type": ["outbound"],
            "call_status": ["completed"],
            "end_reason": ["customer-ended-call"],
            "start_time": [pd.Timestamp("2026-01-01 11:47:38.067", tz="UTC")],
            "end_time": [pd.Timestamp("2026-01-01 11:48:11.385", tz="UTC")],
            "duration_s": [33.318],  # 11:48:11.385 - 11:47:38.067
            "cost": [0.0742],  # USD as is
            "recording_url": ["https://example.invalid/rec.wav"],
            "outcome": [None],
            "outcome_raw": [None],
            "summary": ["Lead agreed to a demo."],
            "labels": [None],
            "success_score": [1.0],  # "true"
            "success_evaluator": ["true"],
            "structured_data": ['{"demo_day":"Tuesday"}'],
            "contact": ["+14155550199"],
            "platform": ["vapi"],
            "platform_status": ["ended"],
            "channel": ["phone"],
            "agent_version": [None],
            "latency_e2e_p50_s": [1.02],  # one turn of 1020 ms
            "latency_e2e_p90_s": [1.02],
            "latency_llm_p50_s": [0.41],
            "latency_tts_p50_s": [0.19],
            "latency_asr_p50_s": [0.12],
            "user_interruptions": [0],
            "agent_interruptions": [1],
            "sentiment_label": [None],
            "voicemail": [False],  # customer-ended-call: a known end, not a voicemail
            "llm_prompt_tokens": [3650],
            "llm_completion_tokens": [118],
            "tts_characters": [96],
            "n_turns": [3],  # the system prompt is no turn
            "n_agent_turns": [2],
            "n_user_turns": [1],
            "evaluated": [True],
            "connected": [True],
            "has_conversation": [True],
        }
    )
    expected = expected.astype({c: CALLS_SCHEMA[c] for c in expected.columns})
    calls = run.calls[expected.columns]
    pd.testing.assert_frame_equal(calls, expected)
    assert json.loads(run.calls["cost_parts"].iloc[0]) == {
        "transport": 0.0055,
        "stt": 0.004,
        "llm": 0.0021,
        "tts": 0.012,
        "vapi": 0.0506,
    }
    stamps = pd.to_datetime([1767268058690, 1767268061170, 1767268063070], unit="ms", utc=True)
    turns = pd.DataFrame(
        {
            "task_id": [FULL_ID] * 3,
            "call_id": [FULL_ID] * 3,
            "turn": [0, 1, 2],
            "speaker": ["agent", "user", "agent"],
            "role": ["bot", "user", "bot"],
            "text": ["Hi Asha, is this a good time?", "Yes, go ahead.", "Great, Tuesday it is."],
            "timestamp": stamps,
            # from `time` relative to startedAt (…58067 ms): 623, 3103 and 5003 ms
            "offset_s": [0.623, 3.103, 5.003],
            "duration_s": [1.72, 0.88, 1.8],  # (endTime - time) / 1000
            "n_words": [7, 3, 4],
        }
    ).astype(TURNS_SCHEMA)
    pd.testing.assert_frame_equal(run.turns, turns)
    assert run.problems.empty


def test_the_same_call_as_an_object_with_the_platform_named() -> None:
    by_path = load_run(DATA / "full_call.json")
    by_object = load_run(payload("full_call.json"), platform="vapi")
    by_text = load_run((DATA / "full_call.json").read_text())
    for got in (by_object, by_text):
        pd.testing.assert_frame_equal(got.calls, by_path.calls)
        pd.testing.assert_frame_equal(got.turns, by_path.turns)
        pd.testing.assert_frame_equal(got.tasks, by_path.tasks)


CALL_COLUMNS = [
    "task_id",
    "assignee",
    "call_type",
    "call_status",
    "duration_s",
    "cost",
    "outcome",
    "success_score",
    "channel",
    "voicemail",
    "n_turns",
    "connected",
]


# fmt: off
SAMPLE_ROWS = [
    # 12:00:31.5 - 12:00:01.5 = 30 s of ringing; "false" scores 0
    ("customer_did_not_answer.json", [
        "4e1f0c55-6b7a-4c1d-8e2f-0a9b8c7d6e51", "demo-booker", "outbound", "notConnected",
        30.0, 0.0012, None, 0.0, "phone", False, 0, False]),
    # 09:00:20 - 09:00:02 = 18 s; the end reason says voicemail
    ("voicemail.json", [
        "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "5b0a4a08-assistant-uuid", "outbound",
        "voicemail", 18.0, 0.0066, None, 0.0, "phone", True, 1, False]),
    # a web call: no direction; the outcome from structuredData; "Booked" is no score
    ("tool_calls.json", [
        "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b", "web-booker", None, "completed",
        40.0, 0.05, "Interested", None, "web", False, 5, True]),
    # 14:00:50.25 - 14:00:10 = 40.25 s (times from beside the call); a score of 8
    ("webhook_end_of_call.json", [
        "e5f6a7b8-9c0d-4e1f-a2b3-c4d5e6f7a8b9", "asst-frontdesk-uuid", "inbound",
        "completed", 40.25, 0.031, None, 8.0, "phone", False, 3, True]),
    ("legacy.json", [
        "1a2b3c4d-legacy-call", "asst-legacy-uuid", "inbound", "completed",
        30.0, 0.02, None, None, "phone", False, 3, True]),
]
"""Per sample file, its ``calls`` row in :data:`CALL_COLUMNS`, computed by hand."""
# fmt: on


@pytest.mark.parametrize(("name", "row"), SAMPLE_ROWS)
def test_each_sample_loads(name: str, row: list[Any]) -> None:
    run = load_run(DATA / name)
    expected = pd.DataFrame([row], columns=CALL_COLUMNS).astype(
        {c: CALLS_SCHEMA[c] for c in CALL_COLUMNS}
    )
    pd.testing.assert_frame_equal(run.calls[CALL_COLUMNS], expected)
    assert (run.calls["platform"] == "vapi").all()
    assert run.problems.empty


def test_tool_turns_are_speaker_other_without_talk_time() -> None:
    turns = load_run(DATA / "tool_calls.json").turns
    assert turns["speaker"].tolist() == ["agent", "user", "other", "other", "agent"]
    # time - startedAt (…400500 ms): 500, 4500, 6500, 7300, 8000 ms
    assert turns["offset_s"].tolist() == [0.5, 4.5, 6.5, 7.3, 8.0]
    assert turns["duration_s"].isna().tolist() == [False, False, True, True, False]


def test_legacy_turns_and_webhook_turns() -> None:
    legacy = load_run(DATA / "legacy.json").turns
    assert legacy["duration_s"].tolist() == [1.5, 2.0, 1.0]  # (endTime - time) / 1000
    webhook = load_run(DATA / "webhook_end_of_call.json")
    assert webhook.turns["offset_s"].tolist() == [0.4, 3.0, 6.0]
    assert webhook.calls["customer"].tolist() == ["Ravi"]  # the call's, not the report's


def test_a_list_and_a_mix_of_sources() -> None:
    run = load_run(DATA / "calls_list.json")
    assert run.calls["task_id"].tolist() == ["list-call-1", "list-call-2", "list-call-3"]
    assert run.calls["call_status"].tolist() == ["completed", "busy", "incall"]
    assert run.calls["n_turns"].tolist() == [2, pd.NA, pd.NA]
    unpod = Path(__file__).parent / "data" / "task_completed.json"
    mixed = load_run([DATA / "full_call.json", DATA / "legacy.json", unpod])
    assert mixed.calls["platform"].tolist() == ["vapi", "vapi", "unpod"]


def test_problems_reach_the_problems_table() -> None:
    run = load_run([call(artifact={"messages": "oops"}, cost=0.25)], platform="vapi")
    assert run.calls["cost"].tolist() == [0.25]
    assert run.problems[["task_id", "field"]].values.tolist() == [["c1", "artifact.messages"]]


def test_a_status_update_webhook_loads_no_call() -> None:
    run = load_run({"message": {"type": "status-update", "status": "ringing"}})
    assert (len(run.tasks), len(run.calls)) == (0, 0)
    assert run.problems["field"].tolist() == ["message.type"]


TIMED = st.fixed_dictionaries(
    {"role": ROLES, "message": st.text(max_size=12)},
    optional={
        "secondsFromStart": st.floats(0, 600),
        "time": st.integers(1767268058067, 1767268658067),
    },
)
LOADABLE = st.lists(
    st.fixed_dictionaries(
        {"id": st.uuids().map(str), "status": st.sampled_from(["ended", "queued", "ringing"])},
        optional={
            "type": st.sampled_from(["inboundPhoneCall", "outboundPhoneCall", "webCall"]),
            "startedAt": st.just("2026-01-01T11:47:38.067Z"),
            "artifact": st.fixed_dictionaries({}, optional={"messages": st.lists(TIMED)}),
            "messages": st.lists(TIMED, max_size=8),
        },
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda c: c["id"],
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=LOADABLE)
def test_load_run_keeps_every_call_once_and_one_turn_per_message(
    calls: list[dict[str, Any]],
) -> None:
    run = load_run(calls, platform="vapi")
    assert run.calls["call_id"].tolist() == [c["id"] for c in calls]
    assert (run.calls["platform"] == "vapi").all()
    for c in calls:
        messages = c.get("artifact", {}).get("messages") or c.get("messages") or []
        said = [m["message"] for m in messages if m["role"] != "system"]
        texts = run.turns.loc[run.turns["call_id"] == c["id"], "text"].tolist()
        assert texts == said
    typed = load_run(json.dumps(calls).encode())  # the typed way in: the same tables
    pd.testing.assert_frame_equal(typed.calls, run.calls)
    pd.testing.assert_frame_equal(typed.turns, run.turns)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
"""Any JSON value (NaN and infinities included, as Python's reader gives them)."""
KEYS = st.sampled_from(
    ["type", "status", "endedReason", "assistant", "customer", "costBreakdown", "analysis",
     "artifact", "messages", "transcript", "recordingUrl", "summary", "cost", "startedAt"]
)  # fmt: skip
PARTS = st.sampled_from(["messages", "performanceMetrics", "transcript", "recordingUrl"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    top=st.dictionaries(KEYS, JSON, max_size=6),
    artifact=st.dictionaries(PARTS, JSON, max_size=3),
    turns=st.lists(st.dictionaries(st.sampled_from(["turnLatency", "modelLatency"]), JSON)),
)
def test_any_values_never_raise_and_never_lose_the_call(
    top: dict[str, Any], artifact: dict[str, Any], turns: list[Any]
) -> None:
    artifact = {**artifact, "performanceMetrics": {"turnLatencies": turns}}
    obj = {**top, "id": "c1", "artifact": artifact}
    tasks, problems = vapi.to_tasks(obj)
    assert [t.task_id for t in tasks] == ["c1"]
    assert all(p["task_id"] == "c1" for p in problems)
    try:
        raw = json.dumps(obj).encode()
    except ValueError:
        return
    typed = vapi.decode(raw)
    assert typed is None or typed == vapi.to_tasks(json.loads(raw))[0]
