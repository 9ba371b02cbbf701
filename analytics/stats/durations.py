"""How long calls last: summaries with a median interval, histograms and ECDFs per group.

Which calls count
-----------------
By default (``include="connected"``) a call counts when it connected (``calls.connected`` is
true: someone answered and spoke) and its duration is known. Unanswered calls last a few
seconds of ringing and would drag every figure towards zero; calls whose connection is
unknown (NA) are left out too. ``include="all"`` counts every call with a known duration.

A duration is known when ``duration_s`` is not NA and, for a connected call, above 0: the
platform writes 0 when it has no duration, and a call someone answered and spoke in cannot
last 0 s. :func:`analytics.stats.quality.quality_checks` reports those calls
(``nonpositive_duration``).

Minimum numbers of calls
------------------------
A figure is NA, not a number, when a group has too few counted calls to estimate it:

- ``median_ci_low``, ``median_ci_high``: fewer than 6 calls at 95 % (the exact interval
  cannot reach the coverage asked for; see :func:`duration_summary`).
- ``p90_s``: fewer than :data:`MIN_N_P90` (10) calls; ``p95_s``: fewer than
  :data:`MIN_N_P95` (20). A ``q`` quantile needs about ``1 / (1 - q)`` values before one is
  expected to lie above it; with fewer, the "90th percentile" is an interpolation between the
  top two or three calls, not an estimate of the tail.

``n``, ``mean_s``, ``median_s`` and ``max_s`` are given for any group with a counted call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analytics._shared import (
    OVERALL,
    By,
    check_confidence,
    dask_aware,
    group_columns,
    require_columns,
    stacked,
    with_overall,
)
from analytics.schema import COUNT, FLAG, MEASURE, DtypeName, conform

__all__ = ["INCLUDE", "MIN_N_P90", "MIN_N_P95", "duration_distribution", "duration_summary"]

INCLUDE = ("connected", "all")
"""Values of ``include``: only connected calls, or every call with a known duration."""

MIN_N_P90 = 10
"""Fewest counted calls for ``p90_s``; NA below.

A 90th percentile is an estimate once at least one value is expected above it:
``n * (1 - 0.9) >= 1``. With 9 calls or fewer, linear interpolation puts it between the
largest two or three calls, which describes those calls, not the tail of the distribution.
"""

MIN_N_P95 = 20
"""Fewest counted calls for ``p95_s``; NA below (``n * (1 - 0.95) >= 1``, as for
:data:`MIN_N_P90`)."""

_KINDS = ("histogram", "ecdf")
_HIST_TYPES: dict[str, DtypeName] = {
    "bin_left": MEASURE,
    "bin_right": MEASURE,
    "count": COUNT,
    "density": MEASURE,
}
_ECDF_TYPES: dict[str, DtypeName] = {"value": MEASURE, "count": COUNT, "ecdf": MEASURE}


def _counted(calls: pd.DataFrame, include: str) -> pd.Series:
    """``duration_s`` where the call counts under ``include``, NA elsewhere."""
    if include not in INCLUDE:
        raise ValueError(f"include={include!r} is not one of {INCLUDE}")
    require_columns(
        calls, ["duration_s", "connected"] if include == "connected" else ["duration_s"]
    )
    duration = calls["duration_s"].astype(MEASURE)
    connected = (
        calls["connected"].astype(FLAG).fillna(False).astype(bool)
        if "connected" in calls.columns
        else pd.Series(False, index=calls.index)
    )
    placeholder = connected & duration.le(0).fillna(False).astype(bool)
    return duration.where((connected | (include == "all")) & ~placeholder)


def _durations(
    calls: pd.DataFrame, by: By, include: str
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Group columns plus ``duration_s`` (NA = not counted), the keys, and the keys to group on."""
    keys = group_columns(calls, by)
    work, gkeys = with_overall(calls[keys].assign(duration_s=_counted(calls, include)), keys)
    return work, keys, gkeys


