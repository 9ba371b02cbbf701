"""Figures of the campaign analyses: funnel, cost per outcome, trend, call timing, end reasons.

Each function draws one frame of :mod:`analytics.stats.campaign` as it is (``funnel``,
``outcome_trend``, ``call_timing``, ``end_reasons``): it only reshapes the frame and chooses
its rows, and computes no statistic of its own. The group columns are the ones before the
frame's first measured column (``dials``, ``period``, ``weekday``, ``field``), so a frame
built with ``by=["assignee", "run_id"]`` draws one funnel, line or bar set per assignee and
run. The functions are also reachable as ``analytics.plots.plot_funnel`` and so on.

The conventions of :mod:`analytics.viz.plots` hold: ``fn(frame, *, ..., ax=None) -> Axes``,
groups sorted (a missing one last) in the Okabe-Ito colours, the ``n`` behind each rate on
the figure, an Axes reading "No data" for an empty frame, and never ``plt.show()``. The frames
do not say which outcome, currency or time zone they were computed for, nor the coverage of
their intervals: pass ``outcome=``, ``currency=`` and ``tz=`` for the labels.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> trend = pd.DataFrame({
...     "period": pd.to_datetime(["2026-01-04", "2026-01-11", "2026-01-18"], utc=True),
...     "n": [40, 0, 6], "rate": [0.25, None, 0.5],
...     "ci_low": [0.14, None, 0.19], "ci_high": [0.4, None, 0.81]})
>>> ax = plot_trend(trend)
>>> ax.get_ylabel()
'Interested rate (share of calls with an outcome)'
>>> import matplotlib.pyplot as plt
>>> plt.close("all")
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from analytics.viz._plotting import (
    LABELLED_ROW,
    MAX_PERIOD_TICKS,
    OKABE_ITO,
    axes_for,
    bars_height,
    date_ticks,
    end_on_tick,
    escape_math,
    floats,
    group_labels,
    group_palette,
    group_parts,
    grouped_rates,
    keys_before,
    lines_height,
    no_data,
    plain_ticks,
    rates_axes,
    share_axis,
)

__all__ = [
    "plot_call_timing",
    "plot_cost_per_outcome",
    "plot_end_reasons",
    "plot_funnel",
    "plot_trend",
]

_STEPS = {  # count column -> the prefix of its rate of the step before (dials have none)
    "dials": "",
    "connected": "connected",
    "conversations": "conversation",
    "evaluated": "evaluated",
    "outcomes": "outcome",
}
_STEP_NAMES = ("Dials", "Connected", "Conversations", "Evaluated")
_RATE_COLUMNS = [
    f"{p}_{s}" for p in list(_STEPS.values())[1:] for s in ("rate", "ci_low", "ci_high")
]
_COST_COLUMNS = ["outcomes", "n_costed", "cost_per_outcome", "cost_ci_low", "cost_ci_high"]
_TREND_COLUMNS = ["n", "rate", "ci_low", "ci_high"]
_REASON_COLUMNS = ["value", "n", "share", "ci_low", "ci_high"]
_TIMING_DENOMINATORS = {"connection_rate": "n", "outcome_rate": "n_outcome"}
_FIELDS = {"end_reason": "End reasons", "call_status": "Call status"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LABEL_ROOM = 1.75  # the count axis runs this far past the longest bar, for the text beside it
_NO_CELL = "0.75"  # grey: a timing cell with too few calls to colour
_LEGEND_RIGHT: dict[str, Any] = {
    "loc": "upper left",
    "bbox_to_anchor": (1.01, 1),
    "fontsize": "small",
    "frameon": False,
}
_COST_BARS: dict[str, Any] = {"fmt": "none", "ecolor": "0.15", "capsize": 3}
_N_LABEL: dict[str, Any] = {  # a trend point's n, just above it
    "xytext": (0, 6),
    "textcoords": "offset points",
    "ha": "center",
    "fontsize": "x-small",
}
_HEAT = LinearSegmentedColormap.from_list(
    "okabe_ito_blues", ["#F2F8FC", OKABE_ITO[4], OKABE_ITO[0], "#00324F"]
).with_extremes(bad=_NO_CELL)
"""White to Okabe-Ito sky blue and blue to a dark blue: the timing heatmap's colours."""


