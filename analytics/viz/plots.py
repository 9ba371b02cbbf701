"""Matplotlib figures of the analyses, each ``fn(data, *, ..., ax=None) -> Axes``.

Every number drawn comes from an analysis function (:mod:`analytics.stats.durations`,
:mod:`analytics.stats.outcomes`, :mod:`analytics.text.keywords`) or is a per-call value of
:func:`analytics.text.conversation.conversation_features`; this module only reshapes them for
drawing. Each function draws on ``ax`` when given (else on a new figure), returns the Axes and
never calls ``plt.show()``.

Conventions
-----------
- Groups are drawn in sorted order (a missing value last, labelled ``"(missing)"``) and take
  the colour-blind-safe Okabe-Ito colours of :data:`OKABE_ITO` in that order, so a group keeps
  its colour from one figure to the next as long as the frames hold the same groups.
- More than 8 groups take the 20 colours of :data:`MANY_GROUP_COLOURS` instead (repeating past
  20). Colours alone no longer tell that many groups apart, so every bar and box is named on
  the axis: rate clusters turn into a bold heading per outcome or lexicon with one labelled bar
  per group under it, and lines are listed in the legend in group order.
- Figures grow with what they show: a row per bar, box or legend entry. A new figure is made
  that tall; a given ``ax`` that is alone on its figure grows the figure to that height (never
  shrinks it). On a grid of Axes, size the figure yourself.
- Rates are drawn as bars with their Wilson interval as error bars; shares on percent axes;
  axis labels carry units. Durations are drawn in s, min or h, whichever reads best for the
  calls' durations (below 2 min seconds, below 2 h minutes, else hours). Tick labels are
  plain numbers, never scientific notation or an offset; count, share and density axes run
  from 0 to a tick at or above the highest value drawn.
- Empty input gives an Axes reading "No data", not an exception; bad options raise as the
  analysis functions do.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from analytics.datasets import make_run
>>> from analytics.load import load_run
>>> run = load_run(make_run(60, random_state=0))
>>> ax = plot_outcome_rates(run.calls, by="assignee")
>>> ax.get_xlabel()
'Share of calls (bars: 95% Wilson interval)'
>>> import matplotlib.pyplot as plt
>>> plt.close("all")
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, cast

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter, ScalarFormatter

from analytics._shared import MISSING_LABEL, By, as_keys, group_columns, require_columns
from analytics.load.run import Run
from analytics.schema import MEASURE, TEXT
from analytics.stats.activity import call_volume, connection_rates
from analytics.stats.durations import duration_distribution, duration_summary
from analytics.stats.outcomes import outcome_rates
from analytics.text.keywords import keyword_hit_rates
from analytics.viz._format import duration_unit

__all__ = [
    "GONG_TALK_SHARE",
    "MANY_GROUP_COLOURS",
    "OKABE_ITO",
    "plot_calls_over_time",
    "plot_connection_rates",
    "plot_durations",
    "plot_keyword_rates",
    "plot_outcome_rates",
    "plot_response_gaps",
    "plot_talk_share",
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

GONG_TALK_SHARE = 0.43
"""Talk share of the agent on won B2B sales calls (Gong Labs, 25,537 calls)."""

ALL_CALLS = "All calls"
_HEIGHT = 4.5
# Inches per row: a bar or box; a row of a many-group rate plot (small labels); a legend entry
_ROW, _LABELLED_ROW, _LEGEND_ROW = 0.22, 0.18, 0.2
_LEGEND_GROUPS = len(OKABE_ITO)  # more groups than this: other colours, a label on every bar
_WIDTH, _WIDTH_WITH_LEGEND = 7.0, 8.5
_DURATION_KINDS = {"ecdf": "ecdf", "hist": "histogram"}
_MAX_PERIOD_TICKS = 12
_PERIODS = {"h": "hour", "D": "day", "W": "week", "MS": "month", "ME": "month"}
_SHARE_LABELS = {
    "agent_talk_share": "Agent talk share (share of words)",
    "agent_talk_share_time": "Agent talk share (share of talk time)",
}
_GAP_LABELS = {
    "agent_response_gap_p50_s": "Agent response gap, median per call (s)",
    "agent_response_gap_p90_s": "Agent response gap, 90th percentile per call (s)",
    "user_response_gap_p50_s": "Caller response gap, median per call (s)",
    "user_response_gap_p90_s": "Caller response gap, 90th percentile per call (s)",
}


# --- shared pieces --------------------------------------------------------------------------


def _axes(ax: Axes | None, *, legend: bool, height: float = _HEIGHT) -> Axes:
    """``ax``, or the Axes of a new figure ``height`` inches tall, wider for a legend.

    A given ``ax`` alone on a figure shorter than ``height`` grows it to ``height``.
    """
    if ax is None:
        width = _WIDTH_WITH_LEGEND if legend else _WIDTH
        return plt.subplots(figsize=(width, height), layout="constrained")[1]
    figure = ax.figure
    if isinstance(figure, Figure) and figure.axes == [ax] and figure.get_figheight() < height:
        figure.set_figheight(height)
    return ax


def _bars_height(n_rows: int, *, row: float = _ROW, most: float = math.inf) -> float:
    """Figure height in inches for ``n_rows`` rows of ``row`` inches, from 3 up to ``most``."""
    return float(np.clip(1.2 + row * n_rows, 3.0, most))


def _lines_height(n_groups: int) -> float:
    """Figure height in inches for a plot whose legend lists ``n_groups`` lines."""
    return max(_HEIGHT, 1.0 + _LEGEND_ROW * n_groups)


def _rates_axes(ax: Axes | None, rates: pd.DataFrame, category: str, keys: list[str]) -> Axes:
    """:func:`_axes` sized for :func:`_grouped_rates`: a legend, or a labelled row per bar."""
    n_groups = _group_labels(rates, keys).nunique()
    if n_groups <= _LEGEND_GROUPS:
        return _axes(ax, legend=bool(keys), height=_bars_height(len(rates), most=8.0))
    rows = rates[category].nunique() * (n_groups + 1)  # a heading, then a bar per group
    return _axes(ax, legend=False, height=_bars_height(rows, row=_LABELLED_ROW))


def _plain(axis: Axis) -> None:
    """Tick labels of ``axis`` as plain numbers: no scientific notation, no offset."""
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)


def _end_on_tick(ax: Axes, which: str, top: float) -> None:
    """Run the ``which`` ("x" or "y") axis from 0 to its first tick at or above ``top``."""
    top = top if top > 0 else 1.0  # nothing above 0 (or NaN): a unit axis, not an empty one
    axis = ax.xaxis if which == "x" else ax.yaxis
    ticks = np.asarray(axis.get_major_locator().tick_values(0, top), dtype=float)
    above = ticks[ticks >= top]
    end = float(above.min()) if above.size else top
    (ax.set_xlim if which == "x" else ax.set_ylim)(0, end)


def _legend(ax: Axes, keys: list[str]) -> None:
    """The group legend, outside the plot on the right so that it never covers data."""
    if keys:
        ax.legend(
            title=" / ".join(keys),
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize="small",
            frameon=False,
        )


def _legend_or_n(ax: Axes, keys: list[str], title: str, n: object) -> None:
    """Title the plot; with groups add their legend, without them put ``n`` in the title."""
    _legend(ax, keys)
    ax.set_title(title if keys else f"{title} (n={n})")


def _no_data(ax: Axes, title: str) -> Axes:
    """Write a centred "No data" on ``ax`` and return it."""
    ax.text(0.5, 0.5, "No data", ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set(title=title, xticks=[], yticks=[])
    return ax


def _group_labels(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """One display label per row: the group values joined by " / ", missing ones named."""
    if not keys:
        return pd.Series(ALL_CALLS, index=frame.index, dtype=TEXT)
    parts = [frame[k].astype(TEXT).fillna(MISSING_LABEL) for k in keys]
    # cast: pandas-stubs lacks the list-of-Series form of ``others`` that pandas documents
    others = cast("list[str]", parts[1:])
    return parts[0].str.cat(others, sep=" / ") if len(parts) > 1 else parts[0]


def _palette(frame: pd.DataFrame, keys: list[str]) -> dict[str, str]:
    """Group label -> colour, the groups of ``frame`` sorted (missing last) taking OKABE_ITO.

    More than 8 groups take MANY_GROUP_COLOURS instead, cycled past 20.
    """
    if not keys:
        return {ALL_CALLS: OKABE_ITO[0]}
    groups = frame[keys].drop_duplicates().sort_values(keys, na_position="last")
    labels = _group_labels(groups, keys).unique()
    colours = OKABE_ITO if len(labels) <= _LEGEND_GROUPS else MANY_GROUP_COLOURS
    return {label: colours[i % len(colours)] for i, label in enumerate(labels)}


def _parts(
    frame: pd.DataFrame, keys: list[str], palette: dict[str, str]
) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """Yield ``(label, colour, rows)`` for each group of ``palette`` that has rows in ``frame``."""
    labels = _group_labels(frame, keys).to_numpy()
    for label, colour in palette.items():
        rows = frame[labels == label]
        if len(rows):
            yield label, colour, rows


def _floats(frame: pd.DataFrame, *columns: str) -> list[np.ndarray]:
    """``columns`` of ``frame`` as float arrays, NaN for NA."""
    return [frame[c].to_numpy(dtype=float, na_value=np.nan) for c in columns]


def _rate_bars(
    ax: Axes,
    position: np.ndarray,
    rates: pd.DataFrame,
    *,
    colour: object,
    height: float,
    label: str | None = None,
) -> None:
    """Horizontal bars of ``rates.rate`` with error bars from ``ci_low`` to ``ci_high``."""
    rate, low, high = _floats(rates, "rate", "ci_low", "ci_high")
    ax.barh(position, rate, height=height, color=colour, label=label)
    ax.errorbar(
        rate, position, xerr=[rate - low, high - rate], fmt="none", ecolor="0.15", capsize=2
    )


def _share_axis(ax: Axes, rates: pd.DataFrame, label: str, confidence: float) -> None:
    """A percent x axis from 0 to a tick past the highest interval, saying what the bars are."""
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    top = rates["ci_high"].astype(float).max()
    _end_on_tick(ax, "x", max(top, 0.05))  # whole-percent ticks stay distinct
    ax.set_xlabel(f"{label} (bars: {confidence:.0%} Wilson interval)")


def _grouped_rates(
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
    parts = list(_parts(rates, keys, palette))
    if len(parts) > _LEGEND_GROUPS:
        _labelled_rates(ax, categories, category, parts)
        ax.set_title(title)
        return
    height = 0.8 / len(parts)
    for i, (label, colour, part) in enumerate(parts):
        position = categories.get_indexer(part[category]) + (i - (len(parts) - 1) / 2) * height
        label = f"{label} (n={part['n'].iloc[0]})"
        _rate_bars(ax, position, part, colour=colour, height=height, label=label)
    ax.set_yticks(range(len(categories)), categories)
    ax.set_ylim(len(categories) - 0.5, -0.5)
    _legend_or_n(ax, keys, title, rates["n"].iloc[0])


def _labelled_rates(
    ax: Axes, categories: pd.Index, category: str, parts: list[tuple[str, str, pd.DataFrame]]
) -> None:
    """A bold heading row per category value, then one bar per group, named on the axis."""
    step = len(parts) + 1
    for i, (_, colour, part) in enumerate(parts):
        position = categories.get_indexer(pd.Index(part[category])) * step + 1 + i
        _rate_bars(ax, position, part, colour=colour, height=0.7)
    headings = np.arange(len(categories)) * step
    ax.set_yticks(headings, categories, fontweight="bold")
    ax.tick_params(axis="y", which="major", length=0)
    names = [f"{label} (n={part['n'].iloc[0]})" for label, _, part in parts]
    rows = (headings[:, None] + np.arange(1, step)).ravel()
    ax.set_yticks(rows, names * len(categories), minor=True, fontsize="small")
    ax.set_ylim(len(categories) * step - 0.5, -0.5)


def _distribution(
    ax: Axes,
    features: pd.DataFrame,
    keys: list[str],
    column: str,
    *,
    bins: str | Sequence[float],
    title: str,
) -> bool:
    """Draw ``features[column]``: a histogram, or one box per group; False when all NA."""
    values = features[column].astype(MEASURE)
    if not values.notna().any():
        return False
    if keys:
        _boxes(ax, values, _group_labels(features, keys).to_numpy(), _palette(features, keys))
        ax.set_title(title)
    else:
        drawn = values.dropna().to_numpy(dtype=float)
        counts = ax.hist(drawn, bins=bins, color=OKABE_ITO[0], edgecolor="white")[0]
        ax.set(title=f"{title} (n={len(drawn)})", ylabel="Calls")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _end_on_tick(ax, "y", float(np.max(counts)))
    return True


def _boxes(ax: Axes, values: pd.Series, labels: np.ndarray, palette: dict[str, str]) -> None:
    """One horizontal box plot per group of ``palette``, top to bottom, labelled with its n."""
    data = [values[labels == g].dropna().to_numpy(dtype=float) for g in palette]
    ticks = [f"{g} (n={len(d)})" for g, d in zip(palette, data)]
    boxes = ax.boxplot(
        data,
        orientation="horizontal",
        tick_labels=ticks,
        patch_artist=True,
        widths=0.6,
        medianprops={"color": "black"},
    )
    for box, colour in zip(boxes["boxes"], palette.values()):
        box.set(facecolor=colour, alpha=0.8)
    ax.set_ylim(len(data) + 0.5, 0.5)


def _distribution_height(features: pd.DataFrame, keys: list[str]) -> float:
    """Figure height for :func:`_distribution`: a histogram, or a row per group's box."""
    if not keys:
        return _HEIGHT
    return max(_HEIGHT, _bars_height(_group_labels(features, keys).nunique()))


