"""The Retell adapter: every payload shape, the mapping by hand, units, problems, the fast path.

Payloads in ``tests/data/retell/`` are written from Retell's call object as its SDK types
describe it: times in epoch ms, durations and latencies in ms, word times in seconds from the
call's start, costs in cents.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import msgspec
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.load import load_run, retell
from analytics.load.payload import Adapted, Message, Output, PostCall, Task
from analytics.schema import CALLS_SCHEMA, NULL_LITERALS, TURNS_SCHEMA

DATA = Path(__file__).parent / "data" / "retell"
FILES = sorted(p.name for p in DATA.glob("*.json"))


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def payload(name: str) -> Any:
    return json.loads(raw(name))


def only_task(obj: Any) -> Task:
    tasks, problems = retell.to_tasks(obj)
    assert problems == []
    assert len(tasks) == 1
    return tasks[0]


def builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


# --- matches ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj",
    [
        {"call_id": "c1"},
        {"call_id": None, "agent_id": "a"},  # the key decides, not its value
        {"items": [], "has_more": False},
        {"items": [{"call_id": "c1"}], "pagination_key": "c1"},
        {"event": "call_started", "call": {"call_id": "c1"}},
        {"event_type": "call_analyzed", "call": {}},
        {"event": "call_ended", "call": None},  # a call event: to_tasks says what is wrong
        {"event": "transfer_started", "call": {"call_id": "c1"}},  # a newer event, a call
    ],
)
def test_matches_retell_shapes(obj):
    assert retell.matches(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {"task_id": "T1", "call_id": "c1"},  # an Unpod task
        {"data": [], "status_code": 200},  # an Unpod response
        {"id": "0b7c", "type": "outboundPhoneCall", "status": "ended"},  # a Vapi call
        {"message": {"type": "end-of-call-report", "call": {}}},  # a Vapi webhook
        {"items": []},  # no has_more / pagination_key: some other list
        {"items": "x", "has_more": True},
        {"event": "call_ended"},  # no call
        {"event": "other", "call": {"id": "x"}},
        {"event": ["call_ended"], "call": {}},  # unhashable: still no crash
        {},
        [{"call_id": "c1"}],  # a list is matched per item
        "call_id",
        None,
    ],
)
def test_does_not_match_other_shapes(obj):
    assert not retell.matches(obj)


def test_every_sample_object_matches():
    for name in FILES:
        obj = payload(name)
        items = obj if isinstance(obj, list) else [obj]
        assert all(map(retell.matches, items)), name


# --- one full call, by hand -------------------------------------------------------------------


FULL_ID = "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6"


def test_full_call_task_and_output_by_hand():
    task = only_task(payload("full_call.json"))
    expected_output = Output(
        call_id=FULL_ID,
        call_type="outbound",  # direction
        call_status="completed",  # ended + user_hangup
        end_reason="user_hangup",
        start_time=1767266858067,  # raw epoch ms: the loader parses it
        end_time=1767266891385,
        duration=33.318,  # 33318 ms / 1000
        cost=0.0742,  # 7.42 cents / 100
        recording_url="https://example.invalid/rec/Jabr9T.wav",
        contact_number="+14155550199",  # outbound: to_number
        post_call_data=PostCall(
            summary="Lead agreed to a demo.",
            outcome="Interested",  # custom_analysis_data.outcome beats call_successful
            success_evaluator="true",
            structured_data={"demo_day": "Tuesday", "outcome": "Interested"},
        ),
        transcript=task.output.transcript,  # checked below
        adapted=task.output.adapted,  # checked below
    )
    expected = Task(
        task_id=FULL_ID,
        assignee="demo-booker",  # agent_name over agent_id
        status="completed",
        created=1767266858067,  # no creation time: the start
        modified=None,
        output=expected_output,
    )
    assert task == expected


def test_full_call_adapted_by_hand():
    adapted = only_task(payload("full_call.json")).output.adapted
    assert adapted == Adapted(
        platform="retell",
        platform_status="ended",
        agent_version=3,
        channel="phone",
        latency_e2e_p50_s=0.812,  # 812.0 ms / 1000
        latency_e2e_p90_s=1.24,  # 1240.0 ms
        latency_llm_p50_s=0.42,  # 420.0 ms
        latency_tts_p50_s=0.1855,  # 185.5 ms
        latency_asr_p50_s=0.095,  # 95.0 ms; knowledge_base (60 ms) is no column
        sentiment_label="Positive",
        voicemail=False,
        llm_prompt_tokens=3675,  # 1210 + 1225 + 1240
        # cents / 100: 3.89 -> 0.0389, 0.28 -> 0.0028, 3.25 -> 0.0325 (sum 0.0742 = cost)
        cost_parts={"elevenlabs_tts": 0.0389, "gpt_4o_mini": 0.0028, "retell_platform": 0.0325},
    )


def test_full_call_turns_are_the_transcript_object_with_first_word_offsets():
    transcript = only_task(payload("full_call.json")).output.transcript
    assert transcript == [
        Message(role="agent", content="Hi Asha, is this a good time?", secondsFromStart=0.62),
        Message(role="user", content="Yes, go ahead.", secondsFromStart=3.1),
        Message(
            role="agent", content="Great, does Tuesday work for a demo?", secondsFromStart=4.85
        ),
    ]


# --- the other shapes -------------------------------------------------------------------------


def test_a_call_nobody_answered():
    task = only_task(payload("not_connected.json"))
    assert (task.status, task.output.call_status) == ("completed", "notConnected")
    assert task.output.end_reason == "dial_no_answer"
    assert task.output.adapted.platform_status == "not_connected"
    assert (task.output.duration, task.output.cost) == (0.0, 0.0)
    assert task.output.transcript == []  # an empty transcript: zero turns, not unknown
    assert task.output.post_call_data.outcome == "unsuccessful"
    assert task.output.post_call_data.success_evaluator == "false"
    assert task.output.adapted.cost_parts is None  # no product costs


def test_a_voicemail():
    output = only_task(payload("voicemail.json")).output
    assert output.call_status == "voicemail"  # voicemail_reached decides over "ended"
    assert output.adapted.voicemail is True
    assert output.adapted.sentiment_label == "Neutral"
    assert (output.duration, output.cost) == (21.25, 0.0206)  # 21250 ms; 2.06 cents
    assert output.adapted.cost_parts == {"retell_platform": 0.0206}
    assert output.adapted.latency_e2e_p50_s == 0.0
    assert output.adapted.latency_llm_p50_s is None
    assert output.post_call_data.outcome == "unsuccessful"  # demo_day null: no label there
    assert [m.secondsFromStart for m in output.transcript] == [12.4]


def test_tool_calls_are_turns_of_their_own_in_order():
    task = only_task(payload("tool_calls.json"))
    assert task.assignee == "agent_2f4c6e8a0b1d3f5a7c9e"  # no agent_name: the id
    assert task.output.contact_number == "+14155550123"  # inbound: from_number
    assert task.output.cost == 0.092  # "9.2" cents as text
    said = [(m.role, m.content, m.secondsFromStart) for m in task.output.transcript]
    assert said == [
        ("agent", "Thanks for calling Acme. What is your order number?", 0.4),
        ("user", "It's 4512.", 4.2),
        ("tool_call_invocation", 'lookup_order({"order": "4512"})', None),
        ("tool_call_result", '{"status": "ships tomorrow"}', None),
        ("dtmf", "1", None),
        ("node_transition", "lookup -> wrap-up", 8.7),  # time_sec where there are no words
        ("agent", "Your order ships tomorrow.", 9.1),
    ]


@pytest.mark.parametrize(
    ("item", "content"),
    [
        ({"role": "tool_call_invocation", "name": "f", "arguments": {"a": 1}}, 'f({"a":1})'),
        ({"role": "tool_call_invocation", "name": "f"}, "f()"),
        ({"role": "tool_call_invocation", "arguments": "{}"}, "?({})"),
        ({"role": "node_transition", "new_node_name": "start"}, "? -> start"),
        ({"role": "dtmf", "digit": "#"}, "#"),
        ({"role": "sms", "content": "STOP", "time_sec": 3}, "STOP"),  # any other item: content
        ({"role": "transfer_target", "content": "Hello?"}, "Hello?"),
    ],
)
def test_tool_item_text(item, content):
    call = {"call_id": "c1", "transcript_with_tool_calls": [item]}
    assert only_task(call).output.transcript[0].content == content


def test_webhook_call_analyzed_is_a_web_call():
    task = only_task(payload("webhook_call_analyzed.json"))
    output = task.output
    assert task.task_id == "call_web_1b2c3d4e5f6a7b8c9d0e"
    assert (output.adapted.channel, output.call_type, output.contact_number) == ("web", None, None)
    assert output.post_call_data.outcome == "Test call"  # call_outcome comes before status
    assert output.post_call_data.success_evaluator == "false"
    assert output.cost == 0.015  # 1.5 cents
    assert [m.secondsFromStart for m in output.transcript] == [0.3, 2.5]


def test_webhook_with_event_type_and_no_analysis_yet():
    task = only_task(payload("webhook_event_type.json"))
    assert task.output.post_call_data is None  # call_ended: no call_analysis yet
    assert task.output.transcript == "Agent: Acme, how can I help?\nUser: Wrong number, sorry.\n"
    assert task.output.contact_number == "+14155550188"
    assert task.output.adapted.sentiment_label is None
    assert task.output.adapted.cost_parts is None


def test_list_envelope_items_have_no_transcript():
    tasks, problems = retell.to_tasks(payload("list_envelope.json"))
    assert problems == []
    assert [t.task_id for t in tasks] == ["call_list_0001", "call_list_0002"]
    assert [t.output.transcript for t in tasks] == [None, None]  # n_turns NA, not a problem
    assert [t.output.call_status for t in tasks] == ["completed", "busy"]
    assert [t.output.cost for t in tasks] == [0.1, None]  # 10 cents


def test_list_of_calls():
    tasks, problems = retell.to_tasks(payload("calls_list.json"))
    assert problems == []
    assert [(t.task_id, t.assignee, t.status) for t in tasks] == [
        ("call_a1", "sales", "completed"),
        ("call_a2", "agent_a", "scheduled"),
        ("call_a3", "agent_b", "failed"),
    ]
    assert [t.output.call_status for t in tasks] == ["completed", "callDispatched", "failed"]
    assert tasks[0].output.transcript == "Agent: Hi, is this Sam?\nUser: Yes.\n"
    assert [t.output.duration for t in tasks] == [30.0, None, None]


def test_a_list_may_hold_envelopes_and_webhooks():
    mixed = [payload("list_envelope.json"), payload("webhook_event_type.json"), {"call_id": "x"}]
    tasks, problems = retell.to_tasks(mixed)
    assert problems == []
    assert [t.task_id for t in tasks] == [
        "call_list_0001",
        "call_list_0002",
        "call_9f8e7d6c5b4a3f2e1d0c",
        "x",
    ]


@pytest.mark.parametrize(
    "obj", [[], {"items": [], "has_more": False, "pagination_key": None, "total": 0}]
)
def test_empty_inputs_give_no_tasks(obj):
    assert retell.to_tasks(obj) == ([], [])


# --- the mapping rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "task_status", "call_status"),
    [
        ("registered", None, "scheduled", "callDispatched"),
        ("ongoing", None, "in_progress", "incall"),
        ("ended", "agent_hangup", "completed", "completed"),
        ("ended", "dial_no_answer", "completed", "notConnected"),
        ("not_connected", "dial_busy", "completed", "busy"),
        ("not_connected", None, "completed", "notConnected"),
        ("error", "error_unknown", "failed", "failed"),
        ("paused", None, None, None),  # a status Retell may add: unknown, kept raw
        (None, "voicemail_reached", None, "voicemail"),
    ],
)
def test_status_mapping(status, reason, task_status, call_status):
    task = only_task({"call_id": "c1", "call_status": status, "disconnection_reason": reason})
    assert (task.status, task.output.call_status) == (task_status, call_status)
    assert task.output.adapted.platform_status == status


@pytest.mark.parametrize(
    ("analysis", "outcome", "evaluator"),
    [
        ({"call_successful": True}, "successful", "true"),
        ({"call_successful": False}, "unsuccessful", "false"),
        ({}, None, None),
        ({"call_successful": "yes"}, None, "yes"),  # not a flag: passed on as found
        ({"custom_analysis_data": {"status": "Call Back"}}, "Call Back", None),
        ({"custom_analysis_data": {"disposition": "DNC"}, "call_successful": True}, "DNC", "true"),
        (  # the first text in key order; empty and non-text values are skipped
            {"custom_analysis_data": {"outcome": " ", "call_outcome": 3, "status": "Interested"}},
            "Interested",
            None,
        ),
        ({"custom_analysis_data": ["outcome"], "call_successful": True}, "successful", "true"),
    ],
)
def test_outcome_and_success(analysis, outcome, evaluator):
    post = only_task({"call_id": "c1", "call_analysis": analysis}).output.post_call_data
    assert (post.outcome, post.success_evaluator) == (outcome, evaluator)


@pytest.mark.parametrize(
    ("call", "channel", "direction", "contact"),
    [
        ({"call_type": "phone_call", "direction": "outbound"}, "phone", "outbound", "+2"),
        ({"call_type": "phone_call", "direction": "inbound"}, "phone", "inbound", "+1"),
        ({"call_type": "web_call"}, "web", None, "+2"),
        ({"call_type": "sip_call"}, "sip_call", None, "+2"),  # unknown type: raw
        ({}, None, None, "+2"),
    ],
)
def test_channel_direction_and_contact(call, channel, direction, contact):
    call = {"call_id": "c1", "from_number": "+1", "to_number": "+2", **call}
    output = only_task(call).output
    assert (output.adapted.channel, output.call_type, output.contact_number) == (
        channel,
        direction,
        contact,
    )


def test_values_of_the_wrong_kind_pass_on_raw_for_the_loader_to_report():
    call = {
        "call_id": "c1",
        "duration_ms": "long",
        "start_timestamp": "soon",
        "call_cost": {"combined_cost": True, "product_costs": [{"product": 7, "cost": "x"}]},
        "latency": {"e2e": {"p50": "fast"}},
        "llm_token_usage": {"values": [1, "2"]},
    }
    output = only_task(call).output
    assert (output.duration, output.start_time, output.cost) == ("long", "soon", True)
    assert output.adapted.latency_e2e_p50_s == "fast"
    assert output.adapted.llm_prompt_tokens == [1, "2"]
    assert output.adapted.cost_parts == {"7": "x"}


def test_a_product_named_twice_adds_its_costs():
    costs = [{"product": "tts", "cost": 1.5}, {"product": "tts", "cost": 2.25}]
    call = {"call_id": "c1", "call_cost": {"product_costs": costs}}
    assert only_task(call).output.adapted.cost_parts == {"tts": 0.0375}  # 3.75 cents


def test_transcript_preference():
    utterance = {"role": "user", "content": "u"}
    tool = {"role": "dtmf", "digit": "5"}
    both = {"call_id": "c1", "transcript": "Agent: t", "transcript_object": [utterance]}
    assert [m.content for m in only_task(both).output.transcript] == ["u"]
    with_tools = {**both, "transcript_with_tool_calls": [utterance, tool]}
    assert [m.content for m in only_task(with_tools).output.transcript] == ["u", "5"]
    empty_tools = {**both, "transcript_with_tool_calls": []}  # empty: the next one
    assert [m.content for m in only_task(empty_tools).output.transcript] == ["u"]
    text_only = {"call_id": "c1", "transcript": "Agent: t", "transcript_with_tool_calls": []}
    assert only_task(text_only).output.transcript == "Agent: t"


def test_offsets_need_a_word_object_first():
    items = [
        {"role": "agent", "content": "a", "words": []},
        {"role": "agent", "content": "b", "words": [{"word": "b"}]},
        {"role": "agent", "content": "c", "words": [{"start": 1.5}, {"start": 0.2}]},
    ]
    transcript = only_task({"call_id": "c1", "transcript_object": items}).output.transcript
    assert [m.secondsFromStart for m in transcript] == [None, None, 1.5]


def test_input_is_not_mutated():
    for name in FILES:
        obj = payload(name)
        before = copy.deepcopy(obj)
        retell.to_tasks(obj)
        assert obj == before, name


# --- problems ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "value", "field", "problem"),
    [
        ("call_analysis", ["x"], "call_analysis", "call_analysis is a list (['x']), not an object"),
        ("latency", "fast", "latency", "latency is a str ('fast'), not an object"),
        ("latency", {"e2e": 812}, "latency.e2e", "latency.e2e is a int (812), not an object"),
        ("call_cost", 7.42, "call_cost", "call_cost is a float (7.42), not an object"),
        (
            "call_cost",
            {"combined_cost": 1, "product_costs": {"tts": 1}},
            "call_cost.product_costs",
            "call_cost.product_costs is a dict ({'tts': 1}), not a list",
        ),
        ("llm_token_usage", [1], "llm_token_usage", "llm_token_usage is a list ([1]), not an"),
        (
            "transcript",
            ["Agent: hi"],
            "transcript",
            "transcript is a list (['Agent: hi']), not text",
        ),
        (
            "transcript_object",
            "Agent: hi",
            "transcript_object",
            "transcript_object is a str ('Agent: hi'), not a list",
        ),
    ],
)
def test_a_part_of_the_wrong_type_is_a_problem_and_the_call_is_kept(part, value, field, problem):
    call = {**payload("full_call.json"), part: value}
    tasks, problems = retell.to_tasks(call)
    assert [t.task_id for t in tasks] == [FULL_ID]
    assert [(p["task_id"], p["field"]) for p in problems] == [(FULL_ID, field)]
    assert problems[0]["problem"].startswith(problem)
    assert tasks[0].output.start_time == 1767266858067  # the rest is read
    assert tasks[0].output.recording_url == "https://example.invalid/rec/Jabr9T.wav"


def test_a_bad_part_leaves_only_its_own_columns_na():
    call = {**payload("full_call.json"), "latency": {"e2e": "?", "llm": {"p50": 300}}}
    adapted = retell.to_tasks(call)[0][0].output.adapted
    assert (adapted.latency_e2e_p50_s, adapted.latency_llm_p50_s) == (None, 0.3)
    assert adapted.llm_prompt_tokens == 3675  # the other parts read as before


def test_transcript_items_that_are_not_objects_are_skipped():
    items = [{"role": "agent", "content": "a"}, "oops", 3, {"role": "user", "content": "b"}]
    tasks, problems = retell.to_tasks({"call_id": "c1", "transcript_object": items})
    assert [m.content for m in tasks[0].output.transcript] == ["a", "b"]
    assert [(p["field"], p["problem"]) for p in problems] == [
        (
            "transcript_object",
            "2 of 4 transcript_object items are not objects (the first: 'oops'); they were skipped",
        )
    ]


def test_words_that_are_not_word_objects_lose_their_offset_only():
    items = [
        {"role": "agent", "content": "a", "words": "a"},
        {"role": "user", "content": "b", "words": [{"start": 2.0}]},
        {"role": "agent", "content": "c", "words": [{"start": 4.0}, 9]},
    ]
    tasks, problems = retell.to_tasks({"call_id": "c1", "transcript_with_tool_calls": items})
    transcript = tasks[0].output.transcript
    assert [(m.content, m.secondsFromStart) for m in transcript] == [
        ("a", None),
        ("b", 2.0),
        ("c", None),
    ]
    assert [p["field"] for p in problems] == ["transcript_with_tool_calls.words"]
    assert problems[0]["problem"].startswith("the words of 2 of 3 transcript_with_tool_calls")


def test_product_costs_that_are_not_objects_are_skipped():
    costs = [{"product": "tts", "cost": 2}, "llm: 1"]
    tasks, problems = retell.to_tasks({"call_id": "c1", "call_cost": {"product_costs": costs}})
    assert tasks[0].output.adapted.cost_parts == {"tts": 0.02}
    assert [p["field"] for p in problems] == ["call_cost.product_costs"]


def test_list_items_that_are_not_objects_are_problems():
    tasks, problems = retell.to_tasks([{"call_id": "c1"}, 7, None, ["c2"]])
    assert [t.task_id for t in tasks] == ["c1"]
    assert [(p["task_id"], p["field"]) for p in problems] == [(None, "call")] * 3
    assert (
        problems[0]["problem"]
        == "item 1 of the list is not a call object but int 7; it was skipped"
    )


def test_envelope_items_that_are_not_objects_are_problems():
    envelope = {"items": [{"call_id": "c1"}, "c2", [{"call_id": "c3"}]], "has_more": False}
    tasks, problems = retell.to_tasks(envelope)
    assert [t.task_id for t in tasks] == ["c1"]
    said = [p["problem"][:34] for p in problems]
    assert said == ["item 1 of the list is not a call o", "item 2 of the list is not a call o"]


@pytest.mark.parametrize("call", [None, "c1", ["c1"]])
def test_a_webhook_without_a_call_object_is_a_problem(call):
    tasks, problems = retell.to_tasks({"event": "call_ended", "call": call})
    assert tasks == []
    assert [p["field"] for p in problems] == ["call"]
    assert "the webhook body's call is a" in problems[0]["problem"]


@pytest.mark.parametrize("obj", ["call", 3, None])
def test_a_value_that_is_no_payload_is_a_problem(obj):
    tasks, problems = retell.to_tasks(obj)
    assert tasks == []
    assert [p["field"] for p in problems] == ["call"]
    assert problems[0]["problem"].endswith(
        "is not a Retell call, list of calls, list envelope or webhook body; it was skipped"
    )


def test_a_call_without_an_id_is_kept():
    tasks, problems = retell.to_tasks({"agent_id": "a1", "call_status": "ended"})
    assert [(t.task_id, t.assignee, t.status) for t in tasks] == [(None, "a1", "completed")]
    assert problems == []  # the loader reports the missing task_id


def test_keys_that_cannot_name_a_field_are_ignored():
    call = {"call_id": "c1", 3: "x", "agent\ud800": "y", "call_analysis": ["?"]}
    tasks, problems = retell.to_tasks(call)
    assert [t.task_id for t in tasks] == ["c1"]
    assert [p["field"] for p in problems] == ["call_analysis"]


# --- decode: the typed fast path --------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_decode_agrees_with_to_tasks(name):
    decoded = retell.decode(raw(name))
    assert decoded is not None
    tasks, problems = retell.to_tasks(payload(name))
    assert problems == []
    assert builtins(decoded) == builtins(tasks)


@pytest.mark.parametrize(
    "text",
    [
        b'{"task_id": "T1", "call_id": "c1"}',  # Unpod
        b'{"data": [{"task_id": "T1"}]}',
        b'[{"task_id": "T1"}]',
        b'{"id": "v1", "type": "webCall"}',  # Vapi
        b'[{"id": "v1", "type": "webCall"}]',
        b'{"message": {"type": "end-of-call-report"}}',
        b'{"items": [{"call_id": "c1"}]}',  # no has_more / pagination_key
        b'{"event": "call_ended"}',
        b'{"event": "call_ended", "call": {"agent_id": "a"}}',  # a call without an id
        b'[{"call_id": "c1"}, {"agent_id": "a"}]',
        b'{"call_id": "c1", "call_analysis": []}',  # a part of the wrong type: to_tasks
        b'{"call_id": "c1", "transcript_object": [1]}',
        b'[{"call_id": "c1"}, 7]',
        b'{"call_id": "c1", "duration_ms": NaN}',  # not JSON for msgspec: the lenient path
        b'{"call_id": "c1"',
        b"",
        b"7",
        b"[" * 10_000 + b"]" * 10_000,
    ],
)
def test_decode_says_none_for_anything_else(text):
    assert retell.decode(text) is None


@pytest.mark.parametrize(
    "text",
    [
        b'\xef\xbb\xbf \n[{"call_id": "c1"}]',
        b'  {"call_id": "c1"}',
        b'{"event_type": "call_started", "call": {"call_id": "c1"}}',
        b'{"items": [{"call_id": "c1"}], "pagination_key": null}',
    ],
)
def test_decode_reads_every_shape(text):
    decoded = retell.decode(text)
    assert decoded is not None
    assert [t.task_id for t in decoded] == ["c1"]


def test_decode_of_empty_shapes():
    assert retell.decode(b"[]") == []
    assert retell.decode(b'{"items": [], "has_more": false}') == []


# --- properties -------------------------------------------------------------------------------


_TEXT = st.text(max_size=12)
_NUMBER = st.one_of(
    st.integers(-5, 10**13), st.floats(allow_nan=False, allow_infinity=False), _TEXT
)
_WORDS = st.lists(st.fixed_dictionaries({"start": _NUMBER}, optional={"word": _TEXT}), max_size=3)
_UTTERANCE = st.fixed_dictionaries(
    {"role": st.sampled_from(["agent", "user", "transfer_target", "dtmf"])},
    optional={"content": _TEXT, "words": _WORDS, "digit": _TEXT, "time_sec": _NUMBER},
)
_OPTIONAL = {
    "agent_id": _TEXT,
    "agent_name": _TEXT,
    "call_status": st.sampled_from(["registered", "ongoing", "ended", "not_connected", "error"]),
    "direction": st.sampled_from(["inbound", "outbound"]),
    "start_timestamp": _NUMBER,
    "duration_ms": _NUMBER,
    "disconnection_reason": _TEXT,
    "call_analysis": st.fixed_dictionaries(
        {}, optional={"call_successful": st.booleans(), "user_sentiment": _TEXT}
    ),
    "latency": st.fixed_dictionaries({}, optional={"e2e": st.fixed_dictionaries({"p50": _NUMBER})}),
    "call_cost": st.fixed_dictionaries({}, optional={"combined_cost": _NUMBER}),
}


_ID = st.text(min_size=1, max_size=8)
_TABLE_ID = st.from_regex(r"[A-Za-z0-9_]{1,10}", fullmatch=True).filter(
    lambda i: i.lower() not in NULL_LITERALS  # "None", "null": NA in the tables, as for Unpod
)


@st.composite
def retell_calls(draw: st.DrawFn, ids: st.SearchStrategy[str] = _ID) -> list[dict[str, Any]]:
    """Calls with unique random ids, random utterance counts and random missing fields."""
    ids = draw(st.lists(ids, unique=True, max_size=6))
    calls = []
    for call_id in ids:
        call = draw(st.fixed_dictionaries({"call_id": st.just(call_id)}, optional=_OPTIONAL))
        where = draw(st.sampled_from([None, "transcript_object", "transcript_with_tool_calls"]))
        if where is not None:
            call[where] = draw(st.lists(_UTTERANCE, min_size=1, max_size=5))
        calls.append(call)
    return calls


def _n_items(call: dict[str, Any]) -> int | None:
    items = call.get("transcript_with_tool_calls") or call.get("transcript_object")
    return None if items is None else len(items)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(retell_calls())
def test_every_call_kept_once_with_one_message_per_item(calls):
    tasks, problems = retell.to_tasks(calls)
    assert problems == []
    assert [t.task_id for t in tasks] == [c["call_id"] for c in calls]
    for task, call in zip(tasks, calls):
        transcript = task.output.transcript
        assert (None if transcript is None else len(transcript)) == _n_items(call)
    decoded = retell.decode(json.dumps(calls).encode())
    assert decoded is not None
    assert builtins(decoded) == builtins(tasks)


# --- end to end: load_run ---------------------------------------------------------------------


def test_full_call_loads_to_the_hand_built_calls_row():
    run = load_run(DATA / "full_call.json")
    expected = pd.DataFrame(
        {
            "task_id": [FULL_ID],
            "call_id": [FULL_ID],
            "run_id": [None],
            "assignee": ["demo-booker"],
            "customer": [None],  # Retell names no customer
            "call_type": ["outbound"],
            "call_status": ["completed"],
            "end_reason": ["user_hangup"],
            # 1767266858067 ms: 1767225600 s is 2026-01-01 00:00 UTC, + 41258.067 s = 11:27:38.067
            "start_time": [pd.Timestamp("2026-01-01 11:27:38.067", tz="UTC")],
            "end_time": [pd.Timestamp("2026-01-01 11:28:11.385", tz="UTC")],  # + 33.318 s
            "duration_s": [33.318],  # 33318 ms
            "cost": [0.0742],  # 7.42 cents
            "recording_url": ["https://example.invalid/rec/Jabr9T.wav"],
            "outcome": ["Interested"],
            "outcome_raw": ["Interested"],
            "summary": ["Lead agreed to a demo."],
            "labels": [None],
            "success_score": [1.0],  # "true"
            "success_evaluator": ["true"],
            "structured_data": ['{"demo_day":"Tuesday","outcome":"Interested"}'],
            "contact": ["+14155550199"],
            "callback_at": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"),
            "callback_text": [None],
            "callback_source": [None],
            "follow_up_required": [None],
            "follow_up_reason": [None],
            "platform": ["retell"],
            "platform_status": ["ended"],
            "channel": ["phone"],
            "agent_version": ["3"],
            "latency_e2e_p50_s": [0.812],  # 812.0 ms
            "latency_e2e_p90_s": [1.24],
            "latency_llm_p50_s": [0.42],
            "latency_tts_p50_s": [0.1855],
            "latency_asr_p50_s": [0.095],
            "user_interruptions": [None],
            "agent_interruptions": [None],
            "sentiment_label": ["Positive"],
            "voicemail": [False],
            "llm_prompt_tokens": [3675],  # 1210 + 1225 + 1240
            "llm_completion_tokens": [None],
            "tts_characters": [None],
            "cost_parts": [
                '{"elevenlabs_tts":0.0389,"gpt_4o_mini":0.0028,"retell_platform":0.0325}'
            ],
            "n_turns": [3],
            "n_agent_turns": [2],
            "n_user_turns": [1],
            "evaluated": [True],
            "connected": [True],
            "has_conversation": [True],
        }
    ).astype(CALLS_SCHEMA)
    pd.testing.assert_frame_equal(run.calls, expected)
    assert run.problems.empty


def test_full_call_loads_to_the_hand_built_turns():
    turns = load_run(DATA / "full_call.json").turns
    expected = pd.DataFrame(
        {
            "task_id": [FULL_ID] * 3,
            "call_id": [FULL_ID] * 3,
            "turn": [0, 1, 2],
            "speaker": ["agent", "user", "agent"],
            "role": ["agent", "user", "agent"],
            "text": [
                "Hi Asha, is this a good time?",
                "Yes, go ahead.",
                "Great, does Tuesday work for a demo?",
            ],
            "timestamp": pd.Series([pd.NaT] * 3, dtype="datetime64[ns, UTC]"),
            "offset_s": [0.62, 3.1, 4.85],  # each utterance's first word start
            "duration_s": [None] * 3,
            "n_words": [7, 3, 7],
        }
    ).astype(TURNS_SCHEMA)
    pd.testing.assert_frame_equal(turns, expected)


def test_tables_of_every_sample_file():
    run = load_run([DATA / name for name in FILES])  # one run from every shape
    calls = run.calls.set_index("call_id")
    assert run.problems.empty
    assert len(calls) == calls.index.nunique() == 11  # 3 + 1 + 2 + 1 + 1 + 1 + 1 + 1
    assert calls["platform"].eq("retell").all()
    nobody = calls.loc["call_5c1e0d2a9f7b4d3e8a6b1c2d3e4f5a6b"]
    assert (nobody["call_status"], nobody["n_turns"], bool(nobody["connected"])) == (
        "notConnected",
        0,
        False,
    )
    voicemail = calls.loc["call_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"]
    assert (voicemail["call_status"], bool(voicemail["voicemail"])) == ("voicemail", True)
    assert voicemail["outcome_raw"] == "unsuccessful"
    listed = calls.loc[["call_list_0001", "call_list_0002"]]
    assert listed["n_turns"].isna().all()  # list-calls items: no transcript, not a problem
    assert listed["cost"].tolist() == [0.1, pd.NA]
    web = calls.loc["call_web_1b2c3d4e5f6a7b8c9d0e"]
    assert (web["channel"], pd.isna(web["call_type"])) == ("web", True)
    text_only = calls.loc["call_9f8e7d6c5b4a3f2e1d0c"]  # the "Agent: ...\nUser: ..." text
    assert (text_only["n_agent_turns"], text_only["n_user_turns"]) == (1, 1)


def test_tool_items_are_speaker_other():
    turns = load_run(DATA / "tool_calls.json").turns
    assert turns["speaker"].tolist() == [
        "agent",
        "user",
        "other",
        "other",
        "other",
        "other",
        "agent",
    ]
    assert turns["offset_s"].tolist() == [0.4, 4.2, pd.NA, pd.NA, pd.NA, 8.7, 9.1]
    assert turns["text"].iloc[2] == 'lookup_order({"order": "4512"})'


def test_forced_platform_reads_parsed_objects():
    obj = payload("webhook_call_analyzed.json")
    forced = load_run(obj, platform="retell")
    assert forced.calls["call_id"].tolist() == ["call_web_1b2c3d4e5f6a7b8c9d0e"]
    pd.testing.assert_frame_equal(forced.calls, load_run(obj).calls)


def test_bytes_and_parsed_json_load_alike():
    for name in FILES:
        fast, lenient = load_run(raw(name)), load_run(payload(name))
        for table in ("tasks", "calls", "turns", "problems"):
            pd.testing.assert_frame_equal(getattr(fast, table), getattr(lenient, table))


def test_a_bad_part_keeps_the_row_and_adds_a_problem_row():
    call = {**payload("full_call.json"), "latency": "fast", "call_analysis": [1]}
    run = load_run(json.dumps([call, payload("voicemail.json")]).encode())
    assert run.calls["call_id"].tolist() == [FULL_ID, "call_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"]
    row = run.calls.iloc[0]
    assert row["duration_s"] == 33.318
    assert pd.isna(row["latency_e2e_p50_s"])
    assert pd.isna(row["summary"])
    assert run.problems[["task_id", "field"]].values.tolist() == [
        [FULL_ID, "call_analysis"],
        [FULL_ID, "latency"],
    ]


def test_impossible_values_are_reported_by_the_loader():
    call = {"call_id": "c1", "duration_ms": -5, "latency": {"e2e": {"p50": "fast"}}}
    run = load_run([call])
    assert run.calls["duration_s"].isna().all()
    assert sorted(run.problems["field"]) == ["duration", "latency_e2e_p50_s"]


def test_an_empty_envelope_is_an_empty_run():
    run = load_run({"items": [], "has_more": False}, platform="retell")
    assert (len(run.tasks), len(run.calls), len(run.turns)) == (0, 0, 0)
    assert list(run.calls.columns) == list(CALLS_SCHEMA)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(retell_calls(_TABLE_ID))
def test_every_call_id_once_in_calls_and_one_turn_per_item(calls):
    run = load_run(calls, platform="retell")
    assert run.calls["call_id"].tolist() == [c["call_id"] for c in calls]
    per_call = run.turns.groupby("call_id").size()
    for call in calls:
        assert per_call.get(call["call_id"], 0) == (_n_items(call) or 0)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_PATHS = [
    ("call_id",),
    ("call_status",),
    ("direction",),
    ("call_type",),
    ("start_timestamp",),
    ("duration_ms",),
    ("transcript",),
    ("transcript_object",),
    ("transcript_object", 0),
    ("transcript_object", 0, "words"),
    ("transcript_object", 0, "words", 0),
    ("transcript_with_tool_calls", 0, "arguments"),
    ("transcript_with_tool_calls", 0, "role"),
    ("call_analysis",),
    ("call_analysis", "custom_analysis_data"),
    ("call_analysis", "call_successful"),
    ("latency",),
    ("latency", "e2e"),
    ("latency", "e2e", "p50"),
    ("call_cost",),
    ("call_cost", "product_costs"),
    ("call_cost", "product_costs", 0),
    ("call_cost", "product_costs", 0, "product"),
    ("llm_token_usage", "values"),
]


def _planted(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The full call with ``value`` at ``path``."""
    call = payload("full_call.json")
    call["transcript_with_tool_calls"] = [{"role": "tool_call_invocation", "name": "f"}]
    call["call_cost"]["product_costs"] = [{"product": "tts", "cost": 1}]
    target = call
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return call


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PATHS), _JSON)
def test_any_value_anywhere_keeps_the_call(path, value):
    call = _planted(path, value)
    tasks, _ = retell.to_tasks(call)
    assert len(tasks) == 1
    decoded = retell.decode(json.dumps(call).encode())
    if decoded is not None:  # the fast path reads it whole, or leaves it to to_tasks
        assert builtins(decoded) == builtins(tasks)
    run = load_run([call], platform="retell")
    assert len(run.calls) == 1


def test_an_integer_too_large_for_a_float_is_a_problem_not_a_crash():
    run = load_run([{"call_id": "c1", "duration_ms": 10**400}])
    assert run.calls["call_id"].tolist() == ["c1"]
    assert "duration" in run.problems["field"].tolist()
