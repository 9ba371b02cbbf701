"""A dataset's tables as Dask frames: :func:`to_dask` and the :class:`DaskRun` it returns.

Each partition is one run's file of one table, read by the same code as
:meth:`analytics.Dataset.load` (so the columns and dtypes are exactly the pandas tables', the
text columns plain ``str``, never Dask's ``string`` conversion nor a categorical); a call's
turns therefore never straddle partitions, and partition ``i`` of every table holds the same
run. Dask pushes column selections down into the reads (``columns=`` of the reader).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
from dask.base import compute

from analytics.load import Dataset, Run, open_dataset
from analytics.load.dataset import Entry, Moment

__all__ = ["DaskRun", "to_dask"]

TABLES = ("tasks", "calls", "turns", "problems")


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
    columns: Iterable[str] | Mapping[str, Iterable[str]] | None = None,
) -> DaskRun:
    """The chosen runs of a dataset as a :class:`DaskRun` (:meth:`analytics.Dataset.to_dask`)."""
    data = dataset if isinstance(dataset, Dataset) else open_dataset(dataset)
    chosen = data.entries(spaces=spaces, runs=runs, since=since, until=until)
    wanted = _per_table(columns)
    with dask.config.set({"dataframe.convert-string": False}):
        frames = {t: _frame(data, t, chosen, wanted[t], since, until) for t in TABLES}
    return DaskRun(**frames)


def _per_table(
    columns: Iterable[str] | Mapping[str, Iterable[str]] | None,
) -> dict[str, list[str] | None]:
    if columns is None:
        return dict.fromkeys(TABLES)
    if isinstance(columns, Mapping):
        return {t: list(columns[t]) if t in columns else None for t in TABLES}
    listed = list(columns)
    return dict.fromkeys(TABLES, listed)


def _frame(
    data: Dataset,
    table: str,
    entries: list[Entry],
    columns: list[str] | None,
    since: Moment | None,
    until: Moment | None,
) -> dd.DataFrame:
    read = _reader(data, table, since, until)
    meta = read(None, columns)
    if not entries:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_map(read, entries, columns=columns, meta=meta, enforce_metadata=False)


def _reader(
    data: Dataset, table: str, since: Moment | None, until: Moment | None
) -> Callable[..., pd.DataFrame]:
    """``read(entry, columns)``: one run's ``table`` (an empty frame for ``entry=None``)."""

    def read(entry: Entry | None, columns: list[str] | None = None) -> pd.DataFrame:
        runs = [] if entry is None else [entry.run_id]
        spaces = None if entry is None else [entry.space]
        return data.table(
            table, spaces=spaces, runs=runs, since=since, until=until, columns=columns
        )

    return read
