"""A run as one self-contained HTML page plus the CSV tables behind it.

:func:`build_report` calls the analysis functions, draws their figures with
:mod:`analytics.viz.plots`
(embedded as PNG data URIs: the page loads no other file and runs no script), masks personal
data (:mod:`analytics.viz.redact`) unless told not to, and writes ``index.html`` and
``tables/*.csv`` as one directory, atomically (:func:`analytics.io.store.atomic_directory`).
The report computes nothing of its own: every number on the page is in one of the CSV files,
which keep the analysis functions' column names; the page shows them with headers in words,
durations in s, min or h and no scientific notation (:mod:`analytics.viz._format`).

Denominators: durations count connected calls with a known, positive duration; outcome rates
the calls with an outcome; the per-dial rate every call made; conversation metrics and keyword
rates the calls with a conversation (``calls.has_conversation``: at least one agent turn and
one user turn). Each caption says which.

A run spanning several runs (several ``run_id``, or ``space`` and ``run_id`` when the tables
have a ``space`` column) gets a "Runs" section and ``tables/runs.csv``: one row per run, with
the connection and Interested rates of :func:`~analytics.stats.activity.connection_rates` and
:func:`~analytics.stats.outcomes.outcome_rates` per run. One run gives neither.

Given the Dask frames of a dataset (:meth:`analytics.Dataset.to_dask`) instead of a loaded
run, the report is the same, page and tables: the analyses of the turns (conversation and
keyword features, quality checks) run on Dask, run by run, and only their results, one row per
call, and the tasks, calls and problems tables come to memory, never the turns.

Examples
--------
>>> import tempfile
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> with tempfile.TemporaryDirectory() as out:
...     page = build_report(load_run(make_run(60, random_state=0)), out)
...     print(page.name, sorted(p.name for p in (page.parent / "tables").iterdir())[:3])
index.html ['call_status.csv', 'calls.csv', 'connection_rates.csv']
"""

from __future__ import annotations

import base64
import html
import io
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from analytics._shared import MISSING_LABEL, is_dask
from analytics.io.store import atomic_directory, save_table, write_atomic
from analytics.load import Run
from analytics.schema import COUNT, TEXT
from analytics.stats.activity import connection_rates
from analytics.stats.durations import MIN_N_P90, MIN_N_P95, duration_summary
from analytics.stats.outcomes import compare_groups, dial_rates, outcome_rates
from analytics.stats.quality import quality_checks
from analytics.text.conversation import conversation_features, feature_summary
from analytics.text.keywords import BUILTIN_LEXICONS, keyword_features, keyword_hit_rates
from analytics.viz import plots
from analytics.viz._format import (
    duration_unit,
    format_duration,
    format_number,
    format_p_value,
    format_significant,
    plural,
)
from analytics.viz.redact import contact_names, redact_frame

__all__ = ["build_report"]

log = logging.getLogger(__name__)

GROUP = "assignee"
NO_GROUP = MISSING_LABEL  # as the figures label it
FOCUS_OUTCOME = "Interested"
CONVERSATION_RULE = "at least one agent turn and one user turn"
REPORT_FILES = ("index.html", "tables")
"""What a report directory holds (``tables/`` holds every CSV, ``runs.csv`` included);
:func:`build_report` replaces no directory holding more."""
NO_RUN = "(no run id)"
NO_SPACE = "(no space)"
_RUN_LABELS = {"space": NO_SPACE, "run_id": NO_RUN}
"""The columns that tell runs apart, each with the label of its missing value (as
:data:`~analytics._shared.MISSING_LABEL` labels other groups): tasks without a run id are
a run of their own."""
MAX_RUNS_NAMED = 3
"""How many runs the overview names before "and N more" (the Runs table has them all)."""
MAX_FINDINGS_SHOWN = 50
MAX_CELL_CHARS = 160
"""The longest text a cell of the page shows (a problem message is cut, after masking)."""
_MINUTE = 60.0
_NB_HYPHEN = "\u2011"  # a header never breaks at it ("chi-square", "p-value")


@dataclass
class Section:
    """One part of the page: a heading, a lead paragraph, figures and tables.

    ``tables`` are the data, written as CSV under their raw column names; ``shown`` are the
    tables on the page (every cell text, headers in words) by heading, ``notes`` a caption
    under a shown table's heading, ``missing`` a sentence for each figure left out.
    """

    key: str
    title: str
    lead: str = ""
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    shown: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


class DaskTables(Protocol):
    """What :func:`build_report` reads of a :class:`analytics.distributed.DaskRun` (from
    :meth:`analytics.Dataset.to_dask`): its four tables, as Dask frames. Told from a
    :class:`~analytics.load.Run` by its frames' type; this module never imports Dask."""

    @property
    def tasks(self) -> Any: ...
    @property
    def calls(self) -> Any: ...
    @property
    def turns(self) -> Any: ...
    @property
    def problems(self) -> Any: ...


