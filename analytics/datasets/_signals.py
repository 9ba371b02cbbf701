"""The campaign signals of the synthetic runs: end reasons, follow-up times, calls worth a listen.

Helpers of :mod:`analytics.datasets`, applied after the calls are made. Every draw here comes
from a generator of its own (spawned from the run's, see :func:`analytics.datasets.make_run`),
so adding the signals changed no other draw: a seed's run is the run it was, plus these.

- :func:`add_end_reasons` gives every ended call an end reason in one of several platforms'
  spellings, consistent with its status and its conversation (a busy line ends ``dial_busy``,
  a caller who asked for a person is often transferred, the longest calls reach the maximum
  length);
- :func:`add_signals` rewrites a small share of the calls that no messy variant touched: the
  follow-up time of some Call Back leads is given with an offset (``follow_up.time``) or only
  as free text (``structured_data.preferred_time``), one agent (:data:`LOOP_AGENT`) sometimes
  repeats a sentence, one (:data:`SLOW_AGENT`) sometimes answers after 4-8 s, callers opt out
  or complain, the platform labels some interested callers "Not Interested", and some callers
  hang up within 5 s of answering. :data:`SIGNAL_SHARES` says how many.

Examples
--------
>>> sorted(SIGNAL_SHARES)
['agent_loop', 'callback_free_text', 'callback_offset', 'mislabelled', 'opt_out', \
'short_call', 'slow_response']
>>> UNANSWERED_END_REASONS["busy"]
('dial_busy',)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from analytics.datasets._calls import (
    US,
    Call,
    Rand,
    call_cost,
    fmt_call,
    fmt_task,
    fmt_turn,
)
from analytics.datasets._text import ASSIGNEE_PROFILES, SELLER, SUMMARIES

__all__ = [
    "LOOP_AGENT",
    "SIGNAL_SHARES",
    "SLOW_AGENT",
    "UNANSWERED_END_REASONS",
    "add_end_reasons",
    "add_signals",
]

LOOP_AGENT = "space-agent-aria"
"""The agent that sometimes says one sentence three times in a call."""
SLOW_AGENT = "space-agent-dex"
"""The agent that sometimes pauses 4-8 s after every caller turn (it is the slowest anyway)."""

# fmt: off
UNANSWERED_END_REASONS: dict[str, tuple[str, ...]] = {
    "notConnected": ("dial_no_answer", "dial_no_answer", "customer_did_not_answer"),
    "busy": ("dial_busy",),
    "failed": ("dial_failed", "dial_failed", "twilio-failed-to-connect-call"),
    "voicemail": ("voicemail_reached", "machine_detected"),
    "cancelled": ("call_cancelled",),
}
"""End reasons of the calls nobody answered, by ``call_status`` (drawn uniformly)."""
_RESPELLED: dict[str, tuple[str, ...]] = {
    "user_hangup": ("user_hangup", "user_hangup", "customer-ended-call"),
    "agent_hangup": ("agent_hangup", "agent_hangup", "assistant-ended-call"),
    "silence_timeout": ("silence_timeout", "silence_timed_out"),
    "connection_lost": ("connection_lost", "error_llm_websocket"),
}
"""The spellings of a connected call's end reason (the run's draw picks the reason)."""
# fmt: on
MAX_DURATION_S = 200
"""A connected call this long or longer ends ``max_duration_reached``."""
TRANSFER_CHANCE = 0.7
"""Chance that a call whose caller asked for a person ends ``call_transfer``."""

SIGNAL_SHARES: dict[str, float] = {
    "callback_offset": 0.2,
    "callback_free_text": 0.2,
    "agent_loop": 0.12,
    "slow_response": 0.15,
    "opt_out": 0.08,
    "mislabelled": 0.06,
    "short_call": 0.2,
}
"""Share of each signal's eligible calls (rounded half up; no call gets two): Call Back leads
(``callback_*``), the calls of :data:`LOOP_AGENT` with four agent turns or more and of
:data:`SLOW_AGENT` with two caller turns or more, Not Interested and Abandoned calls
(``opt_out``), Interested calls (``mislabelled``) and Abandoned ones (``short_call``)."""

LOOP_LINES = ("Sorry, could you repeat that?", "Let me check that for you.")
OPT_OUTS = (
    "Please remove my number from your list.",
    "Stop calling me, I have told you before.",
    "I want to file a complaint about these calls.",
)
FREE_TIMES = ("11 AM", "after 5 pm", "tomorrow morning")
_IST = dt.timedelta(hours=5, minutes=30)
_PRICE_ASK, _DEMO_ASK = "How much does it cost?", "Yes, please book the demo."
_HUMAN_WORDS = ("real person", "human")


# --- end reasons ------------------------------------------------------------------------------


def add_end_reasons(r: Rand, tasks: list[dict[str, Any]], calls: list[Call]) -> None:
    """Give every ended call an end reason (see the module docstring), in place."""
    for task, call in zip(tasks, calls):
        output = task["output"]
        status = output.get("call_status")
        if call.full:
            output["call_end_reason"] = _connected_reason(r, output)
        elif status in UNANSWERED_END_REASONS:
            output["call_end_reason"] = r.pick(UNANSWERED_END_REASONS[status])


def _connected_reason(r: Rand, output: dict[str, Any]) -> str:
    spelled = r.pick(_RESPELLED[output["call_end_reason"]])
    asked = any(
        w in turn["content"]
        for turn in output["transcript"]
        for w in _HUMAN_WORDS
        if turn["user_id"]
    )
    if asked and r.chance(TRANSFER_CHANCE):
        return "call_transfer"
    return "max_duration_reached" if output["duration"] >= MAX_DURATION_S else spelled


# --- signals ----------------------------------------------------------------------------------


def add_signals(r: Rand, tasks: list[dict[str, Any]], calls: list[Call], touched: set[int]) -> None:
    """Give each signal of :data:`SIGNAL_SHARES` its share of the eligible calls that no
    messy variant ``touched``, in place."""
    clean = [
        i for i, c in enumerate(calls) if c.full and c.status == "completed" and i not in touched
    ]
    taken: set[int] = set()
    for name, share in SIGNAL_SHARES.items():
        free = [i for i in clean if i not in taken and _ELIGIBLE[name](calls[i])]
        size = math.floor(share * len(free) + 0.5)
        chosen = sorted(r.rng.choice(free, size=size, replace=False).tolist()) if size else []
        for i in chosen:
            _SIGNALS[name](r, tasks[i], calls[i])
        taken.update(chosen)


def _agent_turns(call: Call) -> int:
    return sum(agent for agent, _, _ in call.turns)


def _user_turns(call: Call) -> int:
    return sum(not agent for agent, _, _ in call.turns)


_ELIGIBLE: dict[str, Callable[[Call], bool]] = {
    "callback_offset": lambda c: c.outcome == "Call Back",
    "callback_free_text": lambda c: c.outcome == "Call Back",
    "agent_loop": lambda c: c.agent == LOOP_AGENT and _agent_turns(c) >= 4,
    "slow_response": lambda c: c.agent == SLOW_AGENT and _user_turns(c) >= 2,
    "opt_out": lambda c: c.outcome in ("Not Interested", "Abandoned") and _user_turns(c) >= 1,
    "mislabelled": lambda c: c.outcome == "Interested" and _user_turns(c) >= 1,
    "short_call": lambda c: c.outcome == "Abandoned",
}


def _callback_offset(r: Rand, task: dict[str, Any], call: Call) -> None:
    """The time only in ``follow_up.time``, as Indian local time with its offset."""
    data = task["output"]["post_call_data"]
    at = dt.datetime.strptime(data["summary"]["callback_datetime"], "%Y-%m-%d %H:%M")
    local = (at + _IST).isoformat(timespec="seconds") + "+05:30"
    _only_follow_up_time(data, local)


def _callback_free_text(r: Rand, task: dict[str, Any], call: Call) -> None:
    """No time at all, only the caller's words in ``structured_data.preferred_time``."""
    data = task["output"]["post_call_data"]
    _only_follow_up_time(data, None)
    data["structured_data"]["preferred_time"] = r.pick(FREE_TIMES)


