"""Per-call turn-taking and talk features from the ``turns`` table, vectorised.

:func:`conversation_features` gives one row per call (``task_id``) with the metrics that
conversation-intelligence products sell (talk share, longest monologue, questions, response
gaps), defined with their industry analogues in ``docs/metrics.md`` (sections 1 to 11).
Each metric is a small function registered in :data:`METRICS`; its docstring gives
the formula, the unit, when the value is NA and the industry analogue.

Conventions shared by every metric
----------------------------------
Speakers
    Only ``agent`` and ``user`` turns take part. ``other`` turns (system, tool, transfer
    messages) are dropped first; they count only in ``n_turns`` and ``n_other_turns``.
Order and words
    Turns are taken in ``turn`` order within a call; words are the loader's ``n_words``
    (whitespace words, NA counts as 0).
Merged turns ("runs")
    Consecutive turns of one speaker joined into one.
Clock
    ``offset_s``, the loader's seconds since the call's start (else since its first timed turn).
    The platform stamps each message once. pipecat's TranscriptProcessor (behind Unpod's native
    handlers) stamps a user message when its transcription is final (near the end of the
    utterance) and an agent message when its speech starts, so the user->agent difference is
    close to the latency the caller hears.
Percentiles within a call
    ``agent_response_gap_p90_s`` and ``user_response_gap_p90_s`` are NA for a call with fewer
    than :data:`MIN_GAPS_P90` (10) gaps of that kind. A 90th percentile is an estimate once at
    least one value is expected above it (``n * (1 - 0.9) >= 1``); over fewer gaps it is an
    interpolation between the call's largest two or three. The medians (``_p50_s``) need one gap.
A timed call
    Every agent/user turn has an ``offset_s``. Time-based metrics are NA for any other call,
    never 0.
Talk time of a turn
    In a timed call, the turn's ``duration_s`` where the platform stamped its end (Vapi's
    ``endTime - time``): the exact time its speaker spoke, negative values counting as 0. A turn
    without one (``duration_s`` NA, or a ``turns`` frame without that column) keeps the rule
    from the stamps alone: the next agent/user turn's offset minus its own (negative values,
    from clocks out of order, count as 0). For the call's last turn, the call's end minus its
    offset, where the end is ``end_time - start_time`` (else ``duration_s``) of ``calls``. That
    needs ``calls`` with a known ``start_time`` (the origin of ``offset_s``) and offsets inside
    ``[0, end]``; otherwise the last turn has no talk time and is left out of every time-based
    sum.
    With pipecat-style stamps, a user turn's talk time is mostly the agent's latency and the
    user's speech falls into the agent turn before it. Compare time shares across calls of one
    handler, not across handlers. A stamped ``duration_s`` leaves out the pauses between turns,
    which the rule counts in the turn before them: a call with durations has a lower
    ``silence_share`` and a higher words per minute than the same call timed by the rule.
Response gaps
    Always from the offsets (``offset_s``), never from ``duration_s``: the difference between
    the stamps of two consecutive turns of different speakers.

Examples
--------
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> run = load_run(make_run(40, random_state=0))
>>> features = conversation_features(run.turns, calls=run.calls)
>>> len(features) == len(run.calls), features["task_id"].is_unique
(True, True)
>>> bool(features["agent_talk_share"].dropna().between(0, 1).all())
True
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from analytics._shared import call_index, dask_aware, require_columns
from analytics.schema import COUNT, MEASURE, TEXT, DtypeName, conform

__all__ = ["CONVERSATION_SCHEMA", "METRICS", "MIN_GAPS_P90", "conversation_features"]

_TURN_COLUMNS = ("task_id", "turn", "speaker", "text", "offset_s", "n_words")

Metric = Callable[["_Calls"], dict[str, np.ndarray]]

METRICS: dict[str, Metric] = {}
"""Output column -> the vectorised function computing it (see each function's docstring)."""

CONVERSATION_SCHEMA: dict[str, DtypeName] = {"task_id": TEXT}
"""Output column -> dtype of :func:`conversation_features`, in column order."""

MIN_GAPS_P90 = 10
"""Fewest gaps of a kind a call needs for its ``*_response_gap_p90_s``; NA below.

A 90th percentile is an estimate once one value is expected above it: ``n * (1 - 0.9) >= 1``.
Over 9 gaps or fewer, linear interpolation puts it between the call's largest two or three
gaps, which says which gaps were largest, not how long the call's slow replies tend to be.
"""


def _metric(**columns: DtypeName) -> Callable[[Metric], Metric]:
    """Register a metric function producing ``columns`` (name -> dtype)."""

    def register(fn: Metric) -> Metric:
        for name, dtype in columns.items():
            METRICS[name] = fn
            CONVERSATION_SCHEMA[name] = dtype
        return fn

    return register


@dataclass(frozen=True)
class _Calls:
    """Arrays shared by the metrics: agent/user turns in call order, their runs, the calls."""

    n: int  # number of calls (output rows)
    n_turns: np.ndarray  # per call: every message, ``other`` included
    code: np.ndarray  # per turn: output row of its call
    agent: np.ndarray  # per turn: True for agent, False for user
    words: np.ndarray
    text: pd.Series
    clock: np.ndarray  # per turn: offset_s, NaN unless the call is timed
    first: np.ndarray  # per turn: True on the call's first agent/user turn
    last: np.ndarray  # per turn: True on its last
    talk: np.ndarray  # per turn: talk time in s (stamped, else by rule), NaN when unknown
    run_code: np.ndarray  # per merged run: output row of its call
    run_agent: np.ndarray
    run_words: np.ndarray
    duration_s: np.ndarray  # per call, NaN when unknown
    backchannel_max_words: int
    speech_rate_wpm: float


# --- helpers --------------------------------------------------------------------------------


def _changes(*keys: np.ndarray) -> np.ndarray:
    """True where any key differs from the previous row, and at row 0."""
    out = np.ones(len(keys[0]), dtype=bool)
    out[1:] = np.logical_or.reduce([key[1:] != key[:-1] for key in keys])
    return out


def _previous(values: np.ndarray) -> np.ndarray:
    """``values`` shifted down one row, NaN first."""
    return np.concatenate(([np.nan], values[:-1]))[: len(values)]


def _at_ends(
    values: np.ndarray, first: np.ndarray, last: np.ndarray, codes: np.ndarray, n: int, fill: object
) -> tuple[np.ndarray, np.ndarray]:
    """Per call, ``values`` at its first and at its last row (``fill`` for calls without rows)."""
    heads = np.full(n, fill, dtype=values.dtype)
    tails = np.full(n, fill, dtype=values.dtype)
    heads[codes[first]] = values[first]
    tails[codes[last]] = values[last]
    return heads, tails


def _sum(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per-call sums of ``values`` (float)."""
    return np.bincount(codes, weights=values, minlength=n)


def _count(mask: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per-call number of True rows."""
    return np.bincount(codes[mask], minlength=n)


def _max(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per-call maxima of non-negative ``values``; 0 for calls without rows."""
    out = np.zeros(n)
    np.maximum.at(out, codes, values)
    return out


def _quantile(
    values: np.ndarray, codes: np.ndarray, n: int, q: float, min_n: int = 1
) -> np.ndarray:
    """Per-call ``q`` quantile (linear interpolation); NaN for calls with fewer than ``min_n``."""
    grouped = pd.Series(values).groupby(codes)
    per_call = grouped.quantile(q).where(grouped.count() >= min_n)
    return per_call.reindex(range(n)).to_numpy(dtype=float)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, NaN where ``den`` is 0 or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _side(p: _Calls, agent: bool) -> np.ndarray:
    """Turn mask of one side."""
    return p.agent if agent else ~p.agent


# --- metrics --------------------------------------------------------------------------------


@_metric(n_turns=COUNT, n_agent_turns=COUNT, n_user_turns=COUNT, n_other_turns=COUNT)
def _turn_counts(p: _Calls) -> dict[str, np.ndarray]:
    """Messages per call and per speaker.

    ``n_turns`` counts every message (``other`` included), ``n_other_turns`` the system/tool
    ones left out of every other metric. Unit: messages, before merging. Never NA (0 for an
    empty transcript). Analogue: message counts of ConvoKit / team-comm-tools.
    """
    n_agent = _count(p.agent, p.code, p.n)
    n_user = _count(~p.agent, p.code, p.n)
    return {
        "n_turns": p.n_turns,
        "n_agent_turns": n_agent,
        "n_user_turns": n_user,
        "n_other_turns": p.n_turns - n_agent - n_user,
    }


@_metric(agent_words=COUNT, user_words=COUNT, agent_talk_share=MEASURE)
def _words(p: _Calls) -> dict[str, np.ndarray]:
    """Words per side and the agent's share of them.

    ``agent_talk_share = agent_words / (agent_words + user_words)``, a fraction in [0, 1];
    NA when neither side said a word. Analogue: the text fallback of Gong's talk ratio
    (edu-convokit ``get_talktime(analysis_unit="words")``); available without timestamps.
    """
    agent = _sum(p.words * p.agent, p.code, p.n)
    user = _sum(p.words * ~p.agent, p.code, p.n)
    return {
        "agent_words": agent,
        "user_words": user,
        "agent_talk_share": _ratio(agent, agent + user),
    }


@_metric(agent_talk_share_time=MEASURE, agent_wpm=MEASURE, user_wpm=MEASURE, silence_share=MEASURE)
def _talk_time(p: _Calls) -> dict[str, np.ndarray]:
    """Time shares and speech rates from the talk time of each turn (module docstring).

    - ``agent_talk_share_time`` = agent talk time / (agent + user talk time), a fraction.
      Analogue: Gong talk ratio, VoiceBase ``agent-talk-ratio``, Amazon Connect
      ``PERCENT_TALK_TIME_AGENT`` (which divides by the whole call instead).
    - ``agent_wpm``, ``user_wpm`` = 60 * words / talk time (s) of that side's turns with a known
      talk time; words per minute of holding the floor, pauses included (those between turns
      only where the talk time comes from the offsets). Analogue: AWS talk speed.
    - ``silence_share`` = sum of max(0, talk time - 60 * words / ``speech_rate_wpm``) / total
      talk time: the share of the timed call left after the words' estimated speaking time, an
      *estimate* of dead air (no word timings are used). Analogue: VoiceBase
      ``silence-ratio``, Google CCAI ``silencePercentage``.

    NA for calls that are not timed, and when the denominator is 0.
    """
    known = ~np.isnan(p.talk)
    talk = np.where(known, p.talk, 0.0)
    words = np.where(known, p.words, 0)
    speaking = 60.0 * words / p.speech_rate_wpm
    agent_t, user_t = (_sum(talk * _side(p, a), p.code, p.n) for a in (True, False))
    agent_w, user_w = (_sum(words * _side(p, a), p.code, p.n) for a in (True, False))
    silence = _sum(np.clip(talk - speaking, 0, None), p.code, p.n)
    return {
        "agent_talk_share_time": _ratio(agent_t, agent_t + user_t),
        "agent_wpm": _ratio(60.0 * agent_w, agent_t),
        "user_wpm": _ratio(60.0 * user_w, user_t),
        "silence_share": _ratio(silence, agent_t + user_t),
    }


@_metric(switches=COUNT, switches_per_min=MEASURE)
def _switches(p: _Calls) -> dict[str, np.ndarray]:
    """Speaker changes after merging consecutive same-speaker turns.

    ``switches`` = number of merged runs - 1 (0 for an empty or one-sided call); a
    backchannel counts as a switch. ``switches_per_min`` = switches / minutes, minutes from
    ``calls.duration_s`` when it is > 0, else the span of the turns' offsets (first to last
    turn, slightly short of the call); NA when neither is known and > 0. Analogue: Gong
    "interactivity"; ``docs/metrics.md``, section 5.
    """
    runs = np.bincount(p.run_code, minlength=p.n)
    switches = np.clip(runs - 1, 0, None)
    first, last = _at_ends(p.clock, p.first, p.last, p.code, p.n, np.nan)
    minutes = np.where(p.duration_s > 0, p.duration_s, last - first) / 60.0
    return {"switches": switches, "switches_per_min": _ratio(switches, minutes)}


def _longest(p: _Calls, agent: bool) -> np.ndarray:
    """Per call, the most words one side says in runs not broken by a long run of the other."""
    other_side = p.run_agent != agent
    breaks = (other_side & (p.run_words > p.backchannel_max_words)) | _changes(p.run_code)
    group = np.cumsum(breaks) - 1
    mine = np.bincount(group, weights=np.where(other_side, 0.0, p.run_words))
    return _max(mine, p.run_code[breaks], p.n)


@_metric(longest_agent_monologue_words=COUNT, longest_user_story_words=COUNT)
def _monologues(p: _Calls) -> dict[str, np.ndarray]:
    """Longest monologue (agent) and longest story (user), in words.

    The most words of one side over consecutive merged runs, where a run of the other side
    with at most ``backchannel_max_words`` words ("ok", "mm-hmm") does not break it (its words
    are not counted). 0 when the side never speaks; never NA. Analogue: Gong "longest
    monologue" / "longest customer story" (seconds there; words here, since most platforms
    stamp no end times).
    """
    return {
        "longest_agent_monologue_words": _longest(p, agent=True),
        "longest_user_story_words": _longest(p, agent=False),
    }


@_metric(agent_questions=COUNT, user_questions=COUNT)
def _questions(p: _Calls) -> dict[str, np.ndarray]:
    """Questions asked per side: sentences ending in ``?``.

    Counted as runs of ``?`` in the text, so ``"what??"`` is one question and ``"Really? Why?"``
    two. Unit: questions; 0 when none, never NA. Analogue: Gong question rate, CANDOR
    ``questions``.
    """
    questions = p.text.str.count(r"\?+").fillna(0).to_numpy(dtype="int64")
    return {
        "agent_questions": _sum(questions * p.agent, p.code, p.n),
        "user_questions": _sum(questions * ~p.agent, p.code, p.n),
    }


@_metric(
    agent_response_gap_p50_s=MEASURE,
    agent_response_gap_p90_s=MEASURE,
    user_response_gap_p50_s=MEASURE,
    user_response_gap_p90_s=MEASURE,
    overlaps=COUNT,
)
def _response_gaps(p: _Calls) -> dict[str, np.ndarray]:
    """Response gaps at speaker changes, from the message stamps.

    At each change between consecutive agent/user turns (not merged), gap = offset of the new
    speaker's turn - offset of the turn just before it, in seconds, not clipped.
    ``agent_response_gap_p50_s`` / ``_p90_s`` are the median and 90th percentile (linear
    interpolation) over user->agent changes: the agent's latency as heard (see the module
    docstring on stamps); ``user_response_gap_*`` the same over agent->user changes.
    ``overlaps`` = changes whose gap is <= 0, the new speaker stamped no later than the turn
    before (a lower bound on overtalk without end times). NA for calls that are not timed, for
    the medians calls without such a change, and for the 90th percentiles calls with fewer than
    :data:`MIN_GAPS_P90` (10) such changes (module docstring). Analogue: Retell ``latency.e2e``
    p50/p90, Gong "patience", CANDOR ``interval`` / ``overlap``, VoiceBase
    ``overtalk-incidents``.
    """
    change = ~p.first & _changes(p.agent) & ~np.isnan(p.clock)
    gap = p.clock - _previous(p.clock)
    to_agent = change & p.agent
    to_user = change & ~p.agent
    timed = _count(~np.isnan(p.clock), p.code, p.n) > 0
    overlaps = _count(change & (gap <= 0), p.code, p.n)
    agent, user = (gap[to_agent], p.code[to_agent]), (gap[to_user], p.code[to_user])
    return {
        "agent_response_gap_p50_s": _quantile(*agent, p.n, 0.5),
        "agent_response_gap_p90_s": _quantile(*agent, p.n, 0.9, MIN_GAPS_P90),
        "user_response_gap_p50_s": _quantile(*user, p.n, 0.5),
        "user_response_gap_p90_s": _quantile(*user, p.n, 0.9, MIN_GAPS_P90),
        "overlaps": np.where(timed, overlaps, np.nan),
    }


@_metric(first_speaker=TEXT, last_speaker=TEXT)
def _speakers(p: _Calls) -> dict[str, np.ndarray]:
    """Who spoke first and who spoke last: ``"agent"`` or ``"user"``.

    NA when the call has no agent/user turn. A call whose last word is the user's often means
    the agent never answered (a hang-up or a dropped turn). Analogue: the end reasons platforms
    report (Retell ``disconnection_reason``, Vapi ``endedReason``); ``docs/metrics.md``, section 9.
    """
    label = np.where(p.agent, "agent", "user").astype(object)
    first, last = _at_ends(label, p.first, p.last, p.code, p.n, None)
    return {"first_speaker": first, "last_speaker": last}


@_metric(agent_backchannels=COUNT, user_backchannels=COUNT)
def _backchannels(p: _Calls) -> dict[str, np.ndarray]:
    """Short acknowledgements per side: merged runs of 1 to ``backchannel_max_words`` words.

    These are the runs that do not break the other side's monologue. Unit: runs; never NA.
    Analogue: revenue.io and Gong treat "yes", "got it" as backchannels, not interruptions;
    many user backchannels signal an engaged listener.
    """
    short = (p.run_words >= 1) & (p.run_words <= p.backchannel_max_words)
    return {
        "agent_backchannels": _count(short & p.run_agent, p.run_code, p.n),
        "user_backchannels": _count(short & ~p.run_agent, p.run_code, p.n),
    }


@_metric(agent_repeats=COUNT)
def _repeats(p: _Calls) -> dict[str, np.ndarray]:
    """Agent turns that repeat an earlier agent turn of the call word for word.

    Texts are compared lower-cased with outer whitespace stripped; empty and NA texts are
    ignored. Unit: turns; never NA. A voice agent that loops ("Sorry, could you repeat that?")
    is a failure mode the other metrics miss. Analogue: no vendor field; it counts what a QA
    reviewer listens for.
    """
    key = p.text[p.agent].str.lower().str.strip()
    usable = (key.str.len() > 0).to_numpy(dtype=bool, na_value=False)
    pairs = pd.DataFrame({"code": p.code[p.agent][usable], "key": pd.factorize(key[usable])[0]})
    repeated = pairs.duplicated().to_numpy(dtype=bool)
    return {"agent_repeats": np.bincount(pairs["code"][repeated], minlength=p.n)}


# --- preparation ----------------------------------------------------------------------------


def _call_seconds(calls: pd.DataFrame | None, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Per output row: the call's duration in s and its end on the ``offset_s`` clock."""
    if calls is None:
        return np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    keyed = calls.assign(task_id=calls["task_id"].astype(TEXT)).drop_duplicates("task_id")
    frame = keyed.set_index("task_id").reindex(ids)
    duration = _float(frame, "duration_s")
    start, end = (_seconds(frame, c) for c in ("start_time", "end_time"))
    end_offset = np.where(np.isnan(end - start), duration, end - start)
    return duration, np.where(np.isnan(start), np.nan, end_offset)


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as float with NaN for NA (all NaN when absent)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column]).to_numpy(dtype=float, na_value=np.nan)


