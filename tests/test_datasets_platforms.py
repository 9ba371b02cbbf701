"""make_run(platform="retell" | "vapi"): the Unpod run's calls in the other platforms' shapes.

The hand-checked values come from ``make_run(5, random_state=0, messy=False)``, whose five
tasks are (newest first):

0. T5c1d0000... dex, busy, ``call_end_reason`` dial_busy, no call id, created 14:08:07;
1. 675272289784578890 bolt, outbound, start ``2026-01-31 12:31:28.455617``, duration 17 s,
   cost 0.0228, ``silence_timeout``, outcome Not Connected, success "1", two agent turns at
   ``12:31:30.617`` and ``12:31:40.016``; created 12:30:04, modified 12:32:13;
2. 675272289783504581 cleo, inbound, start ``2026-01-31 02:00:58.925685``, 98 s, 0.1163,
   ``user_hangup``, Interested;
3. 675272289782572181 cleo, outbound, 90 s, 0.1071, ``assistant-ended-call``, Not Interested;
4. Tfa5479b1... cleo, notConnected, ``dial_no_answer``, no call id.
"""

from __future__ import annotations

import itertools
import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from analytics.datasets._platforms import vapi_id
from analytics.datasets.synthetic import (
    PLATFORM_VARIANTS,
    SAMPLE_CALLS,
    SAMPLE_SEED,
    SAMPLE_TASKS,
    load_sample,
    make_run,
    write_sample,
)

PLATFORMS = ("retell", "vapi")
# 2026-01-31 is 20454 + 30 = 20484 days after 1970-01-01 (56 years, 14 of them leap years):
DAY_MS = 20484 * 86_400_000  # 1_769_817_600_000
START_MS = DAY_MS + (12 * 3600 + 31 * 60 + 28) * 1000 + 455  # 12:31:28.455(617), truncated
TURN0_MS = DAY_MS + (12 * 3600 + 31 * 60 + 30) * 1000 + 617  # 12:31:30.617
TURN1_MS = DAY_MS + (12 * 3600 + 31 * 60 + 40) * 1000 + 16  # 12:31:40.016
# The first turn has 12 words at the agent's 2.7 words/s: int(12 * 1000 / 2.7) = 4444 ms.
TURN0_END_MS = TURN0_MS + 4444


@pytest.fixture(scope="module")
def five():
    return {p: make_run(5, random_state=0, messy=False, platform=p) for p in PLATFORMS}


# --- Retell by hand ---------------------------------------------------------------------------


def test_retell_connected_call_units(five):
    call = five["retell"][1]
    assert START_MS == 1_769_862_688_455
    assert call["call_id"] == "675272289784578890"
    assert call["start_timestamp"] == START_MS
    assert call["duration_ms"] == 1000 * 17  # round(1000 * the Unpod duration), in ms
    assert call["end_timestamp"] == START_MS + 17_000  # start + duration
    assert call["call_cost"]["combined_cost"] == pytest.approx(100 * 0.0228)  # cents
    assert sum(p["cost"] for p in call["call_cost"]["product_costs"]) == pytest.approx(2.28)
    assert call["disconnection_reason"] == "inactivity"  # silence_timeout, as Retell says it
    assert call["call_status"] == "ended"
    assert (call["agent_name"], call["direction"], call["call_type"]) == (
        "space-agent-bolt",
        "outbound",
        "phone_call",
    )
    assert call["to_number"] == "+916589960592"  # the lead's number; from_number is ours


def test_retell_words_start_at_the_turn_offset(five):
    call = five["retell"][1]
    first, second = call["transcript_object"]
    assert first["role"] == "agent"
    assert first["content"] == "Hello, am I speaking with Vikram? This is Bolt from Acme Cloud."
    # offset 12:31:30.617 - 12:31:28.455 = 2.162 s; the next word at 2162 + 4444 // 12 = 2532
    assert first["words"][0] == {"word": "Hello,", "start": 2.162, "end": 2.532}
    assert first["words"][-1]["end"] == (TURN0_END_MS - START_MS) / 1000  # 6.606 s
    assert second["words"][0]["start"] == (TURN1_MS - START_MS) / 1000  # 11.561 s
    assert call["transcript"] == (
        "Agent: Hello, am I speaking with Vikram? This is Bolt from Acme Cloud.\n"
        "Agent: The line is not clear. I'll try again later, goodbye.\n"
    )


def test_retell_analysis_carries_the_unpod_outcome(five):
    analysis = five["retell"][1]["call_analysis"]
    assert analysis["custom_analysis_data"] == {
        "outcome": "Not Connected",
        "interested": False,
        "asked_price": False,
        "preferred_time": None,
    }
    assert analysis["call_summary"] == "The call connected but nobody answered the agent."
    assert (analysis["call_successful"], analysis["in_voicemail"]) == (False, False)
    interested = five["retell"][2]["call_analysis"]
    assert interested["call_successful"] is True
    assert interested["custom_analysis_data"]["outcome"] == "Interested"


