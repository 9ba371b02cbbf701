"""A run as one self-contained HTML page plus the CSV tables behind it.

:func:`build_report` calls the analysis functions, draws their figures with
:mod:`analytics.viz.plots`
(embedded as PNG data URIs: the page loads no other file and runs no script), masks personal
data (:mod:`analytics.viz.redact`) unless told not to, and writes ``index.html`` and
``tables/*.csv`` atomically. The report computes nothing of its own: every number on the page
is in one of the CSV files.

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
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from pandas.api.typing import NAType

from analytics._shared import MISSING_LABEL
from analytics.io.store import save_table, write_atomic
from analytics.load import Run
from analytics.stats.activity import connection_rates
from analytics.stats.durations import duration_summary
from analytics.stats.outcomes import compare_groups, outcome_rates
from analytics.stats.quality import quality_checks
from analytics.text.conversation import conversation_features, feature_summary
from analytics.text.keywords import BUILTIN_LEXICONS, keyword_features, keyword_hit_rates
from analytics.viz import plots
from analytics.viz.redact import contact_names, redact_frame

__all__ = ["build_report"]

log = logging.getLogger(__name__)

GROUP = "assignee"
NO_GROUP = "(no assignee)"
FOCUS_OUTCOME = "Interested"
CONVERSATION_COLUMNS = (
    "agent_talk_share",
    "agent_words",
    "user_words",
    "switches_per_min",
    "longest_agent_monologue_words",
    "longest_user_story_words",
    "agent_questions",
    "user_questions",
    "agent_response_gap_p50_s",
    "user_response_gap_p50_s",
)
MAX_FINDINGS_SHOWN = 50


@dataclass
class Section:
    """One part of the page: a heading, a lead paragraph, figures and tables."""

    key: str
    title: str
    lead: str = ""
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    shown: dict[str, pd.DataFrame] = field(default_factory=dict)


def build_report(
    run: Run,
    out_dir: str | os.PathLike[str],
    *,
    redact: bool = True,
    title: str | None = None,
    lexicons: Mapping[str, Iterable[str]] | None = None,
) -> Path:
    """Write the HTML report of ``run`` to ``out_dir/index.html`` and its tables as CSV.

    Parameters
    ----------
    run : Run
        A loaded run (:func:`analytics.load_run`).
    out_dir : path
        Created if missing; ``index.html`` and ``tables/*.csv`` are replaced atomically.
    redact : bool, default True
        Mask phone numbers, e-mail addresses and contact names everywhere the report writes
        (free text included) and leave recording URLs out.
    title : str, optional
        The page title; default names the run id(s).
    lexicons : dict, optional
        Keyword lexicons to track; default :data:`analytics.text.keywords.BUILTIN_LEXICONS`.

    Returns
    -------
    Path
        ``out_dir/index.html``.
    """
    out = Path(out_dir)
    sections = _sections(run, lexicons or BUILTIN_LEXICONS)
    if redact:
        names = contact_names(run.tasks, run.calls)
        for section in sections:
            section.tables = {k: redact_frame(v, names=names) for k, v in section.tables.items()}
            section.shown = {k: redact_frame(v, names=names) for k, v in section.shown.items()}
    for section in sections:
        for name, table in section.tables.items():
            save_table(table, out / "tables" / f"{name}.csv")
    page = _page(sections, title or _default_title(run), redact=redact)
    return write_atomic(out / "index.html", lambda tmp: tmp.write_text(page, encoding="utf-8"))


# --- the content ----------------------------------------------------------------------------


def _sections(run: Run, lexicons: Mapping[str, Iterable[str]]) -> list[Section]:
    features = conversation_features(run.turns, calls=run.calls)
    keywords = keyword_features(run.turns, lexicons, calls=run.calls)
    return [
        _overview(run),
        _durations(run),
        _outcomes(run),
        _conversation(run, features),
        _keywords(run, keywords),
        _quality(run),
    ]


def _overview(run: Run) -> Section:
    calls = run.calls
    counts = {
        "tasks": len(run.tasks),
        "calls": len(calls),
        "connected calls": int(calls["connected"].sum()),
        "calls awaiting evaluation": int((~calls["evaluated"]).sum()),
        "transcript turns": len(run.turns),
        "loader problems": len(run.problems),
    }
    overview = pd.DataFrame({"measure": list(counts), "value": list(counts.values())})
    by_status = _counts(run.tasks, "status", "task status")
    by_call_status = _counts(calls, "call_status", "call status")
    section = Section("overview", "Run overview", _overview_lead(run))
    section.figures.append(("Calls per day by assignee", _draw(plots.plot_calls_over_time, calls)))
    section.tables = {
        "overview": overview,
        "task_status": by_status,
        "call_status": by_call_status,
        "calls": calls,
    }
    section.shown = {
        "At a glance": overview,
        "Tasks by status": by_status,
        "Calls by call status": by_call_status,
    }
    return section


def _overview_lead(run: Run) -> str:
    start = run.calls["start_time"]
    span = (
        f"Calls from {start.min():%Y-%m-%d %H:%M} to {start.max():%Y-%m-%d %H:%M} UTC. "
        if start.notna().any()
        else ""
    )
    runs = ", ".join(sorted(run.tasks["run_id"].dropna().unique())[:3]) or "unknown run"
    connected = int(run.calls["connected"].sum())
    share = f" ({connected / len(run.calls):.0%})" if len(run.calls) else ""
    return (
        f"Run {runs}: {len(run.tasks)} tasks by {run.tasks[GROUP].nunique()} assignees. "
        f"{span}{connected} of {len(run.calls)} calls connected{share}: a call is "
        "<em>connected</em> when its status means someone answered and its transcript "
        "has a caller turn."
    )


def _counts(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    counts = frame[column].fillna(MISSING_LABEL).value_counts().rename_axis(label)
    return counts.rename("count").reset_index().astype({"count": "int64"})


def _durations(run: Run) -> Section:
    summary = duration_summary(run.calls, by=GROUP)
    lead = (
        "Connected calls with a known, positive duration. The median's 95% interval is the "
        "exact distribution-free interval from order statistics (NA below 6 calls); "
        "percentiles interpolate linearly."
    )
    section = Section("durations", "Call durations", lead)
    section.figures.append(("Duration by assignee (ECDF)", _draw(plots.plot_durations, run.calls)))
    section.tables = {"durations": summary}
    section.shown = {"Duration by assignee (seconds)": summary}
    return section


def _outcomes(run: Run) -> Section:
    rates = outcome_rates(run.calls, by=GROUP)
    focus = run.calls.assign(
        focus=run.calls["outcome"]
        .eq(FOCUS_OUTCOME)
        .mask(run.calls["outcome"].isna())
        .map({True: FOCUS_OUTCOME, False: "other"})
    )
    tests = pd.concat(
        [
            compare_groups(run.calls, by=GROUP).assign(outcomes="all outcomes"),
            compare_groups(focus, by=GROUP, outcome="focus").assign(
                outcomes=f"{FOCUS_OUTCOME} vs the rest"
            ),
        ],
        ignore_index=True,
    )
    connection = connection_rates(run.calls, by=GROUP)
    section = Section("outcomes", "Outcomes by assignee", _outcome_lead(tests))
    section.figures += [
        (
            "Outcome rates by assignee (95% Wilson intervals)",
            _draw(plots.plot_outcome_rates, run.calls, size=(9, 4.2)),
        ),
        ("Connection rate by assignee", _draw(plots.plot_connection_rates, run.calls)),
    ]
    section.tables = {
        "outcome_rates": rates,
        "group_comparison": tests,
        "connection_rates": connection,
    }
    section.shown = {
        "Outcome rates (95% interval)": _rate_grid(rates, "outcome"),
        "Is the difference real? (chi-square test of independence)": tests[
            [
                "outcomes",
                "statistic",
                "dof",
                "p_value",
                "cramers_v",
                "min_expected",
                "reliable",
                "fisher_p_value",
            ]
        ],
        "Connection rate by assignee": connection,
    }
    return section


def _outcome_lead(tests: pd.DataFrame) -> str:
    focus = tests.iloc[-1]
    if pd.isna(focus["p_value"]):
        verdict = "There are too few groups or outcomes to test."
    else:
        strength = "unlikely" if focus["p_value"] < 0.05 else "quite possibly"
        trust = "" if focus["reliable"] else " (few calls: read it with care)"
        verdict = (
            f"For {FOCUS_OUTCOME} against the rest, p = {focus['p_value']:.3g}: the "
            f"differences between assignees are {strength} due to chance{trust}."
        )
    return (
        "Each bar is an outcome's share of the assignee's evaluated calls, with its 95% "
        f"Wilson score interval. {verdict}"
    )


def _conversation(run: Run, features: pd.DataFrame) -> Section:
    summary = feature_summary(
        features, by=GROUP, calls=run.calls, columns=list(CONVERSATION_COLUMNS)
    )
    grouped = features.merge(run.calls[["task_id", GROUP]], on="task_id", how="left")
    lead = (
        "Medians per call. Talk share counts words; response gaps run from a turn's "
        "timestamp to the next speaker's, so they include the speaker's own talk time. "
        "The dashed line marks the 43% talk share of winning sales calls (Gong Labs)."
    )
    section = Section("conversation", "Conversation metrics", lead)
    section.figures += [
        ("Agent talk share by assignee", _draw(plots.plot_talk_share, grouped, by=GROUP)),
        ("Agent response gap by assignee", _draw(plots.plot_response_gaps, grouped, by=GROUP)),
    ]
    section.tables = {"conversation_by_assignee": summary, "conversation_features": features}
    shown = _formatted(summary.fillna({GROUP: NO_GROUP})).set_index(GROUP).T
    shown = shown.rename_axis(index="median per call", columns=None).reset_index()
    section.shown = {"Conversation metrics by assignee (medians)": shown}
    return section


def _keywords(run: Run, keywords: pd.DataFrame) -> Section:
    rates = keyword_hit_rates(keywords, by=GROUP, calls=run.calls)
    lead = (
        "Share of calls in which either side said a term of the lexicon at least once "
        "(case-insensitive, whole words), with 95% Wilson intervals."
    )
    section = Section("keywords", "Keyword trackers", lead)
    section.figures.append(
        (
            "Keyword hit rates by assignee",
            _draw(plots.plot_keyword_rates, keywords, by=GROUP, calls=run.calls, size=(9, 4.2)),
        )
    )
    section.tables = {"keyword_rates": rates, "keyword_features": keywords}
    section.shown = {"Keyword hit rates (95% interval)": _rate_grid(rates, "lexicon")}
    return section


def _quality(run: Run) -> Section:
    findings = quality_checks(run)
    per_check = findings["check"].value_counts().rename_axis("check").rename("findings")
    counts = per_check.reset_index().astype({"findings": "int64"})
    lead = (
        f"{len(findings)} findings. Values the loader could not read are NA in the tables "
        "and listed as <em>unreadable</em>; the other checks look at values that were read."
    )
    section = Section("quality", "Data quality", lead)
    section.tables = {"quality": findings}
    section.shown = {
        "Findings by check": counts,
        f"Findings (first {MAX_FINDINGS_SHOWN})": findings.head(MAX_FINDINGS_SHOWN),
    }
    return section


def _rate_grid(rates: pd.DataFrame, rows: str) -> pd.DataFrame:
    """Display only: ``rows`` x assignee cells reading "35% (25-47%)", with n in the header."""
    cell = rates.assign(
        cell=[
            f"{r:.0%} ({lo:.0%}-{hi:.0%})"
            for r, lo, hi in zip(rates["rate"], rates["ci_low"], rates["ci_high"])
        ]
    )
    header = cell[GROUP].fillna(NO_GROUP) + " (n=" + cell["n"].astype(str) + ")"
    grid = cell.assign(group=header).pivot(index=rows, columns="group", values="cell")
    order = list(dict.fromkeys(rates[rows]))
    return grid.reindex(order).rename_axis(columns=None).reset_index()


def _default_title(run: Run) -> str:
    runs = run.tasks["run_id"].dropna().unique()
    return f"Run {runs[0]}" if len(runs) == 1 else f"{len(runs)} runs"


# --- drawing and writing --------------------------------------------------------------------


def _draw(
    plot: Callable[..., object],
    data: object,
    *,
    size: tuple[float, float] = (7.5, 3.8),
    **options: object,
) -> bytes:
    """Draw one plot on its own figure (no pyplot state) and return it as PNG bytes."""
    figure = Figure(figsize=size, layout="constrained")
    plot(data, ax=figure.add_subplot(), **options)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _cell(value: float | NAType, percent: bool) -> str:
    if pd.isna(value):
        return ""
    return f"{value:.1%}" if percent else f"{value:,.3g}"


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Display only: rates and shares as percentages, other floats to 3 significant digits."""
    shown = frame.copy()
    for column in shown.select_dtypes("number").columns:
        if pd.api.types.is_float_dtype(shown[column]):
            percent = column in ("rate", "ci_low", "ci_high") or column.endswith("_share")
            shown[column] = [_cell(v, percent) for v in shown[column]]
    return shown


def _table_html(frame: pd.DataFrame) -> str:
    return _formatted(frame).to_html(index=False, na_rep="", classes="table", border=0, escape=True)


def _section_html(section: Section) -> str:
    figures = "".join(
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(caption)}</figcaption>'
        "</figure>"
        for caption, png in section.figures
    )
    tables = "".join(
        f"<div class=block><h3>{html.escape(name)}</h3><div class=scroll>"
        f"{_table_html(frame)}</div></div>"
        for name, frame in section.shown.items()
    )
    return (
        f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>'
        f"<p class=lead>{section.lead}</p>{figures}<div class=blocks>{tables}</div></section>"
    )


def _page(sections: list[Section], title: str, *, redact: bool) -> str:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    nav = " · ".join(f'<a href="#{s.key}">{html.escape(s.title)}</a>' for s in sections)
    privacy = (
        "Phone numbers, e-mail addresses and contact names are masked; recording URLs are left out."
        if redact
        else "Not redacted: this page holds personal data."
    )
    body = "".join(_section_html(s) for s in sections)
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><header>"
        f"<h1>{html.escape(title)}</h1><p class=meta>unpod-analytics report, {made}. "
        f"{privacy} Every number here is in <code>tables/*.csv</code>.</p>"
        f"<nav>{nav}</nav></header><main>{body}</main></body></html>"
    )


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;
margin:0;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:24px 40px}
header h1{margin:0 0 4px;font-size:24px}
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
.scroll{overflow-x:auto}
.blocks{display:flex;flex-wrap:wrap;gap:0 36px;align-items:flex-start}
.block{max-width:100%}
table.table td:first-child,table.table th{white-space:nowrap}
table.table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
table.table th{background:#eef1f5;text-align:left;padding:5px 9px;border-bottom:1px solid #d5dae1}
table.table td{padding:4px 9px;border-bottom:1px solid #eef0f3;vertical-align:top}
code{font-size:12px}
"""