def _seconds(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A timestamp column as float seconds since the epoch, NaN for NaT or when absent."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    stamps = pd.to_datetime(frame[column], utc=True)
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(float, na_value=np.nan)


def _talk_times(
    code: np.ndarray, clock: np.ndarray, first: np.ndarray, last: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Per turn: next turn's offset - own; the call's end for the last turn (NaN if unusable)."""
    following = np.concatenate((clock[1:], [np.nan]))[: len(clock)]
    opening, _ = _at_ends(clock, first, last, code, len(end), np.nan)
    latest = pd.Series(clock).groupby(code).max().reindex(range(len(end))).to_numpy(float)
    inside = (opening >= 0) & (latest <= end)
    following[last] = np.where(inside[code[last]], end[code[last]], np.nan)
    talk: np.ndarray = np.clip(following - clock, 0, None)
    return talk


def _stamped_talk(turns: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """``duration_s`` of each kept turn, negatives as 0; NaN where NA or without the column."""
    if "duration_s" not in turns:
        return np.full(len(rows), np.nan)
    stamped: np.ndarray = turns["duration_s"].to_numpy(dtype=float, na_value=np.nan)[rows]
    clipped: np.ndarray = np.clip(stamped, 0, None)
    return clipped


def _exact_where_stamped(talk: np.ndarray, stamped: np.ndarray, clock: np.ndarray) -> np.ndarray:
    """``stamped`` where known in a timed call (``clock`` known), else the rule's ``talk``."""
    exact: np.ndarray = np.where(np.isnan(stamped) | np.isnan(clock), talk, stamped)
    return exact


def _spoken_rows(turns: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the agent/user turns in call-then-turn order, and which are the agent's."""
    order = np.lexsort((turns["turn"].to_numpy(dtype=float, na_value=np.inf), codes))
    speaker = turns["speaker"].iloc[order]
    is_agent = speaker.eq("agent").to_numpy(dtype=bool, na_value=False)
    keep = is_agent | speaker.eq("user").to_numpy(dtype=bool, na_value=False)
    return order[keep], is_agent[keep]


def _timed_clock(turns: pd.DataFrame, rows: np.ndarray, code: np.ndarray, n: int) -> np.ndarray:
    """``offset_s`` of each kept turn; NaN throughout a call where any of them lacks one."""
    clock: np.ndarray = turns["offset_s"].to_numpy(dtype=float, na_value=np.nan)[rows]
    clock[(_count(np.isnan(clock), code, n) > 0)[code]] = np.nan
    return clock


def _prepare(
    turns: pd.DataFrame, calls: pd.DataFrame | None, backchannel_max_words: int, rate: float
) -> tuple[_Calls, pd.Index]:
    """Sort ``turns`` by call and turn, keep agent/user turns, derive the shared arrays."""
    ids, codes = call_index(turns, calls)
    rows, agent = _spoken_rows(turns, codes)
    code = codes[rows]
    clock = _timed_clock(turns, rows, code, len(ids))
    first = _changes(code)
    last = np.concatenate((first[1:], [True]))[: len(code)]
    duration, end = _call_seconds(calls, ids)
    words = turns["n_words"].to_numpy(dtype="int64", na_value=0)[rows]
    run_start = _changes(code, agent)
    prepared = _Calls(
        n=len(ids),
        n_turns=np.bincount(codes, minlength=len(ids)),
        code=code,
        agent=agent,
        words=words,
        text=turns["text"].iloc[rows].astype(TEXT).reset_index(drop=True),
        clock=clock,
        first=first,
        last=last,
        talk=_exact_where_stamped(
            _talk_times(code, clock, first, last, end), _stamped_talk(turns, rows), clock
        ),
        run_code=code[run_start],
        run_agent=agent[run_start],
        run_words=np.bincount(np.cumsum(run_start) - 1, weights=words, minlength=run_start.sum()),
        duration_s=duration,
        backchannel_max_words=backchannel_max_words,
        speech_rate_wpm=rate,
    )
    return prepared, ids


# --- public ---------------------------------------------------------------------------------


def _check_options(
    features: Iterable[str] | None, backchannel_max_words: object, rate: object
) -> list[str]:
    """Validate the options (whatever their type); return the selected metric columns."""
    words = backchannel_max_words
    if isinstance(words, bool) or not isinstance(words, numbers.Integral) or words < 0:
        raise ValueError(f"backchannel_max_words={words!r} must be an int >= 0 (e.g. 2)")
    # cast: typeshed's numbers.Real declares only < and <= (as the ABC does), but every Real
    # has >; and `not rate > 0` rejects NaN too, which `rate <= 0` would let through
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not cast(float, rate) > 0:
        raise ValueError(f"speech_rate_wpm={rate!r} must be a number > 0 (e.g. 150)")
    if features is None:
        return list(METRICS)
    if isinstance(features, str):
        raise ValueError(f"features={features!r} must be a list of names, e.g. [{features!r}]")
    features = list(features)  # read once: an iterator would be empty the second time
    unknown = [f for f in features if f not in METRICS]
    if unknown:
        raise ValueError(f"unknown features {unknown!r}; choose from {list(METRICS)}")
    return [c for c in METRICS if c in set(features)]


@dask_aware
def conversation_features(
    turns: pd.DataFrame,
    *,
    calls: pd.DataFrame | None = None,
    features: Iterable[str] | None = None,
    backchannel_max_words: int = 2,
    speech_rate_wpm: float = 150.0,
) -> pd.DataFrame:
    """Turn-taking and talk metrics, one row per call.

    Parameters
    ----------
    turns : DataFrame
        ``run.turns`` (``schema.TURNS_SCHEMA``); uses ``task_id, turn, speaker, text, offset_s,
        n_words``, and ``duration_s`` when present (the platform's talk time of a turn; a frame
        without it works, every talk time then coming from the offsets). Not modified.
    calls : DataFrame, optional
        ``run.calls``. When given, every call of it gets a row (a call without turns has zero
        counts and NA shares), and its ``duration_s``, ``start_time`` and ``end_time`` give
        ``switches_per_min`` and the last turn's talk time.
    features : list of str, optional
        Metric columns to compute (names of :data:`METRICS`); all by default.
    backchannel_max_words : int, default 2
        A run of the other side with at most this many words does not break a monologue.
    speech_rate_wpm : float, default 150
        Assumed speaking rate behind the ``silence_share`` estimate.

    Returns
    -------
    DataFrame
        ``task_id`` and the metric columns (:data:`CONVERSATION_SCHEMA`), one row per call,
        sorted by ``task_id``, with a fresh RangeIndex. Definitions are in each metric's
        docstring (``help(METRICS["switches"])``) and the module docstring.

    Raises
    ------
    TypeError
        ``turns`` or ``calls`` is not a DataFrame.
    ValueError
        A required column is missing, a ``task_id`` is NA, or an option is out of range.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(20, random_state=1))
    >>> out = conversation_features(run.turns, calls=run.calls, features=["switches"])
    >>> list(out.columns), len(out) == len(run.calls)
    (['task_id', 'switches'], True)
    >>> list(conversation_features(run.turns, features=iter(["overlaps", "switches"])).columns)
    ['task_id', 'switches', 'overlaps']
    """
    columns = _check_options(features, backchannel_max_words, speech_rate_wpm)
    require_columns(turns, _TURN_COLUMNS, name="turns", fix="pass run.turns", key="task_id")
    if calls is not None:
        require_columns(calls, ["task_id"], key="task_id")
    prepared, ids = _prepare(turns, calls, int(backchannel_max_words), float(speech_rate_wpm))
    out: dict[str, object] = {"task_id": ids.to_numpy()}
    for metric in dict.fromkeys(METRICS[c] for c in columns):
        out.update(metric(prepared))
    frame = pd.DataFrame({c: out[c] for c in ["task_id", *columns]})
    return conform(frame, {c: CONVERSATION_SCHEMA[c] for c in frame.columns})


@dask_aware
def feature_summary(
    features: pd.DataFrame,
    *,
    by: str = "assignee",
    calls: pd.DataFrame | None = None,
    columns: Iterable[str] | None = None,
    counts: bool = False,
) -> pd.DataFrame:
    """The median of each feature per group, with the number of calls it is taken over.

    Parameters
    ----------
    features : DataFrame
        The frame of :func:`conversation_features` (one row per ``task_id``).
    by : str, default "assignee"
        A column of ``features``, or of ``calls`` (joined on ``task_id``).
    calls : DataFrame, optional
        ``run.calls``, where ``by`` is looked up when ``features`` lacks it.
    columns : list of str, optional
        The numeric features to summarise; default every numeric column.
    counts : bool, default False
        Follow each median with ``n_<column>``, the calls of the group with a value of it,
        which is below ``n_calls`` for features that can be NA (time-based metrics of
        untimed calls, ``*_response_gap_p90_s`` of calls with fewer than
        :data:`MIN_GAPS_P90` gaps).

    Returns
    -------
    DataFrame
        One row per group (sorted, a missing group value last): ``n_calls`` (the group's rows
        of ``features``) and the median of each column over the calls that have a value; NA,
        never a number, when no call of the group has one. ``n_<column>`` (Int64) after each
        median with ``counts=True``.

    Notes
    -----
    Every row of ``features`` counts. To cover only real conversations, pass only their rows,
    e.g. ``features[features["task_id"].isin(calls.loc[calls["has_conversation"], "task_id"])]``:
    a call nobody answered has 0 words and would pull word medians towards 0.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(60, random_state=0))
    >>> table = feature_summary(conversation_features(run.turns, calls=run.calls),
    ...                         calls=run.calls, columns=["agent_talk_share"])
    >>> list(table.columns)
    ['assignee', 'n_calls', 'agent_talk_share']

    A median over no call is NA; ``counts=True`` shows how many calls each median is over:

    >>> frame = pd.DataFrame({"task_id": ["a", "b", "c"], "assignee": ["x", "x", "y"],
    ...                       "gap": pd.array([1.0, 3.0, None], dtype="Float64")})
    >>> feature_summary(frame, counts=True)
      assignee  n_calls   gap  n_gap
    0        x        2   2.0      2
    1        y        1  <NA>      0
    """
    if by not in features:
        lookup = require_columns(
            calls if calls is not None else pd.DataFrame(),
            ["task_id", by],
            fix=f"pass calls=run.calls so that {by!r} can be looked up by task_id",
        )
        features = features.merge(lookup[["task_id", by]], on="task_id", how="left")
    numeric = features.drop(columns=[by]).select_dtypes("number").columns
    chosen = list(numeric if columns is None else columns)
    require_columns(features, chosen, name="features", fix="name columns of conversation_features")
    return _medians(features, by, chosen, counts)


def _medians(features: pd.DataFrame, by: str, chosen: list[str], counts: bool) -> pd.DataFrame:
    """``n_calls``, then per column its median (and ``n_<column>`` with ``counts``)."""
    grouped = features.groupby(by, sort=True, dropna=False)
    table = grouped[chosen].median().astype(MEASURE).assign(n_calls=grouped.size())
    order = ["n_calls", *chosen]
    if counts:
        table = table.join(grouped[chosen].count().astype(COUNT).add_prefix("n_"))
        order = ["n_calls", *(name for c in chosen for name in (c, f"n_{c}"))]
    return table[order].reset_index()