def _feature_keys(features: pd.DataFrame, by: By, column: str) -> list[str]:
    """Check that ``features`` holds ``column`` and the ``by`` columns; return the keys."""
    fix = "pass the frame of conversation_features(run.turns, calls=run.calls)"
    require_columns(features, [column], name="features", fix=fix)
    missing = [k for k in as_keys(by) if k not in features.columns]
    merge = f"merge it in first: features.merge(calls[{['task_id', *missing]!r}], on='task_id')"
    return group_columns(features, by, table="features", fix=merge)


# --- plots ----------------------------------------------------------------------------------


def plot_durations(
    calls: pd.DataFrame,
    *,
    by: By = "assignee",
    kind: str = "ecdf",
    include: str = "connected",
    bins: int | str | Sequence[float] = "auto",
    ax: Axes | None = None,
) -> Axes:
    """Distribution of call durations per group: ECDF lines or histogram outlines.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls``.
    by : str, list of str or None, default "assignee"
        Group columns; None draws one distribution.
    kind : {"ecdf", "hist"}, default "ecdf"
        Empirical cumulative distribution (share of calls at or below each duration), or a
        density histogram on bins shared by all groups.
    include : {"connected", "all"}, default "connected"
        Which calls count, as in :func:`analytics.stats.durations.duration_summary`.
    bins : int, sequence of float or str, default "auto"
        Histogram bins, as :func:`analytics.stats.durations.duration_distribution` takes them.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One line per group with counted calls, labelled with its ``n``. The duration axis is
        in s, min or h by the 95th percentile of ``calls["duration_s"]``; histogram densities
        are per that unit.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> ax = plot_durations(load_run(make_run(60, random_state=0)).calls)
    >>> ax.get_xlabel(), len(ax.get_lines())
    ('Call duration (min)', 4)
    >>> plt.close("all")
    """
    if kind not in _DURATION_KINDS:
        raise ValueError(f"kind={kind!r} is not one of {tuple(_DURATION_KINDS)}")
    dist = duration_distribution(
        calls, by=by, kind=_DURATION_KINDS[kind], bins=bins, include=include
    )
    keys = as_keys(by)
    palette = _palette(calls, keys)
    ax = _axes(ax, legend=bool(keys), height=_lines_height(len(palette)))
    title = f"Duration of {include} calls"
    if dist.empty:
        return _no_data(ax, title)
    summary = duration_summary(calls, by=by, include=include)
    n = dict(zip(_group_labels(summary, keys), summary["n"]))
    unit, size = duration_unit(_floats(calls, "duration_s")[0])
    draw = _ecdf_line if kind == "ecdf" else _histogram_outline
    for label, colour, part in _parts(dist, keys, palette):
        draw(ax, part, size, color=colour, label=f"{label} (n={n[label]})")
    _duration_axes(ax, dist, kind, (unit, size))
    _legend_or_n(ax, keys, title, summary["n"].iloc[0])
    return ax


