"""build_report on calls from several platforms: the platform table, the latency measure used."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from test_report import csv, table, visible_text

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.schema import MEASURE
from analytics.text.conversation import conversation_features
from analytics.viz import plots
from analytics.viz._runs import platforms_table, with_platform
from analytics.viz.report import build_report, latency_by_call, latency_statement

PLATFORM_WORDS = "platform-measured end-to-end latency (median per call)"
STAMP_WORDS = "response gap from transcript stamps"


@pytest.fixture(scope="module")
def base():
    return load_run(make_run(60, random_state=0))


def with_calls(run, **columns):
    """``run`` with ``columns`` (name -> list or scalar) set on its calls."""
    return dataclasses.replace(run, calls=run.calls.assign(**columns))


def without(run, *columns):
    """``run`` whose calls lack ``columns`` (an older calls frame)."""
    return dataclasses.replace(run, calls=run.calls.drop(columns=list(columns), errors="ignore"))


def split_platforms(run):
    """The first 20 calls on retell, the next 10 on vapi, the rest on unpod."""
    names = ["retell"] * 20 + ["vapi"] * 10 + ["unpod"] * (len(run.calls) - 30)
    return with_calls(run, platform=pd.array(names, dtype="str"))


def latencies(run, values):
    """``latency_e2e_p50_s`` of the calls: ``values`` (by task_id), NA for the others."""
    series = run.calls["task_id"].map(values).astype(MEASURE)
    return with_calls(run, latency_e2e_p50_s=series)


def conversations(run):
    return run.calls.loc[run.calls["has_conversation"], "task_id"].tolist()


@pytest.fixture(scope="module")
def mixed_page(base, tmp_path_factory):
    return build_report(split_platforms(base), tmp_path_factory.mktemp("mixed") / "r")


@pytest.fixture(scope="module")
def single_page(base, tmp_path_factory):
    return build_report(base, tmp_path_factory.mktemp("single") / "r")


# --- the platforms in the overview ----------------------------------------------------------


def test_several_platforms_get_a_row_each(base, mixed_page):
    calls = with_platform(split_platforms(base).calls)
    shown = table(mixed_page, "Calls by platform").set_index("platform")
    assert shown.index.tolist() == ["unpod", "retell", "vapi"]  # PLATFORMS order
    assert shown["calls"].tolist() == [str(len(calls) - 30), "20", "10"]
    for name in ("unpod", "retell", "vapi"):
        mine = calls[calls["platform"] == name]
        known = mine["connected"].notna()
        # connected / calls with a known state, and Interested / calls with an outcome
        assert shown.loc[name, "connected"] == str(int(mine["connected"].sum()))
        assert shown.loc[name, "calls with a known state"] == str(int(known.sum()))
        assert shown.loc[name, "calls with an outcome"] == str(int(mine["outcome"].notna().sum()))
        assert shown.loc[name, "Interested"] == str(int((mine["outcome"] == "Interested").sum()))
        assert "(" in shown.loc[name, "Interested rate (95% CI)"]  # the interval beside it
    written = csv(mixed_page, "platforms").set_index("platform")
    assert written.loc["retell", "calls"] == 20
    assert {"interested_ci_low", "connection_ci_high"} <= set(written.columns)


def test_interval_in_the_platform_table_by_hand():
    # 4 calls on vapi: 3 with a known state, 2 connected; 2 outcomes, 1 Interested
    # Wilson 95% for 1 of 2: center (0.5 + 1.92/2)/(1 + 3.84/2) ... = 9.5% to 90.5%
    calls = pd.DataFrame(
        {
            "task_id": list("abcdef"),
            "assignee": ["x"] * 6,
            "platform": ["vapi"] * 4 + [None, "unpod"],
            "connected": pd.array([True, True, False, None, True, False], dtype="boolean"),
            "outcome": pd.array(["Interested", "Other", None, None, "Other", None], dtype="str"),
        }
    )
    out = platforms_table(with_platform(calls)).set_index("platform")
    assert out.index.tolist() == ["unpod", "vapi"]  # the NA platform is unpod's
    assert out.loc["unpod", ["calls", "connection_n", "connection_connected"]].tolist() == [2, 2, 1]
    vapi = out.loc["vapi"]
    assert vapi[["calls", "connection_n", "connection_connected"]].tolist() == [4, 3, 2]
    assert vapi[["interested_n", "interested_count", "interested_rate"]].tolist() == [2, 1, 0.5]
    assert vapi["interested_ci_low"] == pytest.approx(0.0945, abs=1e-3)
    assert vapi["interested_ci_high"] == pytest.approx(0.9055, abs=1e-3)


def test_the_overview_names_the_platforms(base, mixed_page):
    n = len(base.calls)
    text = visible_text(mixed_page)
    assert f"Calls from 3 platforms: unpod {n - 30}, retell 20 and vapi 10." in text
    headline = table(mixed_page, "Which assignee")
    assert list(headline.columns)[:2] == ["assignee", "platform"]
    # every assignee's calls are spread over the three platforms here
    assert set(headline["platform"]) <= {"unpod, retell, vapi", "unpod, retell", "unpod, vapi", ""}


def test_a_single_platform_has_no_platform_column(single_page):
    assert not any(h.startswith("Calls by platform") for h in _headings(single_page))
    assert "platform" not in table(single_page, "Which assignee").columns
    assert not (single_page.parent / "tables" / "platforms.csv").exists()
    assert "platforms:" not in visible_text(single_page)


def test_a_single_other_platform_is_named(base, tmp_path):
    page = build_report(with_calls(base, platform="retell"), tmp_path / "r")
    assert "All calls ran on retell." in visible_text(page)
    assert not any(h.startswith("Calls by platform") for h in _headings(page))


def _headings(page):
    return re.findall(r"<h3>([^<]*)</h3>", page.read_text(encoding="utf-8"))


def test_old_calls_frames_without_the_new_columns(base, tmp_path):
    old = without(base, "platform", "latency_e2e_p50_s")
    page = build_report(old, tmp_path / "r")
    text = visible_text(page)
    assert f"Agent latency: {STAMP_WORDS}," in text
    assert not any(h.startswith("Calls by platform") for h in _headings(page))
    written = csv(page, "calls")
    assert set(written["platform"]) == {"unpod"}


def test_platform_names_are_escaped(base, tmp_path):
    names = ['<b>x"</b>'] * 5 + ["unpod"] * (len(base.calls) - 5)
    page = build_report(with_calls(base, platform=names), tmp_path / "r")
    raw = page.read_text(encoding="utf-8")
    assert "<b>x" not in raw
    assert "&lt;b&gt;x&quot;&lt;/b&gt;" in raw


# --- the latency measure --------------------------------------------------------------------


def test_latency_statement_counts_by_hand():
    frame = pd.DataFrame({"latency_measure": pd.array(["platform", None, "stamps"] * 2)})
    assert latency_statement(frame).startswith(
        f"Agent latency: {PLATFORM_WORDS}, 2 calls; {STAMP_WORDS}, 2 calls"
    )
    only = pd.DataFrame({"latency_measure": pd.array(["platform"], dtype="str")})
    assert latency_statement(only) == f"Agent latency: {PLATFORM_WORDS}, 1 call."
    none = pd.DataFrame({"latency_measure": pd.array([], dtype="str")})
    assert "no call with a conversation has" in latency_statement(none)


def test_latency_by_call_prefers_the_platform():
    talk = pd.DataFrame(
        {
            "task_id": ["a", "b", "c"],
            "assignee": ["x", "x", "y"],
            "agent_response_gap_p50_s": pd.array([1.5, None, 2.0], dtype="Float64"),
        }
    )
    calls = with_platform(
        pd.DataFrame(
            {
                "task_id": ["c", "b", "a"],
                "platform": ["retell", "unpod", "unpod"],
                "latency_e2e_p50_s": pd.array([0.8, None, None], dtype="Float64"),
            }
        )
    )
    out = latency_by_call(talk, calls)
    # c: its platform's 0.8 s, not its 2.0 s gap; b: neither
    assert out["agent_latency_s"].fillna(-1).tolist() == [1.5, -1, 0.8]
    assert out["latency_measure"].fillna("none").tolist() == ["stamps", "none", "platform"]
    assert out["platform"].tolist() == ["unpod", "unpod", "retell"]
    empty = latency_by_call(talk.iloc[:0], calls)
    assert empty.empty
    assert "latency_measure" in empty


def test_all_platform_latency(base, tmp_path):
    talked = conversations(base)
    run = latencies(base, {t: 0.6 + 0.1 * (i % 5) for i, t in enumerate(talked)})
    page = build_report(run, tmp_path / "r")
    text = visible_text(page)
    assert f"Agent latency: {PLATFORM_WORDS}, {len(talked)} calls." in text
    assert STAMP_WORDS not in text
    assert f"Agent latency by assignee: {PLATFORM_WORDS}, {len(talked)} calls" in text
    per_call = csv(page, "latency")
    assert set(per_call["latency_measure"]) == {"platform"}
    shown = table(page, "Agent latency by assignee")
    assert set(shown["measure"]) == {PLATFORM_WORDS}
    summary = csv(page, "latency_by_assignee")
    assert summary["n_calls"].sum() == len(talked)
    assert shown["calls"].astype(int).sum() == len(talked)


def test_a_mix_says_both_counts(base, tmp_path):
    talked = conversations(base)
    # the first 10 conversations measured by the platform at 0.7 s; the rest from stamps
    run = latencies(base, dict.fromkeys(talked[:10], 0.7))
    page = build_report(run, tmp_path / "r")
    per_call = csv(page, "latency").set_index("task_id")
    n_stamps = int((per_call["latency_measure"] == "stamps").sum())
    assert per_call.loc[talked[:10], "agent_latency_s"].astype(float).eq(0.7).all()
    assert n_stamps > 0
    text = visible_text(page)
    assert f"Agent latency: {PLATFORM_WORDS}, 10 calls; {STAMP_WORDS}, {n_stamps} calls" in text
    shown = table(page, "Agent latency by assignee")
    assert set(shown["measure"]) == {PLATFORM_WORDS, STAMP_WORDS}
    platform_rows = shown[shown["measure"] == PLATFORM_WORDS]
    assert platform_rows["calls"].astype(int).sum() == 10
    assert set(platform_rows["median"]) == {"0.7 s"}


def test_each_latency_figure_draws_its_own_calls(base, tmp_path, monkeypatch):
    talked = conversations(base)
    run = latencies(base, dict.fromkeys(talked[:10], 0.7))
    seen = []
    draw = plots.plot_response_gaps

    def record(data, **options):
        seen.append((data, options.get("column", "agent_response_gap_p50_s")))
        return draw(data, **options)

    monkeypatch.setattr(plots, "plot_response_gaps", record)
    build_report(run, tmp_path / "r")
    columns = {column: data for data, column in seen}
    assert set(columns) == {"latency_e2e_p50_s", "agent_response_gap_p50_s"}
    assert sorted(columns["latency_e2e_p50_s"]["task_id"]) == sorted(talked[:10])
    assert not set(columns["agent_response_gap_p50_s"]["task_id"]) & set(talked[:10])


def test_without_platform_latency_the_page_says_stamps(single_page, base):
    text = visible_text(single_page)
    per_call = csv(single_page, "latency")
    n = int((per_call["latency_measure"] == "stamps").sum())
    assert f"Agent latency: {STAMP_WORDS}, {n} calls." in text
    assert PLATFORM_WORDS not in text
    assert not any(h.startswith("Agent latency by assignee") for h in _headings(single_page))


def test_empty_run_with_platform_columns(base, tmp_path):
    empty = dataclasses.replace(
        base,
        tasks=base.tasks.iloc[:0],
        calls=base.calls.iloc[:0],
        turns=base.turns.iloc[:0],
        problems=base.problems.iloc[:0],
    )
    page = build_report(empty, tmp_path / "r")
    assert "no tasks" in visible_text(page)
    assert csv(page, "latency").empty


# --- a mixed run from the generator ---------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_run():
    return load_run(
        [
            make_run(40, random_state=0),
            make_run(30, random_state=1, platform="retell"),
            make_run(30, random_state=2, platform="vapi"),
        ]
    )


def test_a_mixed_run_has_a_row_per_platform(mixed_run, tmp_path):
    page = build_report(mixed_run, tmp_path / "r")
    counts = mixed_run.calls["platform"].value_counts()
    shown = table(page, "Calls by platform").set_index("platform")
    assert shown.index.tolist() == ["unpod", "retell", "vapi"]
    assert shown["calls"].tolist() == [str(counts[p]) for p in ("unpod", "retell", "vapi")]
    text = visible_text(page)
    assert "Calls from 3 platforms: " in text
    # Retell and Vapi calls carry a platform latency; the Unpod ones fall back to stamps
    per_call = csv(page, "latency")
    measures = per_call.groupby("platform")["latency_measure"].agg(set)
    assert measures["unpod"] <= {"stamps", ""}
    assert "platform" in measures["retell"]
    assert "platform" in measures["vapi"]
    n_platform = int((per_call["latency_measure"] == "platform").sum())
    n_stamps = int((per_call["latency_measure"] == "stamps").sum())
    assert f"{PLATFORM_WORDS}, {n_platform} calls; {STAMP_WORDS}, {n_stamps} calls" in text


def test_vapi_turn_times_feed_the_talk_share(mixed_run):
    vapi = mixed_run.calls.loc[mixed_run.calls["platform"] == "vapi", "task_id"]
    turns = mixed_run.turns[mixed_run.turns["task_id"].isin(vapi)]
    assert turns["duration_s"].notna().any()
    stamped = conversation_features(turns, calls=mixed_run.calls)
    ruled = conversation_features(turns.drop(columns="duration_s"), calls=mixed_run.calls)
    timed = stamped["agent_talk_share_time"].notna()
    assert timed.any()
    assert stamped.loc[timed, "agent_talk_share_time"].between(0, 1).all()
    # the stamped talk times, not the offsets' rule, give the shares
    assert not stamped["agent_talk_share_time"].equals(ruled["agent_talk_share_time"])
