"""Synthetic Unpod runs that look and behave like real ones, and the bundled sample run.

:func:`make_run` returns a run-tasks response (``{"count", "status_code", "message", "data"}``)
whose tasks have the platform's exact shapes (``reference/unpod-api.md``, example (a)). The
data has structure on purpose, so analyses have something to find:

- four agents (:data:`ASSIGNEE_PROFILES`) differ in call length, talk share (``bolt`` talks in
  long monologues), response latency (``dex`` is slow) and outcomes (``cleo`` converts best);
- what callers say depends on the outcome (:data:`PHRASE_RATES`): interested callers ask about
  price, ask more questions and talk more; each phrase also shows up, rarely, in other outcomes;
- every task status and call status occurs; with ``messy=True`` every legitimate variant shape
  of :data:`MESSY_VARIANTS` occurs too, on a small share of the tasks.

Everything is drawn from ``numpy.random.default_rng(random_state)``: one seed, one run.

Examples
--------
>>> run = make_run(40, random_state=3)
>>> run["count"], run["status_code"], len(run["data"])
(40, 200, 40)
>>> sorted({t["assignee"] for t in run["data"]}) == sorted(ASSIGNEE_PROFILES)
True
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from analytics.load import Run

__all__ = [
    "ASSIGNEE_PROFILES",
    "MESSY_VARIANTS",
    "PHRASE_RATES",
    "SAMPLE_SEED",
    "SAMPLE_SIZE",
    "SCENARIOS",
    "load_sample",
    "make_run",
    "write_sample",
]

SAMPLE_SIZE = 400
SAMPLE_SEED = 7
""":func:`write_sample` writes ``make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)``."""

SELLER = "Acme Cloud"
FIRST_CALL_DAY = dt.datetime(2026, 1, 29)
"""Calls fall on three days from here (naive = UTC), mostly in business hours."""
CALL_DAYS, BUSINESS_HOURS, BUSINESS_SHARE, INBOUND_SHARE = 3, (9, 18), 0.88, 0.2

# fmt: off
ASSIGNEE_PROFILES: dict[str, dict[str, Any]] = {
    "space-agent-aria": {
        "name": "Aria", "share": 0.30, "exchanges": 7.0, "agent_sentences": 1.15,
        "question_rate": 0.55, "monologue_rate": 0.06, "latency_median_s": 0.9,
        "latency_sigma": 0.35,
        "outcomes": {"Interested": 0.24, "Call Back": 0.18, "Send Details": 0.12,
                     "Not Interested": 0.30, "Not Connected": 0.08, "Abandoned": 0.08},
    },
    "space-agent-bolt": {
        "name": "Bolt", "share": 0.25, "exchanges": 7.0, "agent_sentences": 2.2,
        "question_rate": 0.3, "monologue_rate": 0.4, "latency_median_s": 1.1,
        "latency_sigma": 0.4,
        "outcomes": {"Interested": 0.17, "Call Back": 0.20, "Send Details": 0.13,
                     "Not Interested": 0.34, "Not Connected": 0.07, "Abandoned": 0.09},
    },
    "space-agent-cleo": {
        "name": "Cleo", "share": 0.25, "exchanges": 8.0, "agent_sentences": 1.1,
        "question_rate": 0.75, "monologue_rate": 0.03, "latency_median_s": 0.7,
        "latency_sigma": 0.3,
        "outcomes": {"Interested": 0.40, "Call Back": 0.16, "Send Details": 0.13,
                     "Not Interested": 0.18, "Not Connected": 0.07, "Abandoned": 0.06},
    },
    "space-agent-dex": {
        "name": "Dex", "share": 0.20, "exchanges": 5.5, "agent_sentences": 1.15,
        "question_rate": 0.5, "monologue_rate": 0.05, "latency_median_s": 3.0,
        "latency_sigma": 0.5,
        "outcomes": {"Interested": 0.11, "Call Back": 0.17, "Send Details": 0.10,
                     "Not Interested": 0.38, "Not Connected": 0.09, "Abandoned": 0.15},
    },
}
# fmt: on
"""What each agent does differently: ``share`` of the tasks; ``exchanges`` mean user/agent
exchanges per call (scaled by :data:`OUTCOME_LENGTH`); ``agent_sentences`` mean sentences per
agent turn; ``question_rate`` chance an agent turn ends in a question; ``monologue_rate`` chance
a turn grows into a monologue with user backchannels; ``latency_*`` lognormal user->agent gap;
``outcomes`` the outcome probabilities of a connected call (``Dropped`` comes from
:data:`SCENARIOS`)."""

OUTCOME_LENGTH = {"Interested": 1.1, "Send Details": 1.0, "Call Back": 0.8, "Not Interested": 0.75}

# fmt: off
PHRASE_RATES: dict[str, dict[str, float]] = {
    "price": {"Interested": 0.65, "Send Details": 0.2, "*": 0.09},
    "callback": {"Call Back": 0.92, "*": 0.04},
    "not_interested": {"Not Interested": 0.9, "*": 0.03},
    "send_details": {"Send Details": 0.9, "*": 0.04},
    "human": {"Not Interested": 0.12, "*": 0.05},
    "wrong_number": {"Not Interested": 0.08, "*": 0.01},
}
"""Chance that the caller says a phrase of each kind in a call with a given outcome
(``"*"``: any other outcome with a conversation)."""

SCENARIOS: tuple[tuple[str, str | None, float], ...] = (
    ("completed", "completed", 0.58), ("completed", "connected", 0.03),
    ("completed", "droped", 0.02), ("partially_completed", "completed", 0.015),
    ("failed", "notConnected", 0.14), ("failed", "busy", 0.045), ("failed", "voicemail", 0.04),
    ("failed", "failed", 0.02), ("failed", "cancelled", 0.01),
    ("in_progress", "callDispatched", 0.01), ("in_progress", "incall", 0.01),
    ("in_progress", "outcall", 0.01), ("processing", None, 0.01), ("hold", None, 0.01),
    ("pending", None, 0.03), ("scheduled", None, 0.02),
)
"""(task status, call status, share of tasks). Shares become counts by largest remainder, so
a 400-task run has every row at least once."""

# --- phrase banks -----------------------------------------------------------------------------

OPENERS = (
    "Hi {first}, this is {agent} from {seller}. Is this a good time to talk?",
    "Hello, am I speaking with {first}? This is {agent} from {seller}.",
    "Good day {first}! {agent} here from {seller}. Do you have two minutes?",
)
INBOUND_OPENERS = ("Thank you for calling {seller}, this is {agent}. How can I help you?",)
PITCH = (
    "I'm calling about the demo you requested last week.",
    "We help teams automate their follow-up calls.",
    "Our agents book meetings and update your CRM.",
    "Teams like yours save about ten hours a week.",
    "The setup takes about a day and we do most of it.",
    "We support Hindi, Tamil and Spanish too.",
    "Every call is recorded, transcribed and summarised.",
    "You can start with a free two week pilot.",
    "Several clinics in your city already use it.",
    "The agent hands over to your team when needed.",
)
AGENT_QUESTIONS = (
    "How do you handle follow-up calls today?",
    "How many customers do you call each week?",
    "Would a short demo next week help?",
    "Are you the right person to talk to about this?",
    "Which CRM does your team use?",
    "Would Tuesday or Thursday work better for you?",
    "Is this still the best email to reach you?",
    "What would you automate first?",
)
ACKS = ("Got it, thank you.", "That makes sense.", "Sure, I understand.", "Great, thanks.")
ANSWERS = {
    "price": ("The starter plan is 49 dollars per seat per month.",
              "Plans start at 399 dollars a month for ten agents.",
              "It is about six cents a minute, with no setup fee."),
    "human": ("Of course, a colleague will call you today.",),
    "wrong_number": ("I'm sorry about that, I will update our records.",),
}
CLOSINGS = {
    "Interested": ("Wonderful! I'll send the invite right after this call.",
                   "Great, the demo is booked. Have a great day!"),
    "Call Back": ("No problem, I'll reach you at a better time.", "Sure, noted. Thank you!"),
    "Send Details": ("Sure, I'll email you the brochure right away.",),
    "Not Interested": ("I understand. Thank you for your time.",
                       "Noted, we won't bother you again. Goodbye."),
}
SILENT = ("Hello? Am I audible?", "Hello? I can't hear you.",
          "The line is not clear. I'll try again later, goodbye.")
INBOUND_REASONS = ("Hi, I saw your ad and wanted to know more.",
                   "I got a missed call from this number.",
                   "I'm calling about the email you sent me.")
USER_NEUTRAL = (
    "Yes, go ahead.", "Okay, sure.", "Yes, this is {first}.", "We mostly use spreadsheets.",
    "We call maybe two hundred customers a week.", "We use Zoho at the moment.",
    "I'd have to check with my manager.", "Sorry, which company?", "Okay, I'm listening.",
    "It depends on the season really.",
)
USER_SHORT = ("Okay.", "Hmm.", "Right.", "Yes.", "I see.", "Fine.")
USER_KEEN = (
    "That sounds really useful for us.", "We have been looking for something like this.",
    "Yes, a demo next week would be great.", "Tuesday afternoon works for me.",
    "Follow-ups are our biggest problem.", "My manager would want to see this.",
)
USER_QUESTIONS = (
    "Does it work with Salesforce?", "How long does the setup take?",
    "Can it handle calls in Hindi?", "Is there a free trial?",
    "Can we use our own phone numbers?", "What if a customer asks something odd?",
)
PHRASES = {
    "price": ("How much does it cost?", "What's the price for a team of ten?",
              "Can you tell me about the pricing?", "Is the pricing per user or per minute?"),
    "callback": ("I'm driving, can you call me back later?",
                 "Call back later please, I'm in a meeting.",
                 "Not a good time, call me back tomorrow."),
    "not_interested": ("I'm not interested, thank you.", "Please stop calling me.",
                       "Remove me from your list.", "We have a vendor, so not interested."),
    "send_details": ("Just send me the details on email.", "Can you email me a brochure?",
                     "Send the details on WhatsApp."),
    "human": ("Can I talk to a real person?", "I'd like to speak to a human, please."),
    "wrong_number": ("Sorry, you have the wrong number.",
                     "There is no {first} here, wrong number."),
}
ABANDON = ("Who is this?", "Sorry, I can't talk now.", "What is this about?")
BACKCHANNELS = ("ok", "mm-hmm", "yes", "uh-huh", "right")
BYES = ("Okay, thank you. Bye.", "Thanks, bye.", "Alright, bye.")
FIRST_NAMES = (
    "Asha", "Ravi", "Priya", "Arjun", "Meera", "Karan", "Neha", "Vikram", "Sara", "John",
    "Fatima", "Diego", "Anita", "Rahul", "Pooja", "Sanjay", "Leela", "Omar", "Nisha", "Dev",
)
LAST_NAMES = (
    "Rao", "Sharma", "Iyer", "Patel", "Nair", "Gupta", "Khan", "Das", "Mehta", "Singh",
    "Fernandes", "Reddy", "Joshi", "Menon", "Kapoor",
)
COMPANIES = (
    "Acme Dental", "Sunrise Realty", "BlueLeaf Clinics", "Metro Motors", "Orbit Logistics",
    "GreenBasket", "Nova Insurance", "Pixel Studios", "Harbor Hotels", "Zen Fitness",
)
CONTEXTS = ("Downloaded brochure", "Requested a demo", "Webinar attendee", "Trade show lead",
            "Renewal due")
SUMMARIES = {
    "Interested": "{agent} explained the product to {name}, who asked questions and agreed "
                  "to a demo.",
    "Call Back": "{name} was busy and asked {agent} to call back at a better time.",
    "Send Details": "{name} asked for the product details by email before deciding.",
    "Not Interested": "{name} said they were not interested and the call ended politely.",
    "Not Connected": "The call connected but nobody answered the agent.",
    "Abandoned": "{name} ended the call shortly after the introduction.",
    "Dropped": "The call dropped before {agent} could finish the conversation.",
}
PROFILE_SUMMARIES = {  # tone, engagement, interest level, outcome, next action, short text
    "Interested": ("Friendly", "High", "Very Interested", "Connected", "Send calendar invite",
                   "Engaged lead, demo booked."),
    "Call Back": ("Professional", "Medium", "Maybe", "Callback Requested", "Call back later",
                  "Busy, wants a call back."),
    "Send Details": ("Neutral", "Medium", "Interested", "Information Sent", "Email details",
                     "Wants details by email."),
    "Not Interested": ("Neutral", "Low", "Not Interested", "Not Interested", "Close the lead",
                       "Declined the offer."),
    "Not Connected": ("Neutral", "Low", "Maybe", "Follow-up Needed", "Retry the call",
                      "No answer on the line."),
    "Abandoned": ("Frustrated", "Low", "Maybe", "Follow-up Needed", "Retry later",
                  "Hung up early."),
    "Dropped": ("Neutral", "Medium", "Maybe", "Follow-up Needed", "Retry the call",
                "Call dropped."),
}
SCORES = {  # success_evaluator range (inclusive) by outcome
    "Interested": (7, 10), "Send Details": (5, 8), "Call Back": (4, 7), "Not Interested": (2, 5),
    "Not Connected": (1, 2), "Abandoned": (1, 3), "Dropped": (1, 4),
}
FAILED_ERRORS = {
    "notConnected": "Call not answered", "busy": "User busy (SIP 486)",
    "failed": "SIP trunk error 503", "voicemail": "Reached voicemail",
    "cancelled": "Cancelled by user",
}
# fmt: on
INTERMEDIATE_NOTE = "call completed evaluated data will be available soon"

_REPLY, _QUICK, _WAIT = 0, 1, 2  # how long the pause before a turn is
_US = 1_000_000
_EPOCH = dt.datetime(1970, 1, 1)


# --- random draws -----------------------------------------------------------------------------


class _Rand:
    """Scalar draws handed out from numpy blocks, so per-turn loops stay cheap."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.u = _stream(rng.random).__next__
        self.z = _stream(rng.standard_normal).__next__

    def pick(self, seq: tuple) -> Any:
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


