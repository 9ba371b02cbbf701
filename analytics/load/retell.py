"""Retell calls as run tasks: the adapter :func:`~analytics.load.load_run` uses for Retell.

Retell has no task concept: each call becomes one :class:`~analytics.load.payload.Task` whose
``task_id`` is the call id, with the Unpod fields in its ``output`` and what only Retell
measures in ``output.adapted`` (:class:`~analytics.load.payload.Adapted`), in our units.

Shapes read (:func:`matches` tells them from other platforms' by their keys alone):

- a call object (``call_id``, no ``task_id``), as ``get-call`` answers it;
- a list of call objects;
- the ``list-calls`` envelope ``{"items": [...], "has_more", "pagination_key", "total"}``;
  its items carry no transcript, so their calls have no turns (``n_turns`` NA), which is
  not a problem;
- a webhook body ``{"event": "call_started" | "call_ended" | "call_analyzed", "call":
  {...}}`` (the key may also be spelled ``event_type``).

Units. Retell stamps times in epoch milliseconds (``start_timestamp``, ``end_timestamp``,
passed on raw: the loader reads epoch milliseconds), durations and latencies in milliseconds
(divided by 1,000), word times in seconds from the call's start, and money in cents (divided
by 100: ``cost`` and ``cost_parts`` are in the currency's main unit).

What goes where:

- ``assignee`` is ``agent_name``, else ``agent_id``; ``agent_version`` is kept; ``channel``
  is ``phone`` for a ``phone_call``, ``web`` for a ``web_call`` (else the raw type);
  ``call_type`` (our direction) is ``direction``; ``contact_number`` is the other party's
  number (``to_number`` of an outbound call, ``from_number`` of an inbound one).
- ``call_status`` is derived from Retell's status and ``disconnection_reason`` by
  :func:`analytics.load.adapt.call_status` (a call that "ended" on ``dial_no_answer`` never
  connected), and ``platform_status`` keeps Retell's own word; ``end_reason`` is the raw
  ``disconnection_reason``. ``created`` is the start time (Retell has no creation time) and
  ``modified`` is None (Retell has no update time; a later copy in the input wins).
- From ``call_analysis``: ``summary`` (``call_summary``), ``sentiment_label``
  (``user_sentiment``), ``voicemail`` (``in_voicemail``), ``structured_data``
  (``custom_analysis_data``), ``success_evaluator`` (``"true"``/``"false"`` from
  ``call_successful``), and the outcome: the first text among ``custom_analysis_data``'s
  ``outcome``, ``call_outcome``, ``status`` and ``disposition`` (a richer label than a
  flag), else ``"successful"``/``"unsuccessful"`` from ``call_successful``.
- ``latency``: the medians of ``e2e``, ``llm``, ``tts`` and ``asr`` and the 90th percentile
  of ``e2e``, in seconds. Retell's ``knowledge_base`` and ``s2s`` latencies have no column:
  they time optional parts of an agent (a knowledge-base lookup, a speech-to-speech model)
  that no other platform reports, so they could not be compared; nor do its other
  percentiles (p95, p99, min, max).
- ``llm_prompt_tokens`` is the sum of ``llm_token_usage.values``: Retell counts the prompt
  tokens of each model request (what its pricing tiers on). It does not count completion
  tokens or speech characters (those columns are NA).
- Turns, from the first present of ``transcript_with_tool_calls`` (a non-empty list),
  ``transcript_object`` (a list) and the ``"Agent: ...\\nUser: ..."`` text ``transcript``:
  one message per item, in order, its offset the start of its first word (or its
  ``time_sec``). Tool items keep their role, so they are speaker ``other``: an invocation
  reads ``name(arguments)``, a result its content, a key press its digit, a node transition
  ``"former -> new"``.
- Not read: ``metadata``, the dynamic variables, the scrubbed transcripts and recordings,
  the multi-channel recording, ``public_log_url``, ``call_cost.total_duration_seconds``.
  Retell names no customer, so ``customer`` is NA.

A part of a call with the wrong type (``call_analysis`` a list, ``latency`` a text...) is
one problem naming the part as Retell names it, and the rest of the call is kept; a list item
that is not an object is one problem (field ``call``) and skipped.

Examples
--------
>>> call = {"call_id": "c1", "agent_name": "booker", "call_status": "ended",
...         "direction": "outbound", "start_timestamp": 1767266858067, "duration_ms": 33318,
...         "disconnection_reason": "user_hangup", "call_cost": {"combined_cost": 7.42},
...         "transcript_object": [{"role": "agent", "content": "Hi!",
...                                "words": [{"word": "Hi!", "start": 0.62, "end": 0.8}]}]}
>>> matches(call)
True
>>> tasks, problems = to_tasks({"event": "call_ended", "call": call})
>>> task = tasks[0]
>>> task.task_id, task.assignee, task.status, problems
('c1', 'booker', 'completed', [])
>>> task.output.call_status, task.output.duration, task.output.cost
('completed', 33.318, 0.0742)
>>> [(m.role, m.content, m.secondsFromStart) for m in task.output.transcript]
[('agent', 'Hi!', 0.62)]
>>> decode(b'[{"call_id": "c1", "call_status": "ended"}]')[0].output.call_status
'completed'
>>> to_tasks([call, 7])[1][0]["field"]
'call'
"""

