"""Vapi calls as tasks: the adapter that lets ``load_run`` read Vapi exports and webhooks.

Vapi has no task concept: each call becomes one :class:`~analytics.load.payload.Task` whose
``task_id`` is the call's ``id``. Three shapes are read:

- a call object (``GET /call/{id}``), or a bare list of them (``GET /call``);
- the end-of-call webhook ``{"message": {"type": "end-of-call-report", "call": {...}, ...}}``:
  what sits beside ``call`` (``artifact``, ``analysis``, ``endedReason``, ``cost``...) fills
  what the call lacks, field by field; the call's own value wins where both exist. A webhook
  message of any other type (``status-update``, ``transcript``...) holds no finished call: it
  gives no task and one problem naming its type;
- older objects with ``transcript``, ``recordingUrl``, ``stereoRecordingUrl``, ``summary`` and
  ``messages`` at the top level. The current places (``artifact``, ``analysis``) are read
  first, the older ones fill what they lack.

Units: times are ISO 8601 text, passed on as found (the loader takes the duration as
``endedAt - startedAt``); ``cost`` and the parts of ``costBreakdown`` are US dollars, kept as
they are; message ``time``/``endTime`` are epoch milliseconds, ``secondsFromStart`` seconds and
``duration`` milliseconds, all passed on raw; the turn latencies of
``artifact.performanceMetrics`` are milliseconds and become seconds here.

Latencies are taken over ``performanceMetrics.turnLatencies`` (one entry per agent turn): the
median and 90th percentile of ``turnLatency`` (the caller stopping to the agent starting to
speak), and the medians of ``modelLatency``, ``voiceLatency`` and ``transcriberLatency``
(percentiles by linear interpolation between the closest ranks, as ``numpy.percentile`` by
default). When only the ``*Average`` fields are present they are left NA: an average is not a
median, and one long turn can pull it far from the typical turn.

Turns come from ``artifact.messages``, else ``messages``, else the text transcript
(``artifact.transcript``, else ``transcript``, ``"AI: ...\\nUser: ..."``). A ``system`` message
is the assistant's prompt, never said on the call, and is left out. Tool messages keep their
role (the loader's speaker ``other``): a ``tool_calls`` message reads ``name(arguments)`` for
each call, joined by ``"; "``; a ``tool_call_result`` reads its ``result``.

The rest of the mapping: ``assignee`` is ``assistant.name``, else ``assistantId``; the status
``scheduled``, ``queued`` or ``ringing`` is a queued call, ``in-progress`` or ``forwarding`` an
ongoing one, ``ended`` an ended one (so is a call with no status but an end reason), and
``call_status`` follows :func:`~analytics.load.adapt.call_status` (an end reason meaning no
answer, busy or voicemail decides); ``call_type`` is ``inbound``/``outbound`` for the phone
call types and NA for a web call, whose channel is ``web``; the recording is
``artifact.recordingUrl``, else ``recordingUrl``, else a stereo recording. The success
evaluation is kept as text (``true``/``false``, a score, a label); the outcome is the first
text at ``outcome``, ``call_outcome``, ``status`` or ``disposition`` of ``structuredData``,
else the evaluation when it is a label. ``cost_parts`` holds the numbers of
``costBreakdown`` (``transport``, ``stt``, ``llm``, ``tts``, ``vapi``...) but its total, its
token and character counts (their own columns) and its nested breakdowns.

A part of the wrong type (``artifact`` that is a list, ``artifact.messages`` that is text...)
is left out with one problem naming it, and so is a latency that cannot be one (text, a
boolean, negative, NaN, more than a day); the rest of the call is kept.

Examples
--------
>>> call = {"id": "c1", "type": "outboundPhoneCall", "status": "ended",
...         "assistant": {"name": "Aria"}, "endedReason": "customer-ended-call",
...         "startedAt": "2026-01-01T11:47:38.067Z", "endedAt": "2026-01-01T11:48:11.385Z",
...         "artifact": {"messages": [
...             {"role": "system", "message": "You are Aria."},
...             {"role": "bot", "message": "Hi Asha!", "secondsFromStart": 0.62}]}}
>>> matches(call), matches({"task_id": "T1"})
(True, False)
>>> tasks, problems = to_tasks(call)
>>> task = tasks[0]
>>> task.task_id, task.assignee, task.status, task.output.call_type, task.output.call_status
('c1', 'Aria', 'completed', 'outbound', 'completed')
>>> [(m.role, m.message) for m in task.output.transcript], problems
([('bot', 'Hi Asha!')], [])
>>> to_tasks({"message": {"type": "status-update", "status": "ringing"}})[1][0]["field"]
'message.type'
"""

