"""Matplotlib figures of the analyses, each ``fn(data, *, ..., ax=None) -> Axes``.

Every number drawn comes from an analysis function (:mod:`analytics.stats.durations`,
:mod:`analytics.stats.outcomes`, :mod:`analytics.text.keywords`) or is a per-call value of
:func:`analytics.text.conversation.conversation_features`; this module only reshapes them for
drawing. Each function draws on ``ax`` when given (else on a new figure), returns the Axes and
never calls ``plt.show()``. The figures of the campaign analyses (:func:`plot_funnel`,
:func:`plot_cost_per_outcome`, :func:`plot_trend`, :func:`plot_call_timing`,
:func:`plot_end_reasons`) live in :mod:`analytics.viz.campaign_plots` and are reachable here
too; they draw the frames of :mod:`analytics.stats.campaign` under the same conventions.

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

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from analytics._shared import By, as_keys, group_columns, require_columns
from analytics.load.run import Run
from analytics.schema import MEASURE
from analytics.stats.activity import call_volume, connection_rates
from analytics.stats.durations import duration_distribution, duration_summary
from analytics.stats.outcomes import outcome_rates
from analytics.text.keywords import keyword_hit_rates
from analytics.viz._format import duration_unit
from analytics.viz._plotting import (
    HEIGHT,
    MANY_GROUP_COLOURS,
    OKABE_ITO,
    axes_for,
    bars_height,
    date_ticks,
    end_on_tick,
    floats,
    group_labels,
    group_legend,
    group_palette,
    group_parts,
    grouped_rates,
    legend_or_n,
    lines_height,
    no_data,
    plain_ticks,
    rate_bars,
    rates_axes,
    share_axis,
)
from analytics.viz.campaign_plots import (
    plot_call_timing,
    plot_cost_per_outcome,
    plot_end_reasons,
    plot_funnel,
    plot_trend,
)

__all__ = [
    "GONG_TALK_SHARE",
    "MANY_GROUP_COLOURS",
    "OKABE_ITO",
    "plot_call_timing",
    "plot_calls_over_time",
    "plot_connection_rates",
    "plot_cost_per_outcome",
    "plot_durations",
    "plot_end_reasons",
    "plot_funnel",
    "plot_keyword_rates",
    "plot_outcome_rates",
    "plot_response_gaps",
    "plot_talk_share",
    "plot_trend",
]

GONG_TALK_SHARE = 0.43
"""Talk share of the agent on won B2B sales calls (Gong Labs, 25,537 calls)."""

_DURATION_KINDS = {"ecdf": "ecdf", "hist": "histogram"}
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
        _boxes(ax, values, group_labels(features, keys).to_numpy(), group_palette(features, keys))
        ax.set_title(title)
    else:
        drawn = values.dropna().to_numpy(dtype=float)
        counts = ax.hist(drawn, bins=bins, color=OKABE_ITO[0], edgecolor="white")[0]
        ax.set(title=f"{title} (n={len(drawn)})", ylabel="Calls")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        end_on_tick(ax, "y", float(np.max(counts)))
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
        return HEIGHT
    return max(HEIGHT, bars_height(group_labels(features, keys).nunique()))


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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    if kind not in _DURATION_KINDS:
        raise ValueError(f"kind={kind!r} is not one of {tuple(_DURATION_KINDS)}")
    dist = duration_distribution(
        calls, by=by, kind=_DURATION_KINDS[kind], bins=bins, include=include
    )
    keys = as_keys(by)
    palette = group_palette(calls, keys)
    ax = axes_for(ax, legend=bool(keys), height=lines_height(len(palette)))
    title = f"Duration of {include} calls"
    if dist.empty:
        return no_data(ax, title)
    summary = duration_summary(calls, by=by, include=include)
    n = dict(zip(group_labels(summary, keys), summary["n"]))
    unit, size = duration_unit(floats(calls, "duration_s")[0])
    draw = _ecdf_line if kind == "ecdf" else _histogram_outline
    for label, colour, part in group_parts(dist, keys, palette):
        draw(ax, part, size, color=colour, label=f"{label} (n={n[label]})")
    _duration_axes(ax, dist, kind, (unit, size))
    legend_or_n(ax, keys, title, summary["n"].iloc[0])
    return ax


def _ecdf_line(ax: Axes, part: pd.DataFrame, size: float, **style: Any) -> None:
    """A steps-post ECDF line starting from 0 at the shortest duration, in ``size`` seconds."""
    value, ecdf = floats(part, "value", "ecdf")
    ax.step(np.r_[value[0], value] / size, np.r_[0.0, ecdf], where="post", **style)


def _histogram_outline(ax: Axes, part: pd.DataFrame, size: float, **style: Any) -> None:
    """The density histogram of one group as an outline, per ``size`` seconds."""
    left, right, density = floats(part, "bin_left", "bin_right", "density")
    ax.stairs(density * size, np.r_[left, right[-1:]] / size, linewidth=1.8, **style)


def _duration_axes(ax: Axes, dist: pd.DataFrame, kind: str, unit: tuple[str, float]) -> None:
    """Label the axes of :func:`plot_durations` in ``unit`` (name, seconds), plain ticks."""
    name, size = unit
    plain_ticks(ax.xaxis)
    ax.set(xlabel=f"Call duration ({name})", xlim=(0, None))
    if kind == "ecdf":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set(ylabel="Share of calls this long or shorter", ylim=(0, None))
    else:
        plain_ticks(ax.yaxis)
        ax.set_ylabel(f"Density (1/{name})")
        end_on_tick(ax, "y", float(np.nanmax(floats(dist, "density")[0])) * size)


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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    rates = outcome_rates(data, by=by, outcome=outcome, confidence=confidence)
    rates = rates[rates.groupby("outcome", sort=False)["count"].transform("sum").gt(0)]
    keys = as_keys(by)
    ax = rates_axes(ax, rates, "outcome", keys)
    title = f"{outcome.replace('_', ' ').capitalize()} rates"
    if rates.empty:
        return no_data(ax, title)
    frame = data if isinstance(data, pd.DataFrame) else _run_table(data, outcome)
    grouped_rates(ax, rates, "outcome", keys, group_palette(frame, keys), title)
    share_axis(ax, rates, "Share of calls", confidence)
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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    rates = connection_rates(calls, by=by, confidence=confidence)
    ax = axes_for(ax, legend=False, height=bars_height(len(rates)))
    if rates.empty:
        return no_data(ax, "Connection rate")
    keys = as_keys(by)
    palette = group_palette(calls, keys)
    labels = group_labels(rates, keys)
    position = np.arange(len(rates))
    rate_bars(ax, position, rates, colour=[palette[g] for g in labels], height=0.6)
    ax.set_yticks(position, [f"{g} (n={n})" for g, n in zip(labels, rates["n"])])
    ax.set_ylim(len(rates) - 0.5, -0.5)
    share_axis(ax, rates, "Share of calls connected", confidence)
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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    volume = call_volume(calls, by=by, freq=freq)
    keys = as_keys(by)
    palette = group_palette(calls, keys)
    ax = axes_for(ax, legend=bool(keys), height=lines_height(len(palette)))
    if volume.empty:
        return no_data(ax, "Calls over time")
    for label, colour, part in group_parts(volume, keys, palette):
        period = part["period"].dt.tz_convert(None).to_numpy()
        n_calls = floats(part, "n_calls")[0]
        ax.plot(period, n_calls, marker="o", color=colour, label=label, clip_on=False)
    date_ticks(ax, volume["period"].drop_duplicates().dt.tz_convert(None))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    end_on_tick(ax, "y", float(volume["n_calls"].max()))
    unit = _PERIODS.get(freq, freq)
    ax.set(title="Calls over time", xlabel="Date (UTC)", ylabel=f"Calls per {unit}")
    group_legend(ax, keys)
    return ax


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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    keys = _feature_keys(features, by, column)
    ax = axes_for(ax, legend=False, height=_distribution_height(features, keys))
    title = "Agent talk share"
    if not _distribution(
        ax, features, keys, column, bins=np.linspace(0, 1, 21).tolist(), title=title
    ):
        return no_data(ax, title)
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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    keys = _feature_keys(features, by, column)
    ax = axes_for(ax, legend=False, height=_distribution_height(features, keys))
    title = "Caller response gaps" if column.startswith("user") else "Agent response gaps"
    if not _distribution(ax, features, keys, column, bins="auto", title=title):
        return no_data(ax, title)
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
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    rates = keyword_hit_rates(keywords, by=by, calls=calls, confidence=confidence, speaker=speaker)
    keys = as_keys(by)
    ax = rates_axes(ax, rates, "lexicon", keys)
    if rates.empty:
        return no_data(ax, "Keyword hit rates")
    rates = rates.assign(lexicon=rates["lexicon"].str.replace("_", " "))
    source = keywords if calls is None else calls
    # rates also hold a missing group when some calls of keywords are not in calls
    palette = group_palette(pd.concat([source[keys], rates[keys]]), keys)
    grouped_rates(ax, rates, "lexicon", keys, palette, "Keyword hit rates")
    who = {None: "", "agent": " (agent)", "user": " (caller)"}[speaker]
    share_axis(ax, rates, f"Share of calls with a match{who}", confidence)
    return ax
