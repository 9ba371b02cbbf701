r"""Keyword and phrase counts per call from lexicons, one compiled pattern per lexicon.

A lexicon is a named list of terms (``{"price": ["price", "how much does it cost"]}``). Terms
match case-insensitively on word boundaries (a term is never found inside a longer word);
phrases match across any run of spaces, tabs or newlines, and ``'`` also matches the typographic
``’``. Each lexicon becomes one regular expression, longest terms first, so "how much does it
cost" counts once and not again as "cost". The pattern is applied to the whole ``text`` column
at once (pyarrow's RE2 kernel on ASCII text).

:data:`BUILTIN_LEXICONS` covers the moments voice-agent teams track: price questions, callback
requests, opt-outs ("not interested", "stop calling"), asking for a human, wrong numbers and
requests to send details.

Examples
--------
>>> print(lexicon_pattern(["price", "how much"]).pattern)
(?i)\b(?:how[ \t\r\n]+much|price)\b
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> run = load_run(make_run(60, random_state=0))
>>> kw = keyword_features(run.turns, calls=run.calls)
>>> list(kw.columns[:4])
['task_id', 'kw_price_agent', 'kw_price_user', 'kw_price_first_turn']
>>> len(kw) == len(run.calls)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import cast

import numpy as np
import pandas as pd

from analytics._shared import (
    By,
    call_index,
    check_confidence,
    dask_aware,
    group_columns,
    require_columns,
    stacked,
    with_overall,
    with_rates,
)
from analytics.schema import COUNT, MEASURE, TEXT

__all__ = ["BUILTIN_LEXICONS", "keyword_features", "keyword_hit_rates", "lexicon_pattern"]

BUILTIN_LEXICONS: dict[str, tuple[str, ...]] = {
    "price": (
        "how much does it cost",
        "how much will it cost",
        "how much is it",
        "what's the price",
        "what is the price",
        "price",
        "prices",
        "pricing",
        "priced",
        "cost",
        "costs",
        "fee",
        "fees",
        "expensive",
        "quote",
    ),
    "callback": (
        "call me back",
        "call back later",
        "call back",
        "callback",
        "call me later",
        "call later",
        "call again",
        "not a good time",
        "another time",
        "in a meeting",
    ),
    "opt_out": (
        "not interested",
        "no longer interested",
        "stop calling",
        "don't call",
        "do not call",
        "remove me from your list",
        "remove my number",
        "take me off your list",
        "unsubscribe",
        "opt out",
    ),
    "human": (
        "talk to a real person",
        "speak to a human",
        "real person",
        "live person",
        "live agent",
        "human",
        "representative",
        "operator",
        "talk to someone",
        "speak to someone",
    ),
    "wrong_number": (
        "wrong number",
        "wrong person",
        "no one by that name",
        "nobody by that name",
        "dialed the wrong",
        "dialled the wrong",
    ),
    "send_details": (
        "send me the details",
        "send the details",
        "share the details",
        "send me details",
        "email me",
        "send me an email",
        "brochure",
        "whatsapp",
    ),
}
"""Built-in lexicons: name -> terms (case-insensitive words and phrases)."""

_GAP = r"[ \t\r\n]+"  # spelled out: pandas sends ``\s`` to Python's re, which is slower
_APOSTROPHE = "['’]"
_SPEAKERS = ("agent", "user")
_TURN_COLUMNS = ("task_id", "turn", "speaker", "text")


def _term_regex(term: str) -> str:
    """One escaped term: words joined by whitespace runs, either apostrophe accepted."""
    words = term.replace("’", "'").split()
    return _GAP.join(re.escape(w).replace("'", _APOSTROPHE) for w in words)


def lexicon_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    r"""Compile ``terms`` to one case-insensitive, word-bounded pattern, longest terms first.

    Terms whose first and last characters are ASCII letters or digits are bounded by ``\b``
    (fast RE2 path); any other lexicon uses ``(?<!\w)`` / ``(?!\w)``, which also holds for
    scripts whose words end in combining marks (Devanagari).

    >>> print(lexicon_pattern(["नमस्ते", "what's up"]).pattern)
    (?i)(?<!\w)(?:what['’]s[ \t\r\n]+up|नमस्ते)(?!\w)
    """
    unique = sorted({" ".join(t.lower().split()) for t in terms}, key=lambda t: (-len(t), t))
    body = "|".join(_term_regex(t) for t in unique)
    if all(_ascii_edges(t) for t in unique):
        return re.compile(rf"(?i)\b(?:{body})\b")
    return re.compile(rf"(?i)(?<!\w)(?:{body})(?!\w)")


def _ascii_edges(term: str) -> bool:
    return all(c.isascii() and c.isalnum() for c in (term[0], term[-1]))


def _check_lexicons(lexicons: object) -> dict[str, re.Pattern[str]]:
    """Validate ``{name: [term, ...]}`` and compile each lexicon."""
    if not isinstance(lexicons, Mapping) or not lexicons:
        raise TypeError(
            f"lexicons must be a non-empty dict {{name: [term, ...]}}, got {lexicons!r}; "
            "e.g. {'price': ['price', 'how much']} or BUILTIN_LEXICONS"
        )
    return {name: lexicon_pattern(_check_terms(name, terms)) for name, terms in lexicons.items()}


def _check_terms(name: object, terms: object) -> list[str]:
    """Validate one lexicon's name and terms."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"lexicon name {name!r} must be a Python identifier such as 'price' or 'opt_out'; "
            "it becomes part of the column names"
        )
    if isinstance(terms, str) or not isinstance(terms, Iterable):
        raise TypeError(f"lexicon {name!r} must be a list of terms, got {terms!r}; wrap it: [...]")
    terms = list(terms)
    bad = [t for t in terms if not isinstance(t, str) or not t.strip()]
    if not terms or bad:
        raise ValueError(
            f"lexicon {name!r} needs non-empty text terms; got {terms!r} (bad: {bad!r})"
        )
    return terms


def _check_frames(turns: object, calls: object) -> None:
    require_columns(turns, _TURN_COLUMNS, name="turns", fix="pass run.turns", key="task_id")
    if calls is not None:
        require_columns(calls, ["task_id"], key="task_id")


def _lexicon_columns(
    name: str,
    hits: np.ndarray,
    code: np.ndarray,
    agent: np.ndarray,
    turn: np.ndarray,
    n: int,
    by_speaker: bool,
) -> dict[str, np.ndarray]:
    """The count columns and the first-match turn of one lexicon."""
    if by_speaker:
        columns = {
            f"kw_{name}_agent": np.bincount(code, weights=hits * agent, minlength=n),
            f"kw_{name}_user": np.bincount(code, weights=hits * ~agent, minlength=n),
        }
    else:
        columns = {f"kw_{name}": np.bincount(code, weights=hits, minlength=n)}
    found = hits > 0
    first = pd.Series(turn[found]).groupby(code[found]).min().reindex(range(n))
    return {**columns, f"kw_{name}_first_turn": first.to_numpy(dtype=float)}


@dask_aware
def keyword_features(
    turns: pd.DataFrame,
    lexicons: Mapping[str, Iterable[str]] | None = None,
    *,
    by_speaker: bool = True,
    calls: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Count each lexicon's matches per call, by speaker, and where it first comes up.

    Parameters
    ----------
    turns : DataFrame
        ``run.turns``; uses ``task_id, turn, speaker, text``. Only ``agent`` and ``user`` turns
        are searched (``other`` turns are system/tool messages). Not modified.
    lexicons : dict of str to list of str, optional
        ``{name: [term, ...]}``; names must be identifiers. :data:`BUILTIN_LEXICONS` by default.
    by_speaker : bool, default True
        Count per side (``kw_<name>_agent``, ``kw_<name>_user``) or both together
        (``kw_<name>``).
    calls : DataFrame, optional
        ``run.calls``; when given every call gets a row (zero counts without turns).

    Returns
    -------
    DataFrame
        ``task_id`` then, per lexicon in order, its count columns (matches, ``Int64``, 0 when
        none) and ``kw_<name>_first_turn``: the ``turn`` index (0-based, over all messages) of
        the first agent/user turn with a match, NA when none. One row per call, sorted by
        ``task_id``.

    Raises
    ------
    TypeError
        ``turns`` is not a DataFrame, ``lexicons`` is not a non-empty mapping, or a lexicon is a
        bare string.
    ValueError
        A required column is missing, a lexicon name is not an identifier, or a lexicon has no
        terms or an empty term.

    Examples
    --------
    >>> import pandas as pd
    >>> from analytics.schema import TURNS_SCHEMA, conform
    >>> turns = conform(pd.DataFrame({
    ...     "task_id": ["T1", "T1", "T1"], "turn": [0, 1, 2],
    ...     "speaker": ["agent", "user", "user"],
    ...     "text": ["Hello!", "How much does it cost?", "Stop calling me. STOP CALLING."]}),
    ...     TURNS_SCHEMA)
    >>> keyword_features(turns, {"price": ["cost", "price"], "opt_out": ["stop calling"]},
    ...                  by_speaker=False)
      task_id  kw_price  kw_price_first_turn  kw_opt_out  kw_opt_out_first_turn
    0      T1         1                    1           2                      2
    """
    _check_frames(turns, calls)
    patterns = _check_lexicons(BUILTIN_LEXICONS if lexicons is None else lexicons)
    ids, codes = call_index(turns, calls)
    spoken = turns["speaker"].isin(_SPEAKERS).to_numpy(dtype=bool, na_value=False)
    code = codes[spoken]
    agent = turns["speaker"].eq("agent").to_numpy(dtype=bool, na_value=False)[spoken]
    turn = turns["turn"].to_numpy(dtype=float, na_value=np.nan)[spoken]
    text = turns["text"].astype(TEXT)[spoken]
    columns: dict[str, np.ndarray] = {"task_id": ids.to_numpy()}
    for name, pattern in patterns.items():
        # cast: pandas-stubs types ``pat`` as str, but pandas takes a compiled pattern too (and
        # keeps its flags); passing ``pattern.pattern`` could change the regex engine used.
        hits = text.str.count(cast(str, pattern)).to_numpy(dtype="int64", na_value=0)
        columns.update(_lexicon_columns(name, hits, code, agent, turn, len(ids), by_speaker))
    frame = pd.DataFrame(columns)
    return frame.astype({c: (TEXT if c == "task_id" else COUNT) for c in frame.columns})


# --- hit rates ------------------------------------------------------------------------------

_FIRST_TURN = re.compile(r"kw_(?P<name>\w+)_first_turn")
_HIT_RATE_TYPES = {
    "lexicon": TEXT,
    "n": COUNT,
    "count": COUNT,
    "rate": MEASURE,
    "ci_low": MEASURE,
    "ci_high": MEASURE,
}


def _hits(keywords: pd.DataFrame, speaker: str | None) -> pd.DataFrame:
    """One boolean column per lexicon: the call has at least one match (said by ``speaker``)."""
    names = [m["name"] for c in keywords.columns if (m := _FIRST_TURN.fullmatch(str(c)))]
    if not names:
        raise ValueError(
            "keywords has no kw_<name>_first_turn columns; pass the frame of "
            "keyword_features(run.turns, calls=run.calls)"
        )
    if speaker not in (None, *_SPEAKERS):
        raise ValueError(f"speaker={speaker!r} is not one of None, 'agent', 'user'")
    columns = [f"kw_{n}_first_turn" if speaker is None else f"kw_{n}_{speaker}" for n in names]
    missing = [c for c in columns if c not in keywords.columns]
    if missing:
        raise ValueError(
            f"speaker={speaker!r} needs the columns {missing!r}; build keywords with "
            "keyword_features(..., by_speaker=True) or pass speaker=None"
        )
    found = keywords[columns].notna() if speaker is None else keywords[columns].fillna(0).gt(0)
    return found.set_axis(names, axis=1).astype(bool)


def _groups(
    keywords: pd.DataFrame, by: By, calls: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[str]]:
    """The group columns for each row of ``keywords``: its own, or looked up in ``calls``."""
    if calls is None:
        keys = group_columns(keywords, by, table="keywords")
        return keywords[keys], keys
    keys = group_columns(calls, by)
    lookup = calls[["task_id", *keys]].drop_duplicates("task_id")
    groups = keywords[["task_id"]].merge(lookup, how="left", on="task_id")
    return groups[keys].set_axis(keywords.index), keys


@dask_aware
def keyword_hit_rates(
    keywords: pd.DataFrame,
    *,
    by: By = None,
    calls: pd.DataFrame | None = None,
    confidence: float = 0.95,
    speaker: str | None = None,
) -> pd.DataFrame:
    """Share of calls with at least one match of each lexicon, per group, with Wilson intervals.

    Parameters
    ----------
    keywords : DataFrame
        The frame of :func:`keyword_features`, one row per call. Build it with
        ``calls=run.calls`` so that calls without a transcript count as calls without a match;
        otherwise only calls with turns are counted.
    by : str, list of str or None, default None
        Group columns, of ``keywords`` or, when ``calls`` is given, of ``calls``; None gives one
        overall group.
    calls : DataFrame, optional
        ``run.calls``: where the group columns are looked up, by ``task_id``. A call of
        ``keywords`` missing from ``calls`` falls into the missing group.
    confidence : float, default 0.95
        Coverage of the Wilson interval (:func:`analytics.stats.outcomes.wilson_interval`).
    speaker : {None, "agent", "user"}, default None
        Count a match by either side (None), or only the agent's or the caller's; the latter
        needs ``keywords`` built with ``by_speaker=True``.

    Returns
    -------
    DataFrame
        The group columns, then ``lexicon``, ``n`` (calls of the group), ``count`` (calls with
        a match), ``rate``, ``ci_low``, ``ci_high``. One row per group x lexicon, zero counts
        included; groups sorted (a missing group value last), lexicons in the column order of
        ``keywords``. Empty, with every column, when ``keywords`` has no rows.

    Raises
    ------
    ValueError
        ``keywords`` has no ``kw_<name>_first_turn`` column, ``by`` names a column that is not
        there, ``by`` holds ``"lexicon"``, ``speaker`` is not one of the three values or its
        columns are absent, or ``confidence`` is not strictly between 0 and 1.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(60, random_state=0))
    >>> kw = keyword_features(run.turns, calls=run.calls)
    >>> rates = keyword_hit_rates(kw, by="assignee", calls=run.calls)
    >>> list(rates.columns)
    ['assignee', 'lexicon', 'n', 'count', 'rate', 'ci_low', 'ci_high']
    >>> len(rates) == run.calls["assignee"].nunique() * len(BUILTIN_LEXICONS)
    True
    >>> bool((rates["ci_low"] <= rates["rate"]).all() and (rates["rate"] <= rates["ci_high"]).all())
    True
    """
    check_confidence(confidence)
    if not isinstance(keywords, pd.DataFrame) or "task_id" not in keywords.columns:
        raise ValueError("keywords must be the DataFrame of keyword_features(...), with task_id")
    hits = _hits(keywords, speaker)
    groups, keys = _groups(keywords, by, calls)
    if "lexicon" in keys:
        raise ValueError(f"by={by!r} must not hold 'lexicon', the name of an output column")
    groups, gkeys = with_overall(groups, keys)
    grouped = hits.groupby([groups[k] for k in gkeys], dropna=False)
    counts = stacked(grouped.sum().rename_axis(columns="lexicon"), "count")
    long = counts.reset_index().join(grouped.size().rename("n"), on=gkeys)
    out = with_rates(long, confidence=confidence)
    return out[[*keys, *_HIT_RATE_TYPES]].astype(_HIT_RATE_TYPES)
