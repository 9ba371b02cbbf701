"""The report's "Outcomes by assignee" section: outcome rates, the per-dial rate, the
chi-square tests of independence and the connection rates, per assignee.

Private to :mod:`analytics.viz`; figures are :class:`~analytics.viz._display.Chart` for the
report to draw.

Examples
--------
>>> import pandas as pd
>>> rates = pd.DataFrame({"assignee": ["a", "a"], "outcome": ["Interested", "Other"],
...     "n": [4, 4], "count": [1, 3], "rate": [0.25, 0.75], "ci_low": [0.05, 0.3],
...     "ci_high": [0.7, 0.95]})
>>> rate_grid(rates, "outcome", "calls").to_dict("records")
[{'assignee': 'a', 'calls': '4', 'Interested': '25%\\n(5-70%)', 'Other': '75%\\n(30-95%)'}]
"""

from __future__ import annotations

import pandas as pd

from analytics.stats.activity import connection_rates
from analytics.stats.outcomes import compare_groups, dial_rates, outcome_rates
from analytics.viz import plots
from analytics.viz._display import (
    FOCUS_OUTCOME,
    GROUP,
    Chart,
    Section,
    group_labels,
    number_texts,
    rate_cells,
    value_texts,
)
from analytics.viz._format import format_p_value, format_significant

__all__ = ["outcomes_section", "rate_grid"]

_NB_HYPHEN = "\u2011"  # a header never breaks at it ("chi-square", "p-value")


def outcomes_section(calls: pd.DataFrame) -> Section:
    """ "Outcomes by assignee": outcome, per-dial and connection rates, and the tests."""
    rates = outcome_rates(calls, by=GROUP)
    dial = dial_rates(calls, by=GROUP, outcome=FOCUS_OUTCOME)
    tests = _group_tests(calls)
    connection = connection_rates(calls, by=GROUP)
    section = Section("outcomes", "Outcomes by assignee", _outcome_lead(tests))
    _outcome_figures(section, calls, rates, connection)
    section.tables = {
        "outcome_rates": rates,
        "dial_rates": dial,
        "group_comparison": tests,
        "connection_rates": connection,
    }
    grid = "Outcome rates among calls with an outcome (95% interval)"
    per_dial = f"{FOCUS_OUTCOME} per call made (95% interval)"
    section.shown = {
        grid: rate_grid(rates, "outcome", "calls with an outcome", drop_empty=True),
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
        caption = "Outcome rates by assignee (95% Wilson intervals)"
        section.charts.append(Chart(caption, plots.plot_outcome_rates, calls, (9, 4.2)))
    else:
        section.missing.append("No call has an outcome yet.")
    if connection["n"].sum() > 0:
        section.charts.append(
            Chart("Connection rate by assignee", plots.plot_connection_rates, calls)
        )
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
    among = dict(zip(group_labels(focus), rate_cells(focus)))
    groups = group_labels(dial)
    return pd.DataFrame(
        {
            GROUP: groups,
            "calls made": number_texts(dial["n"]),
            FOCUS_OUTCOME: number_texts(dial["count"]),
            "per call made": rate_cells(dial),
            "per call with an outcome": [among.get(g, "") for g in groups],
        }
    )


def _test_table(tests: pd.DataFrame) -> pd.DataFrame:
    """Display only: the chi-square tests, p-values without scientific notation."""
    reliable = tests["reliable"].astype(object)
    shown = pd.DataFrame(
        {
            "outcomes": tests["outcomes"].tolist(),
            f"chi{_NB_HYPHEN}square": value_texts(tests["statistic"], format_significant),
            "degrees of freedom": number_texts(tests["dof"]),
            f"p{_NB_HYPHEN}value": value_texts(tests["p_value"], format_p_value),
            "Cramér's V": value_texts(tests["cramers_v"], format_significant),
            "smallest expected count": value_texts(tests["min_expected"], format_significant),
            "reliable": ["yes" if r is True else "no" if r is False else "" for r in reliable],
            "Fisher's exact p": value_texts(tests["fisher_p_value"], format_p_value),
        }
    )
    if tests["note"].notna().any():
        shown["note"] = tests["note"].fillna("").tolist()
    return shown


def _connection_table(connection: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            GROUP: group_labels(connection),
            "calls with a known state": number_texts(connection["n"]),
            "connected": number_texts(connection["connected"]),
            "connection rate (95% CI)": rate_cells(connection),
            "state unknown": number_texts(connection["n_unknown"]),
        }
    )


def rate_grid(
    rates: pd.DataFrame, column: str, n_header: str, *, drop_empty: bool = False
) -> pd.DataFrame:
    """Display only: a row per assignee, a column per ``column`` value, cells "35% (25-47%)".

    The interval goes on a second line of the cell, so that 8 columns fit the page.
    ``drop_empty`` leaves out the values (outcomes) that no assignee has.
    """
    if drop_empty:
        rates = rates[rates.groupby(column, sort=False)["count"].transform("sum").gt(0)]
    cells = rates.assign(group=group_labels(rates), cell=rate_cells(rates, sep="\n"))
    groups = list(dict.fromkeys(cells["group"]))
    grid = cells.pivot(index="group", columns=column, values="cell")
    grid = grid.reindex(index=groups, columns=list(dict.fromkeys(rates[column]))).fillna("")
    n = cells.groupby("group", sort=False)["n"].first().reindex(groups)
    grid.insert(0, n_header, number_texts(n))
    return grid.rename_axis(index=GROUP, columns=None).reset_index()
