"""The machinery the plot modules share: axes and figure sizes, group colours, bars and legends.

Private to :mod:`analytics.viz`: :mod:`analytics.viz.plots` and
:mod:`analytics.viz.campaign_plots` draw through these functions, so that a group keeps its
colour, a rate its error bar and an empty frame its "No data" from one figure to the next.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"assignee": ["b", None, "a"]})
>>> group_palette(frame, ["assignee"])
{'a': '#0072B2', 'b': '#E69F00', '(missing)': '#009E73'}
>>> escape_math("$5 to $10 plan")
'\\\\$5 to \\\\$10 plan'
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import cast

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, PercentFormatter, ScalarFormatter

from analytics._shared import MISSING_LABEL, require_columns
from analytics.schema import TEXT

__all__ = [
    "ALL_CALLS",
    "HEIGHT",
    "LABELLED_ROW",
    "LEGEND_GROUPS",
    "LEGEND_ROW",
    "MANY_GROUP_COLOURS",
    "MAX_PERIOD_TICKS",
    "OKABE_ITO",
    "ROW",
    "WIDTH",
    "WIDTH_WITH_LEGEND",
    "axes_for",
    "bars_height",
    "date_ticks",
    "end_on_tick",
    "escape_math",
    "floats",
    "group_labels",
    "group_legend",
    "group_palette",
    "group_parts",
    "grouped_rates",
    "keys_before",
    "labelled_rates",
    "legend_or_n",
    "lines_height",
    "no_data",
    "plain_ticks",
    "rate_bars",
    "rates_axes",
    "share_axis",
]

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe & Ito's colour-blind-safe palette, in the order up to 8 groups take it."""

MANY_GROUP_COLOURS = (
    *("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"),
    *("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"),
    *("#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5"),
    *("#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"),
)
"""Matplotlib's ``tab20``, its 10 dark hues first and then their light partners: the colours
of 9 to 20 groups (cycled past 20). Not colour-blind safe, so figures with this many groups
label every bar and box with its group and list lines in the legend in the same order."""


ALL_CALLS = "All calls"
HEIGHT = 4.5
# Inches per row: a bar or box; a row of a many-group rate plot (small labels); a legend entry
ROW, LABELLED_ROW, LEGEND_ROW = 0.22, 0.18, 0.2
LEGEND_GROUPS = len(OKABE_ITO)  # more groups than this: other colours, a label on every bar
WIDTH, WIDTH_WITH_LEGEND = 7.0, 8.5
MAX_PERIOD_TICKS = 12


def axes_for(ax: Axes | None, *, legend: bool, height: float = HEIGHT) -> Axes:
    """``ax``, or the Axes of a new figure ``height`` inches tall, wider for a legend.

    A given ``ax`` alone on a figure shorter than ``height`` grows it to ``height``.
    """
    if ax is None:
        width = WIDTH_WITH_LEGEND if legend else WIDTH
        return plt.subplots(figsize=(width, height), layout="constrained")[1]
    figure = ax.figure
    if isinstance(figure, Figure) and figure.axes == [ax] and figure.get_figheight() < height:
        figure.set_figheight(height)
    return ax


def bars_height(n_rows: int, *, row: float = ROW, most: float = math.inf) -> float:
    """Figure height in inches for ``n_rows`` rows of ``row`` inches, from 3 up to ``most``."""
    return float(np.clip(1.2 + row * n_rows, 3.0, most))


def lines_height(n_groups: int) -> float:
    """Figure height in inches for a plot whose legend lists ``n_groups`` lines."""
    return max(HEIGHT, 1.0 + LEGEND_ROW * n_groups)


def rates_axes(ax: Axes | None, rates: pd.DataFrame, category: str, keys: list[str]) -> Axes:
    """:func:`axes_for` sized for :func:`grouped_rates`: a legend, or a labelled row per bar."""
    n_groups = group_labels(rates, keys).nunique()
    if n_groups <= LEGEND_GROUPS:
        return axes_for(ax, legend=bool(keys), height=bars_height(len(rates), most=8.0))
    rows = rates[category].nunique() * (n_groups + 1)  # a heading, then a bar per group
    return axes_for(ax, legend=False, height=bars_height(rows, row=LABELLED_ROW))


