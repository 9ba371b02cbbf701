"""A dataset's tables as Dask frames: :func:`to_dask` and the :class:`DaskRun` it returns.

Each partition is one run's file of one table, read by the same code as
:meth:`analytics.Dataset.load` (so the columns and dtypes are exactly the pandas tables', the
text columns plain ``str``, never Dask's ``string`` conversion nor a categorical); a call's
turns therefore never straddle partitions, and partition ``i`` of every table holds the same
run. Dask pushes column selections down into the reads (``columns=`` of the reader).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
from dask.base import compute

from analytics.load import Dataset, Run, open_dataset
from analytics.load.dataset import KEYS, Entry, Moment
from analytics.schema import TABLE_SCHEMAS

__all__ = ["DaskRun", "to_dask"]

TABLES = tuple(TABLE_SCHEMAS)


@dataclass(frozen=True, repr=False)
class DaskRun:
    """The four tables of a dataset selection as Dask frames, partitioned by run.

    The analyses of the library accept its frames (``an.outcome_rates(druns.calls)``) and
    give the results they give on pandas; :meth:`compute` gives the pandas :class:`~analytics.Run`.
    """

    tasks: dd.DataFrame
    calls: dd.DataFrame
    turns: dd.DataFrame
    problems: dd.DataFrame

    def __repr__(self) -> str:
        return f"DaskRun(runs={self.calls.npartitions}, columns={len(self.calls.columns)} on calls)"

    def compute(self, **kwargs: Any) -> Run:
        """The tables in memory, as :meth:`analytics.Dataset.load` gives them (``kwargs`` go to
        :func:`dask.compute`, such as ``scheduler=``)."""
        frames = compute(*(getattr(self, t) for t in TABLES), **kwargs)
        return Run(**{t: f.reset_index(drop=True) for t, f in zip(TABLES, frames, strict=True)})


def to_dask(
    dataset: Dataset | str | os.PathLike[str],
    *,
    spaces: str | Iterable[str] | None = None,
    runs: str | Iterable[str] | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    assignees: str | Iterable[str] | None = None,
    columns: Iterable[str] | Mapping[str, Iterable[str]] | None = None,
) -> DaskRun:
    """The chosen runs of a dataset as a :class:`DaskRun` (:meth:`analytics.Dataset.to_dask`)."""
    data = dataset if isinstance(dataset, Dataset) else open_dataset(dataset)
    chosen = data.entries(spaces=spaces, runs=runs, since=since, until=until)
    rows = {"since": since, "until": until, "assignees": assignees}
    frames = {}
    with dask.config.set({"dataframe.convert-string": False}):
        for table, meta in _metas(data, chosen, columns).items():
            frames[table] = _frame(_Reader(data, table, rows, meta), chosen, meta)
    return DaskRun(**frames)


def _metas(
    data: Dataset,
    entries: list[Entry],
    columns: Iterable[str] | Mapping[str, Iterable[str]] | None,
) -> dict[str, pd.DataFrame]:
    """Each table's empty frame: the columns and dtypes its partitions have."""
    full = {t: data.empty_table(t, entries) for t in TABLES}
    if columns is None:
        return full
    wanted = (
        {t: list(columns.get(t, full[t].columns)) for t in TABLES}
        if isinstance(columns, Mapping)
        else _spread(list(columns), full)
    )
    keys = {"turns": ["task_id", "turn"]}
    return {
        t: full[t][
            [c for c in full[t].columns if c in {*keys.get(t, ["task_id"]), *KEYS, *wanted[t]}]
        ]
        for t in TABLES
    }


def _spread(columns: list[str], full: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """A list of columns given for every table: each table takes those it has."""
    known = {c for frame in full.values() for c in frame.columns}
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(
            f"no table has a column {unknown[0]!r}; see analytics.schema for the columns of "
            "each table"
        )
    return {t: [c for c in columns if c in frame.columns] for t, frame in full.items()}


def _frame(read: _Reader, entries: list[Entry], meta: pd.DataFrame) -> dd.DataFrame:
    if not entries:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_map(read, entries, columns=list(meta.columns), meta=meta, enforce_metadata=False)


class _Reader:
    """``read(entry, columns=)``: one run's table, exactly the ``meta``'s columns and dtypes (or
    those of ``columns``, when Dask pushes a selection down into the read)."""

    def __init__(self, data: Dataset, table: str, rows: dict[str, Any], meta: pd.DataFrame) -> None:
        self.data, self.table, self.rows, self.meta = data, table, rows, meta

    def __call__(self, entry: Entry, columns: list[str] | None = None) -> pd.DataFrame:
        wanted = list(self.meta.columns) if columns is None else list(columns)
        frame = self.data.table(
            self.table, spaces=[entry.space], runs=[entry.run_id], columns=wanted, **self.rows
        )
        missing = [c for c in wanted if c not in frame.columns]  # an input_ column of other runs
        filled = frame.assign(
            **{c: pd.Series(index=frame.index, dtype=self.meta[c].dtype) for c in missing}
        )
        return filled[wanted]