def test_retell_unanswered_calls(five):
    busy, no_answer = five["retell"][0], five["retell"][4]
    assert busy["call_id"] == "T5c1d00009ef111f0b7133a36aea53166"  # no call id: the task id
    assert (busy["call_status"], busy["disconnection_reason"]) == ("not_connected", "dial_busy")
    assert no_answer["disconnection_reason"] == "dial_no_answer"
    for call in (busy, no_answer):
        assert not {"transcript", "transcript_object", "call_analysis", "start_timestamp"} & set(
            call
        )


def test_retell_latency_is_the_response_gap(five):
    call = five["retell"][2]  # inbound Interested call of cleo
    assert (call["direction"], call["from_number"]) == ("inbound", "+917873522631")
    latency = call["latency"]
    items = call["transcript_object"]
    # one e2e value per caller turn followed by an agent turn
    answered = sum(
        a["role"] == "user" and b["role"] == "agent" for a, b in itertools.pairwise(items)
    )
    assert {k: v["num"] for k, v in latency.items()} == dict.fromkeys(
        ("e2e", "llm", "tts", "asr"), answered
    )
    e2e = latency["e2e"]
    assert e2e["min"] <= e2e["p50"] <= e2e["p90"] <= e2e["p95"] <= e2e["p99"] <= e2e["max"]
    assert 0 < latency["llm"]["p50"] < e2e["p50"]
    assert 0 < latency["tts"]["p50"] < e2e["p50"]
    assert five["retell"][1].get("latency") is None  # no caller turn: nothing measured


def test_retell_token_usage(five):
    usage = five["retell"][1]["llm_token_usage"]
    assert usage["num_requests"] == 2  # one model request per agent turn
    assert usage["average"] == sum(usage["values"]) / 2


# --- Vapi by hand -----------------------------------------------------------------------------


def test_vapi_connected_call_units(five):
    call = five["vapi"][1]
    assert call["id"] == vapi_id("675272289784578890")
    assert call["startedAt"] == "2026-01-31T12:31:28.455Z"
    assert call["endedAt"] == "2026-01-31T12:31:45.455Z"  # start + the Unpod 17 s
    assert (call["createdAt"], call["updatedAt"]) == (
        "2026-01-31T12:30:04.000Z",
        "2026-01-31T12:32:13.000Z",
    )
    assert call["cost"] == 0.0228  # US dollars, as Unpod's
    breakdown = call["costBreakdown"]
    parts = sum(breakdown[k] for k in ("transport", "stt", "llm", "tts", "vapi"))
    assert parts == pytest.approx(0.0228)
    assert breakdown["total"] == 0.0228
    assert breakdown["ttsCharacters"] == len(
        "Hello, am I speaking with Vikram? This is Bolt from Acme Cloud."
    ) + len("The line is not clear. I'll try again later, goodbye.")  # 63 + 53
    assert call["endedReason"] == "silence-timed-out"
    assert (call["type"], call["status"]) == ("outboundPhoneCall", "ended")
    assert call["customer"] == {"number": "+916589960592", "name": "Vikram Kapoor"}
    assert call["assistant"] == {"name": "space-agent-bolt"}


def test_vapi_messages_units(five):
    messages = five["vapi"][1]["artifact"]["messages"]
    assert [m["role"] for m in messages] == ["system", "bot", "bot"]
    system, first = messages[0], messages[1]
    assert (system["time"], system["secondsFromStart"]) == (START_MS, 0)
    assert first == {
        "role": "bot",
        "message": "Hello, am I speaking with Vikram? This is Bolt from Acme Cloud.",
        "time": TURN0_MS,
        "endTime": TURN0_END_MS,
        "secondsFromStart": 2.162,  # (TURN0_MS - START_MS) / 1000
        "duration": 4444,  # ms
    }
    assert five["vapi"][1]["artifact"]["transcript"].startswith("AI: Hello, am I speaking")


def test_vapi_analysis_and_latencies(five):
    call = five["vapi"][2]
    assert call["analysis"]["structuredData"]["outcome"] == "Interested"
    assert call["analysis"]["successEvaluation"] == "8"  # Unpod's success_evaluator
    metrics = call["artifact"]["performanceMetrics"]
    retell = five["retell"][2]["latency"]["e2e"]
    turns = [t["turnLatency"] for t in metrics["turnLatencies"]]
    # the same gaps as Retell's e2e: same count, same extremes
    assert (len(turns), min(turns), max(turns)) == (retell["num"], retell["min"], retell["max"])
    for t in metrics["turnLatencies"]:
        parts = ("modelLatency", "voiceLatency", "transcriberLatency", "endpointingLatency")
        assert sum(t[k] for k in parts) == t["turnLatency"]
    assert metrics["numUserInterrupted"] >= 0
    assert metrics["numAssistantInterrupted"] >= 0