def _ecdf_line(ax: Axes, part: pd.DataFrame, size: float, **style: Any) -> None:
    """A steps-post ECDF line starting from 0 at the shortest duration, in ``size`` seconds."""
    value, ecdf = _floats(part, "value", "ecdf")
    ax.step(np.r_[value[0], value] / size, np.r_[0.0, ecdf], where="post", **style)


def _histogram_outline(ax: Axes, part: pd.DataFrame, size: float, **style: Any) -> None:
    """The density histogram of one group as an outline, per ``size`` seconds."""
    left, right, density = _floats(part, "bin_left", "bin_right", "density")
    ax.stairs(density * size, np.r_[left, right[-1:]] / size, linewidth=1.8, **style)


def _duration_axes(ax: Axes, dist: pd.DataFrame, kind: str, unit: tuple[str, float]) -> None:
    """Label the axes of :func:`plot_durations` in ``unit`` (name, seconds), plain ticks."""
    name, size = unit
    _plain(ax.xaxis)
    ax.set(xlabel=f"Call duration ({name})", xlim=(0, None))
    if kind == "ecdf":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set(ylabel="Share of calls this long or shorter", ylim=(0, None))
    else:
        _plain(ax.yaxis)
        ax.set_ylabel(f"Density (1/{name})")
        _end_on_tick(ax, "y", float(np.nanmax(_floats(dist, "density")[0])) * size)


