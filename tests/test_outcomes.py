"""Tests of analytics.stats.outcomes on hand-computed tables, properties, and a generated run.

connection_rates and call_volume (analytics.stats.activity) are in test_activity.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics._shared import group_columns
from analytics.load import Run
from analytics.schema import (
    CALLS_SCHEMA,
    OUTCOMES,
    PROBLEMS_SCHEMA,
    TASKS_SCHEMA,
    TURNS_SCHEMA,
    conform,
    empty_frame,
)
from analytics.stats.outcomes import (
    MISSING_LABEL,
    compare_groups,
    dial_rates,
    outcome_rates,
    wilson_interval,
)

RATE_COLUMNS = ["outcome", "n", "count", "rate", "ci_low", "ci_high"]


def make_calls(**columns) -> pd.DataFrame:
    return conform(pd.DataFrame(columns), CALLS_SCHEMA)


def table_calls(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Calls with ``counts[assignee][outcome]`` rows each."""
    pairs = [(a, o) for a, row in counts.items() for o, k in row.items() for _ in range(k)]
    return make_calls(assignee=[a for a, _ in pairs], outcome=[o for _, o in pairs])


@pytest.fixture
def drifted() -> pd.DataFrame:
    """A: 2 Interested, 3 Call Back, 2 Not Interested, 1 Other (8) and one missing; B: 4 Not
    Interested. Labels drift the way the platform's do."""
    a = ["Interested", "InterestedIn", "Call Back", "call back", "CallBack"]
    a += ["Not Interested", "not interested", "zzz", None]
    return make_calls(
        assignee=["A"] * 9 + ["B"] * 4,
        outcome=a + ["Not Interested"] * 4,
        call_status=["completed"] * 9 + ["busy", "busy", "failed", "callBack"],
    )


# --- wilson_interval ------------------------------------------------------------------------


def test_wilson_hand_computed():
    low, high = wilson_interval([2, 0, 4], [8, 4, 4])
    assert np.round(low, 4).tolist() == [0.0715, 0.0, 0.5101]
    assert np.round(high, 4).tolist() == [0.5907, 0.4899, 1.0]
    assert low[1] == 0.0
    assert high[2] == 1.0


def test_wilson_narrows_with_lower_confidence():
    low95, high95 = wilson_interval(2, 8)
    low80, high80 = wilson_interval(2, 8, confidence=0.8)
    assert low95 < low80 < 0.25 < high80 < high95


def test_wilson_empty_group_is_nan():
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0])
    assert np.isnan(high[0])


def test_wilson_rejects_count_above_n():
    with pytest.raises(ValueError, match=r"count=\[5\] must lie between 0 and n=\[4\]"):
        wilson_interval([5], [4])


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_wilson_rejects_confidence(confidence):
    with pytest.raises(ValueError, match=rf"confidence={confidence!r} must lie strictly"):
        wilson_interval(1, 2, confidence=confidence)


# --- outcome_rates --------------------------------------------------------------------------


def test_outcome_rates_folds_drifted_labels(drifted):
    rates = outcome_rates(drifted)
    assert list(rates.columns) == ["assignee", *RATE_COLUMNS]
    assert rates["assignee"].tolist() == ["A"] * 8 + ["B"] * 8
    assert rates["outcome"].tolist() == list(OUTCOMES) * 2
    a = rates[rates["assignee"] == "A"].set_index("outcome")
    assert a["count"].to_dict() == {
        "Interested": 2, "Call Back": 3, "Send Details": 0, "Not Interested": 2,
        "Not Connected": 0, "Abandoned": 0, "Dropped": 0, "Other": 1,
    }  # fmt: skip
    assert a["n"].unique().tolist() == [8]
    assert a.loc["Interested", ["rate", "ci_low", "ci_high"]].astype(float).round(4).tolist() == [
        0.25,
        0.0715,
        0.5907,
    ]
    b = rates[rates["assignee"] == "B"].set_index("outcome")
    assert b.loc["Interested", ["n", "count"]].tolist() == [4, 0]
    assert b.loc["Interested", ["ci_low", "ci_high"]].astype(float).round(4).tolist() == [
        0.0,
        0.4899,
    ]
    assert b.loc["Not Interested", ["rate", "ci_high"]].tolist() == [1.0, 1.0]


def test_outcome_rates_dtypes(drifted):
    expected = ["str", "str", "Int64", "Int64", "Float64", "Float64", "Float64"]
    assert outcome_rates(drifted).dtypes.astype(str).tolist() == expected


