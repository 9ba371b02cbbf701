"""The review queue: the calls of a run most worth a human listen, ranked, with the moment to hear.

:func:`review_queue` checks every call for the signals of :data:`REVIEW_SIGNALS` (slow agent
replies, agent loops, opt-out or complaint words, an outcome label the transcript contradicts,
very short connected calls, a low success score, data-quality findings), scores each call by
the weighted sum of its signals (:data:`WEIGHTS`), and returns the top ``n`` with the turn of
the worst moment and a transcript excerpt around it.

A call's score depends on that call alone (its own turns, fields and quality findings), never
on the other calls of the run, so the queue of a run equals the top ``n`` of the queues of
its parts merged by score: runs can be ranked one by one, or partition by partition.

Thresholds are module constants: :data:`SLOW_GAP_S`, :data:`SLOW_CAP`, :data:`LOOP_REPEATS`,
:data:`LOOP_MIN_WORDS`, :data:`SHORT_CALL_S`, :data:`LOW_SCORE`; the words searched are
:data:`REVIEW_LEXICONS`. ``docs/review.md`` explains each choice for users.

Examples
--------
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> queue = review_queue(load_run(make_run(60, random_state=0)), n=5)
>>> list(queue.columns[:4]), queue["rank"].tolist()
(['rank', 'score', 'slow_response', 'agent_loop'], [1, 2, 3, 4, 5])
>>> bool(queue["score"].is_monotonic_decreasing)
True
"""

from __future__ import annotations

import logging
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics._shared import check_known, dask_aware, require_columns, text_list
from analytics.load import Run
from analytics.schema import COUNT, FLAG, MEASURE, TEXT, DtypeName, conform
from analytics.stats.quality import quality_checks
from analytics.text.keywords import BUILTIN_LEXICONS, lexicon_pattern

__all__ = [
    "LOOP_MIN_WORDS",
    "LOOP_REPEATS",
    "LOW_SCORE",
    "REVIEW_LEXICONS",
    "REVIEW_SCHEMA",
    "REVIEW_SIGNALS",
    "SHORT_CALL_S",
    "SLOW_CAP",
    "SLOW_GAP_S",
    "WEIGHTS",
    "merge_queues",
    "review_queue",
]

logger = logging.getLogger(__name__)

SLOW_GAP_S = 4.0
"""Seconds from a caller's turn to the agent's reply at or above which a reply is slow.

People leave a few hundred milliseconds between turns, and voice agents aim for about one
second. At four seconds, several times that, callers commonly ask "hello?", talk over the agent
or hang up; below it a slow model call or a long tool call is an annoyance, not a failure."""

SLOW_CAP = 2.0
"""The ``slow_response`` points stop growing at ``SLOW_CAP`` times :data:`SLOW_GAP_S` (8 s).

A longer pause is no worse to hear, and a message stamped late by a clock error must not
outrank a caller who asked never to be called again."""

LOOP_REPEATS = 3
"""How often one agent sentence must occur in a call to be a loop. Twice can be a deliberate
restatement ("could you repeat that?" once per mishearing); three times is an agent stuck."""

LOOP_MIN_WORDS = 3
"""Shortest sentence, in words, that counts for a loop: "Okay.", "Sure." or "Thank you." said
three times is ordinary politeness, not a loop."""

SHORT_CALL_S = 5.0
"""A connected call shorter than this many seconds: the caller hung up on the greeting, or
the line dropped. Five seconds is about the length of a greeting sentence."""

LOW_SCORE = 3.0
"""A ``success_score`` (1-10) at or below this is a low score: the bottom fifth of the scale,
the platform's own evaluator calling the call a failure."""

EXCERPT_TURNS = 2
"""Turns shown either side of the moment in ``excerpt``."""

EXCERPT_CHARS = 160
"""Characters of one turn shown in ``excerpt``, cut at a word boundary (``...`` marks a cut)."""