def _only_follow_up_time(data: dict[str, Any], time: str | None) -> None:
    data["summary"] |= {"callback_datetime": "N/A", "hours_from_now": "N/A"}
    data["follow_up"]["time"] = time
    data["profile_summary"]["callback_time"] = None
    data["structured_data"]["preferred_time"] = None


def _agent_loop(r: Rand, task: dict[str, Any], call: Call) -> None:
    """The agent's last three turns are one sentence, said again and again."""
    line = r.pick(LOOP_LINES)
    last = [j for j, (agent, _, _) in enumerate(call.turns) if agent][-3:]
    _set_texts(task, call, dict.fromkeys(last, line))


def _slow_response(r: Rand, task: dict[str, Any], call: Call) -> None:
    """The agent answers every caller turn after a pause of 4-8 s."""
    turns, shift, prev = [], 0.0, None
    for agent, text, us in call.turns:
        if prev is not None and agent and not prev[0]:
            talk = (len(prev[1].split()) / 2.3 + 0.2) * US
            shift = max(shift, prev[2] + talk + r.between(4.0, 8.0) * US - us)
        turns.append((agent, text, int(us + shift)))
        prev = (agent, text, int(us + shift))
    _retime(task, call, turns, call.end_us + int(shift))


def _opt_out(r: Rand, task: dict[str, Any], call: Call) -> None:
    """The caller's last turn ends with an opt-out or a complaint."""
    last = [j for j, (agent, _, _) in enumerate(call.turns) if not agent][-1]
    _set_texts(task, call, {last: f"{call.turns[last][1]} {r.pick(OPT_OUTS)}"})