def _quota(n: int, shares: list[float]) -> np.ndarray:
    """Split ``n`` into counts proportional to ``shares`` (largest remainder)."""
    raw = np.asarray(shares) / sum(shares) * n
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


# --- time formats -----------------------------------------------------------------------------


def _dt(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _epoch_us(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


@functools.cache
def _minute(minute: int, sep: str) -> str:
    return (_EPOCH + dt.timedelta(minutes=minute)).isoformat(sep=sep, timespec="minutes")


def _fmt_call(us: int) -> str:
    """``2026-01-31 11:47:38.067021`` (``str(datetime)`` of the native handlers)."""
    minute, rest = divmod(us, 60 * _US)
    return f"{_minute(minute, ' ')}:{rest // _US:02d}.{rest % _US:06d}"


def _fmt_turn(us: int) -> str:
    """``2026-01-31T11:47:40.112+00:00`` (pipecat's transcript processor)."""
    minute, rest = divmod(us, 60 * _US)
    return f"{_minute(minute, 'T')}:{rest // _US:02d}.{rest // 1000 % 1000:03d}+00:00"


def _fmt_task(us: int) -> str:
    """``2026-01-31T11:47:20`` (the tasks service's DATETIME_FORMAT)."""
    return _dt(us).isoformat(timespec="seconds")


# --- one run ----------------------------------------------------------------------------------


@dataclass
class _Call:
    """What the generator knows about one task's call, for the messy variants."""

    status: str
    agent: str
    full: bool = False
    outcome: str | None = None
    start_us: int = 0
    end_us: int = 0
    turns: list[tuple[bool, str, int]] = field(default_factory=list)


def _run_context(rng: np.random.Generator) -> dict[str, Any]:
    token = "".join(chr(c) for c in rng.integers(65, 91, 24))
    return {
        "space_id": str(int(rng.integers(100, 999))),
        "thread_id": None,
        "user": (user := str(int(rng.integers(10, 99)))),
        "user_org_id": str(int(rng.integers(1, 30))),
        "user_info": {
            "id": user,
            "email": "ops@example.com",
            "full_name": "Ops User",
            "user_token": "".join(chr(c) for c in rng.integers(65, 91, 16)),
            "location": {},
        },
        "run_id": "R" + rng.bytes(16).hex(),
        "collection_ref": f"collection_data_{token}",
        "execution_type": "call",
        "task": {"objective": "Call the lead, pitch the voice agents and book a demo."},
        "token": token,
        "node": rng.bytes(6).hex(),
    }


def _plan(rng: np.random.Generator, n: int) -> dict[str, list]:
    """Per-task draws made once for the whole run."""
    scenario = rng.permutation(
        np.repeat(np.arange(len(SCENARIOS)), _quota(n, [s[2] for s in SCENARIOS]))
    )
    shares = [p["share"] for p in ASSIGNEE_PROFILES.values()]
    agent = rng.choice(len(shares), size=n, p=np.asarray(shares) / sum(shares))
    day = rng.integers(0, CALL_DAYS, n)
    low, high = BUSINESS_HOURS
    secs = np.where(
        rng.random(n) < BUSINESS_SHARE,
        low * 3600 + rng.random(n) * (high - low) * 3600,
        rng.random(n) * 86400,
    )
    start = _epoch_us(FIRST_CALL_DAY) + (day * 86400 + secs) * _US
    return {
        "scenario": scenario.tolist(),
        "agent": [list(ASSIGNEE_PROFILES)[a] for a in agent],
        "inbound": (rng.random(n) < INBOUND_SHARE).tolist(),
        "start_us": start.astype(np.int64).tolist(),
        "ids": rng.integers(0, 2**32, (n, 3)).tolist(),
    }


def make_run(
    n_tasks: int = 300, *, random_state: int | np.random.Generator | None = 0, messy: bool = True
) -> dict[str, Any]:
    """Make a synthetic run-tasks response with realistic, structured content.

    Parameters
    ----------
    n_tasks : int, default 300
        Number of tasks in the run (``count``). 0 gives an empty run.
    random_state : int, Generator or None, default 0
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same dict.
    messy : bool, default True
        Add the legitimate variant shapes of :data:`MESSY_VARIANTS` to a small share of the
        tasks (ISO/``Z``/epoch/``"NULL"`` times, string or float durations, text, JSON-string
        and ``{"messages": ...}`` transcripts, drifted outcome labels, ...). ``False`` gives
        only the canonical shapes of the API reference's example (a).

    Returns
    -------
    dict
        ``{"count": n_tasks, "status_code": 200, "message": "Tasks Fetched Successfully",
        "data": [task, ...]}`` with tasks newest first, as the API sorts them.

    Raises
    ------
    ValueError
        If ``n_tasks`` is not a non-negative integer.

    Examples
    --------
    >>> r = make_run(50, random_state=1)
    >>> r["count"], len(r["data"]), r["message"]
    (50, 50, 'Tasks Fetched Successfully')
    >>> len({t["task_id"] for t in r["data"]}), len({t["run_id"] for t in r["data"]})
    (50, 1)
    >>> make_run(20, random_state=1) == make_run(20, random_state=1)
    True
    >>> clean = make_run(50, random_state=1, messy=False)["data"]
    >>> call = next(t["output"] for t in clean if t["output"].get("call_status") == "completed")
    >>> call["call_type"], call["start_time"], call["duration"]
    ('outbound', '2026-01-31 15:50:49.556620', 29)
    >>> [(turn["role"], turn["content"]) for turn in call["transcript"][:2]]
    [('user', 'Hello?'),
     ('assistant', 'Good day Anita! Dex here from Acme Cloud. Do you have two minutes?')]
    >>> sorted(call["post_call_data"]["summary"])
    ['callback_datetime', 'contact', 'hours_from_now', 'name', 'status', 'summary']
    """
    if isinstance(n_tasks, bool) or not isinstance(n_tasks, int | np.integer) or n_tasks < 0:
        raise ValueError(f"n_tasks={n_tasks!r} is not a count of tasks; pass an integer >= 0")
    rng = np.random.default_rng(random_state)
    r, run, plan = _Rand(rng), _run_context(rng), _plan(rng, int(n_tasks))
    made = [_task(r, run, plan, i) for i in range(int(n_tasks))]
    tasks, calls = [m[0] for m in made], [m[1] for m in made]
    if messy:
        _mess(r, tasks, calls)
    tasks.sort(key=lambda t: t["created"], reverse=True)
    return {
        "count": len(tasks),
        "status_code": 200,
        "message": "Tasks Fetched Successfully",
        "data": tasks,
    }


def _task(r: _Rand, run: dict, plan: dict, i: int) -> tuple[dict, _Call]:
    status, call_status, _ = SCENARIOS[plan["scenario"][i]]
    start, (a, b, c) = plan["start_us"][i], plan["ids"][i]
    first, last = r.pick(FIRST_NAMES), r.pick(LAST_NAMES)
    doc_id = f"{start // _US:08x}{a:08x}{b:08x}"
    created = start - int(r.between(5, 90) * _US)
    task = {k: run[k] for k in ("space_id", "thread_id", "user", "user_org_id")}
    task["user_info"] = run["user_info"] | {"location": {}}  # a task's own dicts, not shared
    task["run_id"] = run["run_id"]
    time_low = (0x5C1D0000 + i * 0x9E3779B1) % 2**32  # odd stride: unique for every i < 2**32
    task["task_id"] = f"T{time_low:08x}{a & 0xFFFF:04x}11f0{c & 0xFFFF:04x}{run['node']}"
    task |= {k: run[k] for k in ("collection_ref", "execution_type")}
    task["task"] = dict(run["task"])
    task["input"] = _input(r, run, first, last, doc_id, plan["inbound"][i])
    call = _Call(status, plan["agent"][i])
    task["output"] = _output(r, task, call, call_status, plan, i) if call_status else {}
    touched = (call.end_us if call.full else start) if call_status else created
    modified = touched + int(r.between(20, 120) * _US) if call_status else created
    task |= {
        "attachments": [],
        "ref_id": doc_id,
        "assignee": plan["agent"][i],
        "run_mode": "dev",
        "status": status,
        "created": _fmt_task(created),
        "modified": _fmt_task(modified),
    }
    return task, call


def _input(r: _Rand, run: dict, first: str, last: str, doc_id: str, inbound: bool) -> dict:
    phone = f"{int(r.between(6, 10))}{int(r.u() * 10**9):09d}"
    out = {
        "name": f"{first} {last}",
        "contact_number": phone,
        "email": f"{first.lower()}.{last.lower()}@example.com",
        "company_name": r.pick(COMPANIES),
        "context": r.pick(CONTEXTS),
        "labels": ["hot lead"] if r.chance(0.15) else [],
        "document_id": doc_id,
        "token": run["token"],
        "quality": r.pick(("good", "good", "average")),
    }
    return out | {"call_type": "inbound"} if inbound else out


def _output(r: _Rand, task: dict, call: _Call, call_status: str, plan: dict, i: int) -> dict:
    call_id = str(675272289779974401 + i * 1_000_003 + plan["ids"][i][2] % 1_000_003)
    if call_status in FAILED_ERRORS:
        return {"call_status": call_status} | (
            {"error": FAILED_ERRORS[call_status]} if r.chance(0.5) else {}
        )
    if call_status == "callDispatched":
        return {"call_status": call_status}
    if call_status in ("incall", "outcall"):
        return {
            "call_status": call_status,
            "call_id": call_id,
            "start_time": _fmt_call(plan["start_us"][i]),
        }
    profile = ASSIGNEE_PROFILES[call.agent]
    outcome = "Dropped" if call_status == "droped" else r.weighted(profile["outcomes"])
    call.full, call.outcome, call.start_us = True, outcome, plan["start_us"][i]
    return _full_output(r, task, call, call_status, call_id, plan["inbound"][i])


def _full_output(
    r: _Rand, task: dict, call: _Call, call_status: str, call_id: str, inbound: bool
) -> dict:
    name, first = task["input"]["name"], task["input"]["name"].split()[0]
    profile = ASSIGNEE_PROFILES[call.agent]
    script = _conversation(r, profile, call.outcome, inbound, first)
    call.turns, call.end_us = _timeline(r, script, profile, call.start_us)
    user_id = "PA_" + task["task_id"][1:13]
    transcript = [
        {
            "role": "assistant" if agent else "user",
            "content": text,
            "user_id": None if agent else user_id,
            "timestamp": _fmt_turn(us),
        }
        for agent, text, us in call.turns
    ]
    duration = (call.end_us - call.start_us) // _US
    cost = round((0.0011 * duration + 0.003) * 1.05, 4)
    call_type = "inbound" if inbound else "outbound"
    evaluated = call.status != "partially_completed"
    return {
        "call_id": call_id,
        "customer": name,
        "contact_number": task["input"]["contact_number"],
        "call_end_reason": _end_reason(r, call.outcome),
        "recording_url": f"https://storage.example.com/rec/{call_id}.ogg",
        "transcript": transcript,
        "start_time": _fmt_call(call.start_us),
        "end_time": _fmt_call(call.end_us),
        "assistant_number": "",
        "call_summary": None,
        "duration": duration,
        "cost": cost,
        "call_type": call_type,
        "call_status": call_status,
        "metadata": {
            "cost": cost,
            "type": call_type,
            "usage": {"llm_prompt_tokens": 900 + 150 * len(transcript), "stt_seconds": duration},
        },
        "post_call_data": _post_call(r, call, task["input"], call_id) if evaluated else {},
    }


def _end_reason(r: _Rand, outcome: str) -> str:
    fixed = {
        "Abandoned": "user_hangup",
        "Dropped": "connection_lost",
        "Not Connected": "silence_timeout",
    }
    return fixed.get(outcome) or r.pick(("user_hangup", "agent_hangup", "agent_hangup"))


# --- conversations ----------------------------------------------------------------------------


def _conversation(
    r: _Rand, profile: dict, outcome: str, inbound: bool, first: str
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


def _exchanges(r: _Rand, profile: dict, outcome: str) -> int:
    if outcome == "Abandoned":
        return 1 + r.chance(0.4)
    if outcome == "Dropped":
        return 1 + r.poisson(2.0)
    return 1 + r.poisson(profile["exchanges"] * OUTCOME_LENGTH[outcome] - 1)


def _signals(r: _Rand, outcome: str, n_ex: int) -> dict[int, list[str]]:
    """Which phrase kinds the caller says, keyed by exchange: decisions at the end."""
    said: dict[int, list[str]] = {}
    for kind, rates in PHRASE_RATES.items():
        if r.chance(rates.get(outcome, rates["*"])):
            decisive = kind in ("callback", "not_interested", "send_details")
            at = n_ex - 1 if decisive and rates.get(outcome) else int(r.u() * n_ex)
            said.setdefault(at, []).append(kind)
    return said


def _user_text(r: _Rand, outcome: str, kinds: list[str], first: str, chatty: float) -> str:
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


def _rotated(r: _Rand, seq: tuple) -> Iterator[str]:
    k = int(r.u() * len(seq))
    return itertools.cycle(seq[k:] + seq[:k])


def _agent_reply(
    r: _Rand, profile: dict, kinds: list[str], pitch: Iterator[str]
) -> list[tuple[bool, str, int]]:
    answers = [r.pick(ANSWERS[k]) for k in kinds if k in ANSWERS]
    parts = answers or ([r.pick(ACKS)] if r.chance(0.2) else [])
    parts += [next(pitch) for _ in range(r.poisson(profile["agent_sentences"] - 1) + 1)]
    if r.chance(profile["monologue_rate"]):
        return _monologue(r, parts + [next(pitch) for _ in range(1 + r.poisson(1.5))], profile)
    if r.chance(profile["question_rate"]):
        parts[-1] = r.pick(AGENT_QUESTIONS)
    return [(True, " ".join(parts), _REPLY)]


def _monologue(r: _Rand, parts: list[str], profile: dict) -> list[tuple[bool, str, int]]:
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


def _timeline(
    r: _Rand, script: list[tuple[bool, str, int]], profile: dict, start_us: int
) -> tuple[list[tuple[bool, str, int]], int]:
    """Time the turns: talk at ~2.5 words/s, then a pause that depends on who speaks next."""
    t, turns, prev = start_us + r.between(0.6, 2.5) * _US, [], None
    for agent, text, kind in script:
        if prev is not None:
            t += (len(prev[1].split()) / (2.7 if prev[0] else 2.3) + 0.2) * _US
            t += _pause(r, profile, prev[0], agent, kind) * _US
        turns.append((agent, text, int(t)))
        prev = (agent, text)
    tail = len(prev[1].split()) / 2.5 + r.between(0.8, 3.0) if prev else r.between(5, 20)
    return turns, int(t + tail * _US)


def _pause(r: _Rand, profile: dict, prev_agent: bool, agent: bool, kind: int) -> float:
    if kind == _QUICK:
        return r.between(0.15, 0.6)
    if kind == _WAIT:
        return r.between(3.0, 6.0)
    if agent and not prev_agent:
        return r.lognormal(profile["latency_median_s"], profile["latency_sigma"])
    return r.lognormal(0.6, 0.5) if agent != prev_agent else r.between(0.4, 1.5)


# --- post-call analysis -----------------------------------------------------------------------


def _post_call(r: _Rand, call: _Call, lead: dict, call_id: str) -> dict:
    outcome, name, profile = call.outcome, lead["name"], ASSIGNEE_PROFILES[call.agent]
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


def _callback(r: _Rand, call: _Call) -> tuple[str, str]:
    hours = int(r.between(2, 48))
    at = _dt(call.end_us + hours * 3600 * _US)
    return at.strftime("%Y-%m-%d %H:00"), str(hours)


def _labels(outcome: str, user_said: list[str]) -> list[str]:
    text = " ".join(user_said).lower()
    tags = [outcome]
    tags += ["Pricing"] if "price" in text or "pricing" in text or "cost" in text else []
    tags += ["Human Request"] if "real person" in text or "human" in text else []
    return tags


def _follow_up(outcome: str, callback_at: str) -> dict:
    reasons = {
        "Interested": "Send the demo invite",
        "Send Details": "Email the brochure",
        "Call Back": "Customer asked for a call back",
    }
    if outcome not in reasons:
        return {"required": False, "time": None, "reason": "No follow-up needed", "status": None}
    at = None if callback_at == "N/A" else callback_at
    return {"required": True, "time": at, "reason": reasons[outcome], "status": "pending"}


# --- messy variants ---------------------------------------------------------------------------

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

_Mutator = Callable[[_Rand, dict, _Call], None]


def _set_times(fmt: Callable[[int], Any]) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
        task["output"]["start_time"], task["output"]["end_time"] = (
            fmt(call.start_us),
            fmt(call.end_us),
        )

    return mutate


def _set_duration(fmt: Callable[[float], Any]) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
        task["output"]["duration"] = fmt((call.end_us - call.start_us) / _US)

    return mutate


def _drop_duration(r: _Rand, task: dict, call: _Call) -> None:
    del task["output"]["duration"]


def _set_transcript(fmt: Callable[[dict, _Call], Any]) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
        task["output"]["transcript"] = fmt(task["output"]["transcript"], call)

    return mutate


def _as_text(items: list[dict], call: _Call) -> str:
    return "\n".join(f"{'AI' if agent else 'User'}: {text}" for agent, text, _ in call.turns)


def _as_messages(items: list[dict], call: _Call) -> dict:
    return {
        "messages": [
            {
                "role": "agent" if agent else "customer",
                "message": text,
                "time": us // 1000,
                "secondsFromStart": round((us - call.start_us) / _US, 2),
            }
            for agent, text, us in call.turns
        ]
    }


def _as_agent_message(items: list[dict], call: _Call) -> list[dict]:
    return [
        {"role": "agent" if agent else "user", "message": text, "timestamp": _fmt_turn(us)}
        for agent, text, us in call.turns
    ]


def _set_turn_times(fmt: Callable[[int], str]) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
        for item, (_, _, us) in zip(task["output"]["transcript"], call.turns):
            item["timestamp"] = fmt(us)

    return mutate


def _set_status(label: str) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
        task["output"]["post_call_data"]["summary"]["status"] = label

    return mutate


def _plain_summary(r: _Rand, task: dict, call: _Call) -> None:
    data = task["output"]["post_call_data"]
    mood = {"Interested": "positive", "Not Interested": "negative"}.get(call.outcome, "neutral")
    data |= {
        "summary": data["summary"]["summary"],
        "outcome": call.outcome.lower(),
        "sentiment": mood,
    }


def _callback_object(r: _Rand, task: dict, call: _Call) -> None:
    summary = task["output"]["post_call_data"]["summary"]
    at = dt.datetime.strptime(summary["callback_datetime"], "%Y-%m-%d %H:%M")
    summary["callback_datetime"] = {"$date": _epoch_us(at) // 1000}


def _set_post_call(key: str, fmt: Callable[[Any], Any]) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
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


def _vapi_call_type(r: _Rand, task: dict, call: _Call) -> None:
    out = task["output"]
    out["call_type"] = out["metadata"]["type"] = out["call_type"] + "PhoneCall"
    out["call_end_reason"] = "customer-ended-call"


def _type_only(r: _Rand, task: dict, call: _Call) -> None:
    task["output"]["type"] = task["output"].pop("call_type")


def _set_output(key: str, value: Any) -> _Mutator:
    def mutate(r: _Rand, task: dict, call: _Call) -> None:
        task["output"][key] = value

    return mutate


def _intermediate(r: _Rand, task: dict, call: _Call) -> None:
    task["output"] = {"call_status": task["output"]["call_status"], "data": INTERMEDIATE_NOTE}


def _mongo_id(r: _Rand, task: dict, call: _Call) -> None:
    task["_id"] = task["ref_id"][:8] + task["task_id"][1:17]


def _extra_keys(r: _Rand, task: dict, call: _Call) -> None:
    task |= {"provider": "livekit", "retry_attempt": int(r.u() * 3)}
    if task["output"]:
        task["output"]["vendor_payload"] = {"region": "ap-south-1", "sip_code": 200}


_MUTATORS: dict[str, _Mutator] = {
    "intermediate_output": _intermediate,
    "start_iso_t": _set_times(lambda us: _dt(us).isoformat(timespec="microseconds")),
    "start_z": _set_times(lambda us: _dt(us).isoformat(timespec="seconds") + "Z"),
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
    "turn_time_naive": _set_turn_times(_fmt_call),
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


def _pools(calls: list[_Call]) -> dict[str, list[int]]:
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


def _mess(r: _Rand, tasks: list[dict], calls: list[_Call]) -> None:
    """Give each variant of :data:`MESSY_VARIANTS` its share of eligible tasks, in place."""
    pools, taken = _pools(calls), {}
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


# --- the bundled sample -----------------------------------------------------------------------


def write_sample(path: str | Path | None = None) -> Path:
    """Write ``make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)`` as JSON.

    Parameters
    ----------
    path : str or Path, optional
        Where to write; by default the package's ``analytics/data/sample_run.json``.

    Returns
    -------
    Path
        The file written (UTF-8, ``indent=1``).

    Examples
    --------
    >>> import json, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_sample(Path(tmp) / "run.json")
    ...     json.loads(out.read_text(encoding="utf-8"))["count"]
    400
    """
    target = Path(path) if path is not None else Path(__file__).parent / "data" / "sample_run.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    run = make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)
    target.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def load_sample() -> Run:
    """Load the run bundled with the package (``analytics/data/sample_run.json``).

    Returns
    -------
    Run
        ``load_run`` of the 400-task sample made by :func:`write_sample`.

    Examples
    --------
    >>> run = load_sample()
    >>> len(run.tasks), run.tasks["run_id"].nunique()
    (400, 1)
    """
    from analytics.load import load_run

    data = (resources.files("analytics") / "data" / "sample_run.json").read_bytes()
    return load_run(data)
