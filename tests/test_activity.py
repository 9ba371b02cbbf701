"""Tests of analytics.stats.activity: connection rates and call volume."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.schema import CALLS_SCHEMA, conform
from analytics.stats.activity import call_volume, connection_rates


def make_calls(**columns) -> pd.DataFrame:
    return conform(pd.DataFrame(columns), CALLS_SCHEMA)


# --- connection_rates -----------------------------------------------------------------------


def test_connection_rates_by_hand():
    calls = make_calls(
        assignee=["A", "A", "A", "A", "B", "B", "B", "B", "C"],
        connected=[True, True, False, None, False, False, False, False, None],
    )
    rates = connection_rates(calls)
    expected = pd.DataFrame(
        {
            "assignee": ["A", "B", "C"],
            "n": [3, 4, 0],
            "connected": [2, 0, 0],
            "n_unknown": [1, 0, 1],
        }
    ).astype({"assignee": "str", "n": "Int64", "connected": "Int64", "n_unknown": "Int64"})
    pd.testing.assert_frame_equal(rates[["assignee", "n", "connected", "n_unknown"]], expected)
    assert rates["rate"].iloc[:2].tolist() == pytest.approx([2 / 3, 0.0])
    assert rates[["ci_low", "ci_high"]].iloc[1].astype(float).round(4).tolist() == [0.0, 0.4899]
    assert rates[["rate", "ci_low", "ci_high"]].iloc[2].isna().all()
    assert list(rates.columns) == [
        "assignee", "n", "connected", "rate", "ci_low", "ci_high", "n_unknown",
    ]  # fmt: skip


def test_connection_rates_overall_and_empty():
    calls = make_calls(assignee=["A", "B"], connected=[True, False])
    overall = connection_rates(calls, by=None)
    assert overall[["n", "connected"]].iloc[0].tolist() == [2, 1]
    empty = connection_rates(make_calls(assignee=[]))
    assert empty.empty
    assert "n_unknown" in empty.columns


def test_connection_rates_needs_connected():
    with pytest.raises(ValueError, match=r"calls lacks the columns \['connected'\]; pass run"):
        connection_rates(pd.DataFrame({"assignee": ["A"]}))


def test_sample_run_connection_counts_cover_every_call(sample_run):
    connected = connection_rates(sample_run.calls, by=None).iloc[0]
    assert connected["n"] + connected["n_unknown"] == len(sample_run.calls)


# --- call_volume ----------------------------------------------------------------------------


def test_call_volume_per_day_fills_gaps():
    calls = make_calls(
        assignee=["A", "A", "A", "B", "B"],
        start_time=pd.to_datetime(
            ["2026-01-01 10:00", "2026-01-01 10:30", "2026-01-03 09:00", "2026-01-02 23:59", None],
            utc=True,
        ),
    )
    days = pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True)
    expected = pd.DataFrame(
        {
            "assignee": pd.array(["A"] * 3 + ["B"] * 3, dtype="str"),
            "period": days.append(days).as_unit("ns"),
            "n_calls": pd.array([2, 0, 1, 0, 1, 0], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(call_volume(calls), expected)


def test_call_volume_per_hour_overall():
    calls = make_calls(
        start_time=pd.to_datetime(["2026-01-01 10:05", "2026-01-01 12:59"], utc=True)
    )
    volume = call_volume(calls, by=None, freq="h")
    assert volume["n_calls"].tolist() == [1, 0, 1]
    assert volume["period"].dt.hour.tolist() == [10, 11, 12]


def test_call_volume_empty_and_errors():
    empty = call_volume(make_calls(assignee=["A"], start_time=pd.to_datetime([None], utc=True)))
    assert empty.empty
    assert list(empty.columns) == ["assignee", "period", "n_calls"]
    with pytest.raises(ValueError, match=r"freq='fortnight' is not a pandas frequency"):
        call_volume(make_calls(assignee=[]), freq="fortnight")
