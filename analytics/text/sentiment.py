"""Per-call sentiment from the ``turns`` table: VADER scores of opening and closing windows.

:func:`sentiment_features` gives one row per call (``task_id``): how the caller sounded in their
first and last turns, the change between the two, and the agent's average tone.
:func:`compound_scores` is the building block: one VADER compound score per text, each distinct
text scored once (agent scripts repeat a lot, so a run has far fewer distinct texts than turns).

VADER (Valence Aware Dictionary and sEntiment Reasoner, the ``vaderSentiment`` package) is a
rule-based scorer over an English lexicon of about 7,500 words, emoticons and slang, each rated
by people from -4 to +4, plus rules for negation ("not good"), intensifiers ("very"), "but",
capitals and exclamation marks. Its ``compound`` score sums a text's ratings and squashes the
sum into [-1, 1]; 0 means neutral or no rated word. The lexicon ships inside the package, so
nothing is downloaded and no model is loaded. ``docs/sentiment.md`` gives its limits on call
transcripts, the speed, and how much the features tell Interested from Not Interested calls.

Examples
--------
>>> import pandas as pd
>>> compound_scores(pd.Series(["Great, thank you!", "Hello?", pd.NA, " "])).tolist()
[0.784, 0.0, <NA>, <NA>]
"""

from __future__ import annotations

import functools
import numbers
from typing import Any

import numpy as np
import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics._shared import call_index, dask_aware, require_columns
from analytics.schema import COUNT, MEASURE, TEXT, DtypeName, conform

__all__ = ["SENTIMENT_SCHEMA", "compound_scores", "sentiment_features"]

_TURN_COLUMNS = ("task_id", "turn", "speaker", "text")

SENTIMENT_SCHEMA: dict[str, DtypeName] = {
    "task_id": TEXT,
    "caller_sentiment_start": MEASURE,
    "caller_sentiment_end": MEASURE,
    "caller_sentiment_change": MEASURE,
    "agent_sentiment_mean": MEASURE,
    "caller_turns_scored": COUNT,
    "agent_turns_scored": COUNT,
}
"""Output column -> dtype of :func:`sentiment_features`, in column order."""


@functools.cache
def _analyzer() -> Any:
    """One VADER analyzer per process (building it reads the lexicon file, about 20 ms)."""
    return SentimentIntensityAnalyzer()


def compound_scores(texts: pd.Series) -> pd.Series:
    """VADER compound score of each text, scoring each distinct text once.

    Parameters
    ----------
    texts : Series
        Text values (e.g. ``run.turns["text"]``). Not modified.

    Returns
    -------
    Series
        ``Float64`` in [-1, 1] on the index of ``texts``, rounded as VADER rounds (4 decimals);
        NA where the text is NA, empty or only whitespace (nothing was said, so there is
        nothing to score, and a 0 would read as "neutral").

    Raises
    ------
    TypeError
        ``texts`` is not a Series.

    Examples
    --------
    >>> import pandas as pd
    >>> compound_scores(pd.Series(["I love it!", "This is terrible", "I love it!"])).tolist()
    [0.6696, -0.4767, 0.6696]
    """
    if not isinstance(texts, pd.Series):
        raise TypeError(f"texts must be a pandas Series, got {type(texts).__name__!r}")
    text = texts.astype(TEXT)
    said = text.str.strip().str.len().gt(0).to_numpy(dtype=bool, na_value=False)
    codes, distinct = pd.factorize(text[said])
    score = _analyzer().polarity_scores
    unique_scores = np.array([score(t)["compound"] for t in distinct], dtype=float)
    out = np.full(len(text), np.nan)
    out[said] = unique_scores[codes]
    return pd.Series(out, index=texts.index, name="compound", dtype=MEASURE)


def _check_window(window: object) -> int:
    """``window`` if it is an int >= 1 (not a bool), else ``ValueError``."""
    if isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1:
        raise ValueError(f"window={window!r} must be an int >= 1 (e.g. 2)")
    return int(window)


