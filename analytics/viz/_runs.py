"""The runs and platforms a report covers: names in words, the page title, the "Runs" section
and the overview's table of platforms.

Private to :mod:`analytics.viz`. A report of several runs (several ``run_id``, or ``space`` and
``run_id`` when the tables have a ``space`` column) gets a "Runs" section and ``runs.csv``: one
row per run, with the connection and Interested rates of
:func:`~analytics.stats.activity.connection_rates` and
:func:`~analytics.stats.outcomes.outcome_rates` per run. A report of calls from several
platforms (``calls.platform``) gets the same rates per platform in its overview and
``platforms.csv`` (:func:`platforms_table`).

Examples
--------
>>> import pandas as pd
>>> run_names(pd.DataFrame({"run_id": ["R1", "R2", "R3", "R4"]}))
'4 runs (R1, R2, R3 and 1 more)'
>>> with_platform(pd.DataFrame({"task_id": ["a"]}))[["platform", "latency_e2e_p50_s"]]
  platform  latency_e2e_p50_s
0    unpod               <NA>
"""

from __future__ import annotations

import pandas as pd

from analytics.schema import COUNT, MEASURE, PLATFORMS, TEXT
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
    "DEFAULT_PLATFORM",
    "MAX_RUNS_NAMED",
    "NO_RUN",
    "NO_SPACE",
    "PLATFORM",
    "PLATFORMS_HEADING",
    "default_title",
    "platform_counts",
    "platforms_shown",
    "platforms_table",
    "run_names",
    "runs_section",
    "runs_table",
    "with_platform",
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
    """The connection and focus-outcome rates of each of ``runs`` (groups of ``keys``); none
    counted: n of 0."""
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


# --- platforms ------------------------------------------------------------------------------

PLATFORM = "platform"
DEFAULT_PLATFORM = "unpod"
"""The platform of a call whose ``calls`` frame has no ``platform`` (one loaded before other
platforms were read) or an NA one: the loader marks every Unpod call so."""
_LATENCY = "latency_e2e_p50_s"
PLATFORMS_HEADING = "Calls by platform (95% intervals)"


def with_platform(calls: pd.DataFrame) -> pd.DataFrame:
    """``calls`` with ``platform`` (missing or NA: :data:`DEFAULT_PLATFORM`) and
    ``latency_e2e_p50_s`` (missing: NA), so that an older calls frame reads as Unpod calls
    without a platform-measured latency. A new frame; ``calls`` is not modified."""
    missing = pd.Series(pd.NA, index=calls.index)
    platform, latency = calls.get(PLATFORM, missing), calls.get(_LATENCY, missing)
    out = calls.copy()
    out[PLATFORM] = platform.astype(TEXT).fillna(DEFAULT_PLATFORM)
    out[_LATENCY] = latency.astype(MEASURE)
    return out


def platform_counts(calls: pd.DataFrame) -> pd.Series:
    """Calls per platform of :func:`with_platform` ``calls``, in the order of
    :data:`~analytics.schema.PLATFORMS` (others after them, by name)."""
    counts = calls[PLATFORM].value_counts()
    return counts.iloc[_platform_order(counts.index)]


def _platform_order(names: pd.Index) -> list[int]:
    """Positions of ``names`` sorted as :data:`~analytics.schema.PLATFORMS`, then by name."""
    rank = {name: i for i, name in enumerate(PLATFORMS)}
    keys = [(rank.get(str(n), len(PLATFORMS)), str(n)) for n in names]
    return sorted(range(len(keys)), key=keys.__getitem__)


def platforms_table(calls: pd.DataFrame) -> pd.DataFrame:
    """One row per platform of :func:`with_platform` ``calls``: ``platform``, ``calls``, then
    the columns of :func:`connection_rates` (prefixed ``connection_``: the rate is over the calls
    whose connection is known) and of :func:`outcome_rates` for :data:`FOCUS_OUTCOME` (prefixed
    ``interested_``: over the calls with an outcome), each rate with its Wilson interval. In
    the order of :func:`platform_counts`."""
    sizes = platform_counts(calls).rename("calls").astype(COUNT).rename_axis(PLATFORM)
    rates = _run_rates(calls, [PLATFORM], sizes.index)
    return sizes.to_frame().join(rates).reset_index()


def platforms_shown(platforms: pd.DataFrame) -> pd.DataFrame:
    """Display only: one row per platform, each rate beside its count and denominator."""
    connection, focus = _unprefixed(platforms, _CONNECTION), _unprefixed(platforms, _FOCUS)
    return pd.DataFrame(
        {
            PLATFORM: platforms[PLATFORM].tolist(),
            "calls": number_texts(platforms["calls"]),
            "connected": number_texts(connection["connected"]),
            "calls with a known state": number_texts(connection["n"]),
            "connection rate (95% CI)": rate_cells(connection, sep="\n"),
            "calls with an outcome": number_texts(focus["n"]),
            FOCUS_OUTCOME: number_texts(focus["count"]),
            f"{FOCUS_OUTCOME} rate (95% CI)": rate_cells(focus, sep="\n"),
        }
    )