def _median_interval(work: pd.DataFrame, gkeys: list[str], confidence: float) -> pd.DataFrame:
    """Distribution-free interval for the median per group: order statistics j and n + 1 - j.

    ``j`` is the largest rank with ``P(B <= j - 1) <= (1 - confidence) / 2`` for
    ``B ~ Binomial(n, 1/2)``, so ``[x_(j), x_(n+1-j)]`` covers the median with probability at
    least ``confidence``; when no ``j >= 1`` qualifies the bounds are NA.
    """
    valid = work.dropna(subset=["duration_s"]).sort_values("duration_s", kind="stable")
    grouped = valid.groupby(gkeys, dropna=False)["duration_s"]
    rank = grouped.cumcount().to_numpy() + 1
    n = grouped.transform("size").to_numpy()
    tail = (1 - confidence) / 2
    ppf = stats.binom.ppf(tail, n, 0.5)
    j = ppf + (stats.binom.cdf(ppf, n, 0.5) <= tail)  # ppf stops short when cdf hits tail exactly
    bounds = valid[gkeys].assign(
        median_ci_low=valid["duration_s"].where(rank == j),
        median_ci_high=valid["duration_s"].where(rank == n + 1 - j),
    )
    return bounds.groupby(gkeys, dropna=False).max()


