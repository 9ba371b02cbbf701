"""Synthetic Unpod runs that look and behave like real ones (also as Retell and Vapi calls), and
the bundled sample runs.

:func:`make_run` returns a run-tasks response (``{"count", "status_code", "message", "data"}``)
whose tasks have the platform's exact shapes (``docs/unpod-api.md``, sections 6 to 9). The
data has structure on purpose, so analyses have something to find:

- four agents (:data:`ASSIGNEE_PROFILES`) differ in call length, talk share (``bolt`` talks in
  long monologues), response latency (``dex`` is slow) and outcomes (``cleo`` converts best);
- what callers say depends on the outcome (:data:`PHRASE_RATES`): interested callers ask about
  price, ask more questions and talk more; each phrase also shows up, rarely, in other outcomes;
- every task status and call status occurs; with ``messy=True`` every legitimate variant shape
  of :data:`MESSY_VARIANTS` occurs too, on a small share of the tasks;
- campaign signals (:mod:`analytics.datasets._signals`): every ended call has an end reason in
  one of several platforms' spellings, Call Back leads a follow-up time (some with an offset,
  some only in words), and a few calls are worth a listen (``aria`` loops, ``dex`` pauses,
  callers opt out, Interested callers labelled "Not Interested", calls under 5 s).

``make_run(..., platform="retell")`` (or ``"vapi"``) writes the same run's calls as those
platforms' call objects, in their units (:mod:`analytics.datasets._platforms`).

Everything is drawn from ``numpy.random.default_rng(random_state)``: one seed, one run. The
signals and a non-default ``days`` draw from generators spawned from it, so that they move no
other draw.

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
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

import numpy as np

from analytics._shared import utc_time
from analytics.datasets._calls import (
    US,
    Call,
    Rand,
    call_cost,
    conversation,
    epoch_us,
    fmt_call,
    fmt_task,
    fmt_turn,
    post_call,
    timeline,
)
from analytics.datasets._messy import MESSY_VARIANTS, mess
from analytics.datasets._platforms import (
    PLATFORM_VARIANTS,
    SAMPLE_CALLS,
    SAMPLE_TASKS,
    Platform,
    check_platform,
    to_platform,
)
from analytics.datasets._signals import add_end_reasons, add_signals
from analytics.datasets._text import (
    ASSIGNEE_PROFILES,
    COMPANIES,
    CONTEXTS,
    FAILED_ERRORS,
    FIRST_NAMES,
    LAST_NAMES,
    PHRASE_RATES,
    PHRASES,
)

if TYPE_CHECKING:
    from analytics.load import Run

__all__ = [
    "ASSIGNEE_PROFILES",
    "MESSY_VARIANTS",
    "PHRASES",
    "PHRASE_RATES",
    "PLATFORM_VARIANTS",
    "SAMPLE_CALLS",
    "SAMPLE_SEED",
    "SAMPLE_SIZE",
    "SAMPLE_TASKS",
    "SCENARIOS",
    "load_sample",
    "make_run",
    "write_sample",
]

SAMPLE_SIZE = 400
SAMPLE_SEED = 7
""":func:`write_sample` writes ``make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)`` as the Unpod
sample, and the calls of ``make_run(SAMPLE_TASKS, random_state=SAMPLE_SEED, platform=...)`` as
the Retell and Vapi samples (:data:`SAMPLE_CALLS` each)."""

FIRST_CALL_DAY = dt.datetime(2026, 1, 29)
"""Calls fall on three days from here (naive = UTC), mostly in business hours: the default
``start`` and ``days`` of :func:`make_run`."""
EARLIEST_START, LATEST_END = dt.datetime(1990, 1, 2), dt.datetime(2099, 12, 29)
"""Calls (and the tasks created before them, the call-backs after them) stay in the years the
loader reads as times (1990-2099)."""
CALL_DAYS, BUSINESS_HOURS, BUSINESS_SHARE, INBOUND_SHARE = 3, (9, 18), 0.88, 0.2

# fmt: off
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
# fmt: on


def _quota(n: int, shares: list[float]) -> np.ndarray:
    """Split ``n`` into counts proportional to ``shares`` (largest remainder)."""
    raw = np.asarray(shares) / sum(shares) * n
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


# --- one run ----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class _When:
    """When the calls fall: from ``start`` (naive UTC) over ``days`` days; ``rng`` draws the
    days when they are not :data:`CALL_DAYS` (its own generator: the run's draws stay)."""

    start: dt.datetime
    days: int
    rng: np.random.Generator


def _when(start: object, days: object, rng: np.random.Generator) -> _When:
    """Check ``start`` and ``days`` of :func:`make_run` (one-line errors naming the value)."""
    if days is None:
        days = CALL_DAYS
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise ValueError(f"days={days!r} is not a number of days; pass an integer >= 1")
    first = FIRST_CALL_DAY if start is None else _first_call(start)
    last = first + dt.timedelta(days=int(days))
    if not (first >= EARLIEST_START and last <= LATEST_END):
        raise ValueError(
            f"start={start!r} with days={days!r} puts calls outside {EARLIEST_START.year}-"
            f"{LATEST_END.year}, where the loader reads times; choose a start in between"
        )
    return _When(first, int(days), rng)


def _first_call(start: object) -> dt.datetime:
    if not isinstance(start, str | dt.date):
        raise TypeError(
            f"start={start!r} is not a time: pass a date, a datetime or ISO text such as "
            "'2026-01-29'"
        )
    moment = utc_time(start, "start")  # a date alone is its midnight; naive is UTC
    return moment.tz_convert(None).to_pydatetime()


class _Plan(TypedDict):
    """Per-task draws, indexed by task: scenario index, assignee, inbound?, start, id parts."""

    scenario: list[int]
    agent: list[str]
    inbound: list[bool]
    start_us: list[int]
    ids: list[list[int]]


def _plan(rng: np.random.Generator, n: int, when: _When) -> _Plan:
    """Per-task draws made once for the whole run."""
    scenario = rng.permutation(
        np.repeat(np.arange(len(SCENARIOS)), _quota(n, [s[2] for s in SCENARIOS]))
    )
    shares = [p["share"] for p in ASSIGNEE_PROFILES.values()]
    agent = rng.choice(len(shares), size=n, p=np.asarray(shares) / sum(shares))
    day = rng.integers(0, CALL_DAYS, n)  # drawn always: the draws after it do not move
    if when.days != CALL_DAYS:
        day = when.rng.integers(0, when.days, n)
    low, high = BUSINESS_HOURS
    secs = np.where(
        rng.random(n) < BUSINESS_SHARE,
        low * 3600 + rng.random(n) * (high - low) * 3600,
        rng.random(n) * 86400,
    )
    start = epoch_us(when.start) + (day * 86400 + secs) * US
    return {
        "scenario": scenario.tolist(),
        "agent": [list(ASSIGNEE_PROFILES)[a] for a in agent],
        "inbound": (rng.random(n) < INBOUND_SHARE).tolist(),
        "start_us": start.astype(np.int64).tolist(),
        "ids": rng.integers(0, 2**32, (n, 3)).tolist(),
    }


@overload
def make_run(
    n_tasks: int = ...,
    *,
    random_state: int | np.random.Generator | None = ...,
    messy: bool = ...,
    start: str | dt.date | None = ...,
    days: int | None = ...,
    platform: Literal["unpod"] = ...,
) -> dict[str, Any]: ...


@overload
def make_run(
    n_tasks: int = ...,
    *,
    random_state: int | np.random.Generator | None = ...,
    messy: bool = ...,
    start: str | dt.date | None = ...,
    days: int | None = ...,
    platform: Literal["retell", "vapi"],
) -> list[dict[str, Any]]: ...


@overload
def make_run(
    n_tasks: int = ...,
    *,
    random_state: int | np.random.Generator | None = ...,
    messy: bool = ...,
    start: str | dt.date | None = ...,
    days: int | None = ...,
    platform: str,
) -> dict[str, Any] | list[dict[str, Any]]: ...


def make_run(
    n_tasks: int = 300,
    *,
    random_state: int | np.random.Generator | None = 0,
    messy: bool = True,
    start: str | dt.date | None = None,
    days: int | None = None,
    platform: str = "unpod",
) -> dict[str, Any] | list[dict[str, Any]]:
    """Make a synthetic run with realistic, structured content, as Unpod, Retell or Vapi send it.

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
    start : date, datetime or ISO text, optional
        The day the calls start from: they fall on ``days`` days from it, mostly in business
        hours (UTC) when it is a midnight. A date alone is its midnight; a naive time is UTC.
        Default 2026-01-29.
    days : int, optional
        How many days the calls span (default 3). Another span draws the days from a
        generator of their own, so the calls, words and outcomes stay those of the seed.
    platform : {"unpod", "retell", "vapi"}, default "unpod"
        Whose shape to emit. ``"retell"`` and ``"vapi"`` give the calls of the Unpod run made
        with the same arguments, each written as that platform's call object, in its units
        (:mod:`analytics.datasets._platforms`): the same call ids (a call without one takes
        its task id), agents, words, outcome labels, times, costs and end reasons (in the
        platform's spelling). Tasks that never reached a call have no platform call. What
        the Unpod run does not hold (latencies, sentiment, token counts, the parts of the
        cost) is drawn from a generator of its own, so the Unpod draws do not move. With
        ``messy=True`` a small share of the calls comes in the platform's other shapes
        (:data:`PLATFORM_VARIANTS`: webhook bodies, list items without transcripts, older
        top-level fields, numbers as text).

    Returns
    -------
    dict or list of dict
        For ``"unpod"``: ``{"count": n_tasks, "status_code": 200, "message": "Tasks Fetched
        Successfully", "data": [task, ...]}`` with tasks newest first, as the API sorts them.
        For ``"retell"``: a list of call objects as Retell's get-call answers them (epoch
        millisecond times, ``duration_ms``, cost in cents, ``transcript_object`` with word
        times in seconds from the start, ``call_analysis``, ``latency`` in ms,
        ``llm_token_usage``). For ``"vapi"``: a list of Vapi call objects (ISO times, cost in
        US dollars with ``costBreakdown``, ``artifact.messages`` with epoch millisecond
        ``time``/``endTime``, ``secondsFromStart`` and ``duration`` in ms, turn latencies in
        ``artifact.performanceMetrics``, ``analysis``). Both in the Unpod run's order.

    The campaign signals (:mod:`analytics.datasets._signals`) come with every run: end
    reasons in several platforms' spellings, follow-up times (``callback_datetime``, an offset
    in ``follow_up.time``, free text in ``structured_data.preferred_time``), an agent that
    loops (``aria``), slow answers (``dex``), opt-outs and complaints, Interested calls
    labelled "Not Interested", calls under 5 s; drawn from a generator of their own.

    Raises
    ------
    ValueError
        If ``n_tasks`` is not a non-negative integer, ``days`` not a positive one, ``start``
        puts the calls outside 1990-2099, or ``platform`` is not one of the three.
    TypeError
        If ``start`` is not a date, a datetime or text.

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
    ('outbound', '2026-01-31 15:50:49.556620', 37)
    >>> [(turn["role"], turn["content"]) for turn in call["transcript"][:2]]
    [('user', 'Hello?'),
     ('assistant', 'Good day Anita! Dex here from Acme Cloud. Do you have two minutes?')]
    >>> sorted(call["post_call_data"]["summary"])
    ['callback_datetime', 'contact', 'hours_from_now', 'name', 'status', 'summary']
    >>> later = make_run(50, random_state=1, messy=False, start="2026-03-02", days=5)["data"]
    >>> min(t["created"] for t in later)[:10], max(t["created"] for t in later)[:10]
    ('2026-03-02', '2026-03-06')
    >>> make_run(5, days=0)
    Traceback (most recent call last):
    ...
    ValueError: days=0 is not a number of days; pass an integer >= 1

    The same calls as Retell and Vapi send them (times in epoch ms / ISO text, cost in cents /
    dollars):

    >>> call["call_id"], call["cost"], call["call_end_reason"]
    ('675272289787150576', 0.0459, 'customer-ended-call')
    >>> retell = make_run(50, random_state=1, messy=False, platform="retell")
    >>> same = next(c for c in retell if c["call_id"] == call["call_id"])
    >>> same["start_timestamp"], same["duration_ms"], same["call_cost"]["combined_cost"]
    (1769874649556, 37000, 4.59)
    >>> same["disconnection_reason"], same["call_analysis"]["custom_analysis_data"]["outcome"]
    ('user_hangup', 'Abandoned')
    >>> vapi = make_run(50, random_state=1, messy=False, platform="vapi")
    >>> same = next(c for c in vapi if c.get("startedAt") == "2026-01-31T15:50:49.556Z")
    >>> same["endedAt"], same["cost"], same["endedReason"], len(same["id"])  # a UUID, as Vapi's
    ('2026-01-31T15:51:26.556Z', 0.0459, 'customer-ended-call', 36)
    >>> make_run(5, platform="twilio")
    Traceback (most recent call last):
    ...
    ValueError: platform='twilio' is not one of 'unpod', 'retell', 'vapi'; pass one of them
    """
    if check_platform(platform) != "unpod":
        run = make_run(n_tasks, random_state=random_state, messy=messy, start=start, days=days)
        return to_platform(run, platform, random_state=random_state, messy=messy)
    if isinstance(n_tasks, bool) or not isinstance(n_tasks, int | np.integer) or n_tasks < 0:
        raise ValueError(f"n_tasks={n_tasks!r} is not a count of tasks; pass an integer >= 0")
    rng = np.random.default_rng(random_state)
    signal_rng, day_rng = rng.spawn(2)  # their own streams: the run's draws stay as they were
    when = _when(start, days, day_rng)
    r, run, plan = Rand(rng), _run_context(rng), _plan(rng, int(n_tasks), when)
    made = [_task(r, run, plan, i) for i in range(int(n_tasks))]
    tasks, calls = [m[0] for m in made], [m[1] for m in made]
    signals = Rand(signal_rng)
    add_end_reasons(signals, tasks, calls)
    touched = mess(r, tasks, calls) if messy else set()
    add_signals(signals, tasks, calls, touched)
    tasks.sort(key=lambda t: t["created"], reverse=True)
    return {
        "count": len(tasks),
        "status_code": 200,
        "message": "Tasks Fetched Successfully",
        "data": tasks,
    }


def _task(r: Rand, run: dict[str, Any], plan: _Plan, i: int) -> tuple[dict[str, Any], Call]:
    status, call_status, _ = SCENARIOS[plan["scenario"][i]]
    start, (a, b, c) = plan["start_us"][i], plan["ids"][i]
    first, last = r.pick(FIRST_NAMES), r.pick(LAST_NAMES)
    doc_id = f"{start // US:08x}{a:08x}{b:08x}"
    created = start - int(r.between(5, 90) * US)
    task = {k: run[k] for k in ("space_id", "thread_id", "user", "user_org_id")}
    task["user_info"] = run["user_info"] | {"location": {}}  # a task's own dicts, not shared
    task["run_id"] = run["run_id"]
    time_low = (0x5C1D0000 + i * 0x9E3779B1) % 2**32  # odd stride: unique for every i < 2**32
    task["task_id"] = f"T{time_low:08x}{a & 0xFFFF:04x}11f0{c & 0xFFFF:04x}{run['node']}"
    task |= {k: run[k] for k in ("collection_ref", "execution_type")}
    task["task"] = dict(run["task"])
    task["input"] = _input(r, run, first, last, doc_id, plan["inbound"][i])
    call = Call(status, plan["agent"][i])
    task["output"] = _output(r, task, call, call_status, plan, i) if call_status else {}
    touched = (call.end_us if call.full else start) if call_status else created
    modified = touched + int(r.between(20, 120) * US) if call_status else created
    task |= {
        "attachments": [],
        "ref_id": doc_id,
        "assignee": plan["agent"][i],
        "run_mode": "dev",
        "status": status,
        "created": fmt_task(created),
        "modified": fmt_task(modified),
    }
    return task, call


def _input(
    r: Rand, run: dict[str, Any], first: str, last: str, doc_id: str, inbound: bool
) -> dict[str, Any]:
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


def _output(
    r: Rand, task: dict[str, Any], call: Call, call_status: str, plan: _Plan, i: int
) -> dict[str, Any]:
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
            "start_time": fmt_call(plan["start_us"][i]),
        }
    profile = ASSIGNEE_PROFILES[call.agent]
    outcome = "Dropped" if call_status == "droped" else r.weighted(profile["outcomes"])
    call.full, call.outcome, call.start_us = True, outcome, plan["start_us"][i]
    return _full_output(r, task, call, call_status, call_id, plan["inbound"][i])