from __future__ import annotations

import json
import math
from operator import attrgetter
from typing import Annotated, Any, Final, cast

import msgspec

from analytics.load.adapt import call_status, first, outcome_label, scaled, task_status
from analytics.load.parse import show
from analytics.load.payload import (
    Adapted,
    Message,
    Output,
    PostCall,
    Problem,
    Task,
    problem_row,
    text_keys,
)
from analytics.schema import MAX_CALL_SECONDS

__all__ = ["PLATFORM", "VapiMessage", "decode", "matches", "to_tasks"]

PLATFORM: Final = "vapi"

# --- the shape read: only the fields the adapter uses ----------------------------------------


class _Function(msgspec.Struct, gc=False):
    name: Any = None
    arguments: Any = None


class _ToolCall(msgspec.Struct, gc=False):
    function: _Function | None = None


class VapiMessage(Message, gc=False):
    """One Vapi message: a transcript :class:`~analytics.load.payload.Message` (text in
    ``message``) plus the tool parts (``toolCalls``, ``result``)."""

    toolCalls: list[_ToolCall] | None = None
    result: Any = None


class _Assistant(msgspec.Struct, gc=False):
    name: Any = None


class _Customer(msgspec.Struct, gc=False):
    number: Any = None
    name: Any = None


_MAX_LATENCY_MS = MAX_CALL_SECONDS * 1000
"""No latency is longer than the longest possible call."""
_Latency = Annotated[float, msgspec.Meta(ge=0, le=_MAX_LATENCY_MS)]
"""A latency in milliseconds: checked while decoding (text, booleans, negative, NaN or
infinite values are refused, and left out with a problem by the lenient way in)."""


class _TurnLatency(msgspec.Struct, gc=False):
    turnLatency: _Latency | None = None
    modelLatency: _Latency | None = None
    voiceLatency: _Latency | None = None
    transcriberLatency: _Latency | None = None


class _Performance(msgspec.Struct, gc=False):
    turnLatencies: list[_TurnLatency] | None = None
    numUserInterrupted: Any = None
    numAssistantInterrupted: Any = None


class _Artifact(msgspec.Struct, gc=False):
    messages: list[VapiMessage] | None = None
    transcript: Any = None
    recordingUrl: Any = None
    stereoRecordingUrl: Any = None
    performanceMetrics: _Performance | None = None


class _Analysis(msgspec.Struct, gc=False):
    summary: Any = None
    structuredData: Any = None
    successEvaluation: Any = None


class _Call(msgspec.Struct, gc=False):
    id: Any = None
    task_id: Any = None  # an Unpod task: not a Vapi call
    call_id: Any = None  # a Retell call: not a Vapi call
    type: Any = None
    status: Any = None
    endedReason: Any = None
    startedAt: Any = None
    endedAt: Any = None
    createdAt: Any = None
    updatedAt: Any = None
    assistantId: Any = None
    assistant: _Assistant | None = None
    orgId: Any = None
    customer: _Customer | None = None
    cost: Any = None
    costBreakdown: dict[str, Any] | None = None
    artifact: _Artifact | None = None
    analysis: _Analysis | None = None
    messages: list[VapiMessage] | None = None  # the older places, read after the current ones
    transcript: Any = None
    recordingUrl: Any = None
    stereoRecordingUrl: Any = None
    summary: Any = None


class _Report(_Call, gc=False):
    """A webhook ``message``: its ``type`` is the message's; the rest sits beside ``call``."""

    call: _Call | None = None


class _Body(_Call, gc=False):
    """A whole JSON object: a call, or a webhook body (``message``)."""

    message: _Report | None = None


_DECODER = msgspec.json.Decoder(list[_Body] | _Body)
_VAPI_KEYS = (
    "type",
    "status",
    "assistantId",
    "orgId",
    "createdAt",
    "startedAt",
    "endedAt",
    "endedReason",
    "assistant",
    "artifact",
    "analysis",
    "costBreakdown",
    "customer",
    "messages",
    "transcript",
    "recordingUrl",
)
"""Keys of which a Vapi call object has at least one (beside ``id``)."""
_BESIDE = tuple(
    f for f in msgspec.structs.fields(_Call) if f.name not in ("id", "task_id", "call_id", "type")
)
"""The fields an end-of-call report may carry beside its ``call`` (its ``type`` is its own)."""
_END_OF_CALL = "end-of-call-report"


