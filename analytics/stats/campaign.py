"""Campaign questions: the funnel and cost per outcome, outcome trends, call timing, end reasons.

What a campaign owner asks after a run: what does a lead cost (:func:`funnel`), is the rate
getting better (:func:`outcome_trend`), when should we call (:func:`call_timing`) and why do
calls end (:func:`end_reasons`). Every rate has its denominator beside it and a Wilson score
interval; cost per outcome has a seeded percentile bootstrap over the group's calls. The
definitions, denominators and methods are written out for users in ``docs/campaign.md``.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype
from pandas.tseries.offsets import BaseOffset
from scipy import stats

from analytics._shared import (
    MISSING_LABEL,
    OVERALL,
    By,
    check_confidence,
    check_freq,
    dask_aware,
    group_columns,
    require_columns,
    with_overall,
    with_rates,
)
from analytics.schema import (
    COUNT,
    FLAG,
    MEASURE,
    OUTCOMES,
    TEXT,
    TIMESTAMP,
    DtypeName,
    canonical_end_reasons,
    canonical_outcomes,
)

__all__ = ["call_timing", "end_reasons", "funnel", "outcome_trend"]

logger = logging.getLogger(__name__)

FUNNEL_STEPS = ("dials", "connected", "conversations", "evaluated", "outcomes")
"""The funnel's cumulative steps, each a subset of the one before."""

_FUNNEL_RATES = (
    ("connected", "connected", "dials"),
    ("conversation", "conversations", "connected"),
    ("evaluated", "evaluated", "conversations"),
    ("outcome", "outcomes", "evaluated"),
    ("per_dial", "outcomes", "dials"),
)
"""Each rate of the funnel: its name, the count it divides and its denominator."""

_FUNNEL_INPUT = ("connected", "has_conversation", "evaluated", "outcome", "cost")

BOOTSTRAP_CELLS = 2**22
"""Resampled values per bootstrap batch (about 4 million): the ``batch`` of
:func:`scipy.stats.bootstrap` is this over the group's calls, so that a batch holds about
70 MB (indices, costs and outcome flags) whatever the group's size, 1M calls included."""

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Weekday names of :func:`call_timing`, 0 = Monday as in :attr:`pandas.Series.dt.day_of_week`."""

_TIMING_COUNTS = ["n_calls", "n", "connected", "n_outcome", "outcomes"]

END_REASON_FIELDS = ("end_reason", "call_status")
"""The fields :func:`end_reasons` counts, in output order."""

_TREND_SCHEMA: dict[str, DtypeName] = {
    "period": TIMESTAMP,
    "n": COUNT,
    "count": COUNT,
    "rate": MEASURE,
    "ci_low": MEASURE,
    "ci_high": MEASURE,
}


# --- shared checks and pieces ---------------------------------------------------------------


def _check_outcome(outcome: str) -> str:
    """Return ``outcome`` if it is a canonical outcome, else raise naming the vocabulary."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome={outcome!r} is not one of {list(OUTCOMES)}")
    return outcome


def _labels(calls: pd.DataFrame) -> pd.Series:
    """The calls' canonical outcome labels (NA where the call has none)."""
    return canonical_outcomes(calls["outcome"].astype(TEXT))


def _is_true(column: pd.Series) -> np.ndarray:
    """A flag column as plain booleans, unknown (NA) counted as not true."""
    return column.astype(FLAG).fillna(False).to_numpy(dtype=bool)


def _rates(count: pd.Series, n: pd.Series, name: str, confidence: float) -> pd.DataFrame:
    """``{name}_rate``, ``{name}_ci_low``, ``{name}_ci_high``: ``count / n`` with Wilson bounds."""
    counts = pd.DataFrame({"count": count.to_numpy(dtype=np.int64), "n": n.to_numpy(np.int64)})
    rated = with_rates(counts, confidence=confidence).set_index(count.index)
    return rated[["rate", "ci_low", "ci_high"]].add_prefix(f"{name}_")


