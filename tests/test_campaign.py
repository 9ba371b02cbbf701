"""Tests of analytics.stats.campaign: funnel, outcome_trend, call_timing, end_reasons.

Expected frames are computed by hand on small literal calls frames (the arithmetic is in the
comments); Wilson bounds come from ``_shared.wilson_interval`` on the hand counts, with one
bound per analysis checked against its closed form. Properties run on a generated run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics._shared import wilson_interval
from analytics.datasets import make_run
from analytics.load import Run, load_run
from analytics.schema import CALLS_SCHEMA, END_REASONS, conform
from analytics.stats.campaign import call_timing, end_reasons, funnel, outcome_trend

Z95 = stats.norm.ppf(0.975)  # 1.959964


def make_calls(**columns) -> pd.DataFrame:
    return conform(pd.DataFrame(columns), CALLS_SCHEMA)


def utc(*stamps: str | None) -> pd.DatetimeIndex:
    return pd.to_datetime(list(stamps), utc=True).as_unit("ns")


def wilson_columns(name: str, count: list[int], n: list[int]) -> dict[str, pd.array]:
    """``{name}_rate`` and its bounds for hand counts, bounds from wilson_interval."""
    low, high = wilson_interval(count, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.asarray(count, float) / np.asarray(n, float)
    prefix = f"{name}_" if name else ""
    return {
        f"{prefix}rate": pd.array(rate, dtype="Float64"),
        f"{prefix}ci_low": pd.array(low, dtype="Float64"),
        f"{prefix}ci_high": pd.array(high, dtype="Float64"),
    }


def counts(values: list[int]) -> pd.array:
    return pd.array(values, dtype="Int64")


def measures(values: list[float | None]) -> pd.array:
    return pd.array(values, dtype="Float64")


def text(values: list[str | None]) -> pd.array:
    return pd.array(values, dtype="str")


@pytest.fixture(scope="module")
def generated() -> Run:
    return load_run(make_run(200, random_state=0))


# --- funnel ------------------------------------------------------------------------------------


@pytest.fixture
def funnel_calls() -> pd.DataFrame:
    """A: 7 dials; B: 2 dials never connected, no cost; a missing assignee: 1 dial, 1 outcome.

    A, row by row (connected, has_conversation, evaluated, outcome, cost):
      1 T T T Interested      1.00  -> outcome
      2 T T T interested      2.00  -> outcome (folded label)
      3 T T T Not Interested  1.50  -> evaluated
      4 T T F Interested      NA    -> conversation only: not evaluated, its label ignored
      5 T F T Abandoned       0.50  -> connected only: no conversation
      6 F F T NA              0.25  -> dial only
      7 NA F F NA             NA    -> dial only: unknown counts as not connected
    """
    outcome = [
        "Interested", "interested", "Not Interested", "Interested", "Abandoned", None, None,
        None, None,
        "Interested",
    ]  # fmt: skip
    return make_calls(
        assignee=["A"] * 7 + ["B", "B", None],
        connected=[True, True, True, True, True, False, None, False, False, True],
        has_conversation=[True, True, True, True, False, False, False, False, False, True],
        evaluated=[True, True, True, False, True, True, False, True, True, True],
        outcome=outcome,
        cost=[1.0, 2.0, 1.5, None, 0.5, 0.25, None, None, None, 0.4],
    )


def test_funnel_by_hand(funnel_calls):
    out = funnel(funnel_calls, by="assignee")
    # A: dials 7, connected 5 (1-5), conversations 4 (1-4), evaluated 3 (1-3), outcomes 2
    # B: 2, 0, 0, 0, 0; missing assignee: 1, 1, 1, 1, 1 (sorted last)
    dials, connected, conversations = [7, 2, 1], [5, 0, 1], [4, 0, 1]
    evaluated, outcomes = [3, 0, 1], [2, 0, 1]
    expected = pd.DataFrame(
        {
            "assignee": text(["A", "B", None]),
            "dials": counts(dials),
            "connected": counts(connected),
            "conversations": counts(conversations),
            "evaluated": counts(evaluated),
            "outcomes": counts(outcomes),
            **wilson_columns("connected", connected, dials),
            **wilson_columns("conversation", conversations, connected),
            **wilson_columns("evaluated", evaluated, conversations),
            **wilson_columns("outcome", outcomes, evaluated),
            **wilson_columns("per_dial", outcomes, dials),
            # A: known costs 1 + 2 + 1.5 + 0.5 + 0.25 = 5.25 over 5 calls; 5.25 / 2 = 2.625
            # B: no cost known -> NA; missing: 0.4 / 1 = 0.4
            "n_costed": counts([5, 0, 1]),
            "cost_total": measures([5.25, None, 0.4]),
            "cost_per_outcome": measures([2.625, None, 0.4]),
        }
    )
    pd.testing.assert_frame_equal(out.drop(columns=["cost_ci_low", "cost_ci_high"]), expected)
    # B: 0 of 2 connected; Wilson's upper bound at count 0 is z^2 / (n + z^2) = 3.8415 / 5.8415
    assert out["connected_ci_high"].iloc[1] == pytest.approx(Z95**2 / (2 + Z95**2))
    assert round(out["connected_ci_high"].iloc[1], 4) == 0.6576
    # B has no outcome and no cost, the missing group one call: no bounds
    assert out[["cost_ci_low", "cost_ci_high"]].iloc[1:].isna().all().all()
    # A: 2 outcomes in 7 calls; a resample has none with chance (5/7)^7 = 0.095 > 0.025, so
    # the upper bound is infinite (reported NA); the lower one is finite and below 2.625
    assert pd.isna(out["cost_ci_high"].iloc[0])
    assert 0 < out["cost_ci_low"].iloc[0] <= 2.625


@pytest.fixture
def costed_calls() -> pd.DataFrame:
    """12 evaluated conversations, 8 of them Interested; costs 0.1 .. 1.2 (sum 7.8)."""
    return make_calls(
        connected=[True] * 12,
        has_conversation=[True] * 12,
        evaluated=[True] * 12,
        outcome=["Interested"] * 8 + ["Not Interested"] * 4,
        cost=[round(0.1 * k, 1) for k in range(1, 13)],
    )


def test_funnel_cost_interval_is_the_documented_bootstrap(costed_calls):
    out = funnel(costed_calls, n_resamples=500, random_state=7)
    row = out.iloc[0]
    # cost 0.1 + ... + 1.2 = 7.8 over 12 calls; 8 outcomes -> 7.8 / 8 = 0.975
    assert row["cost_total"] == pytest.approx(7.8)
    assert row["cost_per_outcome"] == pytest.approx(0.975)
    assert row["cost_ci_low"] <= row["cost_per_outcome"] <= row["cost_ci_high"]

    def ratio(cost, hits, axis=-1):
        found = hits.sum(axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(found > 0, cost.sum(axis=axis) / found, np.inf)

    # the method of the docstring, straight from scipy: paired (cost, outcome) resamples of
    # the calls, percentile interval, a generator seeded with random_state
    cost = costed_calls["cost"].to_numpy(float)
    hits = costed_calls["outcome"].eq("Interested").to_numpy(bool)
    direct = stats.bootstrap(
        (cost, hits),
        ratio,
        paired=True,
        vectorized=True,
        n_resamples=500,
        method="percentile",
        rng=np.random.default_rng(7),
    ).confidence_interval
    assert [row["cost_ci_low"], row["cost_ci_high"]] == pytest.approx([direct.low, direct.high])


def test_funnel_is_seeded(costed_calls, funnel_calls):
    calls = pd.concat([costed_calls.assign(assignee="C"), funnel_calls], ignore_index=True)
    first = funnel(calls, by="assignee", n_resamples=300, random_state=3)
    pd.testing.assert_frame_equal(
        first, funnel(calls, by="assignee", n_resamples=300, random_state=3)
    )
    # each group has its own generator: group C alone gives the same bounds
    alone = funnel(costed_calls, n_resamples=300, random_state=3)
    c_row = first[first["assignee"] == "C"].reset_index(drop=True)
    pd.testing.assert_frame_equal(c_row.drop(columns="assignee"), alone)
    unseeded = funnel(costed_calls, n_resamples=300, random_state=None)
    assert unseeded["cost_ci_low"].iloc[0] <= 0.975 <= unseeded["cost_ci_high"].iloc[0]


def test_funnel_several_runs(funnel_calls):
    calls = funnel_calls.assign(run_id=["R2", "R1", "R1", "R2", "R2", "R1", "R1", "R3", "R3", "R2"])
    out = funnel(calls, by="run_id")
    # R1: rows 2, 3, 6, 7: dials 4, connected 2 (2, 3), conversations 2, evaluated 2, outcome 1
    # R2: rows 1, 4, 5, 10: 4, 4, 3 (1, 4, 10), 2 (1, 10), 2; R3: rows 8, 9: nothing
    assert out["run_id"].tolist() == ["R1", "R2", "R3"]
    steps = out[["dials", "connected", "conversations", "evaluated", "outcomes"]]
    assert steps.to_numpy().tolist() == [[4, 2, 2, 2, 1], [4, 4, 3, 2, 2], [2, 0, 0, 0, 0]]
    # costs: R1 2 + 1.5 + 0.25 = 3.75 (3 calls); R2 1 + 0.5 + 0.4 = 1.9 (3); R3 none
    assert out["n_costed"].tolist() == [3, 3, 0]
    assert out["cost_total"].iloc[:2].tolist() == pytest.approx([3.75, 1.9])
    assert out["cost_per_outcome"].iloc[:2].tolist() == pytest.approx([3.75, 0.95])
    two_keys = funnel(calls, by=["run_id", "assignee"], n_resamples=100)
    assert two_keys[["run_id", "assignee"]].astype(object).fillna("-").to_numpy().tolist() == [
        ["R1", "A"], ["R2", "A"], ["R2", "-"], ["R3", "B"],
    ]  # fmt: skip


def test_funnel_empty_cases(funnel_calls):
    empty = funnel(funnel_calls.iloc[:0], by="assignee")
    assert empty.empty
    assert list(empty.columns) == list(funnel(funnel_calls, by="assignee").columns)
    assert empty.dtypes["dials"] == "Int64"
    assert empty.dtypes["cost_ci_high"] == "Float64"
    # no costs at all: the steps are counted, every cost column is NA
    no_cost = funnel(funnel_calls.assign(cost=None)).iloc[0]
    assert no_cost["n_costed"] == 0
    assert no_cost["outcomes"] == 3
    assert no_cost[["cost_total", "cost_per_outcome", "cost_ci_low", "cost_ci_high"]].isna().all()
    # no outcome: the cost is there (5.25 + 0.4 = 5.65), its price per outcome is not
    none = funnel(funnel_calls, outcome="Send Details").iloc[0]
    assert none["outcomes"] == 0
    assert none["cost_total"] == pytest.approx(5.65)
    assert none[["cost_per_outcome", "cost_ci_low", "cost_ci_high"]].isna().all()
    assert none["outcome_rate"] == 0.0  # 0 of the 4 evaluated (A's 3 and the missing one)


def test_funnel_errors(funnel_calls):
    with pytest.raises(ValueError, match=r"outcome='Hot' is not one of \['Interested'"):
        funnel(funnel_calls, outcome="Hot")
    with pytest.raises(ValueError, match=r"calls lacks the columns \['cost'\]; pass run.calls"):
        funnel(funnel_calls.drop(columns="cost"))
    with pytest.raises(ValueError, match=r"by='agent': \['agent'\] not a column of calls"):
        funnel(funnel_calls, by="agent")
    with pytest.raises(ValueError, match=r"n_resamples=1 must be a whole number >= 2"):
        funnel(funnel_calls, n_resamples=1)
    with pytest.raises(ValueError, match=r"n_resamples=2.5 must be a whole number >= 2"):
        funnel(funnel_calls, n_resamples=2.5)
    with pytest.raises(TypeError, match=r"random_state='seed' must be an int seed, or None"):
        funnel(funnel_calls, random_state="seed")
    with pytest.raises(ValueError, match=r"confidence=1.5 must lie strictly between 0 and 1"):
        funnel(funnel_calls, confidence=1.5)
    with pytest.raises(TypeError, match=r"calls must be a pandas DataFrame, got 'list'"):
        funnel([])


def test_funnel_steps_are_nested_on_a_generated_run(generated):
    out = funnel(generated.calls, by="assignee", n_resamples=200)
    steps = out[["dials", "connected", "conversations", "evaluated", "outcomes"]].to_numpy()
    assert (np.diff(steps, axis=1) <= 0).all()
    assert out["dials"].sum() == len(generated.calls)
    assert (out["n_costed"] <= out["dials"]).all()
    has_bounds = out["cost_ci_low"].notna() & out["cost_ci_high"].notna()
    inside = out.loc[has_bounds]
    assert (inside["cost_ci_low"] <= inside["cost_per_outcome"]).all()
    assert (inside["cost_per_outcome"] <= inside["cost_ci_high"]).all()
    for name in ("connected", "conversation", "evaluated", "outcome", "per_dial"):
        rated = out.dropna(subset=[f"{name}_rate"])
        assert (rated[f"{name}_ci_low"] <= rated[f"{name}_rate"]).all()
        assert (rated[f"{name}_rate"] <= rated[f"{name}_ci_high"]).all()


# --- outcome_trend -----------------------------------------------------------------------------


@pytest.fixture
def trend_calls() -> pd.DataFrame:
    """Calls over three weeks of January 2026 (weeks end on Sundays 11, 18 and 25)."""
    start_time = utc(
        "2026-01-05 10:00", "2026-01-06 10:00", "2026-01-07 10:00", "2026-01-20 10:00", None,
        "2026-01-08 10:00", "2026-01-21 23:59",
        None,
    )  # fmt: skip
    outcome = [
        "Interested", "Not Interested", None, "interested", "Interested",
        "Call Back", "Interested",
        "Interested",
    ]  # fmt: skip
    return make_calls(
        assignee=["A"] * 5 + ["B"] * 2 + [None],
        start_time=start_time,
        outcome=outcome,
        run_id=["R1", "R1", "R1", "R2", "R2", "R1", "R2", "R2"],
    )


def test_outcome_trend_by_hand(trend_calls):
    out = outcome_trend(trend_calls, by="assignee")
    # A, week to 11 Jan: Interested + Not Interested (the unlabelled call not in n): 1 of 2;
    #    week to 18 Jan: no call; week to 25 Jan: 1 of 1. A's untimed call is in no period.
    # B: Call Back (0 of 1), nothing, Interested (1 of 1).
    # The missing assignee has one untimed call: every period with n = 0.
    n, count = [2, 0, 1, 1, 0, 1, 0, 0, 0], [1, 0, 1, 0, 0, 1, 0, 0, 0]
    weeks = utc("2026-01-11", "2026-01-18", "2026-01-25")
    expected = pd.DataFrame(
        {
            "assignee": text(["A"] * 3 + ["B"] * 3 + [None] * 3),
            "period": weeks.append([weeks, weeks]),
            "n": counts(n),
            "count": counts(count),
            **wilson_columns("", count, n),
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    # A's first week: 1 of 2; Wilson 1/2 = 0.5 -+ z sqrt(0.25/2 + z^2/16) / (1 + z^2/2)
    half = Z95 * np.sqrt(0.25 / 2 + Z95**2 / 16) / (1 + Z95**2 / 2)
    assert [out["ci_low"].iloc[0], out["ci_high"].iloc[0]] == pytest.approx(
        [0.5 - half, 0.5 + half]
    )


def test_outcome_trend_on_and_runs(trend_calls):
    # by day over end_time, overall: 5 Jan 11:00 to 22 Jan 00:59 (21 Jan 23:59 + 1 h), 18 days;
    # timed and labelled: A 3 (the unlabelled call is not in n), B 2; Interested: 3
    calls = trend_calls.assign(end_time=trend_calls["start_time"] + pd.Timedelta(hours=1))
    daily = outcome_trend(calls, freq="D", on="end_time")
    assert len(daily) == 18
    assert daily["n"].sum() == 5
    assert daily["count"].sum() == 3
    assert daily["period"].iloc[-1] == pd.Timestamp("2026-01-22", tz="UTC")
    # several runs: R1 (5-8 Jan) and R2 (20-21 Jan) share the weeks of the whole frame
    runs = outcome_trend(trend_calls, by="run_id")
    assert runs[["run_id", "n", "count"]].to_numpy().tolist() == [
        ["R1", 3, 1], ["R1", 0, 0], ["R1", 0, 0],
        ["R2", 0, 0], ["R2", 0, 0], ["R2", 2, 2],
    ]  # fmt: skip


def test_outcome_trend_empty_cases(trend_calls):
    one_period = outcome_trend(trend_calls.iloc[:3], freq="MS")
    assert one_period[["n", "count"]].to_numpy().tolist() == [[2, 1]]
    assert one_period["period"].tolist() == [pd.Timestamp("2026-01-01", tz="UTC")]
    no_outcome = outcome_trend(trend_calls.assign(outcome=None), by="assignee")
    assert len(no_outcome) == 9
    assert (no_outcome["n"] == 0).all()
    assert no_outcome[["rate", "ci_low", "ci_high"]].isna().all().all()
    untimed = outcome_trend(trend_calls.assign(start_time=pd.NaT), by="assignee")
    assert untimed.empty
    assert list(untimed.columns) == [
        "assignee",
        "period",
        "n",
        "count",
        "rate",
        "ci_low",
        "ci_high",
    ]
    assert untimed.dtypes["period"] == "datetime64[ns, UTC]"
    assert untimed.dtypes["n"] == "Int64"
    assert outcome_trend(trend_calls.iloc[:0]).empty


def test_outcome_trend_errors(trend_calls):
    with pytest.raises(ValueError, match=r"freq='fortnight' is not a pandas frequency"):
        outcome_trend(trend_calls, freq="fortnight")
    with pytest.raises(
        ValueError, match=r"on='outcome' is not a timestamp column of calls; use one of \['start"
    ):
        outcome_trend(trend_calls, on="outcome")
    with pytest.raises(ValueError, match=r"on='called_at' is not a timestamp column"):
        outcome_trend(trend_calls, on="called_at")
    with pytest.raises(ValueError, match=r"outcome='Booked' is not one of"):
        outcome_trend(trend_calls, outcome="Booked")
    with pytest.raises(ValueError, match=r"calls lacks the columns \['outcome'\]"):
        outcome_trend(trend_calls.drop(columns="outcome"))
    with pytest.raises(ValueError, match=r"confidence=0 must lie strictly between 0 and 1"):
        outcome_trend(trend_calls, confidence=0)


def test_outcome_trend_on_a_generated_run(generated):
    trend = outcome_trend(generated.calls, freq="D", by="assignee")
    labelled = generated.calls["outcome"].notna() & generated.calls["start_time"].notna()
    assert trend["n"].sum() == labelled.sum()
    assert trend.groupby("assignee")["period"].apply(list).map(tuple).nunique() == 1


# --- call_timing -------------------------------------------------------------------------------


@pytest.fixture
def timing_calls() -> pd.DataFrame:
    """2026-01-31 is a Saturday; 20:30 UTC is 02:00 on Sunday 1 Feb in Asia/Kolkata (+05:30)."""
    start_time = utc(
        "2026-01-31 20:30", "2026-01-31 20:45", "2026-01-31 21:00",
        "2026-02-02 03:00", None,
        None,
    )  # fmt: skip
    return make_calls(
        assignee=["A", "A", "A", "B", "B", None],
        start_time=start_time,
        connected=[True, False, None, True, True, True],
        outcome=["Interested", None, None, "Not Interested", "Interested", None],
    )


def test_call_timing_by_hand_in_kolkata(timing_calls):
    out = call_timing(timing_calls, tz="Asia/Kolkata", by="assignee")
    assert len(out) == 3 * 168  # A, B and the missing assignee, every cell
    seen = out[out["n_calls"] > 0].reset_index(drop=True)
    # A: 20:30, 20:45 and 21:00 UTC are 02:00, 02:15, 02:30 on Sunday (weekday 6) in Kolkata;
    #    connected known for 2 (1 true): 1 of 2; one outcome label, Interested: 1 of 1.
    # B: 2 Feb 03:00 UTC is Monday 08:30 in Kolkata: 1 of 1 connected, 0 of 1 Interested;
    #    its untimed call is in no cell. The missing assignee has no timed call.
    connected, n, outcomes, n_outcome = [1, 1], [2, 1], [1, 0], [1, 1]
    expected = pd.DataFrame(
        {
            "assignee": text(["A", "B"]),
            "weekday": counts([6, 0]),
            "day": text(["Sun", "Mon"]),
            "hour": counts([2, 8]),
            "n_calls": counts([3, 1]),
            "n": counts(n),
            "connected": counts(connected),
            **wilson_columns("connection", connected, n),
            "n_outcome": counts(n_outcome),
            "outcomes": counts(outcomes),
            **wilson_columns("outcome", outcomes, n_outcome),
        }
    )
    pd.testing.assert_frame_equal(seen, expected)
    # Wilson at count = n = 1: the lower bound is 1 / (1 + z^2) = 1 / 4.8415 = 0.2065
    assert seen["outcome_ci_low"].iloc[0] == pytest.approx(1 / (1 + Z95**2))
    empty_cells = out[out["n_calls"] == 0]
    assert (empty_cells[["n", "n_outcome"]] == 0).all().all()
    assert empty_cells["connection_rate"].isna().all()
    assert pd.isna(out["assignee"].iloc[-1])  # the missing group comes last


def test_call_timing_in_utc_and_cells(timing_calls):
    out = call_timing(timing_calls)  # 2026-01-31 20:30 UTC: Saturday (5), hour 20
    assert out[["weekday", "day", "hour"]].iloc[[0, 23, 24, -1]].to_numpy().tolist() == [
        [0, "Mon", 0], [0, "Mon", 23], [1, "Tue", 0], [6, "Sun", 23],
    ]  # fmt: skip
    seen = out.loc[out["n_calls"] > 0, ["weekday", "hour", "n_calls"]].to_numpy().tolist()
    assert seen == [[0, 3, 1], [5, 20, 2], [5, 21, 1]]  # Mon 03:00; Sat 20:30, 20:45; 21:00


def test_call_timing_several_runs_and_empty(timing_calls):
    calls = timing_calls.assign(run_id=["R1", "R2", "R1", "R2", "R2", "R3"])
    out = call_timing(calls, by="run_id", tz="Asia/Kolkata")
    assert out.groupby("run_id")["n_calls"].sum().to_dict() == {"R1": 2, "R2": 2, "R3": 0}
    assert out.groupby("run_id").size().tolist() == [168] * 3
    empty = call_timing(timing_calls.iloc[:0], by="assignee")
    assert empty.empty
    assert empty.dtypes["hour"] == "Int64"
    assert list(empty.columns) == list(out.columns.str.replace("run_id", "assignee"))


def test_call_timing_errors(timing_calls):
    message = r"tz='Mars/Base' is not a time zone; use an IANA name such as 'Asia/Kolkata'"
    with pytest.raises(ValueError, match=message):
        call_timing(timing_calls, tz="Mars/Base")
    with pytest.raises(ValueError, match=r"tz='' is not a time zone"):
        call_timing(timing_calls, tz="")
    with pytest.raises(ValueError, match=r"outcome='Yes' is not one of"):
        call_timing(timing_calls, outcome="Yes")
    with pytest.raises(ValueError, match=r"calls lacks the columns \['connected'\]"):
        call_timing(timing_calls.drop(columns="connected"))
    with pytest.raises(ValueError, match=r"by='team': \['team'\] not a column of calls"):
        call_timing(timing_calls, by="team")


def test_call_timing_on_a_generated_run(generated):
    out = call_timing(generated.calls, tz="Asia/Kolkata", by="assignee")
    assert out["n_calls"].sum() == generated.calls["start_time"].notna().sum()
    assert (out["n"] <= out["n_calls"]).all()
    assert (out["connected"] <= out["n"]).all()
    assert (out["outcomes"] <= out["n_outcome"]).all()


# --- end_reasons -------------------------------------------------------------------------------


@pytest.fixture
def reason_calls() -> pd.DataFrame:
    """A: 5 calls, B: 3, a missing assignee: 1; spellings of Unpod, Retell and Vapi mixed."""
    end_reason = [
        "user_hangup", "customer-ended-call", "dial_no_answer", None,
        "pipeline-error-openai-llm-failed",
        "voicemail_reached", "agent_hangup", "N/A",
        "assistant-ended-call",
    ]  # fmt: skip
    call_status = [
        "completed", "completed", "notConnected", "callDispatched", "failed",
        "voicemail", "completed", "busy",
        None,
    ]  # fmt: skip
    return make_calls(
        assignee=["A"] * 5 + ["B"] * 3 + [None],
        end_reason=end_reason,
        call_status=call_status,
        run_id=["R1"] * 3 + ["R2"] * 6,
    )


def test_end_reasons_by_hand(reason_calls):
    out = end_reasons(reason_calls, by="assignee")
    # A (n 5): user_hangup (Unpod, Retell) and customer-ended-call (Vapi) -> customer_hangup 2;
    #   then 1 each, by value: "(missing)" (no raw text), error, no_answer.
    #   call_status as given: completed 2, then callDispatched, failed, notConnected.
    # B (n 3): "N/A" is a null literal -> "(missing)" keeping its spelling; agent_hangup;
    #   voicemail_reached -> voicemail. Statuses busy, completed, voicemail.
    # missing assignee (n 1): assistant-ended-call -> agent_hangup; no status -> "(missing)".
    rows = [
        ("A", "end_reason", "customer_hangup", "customer-ended-call; user_hangup", 2, 5),
        ("A", "end_reason", "(missing)", None, 1, 5),
        ("A", "end_reason", "error", "pipeline-error-openai-llm-failed", 1, 5),
        ("A", "end_reason", "no_answer", "dial_no_answer", 1, 5),
        ("A", "call_status", "completed", "completed", 2, 5),
        ("A", "call_status", "callDispatched", "callDispatched", 1, 5),
        ("A", "call_status", "failed", "failed", 1, 5),
        ("A", "call_status", "notConnected", "notConnected", 1, 5),
        ("B", "end_reason", "(missing)", "N/A", 1, 3),
        ("B", "end_reason", "agent_hangup", "agent_hangup", 1, 3),
        ("B", "end_reason", "voicemail", "voicemail_reached", 1, 3),
        ("B", "call_status", "busy", "busy", 1, 3),
        ("B", "call_status", "completed", "completed", 1, 3),
        ("B", "call_status", "voicemail", "voicemail", 1, 3),
        (None, "end_reason", "agent_hangup", "assistant-ended-call", 1, 1),
        (None, "call_status", "(missing)", None, 1, 1),
    ]
    group, field, value, raw, count, n = (list(c) for c in zip(*rows))
    expected = pd.DataFrame(
        {
            "assignee": text(group),
            "field": text(field),
            "value": text(value),
            "raw_values": text(raw),
            "count": counts(count),
            "n": counts(n),
            **{k.replace("rate", "share"): v for k, v in wilson_columns("", count, n).items()},
        }
    )
    pd.testing.assert_frame_equal(out, expected)
    # 2 of 5: Wilson (0.1176, 0.7693), by hand: centre (0.4 + z^2/10) / (1 + z^2/5)
    assert [round(out["ci_low"].iloc[0], 4), round(out["ci_high"].iloc[0], 4)] == [0.1176, 0.7693]


def test_end_reasons_overall_runs_and_empty(reason_calls):
    overall = end_reasons(reason_calls)
    assert overall.groupby("field", sort=False)["share"].sum().tolist() == pytest.approx([1, 1])
    assert overall["field"].drop_duplicates().tolist() == ["end_reason", "call_status"]
    # 9 calls; 2 each: "(missing)" (None and "N/A"), agent_hangup (agent_hangup and
    # assistant-ended-call), customer_hangup; ties by value
    assert overall[["value", "count", "n"]].iloc[:3].to_numpy().tolist() == [
        ["(missing)", 2, 9], ["agent_hangup", 2, 9], ["customer_hangup", 2, 9],
    ]  # fmt: skip
    assert overall["raw_values"].iloc[:2].tolist() == ["N/A", "agent_hangup; assistant-ended-call"]
    runs = end_reasons(reason_calls, by="run_id")
    assert runs.groupby(["run_id", "field"], sort=False)["count"].sum().tolist() == [3, 3, 6, 6]
    # blank text is a missing value, in either field, and no spelling
    blank = end_reasons(reason_calls.iloc[:2].assign(end_reason=["", " "], call_status=["", "x"]))
    assert blank[["field", "value", "count"]].to_numpy().tolist() == [
        ["end_reason", "(missing)", 2], ["call_status", "(missing)", 1], ["call_status", "x", 1],
    ]  # fmt: skip
    assert blank["raw_values"].isna().tolist() == [True, True, False]
    empty = end_reasons(reason_calls.iloc[:0], by="assignee")
    assert empty.empty
    assert list(empty.columns) == list(end_reasons(reason_calls, by="assignee").columns)
    assert empty.dtypes["count"] == "Int64"
    assert empty.dtypes["share"] == "Float64"


def test_end_reasons_errors(reason_calls):
    with pytest.raises(ValueError, match=r"calls lacks the columns \['call_status'\]"):
        end_reasons(reason_calls.drop(columns="call_status"))
    with pytest.raises(ValueError, match=r"confidence=95 must lie strictly between 0 and 1"):
        end_reasons(reason_calls, confidence=95)
    with pytest.raises(ValueError, match=r"by='agent': \['agent'\] not a column of calls"):
        end_reasons(reason_calls, by="agent")


def test_end_reasons_on_a_generated_run(generated):
    out = end_reasons(generated.calls, by="assignee")
    shares = out.groupby(["assignee", "field"])["share"].sum()
    assert shares.to_numpy() == pytest.approx(np.ones(len(shares)))
    reasons = out.loc[out["field"] == "end_reason", "value"]
    assert reasons.isin([*END_REASONS, "(missing)"]).all()
    assert (out["ci_low"] <= out["share"]).all()
    assert (out["share"] <= out["ci_high"]).all()