# --- the adapter API --------------------------------------------------------------------------


def matches(obj: Any) -> bool:
    """True when ``obj`` (a parsed JSON object) is a Vapi call or a Vapi webhook body.

    A call has an ``id``, no ``task_id`` or ``call_id`` (Unpod and Retell), and one of the
    keys every Vapi call carries some of (``type``, ``status``, ``assistantId``,
    ``artifact``...). A webhook body is ``{"message": {"type": ...}}``, whatever its type.

    >>> matches({"id": "c1", "status": "ended"}), matches({"id": "c1"})
    (True, False)
    >>> matches({"message": {"type": "end-of-call-report"}}), matches([{"id": "c1"}])
    (True, False)
    """
    if not isinstance(obj, dict) or "task_id" in obj or "call_id" in obj:
        return False
    if "id" in obj:
        return any(key in obj for key in _VAPI_KEYS)
    message = obj.get("message")
    return isinstance(message, dict) and "type" in message


def decode(raw: bytes) -> list[Task] | None:
    """The tasks of a JSON text that is a Vapi call, a list of calls or an end-of-call
    webhook, decoded straight into typed structs; None for any other text.

    None also when a part could not be read (of the wrong type, a latency that is not a
    possible one, another kind of webhook): the lenient way in (:func:`to_tasks` on the parsed
    JSON) then keeps what can be read and reports the rest. Never raises.

    >>> [t.task_id for t in decode(b'[{"id": "c1", "status": "ended"}]')]
    ['c1']
    >>> decode(b'[{"task_id": "T1"}]'), decode(b'{"id": "c1", "artifact": []}'), decode(b"{")
    (None, None, None)
    """
    try:
        body = _DECODER.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    calls = _calls_of(body)
    return None if calls is None else [_task(call) for call in calls]


def to_tasks(obj: Any) -> tuple[list[Task], list[Problem]]:
    """A parsed Vapi call, list of calls or webhook body as tasks, and a problem per part
    that could not be read.

    An item that is not an object is skipped with a problem (field ``call``); a part of a call
    of the wrong type is left out with a problem naming it (``artifact.messages``, or
    ``message.call.artifact`` in a webhook); a call is never dropped. The input is never
    mutated.

    >>> tasks, problems = to_tasks([{"id": "c1", "analysis": "great"}, 7])
    >>> [t.task_id for t in tasks], [(p["task_id"], p["field"]) for p in problems]
    (['c1'], [('c1', 'analysis'), (None, 'call')])
    """
    if isinstance(obj, list):
        return _from_list(obj)
    if isinstance(obj, dict):
        return _from_object(obj)
    return [], [problem_row(None, "call", f"the input is not a Vapi call object but {_kind(obj)}")]


# --- the typed way in -----------------------------------------------------------------------


def _calls_of(body: list[_Body] | _Body) -> list[_Call] | None:
    """The calls of a decoded text; None when it is not (only) Vapi calls and end-of-call
    reports with their call (a saved list may mix the two)."""
    if not isinstance(body, list):
        call = _call_of(body)
        return None if call is None else [call]
    calls = [_call_of(item) for item in body]
    return None if None in calls else cast("list[_Call]", calls)


def _call_of(body: _Body) -> _Call | None:
    """The call of a call object or of an end-of-call report; None for anything else."""
    report = body.message
    if report is not None and body.id is None:
        if report.type != _END_OF_CALL or report.call is None:
            return None
        return _merged(report.call, report)
    return body if _is_call(body) else None


def _is_call(call: _Call) -> bool:
    return (
        call.id is not None
        and call.task_id is None
        and call.call_id is None
        and any(getattr(call, key) is not None for key in _VAPI_KEYS)
    )


def _merged(call: _Call, beside: _Call) -> _Call:
    """``call`` with each field it lacks taken from ``beside`` (an end-of-call report)."""
    fills = {
        f.name: getattr(beside, f.name)
        for f in _BESIDE
        if getattr(call, f.name) is None and getattr(beside, f.name) is not None
    }
    return msgspec.structs.replace(call, **fills) if fills else call


# --- the lenient way in ---------------------------------------------------------------------


def _from_list(items: list[Any]) -> tuple[list[Task], list[Problem]]:
    tasks: list[Task] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            more, found = _from_object(item)
            tasks += more
            problems += found
        else:
            say = f"item {i} of the input is not a Vapi call object but {_kind(item)}"
            problems.append(problem_row(None, "call", say))
    return tasks, problems