def test_outcome_rates_include_missing(drifted):
    rates = outcome_rates(drifted, include_missing=True)
    a = rates[rates["assignee"] == "A"]
    assert a["outcome"].tolist() == [*OUTCOMES, MISSING_LABEL]
    assert a["n"].unique().tolist() == [9]
    assert a.set_index("outcome").loc[MISSING_LABEL, "count"] == 1
    assert rates[rates["assignee"] == "B"].set_index("outcome").loc[MISSING_LABEL, "count"] == 0


def test_outcome_rates_of_call_status_counts_labels_as_they_are(drifted):
    rates = outcome_rates(drifted, by=None, outcome="call_status")
    expected = pd.DataFrame(
        {
            "outcome": ["completed", "busy", "callBack", "failed"],
            "n": [13, 13, 13, 13],
            "count": [9, 2, 1, 1],
        }
    ).astype({"outcome": "str", "n": "Int64", "count": "Int64"})
    pd.testing.assert_frame_equal(rates[["outcome", "n", "count"]], expected)
    assert rates["rate"].tolist() == pytest.approx([9 / 13, 2 / 13, 1 / 13, 1 / 13])


def test_outcome_rates_groups_sorted_missing_last():
    calls = table_calls({"b": {"Interested": 1}, "a": {"Dropped": 2}})
    calls = pd.concat([calls, calls.iloc[:1].assign(assignee=None)], ignore_index=True)
    rates = outcome_rates(calls)
    groups = rates["assignee"].drop_duplicates()
    assert groups.iloc[:2].tolist() == ["a", "b"]
    assert groups.iloc[2:].isna().tolist() == [True]


def test_outcome_rates_by_list_and_none(drifted):
    both = outcome_rates(drifted, by=["assignee", "call_status"])
    assert list(both.columns[:3]) == ["assignee", "call_status", "outcome"]
    groups = both[["assignee", "call_status"]].drop_duplicates()
    assert groups.apply(tuple, axis=1).tolist() == [
        ("A", "completed"),
        ("B", "busy"),
        ("B", "callBack"),
        ("B", "failed"),
    ]
    overall = outcome_rates(drifted, by=None)
    assert list(overall.columns) == RATE_COLUMNS
    assert overall.set_index("outcome")["count"]["Not Interested"] == 6


def test_outcome_rates_status_from_a_run():
    tasks = conform(
        pd.DataFrame({"task_id": ["1", "2", "3"], "status": ["completed", "failed", "completed"]}),
        TASKS_SCHEMA,
    )
    calls = make_calls(task_id=["1"], outcome=["Interested"])
    run = Run(tasks, calls, empty_frame(TURNS_SCHEMA), empty_frame(PROBLEMS_SCHEMA))
    status = outcome_rates(run, by=None, outcome="status")
    assert status[["outcome", "count"]].values.tolist() == [["completed", 2], ["failed", 1]]
    assert outcome_rates(run, by=None)["count"].sum() == 1


def test_outcome_rates_does_not_mutate(drifted):
    before = drifted.copy()
    outcome_rates(drifted)
    pd.testing.assert_frame_equal(drifted, before)


def test_outcome_rates_empty_input():
    rates = outcome_rates(make_calls(assignee=[], outcome=[]))
    assert rates.empty
    assert list(rates.columns) == ["assignee", *RATE_COLUMNS]


def test_outcome_rates_errors(drifted):
    with pytest.raises(ValueError, match=r"outcome='result' is not a column"):
        outcome_rates(drifted, outcome="result")
    with pytest.raises(ValueError, match=r"by='agent': \['agent'\] not a column of calls"):
        outcome_rates(drifted, by="agent")
    with pytest.raises(ValueError, match=r"by='outcome' must not hold the outcome column"):
        outcome_rates(drifted, by="outcome", outcome="call_status")
    with pytest.raises(TypeError, match=r"expected a DataFrame or a Run, got 'list'"):
        outcome_rates([1, 2])
    with pytest.raises(ValueError, match=r"confidence=1.5 must lie strictly"):
        outcome_rates(drifted, confidence=1.5)


