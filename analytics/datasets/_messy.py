"""The real-world payload shapes that :func:`analytics.datasets.make_run` applies at low rates.

Each entry of :data:`MESSY_VARIANTS` is a legitimate shape the platform really returns
(``docs/unpod-api.md``): ISO, ``Z``, epoch-millisecond or ``"NULL"`` call times, string,
float or missing durations, text, JSON-string and ``{"messages": ...}`` transcripts, drifted
outcome labels, intermediate outputs, Mongo ids and extra keys. ``make_run(messy=True)`` hands
each variant its small share of the eligible tasks (:func:`mess`) and rewrites those tasks in
place with the variant's mutator; the canonical shapes are left everywhere else.

Examples
--------
>>> len(MESSY_VARIANTS), set(MESSY_VARIANTS) == set(_MUTATORS)
(34, True)
>>> MESSY_VARIANTS["start_epoch_ms"]
('times', 'call', 0.015)
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any

from analytics.datasets._calls import US, Call, Rand, as_datetime, epoch_us, fmt_call, fmt_turn

__all__ = ["INTERMEDIATE_NOTE", "MESSY_VARIANTS"]

INTERMEDIATE_NOTE = "call completed evaluated data will be available soon"
"""The ``data`` note of an output whose evaluation is not ready yet (``intermediate_output``)."""

MESSY_VARIANTS: dict[str, tuple[str, str, float]] = {
    "intermediate_output": ("state", "completed_call", 0.02),
    "start_iso_t": ("times", "call", 0.02),
    "start_z": ("times", "call", 0.02),
    "start_null_literal": ("times", "call", 0.01),
    "start_none_literal": ("times", "call", 0.01),
    "start_epoch_ms": ("times", "call", 0.015),
    "duration_float": ("duration", "call", 0.02),
    "duration_numeric_string": ("duration", "call", 0.015),
    "duration_zero_string": ("duration", "call", 0.01),
    "duration_missing": ("duration", "call", 0.015),
    "transcript_json_string": ("transcript", "call", 0.02),
    "transcript_text": ("transcript", "call", 0.02),
    "transcript_messages": ("transcript", "call", 0.015),
    "transcript_agent_message": ("transcript", "call", 0.015),
    "transcript_empty": ("transcript", "call", 0.01),
    "turn_time_empty": ("transcript", "call", 0.02),
    "turn_time_naive": ("transcript", "call", 0.015),
    "outcome_call_back_lower": ("summary", "callback", 0.04),
    "outcome_callback_camel": ("summary", "callback", 0.04),
    "outcome_interested_in": ("summary", "interested", 0.03),
    "outcome_unknown": ("summary", "evaluated", 0.01),
    "summary_plain_string": ("summary", "evaluated", 0.02),
    "callback_date_object": ("summary", "callback", 0.04),
    "success_decimal": ("success", "evaluated", 0.015),
    "success_word": ("success", "evaluated", 0.015),
    "success_null": ("success", "evaluated", 0.015),
    "structured_data_json_string": ("structured", "evaluated", 0.02),
    "classification_json_string": ("classification", "evaluated", 0.01),
    "follow_up_disabled": ("follow_up", "evaluated", 0.015),
    "call_type_vapi": ("call_type", "call", 0.04),
    "call_type_as_type": ("call_type", "call", 0.02),
    "recording_url_empty": ("recording", "call", 0.01),
    "mongo_id": ("id", "task", 0.02),
    "extra_keys": ("extra", "task", 0.02),
}
"""Legitimate variant shapes added by ``make_run(messy=True)``: name -> (group, eligible
tasks, share of them, rounded half up). Variants of one group never meet on one task.
Eligible: ``task`` any task; ``call`` a call with a full output; ``completed_call`` one whose
task is completed and evaluated; ``evaluated`` one with post-call data; ``callback`` /
``interested`` one with that outcome. Tasks in the ``intermediate_output`` state get no other
output variant."""

_Mutator = Callable[[Rand, dict[str, Any], Call], None]


def _set_times(fmt: Callable[[int], Any]) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        task["output"]["start_time"], task["output"]["end_time"] = (
            fmt(call.start_us),
            fmt(call.end_us),
        )

    return mutate


def _set_duration(fmt: Callable[[float], Any]) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        task["output"]["duration"] = fmt((call.end_us - call.start_us) / US)

    return mutate


def _drop_duration(r: Rand, task: dict[str, Any], call: Call) -> None:
    del task["output"]["duration"]


def _set_transcript(fmt: Callable[[list[dict[str, Any]], Call], Any]) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        task["output"]["transcript"] = fmt(task["output"]["transcript"], call)

    return mutate


def _as_text(items: list[dict[str, Any]], call: Call) -> str:
    return "\n".join(f"{'AI' if agent else 'User'}: {text}" for agent, text, _ in call.turns)


def _as_messages(items: list[dict[str, Any]], call: Call) -> dict[str, Any]:
    return {
        "messages": [
            {
                "role": "agent" if agent else "customer",
                "message": text,
                "time": us // 1000,
                "secondsFromStart": round((us - call.start_us) / US, 2),
            }
            for agent, text, us in call.turns
        ]
    }


def _as_agent_message(items: list[dict[str, Any]], call: Call) -> list[dict[str, Any]]:
    return [
        {"role": "agent" if agent else "user", "message": text, "timestamp": fmt_turn(us)}
        for agent, text, us in call.turns
    ]


def _set_turn_times(fmt: Callable[[int], str]) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        for item, (_, _, us) in zip(task["output"]["transcript"], call.turns):
            item["timestamp"] = fmt(us)

    return mutate


def _set_status(label: str) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        task["output"]["post_call_data"]["summary"]["status"] = label

    return mutate


def _plain_summary(r: Rand, task: dict[str, Any], call: Call) -> None:
    data = task["output"]["post_call_data"]
    outcome = call.connected_outcome
    mood = {"Interested": "positive", "Not Interested": "negative"}.get(outcome, "neutral")
    data |= {
        "summary": data["summary"]["summary"],
        "outcome": outcome.lower(),
        "sentiment": mood,
    }


def _callback_object(r: Rand, task: dict[str, Any], call: Call) -> None:
    summary = task["output"]["post_call_data"]["summary"]
    at = dt.datetime.strptime(summary["callback_datetime"], "%Y-%m-%d %H:%M")
    summary["callback_datetime"] = {"$date": epoch_us(at) // 1000}


def _set_post_call(key: str, fmt: Callable[[Any], Any]) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        data = task["output"]["post_call_data"]
        data[key] = fmt(data[key])

    return mutate


def _success_word(score: str) -> str:
    return (
        "Poor",
        "Poor",
        "Poor",
        "Fair",
        "Fair",
        "Good",
        "Good",
        "Excellent",
        "Excellent",
        "Excellent",
    )[int(score) - 1]


def _vapi_call_type(r: Rand, task: dict[str, Any], call: Call) -> None:
    out = task["output"]
    out["call_type"] = out["metadata"]["type"] = out["call_type"] + "PhoneCall"
    out["call_end_reason"] = "customer-ended-call"


def _type_only(r: Rand, task: dict[str, Any], call: Call) -> None:
    task["output"]["type"] = task["output"].pop("call_type")


def _set_output(key: str, value: Any) -> _Mutator:
    def mutate(r: Rand, task: dict[str, Any], call: Call) -> None:
        task["output"][key] = value

    return mutate


def _intermediate(r: Rand, task: dict[str, Any], call: Call) -> None:
    task["output"] = {"call_status": task["output"]["call_status"], "data": INTERMEDIATE_NOTE}


def _mongo_id(r: Rand, task: dict[str, Any], call: Call) -> None:
    task["_id"] = task["ref_id"][:8] + task["task_id"][1:17]


def _extra_keys(r: Rand, task: dict[str, Any], call: Call) -> None:
    task |= {"provider": "livekit", "retry_attempt": int(r.u() * 3)}
    if task["output"]:
        task["output"]["vendor_payload"] = {"region": "ap-south-1", "sip_code": 200}


_MUTATORS: dict[str, _Mutator] = {
    "intermediate_output": _intermediate,
    "start_iso_t": _set_times(lambda us: as_datetime(us).isoformat(timespec="microseconds")),
    "start_z": _set_times(lambda us: as_datetime(us).isoformat(timespec="seconds") + "Z"),
    "start_null_literal": _set_times(lambda us: "NULL"),
    "start_none_literal": _set_times(lambda us: "None"),
    "start_epoch_ms": _set_times(lambda us: us // 1000),
    "duration_float": _set_duration(lambda s: round(s, 1)),
    "duration_numeric_string": _set_duration(lambda s: str(int(s))),
    "duration_zero_string": _set_duration(lambda s: "0"),
    "duration_missing": _drop_duration,
    "transcript_json_string": _set_transcript(lambda items, call: json.dumps(items)),
    "transcript_text": _set_transcript(_as_text),
    "transcript_messages": _set_transcript(_as_messages),
    "transcript_agent_message": _set_transcript(_as_agent_message),
    "transcript_empty": _set_transcript(lambda items, call: []),
    "turn_time_empty": _set_turn_times(lambda us: ""),
    "turn_time_naive": _set_turn_times(fmt_call),
    "outcome_call_back_lower": _set_status("call back"),
    "outcome_callback_camel": _set_status("CallBack"),
    "outcome_interested_in": _set_status("InterestedIn"),
    "outcome_unknown": _set_status("Unknown"),
    "summary_plain_string": _plain_summary,
    "callback_date_object": _callback_object,
    "success_decimal": _set_post_call("success_evaluator", lambda s: f"{int(s) - 0.5}"),
    "success_word": _set_post_call("success_evaluator", _success_word),
    "success_null": _set_post_call("success_evaluator", lambda s: None),
    "structured_data_json_string": _set_post_call("structured_data", json.dumps),
    "classification_json_string": _set_post_call("classification", json.dumps),
    "follow_up_disabled": _set_post_call("follow_up", lambda f: {"required": "follow_up disabled"}),
    "call_type_vapi": _vapi_call_type,
    "call_type_as_type": _type_only,
    "recording_url_empty": _set_output("recording_url", ""),
    "mongo_id": _mongo_id,
    "extra_keys": _extra_keys,
}


def _pools(calls: list[Call]) -> dict[str, list[int]]:
    full = [i for i, c in enumerate(calls) if c.full]
    evaluated = [i for i in full if calls[i].status != "partially_completed"]
    return {
        "task": list(range(len(calls))),
        "call": full,
        "evaluated": evaluated,
        "completed_call": [i for i in evaluated if calls[i].status == "completed"],
        "callback": [i for i in evaluated if calls[i].outcome == "Call Back"],
        "interested": [i for i in evaluated if calls[i].outcome == "Interested"],
    }


def mess(r: Rand, tasks: list[dict[str, Any]], calls: list[Call]) -> set[int]:
    """Give each variant of :data:`MESSY_VARIANTS` its share of eligible tasks, in place;
    return the indices of the tasks it changed."""
    pools = _pools(calls)
    taken: dict[str, set[int]] = {}
    for name, (group, pool, share) in MESSY_VARIANTS.items():
        used = taken.setdefault(group, set())
        free = [i for i in pools[pool] if i not in used]
        size = min(len(free), math.floor(share * len(pools[pool]) + 0.5))
        chosen = sorted(r.rng.choice(free, size=size, replace=False).tolist()) if size else []
        for i in chosen:
            _MUTATORS[name](r, tasks[i], calls[i])
        used.update(chosen)
        if group == "state":  # a task waiting for its evaluation gets no other output variant
            pools = {
                k: v if k == "task" else [i for i in v if i not in used] for k, v in pools.items()
            }
    return set().union(*taken.values())