def _full_output(
    r: Rand, task: dict[str, Any], call: Call, call_status: str, call_id: str, inbound: bool
) -> dict[str, Any]:
    name, first = task["input"]["name"], task["input"]["name"].split()[0]
    profile = ASSIGNEE_PROFILES[call.agent]
    script = conversation(r, profile, call.connected_outcome, inbound, first)
    call.turns, call.end_us = timeline(r, script, profile, call.start_us)
    user_id = "PA_" + task["task_id"][1:13]
    transcript = [
        {
            "role": "assistant" if agent else "user",
            "content": text,
            "user_id": None if agent else user_id,
            "timestamp": fmt_turn(us),
        }
        for agent, text, us in call.turns
    ]
    duration = (call.end_us - call.start_us) // US
    cost = call_cost(duration)
    call_type = "inbound" if inbound else "outbound"
    evaluated = call.status != "partially_completed"
    return {
        "call_id": call_id,
        "customer": name,
        "contact_number": task["input"]["contact_number"],
        "call_end_reason": _end_reason(r, call.connected_outcome),
        "recording_url": f"https://storage.example.com/rec/{call_id}.ogg",
        "transcript": transcript,
        "start_time": fmt_call(call.start_us),
        "end_time": fmt_call(call.end_us),
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
        "post_call_data": post_call(r, call, task["input"], call_id) if evaluated else {},
    }