def _from_object(obj: dict[Any, Any]) -> tuple[list[Task], list[Problem]]:
    message = obj.get("message")
    if isinstance(message, dict) and "id" not in obj:
        return _from_webhook(message)
    call, problems = _convert(obj, None, "")
    return [_task(call)], problems


def _from_webhook(message: dict[Any, Any]) -> tuple[list[Task], list[Problem]]:
    kind, raw_call = message.get("type"), message.get("call")
    if kind != _END_OF_CALL:
        say = (
            f"a Vapi webhook message of type {show(kind)}: only end-of-call reports hold a "
            "finished call; it was skipped"
        )
        return [], [problem_row(None, "message.type", say)]
    if not isinstance(raw_call, dict):
        say = f"the end-of-call report's call is {_kind(raw_call)}, not an object; it was skipped"
        return [], [problem_row(None, "message.call", say)]
    call, problems = _convert(raw_call, None, "message.call.")
    beside = {k: v for k, v in message.items() if k not in ("type", "call")}
    report, found = _convert(beside, call.id, "message.")
    return [_task(_merged(call, report))], problems + found


def _convert(obj: dict[Any, Any], task_id: Any, path: str) -> tuple[_Call, list[Problem]]:
    """A call dict as a :class:`_Call`, its parts of the wrong type left out and reported."""
    try:
        return msgspec.convert(obj, _Call), []
    except (msgspec.ValidationError, UnicodeEncodeError):  # a part of the wrong type
        fixed, found = _repaired(obj, _CALL_SHAPE, path)
    task_id = obj.get("id") if task_id is None else task_id
    problems = [problem_row(task_id, field, say) for field, say in found]
    try:
        return msgspec.convert(fixed, _Call), problems
    except (msgspec.ValidationError, UnicodeEncodeError) as err:  # not expected (repaired)
        say = f"the call could not be read ({err}); only its id is kept"
        return _Call(id=fixed.get("id")), [*problems, problem_row(task_id, path + "call", say)]


_OBJECT: dict[str, Any] = {}
_LATENCY = "latency"
_MESSAGE = {"toolCalls": [{"function": _OBJECT}]}
_TURN_LATENCY = {f.name: _LATENCY for f in msgspec.structs.fields(_TurnLatency)}
_CALL_SHAPE: dict[str, Any] = {
    "assistant": _OBJECT,
    "customer": _OBJECT,
    "costBreakdown": _OBJECT,
    "analysis": _OBJECT,
    "artifact": {"messages": [_MESSAGE], "performanceMetrics": {"turnLatencies": [_TURN_LATENCY]}},
    "messages": [_MESSAGE],
}
"""The typed parts of a call: ``{key: shape}`` for an object, ``[shape]`` for a list of them,
:data:`_LATENCY` for a latency."""
_Found = list[tuple[str, str]]


def _repaired(
    obj: dict[Any, Any], shape: dict[str, Any], path: str
) -> tuple[dict[str, Any], _Found]:
    """``obj`` with its parts of ``shape`` that have the wrong type set to None, and what
    was left out (``(field, problem)``); keys that cannot name a field are dropped."""
    fixed = dict(text_keys(obj))
    found: _Found = []
    for key, inner in shape.items():  # a loop over a handful of parts
        if fixed.get(key) is not None:
            fixed[key], more = _repaired_part(fixed[key], inner, path + key)
            found += more
    return fixed, found


def _repaired_part(value: Any, shape: Any, field: str) -> tuple[Any, _Found]:
    if shape is _LATENCY:
        return _repaired_latency(value, field)
    if isinstance(shape, list):
        return _repaired_list(value, shape[0], field)
    if isinstance(value, dict):
        return _repaired(value, shape, field + ".")
    return None, [(field, f"{field} is {_kind(value)}, expected an object; left NA")]


def _repaired_latency(value: Any, field: str) -> tuple[Any, _Found]:
    if type(value) in (int, float) and 0 <= value <= _MAX_LATENCY_MS:
        return value, []
    say = (
        f"{field} {show(value)} is not a possible latency (0..{_MAX_LATENCY_MS:,} ms); "
        "left out of the latency columns"
    )
    return None, [(field, say)]