def plot_outcome_rates(
    data: pd.DataFrame | Run,
    *,
    by: By = "assignee",
    outcome: str = "outcome",
    confidence: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """Share of each outcome per group: clustered bars with Wilson error bars.

    Parameters
    ----------
    data : DataFrame or Run
        ``run.calls`` or a Run, as :func:`analytics.stats.outcomes.outcome_rates` takes it.
    by : str, list of str or None, default "assignee"
        Group columns; None draws one bar per outcome.
    outcome : str, default "outcome"
        Column counted (``"outcome"``, ``"call_status"``, ``"status"``...).
    confidence : float, default 0.95
        Coverage of the Wilson interval drawn as the error bar.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One cluster per outcome that some call has, top to bottom in the order of
        ``outcome_rates`` (an outcome no group has is left out), one bar per group in each; the
        legend names the groups with their ``n`` (more than 8 groups: the axis does).

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> ax = plot_outcome_rates(load_run(make_run(60, random_state=0)), by="assignee")
    >>> len(ax.patches)  # 4 assignees x the 7 outcomes that occur
    28
    >>> plt.close("all")
    """
    rates = outcome_rates(data, by=by, outcome=outcome, confidence=confidence)
    rates = rates[rates.groupby("outcome", sort=False)["count"].transform("sum").gt(0)]
    keys = as_keys(by)
    ax = _rates_axes(ax, rates, "outcome", keys)
    title = f"{outcome.replace('_', ' ').capitalize()} rates"
    if rates.empty:
        return _no_data(ax, title)
    frame = data if isinstance(data, pd.DataFrame) else _run_table(data, outcome)
    _grouped_rates(ax, rates, "outcome", keys, _palette(frame, keys), title)
    _share_axis(ax, rates, "Share of calls", confidence)
    return ax


def _run_table(run: Run, outcome: str) -> pd.DataFrame:
    """The table of ``run`` that :func:`outcome_rates` counts."""
    return run.tasks if outcome == "status" else run.calls


def plot_connection_rates(
    calls: pd.DataFrame,
    *,
    by: By = "assignee",
    confidence: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """Share of calls that connected, one bar per group with its Wilson error bar.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``connected``).
    by : str, list of str or None, default "assignee"
        Group columns; None draws one bar.
    confidence : float, default 0.95
        Coverage of the Wilson interval.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One bar per group of :func:`analytics.stats.outcomes.connection_rates`, top to bottom,
        labelled with its ``n`` (calls whose connection is known).

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> ax = plot_connection_rates(load_run(make_run(60, random_state=0)).calls, by=None)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['All calls (n=...)']
    >>> plt.close("all")
    """
    rates = connection_rates(calls, by=by, confidence=confidence)
    ax = _axes(ax, legend=False, height=_bars_height(len(rates)))
    if rates.empty:
        return _no_data(ax, "Connection rate")
    keys = as_keys(by)
    palette = _palette(calls, keys)
    labels = _group_labels(rates, keys)
    position = np.arange(len(rates))
    _rate_bars(ax, position, rates, colour=[palette[g] for g in labels], height=0.6)
    ax.set_yticks(position, [f"{g} (n={n})" for g, n in zip(labels, rates["n"])])
    ax.set_ylim(len(rates) - 0.5, -0.5)
    _share_axis(ax, rates, "Share of calls connected", confidence)
    ax.set_title("Connection rate")
    return ax


def plot_calls_over_time(
    calls: pd.DataFrame,
    *,
    by: By = "assignee",
    freq: str = "D",
    ax: Axes | None = None,
) -> Axes:
    """Number of calls per period, one line per group.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``start_time``).
    by : str, list of str or None, default "assignee"
        Group columns; None draws one line.
    freq : str, default "D"
        A pandas frequency, as :func:`analytics.stats.outcomes.call_volume` takes it.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One line with markers per group over every period (zeros included), dates in UTC.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> ax = plot_calls_over_time(load_run(make_run(60, random_state=0)).calls, freq="D")
    >>> ax.get_ylabel()
    'Calls per day'
    >>> plt.close("all")
    """
    volume = call_volume(calls, by=by, freq=freq)
    keys = as_keys(by)
    palette = _palette(calls, keys)
    ax = _axes(ax, legend=bool(keys), height=_lines_height(len(palette)))
    if volume.empty:
        return _no_data(ax, "Calls over time")
    for label, colour, part in _parts(volume, keys, palette):
        period = part["period"].dt.tz_convert(None).to_numpy()
        n_calls = _floats(part, "n_calls")[0]
        ax.plot(period, n_calls, marker="o", color=colour, label=label, clip_on=False)
    _date_ticks(ax, volume["period"].drop_duplicates().dt.tz_convert(None))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _end_on_tick(ax, "y", float(volume["n_calls"].max()))
    unit = _PERIODS.get(freq, freq)
    ax.set(title="Calls over time", xlabel="Date (UTC)", ylabel=f"Calls per {unit}")
    _legend(ax, keys)
    return ax


def _date_ticks(ax: Axes, periods: pd.Series) -> None:
    """Concise date labels: at each period when there are few, else where matplotlib picks."""
    few = len(periods) <= _MAX_PERIOD_TICKS
    locator = FixedLocator(mdates.date2num(periods)) if few else mdates.AutoDateLocator()
    ax.xaxis.set(major_locator=locator, major_formatter=mdates.ConciseDateFormatter(locator))


def plot_talk_share(
    features: pd.DataFrame,
    *,
    by: By = None,
    column: str = "agent_talk_share",
    ax: Axes | None = None,
) -> Axes:
    """Distribution of the agent's talk share per call, against Gong's winning 43 %.

    The dashed line marks 43 %, the talk share of the seller on won B2B sales calls (Gong
    Labs, 25,537 B2B calls,
    https://www.gong.io/resources/labs/talk-to-listen-conversion-ratio). It is a reference
    from human sales calls, not a target proven for voice agents.

    Parameters
    ----------
    features : DataFrame
        The frame of :func:`analytics.text.conversation.conversation_features`, one row per call,
        with the ``by`` columns merged in: ``features.merge(calls[["task_id", "assignee"]],
        on="task_id")``.
    by : str, list of str or None, default None
        Group columns of ``features``; None draws a histogram, else one box plot per group.
    column : str, default "agent_talk_share"
        The share drawn; ``"agent_talk_share_time"`` for the time-based one.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        ``column`` or a ``by`` column is not in ``features`` (the message shows the merge).

    Examples
    --------
    >>> from analytics.text.conversation import conversation_features
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(60, random_state=0))
    >>> features = conversation_features(run.turns, calls=run.calls)
    >>> ax = plot_talk_share(features)
    >>> ax.get_legend().get_texts()[0].get_text()
    'Gong winning talk share 43%'
    >>> plt.close("all")
    """
    keys = _feature_keys(features, by, column)
    ax = _axes(ax, legend=False, height=_distribution_height(features, keys))
    title = "Agent talk share"
    if not _distribution(
        ax, features, keys, column, bins=np.linspace(0, 1, 21).tolist(), title=title
    ):
        return _no_data(ax, title)
    ax.axvline(GONG_TALK_SHARE, color="black", linestyle="--", label="Gong winning talk share 43%")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    xlabel = _SHARE_LABELS.get(column, column)
    ax.set(xlim=(0, 1), xlabel=xlabel)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_response_gaps(
    features: pd.DataFrame,
    *,
    by: By = None,
    column: str = "agent_response_gap_p50_s",
    ax: Axes | None = None,
) -> Axes:
    """Distribution of per-call response gaps in seconds: a histogram, or box plots per group.

    Parameters
    ----------
    features : DataFrame
        The frame of :func:`analytics.text.conversation.conversation_features`, with the ``by``
        columns merged in (see :func:`plot_talk_share`).
    by : str, list of str or None, default None
        Group columns of ``features``; None draws a histogram, else one box plot per group.
    column : str, default "agent_response_gap_p50_s"
        The per-call gap drawn: ``agent_``/``user_response_gap_p50_s`` or ``_p90_s``.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        ``column`` or a ``by`` column is not in ``features`` (the message shows the merge).

    Examples
    --------
    >>> from analytics.text.conversation import conversation_features
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(60, random_state=0))
    >>> features = conversation_features(run.turns, calls=run.calls)
    >>> features = features.merge(run.calls[["task_id", "assignee"]], on="task_id")
    >>> ax = plot_response_gaps(features, by="assignee")
    >>> ax.get_xlabel()
    'Agent response gap, median per call (s)'
    >>> plt.close("all")
    """
    keys = _feature_keys(features, by, column)
    ax = _axes(ax, legend=False, height=_distribution_height(features, keys))
    title = "Caller response gaps" if column.startswith("user") else "Agent response gaps"
    if not _distribution(ax, features, keys, column, bins="auto", title=title):
        return _no_data(ax, title)
    ax.set_xlabel(_GAP_LABELS.get(column, column))
    ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))  # from 0 s, unless gaps are negative
    return ax