def _scored_turns(turns: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """Agent/user turns with a score, in call-then-turn order: ``code``, ``caller``, ``score``."""
    order = np.lexsort((turns["turn"].to_numpy(dtype=float, na_value=np.inf), codes))
    speaker = turns["speaker"].astype(TEXT).iloc[order]
    caller = speaker.eq("user").to_numpy(dtype=bool, na_value=False)
    spoken = caller | speaker.eq("agent").to_numpy(dtype=bool, na_value=False)
    rows = order[spoken]
    score = compound_scores(turns["text"].iloc[rows]).to_numpy(dtype=float, na_value=np.nan)
    keep = ~np.isnan(score)
    return pd.DataFrame(
        {"code": codes[rows][keep], "caller": caller[spoken][keep], "score": score[keep]}
    )


def _mean(score: np.ndarray, code: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per output row: the mean of ``score`` (NaN for a row without scores) and the count."""
    count = np.bincount(code, minlength=n)
    total = np.bincount(code, weights=score, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / count, np.nan), count


def _caller_windows(caller: pd.DataFrame, n: int, window: int) -> dict[str, np.ndarray]:
    """Start, end and change of the caller's scores, and how many caller turns were scored."""
    grouped = caller.groupby("code", sort=False)
    first = grouped.cumcount().to_numpy() < window
    last = grouped.cumcount(ascending=False).to_numpy() < window
    code, score = caller["code"].to_numpy(), caller["score"].to_numpy()
    start, _ = _mean(score[first], code[first], n)
    end, _ = _mean(score[last], code[last], n)
    return {
        "caller_sentiment_start": start,
        "caller_sentiment_end": end,
        "caller_sentiment_change": end - start,
        "caller_turns_scored": np.bincount(code, minlength=n),
    }


def _agent_tone(agent: pd.DataFrame, n: int) -> dict[str, np.ndarray]:
    """The mean score of the agent's turns and how many were scored."""
    mean, count = _mean(agent["score"].to_numpy(), agent["code"].to_numpy(), n)
    return {"agent_sentiment_mean": mean, "agent_turns_scored": count}


@dask_aware
def sentiment_features(
    turns: pd.DataFrame, *, calls: pd.DataFrame | None = None, window: int = 2
) -> pd.DataFrame:
    """How the caller sounded at the start and at the end of each call, and the agent's tone.

    Every agent and user turn with text is scored with VADER's compound score (-1 most
    negative, +1 most positive; see Notes); the scores are then averaged per call.

    Parameters
    ----------
    turns : DataFrame
        ``run.turns``; uses ``task_id, turn, speaker, text``. The caller is speaker ``"user"``,
        the agent ``"agent"``; ``other`` turns are left out. A turn whose text is NA, empty or
        only whitespace is not scored. Not modified.
    calls : DataFrame, optional
        ``run.calls``. When given, every call of it gets a row (a call without turns has NA
        scores and zero counts).
    window : int, default 2
        How many of the caller's first (and last) scored turns make the opening (and closing)
        window.

    Returns
    -------
    DataFrame
        One row per call, sorted by ``task_id``, fresh RangeIndex (:data:`SENTIMENT_SCHEMA`):

        - ``caller_sentiment_start``: mean compound of the caller's first ``window`` scored turns;
        - ``caller_sentiment_end``: mean of the caller's last ``window`` scored turns;
        - ``caller_sentiment_change``: end - start (> 0: the caller warmed up);
        - ``agent_sentiment_mean``: mean over all the agent's scored turns;
        - ``caller_turns_scored``, ``agent_turns_scored`` (``Int64``): the turns behind them.

        The caller's three are NA for a call with no scored caller turn, the agent's mean for
        one with no scored agent turn. With fewer than ``2 * window`` scored caller turns the
        two windows overlap (share turns), and with ``window`` or fewer they are the same turns,
        so the change is exactly 0: look at ``caller_turns_scored`` before reading a change.

    Raises
    ------
    TypeError
        ``turns`` or ``calls`` is not a DataFrame.
    ValueError
        A required column is missing, a ``task_id`` is NA, or ``window`` is not an int >= 1.

    Notes
    -----
    VADER is a rule-based English scorer: a lexicon of words, emoticons and slang rated by
    people, plus rules for negation, intensifiers, "but", capitals and exclamation marks; the
    compound score squashes a text's summed ratings into [-1, 1]. It is fast and needs no
    model, but it reads words only: it knows no language but English, hears no tone of voice
    (a sarcastic "great" is positive, an angry "fine" neutral), scores transcription errors as
    written, and rates short turns ("ok" +0.30, "no" -0.30) by a single word. Treat the scores
    as a coarse signal to compare groups of calls, not as a verdict on one call.

    Each distinct text is scored once (:func:`compound_scores`); windows come from a grouped
    cumulative count, with no loop over calls.

    Examples
    --------
    >>> import pandas as pd
    >>> turns = pd.DataFrame({
    ...     "task_id": ["T1"] * 4, "turn": [0, 1, 2, 3],
    ...     "speaker": ["agent", "user", "agent", "user"],
    ...     "text": ["Hello?", "This is terrible", "Sorry!", "I love it!"]})
    >>> out = sentiment_features(turns, window=1)
    >>> out[["caller_sentiment_start", "caller_sentiment_end", "caller_sentiment_change"]]
       caller_sentiment_start  caller_sentiment_end  caller_sentiment_change
    0                 -0.4767                0.6696                   1.1463
    >>> out[["agent_sentiment_mean", "caller_turns_scored", "agent_turns_scored"]]
       agent_sentiment_mean  caller_turns_scored  agent_turns_scored
    0              -0.07555                    2                   2
    """
    n_window = _check_window(window)
    require_columns(turns, _TURN_COLUMNS, name="turns", fix="pass run.turns", key="task_id")
    if calls is not None:
        require_columns(calls, ["task_id"], key="task_id")
    ids, codes = call_index(turns, calls)
    scored = _scored_turns(turns, codes)
    caller = scored["caller"].to_numpy()
    out = {"task_id": ids.to_numpy()}
    out |= _caller_windows(scored[caller], len(ids), n_window)
    out |= _agent_tone(scored[~caller], len(ids))
    return conform(pd.DataFrame({c: out[c] for c in SENTIMENT_SCHEMA}), SENTIMENT_SCHEMA)
