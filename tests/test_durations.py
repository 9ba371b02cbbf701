"""Tests of analytics.stats.durations on hand-computed examples, properties, and a generated run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.datasets import SAMPLE_SEED, SAMPLE_SIZE, make_run
from analytics.load import load_run
from analytics.schema import CALLS_SCHEMA, conform
from analytics.stats import durations
from analytics.stats.durations import duration_distribution, duration_summary

SUMMARY_TYPES = {
    "n": "Int64",
    "n_excluded": "Int64",
    "mean_s": "Float64",
    "median_s": "Float64",
    "median_ci_low": "Float64",
    "median_ci_high": "Float64",
    "p90_s": "Float64",
    "p95_s": "Float64",
    "max_s": "Float64",
}


def make_calls(**columns) -> pd.DataFrame:
    return conform(pd.DataFrame(columns), CALLS_SCHEMA)


def connected_calls(durations, assignee="A") -> pd.DataFrame:
    return make_calls(
        assignee=[assignee] * len(durations),
        duration_s=durations,
        connected=[True] * len(durations),
    )


# --- duration_summary -----------------------------------------------------------------------


def test_summary_hand_computed():
    # Linear interpolation: the median sits halfway between 15 and 25. Four calls are too
    # few for a 95 % median interval (0.5 ** 3 > 0.05) and for p90 and p95 (10 and 20).
    expected = pd.DataFrame(
        {
            "n": [4],
            "n_excluded": [0],
            "mean_s": [20.0],
            "median_s": [20.0],
            "median_ci_low": [None],
            "median_ci_high": [None],
            "p90_s": [None],
            "p95_s": [None],
            "max_s": [35.0],
        }
    ).astype(SUMMARY_TYPES)
    summary = duration_summary(connected_calls([5.0, 15.0, 25.0, 35.0]))
    pd.testing.assert_frame_equal(summary, expected)


def test_percentiles_need_enough_calls():
    # 9 calls 10..90: too few for a 90th percentile (MIN_N_P90 = 10); the rest stays.
    nine = duration_summary(connected_calls([10.0 * k for k in range(9, 0, -1)])).iloc[0]
    assert pd.isna(nine["p90_s"])
    assert pd.isna(nine["p95_s"])
    assert (nine["mean_s"], nine["median_s"], nine["max_s"]) == (50.0, 50.0, 90.0)
    # 10 calls 10..100: p90 at position 0.9 * 9 = 8.1 is 90 + 0.1 * 10 = 91; p95 needs 20.
    ten = duration_summary(connected_calls([10.0 * k for k in range(1, 11)])).iloc[0]
    assert ten["p90_s"] == pytest.approx(91.0) == np.percentile(np.arange(10, 101, 10), 90)
    assert pd.isna(ten["p95_s"])
    # 19 calls 1..19: p90 at 0.9 * 18 = 16.2 is 17.2; p95 NA (MIN_N_P95 = 20).
    nineteen = duration_summary(connected_calls([float(k) for k in range(1, 20)])).iloc[0]
    assert nineteen["p90_s"] == pytest.approx(17.2)
    assert pd.isna(nineteen["p95_s"])
    # 20 calls 1..20: p90 at 0.9 * 19 = 17.1 is 18.1; p95 at 0.95 * 19 = 18.05 is 19.05.
    twenty = duration_summary(connected_calls([float(k) for k in range(1, 21)])).iloc[0]
    assert twenty["p90_s"] == pytest.approx(18.1)
    assert twenty["p95_s"] == pytest.approx(19.05)
    assert twenty["p95_s"] == pytest.approx(np.percentile(np.arange(1, 21), 95))
    assert (durations.MIN_N_P90, durations.MIN_N_P95) == (10, 20)


def test_percentile_minimum_applies_per_group():
    calls = pd.concat(
        [connected_calls([float(k) for k in range(1, 11)], "x"), connected_calls([1.0] * 9, "y")],
        ignore_index=True,
    )
    summary = duration_summary(calls, by="assignee").set_index("assignee")
    assert summary.loc["x", "p90_s"] == pytest.approx(9.1)  # 9 + 0.1 * 1
    assert pd.isna(summary.loc["y", "p90_s"])
    assert summary.loc["y", "median_s"] == 1.0


def test_summary_median_interval_order_statistics():
    # n = 10 at 95 %: P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2), so ranks 2 and 9.
    ten = duration_summary(connected_calls([float(x) for x in range(10, 0, -1)]))
    assert ten[["median_ci_low", "median_ci_high"]].iloc[0].tolist() == [2.0, 9.0]
    # n = 6: min and max cover 1 - 2 / 64 = 96.9 %; n = 5 cannot reach 95 %.
    six = duration_summary(connected_calls([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    assert six[["median_ci_low", "median_ci_high"]].iloc[0].tolist() == [1.0, 6.0]
    five = duration_summary(connected_calls([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert five[["median_ci_low", "median_ci_high"]].iloc[0].isna().all()
    # n = 4 at 80 %: min and max cover 1 - 2 / 16 = 87.5 %.
    four = duration_summary(connected_calls([5.0, 15.0, 25.0, 35.0]), confidence=0.8)
    assert four[["median_ci_low", "median_ci_high"]].iloc[0].tolist() == [5.0, 35.0]
    # n = 3 at 75 %: min and max cover 1 - 2 / 8 = 75 % exactly, which is enough.
    three = duration_summary(connected_calls([4.0, 1.0, 9.0]), confidence=0.75)
    assert three[["median_ci_low", "median_ci_high"]].iloc[0].tolist() == [1.0, 9.0]


@pytest.fixture
def mixed() -> pd.DataFrame:
    """b counts 5 and 12; a counts 15, 25, 35; the rest are excluded by default."""
    return make_calls(
        assignee=["b", "a", "a", "a", "a", "b", None, "b", "a", "c"],
        duration_s=[5.0, 15.0, 25.0, 35.0, 3.0, None, 7.0, 12.0, 0.0, 0.0],
        connected=[True, True, True, True, False, True, None, True, True, False],
    )


def test_summary_by_group_counts_and_exclusions(mixed):
    summary = duration_summary(mixed, by="assignee")
    assert summary["assignee"].tolist()[:3] == ["a", "b", "c"]
    assert pd.isna(summary["assignee"].iloc[3])
    # a: 3 (unanswered) and 0 (connected placeholder) excluded; b: a missing duration;
    # c: an unanswered call; the NA group: connection unknown.
    assert summary[["n", "n_excluded"]].values.tolist() == [[3, 2], [2, 1], [0, 1], [0, 1]]
    assert summary["median_s"].iloc[:2].tolist() == [25.0, 8.5]
    assert summary.iloc[2:, 3:].isna().all().all()
    assert summary.dtypes.iloc[1:].astype(str).tolist() == list(SUMMARY_TYPES.values())


def test_summary_include_all(mixed):
    summary = duration_summary(mixed, by="assignee", include="all")
    # Every known duration counts, except the connected call's 0 placeholder.
    assert summary[["n", "n_excluded"]].values.tolist() == [[4, 1], [2, 1], [1, 0], [1, 0]]
    assert summary["median_s"].tolist() == [20.0, 8.5, 0.0, 7.0]


def test_summary_include_all_needs_only_durations():
    summary = duration_summary(pd.DataFrame({"duration_s": [1.0, 3.0]}), include="all")
    assert summary[["n", "mean_s"]].iloc[0].tolist() == [2, 2.0]


def test_summary_by_two_columns(mixed):
    calls = mixed.assign(call_type=["inbound", "outbound"] * 5)
    summary = duration_summary(calls, by=["assignee", "call_type"])
    assert list(summary.columns[:3]) == ["assignee", "call_type", "n"]
    assert summary.loc[0, ["assignee", "call_type", "n"]].tolist() == ["a", "inbound", 1]


def test_summary_does_not_mutate(mixed):
    before = mixed.copy()
    duration_summary(mixed, by="assignee")
    pd.testing.assert_frame_equal(mixed, before)


def test_summary_empty_input():
    for by in (None, "assignee"):
        summary = duration_summary(make_calls(assignee=[]), by=by)
        assert summary.empty
        assert list(summary.columns) == [*([by] if by else []), *SUMMARY_TYPES]


def test_summary_errors(mixed):
    with pytest.raises(
        ValueError, match=r"include='answered' is not one of \('connected', 'all'\)"
    ):
        duration_summary(mixed, include="answered")
    with pytest.raises(ValueError, match=r"by='agent': \['agent'\] not a column of calls"):
        duration_summary(mixed, by="agent")
    with pytest.raises(
        ValueError, match=r"calls lacks the columns \['connected'\]; pass run.calls"
    ):
        duration_summary(pd.DataFrame({"duration_s": [1.0]}))
    with pytest.raises(ValueError, match=r"confidence=0 must lie strictly between 0 and 1"):
        duration_summary(mixed, confidence=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.5, max_value=3600, allow_nan=False), min_size=1, max_size=60))
def test_summary_properties(durations):
    row = duration_summary(connected_calls(durations)).iloc[0]
    values = np.array(durations)
    assert row["n"] == len(values)
    assert row["median_s"] == pytest.approx(np.percentile(values, 50))
    assert row["median_s"] <= row["max_s"] == values.max()
    if len(values) >= 10:
        assert row["p90_s"] == pytest.approx(np.percentile(values, 90))
        assert row["median_s"] <= row["p90_s"] <= row["max_s"]
    else:
        assert pd.isna(row["p90_s"])
    if len(values) >= 20:
        assert row["p95_s"] == pytest.approx(np.percentile(values, 95))
        assert row["p90_s"] <= row["p95_s"] <= row["max_s"]
    else:
        assert pd.isna(row["p95_s"])
    if len(values) >= 6:
        assert row["median_ci_low"] <= row["median_s"] <= row["median_ci_high"]
        assert {row["median_ci_low"], row["median_ci_high"]} <= set(values)
    else:
        assert pd.isna(row["median_ci_low"])
        assert pd.isna(row["median_ci_high"])


# --- duration_distribution ------------------------------------------------------------------


def test_histogram_shared_edges_by_hand(mixed):
    # Counted: a 15, 25, 35 and b 5, 12; 3 bins over [5, 35]: edges 5, 15, 25, 35, the last
    # bin closed. density = count / (n * width).
    hist = duration_distribution(mixed, by="assignee", bins=3)
    expected = pd.DataFrame(
        {
            "assignee": ["a", "a", "a", "b", "b", "b"],
            "bin_left": [5.0, 15.0, 25.0] * 2,
            "bin_right": [15.0, 25.0, 35.0] * 2,
            "count": [0, 1, 2, 2, 0, 0],
            "density": [0.0, 1 / 30, 2 / 30, 0.1, 0.0, 0.0],
        }
    ).astype(
        {
            "assignee": "str",
            "bin_left": "Float64",
            "bin_right": "Float64",
            "count": "Int64",
            "density": "Float64",
        }
    )
    pd.testing.assert_frame_equal(hist, expected)


def test_histogram_explicit_edges_leave_out_values_outside(mixed):
    hist = duration_distribution(mixed, by="assignee", bins=[0, 10, 20])
    assert hist["count"].tolist() == [0, 1, 1, 1]
    assert hist["density"].tolist() == pytest.approx([0.0, 0.1, 0.05, 0.05])


def test_ecdf_by_hand():
    ecdf = duration_distribution(connected_calls([30.0, 10.0, 20.0, 10.0]), kind="ecdf")
    expected = pd.DataFrame(
        {"value": [10.0, 20.0, 30.0], "count": [2, 1, 1], "ecdf": [0.5, 0.75, 1.0]}
    ).astype({"value": "Float64", "count": "Int64", "ecdf": "Float64"})
    pd.testing.assert_frame_equal(ecdf, expected)


def test_ecdf_by_group(mixed):
    ecdf = duration_distribution(mixed, by="assignee", kind="ecdf")
    assert ecdf["assignee"].tolist() == ["a", "a", "a", "b", "b"]
    assert ecdf["ecdf"].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0, 0.5, 1.0])


def test_distribution_empty_input():
    calls = make_calls(assignee=[])
    hist = duration_distribution(calls, by="assignee")
    assert hist.empty
    assert list(hist.columns) == ["assignee", "bin_left", "bin_right", "count", "density"]
    ecdf = duration_distribution(calls, kind="ecdf")
    assert ecdf.empty
    assert list(ecdf.columns) == ["value", "count", "ecdf"]


def test_distribution_errors(mixed):
    with pytest.raises(ValueError, match=r"kind='box' is not one of \('histogram', 'ecdf'\)"):
        duration_distribution(mixed, kind="box")
    with pytest.raises(ValueError, match=r"bins='nonsense' is not valid"):
        duration_distribution(mixed, bins="nonsense")
    with pytest.raises(ValueError, match=r"include='some' is not one of"):
        duration_distribution(mixed, include="some")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["x", "y"]), st.floats(0.5, 1000, allow_nan=False)),
        min_size=1,
        max_size=50,
    ),
    st.integers(1, 12),
)
def test_distribution_properties(rows, bins):
    calls = make_calls(
        assignee=[a for a, _ in rows],
        duration_s=[d for _, d in rows],
        connected=[True] * len(rows),
    )
    n = duration_summary(calls, by="assignee").set_index("assignee")["n"]
    hist = duration_distribution(calls, by="assignee", bins=bins)
    assert hist.groupby("assignee")["count"].sum().to_dict() == n.to_dict()
    assert (hist.groupby("assignee").size() == bins).all()
    ecdf = duration_distribution(calls, by="assignee", kind="ecdf")
    assert ecdf.groupby("assignee")["ecdf"].last().tolist() == [1.0] * len(n)
    assert (ecdf.groupby("assignee")["ecdf"].diff().dropna() > 0).all()


# --- the generated run ----------------------------------------------------------------------


def test_sample_run_bolt_talks_longest():
    """Bolt's monologues make the longest calls, Dex's short exchanges shorter ones
    (datasets.ASSIGNEE_PROFILES); the median intervals keep the two apart."""
    calls = load_run(make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)).calls
    summary = duration_summary(calls, by="assignee").set_index("assignee")
    assert summary["median_s"].idxmax() == "space-agent-bolt"
    bolt, dex = summary.loc["space-agent-bolt"], summary.loc["space-agent-dex"]
    assert dex["median_ci_high"] < bolt["median_ci_low"]
    assert summary["n"].sum() == (calls["connected"].eq(True) & calls["duration_s"].gt(0)).sum()