from __future__ import annotations

import re
from typing import Any, Final

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

__all__ = ["PLATFORM", "decode", "matches", "to_tasks"]

PLATFORM: Final = "retell"
"""The value of ``calls.platform`` for Retell calls."""

_EVENTS = frozenset({"call_started", "call_ended", "call_analyzed"})
"""The webhook events that carry a call."""
_STATE = {
    "registered": "queued",
    "ongoing": "ongoing",
    "ended": "ended",
    "not_connected": "not_connected",
    "error": "error",
}
"""Retell's ``call_status`` in the adapters' shared words (:mod:`analytics.load.adapt`)."""
_CHANNEL = {"phone_call": "phone", "web_call": "web"}
_SUCCESS = {True: ("successful", "true"), False: ("unsuccessful", "false")}
"""``call_successful`` as (the outcome label, the ``success_evaluator`` text)."""


# --- the call, as typed structs ---------------------------------------------------------------


class _Word(msgspec.Struct, gc=False):
    start: Any = None  # seconds from the call's start


class _Item(msgspec.Struct, gc=False):
    """An utterance, or a tool item of ``transcript_with_tool_calls``."""

    role: Any = None
    content: Any = None
    words: list[_Word] | None = None
    time_sec: Any = None
    name: Any = None  # tool_call_invocation
    arguments: Any = None
    digit: Any = None  # dtmf
    former_node_name: Any = None  # node_transition
    new_node_name: Any = None


class _Analysis(msgspec.Struct, gc=False):
    call_summary: Any = None
    user_sentiment: Any = None
    call_successful: Any = None
    in_voicemail: Any = None
    custom_analysis_data: Any = None


class _Latency(msgspec.Struct, gc=False):
    p50: Any = None  # ms
    p90: Any = None


class _Latencies(msgspec.Struct, gc=False):
    e2e: _Latency | None = None
    llm: _Latency | None = None
    tts: _Latency | None = None
    asr: _Latency | None = None


class _ProductCost(msgspec.Struct, gc=False):
    product: Any = None
    cost: Any = None  # cents


class _Cost(msgspec.Struct, gc=False):
    combined_cost: Any = None  # cents
    product_costs: list[_ProductCost] | None = None


class _TokenUsage(msgspec.Struct, gc=False):
    values: Any = None  # prompt tokens of each model request


class _Call(msgspec.Struct, gc=False):
    """The fields of a Retell call object the adapter reads."""

    call_id: Any = None
    agent_id: Any = None
    agent_name: Any = None
    agent_version: Any = None
    call_type: Any = None
    direction: Any = None
    from_number: Any = None
    to_number: Any = None
    call_status: Any = None
    start_timestamp: Any = None  # epoch ms
    end_timestamp: Any = None
    duration_ms: Any = None
    disconnection_reason: Any = None
    recording_url: Any = None
    transcript: str | None = None
    transcript_object: list[_Item] | None = None
    transcript_with_tool_calls: list[_Item] | None = None
    call_analysis: _Analysis | None = None
    latency: _Latencies | None = None
    call_cost: _Cost | None = None
    llm_token_usage: _TokenUsage | None = None