WEIGHTS: dict[str, float] = {
    "slow_response": 2.0,
    "agent_loop": 2.0,
    "opt_out": 3.0,
    "mislabelled": 3.0,
    "short_call": 1.0,
    "low_score": 1.0,
    "data_quality": 1.0,
}
"""Points a signal adds to a call's ``score``.

Opt-outs (a legal obligation) and mislabelled outcomes (a lost or miscounted lead) weigh most;
loops and slow replies are the agent's failures a listen diagnoses; short calls, low scores
and data findings are weaker hints. ``slow_response`` adds its weight times
``min(gap / SLOW_GAP_S, SLOW_CAP)``: 2 points at 4 s, 3 at 6 s, at most 4 from 8 s."""

REVIEW_SIGNALS: dict[str, str] = {
    "slow_response": f"the agent's longest reply gap (caller turn to the next agent turn) is "
    f"{SLOW_GAP_S:g} s or more",
    "agent_loop": f"the agent says the same sentence (of {LOOP_MIN_WORDS}+ words, compared "
    f"lower-cased without punctuation) {LOOP_REPEATS} or more times in the call",
    "opt_out": "a caller turn holds opt-out or complaint words (REVIEW_LEXICONS 'opt_out', "
    "'complaint')",
    "mislabelled": "the outcome is 'Not Interested' (or 'Not Connected' on a call with a "
    "conversation) but the caller asked about the price and about booking, or asked for a "
    "call back, without opting out",
    "short_call": f"a connected call lasting under {SHORT_CALL_S:g} s",
    "low_score": f"success_score is {LOW_SCORE:g} or less (1-10 scale)",
    "data_quality": "the task has a quality_checks finding",
}
"""The signals of :func:`review_queue`, in column order, each with its rule and threshold."""

_MOMENT_ORDER = ("opt_out", "mislabelled", "agent_loop", "slow_response")
"""Signals with a turn, strongest first (by :data:`WEIGHTS`): ``moment_turn`` is the turn of
the first of them that fired."""

_SOFT_OPT_OUTS = frozenset({"not interested", "no longer interested"})
"""Builtin opt-out terms left out: a polite "not interested" ends most calls of an outbound
campaign and is what the outcome records; it is not a request to stop calling."""

REVIEW_LEXICONS: dict[str, tuple[str, ...]] = {
    "opt_out": tuple(t for t in BUILTIN_LEXICONS["opt_out"] if t not in _SOFT_OPT_OUTS),
    "complaint": (
        "complaint",
        "complain",
        "harassment",
        "harassing",
        "scam",
        "scammer",
        "fraud",
        "spam",
        "rude",
        "report you",
        "speak to your manager",
        "talk to your manager",
        "speak to your supervisor",
        "how did you get my number",
        "stop bothering me",
        "leave me alone",
        "waste of my time",
    ),
    "price": BUILTIN_LEXICONS["price"],
    "booking": (
        "book",
        "booking",
        "book a demo",
        "demo",
        "appointment",
        "schedule",
        "sign up",
        "sign me up",
        "register",
        "enrol",
        "enroll",
        "reserve",
        "slot",
        "site visit",
        "free trial",
    ),
    "callback": BUILTIN_LEXICONS["callback"],
}
"""The words the signals search in the caller's turns (case-insensitive, whole words).

``opt_out`` and ``complaint`` make the ``opt_out`` signal; ``price``, ``booking`` and
``callback`` are the interest evidence of ``mislabelled``, and ``opt_out`` also vetoes it.
``opt_out``, ``price`` and ``callback`` are :data:`~analytics.text.keywords.BUILTIN_LEXICONS`
(without "not interested" in ``opt_out``)."""

REVIEW_SCHEMA: dict[str, DtypeName] = {
    "rank": COUNT,
    "score": MEASURE,
    **dict.fromkeys(REVIEW_SIGNALS, FLAG),
    "reasons": TEXT,
    "task_id": TEXT,
    "call_id": TEXT,
    "run_id": TEXT,
    "assignee": TEXT,
    "outcome": TEXT,
    "duration_s": MEASURE,
    "recording_url": TEXT,
    "moment_turn": COUNT,
    "excerpt": TEXT,
}
"""Columns of :func:`review_queue` and their dtypes, in order."""