def test_group_columns_accepts_names_lists_and_none():
    frame = pd.DataFrame({"a": [], "b": []})
    assert group_columns(frame, "a") == ["a"]
    assert group_columns(frame, ("a", "b")) == ["a", "b"]
    assert group_columns(frame, None) == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["x", "y", None]),
            st.sampled_from([*OUTCOMES, "call back", "InterestedIn", "zzz", None]),
        ),
        max_size=40,
    ),
    st.booleans(),
    st.sampled_from([0.8, 0.95, 0.99]),
)
def test_outcome_rate_properties(rows, include_missing, confidence):
    calls = make_calls(assignee=[a for a, _ in rows], outcome=[o for _, o in rows])
    rates = outcome_rates(calls, confidence=confidence, include_missing=include_missing)
    rate = rates["rate"].astype(float)
    assert rate.between(0, 1).all()
    assert (rates["ci_low"].astype(float) <= rate).all()
    assert (rate <= rates["ci_high"].astype(float)).all()
    sums = rates.groupby("assignee", dropna=False)["rate"].sum()
    assert np.allclose(sums.astype(float), 1.0)
    counted = calls if include_missing else calls[calls["outcome"].notna()]
    assert rates["count"].sum() == len(counted)


# --- compare_groups -------------------------------------------------------------------------


def test_compare_groups_two_by_three_by_hand():
    # A: 10 / 10 / 20, B: 30 / 10 / 20; expected A 16 / 8 / 16, B 24 / 12 / 24.
    # chi2 = 36/16 + 4/8 + 16/16 + 36/24 + 4/12 + 16/24 = 6.25 on 2 dof: p = exp(-6.25 / 2).
    calls = table_calls(
        {
            "A": {"Interested": 10, "Call Back": 10, "Not Interested": 20},
            "B": {"Interested": 30, "Call Back": 10, "Not Interested": 20},
        }
    )
    expected = conform(
        pd.DataFrame(
            {
                "test": ["chi-square"],
                "statistic": [6.25],
                "p_value": [math.exp(-3.125)],
                "dof": [2],
                "n": [100],
                "n_groups": [2],
                "n_outcomes": [3],
                "min_expected": [8.0],
                "reliable": [True],
                "fisher_p_value": [None],
                "cramers_v": [0.25],
                "note": [None],
            }
        ),
        {
            "test": "str",
            "statistic": "Float64",
            "p_value": "Float64",
            "dof": "Int64",
            "n": "Int64",
            "n_groups": "Int64",
            "n_outcomes": "Int64",
            "min_expected": "Float64",
            "reliable": "boolean",
            "fisher_p_value": "Float64",
            "cramers_v": "Float64",
            "note": "str",
        },
    )
    pd.testing.assert_frame_equal(compare_groups(calls), expected)


def test_compare_groups_two_by_two_by_hand():
    # Expected 20 / 30 in both rows; chi2 = 2 * (100/20 + 100/30) = 50/3, 1 dof.
    calls = table_calls(
        {
            "A": {"Interested": 30, "Not Interested": 20},
            "B": {"Interested": 10, "Not Interested": 40},
        }
    )
    row = compare_groups(calls).iloc[0]
    assert row["statistic"] == pytest.approx(50 / 3)
    assert row["p_value"] == pytest.approx(math.erfc(math.sqrt(50 / 6)))
    assert row["cramers_v"] == pytest.approx(math.sqrt(1 / 6))
    assert (row["dof"], row["reliable"], row["min_expected"]) == (1, True, 20.0)
    assert pd.isna(row["fisher_p_value"])


def test_compare_groups_small_two_by_two_gives_fisher():
    # Expected 1.5 / 2.5 per row: chi2 = 2 * (2.25/1.5 + 2.25/2.5) = 4.8. Fisher: tables with
    # A's Interested = 0..3 have probabilities 5, 30, 30, 5 (/70); two-sided p = 10/70.
    calls = table_calls({"A": {"Interested": 3, "Not Interested": 1}, "B": {"Not Interested": 4}})
    row = compare_groups(calls).iloc[0]
    assert row["statistic"] == pytest.approx(4.8)
    assert (row["reliable"], row["min_expected"]) == (False, 1.5)
    assert row["fisher_p_value"] == pytest.approx(1 / 7)
    assert row["note"] == "expected counts too small: read fisher_p_value"


def test_compare_groups_flags_sparse_larger_tables():
    calls = table_calls(
        {
            "A": {"Interested": 20, "Call Back": 1, "Not Interested": 20},
            "B": {"Interested": 20, "Call Back": 0, "Not Interested": 20},
        }
    )
    row = compare_groups(calls).iloc[0]
    assert (row["reliable"], row["dof"]) == (False, 2)
    assert pd.isna(row["fisher_p_value"])
    assert row["note"] == "expected counts too small: merge rare groups or outcomes"


