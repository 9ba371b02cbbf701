"""The Retell and Vapi shapes of the synthetic runs: the Unpod run's calls as those platforms send.

Helpers of :func:`analytics.datasets.make_run` (``platform="retell"`` or ``"vapi"``). They read
each call back out of the Unpod run made with the same arguments (:func:`read_calls`, which
understands every variant shape that run may hold) and write it again in the other
platform's shape and units (:func:`to_platform`): the same call, agent, words, outcome,
times, cost and end reason, so that a Retell or Vapi run loads into the same tables as its
Unpod twin.

Units, as the platforms use them:

- Retell: times are epoch milliseconds (``start_timestamp``, ``end_timestamp``), the length is
  ``duration_ms``, money is in cents (``call_cost.combined_cost``), latencies are
  milliseconds, and a word's ``start``/``end`` in ``transcript_object`` are seconds from the
  call's start (so the first word's ``start`` is the turn's offset).
- Vapi: call times are ISO 8601 text (``createdAt``, ``startedAt``, ``endedAt``), money is US
  dollars (``cost``, ``costBreakdown``), a message's ``time``/``endTime`` are epoch
  milliseconds, its ``secondsFromStart`` seconds and its ``duration`` milliseconds, and the
  turn latencies of ``artifact.performanceMetrics`` milliseconds.

A platform call's end is its start plus the Unpod duration (so ``end - start`` is the length
on both platforms; the Unpod run floors its durations to the second, so this end can be up to
a second before the Unpod ``end_time``). A call with no id in the Unpod run (one that never
connected, or is still being dialled) takes its task id: a platform call always has one.
Tasks that never reached the dialler (no call data in ``output``) have no platform call.

What the Unpod run does not hold is drawn from a generator of its own (:func:`own_rng`), so
the Unpod draws are unchanged: the caller's sentiment (agreeing with the outcome,
:data:`SENTIMENT_WEIGHTS`), the model, voice and transcriber shares of each turn's latency,
model token counts, interruptions and the parts of the cost. The end-to-end latency of a
turn is not drawn: it is the pause before the agent's answer in the transcript. With
``messy=True`` a small share of the calls (:data:`PLATFORM_VARIANTS`) comes in the
platforms' other legitimate shapes: webhook bodies, list items without transcripts, old
top-level fields, numbers as text.

Examples
--------
>>> run = {"data": [{"task_id": "T1", "assignee": "space-agent-cleo", "created":
...     "2026-01-29T10:00:00", "input": {"name": "Asha Rao", "contact_number": "9000000001"},
...     "output": {"call_id": "77", "call_status": "completed", "duration": 30, "cost": 0.0742,
...                "start_time": "2026-01-29 10:00:05.250000", "call_end_reason": "user_hangup",
...                "transcript": [{"role": "assistant", "content": "Hi Asha!",
...                                "timestamp": "2026-01-29T10:00:06.250+00:00"}],
...                "post_call_data": {"summary": {"status": "Interested"}}}}]}
>>> retell = to_platform(run, "retell", random_state=0, messy=False)[0]
>>> retell["start_timestamp"], retell["duration_ms"], retell["call_cost"]["combined_cost"]
(1769680805250, 30000, 7.42)
>>> retell["disconnection_reason"], retell["transcript_object"][0]["words"][0]
('user_hangup', {'word': 'Hi', 'start': 1.0, 'end': 1.37})
>>> vapi = to_platform(run, "vapi", random_state=0, messy=False)[0]
>>> vapi["startedAt"], vapi["endedAt"], vapi["endedReason"], vapi["cost"]
('2026-01-29T10:00:05.250Z', '2026-01-29T10:00:35.250Z', 'customer-ended-call', 0.0742)
>>> [(m["role"], m.get("secondsFromStart")) for m in vapi["artifact"]["messages"]]
[('system', 0), ('bot', 1.0)]
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

import numpy as np

from analytics._shared import gc_paused
from analytics.datasets._text import ASSIGNEE_PROFILES, SELLER
from analytics.schema import PLATFORMS, canonical_end_reason, canonical_outcome

__all__ = [
    "PLATFORM_VARIANTS",
    "SAMPLE_CALLS",
    "SAMPLE_TASKS",
    "SENTIMENT_WEIGHTS",
    "SUCCESSFUL_OUTCOMES",
    "Platform",
    "check_platform",
    "own_rng",
    "read_calls",
    "to_platform",
    "vapi_id",
]

Platform: TypeAlias = Literal["unpod", "retell", "vapi"]
"""A value of ``make_run(platform=...)``: one of :data:`analytics.schema.PLATFORMS`."""

SAMPLE_CALLS: Final = 120
"""Calls in each bundled Retell and Vapi sample."""
SAMPLE_TASKS: Final = 129
"""Tasks of the Unpod run the samples are made from: 129 tasks, of which 120 reach a call."""

# fmt: off
PLATFORM_VARIANTS: dict[str, dict[str, float]] = {
    "retell": {"webhook_event": 0.04, "webhook_event_type": 0.01, "list_item": 0.03},
    "vapi": {"end_of_call_report": 0.04, "legacy_top_level": 0.03, "numbers_as_text": 0.03},
}
"""The platforms' other legitimate shapes that ``messy=True`` gives a share of the eligible
calls (rounded half up, no call gets two). Retell: a webhook body ``{"event":
"call_analyzed", "call": ...}`` (or with the key spelled ``event_type``) for analysed calls, a
``list-calls`` item (no transcript fields) for calls with a transcript. Vapi: an
``end-of-call-report`` webhook with ``artifact`` and ``analysis`` beside the call for ended
calls, an older object with ``transcript``, ``recordingUrl``, ``messages`` and ``summary`` at
the top level for calls with an artifact, and ``cost`` and ``costBreakdown`` as text for calls
with a cost."""

SENTIMENT_WEIGHTS: dict[str | None, dict[str, float]] = {
    "Interested": {"Positive": 0.75, "Neutral": 0.2, "Negative": 0.05},
    "Call Back": {"Positive": 0.3, "Neutral": 0.6, "Negative": 0.1},
    "Send Details": {"Positive": 0.4, "Neutral": 0.55, "Negative": 0.05},
    "Not Interested": {"Positive": 0.05, "Neutral": 0.35, "Negative": 0.6},
    "Not Connected": {"Neutral": 0.2, "Unknown": 0.8},
    "Abandoned": {"Neutral": 0.4, "Negative": 0.5, "Unknown": 0.1},
    "Dropped": {"Neutral": 0.6, "Negative": 0.2, "Unknown": 0.2},
    None: {"Neutral": 0.5, "Unknown": 0.5},
}
"""Chances of each Retell ``user_sentiment`` by the call's canonical outcome (``None``: any
other outcome)."""
# fmt: on
SUCCESSFUL_OUTCOMES = ("Interested", "Send Details", "Call Back")
"""Outcomes whose Retell ``call_successful`` is true: the lead is still warm."""

_RETELL_REASONS = {
    "customer_hangup": "user_hangup",
    "agent_hangup": "agent_hangup",
    "voicemail": "voicemail_reached",
    "no_answer": "dial_no_answer",
    "busy": "dial_busy",
    "failed": "dial_failed",
    "transferred": "call_transfer",
    "silence_timeout": "inactivity",
    "max_duration": "max_duration_reached",
    "error": "error_llm_websocket_lost_connection",
}
"""Canonical end reason -> Retell's ``disconnection_reason``."""
_VAPI_REASONS = {
    "customer_hangup": "customer-ended-call",
    "agent_hangup": "assistant-ended-call",
    "voicemail": "voicemail",
    "no_answer": "customer-did-not-answer",
    "busy": "customer-busy",
    "failed": "twilio-failed-to-connect-call",
    "transferred": "assistant-forwarded-call",
    "silence_timeout": "silence-timed-out",
    "max_duration": "exceeded-max-duration",
    "error": "pipeline-error-openai-llm-failed",
}
"""Canonical end reason -> Vapi's ``endedReason``."""
_RETELL_STATUS = {
    "notConnected": "not_connected",
    "busy": "not_connected",
    "cancelled": "not_connected",
    "failed": "error",
    "incall": "ongoing",
    "outcall": "ongoing",
    "callDispatched": "registered",
}
"""Unpod ``call_status`` -> Retell's ``call_status`` (any other: ``ended``)."""
_VAPI_STATUS = {"incall": "in-progress", "outcall": "in-progress", "callDispatched": "queued"}
"""Unpod ``call_status`` -> Vapi's ``status`` (any other: ``ended``)."""
_OUR_NUMBER = "+918065550100"
_AGENT_ROLES = frozenset({"assistant", "agent", "ai", "bot", "AI", "Agent"})
"""The agent's roles in the Unpod transcripts (the rest are the caller's)."""
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)
_MS_PER_WORD = {True: 1000 / 2.7, False: 1000 / 2.3}
"""Talk speed of the agent and the caller (2.7 and 2.3 words/s, as the Unpod generator times
them)."""
_N_DRAWS = 10
"""Uniform draws per call from :func:`own_rng` (see :class:`_Draws`)."""