_CALL_COLUMNS = (
    "task_id",
    "call_id",
    "run_id",
    "assignee",
    "outcome",
    "duration_s",
    "recording_url",
    "connected",
    "has_conversation",
    "success_score",
)
_TURN_COLUMNS = ("task_id", "turn", "speaker", "text", "offset_s")
_PUNCTUATION = r"[!-/:-@\[-`{-~“”‘’…–—«»¡¿]"  # noqa: RUF001 (typographic quotes on purpose)
"""ASCII punctuation and its common typographic forms; explicit, because the regex engines
pandas may use (pyarrow's RE2, Python's re) disagree on ``\\w`` outside ASCII."""
_SENTENCE_END = r"[.!?।]+"

Found = pd.DataFrame
"""A signal's result: indexed by ``task_id`` (the calls where it fires), ``points`` and ``turn``
(the moment, NaN for a call-level signal)."""


# --- inputs ---------------------------------------------------------------------------------


def _tables(run: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The calls and the agent/user turns (sorted by call and turn) of ``run``, checked."""
    if not isinstance(run, Run):
        raise TypeError(
            f"run must be a Run, got {type(run).__name__!r}; pass load_run(...) or "
            "Dataset.load(...), not one of its tables"
        )
    fix = "load the run with this version of load_run"
    calls = require_columns(run.calls, _CALL_COLUMNS, fix=fix, key="task_id")
    calls = calls.reset_index(drop=True)
    turns = require_columns(run.turns, _TURN_COLUMNS, name="turns", fix=fix, key="task_id")
    spoken = turns.loc[turns["speaker"].isin(["agent", "user"]).to_numpy(bool), _TURN_COLUMNS]
    spoken = spoken.astype({"task_id": TEXT, "speaker": TEXT, "text": TEXT})
    return calls, spoken.sort_values(["task_id", "turn"], kind="stable", ignore_index=True)


def _check_n(n: object) -> int:
    """``n`` if it is a whole number of calls, 1 or more."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n={n!r} must be a whole number of calls, e.g. 20")
    if n < 1:
        raise ValueError(f"n={n!r} must be 1 or more: the number of calls to list")
    return int(n)


def _chosen(reasons: str | Iterable[str] | None) -> list[str]:
    """The signals asked for, in :data:`REVIEW_SIGNALS` order."""
    if reasons is None:
        return list(REVIEW_SIGNALS)
    names = text_list(reasons, "reasons") or []
    if not names:
        raise ValueError(f"reasons={reasons!r} selects no signal; pass None for all of them")
    check_known(names, REVIEW_SIGNALS, what="signal", where="REVIEW_SIGNALS")
    return [s for s in REVIEW_SIGNALS if s in names]


def _pattern(name: str, terms: object) -> re.Pattern[str] | None:
    """One lexicon compiled; None (matches nothing) for an empty one."""
    if isinstance(terms, str) or not isinstance(terms, Iterable):
        raise TypeError(f"lexicon {name!r} must be a list of terms, got {terms!r}; wrap it: [...]")
    words = list(terms)
    bad = [t for t in words if not isinstance(t, str) or not t.strip()]
    if bad:
        raise ValueError(f"lexicon {name!r} holds {bad[0]!r}; every term must be non-empty text")
    return lexicon_pattern(words) if words else None


def _patterns(lexicons: Mapping[str, Iterable[str]] | None) -> dict[str, re.Pattern[str] | None]:
    """:data:`REVIEW_LEXICONS` compiled, with the entries of ``lexicons`` of the same names."""
    if lexicons is not None and not isinstance(lexicons, Mapping):
        raise TypeError(
            f"lexicons must be a dict {{name: [term, ...]}}, got {lexicons!r}; "
            f"its names may be {', '.join(REVIEW_LEXICONS)}"
        )
    given = dict(lexicons or {})
    unused = [k for k in given if k not in REVIEW_LEXICONS]
    if unused:
        logger.debug("review_queue ignores the lexicons %s (it uses %s)", unused, REVIEW_LEXICONS)
    merged = {name: given.get(name, terms) for name, terms in REVIEW_LEXICONS.items()}
    return {name: _pattern(name, terms) for name, terms in merged.items()}


# --- signals --------------------------------------------------------------------------------


def _flag(values: pd.Series) -> np.ndarray:
    """A boolean-like column as a numpy bool array, NA as False."""
    return values.astype(FLAG).to_numpy(dtype=bool, na_value=False)