def plot_keyword_rates(
    keywords: pd.DataFrame,
    *,
    by: By = None,
    calls: pd.DataFrame | None = None,
    confidence: float = 0.95,
    speaker: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Share of calls with at least one match of each lexicon, with Wilson error bars.

    Parameters
    ----------
    keywords : DataFrame
        The frame of :func:`analytics.text.keywords.keyword_features`, built with
        ``calls=run.calls``.
    by : str, list of str or None, default None
        Group columns, of ``keywords`` or of ``calls``; None draws one bar per lexicon.
    calls : DataFrame, optional
        ``run.calls``, where the ``by`` columns are looked up.
    confidence : float, default 0.95
        Coverage of the Wilson interval.
    speaker : {None, "agent", "user"}, default None
        Count matches by either side, or by one side only.
    ax : Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    Axes
        One cluster per lexicon, top to bottom in the column order of ``keywords`` (the
        order of :func:`analytics.text.keywords.keyword_hit_rates` and of the lexicons given),
        one bar per group.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.text.keywords import keyword_features
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(60, random_state=0))
    >>> kw = keyword_features(run.turns, calls=run.calls)
    >>> ax = plot_keyword_rates(kw)
    >>> [t.get_text() for t in ax.get_yticklabels()][:3]
    ['price', 'callback', 'opt out']
    >>> plt.close("all")
    """
    rates = keyword_hit_rates(keywords, by=by, calls=calls, confidence=confidence, speaker=speaker)
    keys = as_keys(by)
    ax = _rates_axes(ax, rates, "lexicon", keys)
    if rates.empty:
        return _no_data(ax, "Keyword hit rates")
    rates = rates.assign(lexicon=rates["lexicon"].str.replace("_", " "))
    source = keywords if calls is None else calls
    # rates also hold a missing group when some calls of keywords are not in calls
    palette = _palette(pd.concat([source[keys], rates[keys]]), keys)
    _grouped_rates(ax, rates, "lexicon", keys, palette, "Keyword hit rates")
    who = {None: "", "agent": " (agent)", "user": " (caller)"}[speaker]
    _share_axis(ax, rates, f"Share of calls with a match{who}", confidence)
    return ax