def _mislabelled(r: Rand, task: dict[str, Any], call: Call) -> None:
    """An interested caller (who asked the price and booked a demo), labelled Not Interested."""
    users = [j for j, (agent, _, _) in enumerate(call.turns) if not agent]
    first, last = users[0], users[-1]
    texts = {first: f"{call.turns[first][1]} {_PRICE_ASK}"}
    texts[last] = f"{texts.get(last, call.turns[last][1])} {_DEMO_ASK}"
    _set_texts(task, call, texts)
    data = task["output"]["post_call_data"]
    name, agent = data["summary"]["name"], ASSIGNEE_PROFILES[call.agent]["name"]
    data["summary"] |= {
        "status": "Not Interested",
        "summary": SUMMARIES["Not Interested"].format(name=name, agent=agent),
    }
    labels = data["classification"]["labels"]
    data["classification"]["labels"] = ["Not Interested", *labels[1:]]
    data["structured_data"]["interested"] = False
    data["follow_up"] = {
        "required": False,
        "time": None,
        "reason": "No follow-up needed",
        "status": None,
    }


def _short_call(r: Rand, task: dict[str, Any], call: Call) -> None:
    """The caller answers, hears the greeting and hangs up: under 5 s in all."""
    first = task["input"]["name"].split()[0]
    agent = ASSIGNEE_PROFILES[call.agent]["name"]
    start = call.start_us
    turns = [
        (False, "Hello?", start + int(r.between(0.4, 0.8) * US)),
        (
            True,
            f"Hi {first}, this is {agent} from {SELLER}.",
            start + int(r.between(1.2, 1.6) * US),
        ),
        (False, "Not now, sorry.", start + int(r.between(3.0, 3.4) * US)),
    ]
    _retime(task, call, turns, start + int(r.between(4.0, 4.9) * US))
    data = task["output"]["post_call_data"]
    data["profile_summary"]["questions_asked"] = []
    data["structured_data"]["asked_price"] = False
    task["output"]["call_end_reason"] = "user_hangup"


def _set_texts(task: dict[str, Any], call: Call, texts: dict[int, str]) -> None:
    """Replace the text of turns ``j`` (in the transcript and the call) by ``texts[j]``."""
    transcript = task["output"]["transcript"]
    for j, text in texts.items():
        transcript[j]["content"] = text
        agent, _, us = call.turns[j]
        call.turns[j] = (agent, text, us)


def _retime(
    task: dict[str, Any], call: Call, turns: list[tuple[bool, str, int]], end_us: int
) -> None:
    """Give the call new turns and a new end: the transcript, the end time, the duration and
    what depends on it follow."""
    output = task["output"]
    call.turns, call.end_us = turns, end_us
    user_id = "PA_" + task["task_id"][1:13]
    output["transcript"] = [
        {
            "role": "assistant" if agent else "user",
            "content": text,
            "user_id": None if agent else user_id,
            "timestamp": fmt_turn(us),
        }
        for agent, text, us in turns
    ]
    duration = (end_us - call.start_us) // US
    output |= {"end_time": fmt_call(end_us), "duration": duration, "cost": call_cost(duration)}
    output["metadata"]["cost"] = output["cost"]
    output["metadata"]["usage"]["stt_seconds"] = duration
    task["modified"] = max(task["modified"], fmt_task(end_us + 30 * US))


_SIGNALS: dict[str, Callable[[Rand, dict[str, Any], Call], None]] = {
    "callback_offset": _callback_offset,
    "callback_free_text": _callback_free_text,
    "agent_loop": _agent_loop,
    "slow_response": _slow_response,
    "opt_out": _opt_out,
    "mislabelled": _mislabelled,
    "short_call": _short_call,
}