class _Object(_Call, gc=False):
    """Any JSON object of a Retell shape: a call, the list envelope or a webhook body."""

    task_id: Any = msgspec.UNSET
    items: list[_Call] | None = None
    has_more: Any = msgspec.UNSET
    pagination_key: Any = msgspec.UNSET
    event: Any = None
    event_type: Any = None
    call: _Call | None = None


_LIST = msgspec.json.Decoder(list[_Call])
_ONE = msgspec.json.Decoder(_Object)
_LEAD = re.compile(rb"(\xef\xbb\xbf)?[ \t\r\n]*")
"""What may come before a JSON text's first token: a BOM, white space."""


# --- the adapter API --------------------------------------------------------------------------


def matches(obj: Any) -> bool:
    """True when ``obj`` (a parsed JSON value) is a Retell call, list envelope or webhook body.

    Key checks only: a call has ``call_id`` (and no ``task_id``, which is Unpod's); the
    envelope an ``items`` list beside ``has_more`` or ``pagination_key``; a webhook an
    ``event`` (or ``event_type``) naming a call event, beside ``call``.

    >>> matches({"call_id": "c1"}), matches({"items": [], "has_more": False})
    (True, True)
    >>> matches({"event_type": "call_analyzed", "call": {}}), matches({"task_id": "T1"})
    (True, False)
    """
    if not isinstance(obj, dict) or "task_id" in obj:
        return False
    return "call_id" in obj or _is_envelope(obj) or _is_webhook(obj)


def _is_envelope(obj: dict[Any, Any]) -> bool:
    return isinstance(obj.get("items"), list) and ("has_more" in obj or "pagination_key" in obj)


def _is_webhook(obj: dict[Any, Any]) -> bool:
    """A call event; or any event whose ``call`` is a call object (the list of events grows)."""
    event = first(obj.get("event"), obj.get("event_type"))
    if not isinstance(event, str) or "call" not in obj:
        return False
    call = obj["call"]
    return event in _EVENTS or (isinstance(call, dict) and "call_id" in call)


def decode(raw: bytes) -> list[Task] | None:
    """The tasks of a JSON text holding Retell calls, decoded straight into typed structs.

    The text may be a call, a list of calls, the list envelope or a webhook body. Returns
    None (never raises) when it is none of these, or when any part has a type the structs
    do not expect, or a call has no ``call_id``: :func:`to_tasks` of the parsed JSON then
    reads it leniently, with a problem per unreadable part.

    >>> [t.task_id for t in decode(b'{"items": [{"call_id": "c1"}], "has_more": false}')]
    ['c1']
    >>> decode(b'{"task_id": "T1"}'), decode(b'[{"call_id": "c1", "latency": "fast"}]')
    (None, None)
    """
    text, opening = _opened(raw)
    try:
        calls = _LIST.decode(text) if opening == b"[" else _calls_of(text)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    if calls is None or any(c.call_id is None for c in calls):
        return None
    return [_task(c) for c in calls]


def _opened(raw: bytes) -> tuple[bytes | memoryview, bytes]:
    """``raw`` without a BOM (not copied), and its first byte that is not white space."""
    lead = _LEAD.match(raw)
    end = 0 if lead is None else lead.end()
    text = memoryview(raw)[3:] if lead is not None and lead.group(1) else raw
    return text, raw[end : end + 1]


def _calls_of(raw: bytes | memoryview) -> list[_Call] | None:
    """The calls of one JSON object of a Retell shape; None when it has none of them."""
    obj = _ONE.decode(raw)
    if obj.task_id is not msgspec.UNSET:
        return None
    if obj.items is not None and (obj.has_more, obj.pagination_key) != (msgspec.UNSET,) * 2:
        return obj.items
    if obj.call is not None and isinstance(first(obj.event, obj.event_type), str):
        return [obj.call]
    return None if obj.call_id is None else [obj]