def check_platform(platform: object) -> Platform:
    """``platform`` when it is one of :data:`~analytics.schema.PLATFORMS`.

    >>> check_platform("vapi")
    'vapi'
    >>> check_platform("Retell")
    Traceback (most recent call last):
    ...
    ValueError: platform='Retell' is not one of 'unpod', 'retell', 'vapi'; pass one of them
    """
    if platform == "unpod" or platform == "retell" or platform == "vapi":
        return platform
    choices = ", ".join(repr(p) for p in PLATFORMS)
    raise ValueError(f"platform={platform!r} is not one of {choices}; pass one of them")


def own_rng(random_state: int | np.integer | np.random.Generator | None) -> np.random.Generator:
    """The platform draws' own generator: a child of ``random_state``'s seed sequence that the
    Unpod run does not use (it spawns two), so the Unpod draws stay as they were.

    >>> float(own_rng(3).random()) == float(own_rng(3).random())
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state.spawn(1)[0]
    seed = None if random_state is None else int(random_state)
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])


# --- the Unpod run's calls, read back ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Analysis:
    """A call's post-call evaluation: the outcome label as written, its summary text, the
    success evaluation and the structured data."""

    label: Any
    summary: Any
    success: Any
    structured: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """One call of the Unpod run in platform-neutral terms; times in epoch milliseconds.

    ``end_ms`` is the start plus the duration where both are known (else the Unpod end);
    ``turns`` are (agent?, text) and ``times`` their (start, end) in epoch ms, or None when
    the transcript has no times (text only).
    """

    task_id: str
    call_id: str
    agent: str | None
    direction: str
    status: str | None
    end_reason: str | None  # canonical (analytics.schema.END_REASONS)
    created_ms: int | None
    modified_ms: int | None
    start_ms: int | None
    end_ms: int | None
    duration_ms: int | None
    cost: float | None
    recording_url: str | None
    customer: str | None
    number: str | None
    turns: list[tuple[bool, str]] | None
    times: list[tuple[int, int]] | None
    analysis: Analysis | None

    @property
    def origin_ms(self) -> int | None:
        """What turn offsets count from: the start, else the first turn."""
        return self.start_ms if self.start_ms is not None or not self.times else self.times[0][0]


def read_calls(run: Mapping[str, Any]) -> list[Call]:
    """The calls of an Unpod run (``make_run``'s dict), in its order; tasks without call data
    are skipped.

    >>> from analytics.datasets import make_run
    >>> calls = read_calls(make_run(20, random_state=1))
    >>> len(calls), sorted({c.direction for c in calls})
    (19, ['inbound', 'outbound'])
    """
    return [_read_call(task, task["output"]) for task in run["data"] if task.get("output")]


def _read_call(task: Mapping[str, Any], output: Mapping[str, Any]) -> Call:
    start, duration = _epoch_ms(output.get("start_time")), _duration_ms(output)
    end = start + duration if start is not None and duration is not None else None
    turns = _turns(output.get("transcript"))
    call_end = end if end is not None else _epoch_ms(output.get("end_time"))
    return Call(
        task_id=task["task_id"],
        call_id=str(output.get("call_id") or task["task_id"]),
        agent=task.get("assignee"),
        direction=_direction(task, output),
        status=output.get("call_status"),
        end_reason=canonical_end_reason(output.get("call_end_reason")),
        created_ms=_epoch_ms(task.get("created")),
        modified_ms=_epoch_ms(task.get("modified")),
        start_ms=start,
        end_ms=call_end,
        duration_ms=duration,
        cost=_number(output.get("cost")),
        recording_url=output.get("recording_url") or None,
        customer=output.get("customer") or (task.get("input") or {}).get("name"),
        number=output.get("contact_number") or (task.get("input") or {}).get("contact_number"),
        turns=None if turns is None else [(agent, text) for agent, text, _ in turns],
        times=_turn_times(turns, call_end),
        analysis=_analysis(output.get("post_call_data")),
    )


def _epoch_ms(value: Any) -> int | None:
    """Epoch milliseconds of an Unpod time: ISO text (naive is UTC), epoch ms, else None."""
    if type(value) is str and len(value) == 29 and value.endswith("+00:00"):  # a turn's time
        return _minute_ms(value[:16]) + int(value[17:19]) * 1000 + int(value[20:23])
    if type(value) is int:
        return value
    if type(value) is not str:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:  # the null literals ("NULL", "None", "")
        return None
    return (moment - (_EPOCH if moment.tzinfo is None else _EPOCH_UTC)) // _MS


@functools.cache
def _minute_ms(minute: str) -> int:
    """Epoch ms of ``YYYY-MM-DDTHH:MM`` (UTC), once per minute of the run."""
    return (dt.datetime.fromisoformat(minute) - _EPOCH) // _MS


def _number(value: Any) -> float | None:
    if type(value) is str:
        try:
            return float(value)
        except ValueError:
            return None
    return float(value) if type(value) in (int, float) else None


def _duration_ms(output: Mapping[str, Any]) -> int | None:
    """The Unpod duration in ms, else ``end - start``, else None."""
    seconds = _number(output.get("duration"))
    if seconds is not None:
        return round(seconds * 1000)
    start, end = _epoch_ms(output.get("start_time")), _epoch_ms(output.get("end_time"))
    return None if start is None or end is None else end - start


def _direction(task: Mapping[str, Any], output: Mapping[str, Any]) -> str:
    kind = (
        output.get("call_type") or output.get("type") or (task.get("input") or {}).get("call_type")
    )
    return "inbound" if isinstance(kind, str) and kind.startswith("inbound") else "outbound"


_Turn: TypeAlias = tuple[bool, str, int | None]


def _turns(transcript: Any) -> list[_Turn] | None:
    """(agent?, text, start in epoch ms or None) of each message of an Unpod transcript in
    any of its shapes (list, JSON text, ``"AI: ..."`` text, ``{"messages": ...}``)."""
    if isinstance(transcript, str):
        try:
            transcript = json.loads(transcript)
        except ValueError:
            return _text_turns(transcript)
    if isinstance(transcript, dict):
        transcript = transcript.get("messages")
    if not isinstance(transcript, list):
        return None
    return [
        (
            m.get("role") in _AGENT_ROLES,
            m["content"] if "content" in m else m.get("message", ""),
            _epoch_ms(m.get("timestamp") or m.get("time")),
        )
        for m in transcript
    ]


def _text_turns(text: str) -> list[_Turn]:
    lines = (line.partition(":") for line in text.splitlines() if line.strip())
    return [(who.strip() in _AGENT_ROLES, said.strip(), None) for who, _, said in lines]


def _turn_times(turns: list[_Turn] | None, call_end: int | None) -> list[tuple[int, int]] | None:
    """(start, end) in epoch ms of each turn: it talks at :data:`_MS_PER_WORD` until the next
    turn or the call's end; None unless every turn has a time."""
    if not turns or any(t is None for _, _, t in turns):
        return None
    starts = [t for _, _, t in turns if t is not None]
    stops = [*starts[1:], call_end if call_end is not None else math.inf]
    return [
        (t, max(t, int(min(t + _MS_PER_WORD[agent] * (text.count(" ") + 1), stop))))
        for (agent, text, _), t, stop in zip(turns, starts, stops)
    ]


def _analysis(post: Any) -> Analysis | None:
    """The evaluation of a call (None when not evaluated yet); the summary may be the usual
    object or the plain text variant (then the label is ``outcome`` beside it)."""
    if not isinstance(post, dict) or not post:
        return None
    summary, structured = post.get("summary"), post.get("structured_data")
    if isinstance(structured, str):
        structured = json.loads(structured)
    label, text = (
        (summary.get("status"), summary.get("summary"))
        if isinstance(summary, dict)
        else (post.get("outcome"), summary)
    )
    return Analysis(label, text, post.get("success_evaluator"), dict(structured or {}))


# --- what the Unpod run does not hold ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Draws:
    """One call's draws: uniforms ``u`` (sentiment, model share, voice share, transcriber
    ms, token base, tokens per request, four cost shares) and two interruption counts."""

    u: list[float]
    user_interrupted: int
    agent_interrupted: int


def _draws(rng: np.random.Generator, calls: list[Call]) -> list[_Draws]:
    user_turns = np.array([sum(not a for a, _ in c.turns or ()) for c in calls], dtype=float)
    u = rng.random((len(calls), _N_DRAWS)).tolist()
    user_talked_over = rng.poisson(0.2, len(calls)).tolist()
    agent_talked_over = rng.poisson(0.08 * user_turns).tolist()
    return [_Draws(*row) for row in zip(u, user_talked_over, agent_talked_over)]


def _sentiment(call: Call, u: float) -> str:
    outcome = canonical_outcome(call.analysis.label) if call.analysis else None
    weights = SENTIMENT_WEIGHTS.get(outcome, SENTIMENT_WEIGHTS[None])
    for label, weight in weights.items():
        u -= weight
        if u < 0:
            return label
    return label


def _gaps(call: Call) -> list[int]:
    """The agent's response gaps in ms: a caller turn's end to the next agent turn's start."""
    if not call.times or not call.turns:
        return []
    pairs = zip(call.turns, call.turns[1:], call.times, call.times[1:])
    return [t[0] - s[1] for (a, _), (b, _), s, t in pairs if b and not a]


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default), of sorted values."""
    at = (len(values) - 1) * q / 100
    low = math.floor(at)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (at - low)


def _agent_texts(call: Call) -> list[str]:
    return [text for agent, text in call.turns or () if agent]


def _prompt_tokens(call: Call, draws: _Draws) -> list[int]:
    """Prompt tokens of each model request (one per agent turn), growing with the call."""
    base, step = 600 + 600 * draws.u[4], 80 + 80 * draws.u[5]
    return [round(base + step * k) for k in range(len(_agent_texts(call)))]


def _cost_parts(total: float, shares: list[float], names: tuple[str, ...]) -> dict[str, float]:
    """``total`` split into parts (the last takes the rest), rounded to 6 decimals."""
    parts = {name: round(total * share, 6) for name, share in zip(names, shares)}
    return parts | {names[-1]: round(total - sum(parts.values()), 6)}


def _part_shares(draws: _Draws) -> list[float]:
    """Telephony, transcriber, model and voice shares of a cost (at most 0.85 together)."""
    low_high = ((0.08, 0.15), (0.08, 0.15), (0.15, 0.25), (0.2, 0.3))
    return [low + (high - low) * u for (low, high), u in zip(low_high, draws.u[6:10])]


def _agent_id(agent: str | None) -> uuid.UUID | None:
    """The agent's id on the platform: a UUID made from its name (the same in every run)."""
    return None if agent is None else uuid.uuid5(uuid.NAMESPACE_URL, f"agent:{agent}")