def _first_turns(rows: pd.DataFrame, points: float) -> Found:
    """Per call of ``rows`` (sorted by call and turn): the first row's turn, with ``points``."""
    first = rows.drop_duplicates("task_id")
    turn = first["turn"].to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame({"points": points, "turn": turn}, index=pd.Index(first["task_id"]))


def _call_level(calls: pd.DataFrame, mask: np.ndarray, points: float) -> Found:
    ids = pd.Index(calls["task_id"].astype(TEXT)[mask]).unique()
    return pd.DataFrame({"points": points, "turn": np.nan}, index=ids)


class _Evidence:
    """What the signals read: the checked tables and the lexicon matches of caller turns."""

    def __init__(
        self,
        run: Run,
        tables: tuple[pd.DataFrame, pd.DataFrame],
        patterns: dict[str, re.Pattern[str] | None],
    ) -> None:
        self.run = run
        self.calls, self.spoken = tables
        self.patterns = patterns

    @cached_property
    def caller(self) -> pd.DataFrame:
        """Caller turns, with one boolean column per lexicon of :data:`REVIEW_LEXICONS`."""
        turns = self.spoken[_flag(self.spoken["speaker"].eq("user"))]
        hits = {name: self._matches(turns["text"], p) for name, p in self.patterns.items()}
        return turns.assign(**hits)

    @staticmethod
    def _matches(text: pd.Series, pattern: re.Pattern[str] | None) -> np.ndarray:
        if pattern is None:
            return np.zeros(len(text), dtype=bool)
        # cast: pandas-stubs types ``pat`` as str; pandas takes a compiled pattern and its flags
        return text.str.contains(cast(str, pattern)).to_numpy(dtype=bool, na_value=False)


def _slow_response(e: _Evidence) -> Found:
    """Calls whose longest user->agent gap is >= SLOW_GAP_S; the turn is that agent reply."""
    spoken = e.spoken
    before = spoken.groupby("task_id", sort=False)[["speaker", "offset_s"]].shift()
    gap = spoken["offset_s"].astype(MEASURE) - before["offset_s"].astype(MEASURE)
    reply = _flag(spoken["speaker"].eq("agent")) & _flag(before["speaker"].eq("user"))
    replies = spoken.assign(gap=gap)[reply & gap.notna().to_numpy(dtype=bool)]
    order = ["task_id", "gap", "turn"]
    longest = replies.sort_values(order, ascending=[True, False, True]).drop_duplicates("task_id")
    slow = longest[_flag(longest["gap"] >= SLOW_GAP_S)]
    seconds = slow["gap"].to_numpy(dtype=float)
    points = WEIGHTS["slow_response"] * np.minimum(seconds / SLOW_GAP_S, SLOW_CAP)
    turn = slow["turn"].to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame({"points": points, "turn": turn}, index=pd.Index(slow["task_id"]))


def _arrow(text: pd.Series) -> pa.Array:
    """``text`` as one pyarrow array (a column built by concatenation has several chunks, and
    list kernels number rows per chunk)."""
    values = pa.array(text)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _sentences(agent: pd.DataFrame) -> pd.DataFrame:
    """One row per agent sentence of LOOP_MIN_WORDS+ words: ``task_id``, ``turn`` and
    ``sentence``, a code equal for equal normalised sentences (pyarrow kernels throughout:
    splitting a quarter of a million sentences in pandas takes seconds)."""
    text = pc.utf8_lower(_arrow(agent["text"].fillna("")))
    split = pc.split_pattern_regex(text, pattern=_SENTENCE_END)
    pieces = pc.replace_substring_regex(pc.list_flatten(split), _PUNCTUATION, " ")
    words = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(pieces))
    sentence = pc.binary_join(words, pa.scalar(" ", pieces.type))
    keep: np.ndarray = (pc.list_value_length(words).to_numpy() >= LOOP_MIN_WORDS) & (
        pc.utf8_length(sentence).to_numpy() > 0
    )
    parent: np.ndarray = pc.list_parent_indices(split).to_numpy()[keep]
    code: np.ndarray = pc.dictionary_encode(sentence).indices.to_numpy()[keep]
    return agent[["task_id", "turn"]].iloc[parent].assign(sentence=code)


