"""The runs a report covers: their names in words, the page title, and the "Runs" section.

Private to :mod:`analytics.viz`. A report of several runs (several ``run_id``, or ``space`` and
``run_id`` when the tables have a ``space`` column) gets a "Runs" section and ``runs.csv``: one
row per run, with the connection and Interested rates of
:func:`~analytics.stats.activity.connection_rates` and
:func:`~analytics.stats.outcomes.outcome_rates` per run.

Examples
--------
>>> import pandas as pd
>>> run_names(pd.DataFrame({"run_id": ["R1", "R2", "R3", "R4"]}))
'4 runs (R1, R2, R3 and 1 more)'
"""

from __future__ import annotations

import pandas as pd

from analytics.schema import COUNT, TEXT
from analytics.stats.activity import connection_rates
from analytics.stats.outcomes import outcome_rates
from analytics.viz._display import (
    FOCUS_OUTCOME,
    Section,
    number_texts,
    period_texts,
    rate_cells,
)
from analytics.viz._format import plural

__all__ = [
    "MAX_RUNS_NAMED",
    "NO_RUN",
    "NO_SPACE",
    "default_title",
    "run_names",
    "runs_section",
    "runs_table",
]

NO_RUN = "(no run id)"
NO_SPACE = "(no space)"
_RUN_LABELS = {"space": NO_SPACE, "run_id": NO_RUN}
"""The columns that tell runs apart, each with the label of its missing value (as
:data:`~analytics._shared.MISSING_LABEL` labels other groups): tasks without a run id are
a run of their own."""
MAX_RUNS_NAMED = 3
"""How many runs the overview names before "and N more" (the Runs table has them all)."""
_CONNECTION = "connection_"
_FOCUS = f"{FOCUS_OUTCOME.lower()}_"
"""The prefixes of the rate columns in ``runs.csv``: those of :func:`connection_rates` and of
:func:`outcome_rates` for :data:`FOCUS_OUTCOME`, whose names would clash side by side."""


def default_title(tasks: pd.DataFrame, runs: pd.DataFrame) -> str:
    """ "Run R1", or "2 runs · space S" (" · 3 spaces") for a run spanning several."""
    if tasks.empty:
        return "A run with no tasks"
    if len(runs) == 1:
        return run_names(runs)
    spaces = _space_list(runs)
    space = f"space {spaces[0]}" if len(spaces) == 1 else plural(len(spaces), "space")
    return f"{plural(len(runs), 'run')} · {space}" if spaces else plural(len(runs), "run")


def run_names(runs: pd.DataFrame) -> str:
    """The runs covered, in words: "Run R1", or "2 runs of space S (R1, R2)" and so on, the
    first :data:`MAX_RUNS_NAMED` in the order of the Runs table, then "and N more"."""
    if len(runs) == 1:
        only = runs["run_id"].iloc[0]
        return "A run without a run id" if only == NO_RUN else f"Run {only}"
    names = _run_labels(runs)
    more = f" and {len(names) - MAX_RUNS_NAMED} more" if len(names) > MAX_RUNS_NAMED else ""
    return f"{plural(len(runs), 'run')}{_spaces(runs)} ({', '.join(names[:MAX_RUNS_NAMED])}{more})"


def _run_labels(runs: pd.DataFrame) -> list[str]:
    """Each run by its run id, and its space when the runs are of several spaces."""
    labels = runs["run_id"]
    if "space" in runs and runs["space"].nunique() > 1:
        labels = labels + " in space " + runs["space"]
    return labels.tolist()


def _spaces(runs: pd.DataFrame) -> str:
    """ " of space S" when the runs share one space, " in N spaces" when not, else ""."""
    spaces = _space_list(runs)
    if not spaces:
        return ""
    return f" of space {spaces[0]}" if len(spaces) == 1 else f" in {plural(len(spaces), 'space')}"


def _space_list(runs: pd.DataFrame) -> list[str]:
    """The spaces of ``runs``, in their order; none without a ``space`` column."""
    return [str(s) for s in runs["space"].unique()] if "space" in runs else []