def _end_reason(r: Rand, outcome: str) -> str:
    fixed = {
        "Abandoned": "user_hangup",
        "Dropped": "connection_lost",
        "Not Connected": "silence_timeout",
    }
    return fixed.get(outcome) or r.pick(("user_hangup", "agent_hangup", "agent_hangup"))


# --- the bundled sample -----------------------------------------------------------------------


_SAMPLE_FILES = {
    "unpod": "sample_run.json",
    "retell": "sample_retell.json",
    "vapi": "sample_vapi.json",
}
"""The bundled sample of each platform, in ``analytics/data/``."""


def write_sample(path: str | Path | None = None, *, platform: str | None = None) -> Path:
    """Write the bundled sample runs as JSON.

    The Unpod sample is ``make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)`` (``indent=1``);
    the Retell and Vapi samples are the :data:`SAMPLE_CALLS` (120) calls of
    ``make_run(SAMPLE_TASKS, random_state=SAMPLE_SEED, platform=...)`` (compact JSON).

    Parameters
    ----------
    path : str or Path, optional
        Where to write one sample. By default the package's ``analytics/data/`` files:
        ``sample_run.json``, ``sample_retell.json``, ``sample_vapi.json``.
    platform : {"unpod", "retell", "vapi"}, optional
        Which sample to write. By default all three when ``path`` is None, and the Unpod
        sample when a ``path`` is given.

    Returns
    -------
    Path
        The file written (UTF-8, ending in a newline); when all three are written, the Unpod
        sample's (the others are beside it).

    Raises
    ------
    ValueError
        If ``platform`` is not one of ``"unpod"``, ``"retell"``, ``"vapi"``.

    Examples
    --------
    >>> import json, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_sample(Path(tmp) / "run.json")
    ...     json.loads(out.read_text(encoding="utf-8"))["count"]
    400
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_sample(Path(tmp) / "retell.json", platform="retell")
    ...     len(json.loads(out.read_text(encoding="utf-8")))
    120
    """
    if platform is None and path is None:
        for other in ("retell", "vapi"):
            write_sample(platform=other)
    chosen = check_platform("unpod" if platform is None else platform)
    data = Path(__file__).parents[1] / "data"
    target = Path(path) if path is not None else data / _SAMPLE_FILES[chosen]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_sample_text(chosen) + "\n", encoding="utf-8")
    return target