def plain_ticks(axis: Axis) -> None:
    """Tick labels of ``axis`` as plain numbers: no scientific notation, no offset."""
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)


def end_on_tick(ax: Axes, which: str, top: float) -> None:
    """Run the ``which`` ("x" or "y") axis from 0 to its first tick at or above ``top``."""
    top = top if top > 0 else 1.0  # nothing above 0 (or NaN): a unit axis, not an empty one
    axis = ax.xaxis if which == "x" else ax.yaxis
    ticks = np.asarray(axis.get_major_locator().tick_values(0, top), dtype=float)
    above = ticks[ticks >= top]
    end = float(above.min()) if above.size else top
    (ax.set_xlim if which == "x" else ax.set_ylim)(0, end)


def group_legend(ax: Axes, keys: list[str]) -> None:
    """The group legend, outside the plot on the right so that it never covers data."""
    if keys:
        ax.legend(
            title=" / ".join(keys),
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize="small",
            frameon=False,
        )


def legend_or_n(ax: Axes, keys: list[str], title: str, n: object) -> None:
    """Title the plot; with groups add their legend, without them put ``n`` in the title."""
    group_legend(ax, keys)
    ax.set_title(title if keys else f"{title} (n={n})")


def no_data(ax: Axes, title: str) -> Axes:
    """Write a centred "No data" on ``ax`` and return it."""
    ax.text(0.5, 0.5, "No data", ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set(title=title, xticks=[], yticks=[])
    return ax


def group_labels(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """One display label per row: the group values joined by " / ", missing ones named.

    A ``$`` in a value is escaped (:func:`escape_math`), so the label draws as written.
    """
    if not keys:
        return pd.Series(ALL_CALLS, index=frame.index, dtype=TEXT)
    parts = [frame[k].astype(TEXT).fillna(MISSING_LABEL) for k in keys]
    # cast: pandas-stubs lacks the list-of-Series form of ``others`` that pandas documents
    others = cast("list[str]", parts[1:])
    joined = parts[0].str.cat(others, sep=" / ") if len(parts) > 1 else parts[0]
    return joined.str.replace("$", r"\$", regex=False)


def escape_math(text: object) -> str:
    """``text`` as a string matplotlib draws as written: each ``$`` escaped.

    Matplotlib reads text between two ``$`` as mathtext, so a label taken from the data
    ("$5 plan" and "$10 plan") would draw as a formula, or fail to draw at all.
    """
    return str(text).replace("$", r"\$")


def group_palette(frame: pd.DataFrame, keys: list[str]) -> dict[str, str]:
    """Group label -> colour, the groups of ``frame`` sorted (missing last) taking OKABE_ITO.

    More than 8 groups take MANY_GROUP_COLOURS instead, cycled past 20.
    """
    if not keys:
        return {ALL_CALLS: OKABE_ITO[0]}
    groups = frame[keys].drop_duplicates().sort_values(keys, na_position="last")
    labels = group_labels(groups, keys).unique()
    colours = OKABE_ITO if len(labels) <= LEGEND_GROUPS else MANY_GROUP_COLOURS
    return {label: colours[i % len(colours)] for i, label in enumerate(labels)}


def group_parts(
    frame: pd.DataFrame, keys: list[str], palette: dict[str, str]
) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """Yield ``(label, colour, rows)`` for each group of ``palette`` that has rows in ``frame``."""
    labels = group_labels(frame, keys).to_numpy()
    for label, colour in palette.items():
        rows = frame[labels == label]
        if len(rows):
            yield label, colour, rows


def floats(frame: pd.DataFrame, *columns: str) -> list[np.ndarray]:
    """``columns`` of ``frame`` as float arrays, NaN for NA."""
    return [frame[c].to_numpy(dtype=float, na_value=np.nan) for c in columns]


def rate_bars(
    ax: Axes,
    position: np.ndarray,
    rates: pd.DataFrame,
    *,
    colour: object,
    height: float,
    label: str | None = None,
) -> None:
    """Horizontal bars of ``rates.rate`` with error bars from ``ci_low`` to ``ci_high``."""
    rate, low, high = floats(rates, "rate", "ci_low", "ci_high")
    ax.barh(position, rate, height=height, color=colour, label=label)
    ax.errorbar(
        rate, position, xerr=[rate - low, high - rate], fmt="none", ecolor="0.15", capsize=2
    )


def share_axis(ax: Axes, rates: pd.DataFrame, label: str, confidence: float | None) -> None:
    """A percent x axis from 0 to a tick past the highest interval, saying what the bars are.

    ``confidence`` None (a frame computed elsewhere, its level unknown here) names no level.
    """
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top = rates["ci_high"].astype(float).max()
    end_on_tick(ax, "x", max(top, 0.05))  # whole-percent ticks stay distinct
    level = "" if confidence is None else f"{confidence:.0%} "
    ax.set_xlabel(f"{label} (bars: {level}Wilson interval)")


def grouped_rates(
    ax: Axes,
    rates: pd.DataFrame,
    category: str,
    keys: list[str],
    palette: dict[str, str],
    title: str,
) -> None:
    """One cluster of bars per ``category`` value (top to bottom), one bar per group in it.

    Groups and their ``n`` go in the legend; without groups ``n`` goes in the title. More than
    8 groups are named on the axis, bar by bar, under a heading per category.
    """
    categories = pd.Index(rates[category].unique())
    parts = list(group_parts(rates, keys, palette))
    if len(parts) > LEGEND_GROUPS:
        labelled_rates(ax, categories, category, parts)
        ax.set_title(title)
        return
    height = 0.8 / len(parts)
    for i, (label, colour, part) in enumerate(parts):
        position = categories.get_indexer(part[category]) + (i - (len(parts) - 1) / 2) * height
        label = f"{label} (n={part['n'].iloc[0]})"
        rate_bars(ax, position, part, colour=colour, height=height, label=label)
    ax.set_yticks(range(len(categories)), [escape_math(c) for c in categories])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    legend_or_n(ax, keys, title, rates["n"].iloc[0])


def labelled_rates(
    ax: Axes, categories: pd.Index, category: str, parts: list[tuple[str, str, pd.DataFrame]]
) -> None:
    """A bold heading row per category value, then one bar per group, named on the axis."""
    step = len(parts) + 1
    for i, (_, colour, part) in enumerate(parts):
        position = categories.get_indexer(pd.Index(part[category])) * step + 1 + i
        rate_bars(ax, position, part, colour=colour, height=0.7)
    headings = np.arange(len(categories)) * step
    ax.set_yticks(headings, [escape_math(c) for c in categories], fontweight="bold")
    ax.tick_params(axis="y", which="major", length=0)
    names = [f"{label} (n={part['n'].iloc[0]})" for label, _, part in parts]
    rows = (headings[:, None] + np.arange(1, step)).ravel()
    ax.set_yticks(rows, names * len(categories), minor=True, fontsize="small")
    ax.set_ylim(len(categories) * step - 0.5, -0.5)


def date_ticks(ax: Axes, periods: pd.Series) -> None:
    """Concise date labels: at each period when there are few, else where matplotlib picks."""
    few = len(periods) <= MAX_PERIOD_TICKS
    locator = FixedLocator(mdates.date2num(periods)) if few else mdates.AutoDateLocator()
    ax.xaxis.set(major_locator=locator, major_formatter=mdates.ConciseDateFormatter(locator))


def keys_before(frame: object, first: str, columns: list[str], *, name: str) -> list[str]:
    """The group columns of an analysis frame: those before its column ``first``.

    ``frame`` must be a DataFrame holding ``first`` and ``columns``; the error names the
    analysis function whose frame it should be (``name``).

    >>> keys_before(pd.DataFrame(columns=["assignee", "dials", "connected"]), "dials",
    ...     ["connected"], name="funnel")
    ['assignee']
    """
    fix = f"pass the frame of {name}(calls)"
    checked = require_columns(frame, [first, *columns], name=name, fix=fix)
    names = [str(c) for c in checked.columns]
    return names[: names.index(first)]
