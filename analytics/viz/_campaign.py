"""The report's campaign sections: agents' funnel and cost, trends, timing, end reasons, follow-ups
and the calls to review.

Private to :mod:`analytics.viz`. Each function turns the frames of
:mod:`analytics.stats.campaign`, :func:`~analytics.stats.follow_ups.follow_ups` and
:func:`~analytics.review.queue.review_queue` into a :class:`~analytics.viz._display.Section`:
the frames as they are (written as CSV), tables in words for the page, and the figures of
:mod:`analytics.viz.plots` as :class:`~analytics.viz._display.Chart` (the report draws them).
Nothing here computes a statistic; every lead names its denominators and intervals.

Examples
--------
>>> import pandas as pd
>>> steps = pd.DataFrame({"assignee": ["a", "b"], "per_dial_rate": [0.30, 0.10],
...                       "per_dial_ci_low": [0.20, 0.05], "per_dial_ci_high": [0.42, 0.19]})
>>> separation(steps, "per_dial", "Interested per dial", best="high")
"Interested per dial: a is highest, and its interval clears every other assignee's."
>>> trend_freq(pd.Series(pd.to_datetime(["2026-01-01", "2026-01-30"], utc=True)))
'W'
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from analytics._shared import utc_time
from analytics.review.queue import REVIEW_SIGNALS
from analytics.stats.campaign import call_timing, end_reasons, outcome_trend
from analytics.stats.follow_ups import follow_ups
from analytics.viz import plots
from analytics.viz._display import (
    FOCUS_OUTCOME,
    GROUP,
    Chart,
    Link,
    Section,
    group_labels,
    minute_texts,
    number_texts,
    rate_cells,
    value_texts,
    with_interval,
)
from analytics.viz._format import format_duration, format_number, format_significant, plural

__all__ = [
    "AGENTS_HEADING",
    "COST_SOURCE",
    "DATA_HEADERS",
    "LINK_HEADER",
    "MAX_FOLLOW_UPS_SHOWN",
    "REVIEW_N",
    "SAID_HEADER",
    "TIMING_MIN_N",
    "TREND_MIN_N",
    "agents_headline",
    "agents_section",
    "end_reason_section",
    "follow_up_section",
    "review_section",
    "separation",
    "timing_section",
    "trend_freq",
    "trend_section",
]

AGENTS_HEADING = f"Which assignee turns dials into {FOCUS_OUTCOME}, at what cost (95% intervals)"
COST_SOURCE = "calls.cost, in the account's currency as the platform bills it"
BOOTSTRAP_WORDS = "a seeded percentile bootstrap over the assignee's calls (2,000 resamples)"
HEADLINE_FOOTNOTE = (
    f"Per dial: {FOCUS_OUTCOME} calls of every call made, with a 95% Wilson interval. Cost: "
    f"{COST_SOURCE}, summed over every call made, per {FOCUS_OUTCOME} call; its 95% interval "
    f"is {BOOTSTRAP_WORDS}. Rows in name order: see Agents for the funnel."
)
TREND_MIN_N = 10
"""Trend points with fewer calls with an outcome than this are drawn hollow: uncertain."""
TIMING_MIN_N = 5
"""Cells of the timing heatmaps with fewer calls than this are grey: too few to colour."""
MAX_TIMING_SHOWN = 12
MAX_FOLLOW_UPS_SHOWN = 30
REVIEW_N = 20
"""How many calls the review queue lists."""
WEEKLY_SPAN = pd.Timedelta(weeks=3)
DAILY_SPAN = pd.Timedelta(days=2)
SAID_HEADER = "as said"
"""The shown column of a requested time that is not a time ("11 AM"): the caller's words,
masked whole when redacting, as ``due_text`` (``calls.callback_text``) is."""
LINK_HEADER = "recording"
"""The shown column of recording links: left out of a redacted page, as ``recording_url`` is
left out of the CSVs."""
DATA_HEADERS = frozenset(
    {
        "customer",
        "contact",
        "summary",
        SAID_HEADER,
        "reasons",
        "excerpt",
        "as the platform wrote it",
    }
)
"""The columns of these sections' shown tables that hold text from the run: masked when
redacting (``customer`` and ``contact`` whole)."""
_STEP_HEADERS = {
    "connected": ("connected", "connected (of dials)"),
    "conversations": ("conversation", "conversations (of connected)"),
    "evaluated": ("evaluated", "evaluated (of conversations)"),
    "outcomes": ("outcome", f"{FOCUS_OUTCOME} (of evaluated)"),
}
"""Funnel count column -> (its rate's prefix, the shown header)."""


# --- agents: the headline and the funnel ----------------------------------------------------


def agents_headline(steps: pd.DataFrame) -> tuple[str, pd.DataFrame, str, str]:
    """The first screen's table: per assignee, dials, Interested, the per-dial rate and the
    cost per Interested with their intervals; its heading, a note that says whether the
    intervals separate the assignees, and a footnote on the rate and where the cost comes
    from."""
    table = pd.DataFrame(
        {
            GROUP: group_labels(steps),
            "dials": number_texts(steps["dials"]),
            FOCUS_OUTCOME: number_texts(steps["outcomes"]),
            f"{FOCUS_OUTCOME} per dial (95% CI)": rate_cells(steps, prefix="per_dial_"),
            f"cost per {FOCUS_OUTCOME} (95% CI)": _cost_cells(steps),
            "calls with a cost": number_texts(steps["n_costed"]),
        }
    )
    return AGENTS_HEADING, table, _headline_note(steps), HEADLINE_FOOTNOTE


def _headline_note(steps: pd.DataFrame) -> str:
    verdicts = [
        separation(steps, "per_dial", f"{FOCUS_OUTCOME} per dial", best="high"),
        separation(
            steps, "cost", f"Cost per {FOCUS_OUTCOME}", best="low", value="cost_per_outcome"
        ),
    ]
    return " ".join(v for v in verdicts if v)


def _cost_cells(steps: pd.DataFrame) -> list[str]:
    """ "0.48 (0.31-0.72)"; an unbounded interval, no Interested or no cost said in words."""
    cost, low, high = (
        value_texts(steps[c], format_significant)
        for c in ("cost_per_outcome", "cost_ci_low", "cost_ci_high")
    )
    costed = steps["n_costed"].fillna(0).gt(0).tolist()
    hits = steps["outcomes"].fillna(0).gt(0).tolist()
    return [
        _cost_cell(c, lo, hi, has_cost=k, has_outcome=h)
        for c, lo, hi, k, h in zip(cost, low, high, costed, hits)
    ]


def _cost_cell(cost: str, low: str, high: str, *, has_cost: bool, has_outcome: bool) -> str:
    if not has_cost:
        return "no known cost"
    if not has_outcome:
        return f"no {FOCUS_OUTCOME} yet"
    if cost and low and not high:
        return f"{cost} ({low} to no upper bound)"
    return with_interval(cost, low, high)


def separation(
    frame: pd.DataFrame,
    prefix: str,
    what: str,
    *,
    best: Literal["high", "low"],
    value: str | None = None,
) -> str:
    """Whether the best assignee on ``what`` stands apart: its interval clears every other
    assignee's, or it overlaps some (named), so the data do not separate them.

    Only the point estimate picks the best; the verdict rests on the intervals
    (``{prefix}_ci_low``, ``{prefix}_ci_high``; a missing bound is unbounded). Fewer than two
    assignees with a value: ``""``.
    """
    point = frame[value or f"{prefix}_rate"].to_numpy(dtype=float, na_value=np.nan)
    low = frame[f"{prefix}_ci_low"].to_numpy(dtype=float, na_value=-np.inf)
    high = frame[f"{prefix}_ci_high"].to_numpy(dtype=float, na_value=np.inf)
    known = np.isfinite(point)
    if known.sum() < 2:
        return ""
    top = int(np.nanargmax(point) if best == "high" else np.nanargmin(point))
    overlap = known & ((high >= low[top]) if best == "high" else (low <= high[top]))
    overlap[top] = False
    labels = np.asarray(group_labels(frame), dtype=object)
    word = "highest" if best == "high" else "lowest"
    if not overlap.any():
        return f"{what}: {labels[top]} is {word}, and its interval clears every other assignee's."
    return (
        f"{what}: {labels[top]} is {word}, but its interval overlaps "
        f"{_names_of(list(labels[overlap]))}, so the data do not separate them."
    )


def _names_of(names: list[str], most: int = 3) -> str:
    """ "b's", "b's and c's", "b's, c's, d's and 2 more"."""
    owned = [f"{n}'s" for n in names[:most]]
    more = len(names) - len(owned)
    if more:
        return f"{', '.join(owned)} and {more} more"
    return owned[0] if len(owned) == 1 else f"{', '.join(owned[:-1])} and {owned[-1]}"


def agents_section(steps: pd.DataFrame) -> Section:
    """ "Agents: funnel and cost": the cost and funnel figures, and the funnel step by step."""
    section = Section("agents", "Agents: funnel and cost", _agents_lead())
    options = {"outcome": FOCUS_OUTCOME}
    if steps["n_costed"].fillna(0).sum() > 0:
        caption = f"Cost per {FOCUS_OUTCOME} by assignee ({COST_SOURCE}; bootstrap intervals)"
        section.charts.append(Chart(caption, plots.plot_cost_per_outcome, steps, options=options))
    else:
        section.missing.append(f"No call has a cost ({COST_SOURCE}): no cost per {FOCUS_OUTCOME}.")
    if len(steps):
        caption = "Funnel by assignee: each step's count and its rate of the step before"
        section.charts.append(Chart(caption, plots.plot_funnel, steps, options=options))
    section.tables = {"funnel": steps}
    heading = "Funnel by assignee (95% intervals)"
    section.shown = {heading: _funnel_table(steps)}
    section.notes = {heading: "Each rate is of the step to its left; funnel.csv has every bound."}
    return section


def _agents_lead() -> str:
    return (
        "Each assignee's calls step by step: dials (every call made), connected (the call "
        "is known to have connected; unknown counts as not), conversations (connected, "
        "with at least one agent turn and one user turn), evaluated (the platform's "
        f"post-call analysis is in) and {FOCUS_OUTCOME} (evaluated calls with that outcome). "
        "Each step's rate is of the step before, with its 95% Wilson interval. The cost per "
        f"{FOCUS_OUTCOME} is {COST_SOURCE}, summed over every call made and divided by the "
        f"{FOCUS_OUTCOME} calls; its 95% interval is {BOOTSTRAP_WORDS}. Few calls give wide "
        "intervals: where two assignees' intervals overlap, the data do not separate them."
    )


def _funnel_table(steps: pd.DataFrame) -> pd.DataFrame:
    """Display only: per assignee each step's count above its rate of the step before."""
    columns = {GROUP: group_labels(steps), "dials": number_texts(steps["dials"])}
    for count, (prefix, header) in _STEP_HEADERS.items():
        rates = rate_cells(steps, prefix=f"{prefix}_")
        columns[header] = [
            f"{n}\n{r}" if r else n for n, r in zip(number_texts(steps[count]), rates)
        ]
    columns["cost, all calls"] = value_texts(steps["cost_total"], format_significant)
    return pd.DataFrame(columns)


# --- trends ---------------------------------------------------------------------------------


def trend_freq(starts: pd.Series) -> str | None:
    """ "W" when the calls span 3 weeks or more, "D" when 2 days or more, else None."""
    span = starts.max() - starts.min() if starts.notna().any() else pd.Timedelta(0)
    if span >= WEEKLY_SPAN:
        return "W"
    return "D" if span >= DAILY_SPAN else None


def trend_section(calls: pd.DataFrame) -> Section | None:
    """ "Trends": the Interested rate per day or week; None when the calls span one period."""
    freq = trend_freq(calls["start_time"])
    if freq is None:
        return None
    trend = outcome_trend(calls, freq=freq, outcome=FOCUS_OUTCOME)
    unit = "week" if freq == "W" else "day"
    zone = "UTC, weeks Monday to Sunday" if freq == "W" else "UTC"
    lead = (
        f"The {FOCUS_OUTCOME} rate per {unit} ({zone}): "
        f"{FOCUS_OUTCOME} calls of the calls with an outcome that {unit}, with its 95% Wilson "
        f"interval. A {unit} without such calls has no rate, not a rate of 0; hollow points "
        f"have fewer than {TREND_MIN_N} calls behind them."
    )
    section = Section("trends", "Trends", lead)
    caption = f"{FOCUS_OUTCOME} rate per {unit} (bands: 95% Wilson intervals)"
    section.charts.append(
        Chart(
            caption,
            plots.plot_trend,
            trend,
            options={"outcome": FOCUS_OUTCOME, "min_n": TREND_MIN_N},
        )
    )
    section.tables = {"outcome_trend": trend}
    section.shown = {f"{FOCUS_OUTCOME} rate per period (95% intervals)": _trend_table(trend, freq)}
    return section


def _trend_table(trend: pd.DataFrame, freq: str) -> pd.DataFrame:
    ends = trend["period"]
    starts = ends - pd.Timedelta(days=6) if freq == "W" else ends
    labels = [
        a if a == b else f"{a} to {b}"
        for a, b in zip(starts.dt.strftime("%Y-%m-%d"), ends.dt.strftime("%Y-%m-%d"))
    ]
    return pd.DataFrame(
        {
            "period, UTC": labels,
            "calls with an outcome": number_texts(trend["n"]),
            FOCUS_OUTCOME: number_texts(trend["count"]),
            f"{FOCUS_OUTCOME} rate (95% CI)": rate_cells(trend),
        }
    )


# --- when to call ---------------------------------------------------------------------------


def timing_section(calls: pd.DataFrame, *, timezone: str) -> Section:
    """ "When to call": connection and Interested rates by weekday and hour in ``timezone``."""
    timing = call_timing(calls, tz=timezone, outcome=FOCUS_OUTCOME)
    lead = (
        f"Weekdays and hours in {timezone}. The connection rate is over the calls whose "
        f"connection is known, the {FOCUS_OUTCOME} rate over the calls with an outcome, each "
        f"with its 95% Wilson interval (in call_timing.csv). Cells with fewer than "
        f"{TIMING_MIN_N} calls are grey: one or two calls say nothing about an hour."
        f"{_untimed(calls)}"
    )
    section = Section("timing", "When to call", lead)
    if timing["n_calls"].sum() > 0:
        for value, name in (("connection_rate", "Connection"), ("outcome_rate", FOCUS_OUTCOME)):
            options = {
                "value": value,
                "min_n": TIMING_MIN_N,
                "outcome": FOCUS_OUTCOME,
                "tz": timezone,
            }
            caption = f"{name} rate by weekday and hour ({timezone}); numbers are n"
            section.charts.append(Chart(caption, plots.plot_call_timing, timing, (9, 3.6), options))
    else:
        section.missing.append("No call has a start time.")
    section.tables = {"call_timing": timing}
    heading = f"The busiest weekday and hour cells ({timezone}, 95% intervals)"
    section.shown = {heading: _timing_table(timing, timezone)}
    section.notes = {
        heading: f"The {MAX_TIMING_SHOWN} cells with the most calls, in time order (the heatmaps "
        f"grey those under {TIMING_MIN_N}); call_timing.csv has all 168."
    }
    return section


def _untimed(calls: pd.DataFrame) -> str:
    """The calls no cell counts (no start time: mostly dials nobody answered), in words."""
    untimed = calls["start_time"].isna()
    if not untimed.any():
        return ""
    answered = int(calls.loc[untimed, "connected"].fillna(False).sum())
    return (
        f" {plural(int(untimed.sum()), 'call')} without a start time ({answered} of them "
        "connected) are in no cell, so the cells lean towards answered calls: compare hours "
        "with each other, not with the run's connection rate."
    )


def _timing_table(timing: pd.DataFrame, timezone: str) -> pd.DataFrame:
    busy = timing[timing["n_calls"].fillna(0).gt(0)]
    cells = busy.sort_values("n_calls", ascending=False, kind="stable").head(MAX_TIMING_SHOWN)
    cells = cells.sort_index()
    return pd.DataFrame(
        {
            "day": cells["day"].tolist(),
            f"hour, {timezone}": [f"{h:02d}:00" for h in cells["hour"].astype(int)],
            "calls": number_texts(cells["n_calls"]),
            "connection rate (95% CI)": rate_cells(cells, prefix="connection_"),
            "calls with an outcome": number_texts(cells["n_outcome"]),
            f"{FOCUS_OUTCOME} rate (95% CI)": rate_cells(cells, prefix="outcome_"),
        }
    )


# --- why calls end --------------------------------------------------------------------------


def end_reason_section(calls: pd.DataFrame) -> Section:
    """ "Why calls end": the canonical end reasons with their raw spellings and shares."""
    reasons = end_reasons(calls)
    lead = (
        f"What ended each of the {plural(len(calls), 'call')}: the platform's end reason, "
        "mapped to one vocabulary for every platform (its own spellings beside it). Shares "
        "are of every call, a call without an end reason counted as (missing), with 95% "
        "Wilson intervals. end_reasons.csv also has the call statuses."
    )
    section = Section("end-reasons", "Why calls end", lead)
    ended = reasons[reasons["field"] == "end_reason"]
    if calls["end_reason"].notna().any():
        section.charts.append(
            Chart("Share of calls by end reason", plots.plot_end_reasons, reasons)
        )
    else:
        section.missing.append("No call has an end reason.")
    section.tables = {"end_reasons": reasons}
    section.shown = {"End reasons (95% intervals)": _reason_table(ended)}
    return section


def _reason_table(reasons: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "end reason": reasons["value"].str.replace("_", " ").tolist(),
            "as the platform wrote it": reasons["raw_values"].fillna("").tolist(),
            "calls": number_texts(reasons["count"]),
            "share (95% CI)": rate_cells(reasons.rename(columns={"share": "rate"})),
        }
    )