def _grid(groups: pd.Index, inner: pd.DataFrame) -> pd.MultiIndex:
    """Every group (an Index or MultiIndex of keys) times every row of ``inner``."""
    return pd.MultiIndex.from_frame(groups.to_frame(index=False).merge(inner, how="cross"))


def _empty(calls: pd.DataFrame, keys: list[str], schema: dict[str, DtypeName]) -> pd.DataFrame:
    """No rows: the key columns of ``calls`` and the ``schema`` columns, at their dtypes."""
    columns = {c: pd.array([], dtype=t) for c, t in schema.items()}
    return calls[keys].iloc[:0].reset_index(drop=True).assign(**columns)


# --- funnel -----------------------------------------------------------------------------------


def _check_resampling(n_resamples: int, random_state: int | None) -> None:
    """Raise for a resample count below 2 or a seed that is not an int (None: unseeded)."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 2:
        raise ValueError(f"n_resamples={n_resamples!r} must be a whole number >= 2, e.g. 2000")
    if isinstance(random_state, bool) or not isinstance(random_state, int | None):
        raise TypeError(f"random_state={random_state!r} must be an int seed, or None (unseeded)")


def _funnel_flags(calls: pd.DataFrame, outcome: str) -> dict[str, np.ndarray | int]:
    """Per call: one flag per funnel step, whether its cost is known, and its cost (NA as 0)."""
    connected = _is_true(calls["connected"])
    conversations = connected & _is_true(calls["has_conversation"])
    evaluated = conversations & _is_true(calls["evaluated"])
    outcomes = evaluated & _labels(calls).eq(outcome).to_numpy(dtype=bool)
    cost = calls["cost"].astype(MEASURE)
    return {
        **dict(zip(FUNNEL_STEPS, (1, connected, conversations, evaluated, outcomes))),
        "n_costed": cost.notna().to_numpy(dtype=bool),
        "cost_total": cost.fillna(0).to_numpy(dtype=float),
    }


def _cost_per_outcome(cost: np.ndarray, hits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Bootstrap statistic: summed cost over outcomes; infinite for a resample with none."""
    outcomes = hits.sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(outcomes > 0, cost.sum(axis=axis) / outcomes, np.inf)