def _repaired_list(value: Any, shape: dict[str, Any], field: str) -> tuple[Any, _Found]:
    if not isinstance(value, list):
        return None, [(field, f"{field} is {_kind(value)}, expected a list; left NA")]
    items = [_repaired(v, shape, field + ".") for v in value if isinstance(v, dict)]
    found = [f for _, more in items for f in more]
    if len(items) < len(value):
        bad = next(v for v in value if not isinstance(v, dict))
        found.append(
            (
                field,
                f"{len(value) - len(items)} of {len(value)} items of {field} are not objects "
                f"(the first: {show(bad)}); they were skipped",
            )
        )
    return [item for item, _ in items], found


# --- one call -> one task -------------------------------------------------------------------

_NO_ARTIFACT = _Artifact()
_NO_ANALYSIS = _Analysis()
_NO_CUSTOMER = _Customer()
_NO_PERFORMANCE = _Performance()
_STATES = {
    "scheduled": "queued",
    "queued": "queued",
    "ringing": "queued",
    "in-progress": "ongoing",
    "forwarding": "ongoing",
    "ended": "ended",
}
"""Vapi's call status -> the adapters' shared state (:mod:`analytics.load.adapt`)."""
_DIRECTIONS = {"inboundPhoneCall": "inbound", "outboundPhoneCall": "outbound"}


def _task(call: _Call) -> Task:
    """One call as a task."""
    state = _state(call.status, call.endedReason)
    name = None if call.assistant is None else call.assistant.name
    return Task(
        task_id=call.id,
        assignee=name if name is not None else call.assistantId,
        status=task_status(state),
        created=call.createdAt,
        modified=call.updatedAt,
        output=_output(call, state),
    )


def _state(status: Any, ended_reason: Any) -> str | None:
    """The shared state of a Vapi status; ``ended`` when there is no status but an end
    reason (a call with an end reason has ended)."""
    if type(status) is str:
        return _STATES.get(status)
    return "ended" if status is None and ended_reason is not None else None


def _output(call: _Call, state: str | None) -> Output:
    artifact = call.artifact or _NO_ARTIFACT
    customer = call.customer or _NO_CUSTOMER
    return Output(
        call_id=call.id,
        customer=customer.name,
        contact_number=customer.number,
        call_type=_DIRECTIONS.get(call.type) if type(call.type) is str else None,
        call_status=call_status(state, call.endedReason),
        end_reason=call.endedReason,
        start_time=call.startedAt,
        end_time=call.endedAt,
        cost=call.cost,
        recording_url=first(
            artifact.recordingUrl,
            call.recordingUrl,
            artifact.stereoRecordingUrl,
            call.stereoRecordingUrl,
        ),
        post_call_data=_post_call(call.analysis or _NO_ANALYSIS, call.summary),
        transcript=_transcript(artifact, call),
        adapted=_adapted(call, artifact),
    )


def _adapted(call: _Call, artifact: _Artifact) -> Adapted:
    performance = artifact.performanceMetrics or _NO_PERFORMANCE
    breakdown = call.costBreakdown or {}
    e2e_p50, e2e_p90, llm, tts, asr = _latencies(performance.turnLatencies)
    return Adapted(
        platform=PLATFORM,
        platform_status=call.status,
        channel=_channel(call.type),
        user_interruptions=performance.numUserInterrupted,
        agent_interruptions=performance.numAssistantInterrupted,
        llm_prompt_tokens=breakdown.get("llmPromptTokens"),
        llm_completion_tokens=breakdown.get("llmCompletionTokens"),
        tts_characters=breakdown.get("ttsCharacters"),
        cost_parts=_cost_parts(breakdown),
        latency_e2e_p50_s=e2e_p50,
        latency_e2e_p90_s=e2e_p90,
        latency_llm_p50_s=llm,
        latency_tts_p50_s=tts,
        latency_asr_p50_s=asr,
    )


def _channel(kind: Any) -> Any:
    """``phone`` for the phone call types, ``web`` for a web call, else the type as found."""
    if type(kind) is not str:
        return kind
    return "phone" if kind.endswith("PhoneCall") else "web" if kind == "webCall" else kind


_NOT_PARTS = frozenset(("total", "llmPromptTokens", "llmCompletionTokens", "ttsCharacters"))
"""Numbers of ``costBreakdown`` that are not a part of the cost."""


