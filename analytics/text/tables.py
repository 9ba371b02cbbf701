"""Per-call tables: the call table the transformers take, and the features table of a run.

:func:`call_table` is ``run.calls`` plus a ``transcript`` column holding each call's turns;
:func:`call_features` is ``run.calls``' key columns joined to the conversation metrics and
keyword counts of each call, the table the ``features`` command writes.

Examples
--------
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> run = load_run(make_run(30, random_state=0))
>>> features = call_features(run)
>>> len(features) == len(run.calls), list(features.columns[:3])
(True, ['task_id', 'assignee', 'call_status'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analytics._shared import gc_paused
from analytics.text.conversation import conversation_features
from analytics.text.keywords import keyword_features

__all__ = ["CALL_KEY_COLUMNS", "TRANSCRIPT_FIELDS", "call_features", "call_table"]

TRANSCRIPT_FIELDS = ("turn", "speaker", "role", "text", "timestamp", "offset_s", "n_words")
"""Keys of each turn record in ``call_table(run)["transcript"]``."""

CALL_KEY_COLUMNS = ("task_id", "assignee", "call_status", "outcome", "duration_s")
"""The columns of ``run.calls`` that lead each row of :func:`call_features`."""


def call_table(run: Any) -> pd.DataFrame:
    """One row per call: ``run.calls`` plus a ``transcript`` column of turn records.

    Parameters
    ----------
    run : Run
        A loaded run (``analytics.load.load_run``); uses ``run.calls`` and ``run.turns``.

    Returns
    -------
    DataFrame
        The columns of ``run.calls`` in its row order, then ``transcript``: for each call a
        list of dicts with the keys :data:`TRANSCRIPT_FIELDS`, in ``turn`` order (an empty list
        for a call without turns). Turns of tasks that are not calls are not included.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(30, random_state=0))
    >>> table = call_table(run)
    >>> len(table) == len(run.calls), int(table["transcript"].map(len).sum()) == len(run.turns)
    (True, True)
    """
    with gc_paused():  # one dict per turn: no cycles, nothing for the collector to find
        return _call_table(run.calls, run.turns)


def _call_table(calls: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    row = pd.Index(calls["task_id"]).get_indexer(turns["task_id"])
    order = np.lexsort((turns["turn"].to_numpy(dtype=float, na_value=np.inf), row))
    order = order[row[order] >= 0]
    ordered = turns.iloc[order]
    columns = [ordered[c].astype(object).tolist() for c in TRANSCRIPT_FIELDS]
    records = [dict(zip(TRANSCRIPT_FIELDS, values)) for values in zip(*columns)]
    ends = np.cumsum(np.bincount(row[order], minlength=len(calls)))
    transcripts = [records[a:b] for a, b in zip(np.r_[0, ends[:-1]], ends)]
    return calls.assign(transcript=pd.Series(transcripts, index=calls.index, dtype=object))


def call_features(run: Any, *, lexicons: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """One row per call: its key columns, conversation metrics and keyword counts.

    Parameters
    ----------
    run : Run
        A loaded run; uses ``run.calls`` and ``run.turns``.
    lexicons : dict of str to list of str, optional
        Keyword lexicons to count; the built-in ones by default.

    Returns
    -------
    DataFrame
        :data:`CALL_KEY_COLUMNS`, then the columns of
        :func:`~analytics.text.conversation.conversation_features` and of
        :func:`~analytics.text.keywords.keyword_features`, in the row order of ``run.calls``.
    """
    keyed = run.calls[list(CALL_KEY_COLUMNS)]
    conversation = conversation_features(run.turns, calls=run.calls)
    keywords = keyword_features(run.turns, lexicons, calls=run.calls)
    return keyed.merge(conversation, on="task_id", how="left").merge(
        keywords, on="task_id", how="left"
    )