def _agent_loop(e: _Evidence) -> Found:
    """Calls where an agent sentence occurs LOOP_REPEATS times; the turn of that occurrence."""
    sentences = _sentences(e.spoken[_flag(e.spoken["speaker"].eq("agent"))])
    occurrence = sentences.groupby(["task_id", "sentence"], sort=False).cumcount()
    repeats = sentences[(occurrence == LOOP_REPEATS - 1).to_numpy(dtype=bool)]
    return _first_turns(repeats.sort_values(["task_id", "turn"]), WEIGHTS["agent_loop"])


def _opt_out(e: _Evidence) -> Found:
    """Calls with a caller turn matching opt_out or complaint; the first such turn."""
    caller = e.caller
    said = caller["opt_out"].to_numpy(bool) | caller["complaint"].to_numpy(bool)
    return _first_turns(caller[said], WEIGHTS["opt_out"])


def _mislabelled(e: _Evidence) -> Found:
    """Negative outcome, interest evidence from the caller, no opt-out; first evidence turn."""
    calls, caller = e.calls, e.caller
    negative = _flag(calls["outcome"].eq("Not Interested")) | (
        _flag(calls["outcome"].eq("Not Connected")) & _flag(calls["has_conversation"])
    )
    said = caller.groupby("task_id")[["price", "booking", "callback", "opt_out"]].any()
    interest = ((said["price"] & said["booking"]) | said["callback"]) & ~said["opt_out"]
    ids = calls["task_id"].astype(TEXT)[negative]
    fired = ids[ids.isin(interest.index[interest.to_numpy(bool)])]
    evidence = caller[["price", "booking", "callback"]].any(axis=1).to_numpy(bool)
    turns = caller[evidence & caller["task_id"].isin(fired).to_numpy(bool)]
    return _first_turns(turns, WEIGHTS["mislabelled"])


def _short_call(e: _Evidence) -> Found:
    calls = e.calls
    short = _flag(calls["duration_s"].astype(MEASURE) < SHORT_CALL_S)
    return _call_level(calls, _flag(calls["connected"]) & short, WEIGHTS["short_call"])


def _low_score(e: _Evidence) -> Found:
    calls = e.calls
    low = _flag(calls["success_score"].astype(MEASURE) <= LOW_SCORE)
    return _call_level(calls, low, WEIGHTS["low_score"])


def _data_quality(e: _Evidence) -> Found:
    found = quality_checks(e.run)["task_id"]
    mask = e.calls["task_id"].isin(found.dropna()).to_numpy(bool)
    return _call_level(e.calls, mask, WEIGHTS["data_quality"])


_SIGNALS: dict[str, Callable[[_Evidence], Found]] = {
    "slow_response": _slow_response,
    "agent_loop": _agent_loop,
    "opt_out": _opt_out,
    "mislabelled": _mislabelled,
    "short_call": _short_call,
    "low_score": _low_score,
    "data_quality": _data_quality,
}


# --- ranking --------------------------------------------------------------------------------


def _board(e: _Evidence, chosen: list[str]) -> pd.DataFrame:
    """Per call (rows of ``calls``): each signal's flag (NA when not chosen), score, moment."""
    ids = e.calls["task_id"].astype(TEXT)
    board = pd.DataFrame({s: pd.array([pd.NA] * len(ids), dtype=FLAG) for s in REVIEW_SIGNALS})
    points, turns = {}, {}
    for name in chosen:
        found = _SIGNALS[name](e).reindex(ids)
        board[name] = found["points"].notna().to_numpy()
        points[name] = found["points"].fillna(0.0).to_numpy(dtype=float)
        turns[name] = found["turn"].to_numpy(dtype=float)
    board["score"] = np.sum(list(points.values()), axis=0)
    board["moment_turn"] = _moment(turns, len(ids))
    return board


def _moment(turns: dict[str, np.ndarray], n: int) -> np.ndarray:
    """The turn of the first fired signal in _MOMENT_ORDER (NaN when none of them fired)."""
    moment = np.full(n, np.nan)
    for name in reversed([s for s in _MOMENT_ORDER if s in turns]):
        moment = np.where(np.isnan(turns[name]), moment, turns[name])
    return moment