def to_tasks(obj: Any) -> tuple[list[Task], list[Problem]]:
    """The tasks of a parsed Retell payload, and a problem dict per part that was unreadable.

    ``obj`` is a call dict, a list of them, the list envelope or a webhook body (a list may
    also hold envelopes and webhook bodies). An item that is not an object is skipped with a
    problem (field ``call``); a call whose parts have the wrong type keeps its readable parts,
    with a problem per unreadable part naming it as Retell does (``call_analysis``,
    ``latency.e2e``, ``transcript_object``...). A dict of no known shape is read as a call
    (without a ``call_id``, the loader keeps it with ``task_id`` NA). The input is never
    mutated.

    >>> tasks, problems = to_tasks({"call_id": "c1", "call_analysis": ["?"]})
    >>> tasks[0].task_id, problems[0]["field"], problems[0]["problem"]
    ('c1', 'call_analysis', "call_analysis is a list (['?']), not an object; left NA")
    """
    dicts, problems = _call_dicts(obj, nested=False)
    tasks = []
    for call in dicts:
        typed, found = _typed(call)
        tasks.append(_task(typed))
        problems += found
    return tasks, problems


# --- shapes -----------------------------------------------------------------------------------


def _call_dicts(obj: Any, *, nested: bool) -> tuple[list[dict[Any, Any]], list[Problem]]:
    """The call dicts of a payload; a problem per item that is not an object. A list's dict
    items may be envelopes or webhook bodies (``nested``: not lists again)."""
    if isinstance(obj, list) and not nested:
        return _list_calls(obj, expand=True)
    if not isinstance(obj, dict):
        found = (
            f"a {type(obj).__name__} ({show(obj)}) is not a Retell call, list of calls, list "
            "envelope or webhook body; it was skipped"
        )
        return [], [problem_row(None, "call", found)]
    if "call_id" not in obj and "call" in obj and ("event" in obj or "event_type" in obj):
        return _webhook_call(obj)
    if "call_id" not in obj and isinstance(obj.get("items"), list):
        return _list_calls(obj["items"], expand=False)
    return [obj], []


def _list_calls(items: list[Any], *, expand: bool) -> tuple[list[dict[Any, Any]], list[Problem]]:
    calls: list[dict[Any, Any]] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and expand:
            more, found = _call_dicts(item, nested=True)
            calls.extend(more)
            problems.extend(found)
        elif isinstance(item, dict):
            calls.append(item)
        else:
            found_text = (
                f"item {i} of the list is not a call object but {type(item).__name__} "
                f"{show(item)}; it was skipped"
            )
            problems.append(problem_row(None, "call", found_text))
    return calls, problems


def _webhook_call(obj: dict[Any, Any]) -> tuple[list[dict[Any, Any]], list[Problem]]:
    call = obj.get("call")
    if isinstance(call, dict):
        return [call], []
    found = (
        f"the webhook body's call is a {type(call).__name__} ({show(call)}), not a call "
        "object; it was skipped"
    )
    return [], [problem_row(None, "call", found)]


# --- repair -----------------------------------------------------------------------------------


def _typed(call: dict[Any, Any]) -> tuple[_Call, list[Problem]]:
    """A call dict as a :class:`_Call`; the parts of the wrong type left None, a problem each."""
    try:
        return msgspec.convert(call, _Call), []
    except (msgspec.ValidationError, UnicodeEncodeError):  # a key msgspec cannot compare
        repaired, problems = _repaired(text_keys(call))
    try:
        return msgspec.convert(repaired, _Call), problems
    except (msgspec.ValidationError, UnicodeEncodeError) as err:  # not expected (repaired)
        call_id = repaired.get("call_id")
        found = f"the call could not be read ({err}); only its call_id is kept"
        return _Call(call_id=call_id), [*problems, problem_row(call_id, "call", found)]


_PARTS = ("call_analysis", "latency", "call_cost", "llm_token_usage")
"""The parts of a call typed as objects."""
_LATENCIES = tuple(_Latencies.__struct_fields__)
_TRANSCRIPTS = ("transcript_object", "transcript_with_tool_calls")


