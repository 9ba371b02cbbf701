"""A run as one self-contained HTML page plus the CSV tables behind it.

:func:`build_report` calls the analysis functions, draws their figures with
:mod:`analytics.viz.plots` (embedded as PNG data URIs: the page loads no other file and runs
no script), masks personal data (:mod:`analytics.viz.redact`) unless told not to, and writes
``index.html`` and ``tables/*.csv`` as one directory, atomically
(:func:`analytics.io.store.atomic_directory`). The report computes nothing of its own: every
number on the page is in one of the CSV files, which keep the analysis functions' column
names; the page shows them with headers in words, durations in s, min or h and no scientific
notation (:mod:`analytics.viz._format`).

The first screen answers the campaign's question: which assignee turns dials into Interested
leads, and what a lead costs (:func:`~analytics.stats.campaign.funnel`, with intervals and a
verdict on whether they separate the assignees). Then come the campaign sections
(:mod:`analytics.viz._campaign`): the funnel and cost per Interested, the trend per day or
week (when the calls span more than one), connection and Interested rates by weekday and hour
(in ``timezone``), why calls end, the follow-ups due, and the calls most worth a listen
(:func:`~analytics.review.queue.review_queue`); then durations, outcomes, conversation
metrics, keywords and data quality.

Denominators: durations count connected calls with a known, positive duration; outcome rates
the calls with an outcome; the per-dial rate every call made; conversation metrics and keyword
rates the calls with a conversation (``calls.has_conversation``: at least one agent turn and
one user turn). Each caption says which.

Latency: where the platform measured it (``calls.latency_e2e_p50_s``, the median over the
call's turns of the time from the caller stopping to the agent starting to speak), the report
takes the platform's measure; for the other calls, the agent response gap from the transcript
stamps (``agent_response_gap_p50_s`` of the conversation features). The two measure different
spans, so the page keeps them apart: it says which measure it used and over how many calls,
both counts for a mix, with a figure per measure, and ``latency.csv`` names each call's
measure.

Platforms: calls from more than one platform (``calls.platform``: Unpod, Retell, Vapi) give the
overview a table per platform (calls, connected, Interested, with intervals), ``platforms.csv``,
and a platform column in the first screen's table. A calls frame without ``platform`` (loaded
before other platforms were read) is Unpod's, and one without ``latency_e2e_p50_s`` has no
platform-measured latency.

A run spanning several runs (several ``run_id``, or ``space`` and ``run_id`` when the tables
have a ``space`` column) gets a "Runs" section and ``tables/runs.csv`` (:mod:`analytics.viz._runs`).

Given the Dask frames of a dataset (:meth:`analytics.Dataset.to_dask`) instead of a loaded
run, the report is the same, page and tables: the analyses of the turns (conversation and
keyword features, quality checks, the review queue) run on Dask, run by run, and only their
results, one row per call, and the tasks, calls and problems tables come to memory, never the
turns.

Examples
--------
>>> import tempfile
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> with tempfile.TemporaryDirectory() as out:
...     page = build_report(load_run(make_run(60, random_state=0)), out, now="2026-02-01")
...     print(page.name, sorted(p.name for p in (page.parent / "tables").iterdir())[:4])
index.html ['call_status.csv', 'call_timing.csv', 'calls.csv', 'connection_rates.csv']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analytics._shared import MISSING_LABEL, is_dask
from analytics.io.store import atomic_directory, save_table, write_atomic
from analytics.load import Run
from analytics.review.queue import review_queue
from analytics.schema import MEASURE, TEXT
from analytics.stats.campaign import funnel
from analytics.stats.durations import MIN_N_P90, MIN_N_P95, duration_summary
from analytics.stats.quality import quality_checks
from analytics.text.conversation import conversation_features, feature_summary
from analytics.text.keywords import BUILTIN_LEXICONS, keyword_features, keyword_hit_rates
from analytics.viz import plots
from analytics.viz._campaign import (
    DATA_HEADERS,
    LINK_HEADER,
    REVIEW_N,
    SAID_HEADER,
    agents_headline,
    agents_section,
    end_reason_section,
    follow_up_section,
    review_section,
    timing_section,
    trend_section,
)
from analytics.viz._display import (
    CELL_LIMITS,
    CONVERSATION_RULE,
    FOCUS_OUTCOME,
    GROUP,
    MAX_CELL_CHARS,
    METRIC_KINDS,
    Section,
    float_values,
    group_labels,
    number_texts,
    over_conversations,
    shorten_cell,
    value_texts,
    with_interval,
)
from analytics.viz._display import draw as _draw
from analytics.viz._format import (
    duration_unit,
    format_number,
    plural,
)
from analytics.viz._html import element, join
from analytics.viz._html import page as _page
from analytics.viz._outcomes import outcomes_section, rate_grid
from analytics.viz._runs import (
    DEFAULT_PLATFORM,
    NO_RUN,
    PLATFORM,
    PLATFORMS_HEADING,
    default_title,
    platform_counts,
    platforms_shown,
    platforms_table,
    run_names,
    runs_section,
    runs_table,
    with_platform,
)
from analytics.viz.redact import contact_names, redact_frame

__all__ = ["MAX_CELL_CHARS", "NO_RUN", "build_report"]

log = logging.getLogger(__name__)

REPORT_FILES = ("index.html", "tables")
"""What a report directory holds (``tables/`` holds every CSV, ``runs.csv`` included);
:func:`build_report` replaces no directory holding more."""
MAX_FINDINGS_SHOWN = 50


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
    queue: pd.DataFrame
    """:func:`review_queue` of the run (its :data:`REVIEW_N` calls most worth a listen)."""
    n_turns: int


def build_report(
    run: Run | DaskTables,
    out_dir: str | os.PathLike[str],
    *,
    redact: bool = True,
    title: str | None = None,
    lexicons: Mapping[str, Iterable[str]] | None = None,
    timezone: str = "UTC",
    now: str | date | None = None,
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
        Given ones also replace the review queue's lexicons of the same name
        (:data:`analytics.review.queue.REVIEW_LEXICONS`: ``opt_out``, ``price``...).
    timezone : str, default "UTC"
        IANA time zone of the "When to call" weekdays and hours (``"Asia/Kolkata"``).
    now : str, date, datetime or Timestamp, optional
        The time follow-ups are judged overdue against (naive: UTC); None, the default, takes
        the time the report is built, which the page states.

    Returns
    -------
    Path
        ``out_dir/index.html``.

    Raises
    ------
    FileExistsError
        ``out_dir`` is a file, or a folder holding files a report does not write (nothing is
        written).
    ValueError
        ``timezone`` is not a time zone, or ``now`` is not a time (nothing is written).
    """
    made = datetime.now(UTC)
    with atomic_directory(out_dir, owned=REPORT_FILES, what="report") as folder:
        inputs = _inputs(run, lexicons or BUILTIN_LEXICONS, review_lexicons=lexicons)
        runs = runs_table(inputs.tasks, inputs.calls)
        sections = _sections(inputs, runs, timezone=timezone, now=now)
        _draw_charts(sections)
        if redact:
            _redact(sections, contact_names(inputs.tasks, inputs.calls))
        _shorten(sections)  # after masking: a cut address or number would escape the patterns
        for section in sections:
            for name, table in section.tables.items():
                save_table(table, folder / "tables" / f"{name}.csv")
        shown = sections if len(inputs.tasks) else sections[:1]
        page = _page(shown, title or default_title(inputs.tasks, runs), redact=redact, made=made)
        write_atomic(folder / "index.html", lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return Path(out_dir) / "index.html"


_TEXT_HEADERS = frozenset(
    {
        GROUP,
        PLATFORM,
        "measure",
        "task status",
        "call status",
        "outcomes",
        "note",
        "task",
        "field",
        "detail",
    }
    | DATA_HEADERS
)
"""The columns of shown tables that hold text from the run; the others hold numbers as text,
which the redactor would take for phone numbers ("106 (93-124)")."""
WHOLLY_PERSONAL = frozenset({"due_text", SAID_HEADER})
"""Columns masked whole besides :data:`~analytics.viz.redact.PERSONAL_COLUMNS`: the caller's
words for a follow-up time, which :func:`~analytics.stats.follow_ups.follow_ups` names
``due_text`` (``calls.callback_text``, which the redactor masks whole) and the page "as said"."""
_MASK = "[redacted]"


def _redact(sections: list[Section], names: list[str]) -> None:
    for section in sections:
        section.tables = {k: _redacted(v, names) for k, v in section.tables.items()}
        section.shown = {k: _redact_shown(v, names) for k, v in section.shown.items()}


def _redacted(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """:func:`redact_frame`, and the :data:`WHOLLY_PERSONAL` columns masked whole."""
    masked = redact_frame(frame, names=names)
    whole = [c for c in masked.columns if c in WHOLLY_PERSONAL]
    return masked.assign(**{c: _masked_whole(masked[c]) for c in whole})


def _masked_whole(values: pd.Series) -> pd.Series:
    """Every text ``[redacted]``; missing and empty cells stay as they are."""
    text = values.astype(TEXT)
    return text.mask(text.fillna("").ne(""), _MASK)


def _redact_shown(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The shown table with its text columns masked and its links (recordings) left out."""
    text = [c for c in frame.columns if c in _TEXT_HEADERS]
    masked = _redacted(frame[text], names)
    kept = frame.drop(columns=[c for c in frame.columns if c == LINK_HEADER])
    return kept.assign(**{c: masked[c] for c in text})


def _shorten(sections: list[Section]) -> None:
    """Cut the page's long cells (problem messages, summaries) to :data:`MAX_CELL_CHARS`
    (:data:`~analytics.viz._display.CELL_LIMITS` for excerpts); the CSVs keep them whole."""
    for section in sections:
        section.shown = {k: _shortened(v) for k, v in section.shown.items()}


def _shortened(frame: pd.DataFrame) -> pd.DataFrame:
    cut = {
        c: frame[c].map(lambda v, c=c: shorten_cell(v, CELL_LIMITS.get(str(c), MAX_CELL_CHARS)))
        for c in frame.columns
    }
    return frame.assign(**cut) if cut else frame


def _draw_charts(sections: list[Section]) -> None:
    """Draw the sections' charts (:class:`~analytics.viz._display.Chart`) into their figures."""
    for section in sections:
        for chart in section.charts:
            png = _draw(chart.plot, chart.data, size=chart.size, **chart.options)
            section.figures.append((chart.caption, png))
        section.charts = []


# --- the content ----------------------------------------------------------------------------


def _inputs(
    run: Run | DaskTables,
    lexicons: Mapping[str, Iterable[str]],
    *,
    review_lexicons: Mapping[str, Iterable[str]] | None = None,
) -> _Inputs:
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
            calls=with_platform(loaded.calls),
            problems=loaded.problems,
            features=conversation_features(loaded.turns, calls=loaded.calls),
            keywords=keyword_features(loaded.turns, lexicons, calls=loaded.calls),
            findings=quality_checks(loaded),
            queue=review_queue(loaded, n=REVIEW_N, lexicons=review_lexicons),
            n_turns=len(loaded.turns),
        )
    features = _by_call(conversation_features(run.turns, calls=run.calls))
    return _Inputs(
        tasks=_computed(run.tasks),
        calls=with_platform(_computed(run.calls)),
        problems=_computed(run.problems),
        features=features,
        keywords=_by_call(keyword_features(run.turns, lexicons, calls=run.calls)),
        findings=quality_checks(cast(Run, run)),  # dispatched to Dask like the features
        # dispatched to Dask too: the turns stay on the workers, the ranked calls come back
        queue=review_queue(cast(Run, run), n=REVIEW_N, lexicons=review_lexicons),
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


def _sections(
    run: _Inputs, runs: pd.DataFrame, *, timezone: str, now: str | date | None
) -> list[Section]:
    conversations = run.calls.loc[run.calls["has_conversation"], ["task_id", GROUP]]
    steps = funnel(run.calls, by=GROUP, outcome=FOCUS_OUTCOME)
    trends = trend_section(run.calls)
    return [
        _overview(run, runs, steps),
        agents_section(steps),
        *([trends] if trends else []),
        timing_section(run.calls, timezone=timezone),
        end_reason_section(run.calls),
        follow_up_section(run.calls, now=now),
        review_section(run.queue),
        *([runs_section(runs)] if len(runs) > 1 else []),
        _durations(run),
        outcomes_section(run.calls),
        _conversation(run, run.features, conversations),
        _keywords(run, run.keywords, conversations),
        _quality(run),
    ]


def _overview(run: _Inputs, runs: pd.DataFrame, steps: pd.DataFrame) -> Section:
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
    section.shown = {"At a glance": overview.assign(value=number_texts(overview["value"]))}
    if len(run.tasks):
        heading, headline, note, footnote = agents_headline(steps)
        section.shown = {heading: headline, **section.shown}
        section.notes[heading] = note
        section.footnotes[heading] = footnote
        section.first = (heading,)
        section.shown["Tasks by status"] = _count_table(by_status, "task status", "tasks")
        section.shown["Calls by call status"] = _count_table(by_call_status, "call status", "calls")
        if platform_counts(calls).size > 1:
            _platform_parts(section, calls, heading)
    return section


def _platform_parts(section: Section, calls: pd.DataFrame, headline: str) -> None:
    """Calls from several platforms: the table per platform (on the first screen, after the
    headline), ``platforms.csv``, and a platform column in the headline table."""
    platforms = platforms_table(calls)
    section.tables["platforms"] = platforms
    shown = section.shown
    section.shown = {
        headline: _with_platform_column(shown.pop(headline), calls),
        PLATFORMS_HEADING: platforms_shown(platforms),
        **shown,
    }
    section.notes[PLATFORMS_HEADING] = (
        "Every call made, by the platform it ran on. The connection rate is over the calls "
        f"whose connection is known, the {FOCUS_OUTCOME} rate over the calls with an outcome; "
        "each has its 95% Wilson score interval (platforms.csv has every bound)."
    )
    section.first = (headline, PLATFORMS_HEADING)


def _with_platform_column(headline: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """The headline table with the platforms each assignee's calls ran on, after its name."""
    pairs = pd.DataFrame({GROUP: group_labels(calls), PLATFORM: calls[PLATFORM].tolist()})
    rank = {name: i for i, name in enumerate(platform_counts(calls).index)}
    pairs = pairs.drop_duplicates().sort_values(PLATFORM, key=lambda p: p.map(rank))
    names = pairs.groupby(GROUP, sort=False)[PLATFORM].agg(", ".join)
    shown = headline.copy()
    shown.insert(1, PLATFORM, headline[GROUP].map(names).fillna("").tolist())
    return shown


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
    return join(
        f"{run_names(runs)}: {plural(len(run.tasks), 'task')}{_assigned(run)}. {span}"
        f"{_platforms_text(calls)}"
        f"{connected} of {plural(len(calls), 'call')} connected{share}: a call is ",
        element("em", "connected"),
        " when its status means someone answered and its transcript has a caller turn. "
        f"{talked} had a conversation ({CONVERSATION_RULE}).",
    )


def _platforms_text(calls: pd.DataFrame) -> str:
    """ "Calls from 3 platforms: unpod 27, retell 20 and vapi 10. ", "All calls ran on retell. ",
    or "" for Unpod calls alone."""
    counts = platform_counts(calls)
    if counts.size == 1 and counts.index[0] != DEFAULT_PLATFORM:
        return f"All calls ran on {counts.index[0]}. "
    if counts.size < 2:
        return ""
    parts = [f"{name} {count:,}" for name, count in counts.items()]
    listed = f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Calls from {plural(counts.size, 'platform')}: {listed}. "


def _assigned(run: _Inputs) -> str:
    n = run.tasks[GROUP].nunique()
    return f" by {plural(n, 'assignee')}" if n else ", none of them assigned"


def _counts(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    counts = frame[column].fillna(MISSING_LABEL).value_counts().rename_axis(label)
    return counts.rename("count").reset_index().astype({"count": "int64"})


def _count_table(counts: pd.DataFrame, label: str, unit: str) -> pd.DataFrame:
    return pd.DataFrame({label: counts[label].tolist(), unit: number_texts(counts["count"])})


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
    unit, size = duration_unit(float_values(summary["median_s"]))
    longest, longest_size = duration_unit(float_values(summary["max_s"]))

    def amounts(column: str, in_size: float = size) -> list[str]:
        digits = 0 if in_size == 1 else 1
        return [format_number(v / in_size, digits=digits) for v in float_values(summary[column])]

    median = [
        with_interval(m, lo, hi)
        for m, lo, hi in zip(
            amounts("median_s"), amounts("median_ci_low"), amounts("median_ci_high")
        )
    ]
    return pd.DataFrame(
        {
            GROUP: group_labels(summary),
            "calls": number_texts(summary["n"]),
            f"mean, {unit}": amounts("mean_s"),
            f"median (95% CI), {unit}": median,
            f"90th percentile, {unit}": amounts("p90_s"),
            f"95th percentile, {unit}": amounts("p95_s"),
            f"longest, {longest}": amounts("max_s", longest_size),
            "not counted": number_texts(summary["n_excluded"]),
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
    latency = latency_by_call(talk, run.calls)
    over = over_conversations(len(talk))
    left_out = len(run.calls) - len(talk)
    lead = (
        f"Medians per call, {over} ({left_out} without one, such as unanswered calls and "
        "voicemails, are left out). Talk share counts words; response gaps run from a turn's "
        "timestamp to the next speaker's, so they include the speaker's own talk time. The "
        "dashed line marks the 43% talk share of winning sales calls (Gong Labs). "
        f"{latency_statement(latency)}"
    )
    section = Section("conversation", "Conversation metrics", lead)
    _conversation_figures(section, talk, latency, over)
    section.tables = {
        "conversation_by_assignee": summary,
        "conversation_features": features,
        "latency": latency,
        "latency_by_assignee": _latency_summary(latency),
    }
    heading = "Conversation metrics by assignee (medians per call)"
    section.shown = {heading: _conversation_table(summary)}
    section.notes = {
        heading: f"Medians {over}. A response gap needs a timed change of speaker, so fewer "
        "calls have one (the n beside each box)."
    }
    if latency[LATENCY_MEASURE].eq(PLATFORM_MEASURE).any():
        section.notes[heading] += (
            " The agent response gap here comes from the transcript stamps of every call; the "
            "agent latency table below takes the platform's measure where a call has one."
        )
        _latency_table(section, section.tables["latency_by_assignee"], latency)
    return section


def _conversation_figures(
    section: Section, talk: pd.DataFrame, latency: pd.DataFrame, over: str
) -> None:
    if talk.empty:
        section.missing.append("No call has a conversation yet.")
        return
    figure = _draw(plots.plot_talk_share, talk, by=GROUP)
    section.figures.append((f"Agent talk share by assignee, {over}", figure))
    measured = latency[LATENCY_MEASURE].eq(PLATFORM_MEASURE).to_numpy(dtype=bool, na_value=False)
    if measured.any():
        n = plural(int(measured.sum()), "call")
        figure = _draw(_plot_platform_latency, latency[measured])
        section.figures.append(
            (f"Agent latency by assignee: {MEASURE_WORDS[PLATFORM_MEASURE]}, {n}", figure)
        )
    gaps = talk[~measured]
    if gaps["agent_response_gap_p50_s"].notna().any():
        figure = _draw(plots.plot_response_gaps, gaps, by=GROUP)
        section.figures.append(
            (f"Agent response gap by assignee, {_gaps_over(gaps, measured, over)}", figure)
        )


def _gaps_over(gaps: pd.DataFrame, measured: np.ndarray, over: str) -> str:
    """Whom the response-gap figure covers: every call with a conversation, or those of them
    without a platform-measured latency."""
    if not measured.any():
        return over
    n = int(gaps["agent_response_gap_p50_s"].notna().sum())
    return f"{MEASURE_WORDS[STAMPS_MEASURE]}, {plural(n, 'call')} without a platform latency"


def _plot_platform_latency(latency: pd.DataFrame, *, ax: Axes) -> Axes:
    """The platform's end-to-end latency per call, a box per assignee (the response-gap plot,
    relabelled)."""
    drawn = plots.plot_response_gaps(latency, by=GROUP, column=PLATFORM_LATENCY, ax=ax)
    drawn.set(
        title="Agent latency, measured by the platform",
        xlabel="End-to-end latency, median per call (s)",
    )
    return drawn


PLATFORM_LATENCY = "latency_e2e_p50_s"
LATENCY_MEASURE = "latency_measure"
PLATFORM_MEASURE = "platform"
STAMPS_MEASURE = "stamps"
MEASURE_WORDS = {
    PLATFORM_MEASURE: "platform-measured end-to-end latency (median per call)",
    STAMPS_MEASURE: "response gap from transcript stamps",
}
"""The two measures of agent latency (``latency.csv``'s ``latency_measure``), in words."""


def latency_by_call(talk: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """Per call of ``talk`` (features of the calls with a conversation, with ``assignee``):
    ``task_id, assignee, platform, latency_e2e_p50_s, agent_response_gap_p50_s``, then
    ``agent_latency_s``, the platform's measure where the call has one, else the response gap,
    and ``latency_measure`` naming it (``platform`` or ``stamps``; NA when neither is known).
    ``calls`` without ``platform`` or ``latency_e2e_p50_s`` are Unpod calls without one."""
    known = with_platform(calls).drop_duplicates("task_id").set_index("task_id")
    keyed = known.reindex(talk["task_id"])
    platform = keyed[PLATFORM_LATENCY].astype(MEASURE).reset_index(drop=True)
    gap = talk["agent_response_gap_p50_s"].astype(MEASURE).reset_index(drop=True)
    measure = pd.Series(pd.NA, index=platform.index, dtype=TEXT)
    measure = measure.mask(gap.notna(), STAMPS_MEASURE).mask(platform.notna(), PLATFORM_MEASURE)
    return pd.DataFrame(
        {
            "task_id": talk["task_id"].tolist(),
            GROUP: talk[GROUP].tolist(),
            PLATFORM: keyed[PLATFORM].tolist(),
            PLATFORM_LATENCY: platform,
            "agent_response_gap_p50_s": gap,
            "agent_latency_s": platform.fillna(gap),
            LATENCY_MEASURE: measure,
        }
    )


def latency_statement(latency: pd.DataFrame) -> str:
    """Which agent latency the page uses, over how many calls: "Agent latency:
    platform-measured end-to-end latency (median per call), 40 calls", "... response gap from
    transcript stamps, 12 calls", both counts for a mix.

    >>> mixed = pd.DataFrame({LATENCY_MEASURE: ["platform", "stamps", "platform"]})
    >>> print(latency_statement(mixed).split("; ")[1][:43])
    response gap from transcript stamps, 1 call
    """
    counts = latency[LATENCY_MEASURE].value_counts()
    used = [
        f"{words}, {plural(int(counts[m]), 'call')}"
        for m, words in MEASURE_WORDS.items()
        if m in counts
    ]
    if not used:
        return (
            "Agent latency: no call with a conversation has a platform-measured latency or a "
            "timed change of speaker."
        )
    if len(used) == 1:
        return f"Agent latency: {used[0]}."
    return (
        f"Agent latency: {used[0]}; {used[1]} (the calls without the platform's measure). "
        "A call's platform measure is preferred to its stamps; the two time different spans "
        "(a gap between transcript stamps runs from one message's stamp to the next, which on "
        "some platforms includes the caller's own speech), so they are shown apart."
    )


def _latency_summary(latency: pd.DataFrame) -> pd.DataFrame:
    """Per measure and assignee (:func:`feature_summary`): ``latency_measure, assignee,
    n_calls`` and ``agent_latency_median_s``, the median of the calls' ``agent_latency_s``."""
    parts = [
        feature_summary(
            _of_measure(latency, measure), by=GROUP, columns=["agent_latency_s"]
        ).assign(**{LATENCY_MEASURE: measure})
        for measure in MEASURE_WORDS
    ]
    summary = pd.concat(parts, ignore_index=True).astype({LATENCY_MEASURE: TEXT})
    summary = summary.rename(columns={"agent_latency_s": "agent_latency_median_s"})
    return summary[[LATENCY_MEASURE, GROUP, "n_calls", "agent_latency_median_s"]]


def _of_measure(latency: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The rows of ``latency`` whose latency is of ``measure``."""
    return latency[latency[LATENCY_MEASURE].eq(measure).to_numpy(dtype=bool, na_value=False)]


def _latency_table(section: Section, summary: pd.DataFrame, latency: pd.DataFrame) -> None:
    """The shown table of agent latency per assignee and measure, with the statement."""
    heading = "Agent latency by assignee (median per call)"
    section.shown[heading] = pd.DataFrame(
        {
            GROUP: group_labels(summary),
            "measure": summary[LATENCY_MEASURE].map(MEASURE_WORDS).tolist(),
            "calls": number_texts(summary["n_calls"]),
            "median": value_texts(summary["agent_latency_median_s"], METRIC_KINDS["seconds"]),
        }
    )
    section.notes[heading] = latency_statement(latency)


def _conversation_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Display only: one row per assignee, a column per metric, words for headers."""
    columns: dict[str, list[str]] = {
        GROUP: group_labels(summary),
        "calls with a conversation": number_texts(summary["n_calls"]),
    }
    for column, (header, kind) in CONVERSATION_COLUMNS.items():
        columns[header] = value_texts(summary[column], METRIC_KINDS[kind])
    return pd.DataFrame(columns)


def _keywords(run: _Inputs, keywords: pd.DataFrame, conversations: pd.DataFrame) -> Section:
    talk = keywords[keywords["task_id"].isin(conversations["task_id"])]
    rates = keyword_hit_rates(talk, by=GROUP, calls=run.calls)
    over = over_conversations(len(talk))
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
    section.shown = {heading: rate_grid(lexicons, "lexicon", "calls with a conversation")}
    section.notes = {heading: f"Rates {over}; lexicons in the order of the chart."}
    return section


def _quality(run: _Inputs) -> Section:
    findings = run.findings
    per_check = findings["check"].value_counts().rename_axis("check").rename("findings")
    counts = per_check.reset_index().astype({"findings": "int64"})
    lead = join(
        f"{plural(len(findings), 'finding')}. Values the loader could not read are empty in "
        "the tables and listed as ",
        element("em", "unreadable"),
        "; the other checks look at values that were read.",
    )
    section = Section("quality", "Data quality", lead)
    section.tables = {"quality": findings}
    if len(findings):
        section.shown = {
            "Findings by check": counts.assign(findings=number_texts(counts["findings"])),
            _findings_heading(len(findings)): findings.head(MAX_FINDINGS_SHOWN)
            .fillna("")
            .rename(columns={"task_id": "task"}),
        }
    return section


def _findings_heading(n: int) -> str:
    if n <= MAX_FINDINGS_SHOWN:
        return "Findings"
    return f"Findings (the first {MAX_FINDINGS_SHOWN} of {n:,}; all of them in quality.csv)"