def _reasons(flags: pd.DataFrame) -> pd.Series:
    """The names of the signals that fired, ``"; "``-joined, in :data:`REVIEW_SIGNALS` order."""
    text = pd.Series("", index=flags.index, dtype=TEXT)
    for name in REVIEW_SIGNALS:
        text = text + np.where(_flag(flags[name]), name + "; ", "")
    return text.str.removesuffix("; ")


def _ranked(calls: pd.DataFrame, board: pd.DataFrame, count: int) -> pd.DataFrame:
    """The top ``count`` flagged calls by score, then task_id; ranks from 1."""
    flagged = board[list(REVIEW_SIGNALS)].fillna(False).astype(bool).any(axis=1)
    table = pd.concat([calls[list(_CALL_COLUMNS[:7])], board], axis=1)[flagged.to_numpy()]
    top = _top(table.astype({"task_id": TEXT}), count)
    return top.assign(reasons=_reasons(top))


def _top(table: pd.DataFrame, count: int) -> pd.DataFrame:
    """The ``count`` rows of highest score (ties by task_id), ranked from 1."""
    order = table.sort_values(["score", "task_id"], ascending=[False, True], kind="stable")
    top = order.head(count).reset_index(drop=True)
    return top.assign(rank=np.arange(1, len(top) + 1))


def merge_queues(queues: pd.DataFrame, n: int) -> pd.DataFrame:
    """The queue of a whole made from the queues of its parts (runs, partitions) stacked.

    A call's score is its own, so the top ``n`` of the parts' queues by score and task id,
    ranked again, is the queue :func:`review_queue` gives for the whole.
    """
    return conform(_top(queues, _check_n(n)), REVIEW_SCHEMA)[list(REVIEW_SCHEMA)]


# --- excerpts -------------------------------------------------------------------------------


def _cut(text: pd.Series) -> pd.Series:
    """Each text on one line, cut to EXCERPT_CHARS at a word boundary (``...`` marks a cut)."""
    flat = text.fillna("").str.replace(r"\s+", " ", regex=True).str.strip()
    head = flat.str.slice(0, EXCERPT_CHARS + 1).str.replace(r"\s+\S*$", "", regex=True)
    fits = _flag(head.str.len().between(1, EXCERPT_CHARS))
    cut = head.where(fits, flat.str.slice(0, EXCERPT_CHARS)) + " ..."
    return flat.where(_flag(flat.str.len() <= EXCERPT_CHARS), cut)


def _excerpts(queue: pd.DataFrame, spoken: pd.DataFrame) -> pd.Series:
    """Per queued call: its turns moment_turn-2..moment_turn+2 (else its first five), joined."""
    turns = spoken[spoken["task_id"].isin(queue["task_id"]).to_numpy(bool)]
    opening = turns.groupby("task_id")["turn"].min()
    centre = (
        queue["moment_turn"]
        .astype(MEASURE)
        .fillna(queue["task_id"].map(opening).astype(MEASURE) + EXCERPT_TURNS)
    )
    windows = pd.DataFrame({"task_id": queue["task_id"], "centre": centre})
    near = turns.merge(windows, on="task_id")
    inside = (near["turn"] - near["centre"]).abs() <= EXCERPT_TURNS
    near = near[_flag(inside)]
    who = np.where(_flag(near["speaker"].eq("agent")), "Agent: ", "Caller: ")
    lines = pd.Series(who, index=near.index, dtype=TEXT) + _cut(near["text"])
    joined = lines.groupby(near["task_id"], sort=False).agg(" / ".join)
    return queue["task_id"].map(joined).astype(TEXT)


