"""Activity of a run: how many calls connected, and how many were made per period.

:func:`connection_rates` gives the share of calls someone answered and spoke in, with Wilson
intervals; :func:`call_volume` counts calls per hour, day or week and group.
"""

from __future__ import annotations

import pandas as pd

from analytics._shared import (
    OVERALL,
    By,
    check_confidence,
    check_freq,
    dask_aware,
    group_columns,
    require_columns,
    stacked,
    with_overall,
    with_rates,
)
from analytics.schema import COUNT, FLAG, TIMESTAMP

__all__ = ["call_volume", "connection_rates"]


@dask_aware
def connection_rates(
    calls: pd.DataFrame,
    *,
    by: By = "assignee",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of calls that connected, per group, with Wilson score intervals.

    A call connected when its ``call_status`` means someone answered
    (:data:`~analytics.schema.ANSWERED_CALL_STATUSES`) and its transcript has a user turn:
    the loader's ``calls.connected``. Calls where that is unknown (NA: answered but no
    transcript yet) are left out of ``n`` and counted in ``n_unknown``.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls``, or any frame with a boolean ``connected`` column.
    by : str, list of str or None, default "assignee"
        Group columns; None gives one overall row.
    confidence : float, default 0.95
        Coverage of the Wilson interval.

    Returns
    -------
    DataFrame
        The group columns, then ``n``, ``connected``, ``rate``, ``ci_low``, ``ci_high``,
        ``n_unknown``; one row per group, sorted, a missing group value last. ``rate`` is NA
        for a group whose calls are all unknown.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> list(connection_rates(run.calls, by=None).columns)
    ['n', 'connected', 'rate', 'ci_low', 'ci_high', 'n_unknown']
    """
    keys = group_columns(calls, by)
    check_confidence(confidence)
    require_columns(calls, ["connected"])
    flags = calls[keys].assign(connected=calls["connected"].astype(FLAG))
    work, gkeys = with_overall(flags, keys)
    grouped = work.groupby(gkeys, dropna=False)["connected"]
    counts = pd.DataFrame({"count": grouped.sum(), "n": grouped.count(), "size": grouped.size()})
    out = with_rates(counts.reset_index(), confidence=confidence)
    out = out.assign(n_unknown=(out["size"] - out["n"]).astype(COUNT)).rename(
        columns={"count": "connected"}
    )
    return out[[*keys, "n", "connected", "rate", "ci_low", "ci_high", "n_unknown"]]


@dask_aware
def call_volume(
    calls: pd.DataFrame,
    *,
    by: By = "assignee",
    freq: str = "D",
) -> pd.DataFrame:
    """Number of calls per period and group, from ``start_time``.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``start_time``).
    by : str, list of str or None, default "assignee"
        Group columns; None gives one series.
    freq : str, default "D"
        A pandas frequency: ``"h"`` per hour, ``"D"`` per day, ``"W"`` per week... Periods are
        labelled as :meth:`pandas.DataFrame.resample` labels them (``"D"`` by the day's UTC
        midnight, ``"W"`` by the week's closing Sunday).

    Returns
    -------
    DataFrame
        The group columns, then ``period`` (UTC) and ``n_calls``: every group x every period
        from the first to the last call of the frame, zeros included. Calls without a
        ``start_time`` (NaT) are counted in no period.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> volume = call_volume(run.calls, by="assignee", freq="D")
    >>> int(volume["n_calls"].sum()) == int(run.calls["start_time"].notna().sum())
    True
    """
    keys = group_columns(calls, by)
    require_columns(calls, ["start_time"])
    offset = check_freq(freq)
    timed = calls.loc[calls["start_time"].notna(), [*keys, "start_time"]]
    if timed.empty:
        empty = {"period": pd.array([], dtype=TIMESTAMP), "n_calls": pd.array([], dtype=COUNT)}
        return calls[keys].iloc[:0].reset_index(drop=True).assign(**empty)
    work, gkeys = with_overall(timed, keys)
    grouper = pd.Grouper(key="start_time", freq=offset)
    wide = work.groupby([*gkeys, grouper], dropna=False).size().unstack("start_time", fill_value=0)
    periods = pd.date_range(wide.columns.min(), wide.columns.max(), freq=offset, name="period")
    long = stacked(wide.reindex(columns=periods, fill_value=0), "n_calls").reset_index()
    return long.drop(columns=OVERALL, errors="ignore").astype({"n_calls": COUNT})