def _phone(number: str | None) -> str | None:
    return None if not number else f"+91{number}"


def _prompt(call: Call) -> str:
    name = ASSIGNEE_PROFILES[call.agent]["name"] if call.agent in ASSIGNEE_PROFILES else "Ava"
    return f"You are {name}, a voice agent of {SELLER}. Pitch the voice agents and book a demo."


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without its None values (the platforms leave absent fields out)."""
    return {k: v for k, v in obj.items() if v is not None}


# --- Retell -----------------------------------------------------------------------------------


def _retell(call: Call, draws: _Draws) -> dict[str, Any]:
    outbound, agent_id = call.direction == "outbound", _agent_id(call.agent)
    ours, theirs = _OUR_NUMBER, _phone(call.number)
    return _compact(
        {
            "call_id": call.call_id,
            "agent_id": None if agent_id is None else agent_id.hex,
            "agent_version": 1 + len(call.agent or "") % 3,
            "agent_name": call.agent,
            "call_type": "phone_call",
            "direction": call.direction,
            "from_number": ours if outbound else theirs,
            "to_number": theirs if outbound else ours,
            "call_status": _RETELL_STATUS.get(call.status or "", "ended"),
            "start_timestamp": call.start_ms,
            "end_timestamp": call.end_ms if call.start_ms is not None else None,
            "duration_ms": call.duration_ms,
            "disconnection_reason": _RETELL_REASONS.get(call.end_reason or ""),
            **_retell_transcript(call),
            "recording_url": call.recording_url,
            "call_analysis": _retell_analysis(call, draws),
            "latency": _retell_latency(call, draws),
            "call_cost": _retell_cost(call, draws),
            "llm_token_usage": _retell_tokens(call, draws),
        }
    )


def _retell_transcript(call: Call) -> dict[str, Any]:
    if call.turns is None:
        return {}
    speaker = {True: "Agent", False: "User"}
    text = "".join(f"{speaker[agent]}: {said}\n" for agent, said in call.turns)
    if call.times is None:
        return {"transcript": text}
    origin = call.origin_ms or 0
    items = [
        {"role": "agent" if agent else "user", "content": said, "words": _words(said, t, origin)}
        for (agent, said), t in zip(call.turns, call.times)
    ]
    return {"transcript": text, "transcript_object": items}


def _words(text: str, times: tuple[int, int], origin: int) -> list[dict[str, Any]]:
    """Each word with its start and end in seconds from the call's start (whole ms), the
    turn's talk time shared evenly between its words."""
    words = text.split()
    n, start, span = len(words) or 1, times[0] - origin, times[1] - times[0]
    bounds = [(start + span * k // n) / 1000 for k in range(n + 1)]
    return [{"word": w, "start": a, "end": b} for w, a, b in zip(words, bounds, bounds[1:])]


def _retell_analysis(call: Call, draws: _Draws) -> dict[str, Any] | None:
    if call.status == "voicemail":
        return {"in_voicemail": True, "user_sentiment": "Unknown"}
    if call.analysis is None:
        return None
    outcome = canonical_outcome(call.analysis.label)
    return _compact(
        {
            "call_summary": call.analysis.summary,
            "in_voicemail": False,
            "user_sentiment": _sentiment(call, draws.u[0]),
            "call_successful": outcome in SUCCESSFUL_OUTCOMES,
            "custom_analysis_data": {"outcome": call.analysis.label, **call.analysis.structured},
        }
    )


def _retell_latency(call: Call, draws: _Draws) -> dict[str, Any] | None:
    """Latency statistics in ms: ``e2e`` over the call's response gaps, ``llm`` and ``tts`` its
    model and voice shares (a share of each gap, so their percentiles are the shares of
    e2e's), ``asr`` around the call's transcriber time."""
    gaps = _gaps(call)
    if not gaps:
        return None
    model, voice, heard = _latency_shares(draws)
    e2e = _latency_stats(gaps)
    asr = _latency_stats([heard * (0.85 + 0.3 * (k * 0.618 % 1)) for k in range(len(gaps))])
    shares = {"e2e": (e2e, 1.0), "llm": (e2e, model), "tts": (e2e, voice), "asr": (asr, 1.0)}
    return {
        name: {k: round(v * share, 1) for k, v in stats.items()} | {"num": len(gaps)}
        for name, (stats, share) in shares.items()
    }


def _latency_shares(draws: _Draws) -> tuple[float, float, float]:
    """The model's and the voice's shares of a turn's latency, and the transcriber's ms."""
    return 0.35 + 0.2 * draws.u[1], 0.15 + 0.1 * draws.u[2], 120 + 130 * draws.u[3]


def _latency_stats(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    stats = {f"p{q}": _percentile(ordered, q) for q in (50, 90, 95, 99)}
    return stats | {"min": ordered[0], "max": ordered[-1]}


_RETELL_PRODUCTS = (
    "twilio_telephony",
    "deepgram_asr",
    "gpt_4o_mini",
    "elevenlabs_tts",
    "retell_platform",
)


def _retell_cost(call: Call, draws: _Draws) -> dict[str, Any] | None:
    if call.cost is None:
        return None
    cents = round(call.cost * 100, 6)
    seconds = math.ceil((call.duration_ms or 0) / 1000)
    parts = _cost_parts(cents, _part_shares(draws), _RETELL_PRODUCTS)
    return {
        "product_costs": [
            {"product": name, "unit_price": round(cost / max(seconds, 1), 6), "cost": cost}
            for name, cost in parts.items()
        ],
        "total_duration_seconds": seconds,
        "combined_cost": cents,
    }


def _retell_tokens(call: Call, draws: _Draws) -> dict[str, Any] | None:
    values = _prompt_tokens(call, draws)
    if not values:
        return None
    return {
        "values": values,
        "average": round(sum(values) / len(values), 2),
        "num_requests": len(values),
    }


# --- Vapi -------------------------------------------------------------------------------------


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return (_EPOCH + ms * _MS).isoformat(timespec="milliseconds") + "Z"


_VAPI_IDS = uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f")
"""The namespace of the synthetic Vapi call ids."""


def vapi_id(call_id: str) -> str:
    """The id a call of the Unpod run has on Vapi: a UUID, as Vapi's ids are, derived from the
    Unpod id (so a Retell and a Vapi run of one seed mix without sharing an id).

    >>> vapi_id("675272289784578890") == vapi_id("675272289784578890") != "675272289784578890"
    True
    """
    return str(uuid.uuid5(_VAPI_IDS, call_id))


def _vapi(call: Call, draws: _Draws) -> dict[str, Any]:
    customer = _compact({"number": _phone(call.number), "name": call.customer})
    agent_id = _agent_id(call.agent)
    return _compact(
        {
            "id": vapi_id(call.call_id),
            "type": f"{call.direction}PhoneCall",
            "status": _VAPI_STATUS.get(call.status or "", "ended"),
            "assistantId": None if agent_id is None else str(agent_id),
            "assistant": None if call.agent is None else {"name": call.agent},
            "customer": customer,
            "createdAt": _iso(call.created_ms),
            "updatedAt": _iso(call.modified_ms),
            "startedAt": _iso(call.start_ms),
            "endedAt": _iso(call.end_ms if call.start_ms is not None else None),
            "endedReason": _VAPI_REASONS.get(call.end_reason or ""),
            "cost": call.cost,
            "costBreakdown": _vapi_cost(call, draws),
            "artifact": _vapi_artifact(call, draws),
            "analysis": _vapi_analysis(call),
        }
    )


def _vapi_artifact(call: Call, draws: _Draws) -> dict[str, Any] | None:
    if call.turns is None:
        return None
    text = "".join(f"{'AI' if agent else 'User'}: {said}\n" for agent, said in call.turns)
    return _compact(
        {
            "messages": _vapi_messages(call),
            "transcript": text,
            "recordingUrl": call.recording_url,
            "performanceMetrics": _vapi_metrics(call, draws),
        }
    )


def _vapi_messages(call: Call) -> list[dict[str, Any]] | None:
    if call.times is None or call.turns is None:
        return None
    origin = call.origin_ms or 0
    system = {"role": "system", "message": _prompt(call), "time": origin, "secondsFromStart": 0}
    said = [
        {
            "role": "bot" if agent else "user",
            "message": text,
            "time": start,
            "endTime": end,
            "secondsFromStart": round((start - origin) / 1000, 3),
            "duration": end - start,
        }
        for (agent, text), (start, end) in zip(call.turns, call.times)
    ]
    return [system, *said]


def _vapi_metrics(call: Call, draws: _Draws) -> dict[str, Any] | None:
    gaps = _gaps(call)
    if not gaps:
        return None
    turns = [_turn_latency(gap, *_latency_shares(draws)) for gap in gaps]
    averages = {
        f"{name}Average": round(sum(t[name] for t in turns) / len(turns), 1) for name in turns[0]
    }
    interrupted = {
        "numUserInterrupted": draws.user_interrupted,
        "numAssistantInterrupted": draws.agent_interrupted,
    }
    return {"turnLatencies": turns, **averages, **interrupted}


def _turn_latency(gap: int, model: float, voice: float, heard: float) -> dict[str, int]:
    """One turn's latency (ms) in parts: the model's, the voice's, the transcriber's and the
    wait for the caller's end of speech (the rest)."""
    parts = {
        "modelLatency": round(gap * model),
        "voiceLatency": round(gap * voice),
        "transcriberLatency": round(min(heard, 0.15 * gap)),
    }
    return parts | {"endpointingLatency": gap - sum(parts.values()), "turnLatency": gap}


_VAPI_PARTS = ("transport", "stt", "llm", "tts", "vapi")


def _vapi_cost(call: Call, draws: _Draws) -> dict[str, Any] | None:
    if call.cost is None:
        return None
    parts = _cost_parts(call.cost, _part_shares(draws), _VAPI_PARTS)
    agent_texts = _agent_texts(call)
    usage = {
        "llmPromptTokens": sum(_prompt_tokens(call, draws)),
        "llmCompletionTokens": round(1.3 * sum(len(t.split()) for t in agent_texts)),
        "ttsCharacters": sum(len(t) for t in agent_texts),
    }
    return {**parts, "total": call.cost, **usage}


def _vapi_analysis(call: Call) -> dict[str, Any] | None:
    if call.analysis is None:
        return None
    return _compact(
        {
            "summary": call.analysis.summary,
            "structuredData": {"outcome": call.analysis.label, **call.analysis.structured},
            "successEvaluation": call.analysis.success,
        }
    )


# --- the platforms' other shapes --------------------------------------------------------------


def _retell_webhook(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda call: {key: "call_analyzed", "call": call}


def _list_item(call: dict[str, Any]) -> dict[str, Any]:
    dropped = ("transcript", "transcript_object", "transcript_with_tool_calls")
    return {k: v for k, v in call.items() if k not in dropped}


def _end_of_call_report(call: dict[str, Any]) -> dict[str, Any]:
    """The end-of-call webhook: ``artifact`` and ``analysis`` beside the call, and the call's
    end reason, cost, times and customer copied beside it too."""
    beside = {k: call[k] for k in ("artifact", "analysis") if k in call}
    copied = {k: call[k] for k in _REPORT_COPIES if k in call}
    inner = {k: v for k, v in call.items() if k not in beside}
    return {"message": {"type": "end-of-call-report", "call": inner, **beside, **copied}}


_REPORT_COPIES = ("endedReason", "cost", "startedAt", "endedAt", "customer")


def _legacy_top_level(call: dict[str, Any]) -> dict[str, Any]:
    """An older object: transcript, recording and messages at the top level (no artifact),
    the summary beside ``analysis`` rather than in it."""
    artifact, analysis = call.get("artifact", {}), dict(call.get("analysis", {}))
    old = {
        "transcript": artifact.get("transcript"),
        "recordingUrl": artifact.get("recordingUrl"),
        "messages": artifact.get("messages"),
        "summary": analysis.pop("summary", None),
    }
    kept = {k: v for k, v in call.items() if k not in ("artifact", "analysis")}
    return kept | _compact(old) | ({"analysis": analysis} if analysis else {})


def _numbers_as_text(call: dict[str, Any]) -> dict[str, Any]:
    breakdown = {k: str(v) for k, v in call.get("costBreakdown", {}).items()}
    return call | {"cost": str(call["cost"])} | ({"costBreakdown": breakdown} if breakdown else {})


_Variant: TypeAlias = tuple[
    Callable[[dict[str, Any]], bool], Callable[[dict[str, Any]], dict[str, Any]]
]
_VARIANTS: dict[str, _Variant] = {
    "webhook_event": (lambda c: "call_analysis" in c, _retell_webhook("event")),
    "webhook_event_type": (lambda c: "call_analysis" in c, _retell_webhook("event_type")),
    "list_item": (lambda c: "transcript" in c, _list_item),
    "end_of_call_report": (lambda c: c.get("status") == "ended", _end_of_call_report),
    "legacy_top_level": (lambda c: "artifact" in c, _legacy_top_level),
    "numbers_as_text": (lambda c: "cost" in c, _numbers_as_text),
}
"""Per variant of :data:`PLATFORM_VARIANTS`: which calls may take it, and how."""


def _with_variants(
    rng: np.random.Generator, platform: str, calls: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``calls`` with each variant of the platform given to its share of the eligible calls."""
    out, taken = list(calls), set[int]()
    for name, share in PLATFORM_VARIANTS[platform].items():
        eligible, mutate = _VARIANTS[name]
        free = [i for i, c in enumerate(calls) if i not in taken and eligible(c)]
        size = math.floor(share * len(free) + 0.5)
        chosen = rng.choice(free, size=size, replace=False).tolist() if size else []
        for i in chosen:
            out[i] = mutate(calls[i])
        taken.update(chosen)
    return out


# --- the whole run ----------------------------------------------------------------------------

_RENDER: dict[str, Callable[[Call, _Draws], dict[str, Any]]] = {"retell": _retell, "vapi": _vapi}


def to_platform(
    run: Mapping[str, Any],
    platform: str,
    *,
    random_state: int | np.integer | np.random.Generator | None,
    messy: bool,
) -> list[dict[str, Any]]:
    """The calls of an Unpod run (``make_run``'s dict) as ``platform``'s call objects.

    ``random_state`` is the one the run was made with (:func:`own_rng` draws what the run
    does not hold); ``messy`` gives the share of :data:`PLATFORM_VARIANTS` their shapes.
    """
    render = _RENDER[check_platform(platform)] if platform != "unpod" else None
    if render is None:
        raise ValueError("platform='unpod' is the run itself: make_run returns it as it is")
    rng = own_rng(random_state)
    with gc_paused():  # millions of small acyclic dicts: the cyclic collector finds nothing
        calls = read_calls(run)
        made = [render(call, draws) for call, draws in zip(calls, _draws(rng, calls))]
    return _with_variants(rng, platform, made) if messy else made
