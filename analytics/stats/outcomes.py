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

import numpy as np
import pandas as pd
from scipy import stats

from analytics._shared import (
    MISSING_LABEL,
    By,
    check_confidence,
    dask_aware,
    group_columns,
    require_columns,
    stacked,
    wilson_interval,
    with_overall,
    with_rates,
)
from analytics.load import Run
from analytics.schema import (
    COUNT,
    FLAG,
    MEASURE,
    OUTCOMES,
    TEXT,
    DtypeName,
    canonical_outcomes,
    conform,
)

__all__ = ["MISSING_LABEL", "compare_groups", "dial_rates", "outcome_rates", "wilson_interval"]

_COMPARE_SCHEMA: dict[str, DtypeName] = {
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
    by: By,
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


@dask_aware
def outcome_rates(
    data: pd.DataFrame | Run,
    *,
    by: By = "assignee",
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
    long = stacked(wide, "count").reset_index()
    gkeys = [c for c in long.columns if c not in ("outcome", "count")]
    long["n"] = long.groupby(gkeys, dropna=False)["count"].transform("sum")
    columns = [*keys, "outcome", "n", "count", "rate", "ci_low", "ci_high"]
    return with_rates(long, confidence=confidence)[columns]


@dask_aware
def dial_rates(
    calls: pd.DataFrame,
    *,
    by: By = "assignee",
    outcome: str = "Interested",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Share of all calls (dials) that ended in ``outcome``, per group, with Wilson intervals.

    :func:`outcome_rates` divides by the calls that have an outcome; a campaign owner paying
    per dial also wants the rate per call made. This counts it directly: every call of the
    group is in ``n``, and a call without an outcome (not answered, not evaluated yet) is simply
    not a success. Multiplying the outcome rate by the connection rate does not give it, since
    those two rates have different denominators.

    Parameters
    ----------
    calls : DataFrame
        ``run.calls`` (needs ``outcome``).
    by : str, list of str or None, default "assignee"
        Group columns; None gives one overall row.
    outcome : str, default "Interested"
        One of :data:`~analytics.schema.OUTCOMES`; raw labels are folded to them first.
    confidence : float, default 0.95
        Coverage of the Wilson interval.

    Returns
    -------
    DataFrame
        The group columns, then ``outcome``, ``n`` (calls), ``count`` (calls with ``outcome``),
        ``rate``, ``ci_low``, ``ci_high``; one row per group, sorted, a missing group last.

    Examples
    --------
    >>> calls = pd.DataFrame({"assignee": ["a", "a", "a", "a", "b"],
    ...                       "outcome": ["Interested", "call back", None, "Interested", None]})
    >>> dial_rates(calls).round(4)
      assignee     outcome  n  count  rate  ci_low  ci_high
    0        a  Interested  4      2   0.5   0.150    0.850
    1        b  Interested  1      0   0.0   0.000    0.7935
    """
    keys = group_columns(require_columns(calls, ["outcome"]), by)
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome={outcome!r} is not one of {list(OUTCOMES)}")
    check_confidence(confidence)
    hits = canonical_outcomes(calls["outcome"].astype(TEXT)).eq(outcome).to_numpy(dtype=bool)
    work, gkeys = with_overall(calls[keys].assign(count=hits), keys)
    grouped = work.groupby(gkeys, dropna=False)["count"]
    counts = pd.DataFrame({"n": grouped.size(), "count": grouped.sum()}).reset_index()
    out = with_rates(counts, confidence=confidence).assign(outcome=outcome)
    return out[[*keys, "outcome", "n", "count", "rate", "ci_low", "ci_high"]]


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


@dask_aware
def compare_groups(
    data: pd.DataFrame | Run,
    *,
    by: By = "assignee",
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
    >>> calls = run.calls.assign(interested=run.calls["outcome"].eq("Interested").astype("str"))
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