def _sample_text(platform: Platform) -> str:
    if platform == "unpod":
        return json.dumps(
            make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED), indent=1, ensure_ascii=False
        )
    calls = make_run(SAMPLE_TASKS, random_state=SAMPLE_SEED, platform=platform)
    return json.dumps(calls, ensure_ascii=False, separators=(",", ":"))


def load_sample(*, platform: str = "unpod", outcome_map: Mapping[str, str] | None = None) -> Run:
    """Load a run bundled with the package: Unpod's, Retell's or Vapi's.

    Parameters
    ----------
    platform : {"unpod", "retell", "vapi"}, default "unpod"
        Which sample: the 400-task Unpod run (``analytics/data/sample_run.json``), or the
        120 calls of ``sample_retell.json`` / ``sample_vapi.json`` (the same generator's
        calls in those platforms' shapes; see :func:`write_sample`).
    outcome_map : dict of str to str, optional
        Your own outcome labels (raw label -> canonical outcome), as ``load_run`` takes them.

    Returns
    -------
    Run
        ``load_run`` of the sample.

    Raises
    ------
    ValueError
        If ``platform`` is not one of ``"unpod"``, ``"retell"``, ``"vapi"``.

    Examples
    --------
    >>> run = load_sample()
    >>> len(run.tasks), run.tasks["run_id"].nunique()
    (400, 1)
    >>> mapped = load_sample(outcome_map={"Send Details": "Interested"})
    >>> int((mapped.calls["outcome"] == "Send Details").sum())
    0
    >>> retell = load_sample(platform="retell")
    >>> len(retell.calls), retell.calls["platform"].unique().tolist()
    (120, ['retell'])
    >>> load_sample(platform="zoom")
    Traceback (most recent call last):
    ...
    ValueError: platform='zoom' is not one of 'unpod', 'retell', 'vapi'; pass one of them
    """
    from analytics.load import load_run

    name = _SAMPLE_FILES[check_platform(platform)]
    data = (resources.files("analytics") / "data" / name).read_bytes()
    return load_run(data, outcome_map=outcome_map)