# --- funnel ---------------------------------------------------------------------------------


def plot_funnel(
    funnel: pd.DataFrame, *, outcome: str = "Interested", ax: Axes | None = None
) -> Axes:
    """The funnel per group: dials, connected, conversations, evaluated and outcomes as bars.

    Parameters
    ----------
    funnel : DataFrame
        The frame of :func:`analytics.stats.campaign.funnel`: the group columns, then
        ``dials, connected, conversations, evaluated, outcomes`` and each step's
        ``<step>_rate, <step>_ci_low, <step>_ci_high``.
    outcome : str, default "Interested"
        The outcome the frame counts (``funnel(..., outcome=)``), for the labels.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        Per group (top to bottom in the frame's order, its name in bold), one bar per step as
        long as its count, in the group's colour. Beside each bar after the dials: its count,
        its rate of the step before (whose count is the denominator, written out) and the
        Wilson interval of that rate. A step whose previous step is 0 has no rate and shows
        its count only.

    Raises
    ------
    ValueError
        ``funnel`` lacks a column of the funnel frame.

    Examples
    --------
    >>> import pandas as pd
    >>> funnel = pd.DataFrame({
    ...     "dials": [10], "connected": [6], "conversations": [5], "evaluated": [4],
    ...     "outcomes": [2], "connected_rate": [0.6], "connected_ci_low": [0.3127],
    ...     "connected_ci_high": [0.8318], "conversation_rate": [0.8333],
    ...     "conversation_ci_low": [0.4365], "conversation_ci_high": [0.9699],
    ...     "evaluated_rate": [0.8], "evaluated_ci_low": [0.3755], "evaluated_ci_high": [0.9638],
    ...     "outcome_rate": [0.5], "outcome_ci_low": [0.15], "outcome_ci_high": [0.85]})
    >>> ax = plot_funnel(funnel)
    >>> [t.get_text() for t in ax.texts][:3]
    ['10', '6 · 60% of 10 (31-83%)', '5 · 83% of 6 (44-97%)']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    keys = keys_before(funnel, "dials", [*_STEPS, *_RATE_COLUMNS], name="funnel")
    step = len(_STEPS) + 1  # a heading row per group, then a row per step
    ax = axes_for(ax, legend=False, height=bars_height(len(funnel) * step, row=LABELLED_ROW))
    title = f"Funnel to {escape_math(outcome)}"
    if funnel.empty:
        return no_data(ax, title)
    colours = _group_colours(funnel, keys)
    headings = np.arange(len(funnel)) * step
    for i, (column, before) in enumerate(zip(_STEPS, ["", *_STEPS])):
        bars = ax.barh(headings + 1 + i, floats(funnel, column)[0], height=0.7, color=colours)
        ax.bar_label(bars, _step_texts(funnel, column, before), padding=3, fontsize="x-small")
    _funnel_axes(ax, funnel, keys, headings, escape_math(outcome))
    ax.set_title(title)
    return ax


def _group_colours(frame: pd.DataFrame, keys: list[str]) -> list[str]:
    """The colour of each row's group, in row order."""
    return group_labels(frame, keys).map(group_palette(frame, keys)).tolist()


def _step_texts(funnel: pd.DataFrame, column: str, before: str) -> list[str]:
    """The text beside each bar of one step: its count, and its rate of ``before`` if any."""
    counts = floats(funnel, column)[0]
    if not before:
        return [f"{c:,.0f}" for c in counts]
    prefix = _STEPS[column]
    rate, low, high = floats(funnel, f"{prefix}_rate", f"{prefix}_ci_low", f"{prefix}_ci_high")
    base = floats(funnel, before)[0]
    return [_rate_text(*values) for values in zip(counts, rate, low, high, base)]


