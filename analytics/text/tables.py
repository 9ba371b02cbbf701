"""Per-call tables: the call table the transformers take, and the features table of a run.

:func:`call_table` is ``run.calls`` plus a ``transcript`` column holding each call's turns
column-wise (an Arrow list of structs); :func:`call_features` is ``run.calls``' key columns
joined to the conversation metrics and keyword counts of each call, the table the
``features`` command writes.

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
import pyarrow as pa

from analytics.text.conversation import conversation_features
from analytics.text.keywords import keyword_features

__all__ = [
    "CALL_KEY_COLUMNS",
    "TRANSCRIPT_FIELDS",
    "TRANSCRIPT_TYPE",
    "call_features",
    "call_table",
]

TRANSCRIPT_TYPE = pa.list_(
    pa.struct(
        [
            ("turn", pa.int64()),
            ("speaker", pa.string()),
            ("role", pa.string()),
            ("text", pa.string()),
            ("timestamp", pa.timestamp("ns", tz="UTC")),
            ("offset_s", pa.float64()),
            ("duration_s", pa.float64()),
            ("n_words", pa.int64()),
        ]
    )
)
"""Arrow type of one call's transcript: a list of turns, each a struct of the fields
:data:`TRANSCRIPT_FIELDS` with the types of those columns of ``run.turns``."""

TRANSCRIPT_FIELDS: tuple[str, ...] = tuple(TRANSCRIPT_TYPE.value_type.names)
"""Fields of each turn in ``call_table(run)["transcript"]``, in order: ``turn``, ``speaker``,
``role``, ``text``, ``timestamp``, ``offset_s``, ``duration_s``, ``n_words``."""

CALL_KEY_COLUMNS = ("task_id", "assignee", "call_status", "outcome", "duration_s")
"""The columns of ``run.calls`` that lead each row of :func:`call_features`."""


def call_table(run: Any) -> pd.DataFrame:
    """One row per call: ``run.calls`` plus a ``transcript`` column of its turns.

    Parameters
    ----------
    run : Run
        A loaded run (``analytics.load.load_run``); uses ``run.calls`` and ``run.turns``.

    Returns
    -------
    DataFrame
        The columns of ``run.calls`` in its row order, then ``transcript``, of dtype
        ``pd.ArrowDtype(TRANSCRIPT_TYPE)``: for each call a list of structs with the fields
        :data:`TRANSCRIPT_FIELDS`, in ``turn`` order (an empty list for a call without turns).
        Turns of tasks that are not calls are not included.

    Notes
    -----
    The turns are stored column-wise, one Arrow array per field, so the transformers of
    :mod:`analytics.text.transformers` read them without building a Python object per turn.
    ``table["transcript"].list.len()`` counts each call's turns,
    ``table["transcript"].list.flatten().struct.explode()`` gives the turns as a frame, and
    ``table["transcript"].iloc[i]`` is one call's turns as a list of dicts (``None`` for a
    missing value).

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(30, random_state=0))
    >>> table = call_table(run)
    >>> len(table) == len(run.calls), int(table["transcript"].list.len().sum()) == len(run.turns)
    (True, True)
    >>> table["transcript"].dtype == pd.ArrowDtype(TRANSCRIPT_TYPE)
    True
    >>> first = table["transcript"].iloc[0][0]
    >>> list(first) == list(TRANSCRIPT_FIELDS), first["turn"]
    (True, 0)
    """
    calls: pd.DataFrame = run.calls
    lists = _transcripts(calls["task_id"], run.turns)
    column = pd.Series(pd.arrays.ArrowExtensionArray(lists), index=calls.index)
    return calls.assign(transcript=column)


def _transcripts(task_ids: pd.Series, turns: pd.DataFrame) -> pa.ListArray:
    """The turns of each of ``task_ids`` as an array of :data:`TRANSCRIPT_TYPE`, by ``turn``.

    >>> from analytics.schema import TURNS_SCHEMA, conform
    >>> turns = pd.DataFrame({"task_id": ["b", "a", "b", "z"], "turn": [1, 0, 0, 0]})
    >>> lists = _transcripts(pd.Series(["a", "b", "c"]), conform(turns, TURNS_SCHEMA))
    >>> lists.value_lengths().to_pylist(), lists.flatten().field("turn").to_pylist()
    ([1, 2, 0], [0, 0, 1])
    """
    row = pd.Index(task_ids).get_indexer(turns["task_id"])
    order = np.lexsort((turns["turn"].to_numpy(dtype=float, na_value=np.inf), row))
    order = order[row[order] >= 0]
    offsets = np.r_[0, np.cumsum(np.bincount(row[order], minlength=len(task_ids)))]
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), _turn_structs(turns, order))


def _turn_structs(turns: pd.DataFrame, order: np.ndarray) -> pa.StructArray:
    """The :data:`TRANSCRIPT_FIELDS` of the rows ``order`` of ``turns``, as one struct array."""
    take = pa.array(order, pa.int64())
    fields = list(TRANSCRIPT_TYPE.value_type)
    columns = [_arrow(turns[f.name], f.type).take(take) for f in fields]
    return pa.StructArray.from_arrays(columns, fields=fields)


def _arrow(column: pd.Series, type_: pa.DataType) -> pa.Array:
    """``column`` as one Arrow array of ``type_`` (through the public ``__arrow_array__``)."""
    values = pa.array(column, type=type_)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


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
    keyed: pd.DataFrame = run.calls[list(CALL_KEY_COLUMNS)]
    conversation = conversation_features(run.turns, calls=run.calls)
    keywords = keyword_features(run.turns, lexicons, calls=run.calls)
    return keyed.merge(conversation, on="task_id", how="left").merge(
        keywords, on="task_id", how="left"
    )