@dataclass(frozen=True)
class _Inputs:
    """What the sections read, in memory: the tables of one row per task or call, the
    analyses of the turns (one row per call, or per finding) and the number of turns. The
    turns themselves are not here: on Dask they never leave the workers."""

    tasks: pd.DataFrame
    calls: pd.DataFrame
    problems: pd.DataFrame
    features: pd.DataFrame
    """:func:`conversation_features` of every call, sorted by ``task_id``."""
    keywords: pd.DataFrame
    """:func:`keyword_features` of every call, sorted by ``task_id``."""
    findings: pd.DataFrame
    """:func:`quality_checks` of the run."""
    n_turns: int


def build_report(
    run: Run | DaskTables,
    out_dir: str | os.PathLike[str],
    *,
    redact: bool = True,
    title: str | None = None,
    lexicons: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write the HTML report of ``run`` to ``out_dir/index.html`` and its tables as CSV.

    Parameters
    ----------
    run : Run or DaskRun
        A loaded run (:func:`analytics.load_run`), or the Dask frames of a dataset's runs
        (:meth:`analytics.Dataset.to_dask`), which give the same page: the conversation,
        keyword and quality analyses of the turns run on Dask (on the client Dask is set up
        with, if any) and only their results, one row per call, come to memory, with the
        tasks, calls and problems tables. A run with no tasks gives a page saying so.
    out_dir : path
        The report folder, written as a whole: built in a temporary sibling folder, then
        swapped in (:func:`analytics.io.store.atomic_directory`), so that a failure or a full
        disk leaves the previous report or none, never half of one. It must be new, empty, or
        hold only an earlier report (``index.html`` and ``tables/``).
    redact : bool, default True
        Mask phone numbers, e-mail addresses and contact names everywhere the report writes
        (free text included) and leave recording URLs out.
    title : str, optional
        The page title; default names the run id, or the number of runs (and their space,
        when they share one) when ``run`` spans several.
    lexicons : dict, optional
        Keyword lexicons to track; default :data:`analytics.text.keywords.BUILTIN_LEXICONS`.

    Returns
    -------
    Path
        ``out_dir/index.html``.

    Raises
    ------
    FileExistsError
        ``out_dir`` is a file, or a folder holding files a report does not write (nothing is
        written).
    """
    with atomic_directory(out_dir, owned=REPORT_FILES, what="report") as folder:
        inputs = _inputs(run, lexicons or BUILTIN_LEXICONS)
        runs = _runs_table(inputs)
        sections = _sections(inputs, runs)
        if redact:
            _redact(sections, contact_names(inputs.tasks, inputs.calls))
        _shorten(sections)  # after masking: a cut address or number would escape the patterns
        for section in sections:
            for name, table in section.tables.items():
                save_table(table, folder / "tables" / f"{name}.csv")
        shown = sections if len(inputs.tasks) else sections[:1]
        page = _page(shown, title or _default_title(inputs, runs), redact=redact)
        write_atomic(folder / "index.html", lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return Path(out_dir) / "index.html"


_TEXT_HEADERS = frozenset(
    {GROUP, "measure", "task status", "call status", "outcomes", "note", "task", "field", "detail"}
)
"""The columns of shown tables that hold text from the run; the others hold numbers as text,
which the redactor would take for phone numbers ("106 (93-124)")."""


def _redact(sections: list[Section], names: list[str]) -> None:
    for section in sections:
        section.tables = {k: redact_frame(v, names=names) for k, v in section.tables.items()}
        section.shown = {k: _redact_shown(v, names) for k, v in section.shown.items()}


def _redact_shown(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    text = [c for c in frame.columns if c in _TEXT_HEADERS]
    masked = redact_frame(frame[text], names=names)
    return frame.assign(**{c: masked[c] for c in text})


def _shorten(sections: list[Section]) -> None:
    """Cut the page's long cells (problem messages) to :data:`MAX_CELL_CHARS`; the CSVs keep
    them whole."""
    for section in sections:
        section.shown = {k: v.map(_short) for k, v in section.shown.items()}


def _short(value: object) -> object:
    """A text longer than :data:`MAX_CELL_CHARS` cut after its last whole word, with "…".

    >>> _short("word " * 40)[-10:], _short(3)
    ('word word…', 3)
    """
    if not isinstance(value, str) or len(value) <= MAX_CELL_CHARS:
        return value
    head = value[:MAX_CELL_CHARS]
    return (head.rsplit(maxsplit=1)[0] if " " in head.strip() else head) + "…"


# --- the content ----------------------------------------------------------------------------


def _inputs(run: Run | DaskTables, lexicons: Mapping[str, Iterable[str]]) -> _Inputs:
    """The analyses of ``run``'s turns and its other tables, in memory.

    On Dask frames the analyses are the library's own, dispatched to Dask
    (:func:`~analytics._shared.dask_aware`): they run run by run on the workers, and only
    their results are computed here; the turns are counted from the features (``n_turns``
    counts every turn of a call).
    """
    if not is_dask(run.calls):
        loaded = cast(Run, run)
        return _Inputs(
            tasks=loaded.tasks,
            calls=loaded.calls,
            problems=loaded.problems,
            features=conversation_features(loaded.turns, calls=loaded.calls),
            keywords=keyword_features(loaded.turns, lexicons, calls=loaded.calls),
            findings=quality_checks(loaded),
            n_turns=len(loaded.turns),
        )
    features = _by_call(conversation_features(run.turns, calls=run.calls))
    return _Inputs(
        tasks=_computed(run.tasks),
        calls=_computed(run.calls),
        problems=_computed(run.problems),
        features=features,
        keywords=_by_call(keyword_features(run.turns, lexicons, calls=run.calls)),
        findings=quality_checks(cast(Run, run)),  # dispatched to Dask like the features
        n_turns=int(features["n_turns"].sum()),
    )


def _computed(frame: Any) -> pd.DataFrame:
    """A Dask frame in memory, with a fresh RangeIndex (the partitions' indexes restart)."""
    computed: pd.DataFrame = frame.compute()
    return computed.reset_index(drop=True)


def _by_call(frame: Any) -> pd.DataFrame:
    """A per-call Dask result in memory, in the pandas function's order (by ``task_id``; each
    run's rows come sorted, the runs one after the other)."""
    return _computed(frame).sort_values("task_id", kind="stable", ignore_index=True)


def _sections(run: _Inputs, runs: pd.DataFrame) -> list[Section]:
    conversations = run.calls.loc[run.calls["has_conversation"], ["task_id", GROUP]]
    return [
        _overview(run, runs),
        *([_runs(runs)] if len(runs) > 1 else []),
        _durations(run),
        _outcomes(run),
        _conversation(run, run.features, conversations),
        _keywords(run, run.keywords, conversations),
        _quality(run),
    ]


def _over_conversations(n: int) -> str:
    """The denominator of conversation metrics, in words."""
    return f"over {plural(n, 'call')} with a conversation: {CONVERSATION_RULE}"


def _overview(run: _Inputs, runs: pd.DataFrame) -> Section:
    calls = run.calls
    counts = {
        "tasks": len(run.tasks),
        "calls": len(calls),
        "connected calls": int(calls["connected"].sum()),
        "calls with a conversation": int(calls["has_conversation"].sum()),
        "calls awaiting evaluation": int((~calls["evaluated"]).sum()),
        "transcript turns": run.n_turns,
        "loader problems": len(run.problems),
    }
    overview = pd.DataFrame({"measure": list(counts), "value": list(counts.values())})
    by_status = _counts(run.tasks, "status", "task status")
    by_call_status = _counts(calls, "call_status", "call status")
    section = Section("overview", "Run overview", _overview_lead(run, runs))
    if calls["start_time"].notna().any():
        figure = _draw(plots.plot_calls_over_time, calls)
        section.figures.append(("Calls per day by assignee", figure))
    section.tables = {
        "overview": overview,
        "task_status": by_status,
        "call_status": by_call_status,
        "calls": calls,
    }
    section.shown = {"At a glance": overview.assign(value=_numbers(overview["value"]))}
    if len(run.tasks):
        section.shown["Tasks by status"] = _count_table(by_status, "task status", "tasks")
        section.shown["Calls by call status"] = _count_table(by_call_status, "call status", "calls")
    return section


def _overview_lead(run: _Inputs, runs: pd.DataFrame) -> str:
    if run.tasks.empty:
        return (
            "This run has no tasks: there is nothing to report. Check the run id, or load the "
            "run again once it has tasks."
        )
    calls = run.calls
    start = calls["start_time"]
    span = (
        f"Calls from {start.min():%Y-%m-%d %H:%M} to {start.max():%Y-%m-%d %H:%M} UTC. "
        if start.notna().any()
        else ""
    )
    connected = int(calls["connected"].sum())
    share = f" ({connected / len(calls):.0%})" if len(calls) else ""
    talked = int(calls["has_conversation"].sum())
    return _join(
        f"{_run_names(runs)}: {plural(len(run.tasks), 'task')}{_assigned(run)}. {span}"
        f"{connected} of {plural(len(calls), 'call')} connected{share}: a call is ",
        _element("em", "connected"),
        " when its status means someone answered and its transcript has a caller turn. "
        f"{talked} had a conversation ({CONVERSATION_RULE}).",
    )


def _run_names(runs: pd.DataFrame) -> str:
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


def _assigned(run: _Inputs) -> str:
    n = run.tasks[GROUP].nunique()
    return f" by {plural(n, 'assignee')}" if n else ", none of them assigned"


def _counts(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    counts = frame[column].fillna(MISSING_LABEL).value_counts().rename_axis(label)
    return counts.rename("count").reset_index().astype({"count": "int64"})


def _count_table(counts: pd.DataFrame, label: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame({label: counts[label].tolist(), unit: _numbers(counts["count"])})


_CONNECTION = "connection_"
_FOCUS = f"{FOCUS_OUTCOME.lower()}_"
"""The prefixes of the rate columns in ``runs.csv``: those of :func:`connection_rates` and of
:func:`outcome_rates` for :data:`FOCUS_OUTCOME`, whose names would clash side by side."""


def _run_keys(run: _Inputs) -> list[str]:
    """The columns that tell runs apart: ``space`` when tasks and calls have it, ``run_id``."""
    return [k for k in _RUN_LABELS if k in run.tasks.columns and k in run.calls.columns]


def _labelled(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` with its run ``keys`` as text, a missing one as its label (:data:`NO_RUN`)."""
    return frame.assign(**{k: frame[k].astype(TEXT).fillna(_RUN_LABELS[k]) for k in keys})


def _runs_table(run: _Inputs) -> pd.DataFrame:
    """One row per run: its keys, ``tasks``, ``calls``, first and last call start, then the
    columns of :func:`connection_rates` and of :func:`outcome_rates` for
    :data:`FOCUS_OUTCOME` over the run's calls, prefixed :data:`_CONNECTION` and
    :data:`_FOCUS`. Ordered by first call start (runs without a timed call last), then run id
    and space."""
    keys = _run_keys(run)
    calls = _labelled(run.calls, keys)
    counts = _run_counts(_labelled(run.tasks, keys), calls, keys)
    table = counts.join(_run_rates(calls, keys, counts.index)).reset_index()
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


def _runs(runs: pd.DataFrame) -> Section:
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
            "calls from, UTC": _period(runs["first_call_start"], runs["last_call_start"]),
            "tasks": _numbers(runs["tasks"]),
            "calls": _numbers(runs["calls"]),
            "calls with a known state": _numbers(connection["n"]),
            "connection rate (95% CI)": _rate_cells(connection, sep="\n"),
            "calls with an outcome": _numbers(focus["n"]),
            f"{FOCUS_OUTCOME} rate (95% CI)": _rate_cells(focus, sep="\n"),
        }
    )


def _unprefixed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """The columns of ``frame`` named ``prefix...``, under their names without it."""
    names = {str(c): str(c).removeprefix(prefix) for c in frame.columns}
    return frame[[c for c in names if c.startswith(prefix)]].rename(columns=names)


def _durations(run: _Inputs) -> Section:
    summary = duration_summary(run.calls, by=GROUP)
    lead = (
        "Connected calls with a known, positive duration, in the unit (s, min or h) the "
        "column's size calls for. The median's 95% interval is the exact distribution-free "
        "interval from order statistics; percentiles interpolate linearly. A cell is empty "
        f"when the assignee has too few calls for it: the interval needs 6, the 90th "
        f"percentile {MIN_N_P90} and the 95th {MIN_N_P95}."
    )
    section = Section("durations", "Call durations", lead)
    if summary["n"].sum() > 0:
        figure = _draw(plots.plot_durations, run.calls)
        section.figures.append(("Duration by assignee (ECDF)", figure))
    else:
        section.missing.append("No connected call has a known, positive duration yet.")
    section.tables = {"durations": summary}
    section.shown = {"Duration by assignee": _duration_table(summary)}
    return section


def _duration_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Display only: one row per assignee, durations in the unit their size calls for."""
    unit, size = duration_unit(_floats(summary["median_s"]))
    longest, longest_size = duration_unit(_floats(summary["max_s"]))

    def amounts(column: str, in_size: float = size) -> list[str]:
        digits = 0 if in_size == 1 else 1
        return [format_number(v / in_size, digits=digits) for v in _floats(summary[column])]

    median = [
        _with_interval(m, lo, hi)
        for m, lo, hi in zip(
            amounts("median_s"), amounts("median_ci_low"), amounts("median_ci_high")
        )
    ]
    return pd.DataFrame(
        {
            GROUP: _groups(summary),
            "calls": _numbers(summary["n"]),
            f"mean, {unit}": amounts("mean_s"),
            f"median (95% CI), {unit}": median,
            f"90th percentile, {unit}": amounts("p90_s"),
            f"95th percentile, {unit}": amounts("p95_s"),
            f"longest, {longest}": amounts("max_s", longest_size),
            "not counted": _numbers(summary["n_excluded"]),
        }
    )


def _outcomes(run: _Inputs) -> Section:
    rates = outcome_rates(run.calls, by=GROUP)
    dial = dial_rates(run.calls, by=GROUP, outcome=FOCUS_OUTCOME)
    tests = _group_tests(run.calls)
    connection = connection_rates(run.calls, by=GROUP)
    section = Section("outcomes", "Outcomes by assignee", _outcome_lead(tests))
    _outcome_figures(section, run.calls, rates, connection)
    section.tables = {
        "outcome_rates": rates,
        "dial_rates": dial,
        "group_comparison": tests,
        "connection_rates": connection,
    }
    grid = "Outcome rates among calls with an outcome (95% interval)"
    per_dial = f"{FOCUS_OUTCOME} per call made (95% interval)"
    section.shown = {
        grid: _rate_grid(rates, "outcome", "calls with an outcome", drop_empty=True),
        per_dial: _dial_table(dial, rates),
        "Is the difference real? (chi-square test of independence)": _test_table(tests),
        "Connection rate by assignee (95% interval)": _connection_table(connection),
    }
    section.notes = {grid: _GRID_NOTE, per_dial: _DIAL_NOTE}
    return section


_GRID_NOTE = "Outcomes that no assignee has are left out (outcome_rates.csv has them all)."
_DIAL_NOTE = (
    f"The share of every call made that ended {FOCUS_OUTCOME}, counted directly: a call not "
    f"answered or not evaluated yet counts as not {FOCUS_OUTCOME}. The rate per call with an "
    "outcome divides by the evaluated calls only, so it is higher; multiplying it by the "
    "connection rate does not give the rate per call made, since the denominators differ."
)


def _group_tests(calls: pd.DataFrame) -> pd.DataFrame:
    focus = calls.assign(
        focus=calls["outcome"]
        .eq(FOCUS_OUTCOME)
        .mask(calls["outcome"].isna())
        .map({True: FOCUS_OUTCOME, False: "other"})
    )
    return pd.concat(
        [
            compare_groups(calls, by=GROUP).assign(outcomes="all outcomes"),
            compare_groups(focus, by=GROUP, outcome="focus").assign(
                outcomes=f"{FOCUS_OUTCOME} vs the rest"
            ),
        ],
        ignore_index=True,
    )


def _outcome_figures(
    section: Section, calls: pd.DataFrame, rates: pd.DataFrame, connection: pd.DataFrame
) -> None:
    if rates["count"].sum() > 0:
        figure = _draw(plots.plot_outcome_rates, calls, size=(9, 4.2))
        section.figures.append(("Outcome rates by assignee (95% Wilson intervals)", figure))
    else:
        section.missing.append("No call has an outcome yet.")
    if connection["n"].sum() > 0:
        figure = _draw(plots.plot_connection_rates, calls)
        section.figures.append(("Connection rate by assignee", figure))
    else:
        section.missing.append("No call's connection is known yet.")


def _outcome_lead(tests: pd.DataFrame) -> str:
    focus = tests.iloc[-1]
    if pd.isna(focus["p_value"]):
        verdict = "There are too few groups or outcomes to test."
    else:
        strength = "unlikely" if focus["p_value"] < 0.05 else "quite possibly"
        trust = "" if focus["reliable"] else " (few calls: read it with care)"
        p_value = format_p_value(float(focus["p_value"]))
        p_text = f"p {p_value}" if p_value.startswith("<") else f"p = {p_value}"
        verdict = (
            f"For {FOCUS_OUTCOME} against the rest, {p_text}: the differences between "
            f"assignees are {strength} due to chance{trust}."
        )
    return (
        "Each bar is an outcome's share of the assignee's calls with an outcome, with its 95% "
        f"Wilson score interval. {verdict}"
    )


def _dial_table(dial: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Display only: the per-dial rate beside the rate among calls with an outcome."""
    focus = rates[rates["outcome"] == FOCUS_OUTCOME]
    among = dict(zip(_groups(focus), _rate_cells(focus)))
    groups = _groups(dial)
    return pd.DataFrame(
        {
            GROUP: groups,
            "calls made": _numbers(dial["n"]),
            FOCUS_OUTCOME: _numbers(dial["count"]),
            "per call made": _rate_cells(dial),
            "per call with an outcome": [among.get(g, "") for g in groups],
        }
    )


def _test_table(tests: pd.DataFrame) -> pd.DataFrame:
    """Display only: the chi-square tests, p-values without scientific notation."""
    reliable = tests["reliable"].astype(object)
    shown = pd.DataFrame(
        {
            "outcomes": tests["outcomes"].tolist(),
            f"chi{_NB_HYPHEN}square": _texts(tests["statistic"], format_significant),
            "degrees of freedom": _numbers(tests["dof"]),
            f"p{_NB_HYPHEN}value": _texts(tests["p_value"], format_p_value),
            "Cramér's V": _texts(tests["cramers_v"], format_significant),
            "smallest expected count": _texts(tests["min_expected"], format_significant),
            "reliable": ["yes" if r is True else "no" if r is False else "" for r in reliable],
            "Fisher's exact p": _texts(tests["fisher_p_value"], format_p_value),
        }
    )
    if tests["note"].notna().any():
        shown["note"] = tests["note"].fillna("").tolist()
    return shown


def _connection_table(connection: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            GROUP: _groups(connection),
            "calls with a known state": _numbers(connection["n"]),
            "connected": _numbers(connection["connected"]),
            "connection rate (95% CI)": _rate_cells(connection),
            "state unknown": _numbers(connection["n_unknown"]),
        }
    )


CONVERSATION_COLUMNS: dict[str, tuple[str, str]] = {
    "agent_talk_share": ("agent talk share", "share"),
    "agent_words": ("agent words", "count"),
    "user_words": ("caller words", "count"),
    "switches_per_min": ("speaker changes per min", "measure"),
    "longest_agent_monologue_words": ("longest agent monologue, words", "count"),
    "longest_user_story_words": ("longest caller story, words", "count"),
    "agent_questions": ("agent questions", "count"),
    "user_questions": ("caller questions", "count"),
    "agent_response_gap_p50_s": ("agent response gap", "seconds"),
    "user_response_gap_p50_s": ("caller response gap", "seconds"),
}
"""The conversation metrics on the page: column -> (header, kind of number)."""


def _conversation(run: _Inputs, features: pd.DataFrame, conversations: pd.DataFrame) -> Section:
    talk = features.merge(conversations, on="task_id")  # calls with a conversation only
    summary = feature_summary(talk, by=GROUP, columns=list(CONVERSATION_COLUMNS))
    over = _over_conversations(len(talk))
    left_out = len(run.calls) - len(talk)
    lead = (
        f"Medians per call, {over} ({left_out} without one, such as unanswered calls and "
        "voicemails, are left out). Talk share counts words; response gaps run from a turn's "
        "timestamp to the next speaker's, so they include the speaker's own talk time. The "
        "dashed line marks the 43% talk share of winning sales calls (Gong Labs)."
    )
    section = Section("conversation", "Conversation metrics", lead)
    _conversation_figures(section, talk, over)
    section.tables = {"conversation_by_assignee": summary, "conversation_features": features}
    heading = "Conversation metrics by assignee (medians per call)"
    section.shown = {heading: _conversation_table(summary)}
    section.notes = {
        heading: f"Medians {over}. A response gap needs a timed change of speaker, so fewer "
        "calls have one (the n beside each box)."
    }
    return section


def _conversation_figures(section: Section, talk: pd.DataFrame, over: str) -> None:
    if talk.empty:
        section.missing.append("No call has a conversation yet.")
        return
    figure = _draw(plots.plot_talk_share, talk, by=GROUP)
    section.figures.append((f"Agent talk share by assignee, {over}", figure))
    if talk["agent_response_gap_p50_s"].notna().any():
        figure = _draw(plots.plot_response_gaps, talk, by=GROUP)
        section.figures.append((f"Agent response gap by assignee, {over}", figure))


def _conversation_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Display only: one row per assignee, a column per metric, words for headers."""
    columns: dict[str, list[str]] = {
        GROUP: _groups(summary),
        "calls with a conversation": _numbers(summary["n_calls"]),
    }
    for column, (header, kind) in CONVERSATION_COLUMNS.items():
        columns[header] = _texts(summary[column], _KINDS[kind])
    return pd.DataFrame(columns)


def _keywords(run: _Inputs, keywords: pd.DataFrame, conversations: pd.DataFrame) -> Section:
    talk = keywords[keywords["task_id"].isin(conversations["task_id"])]
    rates = keyword_hit_rates(talk, by=GROUP, calls=run.calls)
    over = _over_conversations(len(talk))
    lead = (
        "Share of calls in which either side said a term of the lexicon at least once "
        f"(case-insensitive, whole words), with 95% Wilson intervals, {over}."
    )
    section = Section("keywords", "Keyword trackers", lead)
    if len(talk):
        figure = _draw(plots.plot_keyword_rates, talk, by=GROUP, calls=run.calls, size=(9, 4.2))
        section.figures.append((f"Keyword hit rates by assignee, {over}", figure))
    else:
        section.missing.append("No call has a conversation yet.")
    section.tables = {"keyword_rates": rates, "keyword_features": keywords}
    heading = "Keyword hit rates among calls with a conversation (95% interval)"
    lexicons = rates.assign(lexicon=rates["lexicon"].str.replace("_", " "))
    section.shown = {heading: _rate_grid(lexicons, "lexicon", "calls with a conversation")}
    section.notes = {heading: f"Rates {over}; lexicons in the order of the chart."}
    return section


def _quality(run: _Inputs) -> Section:
    findings = run.findings
    per_check = findings["check"].value_counts().rename_axis("check").rename("findings")
    counts = per_check.reset_index().astype({"findings": "int64"})
    lead = _join(
        f"{plural(len(findings), 'finding')}. Values the loader could not read are empty in "
        "the tables and listed as ",
        _element("em", "unreadable"),
        "; the other checks look at values that were read.",
    )
    section = Section("quality", "Data quality", lead)
    section.tables = {"quality": findings}
    if len(findings):
        section.shown = {
            "Findings by check": counts.assign(findings=_numbers(counts["findings"])),
            _findings_heading(len(findings)): findings.head(MAX_FINDINGS_SHOWN)
            .fillna("")
            .rename(columns={"task_id": "task"}),
        }
    return section


def _findings_heading(n: int) -> str:
    if n <= MAX_FINDINGS_SHOWN:
        return "Findings"
    return f"Findings (the first {MAX_FINDINGS_SHOWN} of {n:,}; all of them in quality.csv)"


def _rate_grid(
    rates: pd.DataFrame, column: str, n_header: str, *, drop_empty: bool = False
) -> pd.DataFrame:
    """Display only: a row per assignee, a column per ``column`` value, cells "35% (25-47%)".

    The interval goes on a second line of the cell, so that 8 columns fit the page.
    ``drop_empty`` leaves out the values (outcomes) that no assignee has.
    """
    if drop_empty:
        rates = rates[rates.groupby(column, sort=False)["count"].transform("sum").gt(0)]
    cells = rates.assign(group=_groups(rates), cell=_rate_cells(rates, sep="\n"))
    groups = list(dict.fromkeys(cells["group"]))
    grid = cells.pivot(index="group", columns=column, values="cell")
    grid = grid.reindex(index=groups, columns=list(dict.fromkeys(rates[column]))).fillna("")
    n = cells.groupby("group", sort=False)["n"].first().reindex(groups)
    grid.insert(0, n_header, _numbers(n))
    return grid.rename_axis(index=GROUP, columns=None).reset_index()


def _default_title(run: _Inputs, runs: pd.DataFrame) -> str:
    """ "Run R1", or "2 runs · space S" (" · 3 spaces") for a run spanning several."""
    if run.tasks.empty:
        return "A run with no tasks"
    if len(runs) == 1:
        return _run_names(runs)
    spaces = _space_list(runs)
    space = f"space {spaces[0]}" if len(spaces) == 1 else plural(len(spaces), "space")
    return f"{plural(len(runs), 'run')} · {space}" if spaces else plural(len(runs), "run")


# --- numbers as text ------------------------------------------------------------------------


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=float, na_value=np.nan)


def _texts(values: pd.Series, text: Callable[[float], str]) -> list[str]:
    """``values`` as text, one call of ``text`` per value (NA: ``text`` gives "")."""
    return [text(v) for v in _floats(values)]


def _minutes(times: pd.Series) -> list[str]:
    """Times to the minute, ``"2026-01-31 15:44"``; ``""`` when NaT."""
    texts: list[str] = times.dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
    return texts


def _period(first: pd.Series, last: pd.Series) -> list[str]:
    """ "2026-01-29 09:09" above "to 2026-01-31 15:44" (one line when they are the same)."""
    return [a if a == b else f"{a}\nto {b}" for a, b in zip(_minutes(first), _minutes(last))]


def _numbers(values: pd.Series) -> list[str]:
    return _texts(values, format_number)


def _groups(frame: pd.DataFrame) -> list[str]:
    return frame[GROUP].astype(TEXT).fillna(NO_GROUP).tolist()


def _percent(value: float) -> str:
    return f"{value:.0%}" if math.isfinite(value) else ""


def _median_count(value: float) -> str:
    """A median of counts: whole, or halfway between two counts (``158.5``)."""
    return format_number(value, digits=0 if float(value).is_integer() else 1)


def _seconds(value: float) -> str:
    """A short time (a response gap) to a tenth of a second; minutes or hours when long."""
    if math.isfinite(value) and abs(value) >= 2 * _MINUTE:
        return format_duration(value)
    return f"{format_number(value, digits=1)} s" if math.isfinite(value) else ""


_KINDS: dict[str, Callable[[float], str]] = {
    "share": _percent,
    "count": _median_count,
    "measure": format_significant,
    "seconds": _seconds,
}


def _with_interval(value: str, low: str, high: str, sep: str = " ") -> str:
    return f"{value}{sep}({low}-{high})" if value and low and high else value


def _rate_cells(rates: pd.DataFrame, sep: str = " ") -> list[str]:
    """ "35% (25-47%)": ``rate`` and its interval, one per row, ``sep`` between them."""
    rate, low, high = (_texts(rates[c], _percent) for c in ("rate", "ci_low", "ci_high"))
    return [_with_interval(r, lo.rstrip("%"), hi, sep) for r, lo, hi in zip(rate, low, high)]


# --- drawing and writing --------------------------------------------------------------------


def _draw(
    plot: Callable[..., object],
    data: object,
    *,
    size: tuple[float, float] = (7.5, 3.8),
    **options: object,
) -> bytes:
    """Draw one plot on its own figure (no pyplot state) and return it as PNG bytes.

    Text is drawn as written: ``$`` in an assignee or a lexicon name is no mathematics.
    """
    with rc_context({"text.parse_math": False}):
        figure = Figure(figsize=size, layout="constrained")
        plot(data, ax=figure.add_subplot(), **options)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


class Markup(str):
    """HTML this module wrote from its own constants: the page takes it as it is.

    Any other string is text from the data and goes through :func:`_text`, the one place
    where text becomes HTML; :func:`_element` and :func:`_void` build every tag from constant
    names and escape every child and attribute value that is not ``Markup``. So no run id,
    assignee, label, summary or problem message can become markup.
    """

    __slots__ = ()


_LINE_BREAKS = re.compile(r"\r\n?")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (HTML parse errors) and lone surrogates (which UTF-8 cannot hold)."""
_PLAIN_VALUE = re.compile(r"[\w-]+", re.ASCII)
"""An attribute value that needs no quotes."""


def _text(value: object) -> Markup:
    """``value`` as HTML text: escaped (quotes too), CR as LF, other controls as U+FFFD.

    >>> _text('<b a="1">&amp;\\x00\\r\\n'), _text(Markup("<em>x</em>"))
    ('&lt;b a=&quot;1&quot;&gt;&amp;amp;\\ufffd\\n', '<em>x</em>')
    """
    if isinstance(value, Markup):
        return value
    text = _UNPRINTABLE.sub("\ufffd", _LINE_BREAKS.sub("\n", str(value)))
    return Markup(html.escape(text, quote=True))


def _join(*parts: object) -> Markup:
    """``parts`` one after the other: text escaped (:func:`_text`), ``Markup`` kept.

    >>> _join("Run <1>: a call is ", _element("em", "connected"), ".")
    'Run &lt;1&gt;: a call is <em>connected</em>.'
    """
    return Markup("".join(_text(part) for part in parts))


def _void(tag: str, **attributes: object) -> Markup:
    """An element without content (``img``, ``br``, ``meta``); ``class_`` is ``class``.

    >>> _void("img", alt='"><b>', src="data:image/png;base64,AA==")
    '<img alt="&quot;&gt;&lt;b&gt;" src="data:image/png;base64,AA==">'
    """
    values = {name.rstrip("_"): _text(value) for name, value in attributes.items()}
    pairs = "".join(
        f" {name}={value}" if _PLAIN_VALUE.fullmatch(value) else f' {name}="{value}"'
        for name, value in values.items()
    )
    return Markup(f"<{tag}{pairs}>")


def _element(tag: str, *children: object, **attributes: object) -> Markup:
    """``<tag attributes>children</tag>``, children and attribute values escaped (:func:`_join`).

    >>> _element("td", "</table><script>", class_="ci")
    '<td class=ci>&lt;/table&gt;&lt;script&gt;</td>'
    """
    return Markup(f"{_void(tag, **attributes)}{_join(*children)}</{tag}>")


def _table_html(frame: pd.DataFrame) -> Markup:
    """A display table as HTML: every cell text, none showing NA; a last column of prose wraps.

    A line break in a cell (a rate above its interval) starts a second, quieter line.
    """
    text = frame.astype(object).where(frame.notna(), "")
    wrap = " wrap" if frame.columns[-1] in ("detail", "note") else ""
    head = _element("tr", *(_element("th", c) for c in text.columns))
    rows = (
        _element("tr", *(_element("td", _cell_html(v)) for v in row))
        for row in text.itertuples(index=False, name=None)
    )
    return _element(
        "table", _element("thead", head), _element("tbody", *rows), class_=f"table{wrap}"
    )


def _cell_html(value: object) -> Markup:
    first, *rest = str(value).split("\n")
    return _join(first, *(_join(_void("br"), _element("span", line, class_="ci")) for line in rest))


def _table_block(heading: str, frame: pd.DataFrame, note: str) -> Markup:
    caption = _element("p", note, class_="note") if note else ""
    body = (
        _table_html(frame) if len(frame) else _element("p", "Nothing to show yet.", class_="note")
    )
    return _element(
        "div",
        _element("h3", heading),
        caption,
        _element("div", body, class_="scroll"),
        class_="block",
    )


def _figure_html(caption: str, png: bytes) -> Markup:
    source = f"data:image/png;base64,{base64.b64encode(png).decode()}"
    return _element(
        "figure", _void("img", alt=caption, src=source), _element("figcaption", caption)
    )


def _section_html(section: Section) -> Markup:
    tables = (
        _table_block(heading, frame, section.notes.get(heading, ""))
        for heading, frame in section.shown.items()
    )
    return _element(
        "section",
        _element("h2", section.title),
        _element("p", section.lead, class_="lead"),
        *(_figure_html(caption, png) for caption, png in section.figures),
        *(_element("p", missing, class_="note") for missing in section.missing),
        _element("div", *tables, class_="blocks"),
        id=section.key,
    )


def _page(sections: list[Section], title: str, *, redact: bool) -> str:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    links = [_element("a", s.title, href=f"#{s.key}") for s in sections]
    privacy = (
        "Phone numbers, e-mail addresses and contact names are masked; recording URLs are left out."
        if redact
        else "Not redacted: this page holds personal data."
    )
    head = _element(
        "head",
        _void("meta", charset="utf-8"),
        _void("meta", name="viewport", content="width=device-width, initial-scale=1"),
        _element("title", title),
        _element("style", Markup(_CSS)),
    )
    meta = _element(
        "p",
        f"unpod-analytics report, {made}. {privacy} Every number here is in ",
        _element("code", "tables/*.csv"),
        ".",
        class_="meta",
    )
    header = _element("header", _element("h1", title), meta, _element("nav", *_between(links)))
    body = _element("body", header, _element("main", *map(_section_html, sections)))
    return "<!doctype html>" + _element("html", head, body, lang="en")


def _between(parts: list[Markup], separator: str = " · ") -> list[object]:
    """``parts`` with ``separator`` (text) between each two."""
    return [item for i, part in enumerate(parts) for item in ((separator, part) if i else (part,))]


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;
margin:0;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:24px 40px}
header h1{margin:0 0 4px;font-size:24px;overflow-wrap:anywhere}
.meta{margin:0 0 10px;color:#c9d1dc;font-size:13px}
nav a{color:#9ecbff;margin-right:4px;text-decoration:none}
main{max-width:1100px;margin:0 auto;padding:8px 40px 40px}
section{background:#fff;border:1px solid #e3e6eb;border-radius:8px;margin:20px 0;
padding:4px 24px 18px}
h2{font-size:20px;margin:18px 0 4px}
h3{font-size:15px;margin:18px 0 6px;color:#3a4556}
.lead{color:#4a5568;margin:4px 0 12px}
figure{margin:12px 0}
figure img{max-width:100%;height:auto}
figcaption{font-size:13px;color:#5a6678}
.note{font-size:13px;color:#5a6678;margin:0 0 8px;max-width:52em}
.scroll{overflow-x:auto}
.blocks{display:flex;flex-wrap:wrap;gap:0 36px;align-items:flex-start}
.block{max-width:100%;min-width:0}
table.table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
table.table th{background:#eef1f5;text-align:left;padding:5px 9px;border-bottom:1px solid #d5dae1;
vertical-align:bottom;min-width:4.5em;max-width:11em}
table.table td{padding:4px 9px;border-bottom:1px solid #eef0f3;vertical-align:top}
table.table td{white-space:nowrap}
table.wrap td:last-child{white-space:normal;min-width:18em}
.ci{color:#5a6678;font-size:12px}
@media (max-width:640px){header{padding:16px}main{padding:4px 8px 24px}
section{padding:4px 12px 14px}}
code{font-size:12px}
"""