def _cost_interval(
    cost: np.ndarray, hits: np.ndarray, *, confidence: float, n_resamples: int, seed: int | None
) -> tuple[float, float]:
    """Percentile bootstrap bounds of cost per outcome, resampling (cost, hit) pairs of calls.

    A bound that is not finite (too many resamples without an outcome) is NaN.
    """
    batch = max(1, min(n_resamples, BOOTSTRAP_CELLS // len(cost)))
    with np.errstate(invalid="ignore"):  # its standard error of infinite resamples is NaN
        result = stats.bootstrap(
            (cost, hits),
            _cost_per_outcome,
            n_resamples=n_resamples,
            batch=batch,
            vectorized=True,
            paired=True,
            confidence_level=confidence,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    low, high = (float(b) for b in result.confidence_interval)
    return (low if np.isfinite(low) else np.nan, high if np.isfinite(high) else np.nan)


def _group_positions(work: pd.DataFrame, gkeys: list[str]) -> list[np.ndarray]:
    """The row positions of each group of ``work``, in the (sorted) order of its groupby."""
    if work.empty:
        return []
    codes = work.groupby(gkeys, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    return np.split(order, np.cumsum(np.bincount(codes))[:-1])


def _cost_bounds(
    work: pd.DataFrame,
    gkeys: list[str],
    counts: pd.DataFrame,
    *,
    confidence: float,
    n_resamples: int,
    seed: int | None,
) -> np.ndarray:
    """``(low, high)`` per group: bootstrapped where cost per outcome exists and n >= 2."""
    cost = work["cost_total"].to_numpy(dtype=float)
    hits = work["outcomes"].to_numpy(dtype=bool)
    ok = (counts["outcomes"] > 0) & (counts["n_costed"] > 0) & (counts["dials"] >= 2)
    bounds = [
        _cost_interval(cost[p], hits[p], confidence=confidence, n_resamples=n_resamples, seed=seed)
        if use
        else (np.nan, np.nan)
        for p, use in zip(_group_positions(work, gkeys), ok.to_numpy(dtype=bool))
    ]
    return np.array(bounds, dtype=float).reshape(-1, 2)


def _funnel_frame(
    counts: pd.DataFrame, keys: list[str], bounds: np.ndarray, confidence: float
) -> pd.DataFrame:
    """The output columns, in order, from the per-group sums and the cost bounds."""
    out = counts.reset_index().drop(columns=OVERALL, errors="ignore")
    out = out.astype({**dict.fromkeys([*FUNNEL_STEPS, "n_costed"], COUNT), "cost_total": MEASURE})
    rates = [_rates(out[c], out[n], name, confidence) for name, c, n in _FUNNEL_RATES]
    cost_total = out["cost_total"].where(out["n_costed"] > 0)
    per_outcome = cost_total / out["outcomes"].where(out["outcomes"] > 0)
    cost = pd.DataFrame(
        {"n_costed": out["n_costed"], "cost_total": cost_total, "cost_per_outcome": per_outcome}
    ).assign(cost_ci_low=bounds[:, 0], cost_ci_high=bounds[:, 1])
    cost = cost.astype(dict.fromkeys(["cost_per_outcome", "cost_ci_low", "cost_ci_high"], MEASURE))
    return pd.concat([out[[*keys, *FUNNEL_STEPS]], *rates, cost], axis=1)


@dask_aware
def funnel(
    calls: pd.DataFrame,
    *,
    by: By = None,
    outcome: str = "Interested",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Dials, connected calls, conversations, evaluated calls and outcomes, with cost per outcome.

    The steps are cumulative, so each is a subset of the one before: ``dials`` are all calls;
    ``connected`` those whose ``connected`` is true (unknown counts as not connected);
    ``conversations`` connected calls with ``has_conversation`` (an agent and a user turn);
    ``evaluated`` conversations whose ``evaluated`` is true; ``outcomes`` evaluated calls whose
    canonical outcome is ``outcome``. Each step's rate divides it by the step before, and
    ``per_dial_rate`` divides the outcomes by the dials; each has a Wilson score interval.

    ``cost_total`` sums the known costs of all dials (a call without a cost adds nothing and is
    not in ``n_costed``), and ``cost_per_outcome`` is ``cost_total / outcomes``. Its interval
    is a percentile bootstrap (:func:`scipy.stats.bootstrap`, ``paired``) over the group's
    calls: each resample draws the group's calls with replacement, keeping each call's cost
    (missing as 0) with its outcome flag, and recomputes summed cost over outcomes. A resample
    with no outcome has no finite cost per outcome and counts as infinite, so when more than
    ``(1 - confidence) / 2`` of the resamples have none (a group with about 3 outcomes or fewer
    at 95 %) the upper bound is infinite and reported as NA: the data cannot bound what an
    outcome costs. Each group is resampled from its own generator seeded with
    ``random_state``, so a group's interval does not depend on the other groups.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``connected``, ``has_conversation``, ``evaluated``, ``outcome``
        and ``cost``).
    by : str, list of str or None, default None
        Group columns (``"assignee"``, ``"run_id"``, ...); None gives one overall row.
    outcome : str, default "Interested"
        One of :data:`~analytics.schema.OUTCOMES`; raw labels are folded to them first.
    confidence : float, default 0.95
        Coverage of the Wilson intervals and of the bootstrap interval.
    n_resamples : int, default 2000
        Bootstrap resamples per group (at least 2). The work is ``n_resamples`` times the
        group's calls (about 0.1 s per resample of a million calls on a small two-core
        machine), so lower it for very large groups; memory stays bounded
        (:data:`BOOTSTRAP_CELLS`).
    random_state : int or None, default 0
        Seed of each group's resampling; the same seed gives the same bounds. None: unseeded.

    Returns
    -------
    DataFrame
        One row per group (sorted, a missing group value last): the group columns, then
        ``dials``, ``connected``, ``conversations``, ``evaluated``, ``outcomes`` (Int64), then
        ``connected_rate`` (of dials), ``conversation_rate`` (of connected),
        ``evaluated_rate`` (of conversations), ``outcome_rate`` (of evaluated) and
        ``per_dial_rate`` (outcomes of dials), each followed by its ``_ci_low`` and
        ``_ci_high``; then ``n_costed`` (calls with a known cost), ``cost_total`` (NA when
        ``n_costed`` is 0), ``cost_per_outcome`` (NA when there is no outcome or no cost),
        ``cost_ci_low`` and ``cost_ci_high`` (NA when ``cost_per_outcome`` is, for a group of
        fewer than 2 calls, and for a bound that is infinite). A rate is NA where its
        denominator is 0.

    Raises
    ------
    TypeError
        If ``calls`` is not a DataFrame, or ``random_state`` is neither an int nor None.
    ValueError
        If a needed column or a ``by`` column is missing, ``outcome`` is not canonical,
        ``confidence`` is not strictly between 0 and 1, or ``n_resamples`` is below 2.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> steps = funnel(run.calls, by="assignee")
    >>> list(steps.columns[:6])
    ['assignee', 'dials', 'connected', 'conversations', 'evaluated', 'outcomes']
    >>> int(steps["dials"].sum()) == len(run.calls)
    True
    >>> total = funnel(run.calls).iloc[0]
    >>> bool(total["dials"] >= total["connected"] >= total["conversations"] >= total["outcomes"])
    True
    >>> bool(total["cost_ci_low"] <= total["cost_per_outcome"] <= total["cost_ci_high"])
    True
    """
    keys = group_columns(require_columns(calls, _FUNNEL_INPUT), by)
    _check_outcome(outcome)
    check_confidence(confidence)
    _check_resampling(n_resamples, random_state)
    work, gkeys = with_overall(calls[keys].assign(**_funnel_flags(calls, outcome)), keys)
    counts = work.groupby(gkeys, dropna=False)[[*FUNNEL_STEPS, "n_costed", "cost_total"]].sum()
    logger.debug("funnel: bootstrapping cost per outcome for %d groups", len(counts))
    bounds = _cost_bounds(
        work, gkeys, counts, confidence=confidence, n_resamples=n_resamples, seed=random_state
    )
    return _funnel_frame(counts, keys, bounds, confidence)


# --- outcome_trend ----------------------------------------------------------------------------


def _check_on(calls: pd.DataFrame, on: str) -> pd.Series:
    """The timestamp column ``on`` of ``calls`` in UTC, or an error naming the timestamp ones."""
    if on not in calls.columns or not is_datetime64_any_dtype(calls[on]):
        times = [c for c in calls.columns if is_datetime64_any_dtype(calls[c])]
        raise ValueError(f"on={on!r} is not a timestamp column of calls; use one of {times}")
    return pd.to_datetime(calls[on], utc=True)


def _period_sums(work: pd.DataFrame, gkeys: list[str], offset: BaseOffset) -> pd.DataFrame:
    """``n`` and ``count`` per group and period: every group x every period of the frame."""
    grouper = pd.Grouper(key="period", freq=offset)
    timed = work[work["period"].notna()]
    sums = timed.groupby([*gkeys, grouper], dropna=False)[["n", "count"]].sum()
    stamps = sums.index.get_level_values("period")
    periods = pd.date_range(stamps.min(), stamps.max(), freq=offset, name="period")
    groups = work.groupby(gkeys, dropna=False).size().index
    return sums.reindex(_grid(groups, periods.to_frame(index=False)), fill_value=0)


@dask_aware
def outcome_trend(
    calls: pd.DataFrame,
    *,
    freq: str = "W",
    by: By = None,
    outcome: str = "Interested",
    on: str = "start_time",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rate of ``outcome`` per period and group, with Wilson intervals and the ``n`` behind it.

    The denominator ``n`` of a period is its calls with an outcome label (calls not evaluated
    yet, or never answered, have none); ``count`` those whose canonical outcome is
    ``outcome``. A period with few calls has a wide interval, and one with none has ``n = 0``
    and an NA rate, so that a gap never reads as a rate of 0.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``outcome`` and the ``on`` column).
    freq : str, default "W"
        A pandas frequency: ``"D"`` per day, ``"W"`` per week, ``"MS"`` per month... Periods
        are labelled as :meth:`pandas.DataFrame.resample` labels them (``"W"`` by the week's
        closing Sunday, ``"D"`` by the day's UTC midnight).
    by : str, list of str or None, default None
        Group columns (``"assignee"``, ``"run_id"``, ...); None gives one series.
    outcome : str, default "Interested"
        One of :data:`~analytics.schema.OUTCOMES`; raw labels are folded to them first.
    on : str, default "start_time"
        The timestamp column that places a call in a period (e.g. ``"end_time"``).
    confidence : float, default 0.95
        Coverage of the Wilson interval.

    Returns
    -------
    DataFrame
        The group columns, then ``period`` (UTC), ``n``, ``count``, ``rate``, ``ci_low``,
        ``ci_high``: every group of ``calls`` x every period from the first to the last timed
        call of the whole frame. Calls without an ``on`` time are in no period; with no timed
        call at all the frame is empty.

    Raises
    ------
    TypeError
        If ``calls`` is not a DataFrame.
    ValueError
        If ``outcome`` or a ``by`` column is missing, ``on`` is not a timestamp column,
        ``freq`` is not a pandas frequency, ``outcome`` is not canonical or ``confidence`` is
        not strictly between 0 and 1.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> trend = outcome_trend(run.calls, freq="D", by="assignee")
    >>> list(trend.columns)
    ['assignee', 'period', 'n', 'count', 'rate', 'ci_low', 'ci_high']
    >>> bool(trend.groupby("assignee").size().nunique() == 1)
    True
    >>> bool((trend["count"] <= trend["n"]).all())
    True
    """
    keys = group_columns(require_columns(calls, ["outcome"]), by)
    offset = check_freq(freq)
    when = _check_on(calls, on)
    _check_outcome(outcome)
    check_confidence(confidence)
    labels = _labels(calls)
    flags = {
        "period": when.array,
        "n": labels.notna().to_numpy(dtype=bool),
        "count": labels.eq(outcome).to_numpy(dtype=bool),
    }
    work, gkeys = with_overall(calls[keys].assign(**flags), keys)
    if work["period"].isna().all():
        return _empty(calls, keys, _TREND_SCHEMA)
    out = with_rates(_period_sums(work, gkeys, offset).reset_index(), confidence=confidence)
    return out.astype({"period": TIMESTAMP})[[*keys, *_TREND_SCHEMA]]


# --- call_timing ------------------------------------------------------------------------------


def _check_tz(tz: str) -> ZoneInfo:
    """``tz`` as a zone, or a one-line error asking for an IANA name."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(
            f"tz={tz!r} is not a time zone; use an IANA name such as 'Asia/Kolkata'"
        ) from error


def _timing_flags(calls: pd.DataFrame, zone: ZoneInfo, outcome: str) -> dict[str, np.ndarray | int]:
    """Per call: its local weekday and hour (NaN without a start time) and what it counts in."""
    local = pd.to_datetime(calls["start_time"], utc=True).dt.tz_convert(zone)
    connected = calls["connected"].astype(FLAG)
    labels = _labels(calls)
    return {
        "weekday": local.dt.day_of_week.to_numpy(),
        "hour": local.dt.hour.to_numpy(),
        "n_calls": 1,
        "n": connected.notna().to_numpy(dtype=bool),
        "connected": _is_true(connected),
        "n_outcome": labels.notna().to_numpy(dtype=bool),
        "outcomes": labels.eq(outcome).to_numpy(dtype=bool),
    }


def _cells() -> pd.DataFrame:
    """The 7 x 24 cells of a week: ``weekday`` (0 = Monday) and ``hour``."""
    return pd.DataFrame({"weekday": np.repeat(np.arange(7), 24), "hour": np.tile(np.arange(24), 7)})


def _cell_sums(work: pd.DataFrame, gkeys: list[str]) -> pd.DataFrame:
    """The counts of every group x weekday x hour, empty cells as 0 (no :data:`OVERALL`)."""
    timed = work[work["weekday"].notna()].astype({"weekday": np.int64, "hour": np.int64})
    sums = timed.groupby([*gkeys, "weekday", "hour"], dropna=False)[_TIMING_COUNTS].sum()
    groups = work.groupby(gkeys, dropna=False).size().index
    full = sums.reindex(_grid(groups, _cells()), fill_value=0).reset_index()
    return full.drop(columns=OVERALL, errors="ignore").astype(dict.fromkeys(_TIMING_COUNTS, COUNT))


@dask_aware
def call_timing(
    calls: pd.DataFrame,
    *,
    tz: str = "UTC",
    by: By = None,
    outcome: str = "Interested",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Connection and outcome rates by local hour of day x weekday, with Wilson intervals.

    A call falls in the cell of its ``start_time`` in the zone ``tz``. ``connection_rate``
    divides the cell's connected calls by ``n``, its calls whose ``connected`` is known (true or
    false); ``outcome_rate`` divides the calls whose canonical outcome is ``outcome`` by
    ``n_outcome``, its calls with an outcome label. Cells with few calls have wide intervals;
    look at ``n`` before at the rate.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``start_time``, ``connected`` and ``outcome``).
    tz : str, default "UTC"
        IANA time zone of the hours and weekdays, e.g. ``"Asia/Kolkata"``.
    by : str, list of str or None, default None
        Group columns; None gives one overall grid.
    outcome : str, default "Interested"
        One of :data:`~analytics.schema.OUTCOMES`; raw labels are folded to them first.
    confidence : float, default 0.95
        Coverage of the Wilson intervals.

    Returns
    -------
    DataFrame
        One row per group x weekday x hour, all 168 cells of every group of ``calls``: the
        group columns, ``weekday`` (0 = Monday), ``day`` ("Mon".."Sun"), ``hour`` (0-23),
        ``n_calls`` (calls with a start time in the cell), ``n``, ``connected``,
        ``connection_rate``, ``connection_ci_low``, ``connection_ci_high``, ``n_outcome``,
        ``outcomes``, ``outcome_rate``, ``outcome_ci_low``, ``outcome_ci_high``. Rates are NA
        where their denominator is 0. Calls without a start time are in no cell.

    Raises
    ------
    TypeError
        If ``calls`` is not a DataFrame.
    ValueError
        If a needed column or a ``by`` column is missing, ``tz`` is not a time zone,
        ``outcome`` is not canonical or ``confidence`` is not strictly between 0 and 1.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> timing = call_timing(run.calls, tz="Asia/Kolkata", by="assignee")
    >>> len(timing) == 168 * run.calls["assignee"].nunique(dropna=False)
    True
    >>> int(timing["n_calls"].sum()) == int(run.calls["start_time"].notna().sum())
    True
    >>> timing[["weekday", "day", "hour"]].iloc[[0, -1]].to_numpy().tolist()
    [[0, 'Mon', 0], [6, 'Sun', 23]]
    """
    keys = group_columns(require_columns(calls, ["start_time", "connected", "outcome"]), by)
    zone = _check_tz(tz)
    _check_outcome(outcome)
    check_confidence(confidence)
    work, gkeys = with_overall(calls[keys].assign(**_timing_flags(calls, zone, outcome)), keys)
    full = _cell_sums(work, gkeys)
    day = pd.Series(np.asarray(DAYS)[full["weekday"].to_numpy(dtype=int)], dtype=TEXT)
    cell = full[[*keys, "weekday"]].assign(day=day, hour=full["hour"])
    connection = _rates(full["connected"], full["n"], "connection", confidence)
    outcomes = _rates(full["outcomes"], full["n_outcome"], "outcome", confidence)
    columns = [cell, full[["n_calls", "n", "connected"]], connection]
    out = pd.concat([*columns, full[["n_outcome", "outcomes"]], outcomes], axis=1)
    return out.astype({"weekday": COUNT, "hour": COUNT})


# --- end_reasons ------------------------------------------------------------------------------


def _reason_counts(calls: pd.DataFrame, keys: list[str], field: str) -> pd.DataFrame:
    """Counts of one field's values per group, with the raw spellings under each value."""
    raw = calls[field].astype(TEXT)
    raw = raw.where(raw.str.strip() != "")  # blank text is no value, not a spelling
    value = canonical_end_reasons(raw) if field == "end_reason" else raw
    labelled = {"value": value.fillna(MISSING_LABEL).to_numpy(), "raw": raw.to_numpy()}
    work, gkeys = with_overall(calls[keys].assign(**labelled), keys)
    cells = [*gkeys, "value"]
    counts = work.groupby(cells, dropna=False).size().rename("count").to_frame()
    spelled = work.dropna(subset=["raw"]).drop_duplicates([*cells, "raw"]).sort_values("raw")
    spellings = spelled.groupby(cells, dropna=False)["raw"].agg("; ".join)
    out = counts.assign(raw_values=spellings.reindex(counts.index)).reset_index()
    out["n"] = out.groupby(gkeys, dropna=False)["count"].transform("sum")
    return out.assign(field=field, order=END_REASON_FIELDS.index(field))


@dask_aware
def end_reasons(
    calls: pd.DataFrame,
    *,
    by: By = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Shares of the calls' end reasons and call statuses per group, with Wilson intervals.

    ``end_reason`` values are mapped onto the canonical vocabulary
    :data:`~analytics.schema.END_REASONS` (``customer_hangup``, ``agent_hangup``,
    ``voicemail``, ``no_answer``, ``busy``, ``failed``, ``transferred``, ``silence_timeout``,
    ``max_duration``, ``error``, ``other``) by
    :func:`~analytics.schema.canonical_end_reasons`, so that Unpod's ``user_hangup``,
    Retell's ``dial_no_answer`` and Vapi's ``customer-ended-call`` land in one vocabulary;
    ``raw_values`` keeps the spellings counted under each value. ``call_status`` is counted as
    the platform gave it. The denominator ``n`` is every call of the group, a missing value
    counted as ``"(missing)"``, so each group's shares of a field sum to 1.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``end_reason`` and ``call_status``).
    by : str, list of str or None, default None
        Group columns; None gives one overall group.
    confidence : float, default 0.95
        Coverage of the Wilson interval.

    Returns
    -------
    DataFrame
        Long: the group columns, ``field`` (``"end_reason"`` or ``"call_status"``),
        ``value``, ``raw_values`` (the distinct raw spellings, sorted, ``"; "``-joined; NA for
        ``"(missing)"`` with no raw text), ``count``, ``n``, ``share``, ``ci_low``,
        ``ci_high``. Only values seen in a group have a row. Sorted by the group columns (a
        missing group last), ``field`` (``end_reason`` first), count descending, then value.

    Raises
    ------
    TypeError
        If ``calls`` is not a DataFrame.
    ValueError
        If ``end_reason``, ``call_status`` or a ``by`` column is missing, or ``confidence`` is
        not strictly between 0 and 1.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> reasons = end_reasons(run.calls)
    >>> list(reasons.columns)
    ['field', 'value', 'raw_values', 'count', 'n', 'share', 'ci_low', 'ci_high']
    >>> reasons.groupby("field")["share"].sum().round(6).tolist()
    [1.0, 1.0]
    >>> from analytics.schema import END_REASONS
    >>> values = reasons.loc[reasons["field"] == "end_reason", "value"]
    >>> bool(values.isin([*END_REASONS, "(missing)"]).all())
    True
    """
    keys = group_columns(require_columns(calls, END_REASON_FIELDS), by)
    check_confidence(confidence)
    long = pd.concat([_reason_counts(calls, keys, field) for field in END_REASON_FIELDS])
    long = long.sort_values(
        [*keys, "order", "count", "value"],
        ascending=[*[True] * len(keys), True, False, True],
        na_position="last",
    )
    out = with_rates(long.reset_index(drop=True), confidence=confidence).rename(
        columns={"rate": "share"}
    )
    out = out.astype({"field": TEXT, "value": TEXT, "raw_values": TEXT})
    return out[[*keys, "field", "value", "raw_values", "count", "n", "share", "ci_low", "ci_high"]]