def _rate_text(count: float, rate: float, low: float, high: float, base: float) -> str:
    """``"6 · 60% of 10 (31-83%)"``; the count alone when the rate is NA."""
    if not np.isfinite(rate):
        return f"{count:,.0f}"
    return f"{count:,.0f} · {rate:.0%} of {base:,.0f} ({100 * low:.0f}-{high:.0%})"


def _funnel_axes(
    ax: Axes, funnel: pd.DataFrame, keys: list[str], headings: np.ndarray, outcome: str
) -> None:
    """Name the groups (bold) and the steps of :func:`plot_funnel`; count axis with room."""
    ax.set_yticks(headings, group_labels(funnel, keys).tolist(), fontweight="bold")
    ax.tick_params(axis="y", which="major", length=0)
    rows = (headings[:, None] + np.arange(1, len(_STEPS) + 1)).ravel()
    ax.set_yticks(rows, [*_STEP_NAMES, outcome] * len(funnel), minor=True, fontsize="small")
    ax.set_ylim(headings[-1] + len(_STEPS) + 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    plain_ticks(ax.xaxis)
    ax.set_xlim(0, max(float(np.nanmax(floats(funnel, "dials")[0])), 1.0) * _LABEL_ROOM)
    ax.set_xlabel("Calls (beside each bar: its share of the step before, Wilson interval)")


# --- cost per outcome -----------------------------------------------------------------------


def plot_cost_per_outcome(
    funnel: pd.DataFrame,
    *,
    outcome: str = "Interested",
    currency: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cost per outcome per group: a dot with its bootstrap interval, and the outcome count.

    Parameters
    ----------
    funnel : DataFrame
        The frame of :func:`analytics.stats.campaign.funnel` (the group columns, ``dials``,
        ``outcomes``, ``n_costed``, ``cost_per_outcome``, ``cost_ci_low``, ``cost_ci_high``).
    outcome : str, default "Interested"
        The outcome the frame counts, for the labels.
    currency : str, optional
        The currency of ``cost`` (Unpod bills in the account's currency, which the data does
        not name); the axis says "account currency" when None.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One row per group, top to bottom in the frame's order (sort it to rank them),
        labelled with its number of outcomes ``n`` (the denominator of the cost per outcome);
        the dot is the cost per outcome and the bar its interval. A group without a cost per
        outcome keeps its row, which reads "no outcome" (0 outcomes) or "no known cost" (no
        call with a cost).

    Raises
    ------
    ValueError
        ``funnel`` lacks a column of the funnel frame.

    Examples
    --------
    >>> import pandas as pd
    >>> funnel = pd.DataFrame({
    ...     "assignee": ["a", "b"], "dials": [40, 30], "outcomes": [4, 0], "n_costed": [40, 30],
    ...     "cost_per_outcome": [12.5, None], "cost_ci_low": [7.1, None],
    ...     "cost_ci_high": [25.0, None]})
    >>> ax = plot_cost_per_outcome(funnel, currency="INR")
    >>> [t.get_text() for t in ax.get_yticklabels()], [t.get_text() for t in ax.texts]
    (['a (n=4 Interested)', 'b (n=0 Interested)'], [' no outcome'])
    >>> ax.get_xlabel()
    'Cost per Interested (INR)'
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    keys = keys_before(funnel, "dials", _COST_COLUMNS, name="funnel")
    ax = axes_for(ax, legend=False, height=bars_height(len(funnel)))
    name = escape_math(outcome)
    if funnel.empty:
        return no_data(ax, f"Cost per {name}")
    position = np.arange(len(funnel))
    cost, low, high = floats(funnel, "cost_per_outcome", "cost_ci_low", "cost_ci_high")
    closed = np.isfinite(high)
    shut = np.where(closed, cost, np.nan)
    ax.errorbar(shut, position, xerr=[shut - low, high - shut], **_COST_BARS)
    ax.scatter(cost, position, color=_group_colours(funnel, keys), zorder=3, s=36)
    _no_cost_texts(ax, funnel, position, np.isfinite(cost))
    beyond = np.where(closed, np.nan, cost * 1.3)  # room to show an interval left open
    _cost_axes(ax, funnel, keys, np.r_[cost, high, low, beyond], name)
    _open_intervals(ax, low, position, np.isfinite(cost) & ~closed)
    unit = escape_math(currency or "account currency")
    ax.set(xlabel=f"Cost per {name} ({unit})", title=f"Cost per {name} (bars: bootstrap interval)")
    return ax


def _open_intervals(ax: Axes, low: np.ndarray, position: np.ndarray, open_: np.ndarray) -> None:
    """An interval without an upper bound (too few outcomes): a dashed line from its lower
    bound to the axis's end, saying so."""
    right = ax.get_xlim()[1]
    for y in position[open_]:
        ax.hlines(y, low[y], right, colors="0.35", linestyles="dashed", linewidth=1.2)
        ax.text(
            right,
            y - 0.12,
            "no upper bound ",
            ha="right",
            va="bottom",
            color="0.3",
            fontsize="small",
        )


def _no_cost_texts(ax: Axes, funnel: pd.DataFrame, position: np.ndarray, drawn: np.ndarray) -> None:
    """Say why a group has no dot: no outcome, or no call with a known cost."""
    none = floats(funnel, "outcomes")[0] == 0
    for y in position[~drawn]:
        text = " no outcome" if none[y] else " no known cost"
        ax.text(0, y, text, va="center", ha="left", color="0.3", fontsize="small")


def _cost_axes(
    ax: Axes, funnel: pd.DataFrame, keys: list[str], values: np.ndarray, outcome: str
) -> None:
    """Name each row with its group and outcome count; a plain x axis from 0 to a tick at or
    past the highest value drawn."""
    counts = [f" (n={n:,.0f} {outcome})" for n in floats(funnel, "outcomes")[0]]
    ax.set_yticks(range(len(funnel)), (group_labels(funnel, keys) + counts).tolist())
    ax.set_ylim(len(funnel) - 0.5, -0.5)
    plain_ticks(ax.xaxis)
    finite = values[np.isfinite(values)]
    end_on_tick(ax, "x", float(finite.max()) if finite.size else 1.0)


# --- trend ----------------------------------------------------------------------------------


def plot_trend(
    trend: pd.DataFrame,
    *,
    outcome: str = "Interested",
    min_n: int = 10,
    ax: Axes | None = None,
) -> Axes:
    """The outcome rate per period, one line per group with its Wilson interval as a band.

    Parameters
    ----------
    trend : DataFrame
        The frame of :func:`analytics.stats.campaign.outcome_trend`: the group columns, then
        ``period``, ``n`` (calls with an outcome label in the period: the denominator),
        ``rate``, ``ci_low``, ``ci_high``.
    outcome : str, default "Interested"
        The outcome the frame counts, for the labels.
    min_n : int, default 10
        Points of periods with fewer calls than this are drawn hollow and faded: uncertain.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        Per group a line through the rates, a band from ``ci_low`` to ``ci_high``, and a
        marker per period; a period with ``n == 0`` (no rate) is a gap in the line. Each point
        is labelled with its ``n`` when there are at most 12 periods; the legend gives each
        group's smallest and largest ``n`` per period (of the periods with a rate).

    Raises
    ------
    ValueError
        ``trend`` lacks a column of the trend frame, or ``min_n`` is not a whole number >= 0.

    Examples
    --------
    >>> import pandas as pd
    >>> trend = pd.DataFrame({
    ...     "assignee": ["a", "a"],
    ...     "period": pd.to_datetime(["2026-01-04", "2026-01-11"], utc=True),
    ...     "n": [40, 6], "rate": [0.25, 0.5], "ci_low": [0.14, 0.19], "ci_high": [0.4, 0.81]})
    >>> ax = plot_trend(trend)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['a (n=6 to 40 per period)', 'n < 10: hollow', 'Wilson interval']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    keys = keys_before(trend, "period", _TREND_COLUMNS, name="outcome_trend")
    min_n = _check_min_n(min_n)
    palette = group_palette(trend, keys)
    ax = axes_for(ax, legend=True, height=lines_height(len(palette) + 2))
    title = f"{escape_math(outcome)} rate over time"
    if not trend["rate"].notna().any():
        return no_data(ax, title)
    periods = _naive_utc(trend["period"].drop_duplicates().sort_values())
    for label, colour, part in group_parts(trend, keys, palette):
        _trend_line(ax, part, label, colour, min_n, labelled=len(periods) <= MAX_PERIOD_TICKS)
    date_ticks(ax, periods)
    _trend_axes(ax, trend, keys, min_n, escape_math(outcome))
    ax.set_title(title)
    return ax


def _check_min_n(min_n: object) -> int:
    """``min_n`` if it is a whole number >= 0, else a ValueError saying so."""
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 0:
        raise ValueError(f"min_n={min_n!r} must be a whole number of calls >= 0, e.g. 10")
    return int(min_n)


def _trend_line(
    ax: Axes, part: pd.DataFrame, label: str, colour: str, min_n: int, *, labelled: bool
) -> None:
    """One group's line, band and markers (hollow below ``min_n``), its points' ``n`` if asked."""
    x = _naive_utc(part["period"]).to_numpy()
    n, rate, low, high = floats(part, *_TREND_COLUMNS)
    shown = np.isfinite(rate)
    ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
    ax.plot(x, rate, color=colour, label=f"{label} (n={_span(n[shown])} per period)")
    sure = shown & (n >= min_n)
    ax.plot(x[sure], rate[sure], "o", color=colour, markersize=5, clip_on=False)
    unsure = shown & ~sure
    ax.plot(x[unsure], rate[unsure], "o", mfc="white", mec=colour, alpha=0.6, clip_on=False)
    if labelled:
        for xy, count in zip(zip(x[shown], rate[shown]), n[shown]):
            ax.annotate(f"{count:,.0f}", xy, color=colour, **_N_LABEL)


def _naive_utc(periods: pd.Series) -> pd.Series:
    """``periods`` as naive UTC times, as matplotlib's date axis takes them."""
    return periods.dt.tz_convert(None) if periods.dt.tz is not None else periods


def _span(n: np.ndarray) -> str:
    """The smallest and largest of ``n`` as ``"6 to 40"`` (one number when equal, or 0)."""
    low, high = (n.min(), n.max()) if n.size else (0, 0)
    return f"{low:,.0f}" if low == high else f"{low:,.0f} to {high:,.0f}"


def _trend_axes(ax: Axes, trend: pd.DataFrame, keys: list[str], min_n: int, outcome: str) -> None:
    """Percent y axis from 0, the UTC period axis, and a legend with the marker and band keys."""
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    end_on_tick(ax, "y", min(float(np.nanmax(floats(trend, "ci_high")[0])), 1.0))
    ax.set(xlabel="Period (UTC)", ylabel=f"{outcome} rate (share of calls with an outcome)")
    lines: list[Artist] = [h for h in ax.get_lines() if not str(h.get_label()).startswith("_")]
    title = " / ".join(keys) or None
    ax.legend(handles=lines + _trend_keys(min_n), title=title, **_LEGEND_RIGHT)


def _trend_keys(min_n: int) -> list[Artist]:
    """Legend entries for the hollow markers and the bands of :func:`plot_trend`."""
    hollow = Line2D([], [], marker="o", linestyle="none", mfc="white", mec="0.3")
    hollow.set_label(f"n < {min_n}: hollow")
    return [
        hollow,
        Patch(color="0.3", alpha=0.2, label="Wilson interval"),
    ]


# --- call timing ----------------------------------------------------------------------------


def plot_call_timing(
    timing: pd.DataFrame,
    *,
    value: str = "connection_rate",
    min_n: int = 10,
    outcome: str = "Interested",
    tz: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A weekday x hour heatmap of the connection or outcome rate, thin cells in grey.

    Parameters
    ----------
    timing : DataFrame
        The frame of :func:`analytics.stats.campaign.call_timing` for one group: ``weekday``
        (0 = Monday), ``hour``, the rate and its denominator (``n`` for ``connection_rate``,
        ``n_outcome`` for ``outcome_rate``).
    value : {"connection_rate", "outcome_rate"}, default "connection_rate"
        The rate coloured.
    min_n : int, default 10
        Cells whose denominator is below this are grey, with no colour from the scale.
    outcome : str, default "Interested"
        The outcome of ``outcome_rate``, for the labels.
    tz : str, optional
        The time zone ``call_timing`` was given, for the hour axis.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        Monday at the top to Sunday, hours 0 to 23 left to right; each cell with calls shows
        its denominator ``n``. The colour scale runs from the lowest to the highest rate
        coloured (see the colour bar), so that the best and worst hours stand out.

    Raises
    ------
    ValueError
        ``value`` is not one of the two rates, ``min_n`` is not a whole number >= 0,
        ``timing`` lacks a column, or it holds several groups (filter one first).

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    >>> timing = cells.to_frame(index=False).assign(n=12, connection_rate=0.5)
    >>> timing.loc[0, "n"] = 3  # Monday 0:00: too few calls to colour
    >>> ax = plot_call_timing(timing)
    >>> grid = ax.images[0].get_array()
    >>> grid.shape, int(grid.mask.sum()), [t.get_text() for t in ax.get_yticklabels()][:2]
    ((7, 24), 1, ['Mon', 'Tue'])
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if value not in _TIMING_DENOMINATORS:
        raise ValueError(f"value={value!r} is not one of {tuple(_TIMING_DENOMINATORS)}")
    denominator = _TIMING_DENOMINATORS[value]
    keys = keys_before(timing, "weekday", ["hour", value, denominator], name="call_timing")
    _check_one_group(timing, keys)
    min_n = _check_min_n(min_n)
    name = "Connection rate" if value == "connection_rate" else f"{escape_math(outcome)} rate"
    ax = axes_for(ax, legend=True)
    if timing.empty:
        return no_data(ax, f"{name} by weekday and hour")
    rates, counts = (_week_grid(timing, c) for c in (value, denominator))
    _heatmap(ax, np.ma.masked_where(~(counts >= min_n) | np.isnan(rates), rates), counts, name)
    where = f" ({group_labels(timing, keys).iloc[0]})" if keys else ""
    ax.set_title(f"{name} by weekday and hour{where}; numbers: n, grey: n < {min_n}")
    ax.set_xlabel(f"Hour of day ({escape_math(tz) if tz else 'time zone given to call_timing'})")
    return ax


def _check_one_group(timing: pd.DataFrame, keys: list[str]) -> None:
    """ValueError when ``timing`` holds more than one group: a heatmap draws one."""
    if not keys:
        return
    groups = timing[keys].drop_duplicates().sort_values(keys, na_position="last")
    if len(groups) > 1:
        first = groups.iloc[0][keys[0]]
        raise ValueError(
            f"timing holds {len(groups)} groups of {keys!r}; plot one at a time, e.g. "
            f"timing[timing[{keys[0]!r}] == {first!r}]"
        )


def _week_grid(timing: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` as a 7 x 24 float array, weekday rows (Monday first) by hour; NaN if absent."""
    wide = timing.pivot(index="weekday", columns="hour", values=column)
    return wide.reindex(index=range(7), columns=range(24)).to_numpy(dtype=float, na_value=np.nan)


def _heatmap(ax: Axes, shown: np.ma.MaskedArray, counts: np.ndarray, name: str) -> None:
    """Draw the cells (masked ones grey) on a scale from the lowest to the highest rate shown,
    write each cell's ``n`` (white on dark cells), and add the colour bar."""
    low, high = (float(shown.min()), float(shown.max())) if shown.count() else (0.0, 1.0)
    norm = Normalize(vmin=low, vmax=max(high, low + 0.01))
    image = ax.imshow(shown, cmap=_HEAT, norm=norm, aspect="auto", interpolation="nearest")
    dark = norm(shown).filled(0) > 0.6
    for row, col in zip(*np.nonzero(counts > 0)):
        text = f"{counts[row, col]:.0f}"
        colour = "white" if dark[row, col] else "black"
        ax.text(col, row, text, ha="center", va="center", fontsize=6, color=colour)
    ax.set_yticks(range(7), _WEEKDAYS)
    ax.set_xticks(range(24), [str(h) for h in range(24)], fontsize="small")
    bar = ax.figure.colorbar(image, ax=ax, format=PercentFormatter(1.0))
    bar.set_label(name)


# --- end reasons ----------------------------------------------------------------------------


def plot_end_reasons(
    end_reasons: pd.DataFrame, *, field: str = "end_reason", ax: Axes | None = None
) -> Axes:
    """Share of calls per end reason (or call status), with Wilson error bars, per group.

    Parameters
    ----------
    end_reasons : DataFrame
        The frame of :func:`analytics.stats.campaign.end_reasons`: the group columns, then
        ``field``, ``value``, ``n`` (calls in the group: the denominator), ``share``,
        ``ci_low``, ``ci_high``.
    field : {"end_reason", "call_status"}, default "end_reason"
        Which of the frame's two fields to draw.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One cluster per value, the highest share (in any group) at the top, one bar per
        group in it; the legend names the groups with their ``n`` (no groups: the title
        does). Underscores in values read as spaces.

    Raises
    ------
    ValueError
        ``field`` is neither field, or ``end_reasons`` lacks a column of the frame.

    Examples
    --------
    >>> import pandas as pd
    >>> reasons = pd.DataFrame({
    ...     "field": "end_reason", "value": ["customer_hangup", "voicemail"], "n": 10,
    ...     "share": [0.7, 0.3], "ci_low": [0.3968, 0.1078], "ci_high": [0.8922, 0.6032]})
    >>> ax = plot_end_reasons(reasons)
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_title()
    (['customer hangup', 'voicemail'], 'End reasons (n=10)')
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if field not in _FIELDS:
        raise ValueError(f"field={field!r} is not one of {tuple(_FIELDS)}")
    keys = keys_before(end_reasons, "field", _REASON_COLUMNS, name="end_reasons")
    rates = _by_share(end_reasons[end_reasons["field"] == field])
    ax = rates_axes(ax, rates, "value", keys)
    if rates.empty:
        return no_data(ax, _FIELDS[field])
    grouped_rates(ax, rates, "value", keys, group_palette(end_reasons, keys), _FIELDS[field])
    share_axis(ax, rates, "Share of calls", None)
    return ax


def _by_share(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``share`` as ``rate``, values in order of their highest share, then name."""
    order = rows.sort_values(["share", "value"], ascending=[False, True], kind="stable")
    rank = pd.Series(range(order["value"].nunique()), index=order["value"].drop_duplicates())
    ranked = rows.assign(_rank=rows["value"].map(rank).to_numpy())
    ranked = ranked.sort_values("_rank", kind="stable").drop(columns="_rank")
    return ranked.rename(columns={"share": "rate"}).assign(
        value=ranked["value"].str.replace("_", " ")
    )