def _run_keys(tasks: pd.DataFrame, calls: pd.DataFrame) -> list[str]:
    """The columns that tell runs apart: ``space`` when tasks and calls have it, ``run_id``."""
    return [k for k in _RUN_LABELS if k in tasks.columns and k in calls.columns]


def _labelled(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` with its run ``keys`` as text, a missing one as its label (:data:`NO_RUN`)."""
    return frame.assign(**{k: frame[k].astype(TEXT).fillna(_RUN_LABELS[k]) for k in keys})


def runs_table(tasks: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """One row per run: its keys, ``tasks``, ``calls``, first and last call start, then the
    columns of :func:`connection_rates` and of :func:`outcome_rates` for
    :data:`FOCUS_OUTCOME` over the run's calls, prefixed :data:`_CONNECTION` and
    :data:`_FOCUS`. Ordered by first call start (runs without a timed call last), then run id
    and space."""
    keys = _run_keys(tasks, calls)
    labelled = _labelled(calls, keys)
    counts = _run_counts(_labelled(tasks, keys), labelled, keys)
    table = counts.join(_run_rates(labelled, keys, counts.index)).reset_index()
    order = ["first_call_start", *keys[::-1]]
    return table.sort_values(order, na_position="last", kind="stable", ignore_index=True)


def _run_counts(tasks: pd.DataFrame, calls: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Tasks and calls per run (a run is any key of either), and its first and last call."""
    starts = calls.groupby(keys)["start_time"]
    sizes = [tasks.groupby(keys).size().rename("tasks"), starts.size().rename("calls")]
    counts = pd.concat(sizes, axis=1).fillna(0).astype(COUNT)
    return counts.assign(first_call_start=starts.min(), last_call_start=starts.max())


def _run_rates(calls: pd.DataFrame, keys: list[str], runs: pd.Index) -> pd.DataFrame:
    """The connection and focus-outcome rates of each of ``runs``; none counted: n of 0."""
    connection = connection_rates(calls, by=keys).set_index(keys).add_prefix(_CONNECTION)
    rates = outcome_rates(calls, by=keys)
    focus = rates[rates["outcome"] == FOCUS_OUTCOME].drop(columns="outcome")
    both = connection.join(focus.set_index(keys).add_prefix(_FOCUS), how="outer")
    both = both.reindex(runs)
    return both.fillna({c: 0 for c in both.columns if both[c].dtype == COUNT})


def runs_section(runs: pd.DataFrame) -> Section:
    """The "Runs" section: ``runs.csv`` and the table of the runs side by side."""
    lead = (
        "One row per run, in the order of its first call. As in the rest of the report, the "
        "connection rate is over the calls whose connection is known (an answered call "
        f"without a transcript yet is left out) and the {FOCUS_OUTCOME} rate over the calls "
        "with an outcome. Each rate has its 95% Wilson score interval, which is wide for a "
        "run with few calls: read such a run's rate as a rough guess."
    )
    section = Section("runs", "Runs", lead)
    section.tables = {"runs": runs}
    section.shown = {"Runs (95% intervals)": _runs_shown(runs)}
    return section


def _runs_shown(runs: pd.DataFrame) -> pd.DataFrame:
    """Display only: one row per run, each rate beside its denominator."""
    connection, focus = _unprefixed(runs, _CONNECTION), _unprefixed(runs, _FOCUS)
    space = {"space": runs["space"].tolist()} if "space" in runs else {}
    return pd.DataFrame(
        {
            **space,
            "run": runs["run_id"].tolist(),
            "calls from, UTC": period_texts(runs["first_call_start"], runs["last_call_start"]),
            "tasks": number_texts(runs["tasks"]),
            "calls": number_texts(runs["calls"]),
            "calls with a known state": number_texts(connection["n"]),
            "connection rate (95% CI)": rate_cells(connection, sep="\n"),
            "calls with an outcome": number_texts(focus["n"]),
            f"{FOCUS_OUTCOME} rate (95% CI)": rate_cells(focus, sep="\n"),
        }
    )


def _unprefixed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The columns of ``frame`` named ``prefix...``, under their names without it."""
    names = {str(c): str(c).removeprefix(prefix) for c in frame.columns}
    return frame[[c for c in names if c.startswith(prefix)]].rename(columns=names)