def _cost_parts(breakdown: dict[str, Any]) -> dict[str, Any] | None:
    """The numeric parts of the cost (``transport``, ``stt``, ``llm``, ``tts``, ``vapi``...), in
    dollars, numbers written as text read too; the total, the usage counts and nested
    breakdowns left out. None when none."""
    parts = {
        key: value if type(value) is not str else scaled(value, 1)
        for key, value in breakdown.items()
        if type(value) in _PART_TYPES and key not in _NOT_PARTS
    }
    if any(type(value) is str for value in parts.values()):  # text that is no number
        parts = {key: value for key, value in parts.items() if type(value) is not str}
    return parts or None


_PART_TYPES = (int, float, str)


# --- latencies ------------------------------------------------------------------------------


_NO_LATENCIES = (None, None, None, None, None)
_LATENCY_KEYS = tuple(
    attrgetter(name)
    for name in ("turnLatency", "modelLatency", "voiceLatency", "transcriberLatency")
)


def _latencies(turns: list[_TurnLatency] | None) -> tuple[float | None, ...]:
    """In seconds, from the per-turn latencies in milliseconds: the median and 90th percentile
    of ``turnLatency``, the medians of ``modelLatency``, ``voiceLatency`` and
    ``transcriberLatency`` (all None when there are no turns)."""
    if not turns:
        return _NO_LATENCIES
    e2e, llm, tts, asr = (
        sorted([v for v in map(key, turns) if v is not None]) for key in _LATENCY_KEYS
    )
    return (
        _seconds(e2e, 0.5),
        _seconds(e2e, 0.9),
        _seconds(llm, 0.5),
        _seconds(tts, 0.5),
        _seconds(asr, 0.5),
    )


def _seconds(ordered: list[float], q: float) -> float | None:
    """The ``q`` quantile of sorted milliseconds, in seconds (None when there are none),
    interpolated linearly between the closest ranks.

    >>> _seconds([800, 900, 1020, 1500], 0.5), _seconds([800, 900, 1020, 1500], 0.9)
    (0.96, 1.356)
    """
    if not ordered:
        return None
    at = (len(ordered) - 1) * q
    low = int(at)
    high = low + 1 if low + 1 < len(ordered) else low
    return (ordered[low] + (ordered[high] - ordered[low]) * (at - low)) / 1000


# --- analysis and turns ---------------------------------------------------------------------


def _post_call(analysis: _Analysis, legacy_summary: Any) -> PostCall:
    evaluation = analysis.successEvaluation
    return PostCall(
        summary=first(analysis.summary, legacy_summary),
        outcome=_outcome(analysis.structuredData, evaluation),
        success_evaluator=_evaluation_text(evaluation),
        structured_data=analysis.structuredData,
    )


def _outcome(structured: Any, evaluation: Any) -> str | None:
    """The structured data's outcome label (:func:`~analytics.load.adapt.outcome_label`), else
    the success evaluation when it is a label (neither true/false nor a number), else None."""
    label = outcome_label(structured)
    if label is not None:
        return label
    return evaluation if _is_label(evaluation) else None


def _is_label(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    if value.strip().lower() in ("true", "false"):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def _evaluation_text(value: Any) -> Any:
    """The success evaluation as text: booleans ``"true"``/``"false"``, numbers spelled;
    anything else as found (the loader reports what is not text)."""
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return str(value)
    return value


def _transcript(artifact: _Artifact, call: _Call) -> Any:
    """The call's turns: its messages without the system prompt, else its text transcript,
    else an empty list when it has an empty message list, else None."""
    messages = artifact.messages or call.messages
    if messages:
        return [
            m if m.toolCalls is None and m.result is None else _tool_message(m)
            for m in messages
            if m.role != "system"
        ]
    text = first(artifact.transcript, call.transcript)
    if text is None and (artifact.messages is not None or call.messages is not None):
        return []
    return text


def _tool_message(message: VapiMessage) -> VapiMessage:
    """A tool message with its text in ``content``: ``name(arguments)`` per tool call, joined
    by ``"; "``, or the tool's result (else its ``message``)."""
    if message.toolCalls is not None:
        content = "; ".join(
            f"{_as_text(c.function.name)}({_as_text(c.function.arguments)})"
            for c in message.toolCalls
            if c.function is not None
        )
    else:
        content = _as_text(first(message.result, message.message))
    return msgspec.structs.replace(message, content=content)


def _as_text(value: Any) -> Any:
    """Text as it is, None as ``""``, anything else as JSON text (as found when it cannot be
    JSON: the loader then reports it)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # a circular or too deeply nested Python object
        return value


# --- problems -------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    """``a str ('oops')``, ``an int (7)``: a value's type and the value, for a problem."""
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} ({show(value)})"