# --- follow-ups -----------------------------------------------------------------------------


def follow_up_section(calls: pd.DataFrame, *, now: str | date | None = None) -> Section:
    """ "Follow-ups": the leads to call back or send details to, soonest due first; overdue
    as of ``now`` (None: the current time)."""
    leads = follow_ups(calls, now=now)
    section = Section("follow-ups", "Follow-ups", _follow_up_lead(leads, now))
    section.tables = {"follow_ups": leads}
    if len(leads):
        heading = "Follow-ups, soonest due first"
        section.shown = {heading: _follow_up_table(leads.head(MAX_FOLLOW_UPS_SHOWN))}
        shown = min(len(leads), MAX_FOLLOW_UPS_SHOWN)
        section.notes = {heading: f"The first {shown} of {len(leads):,}; follow_ups.csv has all."}
    return section


def _follow_up_lead(leads: pd.DataFrame, now: str | date | None) -> str:
    if leads.empty:
        return "No follow-ups in these calls."
    when = "this report was made" if now is None else f"{utc_time(now, 'now'):%Y-%m-%d %H:%M} UTC"
    overdue = int(leads["overdue"].fillna(False).sum())
    timed = int(leads["due"].notna().sum())
    return (
        f"{plural(len(leads), 'lead')}: calls whose outcome is Call Back or Send Details, or "
        "whose post-call analysis asks for a follow-up. Due is the time the caller asked for, "
        f"in UTC ({timed} gave one; words that are not a time are shown as said); {overdue} "
        f"of those were due before {when}."
    )