def test_vapi_unanswered_calls(five):
    busy, no_answer = five["vapi"][0], five["vapi"][4]
    assert (busy["id"], busy["endedReason"]) == (
        vapi_id("T5c1d00009ef111f0b7133a36aea53166"),
        "customer-busy",
    )
    assert no_answer["endedReason"] == "customer-did-not-answer"
    for call in (busy, no_answer):
        assert call["status"] == "ended"
        assert not {"artifact", "analysis", "startedAt", "cost"} & set(call)


# --- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_same_seed_same_list(platform):
    assert make_run(60, random_state=5, platform=platform) == make_run(
        60, random_state=5, platform=platform
    )
    assert make_run(60, random_state=5, platform=platform) != make_run(
        60, random_state=6, platform=platform
    )
    first = make_run(30, random_state=np.random.default_rng(9), platform=platform)
    assert first == make_run(30, random_state=np.random.default_rng(9), platform=platform)


def test_unpod_run_is_unchanged_by_the_platform_draws():
    before = make_run(40, random_state=2)
    make_run(40, random_state=2, platform="retell")
    assert make_run(40, random_state=2) == before
    assert before["count"] == 40


@pytest.mark.parametrize("platform", PLATFORMS)
def test_empty_run(platform):
    assert make_run(0, platform=platform) == []


def test_bad_platform():
    with pytest.raises(ValueError, match=r"platform='twilio' is not one of 'unpod', 'retell'"):
        make_run(5, platform="twilio")
    with pytest.raises(ValueError, match=r"platform='Retell' is not one of"):
        make_run(5, platform="Retell")
    with pytest.raises(ValueError, match=r"platform='zoom' is not one of"):
        load_sample(platform="zoom")
    with pytest.raises(ValueError, match=r"platform=None is not one of"):
        load_sample(platform=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"platform='x' is not one of"):
        write_sample("unused.json", platform="x")


def test_sentiment_agrees_with_the_outcome():
    calls = make_run(1500, random_state=4, messy=False, platform="retell")
    pairs = [
        (
            c["call_analysis"]["custom_analysis_data"]["outcome"],
            c["call_analysis"]["user_sentiment"],
        )
        for c in calls
        if "custom_analysis_data" in c.get("call_analysis", {})
    ]
    frame = pd.DataFrame(pairs, columns=["outcome", "sentiment"])
    shares = pd.crosstab(frame["outcome"], frame["sentiment"], normalize="index")
    # drawn 75% Positive for Interested, 60% Negative for Not Interested (hundreds of calls each)
    assert shares.loc["Interested", "Positive"] > 0.65
    assert shares.loc["Not Interested", "Negative"] > 0.5
    assert shares.loc["Interested", "Negative"] < 0.1


def _variant(platform: str, call: dict) -> str | None:
    """Which of PLATFORM_VARIANTS an object is (None: the plain call object)."""
    if platform == "retell":
        if "call" in call:
            return "webhook_event" if "event" in call else "webhook_event_type"
        return "list_item" if "call_status" in call and "transcript" not in call else None
    if "message" in call:
        return "end_of_call_report"
    if "messages" in call or "transcript" in call:
        return "legacy_top_level"
    return "numbers_as_text" if isinstance(call.get("cost"), str) else None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_messy_variants_each_take_their_share(platform):
    from analytics.datasets._platforms import to_platform

    unpod = make_run(600, random_state=8)
    plain = to_platform(unpod, platform, random_state=8, messy=False)
    messy = make_run(600, random_state=8, platform=platform)
    found = pd.Series([_variant(platform, c) for c in messy]).value_counts().to_dict()
    # unanswered Retell calls have no transcript either: only ones that had one count
    had_text = {c.get("call_id") for c in plain if "transcript" in c}
    if platform == "retell":
        found["list_item"] = sum(
            _variant(platform, c) == "list_item" and c["call_id"] in had_text for c in messy
        )
    assert set(found) - {None} == set(PLATFORM_VARIANTS[platform])
    assert len(messy) == len(plain)
    # each share is of the eligible calls left by the variants before it: a few percent
    assert all(0 < found[v] <= 0.05 * len(plain) for v in PLATFORM_VARIANTS[platform])
    assert [c for c in messy if _variant(platform, c) is None] == [
        c for c, m in zip(plain, messy) if _variant(platform, m) is None
    ]