@dask_aware
def review_queue(
    run: Run,
    *,
    n: int = 20,
    reasons: str | Iterable[str] | None = None,
    lexicons: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """The ``n`` calls most worth a human listen, ranked by a score of review signals.

    Each call is checked for the signals of :data:`REVIEW_SIGNALS`; only calls with at least
    one are ranked. A call's ``score`` is the sum of :data:`WEIGHTS` of its signals
    (``slow_response`` scaled by how far the gap is over :data:`SLOW_GAP_S`); it depends on
    the call alone, so queues of parts of a run, merged by score and ``task_id``, give the
    queue of the whole run.

    Signals (the words are :data:`REVIEW_LEXICONS`, searched in the caller's turns only):

    - ``slow_response``: the call's longest gap from a caller turn to the agent turn right
      after it (``offset_s`` difference) is at least :data:`SLOW_GAP_S` seconds;
    - ``agent_loop``: one agent sentence (text split on ``.``, ``!``, ``?``; lower-cased,
      punctuation removed, whitespace collapsed; :data:`LOOP_MIN_WORDS` words or more)
      occurs :data:`LOOP_REPEATS` times or more in the call;
    - ``opt_out``: a caller turn matches ``opt_out`` or ``complaint``;
    - ``mislabelled``: ``outcome`` is ``"Not Interested"``, or ``"Not Connected"`` on a call
      with ``has_conversation``, while the caller's turns match both ``price`` and
      ``booking`` (in any turns), or ``callback``, and never ``opt_out``;
    - ``short_call``: ``connected`` is True and ``duration_s`` < :data:`SHORT_CALL_S`;
    - ``low_score``: ``success_score`` <= :data:`LOW_SCORE`;
    - ``data_quality``: :func:`~analytics.stats.quality.quality_checks` has a finding for
      the task.

    Parameters
    ----------
    run : Run
        A loaded run; uses its calls and turns (and, for ``data_quality``, every table).
    n : int, default 20
        How many calls to list; fewer when fewer calls have a signal.
    reasons : str or iterable of str, optional
        The signals to use (names of :data:`REVIEW_SIGNALS`); None uses all. The others are
        not checked: their columns are NA and add nothing to the score.
    lexicons : dict of str to list of str, optional
        Replacements for entries of :data:`REVIEW_LEXICONS` by name (``opt_out``,
        ``complaint``, ``price``, ``booking``, ``callback``); an empty list matches nothing.
        Other names are ignored, so one lexicon file can serve
        :func:`~analytics.text.keywords.keyword_features` too.

    Returns
    -------
    DataFrame
        :data:`REVIEW_SCHEMA`: ``rank`` (1 = highest score), ``score``, one flag per signal
        (NA when not checked), ``reasons`` (the names of the signals that fired, ``"; "``-
        joined), ``task_id``, ``call_id``, ``run_id``, ``assignee``, ``outcome``,
        ``duration_s``, ``recording_url``, ``moment_turn`` and ``excerpt``. Sorted by
        ``score`` descending, then ``task_id``.

        ``moment_turn`` is the turn of the strongest signal (by :data:`WEIGHTS`) that has
        one, the first that fired of: the first opt-out or complaint turn, the first caller
        turn of the interest evidence, the third occurrence of a looping sentence, the
        slowest agent reply. It is NA when only call-level signals fired. ``excerpt`` shows
        the agent and caller turns whose ``turn`` is within :data:`EXCERPT_TURNS` of it (or
        the call's first five turns when it is NA) as ``"Agent: ... / Caller: ..."``, each
        cut to about :data:`EXCERPT_CHARS` characters; NA for a call without turns.

    Raises
    ------
    TypeError
        ``run`` is not a Run, ``n`` is not a whole number, or ``lexicons`` (or one of its
        entries) has the wrong shape.
    ValueError
        ``n`` is below 1, ``reasons`` is empty, a lexicon holds an empty term, or a table lacks
        a column (load the run again with this version).
    KeyError
        ``reasons`` names an unknown signal.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(80, random_state=1))
    >>> queue = review_queue(run, n=3, reasons=["opt_out", "short_call"])
    >>> bool(queue["slow_response"].isna().all()), len(queue) <= 3
    (True, True)
    """
    count, chosen = _check_n(n), _chosen(reasons)
    evidence = _Evidence(run, _tables(run), _patterns(lexicons))
    queue = _ranked(evidence.calls, _board(evidence, chosen), count)
    queue["excerpt"] = _excerpts(queue, evidence.spoken)
    return conform(queue, REVIEW_SCHEMA)[list(REVIEW_SCHEMA)]