def _follow_up_table(leads: pd.DataFrame) -> pd.DataFrame:
    due = minute_texts(leads["due"])
    said = leads["due_text"].where(leads["due"].isna()).fillna("").tolist()
    return pd.DataFrame(
        {
            "due": [d or ("" if s else "no time given") for d, s in zip(due, said)],
            SAID_HEADER: said,
            "overdue": leads["overdue"].map({True: "overdue", False: ""}).fillna("").tolist(),
            GROUP: group_labels(leads),
            "customer": leads["customer"].tolist(),
            "contact": leads["contact"].tolist(),
            "outcome": leads["outcome"].tolist(),
            "summary": leads["summary"].tolist(),
        }
    )


# --- calls to review ------------------------------------------------------------------------


def review_section(queue: pd.DataFrame) -> Section:
    """ "Calls to review": the review queue, with its reasons and a transcript excerpt."""
    lead = (
        f"Up to {REVIEW_N} calls most worth a listen, highest score first: a call's score adds "
        "up the weights of the review signals it raised (listed under the table). "
        "The excerpt is the transcript around the worst moment; review_queue.csv has the "
        "call and task ids."
    )
    section = Section("review", "Calls to review", lead)
    section.tables = {"review_queue": queue}
    if queue.empty:
        section.missing.append("No call raised a review signal.")
        return section
    heading = "Calls to review, highest score first"
    section.shown = {heading: _review_table(queue)}
    rules = (f"{name.replace('_', ' ')} ({rule})" for name, rule in REVIEW_SIGNALS.items())
    section.footnotes = {heading: f"The signals: {'; '.join(rules)}."}
    return section


def _one_decimal(value: float) -> str:
    return format_number(value, digits=1)


def _review_table(queue: pd.DataFrame) -> pd.DataFrame:
    urls = queue["recording_url"].astype(object).where(queue["recording_url"].notna(), None)
    return pd.DataFrame(
        {
            "rank": number_texts(queue["rank"]),
            "score": value_texts(queue["score"], _one_decimal),
            "reasons": queue["reasons"].fillna("").str.replace("_", " ").tolist(),
            GROUP: group_labels(queue),
            "outcome": queue["outcome"].tolist(),
            "duration": value_texts(queue["duration_s"], format_duration),
            LINK_HEADER: [Link(u) if isinstance(u, str) else "" for u in urls],
            "excerpt": queue["excerpt"].tolist(),
        }
    )
