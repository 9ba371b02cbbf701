"""The :class:`Run`: the four tidy tables of one or more runs, as every loader returns them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Run"]


@dataclass(frozen=True, repr=False)
class Run:
    """One loaded run: four tidy tables (schemas in :mod:`analytics.schema`).

    Attributes
    ----------
    tasks : DataFrame
        One row per task, key ``task_id``.
    calls : DataFrame
        One row per task whose output holds call data.
    turns : DataFrame
        One row per transcript message, key ``(task_id, turn)``.
    problems : DataFrame
        ``task_id, field, problem``: one row per value the loader could not read.
    """

    tasks: pd.DataFrame
    calls: pd.DataFrame
    turns: pd.DataFrame
    problems: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Run(tasks={len(self.tasks)}, calls={len(self.calls)}, "
            f"turns={len(self.turns)}, problems={len(self.problems)})"
        )

    def describe(self) -> pd.DataFrame:
        """Row counts of each table: a one-glance check that a load looks right.

        >>> from analytics import datasets, load_run
        >>> int(load_run(datasets.make_run(10, random_state=1)).describe().loc["tasks", "rows"])
        10
        """
        sizes = {name: len(getattr(self, name)) for name in ("tasks", "calls", "turns", "problems")}
        return pd.DataFrame({"rows": sizes}).rename_axis("table")