def test_vapi_webhook_puts_artifact_and_analysis_beside_the_call():
    calls = make_run(300, random_state=3, platform="vapi")
    body = next(c["message"] for c in calls if "message" in c)
    assert body["type"] == "end-of-call-report"
    assert {"artifact", "call", "endedReason", "cost", "startedAt", "endedAt"} <= set(body)
    assert not {"artifact", "analysis"} & set(body["call"])


# --- round trip through load_run --------------------------------------------------------------


def _unpod_calls(run, platform):
    """The Unpod calls keyed as the platforms key them: the call id, else the task id (on
    Vapi, the UUID made of it)."""
    key = run.calls["call_id"].fillna(run.calls["task_id"])
    return run.calls.assign(key=key.map(vapi_id) if platform == "vapi" else key).set_index("key")


def _texts(run, keys):
    turns = run.turns.assign(key=run.turns["task_id"].map(keys))
    return turns.groupby("key")["text"].agg(list)


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    same = (a.astype(object) == b.astype(object)).astype("boolean").fillna(False)
    return same | (a.isna() & b.isna())


@pytest.mark.parametrize("messy", [False, True])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_round_trip(platform, messy):
    from analytics.load import load_run

    unpod = load_run(make_run(200, random_state=11, messy=messy))
    objects = make_run(200, random_state=11, messy=messy, platform=platform)
    run = load_run(objects)
    ours = _unpod_calls(unpod, platform)
    theirs = run.calls.set_index("call_id").loc[ours.index]
    assert len(run.calls) == len(ours)
    assert run.problems.empty
    assert (run.calls["platform"] == platform).all()
    assert _equal(theirs["outcome"], ours["outcome"]).all()
    assert _equal(theirs["outcome_raw"], ours["outcome_raw"]).all()
    cost = (theirs["cost"] - ours["cost"]).abs()
    assert (cost.isna() == ours["cost"].isna()).all()
    assert (cost.dropna() < 1e-9).all()
    # What the platform's shape cannot say: a Vapi call with unreadable Unpod times has no
    # length (Vapi gives none but endedAt - startedAt); a Retell list item has no transcript.
    timeless = ours["start_time"].isna() & ours["duration_s"].notna() & (platform == "vapi")
    gap = (theirs["duration_s"] - ours["duration_s"]).abs()[~timeless]
    assert (gap.isna() == ours["duration_s"][~timeless].isna()).all()
    assert (gap.dropna() <= 0.001 + 1e-9).all()
    listed = _listed(platform, objects, ours)
    counts = ~ours.index.isin(listed)
    assert _equal(theirs["n_turns"][counts], ours["n_turns"][counts]).all()
    assert theirs["n_turns"][~counts].isna().all()
    ours_texts = _texts(unpod, dict(zip(ours["task_id"], ours.index)))
    theirs_texts = _texts(run, dict(zip(run.calls["task_id"], run.calls["call_id"])))
    assert ours_texts.drop(listed, errors="ignore").to_dict() == theirs_texts.to_dict()
    if not messy:
        assert not timeless.any()
        assert not listed


def _listed(platform: str, objects: list, ours: pd.DataFrame) -> list[str]:
    """Ids of the Retell list items: no transcript, where the Unpod call had one."""
    if platform != "retell":
        return []
    had_turns = set(ours.index[ours["n_turns"].notna()])
    return [
        c["call_id"]
        for c in objects
        if "call_id" in c and "transcript" not in c and c["call_id"] in had_turns
    ]


# --- the bundled samples ----------------------------------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
def test_packaged_samples_are_current(platform):
    text = (resources.files("analytics") / "data" / f"sample_{platform}.json").read_text("utf-8")
    calls = json.loads(text)
    assert calls == make_run(SAMPLE_TASKS, random_state=SAMPLE_SEED, platform=platform)
    assert len(calls) == SAMPLE_CALLS == 120
    assert text.endswith("\n")
    assert "\n" not in text[:-1]  # compact JSON


@pytest.mark.parametrize("platform", PLATFORMS)
def test_load_sample(platform):
    run = load_sample(platform=platform)
    assert len(run.calls) == 120
    assert (run.calls["platform"] == platform).all()
    assert run.problems.empty


def test_write_sample_one_platform(tmp_path):
    out = write_sample(tmp_path / "v.json", platform="vapi")
    assert out == tmp_path / "v.json"
    assert json.loads(out.read_text(encoding="utf-8")) == make_run(
        SAMPLE_TASKS, random_state=SAMPLE_SEED, platform="vapi"
    )
    unpod = write_sample(tmp_path / "u.json", platform="unpod")
    assert json.loads(unpod.read_text(encoding="utf-8"))["count"] == 400
