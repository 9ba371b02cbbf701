"""Outcome and connection rates per group, with Wilson intervals and a test of independence.

Every rate here comes with a Wilson score interval, which stays inside [0, 1] and keeps its
coverage for small groups and rates near 0 or 1, where the textbook ``p +- z*se`` interval
fails. Whether groups really differ is a chi-square test of independence on the group x
outcome table (:func:`compare_groups`), flagged when its expected counts are too small to trust.

Business outcomes use the canonical vocabulary :data:`analytics.schema.OUTCOMES` (drifted labels
such as ``"call back"`` or ``"InterestedIn"`` are folded by
:func:`analytics.schema.canonical_outcomes`, unknown ones counted as ``"Other"``); the raw
label stays in ``calls.outcome_raw``. Other columns (``call_status``, task ``status``) are
counted as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pandas.tseries.frequencies import to_offset
from scipy import stats

from analytics.load import Run
from analytics.schema import (
    COUNT,
    FLAG,
    MEASURE,
    OUTCOMES,
    TEXT,
    TIMESTAMP,
    canonical_outcomes,
    conform,
)

__all__ = [
    "MISSING_LABEL",
    "outcome_rates",
    "compare_groups",
    "connection_rates",
    "call_volume",
    "wilson_interval",
]

MISSING_LABEL = "(missing)"
"""The label missing outcomes are counted under when ``include_missing=True``."""

OVERALL = "__overall__"
"""Name of the constant group column used internally when ``by=None``."""

_COMPARE_SCHEMA = {
    "test": TEXT,
    "statistic": MEASURE,
    "p_value": MEASURE,
    "dof": COUNT,
    "n": COUNT,
    "n_groups": COUNT,
    "n_outcomes": COUNT,
    "min_expected": MEASURE,
    "reliable": FLAG,
    "fisher_p_value": MEASURE,
    "cramers_v": MEASURE,
    "note": TEXT,
}


def as_keys(by: str | Sequence[str] | None) -> list[str]:
    """``by`` (a column name, a list of names or None) as a list of names.

    >>> as_keys(None), as_keys("assignee"), as_keys(("assignee", "call_type"))
    ([], ['assignee'], ['assignee', 'call_type'])
    """
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def group_columns(
    frame: pd.DataFrame, by: str | Sequence[str] | None, *, table: str = "calls"
) -> list[str]:
    """Check ``by`` (a column name, a list of names or None) and return it as a list.

    Examples
    --------
    >>> calls = pd.DataFrame({"assignee": [], "call_type": []})
    >>> group_columns(calls, "assignee"), group_columns(calls, ["assignee", "call_type"])
    (['assignee'], ['assignee', 'call_type'])
    """
    keys = as_keys(by)
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise ValueError(
            f"by={by!r}: {missing} not a column of {table}; use None or some of "
            f"{list(frame.columns)}"
        )
    return keys


def with_overall(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Return ``frame`` and ``keys``, or a constant :data:`OVERALL` column when there are none."""
    return (frame, keys) if keys else (frame.assign(**{OVERALL: 0}), [OVERALL])


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` if it is strictly between 0 and 1, else raise ``ValueError``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must lie strictly between 0 and 1, e.g. 0.95")
    return confidence


def wilson_interval(
    count: ArrayLike, n: ArrayLike, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``count`` successes out of ``n`` (vectorised).

    Parameters
    ----------
    count, n : array-like of int
        Successes and trials, broadcast against each other; ``0 <= count <= n``.
    confidence : float, default 0.95
        Two-sided coverage; ``z`` is ``scipy.stats.norm.ppf(0.5 + confidence / 2)``.

    Returns
    -------
    low, high : numpy.ndarray
        Bounds in [0, 1]; exactly 0 when ``count == 0`` and 1 when ``count == n``; NaN when
        ``n == 0``.

    Examples
    --------
    >>> low, high = wilson_interval([2, 0], [8, 4])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0715, 0.0], [0.5907, 0.4899])
    """
    k = np.asarray(count, dtype=float)
    m = np.asarray(n, dtype=float)
    if np.any((k < 0) | (k > m)):
        raise ValueError(f"count={count!r} must lie between 0 and n={n!r}")
    z = stats.norm.ppf(0.5 + check_confidence(confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
    low = np.where(k == 0, 0.0, centre - half)
    high = np.where(k == m, 1.0, centre + half)
    return np.where(m > 0, low, np.nan), np.where(m > 0, high, np.nan)


def _table(data: pd.DataFrame | Run, outcome: str) -> pd.DataFrame:
    """The frame to count: ``data`` itself, or the Run's tasks (``status``) or calls."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Run):
        return data.tasks if outcome == "status" else data.calls
    raise TypeError(f"expected a DataFrame or a Run, got {type(data).__name__!r}; pass run.calls")


def _labels(frame: pd.DataFrame, outcome: str, include_missing: bool) -> pd.Series:
    """The outcome labels to count (canonical for ``outcome``); NA = not counted."""
    if outcome not in frame.columns:
        raise ValueError(
            f"outcome={outcome!r} is not a column; use 'outcome', 'call_status', 'status' "
            f"(tasks, or a Run) or one of {list(frame.columns)}"
        )
    labels = frame[outcome].astype(TEXT)
    if outcome == "outcome":
        labels = canonical_outcomes(labels)
    return labels.fillna(MISSING_LABEL) if include_missing else labels


def _vocabulary(labels: pd.Series, outcome: str, include_missing: bool) -> list[str]:
    """Outcomes in display order: :data:`OUTCOMES` for ``outcome``, else by count desc."""
    if outcome == "outcome":
        vocab = list(OUTCOMES)
    else:
        counts = labels[labels != MISSING_LABEL].value_counts().sort_index()
        vocab = counts.sort_values(ascending=False, kind="stable").index.tolist()
    return [*vocab, MISSING_LABEL] if include_missing else vocab


def _crosstab(
    frame: pd.DataFrame,
    by: str | Sequence[str] | None,
    outcome: str,
    include_missing: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """Counts as a wide frame: one row per observed group, one column per vocabulary outcome."""
    keys = group_columns(frame, by)
    if {outcome, "outcome"} & set(keys):
        raise ValueError(f"by={by!r} must not hold the outcome column {outcome!r} nor 'outcome'")
    labels = _labels(frame, outcome, include_missing)
    vocab = pd.Index(_vocabulary(labels, outcome, include_missing), dtype=TEXT, name="outcome")
    counted = frame.loc[labels.notna(), keys].assign(outcome=labels.dropna())
    work, gkeys = with_overall(counted, keys)
    wide = work.groupby([*gkeys, "outcome"], dropna=False).size().unstack("outcome", fill_value=0)
    return wide.reindex(columns=vocab, fill_value=0), keys


def _rates(counts: pd.DataFrame, keys: list[str], confidence: float) -> pd.DataFrame:
    """Add ``rate`` = ``count / n`` and its Wilson interval to a frame with ``count`` and ``n``."""
    low, high = wilson_interval(counts["count"], counts["n"], confidence=confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = counts["count"].to_numpy(dtype=float) / counts["n"].to_numpy(dtype=float)
    out = counts.drop(columns=OVERALL, errors="ignore").assign(rate=rate, ci_low=low, ci_high=high)
    measures = dict.fromkeys(["rate", "ci_low", "ci_high"], MEASURE)
    return out.astype({"n": COUNT, "count": COUNT, **measures})


def outcome_rates(
    data: pd.DataFrame | Run,
    *,
    by: str | Sequence[str] | None = "assignee",
    outcome: str = "outcome",
    confidence: float = 0.95,
    include_missing: bool = False,
) -> pd.DataFrame:
    """Share of each outcome per group, with Wilson score intervals.

    Parameters
    ----------
    data : DataFrame or Run
        A calls frame (or tasks frame for ``outcome="status"``), or a
        :class:`~analytics.load.Run`: its ``tasks`` for ``outcome="status"``, else its ``calls``.
    by : str, list of str or None, default "assignee"
        Group columns; None gives one overall group.
    outcome : str, default "outcome"
        Column to count: the business ``outcome`` (folded to
        :data:`~analytics.schema.OUTCOMES`, unknown labels -> ``"Other"``), ``call_status``,
        the task ``status``, or any other column (counted as is).
    confidence : float, default 0.95
        Coverage of the Wilson interval.
    include_missing : bool, default False
        Rows with a missing outcome (not evaluated yet, no post-call data) are left out of
        ``n``; when True they are counted under :data:`MISSING_LABEL` ``"(missing)"``.

    Returns
    -------
    DataFrame
        The group columns, then ``outcome``, ``n`` (counted rows of the group), ``count``,
        ``rate``, ``ci_low``, ``ci_high``. One row for every group x outcome of the vocabulary
        (zero counts included, so each group's rates sum to 1): business outcomes in
        ``OUTCOMES`` order, other columns by overall count, most frequent first, and
        ``"(missing)"`` last. Groups are in sorted order, a missing group value last; groups
        with no counted row do not appear.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> rates = outcome_rates(run.calls, by="assignee")
    >>> list(rates.columns)
    ['assignee', 'outcome', 'n', 'count', 'rate', 'ci_low', 'ci_high']
    >>> rates.groupby("assignee")["rate"].sum().round(6).unique().tolist()
    [1.0]
    >>> outcome_rates(run, by=None, outcome="status")["outcome"].iloc[0]
    'completed'
    """
    frame = _table(data, outcome)
    check_confidence(confidence)
    wide, keys = _crosstab(frame, by, outcome, include_missing)
    long = wide.stack().rename("count").reset_index()
    gkeys = [c for c in long.columns if c not in ("outcome", "count")]
    long["n"] = long.groupby(gkeys, dropna=False)["count"].transform("sum")
    columns = [*keys, "outcome", "n", "count", "rate", "ci_low", "ci_high"]
    return _rates(long, keys, confidence)[columns]


def _independence_test(observed: np.ndarray) -> dict[str, object]:
    """Pearson chi-square on a table without empty rows or columns, as one result row."""
    r, c = observed.shape
    row = {"test": "chi-square", "n": int(observed.sum()), "n_groups": r, "n_outcomes": c}
    if r < 2 or c < 2:
        return {**row, "note": f"need 2 or more groups and outcomes with calls; got {r} x {c}"}
    result = stats.chi2_contingency(observed, correction=False)
    expected = result.expected_freq
    reliable = bool(expected.min() >= 1 and (expected < 5).mean() <= 0.2)
    small_2x2 = (r, c) == (2, 2) and not reliable
    advice = "read fisher_p_value" if small_2x2 else "merge rare groups or outcomes"
    note = None if reliable else f"expected counts too small: {advice}"
    return {
        **row,
        "statistic": result.statistic,
        "p_value": result.pvalue,
        "dof": int(result.dof),
        "min_expected": expected.min(),
        "reliable": reliable,
        "fisher_p_value": stats.fisher_exact(observed).pvalue if small_2x2 else None,
        "cramers_v": np.sqrt(result.statistic / (observed.sum() * (min(r, c) - 1))),
        "note": note,
    }


def compare_groups(
    data: pd.DataFrame | Run,
    *,
    by: str | Sequence[str] | None = "assignee",
    outcome: str = "outcome",
    include_missing: bool = False,
) -> pd.DataFrame:
    """Test whether the outcome mix differs between groups (chi-square test of independence).

    The groups x outcomes table of counts (as in :func:`outcome_rates`, groups and outcomes
    with no calls dropped) gets Pearson's chi-square test without continuity correction.
    It is trusted (``reliable``) under Cochran's rule: every expected count at least 1 and
    at most 20 % of them below 5. For an untrusted 2 x 2 table Fisher's exact test is given
    in ``fisher_p_value``; for larger ones, merge rare groups or outcomes.

    Parameters
    ----------
    data, by, outcome, include_missing
        As in :func:`outcome_rates`.

    Returns
    -------
    DataFrame
        One row: ``test`` ("chi-square"), ``statistic``, ``p_value``, ``dof``, ``n`` (calls in
        the table), ``n_groups``, ``n_outcomes``, ``min_expected``, ``reliable``,
        ``fisher_p_value`` (2 x 2 and not reliable only), ``cramers_v`` (effect size,
        0 = independent, 1 = the group decides the outcome) and ``note``. With fewer than two
        groups or outcomes the statistics are NA and ``note`` says why.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> run = load_run(make_run(200, random_state=0))
    >>> calls = run.calls.assign(interested=run.calls["outcome"].eq("Interested").astype("string"))
    >>> result = compare_groups(calls, by="assignee", outcome="interested")
    >>> result[["test", "dof", "n_groups", "n_outcomes"]]
             test  dof  n_groups  n_outcomes
    0  chi-square    3         4           2
    >>> bool(0 <= result["p_value"].iloc[0] <= 1)
    True
    >>> compare_groups(run.calls, by=None)["note"].iloc[0]
    'need 2 or more groups and outcomes with calls; got 1 x ...'
    """
    frame = _table(data, outcome)
    wide, _ = _crosstab(frame, by, outcome, include_missing)
    observed = wide.to_numpy(dtype=np.int64)
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    return conform(pd.DataFrame([_independence_test(observed)]), _COMPARE_SCHEMA)


def connection_rates(
    calls: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "assignee",
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
    _require(calls, "connected")
    flags = calls[keys].assign(connected=calls["connected"].astype(FLAG))
    work, gkeys = with_overall(flags, keys)
    grouped = work.groupby(gkeys, dropna=False)["connected"]
    counts = pd.DataFrame({"count": grouped.sum(), "n": grouped.count(), "size": grouped.size()})
    out = _rates(counts.reset_index(), keys, confidence)
    out = out.assign(n_unknown=(out["size"] - out["n"]).astype(COUNT)).rename(
        columns={"count": "connected"}
    )
    return out[[*keys, "n", "connected", "rate", "ci_low", "ci_high", "n_unknown"]]


def call_volume(
    calls: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "assignee",
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
    _require(calls, "start_time")
    try:
        offset = to_offset(freq)
    except ValueError as error:
        raise ValueError(
            f"freq={freq!r} is not a pandas frequency; use e.g. 'h', 'D' or 'W'"
        ) from error
    timed = calls.loc[calls["start_time"].notna(), [*keys, "start_time"]]
    if timed.empty:
        empty = {"period": pd.array([], dtype=TIMESTAMP), "n_calls": pd.array([], dtype=COUNT)}
        return calls[keys].iloc[:0].reset_index(drop=True).assign(**empty)
    work, gkeys = with_overall(timed, keys)
    grouper = pd.Grouper(key="start_time", freq=offset)
    wide = work.groupby([*gkeys, grouper], dropna=False).size().unstack("start_time", fill_value=0)
    periods = pd.date_range(wide.columns.min(), wide.columns.max(), freq=offset, name="period")
    long = wide.reindex(columns=periods, fill_value=0).stack().rename("n_calls").reset_index()
    return long.drop(columns=OVERALL, errors="ignore").astype({"n_calls": COUNT})


def _require(frame: pd.DataFrame, column: str) -> None:
    """Raise ``ValueError`` naming ``column`` when ``frame`` lacks it."""
    if column not in frame.columns:
        raise ValueError(
            f"column {column!r} is missing; pass run.calls (columns given: {list(frame.columns)})"
        )
