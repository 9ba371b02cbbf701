"""The calls of the synthetic runs: random draws, time formats, conversations, post-call data.

Helpers of :mod:`analytics.datasets` (which assembles runs, tasks and call outputs from them)
and :mod:`analytics.datasets._messy`: :class:`Rand` hands out the scalar draws, the
``_fmt_*`` functions write times the way the platform does, :func:`conversation` and
:func:`timeline` script and time a call from the agent's profile
(:data:`~analytics.datasets._text.ASSIGNEE_PROFILES`), and :func:`post_call` writes the
evaluation the platform adds after a call. Everything draws from one :class:`Rand`, in a
fixed order: one seed, one run.

Examples
--------
>>> us = epoch_us(dt.datetime(2026, 1, 31, 11, 47, 38, 67021))
>>> fmt_call(us), fmt_turn(us), fmt_task(us)
('2026-01-31 11:47:38.067021', '2026-01-31T11:47:38.067+00:00', '2026-01-31T11:47:38')
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from analytics.datasets._text import (
    ABANDON,
    ACKS,
    AGENT_QUESTIONS,
    ANSWERS,
    ASSIGNEE_PROFILES,
    BACKCHANNELS,
    BYES,
    CLOSINGS,
    INBOUND_OPENERS,
    INBOUND_REASONS,
    OPENERS,
    OUTCOME_LENGTH,
    PHRASE_RATES,
    PHRASES,
    PITCH,
    PROFILE_SUMMARIES,
    SCORES,
    SELLER,
    SILENT,
    SUMMARIES,
    USER_KEEN,
    USER_NEUTRAL,
    USER_QUESTIONS,
    USER_SHORT,
    Profile,
)

_REPLY, _QUICK, _WAIT = 0, 1, 2  # how long the pause before a turn is
US = 1_000_000
_EPOCH = dt.datetime(1970, 1, 1)
_T = TypeVar("_T")


# --- random draws -----------------------------------------------------------------------------


class Rand:
    """Scalar draws handed out from numpy blocks, so per-turn loops stay cheap."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.u = _stream(rng.random).__next__
        self.z = _stream(rng.standard_normal).__next__

    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[int(self.u() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.u()

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.z())

    def poisson(self, lam: float) -> int:
        """Knuth's method: fine for the small means used here."""
        limit, k, p = math.exp(-lam), 0, self.u()
        while p > limit:
            k, p = k + 1, p * self.u()
        return k

    def weighted(self, weights: dict[str, float]) -> str:
        x = self.u() * sum(weights.values())
        for key, w in weights.items():
            x -= w
            if x < 0:
                return key
        return key


def _stream(draw: Callable[[int], np.ndarray]) -> Iterator[float]:
    while True:
        yield from draw(4096).tolist()


# --- time formats -----------------------------------------------------------------------------


def as_datetime(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def epoch_us(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


@functools.cache
def _minute(minute: int, sep: str) -> str:
    return (_EPOCH + dt.timedelta(minutes=minute)).isoformat(sep=sep, timespec="minutes")


def fmt_call(us: int) -> str:
    """``2026-01-31 11:47:38.067021`` (``str(datetime)`` of the native handlers)."""
    minute, rest = divmod(us, 60 * US)
    return f"{_minute(minute, ' ')}:{rest // US:02d}.{rest % US:06d}"


def fmt_turn(us: int) -> str:
    """``2026-01-31T11:47:40.112+00:00`` (pipecat's transcript processor)."""
    minute, rest = divmod(us, 60 * US)
    return f"{_minute(minute, 'T')}:{rest // US:02d}.{rest // 1000 % 1000:03d}+00:00"


def fmt_task(us: int) -> str:
    """``2026-01-31T11:47:20`` (the tasks service's DATETIME_FORMAT)."""
    return as_datetime(us).isoformat(timespec="seconds")


def call_cost(duration_s: int) -> float:
    """What a call of ``duration_s`` seconds costs: a per-minute rate, a connection fee, tax."""
    return round((0.0011 * duration_s + 0.003) * 1.05, 4)


# --- one call ---------------------------------------------------------------------------------


@dataclass
class Call:
    """What the generator knows about one task's call, for the messy variants."""

    status: str
    agent: str
    full: bool = False
    outcome: str | None = None
    start_us: int = 0
    end_us: int = 0
    turns: list[tuple[bool, str, int]] = field(default_factory=list)

    @property
    def connected_outcome(self) -> str:
        """``outcome`` of a full call; a call that never connected (``full`` false) has none."""
        if self.outcome is None:
            raise ValueError(f"the {self.status!r} call of {self.agent} has no outcome")
        return self.outcome


# --- conversations ----------------------------------------------------------------------------


def conversation(
    r: Rand, profile: Profile, outcome: str, inbound: bool, first: str
) -> list[tuple[bool, str, int]]:
    """The call as (agent?, text, pause kind) turns, before timing."""
    names = {"first": first, "agent": profile["name"], "seller": SELLER}
    if outcome == "Not Connected":
        opener = r.pick(OPENERS).format(**names)
        return [(True, opener, _REPLY)] + [(True, s, _WAIT) for s in SILENT[-1 - r.poisson(1.0) :]]
    turns = (
        [] if inbound or not r.chance(0.35) else [(False, "Hello?", _REPLY)] * (1 + r.chance(0.3))
    )
    turns.append((True, r.pick(INBOUND_OPENERS if inbound else OPENERS).format(**names), _REPLY))
    n_ex = _exchanges(r, profile, outcome)
    said = _signals(r, outcome, n_ex)
    pitch, chatty = _rotated(r, PITCH), r.between(0.0, 1.0)
    for j in range(n_ex):
        text = _user_text(r, outcome, said.get(j, []), first, chatty)
        if j == 0 and inbound:
            text = f"{r.pick(INBOUND_REASONS)} {text}"
        turns.append((False, text, _REPLY))
        if j == n_ex - 1 and outcome == "Abandoned":
            return turns
        turns += _agent_reply(r, profile, said.get(j, []), pitch)
    if outcome in CLOSINGS:
        turns.append((True, r.pick(CLOSINGS[outcome]).format(**names), _REPLY))
        turns += [(False, r.pick(BYES), _REPLY)] if r.chance(0.5) else []
    return turns


def _exchanges(r: Rand, profile: Profile, outcome: str) -> int:
    if outcome == "Abandoned":
        return 1 + r.chance(0.4)
    if outcome == "Dropped":
        return 1 + r.poisson(2.0)
    return 1 + r.poisson(profile["exchanges"] * OUTCOME_LENGTH[outcome] - 1)


def _signals(r: Rand, outcome: str, n_ex: int) -> dict[int, list[str]]:
    """Which phrase kinds the caller says, keyed by exchange: decisions at the end."""
    said: dict[int, list[str]] = {}
    for kind, rates in PHRASE_RATES.items():
        if r.chance(rates.get(outcome, rates["*"])):
            decisive = kind in ("callback", "not_interested", "send_details")
            at = n_ex - 1 if decisive and rates.get(outcome) else int(r.u() * n_ex)
            said.setdefault(at, []).append(kind)
    return said


def _user_text(r: Rand, outcome: str, kinds: list[str], first: str, chatty: float) -> str:
    """One caller turn; ``chatty`` is the caller's own chance of an extra sentence."""
    keen = outcome == "Interested"
    if keen:
        parts = [r.pick(USER_KEEN if r.chance(0.4) else USER_NEUTRAL)]
        parts += [r.pick(USER_KEEN)] if r.chance(0.1) else []
    else:
        parts = [r.pick(USER_SHORT if r.chance(0.4) else USER_NEUTRAL)]
    parts += [r.pick(USER_NEUTRAL)] if r.chance(chatty) else []
    parts += [r.pick(USER_QUESTIONS)] if r.chance(0.3 if keen else 0.2) else []
    parts += [r.pick(PHRASES[k]) for k in kinds]
    parts += [r.pick(ABANDON)] if outcome == "Abandoned" and not kinds else []
    return " ".join(parts).replace("{first}", first)


def _rotated(r: Rand, seq: tuple[str, ...]) -> Iterator[str]:
    k = int(r.u() * len(seq))
    return itertools.cycle(seq[k:] + seq[:k])


def _agent_reply(
    r: Rand, profile: Profile, kinds: list[str], pitch: Iterator[str]
) -> list[tuple[bool, str, int]]:
    answers = [r.pick(ANSWERS[k]) for k in kinds if k in ANSWERS]
    parts = answers or ([r.pick(ACKS)] if r.chance(0.2) else [])
    parts += [next(pitch) for _ in range(r.poisson(profile["agent_sentences"] - 1) + 1)]
    if r.chance(profile["monologue_rate"]):
        return _monologue(r, parts + [next(pitch) for _ in range(1 + r.poisson(1.5))], profile)
    if r.chance(profile["question_rate"]):
        parts[-1] = r.pick(AGENT_QUESTIONS)
    return [(True, " ".join(parts), _REPLY)]


def _monologue(r: Rand, parts: list[str], profile: Profile) -> list[tuple[bool, str, int]]:
    """Long agent talk in chunks of 2-3 sentences, the caller backchannelling in between."""
    turns, kind = [], _REPLY
    while parts:
        size = 2 + r.chance(0.5)
        turns.append((True, " ".join(parts[:size]), kind))
        parts, kind = parts[size:], _QUICK
        if parts:
            turns.append((False, r.pick(BACKCHANNELS), _QUICK))
    return turns + (
        [(True, r.pick(AGENT_QUESTIONS), _QUICK)] if r.chance(profile["question_rate"]) else []
    )


def timeline(
    r: Rand, script: list[tuple[bool, str, int]], profile: Profile, start_us: int
) -> tuple[list[tuple[bool, str, int]], int]:
    """Time the turns: talk at ~2.5 words/s, then a pause that depends on who speaks next."""
    t, turns, prev = start_us + r.between(0.6, 2.5) * US, [], None
    for agent, text, kind in script:
        if prev is not None:
            t += (len(prev[1].split()) / (2.7 if prev[0] else 2.3) + 0.2) * US
            t += _pause(r, profile, prev[0], agent, kind) * US
        turns.append((agent, text, int(t)))
        prev = (agent, text)
    tail = len(prev[1].split()) / 2.5 + r.between(0.8, 3.0) if prev else r.between(5, 20)
    return turns, int(t + tail * US)


def _pause(r: Rand, profile: Profile, prev_agent: bool, agent: bool, kind: int) -> float:
    if kind == _QUICK:
        return r.between(0.15, 0.6)
    if kind == _WAIT:
        return r.between(3.0, 6.0)
    if agent and not prev_agent:
        return r.lognormal(profile["latency_median_s"], profile["latency_sigma"])
    return r.lognormal(0.6, 0.5) if agent != prev_agent else r.between(0.4, 1.5)


# --- post-call analysis -----------------------------------------------------------------------


def post_call(r: Rand, call: Call, lead: dict[str, Any], call_id: str) -> dict[str, Any]:
    outcome, name = call.connected_outcome, lead["name"]
    profile = ASSIGNEE_PROFILES[call.agent]
    user_said = [text for agent, text, _ in call.turns if not agent]
    asked = [s for s in user_said if s.endswith("?")][:2]
    low, high = SCORES[outcome]
    score = min(10, int(r.between(low, high + 1)) + (profile["name"] == "Cleo"))
    callback = _callback(r, call) if outcome == "Call Back" else ("N/A", "N/A")
    summary = SUMMARIES[outcome].format(name=name, agent=profile["name"])
    tone, engagement, interest, result, action, short = PROFILE_SUMMARIES[outcome]
    return {
        "classification": {"labels": _labels(outcome, user_said), "summary": short},
        "summary": {
            "status": outcome,
            "summary": summary,
            "name": name,
            "contact": lead["contact_number"],
            "callback_datetime": callback[0],
            "hours_from_now": callback[1],
        },
        "success_evaluator": str(score),
        "follow_up": _follow_up(outcome, callback[0]),
        "profile_summary": {
            "tone": tone,
            "engagement": engagement,
            "interest_level": interest,
            "objections": ["Already has a vendor"] if outcome == "Not Interested" else [],
            "questions_asked": asked,
            "pain_points": [],
            "outcome": result,
            "next_action": action,
            "callback_requested": outcome == "Call Back",
            "callback_time": None if callback[0] == "N/A" else callback[0],
            "summary_text": short,
        },
        "structured_data": {
            "interested": outcome == "Interested",
            "asked_price": any("pric" in s or "cost" in s for s in user_said),
            "preferred_time": None if callback[0] == "N/A" else callback[0],
        },
    }


def _callback(r: Rand, call: Call) -> tuple[str, str]:
    hours = int(r.between(2, 48))
    at = as_datetime(call.end_us + hours * 3600 * US)
    return at.strftime("%Y-%m-%d %H:00"), str(hours)


def _labels(outcome: str, user_said: list[str]) -> list[str]:
    text = " ".join(user_said).lower()
    tags = [outcome]
    tags += ["Pricing"] if "price" in text or "pricing" in text or "cost" in text else []
    tags += ["Human Request"] if "real person" in text or "human" in text else []
    return tags


def _follow_up(outcome: str, callback_at: str) -> dict[str, Any]:
    reasons = {
        "Interested": "Send the demo invite",
        "Send Details": "Email the brochure",
        "Call Back": "Customer asked for a call back",
    }
    if outcome not in reasons:
        return {"required": False, "time": None, "reason": "No follow-up needed", "status": None}
    at = None if callback_at == "N/A" else callback_at
    return {"required": True, "time": at, "reason": reasons[outcome], "status": "pending"}