@dask_aware
def duration_summary(
    calls: pd.DataFrame,
    *,
    by: By = None,
    include: str = "connected",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Count, mean, median with its interval, and upper percentiles of call durations.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``duration_s``, and ``connected`` unless ``include="all"``).
    by : str, list of str or None, default None
        Group columns; None gives one overall row.
    include : {"connected", "all"}, default "connected"
        Which calls count (see the module notes): connected calls with a known duration, or
        every call with a known duration.
    confidence : float, default 0.95
        Coverage of the median interval.

    Returns
    -------
    DataFrame
        The group columns, then ``n`` (calls counted), ``n_excluded`` (calls of the group not
        counted), ``mean_s``, ``median_s``, ``median_ci_low``, ``median_ci_high``, ``p90_s``,
        ``p95_s``, ``max_s``. One row per group of ``calls`` (sorted, a missing group value
        last); a group with nothing counted has ``n`` 0 and NA figures. ``p90_s`` is NA when
        ``n < MIN_N_P90`` (10), ``p95_s`` when ``n < MIN_N_P95`` (20), the median interval
        below 6 calls at 95 % (module notes).

    Notes
    -----
    Percentiles interpolate linearly between order statistics (numpy's default), so
    durations 10, 20, ..., 100 give a median of 55 and a 90th percentile of 91 (position
    ``0.9 * (10 - 1) = 8.1``: 90 plus a tenth of the way to 100). With 9 calls the 90th
    percentile would sit between the two largest, so it is NA below 10 calls (and the 95th
    below 20): see :data:`MIN_N_P90`.

    The median interval is the exact distribution-free order-statistic interval
    ``[x_(j), x_(n+1-j)]``, ``j`` chosen from the Binomial(n, 1/2) distribution of the
    number of values below the median. It needs no randomness and covers the true median
    with probability at least ``confidence`` for any continuous distribution. It is NA when
    even ``[min, max]`` falls short, that is when ``0.5 ** (n - 1) > 1 - confidence``: fewer
    than 6 calls at 95 %.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> summary = duration_summary(run.calls, by="assignee")
    >>> list(summary.columns)[:4]
    ['assignee', 'n', 'n_excluded', 'mean_s']
    >>> bool((summary["median_ci_low"] <= summary["median_s"]).all())
    True

    Ten calls are enough for a 90th percentile, not for a 95th:

    >>> ten = pd.DataFrame({"duration_s": [10.0 * k for k in range(1, 11)]})
    >>> duration_summary(ten, include="all")[["n", "median_s", "p90_s", "p95_s"]]
        n  median_s  p90_s  p95_s
    0  10      55.0   91.0   <NA>
    """
    check_confidence(confidence)
    work, _keys, gkeys = _durations(calls, by, include)
    grouped = work.groupby(gkeys, dropna=False)["duration_s"]
    out = pd.DataFrame(
        {
            "n": grouped.count(),
            "n_excluded": grouped.size() - grouped.count(),
            "mean_s": grouped.mean(),
            "median_s": grouped.median(),
            "p90_s": grouped.quantile(0.9).where(grouped.count() >= MIN_N_P90),
            "p95_s": grouped.quantile(0.95).where(grouped.count() >= MIN_N_P95),
            "max_s": grouped.max(),
        }
    ).join(_median_interval(work, gkeys, confidence))
    measures = ["mean_s", "median_s", "median_ci_low", "median_ci_high", "p90_s", "p95_s", "max_s"]
    out = out[["n", "n_excluded", *measures]].reset_index().drop(columns=OVERALL, errors="ignore")
    return out.astype({"n": COUNT, "n_excluded": COUNT, **dict.fromkeys(measures, MEASURE)})


def _histogram(
    work: pd.DataFrame, gkeys: list[str], bins: int | str | Sequence[float]
) -> pd.DataFrame:
    """Counts per group on bin edges shared by all groups (numpy's rules for ``bins``)."""
    values = work["duration_s"].to_numpy(dtype=float)
    try:
        edges = np.histogram_bin_edges(values, bins=bins)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"bins={bins!r} is not valid: pass a number of bins, increasing edges, "
            f"or a numpy rule such as 'auto' ({error})"
        ) from error
    inside = (values >= edges[0]) & (values <= edges[-1])
    index = np.minimum(np.searchsorted(edges, values, side="right") - 1, len(edges) - 2)
    binned = work.loc[inside, gkeys].assign(bin=index[inside])
    wide = binned.groupby([*gkeys, "bin"], dropna=False).size().unstack("bin", fill_value=0)
    full = wide.reindex(columns=range(len(edges) - 1), fill_value=0)
    long = stacked(full, "count").reset_index()
    left, right = edges[long["bin"]], edges[long["bin"] + 1]
    n = long.groupby(gkeys, dropna=False)["count"].transform("sum")
    density = long["count"] / (n * (right - left))
    return long.drop(columns="bin").assign(bin_left=left, bin_right=right, density=density)


def _ecdf(work: pd.DataFrame, gkeys: list[str]) -> pd.DataFrame:
    """One row per distinct value per group: how many calls have it and the share at or below."""
    sizes = work.groupby([*gkeys, "duration_s"], dropna=False).size().rename("count")
    counts = sizes.reset_index().rename(columns={"duration_s": "value"})
    grouped = counts.groupby(gkeys, dropna=False)["count"]
    return counts.assign(ecdf=grouped.cumsum() / grouped.transform("sum"))


@dask_aware
def duration_distribution(
    calls: pd.DataFrame,
    *,
    by: By = None,
    kind: str = "histogram",
    bins: int | str | Sequence[float] = "auto",
    include: str = "connected",
) -> pd.DataFrame:
    """Histogram or ECDF of call durations per group, as a tidy frame ready to plot.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``duration_s``, and ``connected`` unless ``include="all"``).
    by : str, list of str or None, default None
        Group columns; None gives one distribution.
    kind : {"histogram", "ecdf"}, default "histogram"
        What to return (see Returns).
    bins : int, sequence of float or str, default "auto"
        Histogram bins as :func:`numpy.histogram_bin_edges` takes them: a number of bins, the
        edges, or a rule (``"auto"``, ``"fd"``, ``"sturges"``...). The edges are computed once
        from all counted calls and shared by every group. Ignored for the ECDF.
    include : {"connected", "all"}, default "connected"
        Which calls count, as in :func:`duration_summary`.

    Returns
    -------
    DataFrame
        ``kind="histogram"``: the group columns, then ``bin_left``, ``bin_right``, ``count``
        and ``density`` (``count / (n * width)``, so the bars of a group have area 1), every
        bin for every group. Bins are half-open ``[left, right)``, the last one closed; values
        outside explicit edges are left out, as :func:`numpy.histogram` does.
        ``kind="ecdf"``: the group columns, then ``value`` (each distinct duration),
        ``count`` (calls with it) and ``ecdf`` (share of the group's calls at or below it),
        ready for a ``steps-post`` line. Groups with no counted call do not appear.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> hist = duration_distribution(run.calls, by="assignee", bins=10)
    >>> list(hist.columns)
    ['assignee', 'bin_left', 'bin_right', 'count', 'density']
    >>> ecdf = duration_distribution(run.calls, kind="ecdf")
    >>> list(ecdf.columns), float(ecdf["ecdf"].iloc[-1])
    (['value', 'count', 'ecdf'], 1.0)
    """
    if kind not in _KINDS:
        raise ValueError(f"kind={kind!r} is not one of {_KINDS}")
    work, keys, gkeys = _durations(calls, by, include)
    work = work.dropna(subset=["duration_s"])
    if kind == "ecdf":
        out, types = _ecdf(work, gkeys), _ECDF_TYPES
    else:
        out, types = (_histogram(work, gkeys, bins) if len(work) else work), _HIST_TYPES
    return conform(out.drop(columns=OVERALL, errors="ignore"), types)[[*keys, *types]]