def _repaired(call: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """``call`` with each part of the wrong type None (or its bad items skipped)."""
    found: list[tuple[str, str]] = []
    fixed = {**call, **{p: _object(call.get(p), p, found) for p in _PARTS}}
    fixed["latency"] = _latency(fixed["latency"], found)
    fixed["call_cost"] = _cost(fixed["call_cost"], found)
    for field in _TRANSCRIPTS:
        fixed[field] = _items(_objects(call.get(field), field, found), field, found)
    fixed["transcript"] = _text(call.get("transcript"), "transcript", found)
    call_id = call.get("call_id")
    return fixed, [problem_row(call_id, field, problem) for field, problem in found]


def _latency(latency: dict[str, Any] | None, found: list[tuple[str, str]]) -> Any:
    if latency is None:
        return None
    return {**latency, **{k: _object(latency.get(k), f"latency.{k}", found) for k in _LATENCIES}}


def _cost(cost: dict[str, Any] | None, found: list[tuple[str, str]]) -> Any:
    if cost is None:
        return None
    return {
        **cost,
        "product_costs": _objects(cost.get("product_costs"), "call_cost.product_costs", found),
    }


def _object(value: Any, field: str, found: list[tuple[str, str]]) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return None if value is None else text_keys(value)
    found.append((field, f"{_is_a(field, value)}, not an object; left NA"))
    return None


def _text(value: Any, field: str, found: list[tuple[str, str]]) -> str | None:
    if value is None or isinstance(value, str):
        return value
    found.append((field, f"{_is_a(field, value)}, not text; left NA"))
    return None


def _objects(value: Any, field: str, found: list[tuple[str, str]]) -> list[dict[str, Any]] | None:
    """A list's object items (a problem when some are not objects, or it is not a list)."""
    if value is None:
        return None
    if not isinstance(value, list):
        found.append((field, f"{_is_a(field, value)}, not a list; left NA"))
        return None
    good = [text_keys(v) for v in value if isinstance(v, dict)]
    if len(good) < len(value):
        bad = next(v for v in value if not isinstance(v, dict))
        problem = (
            f"{len(value) - len(good)} of {len(value)} {field} items are not objects (the "
            f"first: {show(bad)}); they were skipped"
        )
        found.append((field, problem))
    return good


def _items(
    items: list[dict[str, Any]] | None, field: str, found: list[tuple[str, str]]
) -> list[dict[str, Any]] | None:
    """Transcript items with their ``words`` dropped where those are not a list of objects."""
    if items is None:
        return None
    bad = {i for i, item in enumerate(items) if not _word_list(item.get("words"))}
    if not bad:
        return items
    problem = (
        f"the words of {len(bad)} of {len(items)} {field} items are not a list of objects "
        f"(the first: {show(items[min(bad)].get('words'))}); their offsets are left NA"
    )
    found.append((f"{field}.words", problem))
    return [{**item, "words": None} if i in bad else item for i, item in enumerate(items)]


def _word_list(words: Any) -> bool:
    """True when ``words`` is absent or a list of objects."""
    return words is None or (isinstance(words, list) and all(type(w) is dict for w in words))


def _is_a(field: str, value: Any) -> str:
    return f"{field} is a {type(value).__name__} ({show(value)})"


# --- one call as a task -----------------------------------------------------------------------


def _task(call: _Call) -> Task:
    state = _STATE.get(call.call_status) if isinstance(call.call_status, str) else None
    return Task(
        task_id=call.call_id,
        assignee=first(call.agent_name, call.agent_id),
        status=task_status(state),
        created=call.start_timestamp,
        output=_output(call, state),
    )


def _output(call: _Call, state: str | None) -> Output:
    cost = call.call_cost
    return Output(
        call_id=call.call_id,
        call_type=call.direction,
        call_status=call_status(state, call.disconnection_reason),
        end_reason=call.disconnection_reason,
        start_time=call.start_timestamp,
        end_time=call.end_timestamp,
        duration=scaled(call.duration_ms, 0.001),
        cost=None if cost is None else scaled(cost.combined_cost, 0.01),
        recording_url=call.recording_url,
        contact_number=call.from_number if call.direction == "inbound" else call.to_number,
        post_call_data=_post_call(call.call_analysis),
        transcript=_transcript(call),
        adapted=_adapted(call),
    )


def _post_call(analysis: _Analysis | None) -> PostCall | None:
    if analysis is None:
        return None
    success = analysis.call_successful
    said = _SUCCESS.get(success) if type(success) is bool else None
    return PostCall(
        summary=analysis.call_summary,
        outcome=outcome_label(analysis.custom_analysis_data) or (said and said[0]),
        success_evaluator=success if said is None else said[1],
        structured_data=analysis.custom_analysis_data,
    )


def _adapted(call: _Call) -> Adapted:
    analysis = call.call_analysis or _NO_ANALYSIS
    latency = call.latency or _NO_LATENCIES
    e2e, llm, tts, asr = (
        x or _NO_LATENCY for x in (latency.e2e, latency.llm, latency.tts, latency.asr)
    )
    kind = call.call_type
    return Adapted(
        platform=PLATFORM,
        platform_status=call.call_status,
        agent_version=call.agent_version,
        channel=_CHANNEL.get(kind, kind) if isinstance(kind, str) else kind,
        latency_e2e_p50_s=scaled(e2e.p50, 0.001),
        latency_e2e_p90_s=scaled(e2e.p90, 0.001),
        latency_llm_p50_s=scaled(llm.p50, 0.001),
        latency_tts_p50_s=scaled(tts.p50, 0.001),
        latency_asr_p50_s=scaled(asr.p50, 0.001),
        sentiment_label=analysis.user_sentiment,
        voicemail=analysis.in_voicemail,
        llm_prompt_tokens=_prompt_tokens(call.llm_token_usage),
        cost_parts=_cost_parts(call.call_cost),
    )


_NO_ANALYSIS = _Analysis()
_NO_LATENCIES = _Latencies()
_NO_LATENCY = _Latency()


def _prompt_tokens(usage: _TokenUsage | None) -> Any:
    """The sum of ``values`` when they are all numbers; else the value as found."""
    if usage is None:
        return None
    values = usage.values
    if isinstance(values, list) and all(type(v) in (int, float) for v in values):
        return sum(values)
    return values


def _cost_parts(cost: _Cost | None) -> dict[str, Any] | None:
    """``{product: cost}`` in the main currency unit (a product named twice: its costs added)."""
    if cost is None or not cost.product_costs:
        return None
    parts: dict[str, Any] = {}
    for item in cost.product_costs:
        amount = scaled(item.cost, 0.01)
        key = item.product if isinstance(item.product, str) else show(item.product)
        before = parts.get(key)
        both = type(before) is float and type(amount) is float
        parts[key] = scaled(before + amount, 1) if both else first(before, amount)
    return parts


# --- turns ------------------------------------------------------------------------------------


def _transcript(call: _Call) -> list[Message] | str | None:
    """One message per item of the first transcript present (see the module's docstring)."""
    items = call.transcript_with_tool_calls or call.transcript_object
    if items is None:
        return call.transcript
    return [
        Message(
            role=item.role,
            content=item.content
            if item.role == "agent" or item.role == "user"
            else _tool_text(item),
            secondsFromStart=item.words[0].start if item.words else item.time_sec,
        )
        for item in items
    ]


def _tool_text(item: _Item) -> Any:
    """What a tool item says: ``name(arguments)``, the digit, ``former -> new``, else its
    content."""
    role = item.role
    if role == "tool_call_invocation":
        return f"{first(item.name, '?')}({_arguments(item.arguments)})"
    if role == "dtmf":
        return item.digit
    if role == "node_transition":
        return f"{item.former_node_name or '?'} -> {item.new_node_name or '?'}"
    return item.content


def _arguments(value: Any) -> str:
    """A tool call's arguments as JSON text (Retell sends them as text already)."""
    if value is None or isinstance(value, str):
        return value or ""
    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, ValueError, RecursionError, msgspec.EncodeError):  # not JSON data
        return show(value)