@pytest.mark.parametrize(
    ("counts", "shape"),
    [
        ({"A": {"Interested": 3, "Dropped": 2}}, "1 x 2"),
        ({"A": {"Other": 1}, "B": {"Other": 5}}, "2 x 1"),
    ],
)
def test_compare_groups_needs_two_groups_and_outcomes(counts, shape):
    row = compare_groups(table_calls(counts)).iloc[0]
    assert row["note"] == f"need 2 or more groups and outcomes with calls; got {shape}"
    assert pd.isna(row["statistic"])
    assert pd.isna(row["p_value"])
    assert pd.isna(row["reliable"])


def test_compare_groups_empty_input():
    row = compare_groups(make_calls(assignee=[], outcome=[])).iloc[0]
    assert (row["n"], row["n_groups"], row["n_outcomes"]) == (0, 0, 0)
    assert pd.isna(row["statistic"])


def test_compare_groups_errors(drifted):
    with pytest.raises(ValueError, match=r"by='team': \['team'\] not a column"):
        compare_groups(drifted, by="team")
    with pytest.raises(ValueError, match=r"outcome='result' is not a column"):
        compare_groups(drifted, outcome="result")


# --- the generated run ----------------------------------------------------------------------


def test_sample_run_shows_the_built_in_agent_differences(sample_run):
    """Cleo converts best, Dex badly (datasets.ASSIGNEE_PROFILES): the test sees it."""
    rates = outcome_rates(sample_run).set_index(["assignee", "outcome"])["rate"]
    interested = rates.xs("Interested", level="outcome")
    assert interested.idxmax() == "space-agent-cleo"
    calls = sample_run.calls.assign(
        interested=sample_run.calls["outcome"].eq("Interested").astype("str")
    )
    overall = compare_groups(calls, outcome="interested").iloc[0]
    assert overall["reliable"]
    assert overall["p_value"] < 0.05
    pair = calls[calls["assignee"].isin(["space-agent-cleo", "space-agent-dex"])]
    cleo_vs_dex = compare_groups(pair, outcome="interested").iloc[0]
    assert cleo_vs_dex["dof"] == 1
    assert cleo_vs_dex["p_value"] < 0.05


def test_sample_run_rates_are_consistent(sample_run):
    rates = outcome_rates(sample_run)
    sums = rates.groupby("assignee")["rate"].sum().astype(float)
    assert np.allclose(sums, 1.0)


def test_dial_rates_count_every_call_by_hand():
    calls = pd.DataFrame(
        {
            "assignee": ["a"] * 5 + ["b"] * 2,
            "outcome": ["Interested", "InterestedIn", None, "Not Interested", None, None, "x"],
        }
    )
    rates = dial_rates(calls)
    assert rates["n"].tolist() == [5, 2]
    assert rates["count"].tolist() == [2, 0]  # "InterestedIn" folds to Interested
    assert rates["rate"].tolist() == pytest.approx([0.4, 0.0])
    low, high = wilson_interval([2, 0], [5, 2])
    assert rates["ci_low"].tolist() == pytest.approx(low.tolist())
    assert rates["ci_high"].tolist() == pytest.approx(high.tolist())
    assert dial_rates(calls, by=None)["rate"].tolist() == pytest.approx([2 / 7])


def test_dial_rate_is_not_the_outcome_rate_times_the_connection_rate(sample_run):
    calls = sample_run.calls
    per_dial = dial_rates(calls, by=None)["rate"].iloc[0]
    assert per_dial == pytest.approx((calls["outcome"] == "Interested").mean())
    rates = outcome_rates(calls, by=None)
    among_outcomes = rates.loc[rates["outcome"] == "Interested", "rate"].iloc[0]
    connected = calls["connected"].mean()
    assert abs(among_outcomes * connected - per_dial) > 0.005


def test_dial_rates_errors():
    calls = pd.DataFrame({"assignee": ["a"], "outcome": ["Interested"]})
    with pytest.raises(ValueError, match=r"outcome='Keen' is not one of \['Interested'"):
        dial_rates(calls, outcome="Keen")
    with pytest.raises(ValueError, match=r"calls lacks the columns \['outcome'\]"):
        dial_rates(calls.drop(columns="outcome"))
