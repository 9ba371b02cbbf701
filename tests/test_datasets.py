"""Tests of analytics.datasets: shapes, determinism, coverage and the structure built in.

Everything here reads the raw dicts directly (no loader), except the load_sample test.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import Counter
from importlib import resources
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from analytics.datasets import (
    ASSIGNEE_PROFILES,
    MESSY_VARIANTS,
    SAMPLE_SEED,
    SAMPLE_SIZE,
    SCENARIOS,
    make_run,
    write_sample,
)
from analytics.schema import CALL_STATUSES, TASK_STATUSES

TASK_KEYS = {
    "space_id", "thread_id", "user", "user_org_id", "user_info", "run_id", "task_id",
    "collection_ref", "execution_type", "task", "input", "output", "attachments", "ref_id",
    "assignee", "run_mode", "status", "created", "modified",
}  # fmt: skip
FULL_OUTPUT_KEYS = {
    "call_id", "customer", "contact_number", "call_end_reason", "recording_url", "transcript",
    "start_time", "end_time", "assistant_number", "call_summary", "duration", "cost",
    "call_type", "call_status", "metadata", "post_call_data",
}  # fmt: skip
POST_CALL_KEYS = {
    "classification", "summary", "success_evaluator", "follow_up", "profile_summary",
    "structured_data",
}  # fmt: skip
OUTCOMES = {"Interested", "Call Back", "Not Interested", "Send Details", "Not Connected",
            "Abandoned", "Dropped"}  # fmt: skip
CALL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
TURN_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")
TASK_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
PRICE = re.compile(r"how much does it cost|what's the price|pricing", re.I)
CALLBACK = re.compile(r"call me back|call back later", re.I)
NOT_INTERESTED = re.compile(r"not interested|stop calling|remove me from your list", re.I)
HUMAN = re.compile(r"real person|speak to a human", re.I)


def _out(task):
    return task["output"]


def _start(task):
    return _out(task).get("start_time")


def _duration(task):
    return _out(task).get("duration", 0)


def _transcript(task):
    return _out(task).get("transcript")


def _pcd(task):
    data = _out(task).get("post_call_data")
    return data if isinstance(data, dict) else {}


def _summary(task):
    summary = _pcd(task).get("summary")
    return summary if isinstance(summary, dict) else {}


def _turn_list(task):
    turns = _transcript(task)
    return turns if isinstance(turns, list) and turns else []


DETECTORS = {
    "intermediate_output": lambda t: _out(t).get("data", "").endswith("available soon"),
    "start_iso_t": lambda t: isinstance(_start(t), str) and "T" in _start(t)
    and not _start(t).endswith("Z"),
    "start_z": lambda t: isinstance(_start(t), str) and _start(t).endswith("Z"),
    "start_null_literal": lambda t: _start(t) == "NULL",
    "start_none_literal": lambda t: _start(t) == "None",
    "start_epoch_ms": lambda t: isinstance(_start(t), int),
    "duration_float": lambda t: isinstance(_duration(t), float),
    "duration_numeric_string": lambda t: isinstance(_duration(t), str) and _duration(t) != "0",
    "duration_zero_string": lambda t: _duration(t) == "0",
    "duration_missing": lambda t: "transcript" in _out(t) and "duration" not in _out(t),
    "transcript_json_string": lambda t: isinstance(_transcript(t), str)
    and _transcript(t).startswith("["),
    "transcript_text": lambda t: isinstance(_transcript(t), str)
    and _transcript(t).startswith(("AI: ", "User: ")),
    "transcript_messages": lambda t: isinstance(_transcript(t), dict),
    "transcript_agent_message": lambda t: any(x.get("role") == "agent" for x in _turn_list(t)),
    "transcript_empty": lambda t: _transcript(t) == [],
    "turn_time_empty": lambda t: any(x.get("timestamp") == "" for x in _turn_list(t)),
    "turn_time_naive": lambda t: any(
        CALL_TIME.fullmatch(x.get("timestamp", "")) for x in _turn_list(t)
    ),
    "outcome_call_back_lower": lambda t: _summary(t).get("status") == "call back",
    "outcome_callback_camel": lambda t: _summary(t).get("status") == "CallBack",
    "outcome_interested_in": lambda t: _summary(t).get("status") == "InterestedIn",
    "outcome_unknown": lambda t: _summary(t).get("status") == "Unknown",
    "summary_plain_string": lambda t: isinstance(_pcd(t).get("summary"), str)
    and "outcome" in _pcd(t),
    "callback_date_object": lambda t: isinstance(_summary(t).get("callback_datetime"), dict),
    "success_decimal": lambda t: "." in (_pcd(t).get("success_evaluator") or ""),
    "success_word": lambda t: _pcd(t).get("success_evaluator") in {"Poor", "Fair", "Good",
                                                                    "Excellent"},
    "success_null": lambda t: "success_evaluator" in _pcd(t)
    and _pcd(t)["success_evaluator"] is None,
    "structured_data_json_string": lambda t: isinstance(_pcd(t).get("structured_data"), str),
    "classification_json_string": lambda t: isinstance(_pcd(t).get("classification"), str),
    "follow_up_disabled": lambda t: _pcd(t).get("follow_up") == {"required": "follow_up disabled"},
    "call_type_vapi": lambda t: _out(t).get("call_type") in {"outboundPhoneCall",
                                                               "inboundPhoneCall"},
    "call_type_as_type": lambda t: "type" in _out(t) and "call_type" not in _out(t),
    "recording_url_empty": lambda t: _out(t).get("recording_url") == "",
    "mongo_id": lambda t: "_id" in t,
    "extra_keys": lambda t: not set(t) <= TASK_KEYS | {"_id"},
}  # fmt: skip


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=None)


def _user_words(task) -> int:
    return sum(len(x["content"].split()) for x in _turn_list(task) if x["role"] == "user")


def _user_text(task) -> str:
    return " ".join(x["content"] for x in _turn_list(task) if x["role"] == "user")


def _agent_share(task) -> float:
    words = Counter()
    for x in _turn_list(task):
        words[x["role"]] += len(x["content"].split())
    return words["assistant"] / (words["assistant"] + words["user"])


def _agent_gaps(task) -> list[float]:
    turns = _turn_list(task)
    pairs = pairwise(turns)
    return [(_parse(b["timestamp"]) - _parse(a["timestamp"])).total_seconds()
            for a, b in pairs if a["role"] == "user" and b["role"] == "assistant"]  # fmt: skip


@pytest.fixture(scope="module")
def sample():
    return make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED)


@pytest.fixture(scope="module")
def canonical():
    return make_run(600, random_state=5, messy=False)


@pytest.fixture(scope="module")
def talks():
    """Evaluated calls with a conversation (the caller spoke) of a large canonical run."""
    run = make_run(2500, random_state=11, messy=False)
    return [t for t in run["data"] if _summary(t) and any(
        x["role"] == "user" for x in _turn_list(t))]  # fmt: skip


def _by(tasks, key):
    groups: dict[str, list] = {}
    for t in tasks:
        groups.setdefault(key(t), []).append(t)
    return groups


# --- envelope, ids, determinism --------------------------------------------------------------


def test_envelope_and_ids(sample):
    head = {k: sample[k] for k in ("count", "status_code", "message")}
    assert head == {"count": SAMPLE_SIZE, "status_code": 200,
                    "message": "Tasks Fetched Successfully"}  # fmt: skip
    tasks = sample["data"]
    assert len(tasks) == sample["count"]
    ids = [t["task_id"] for t in tasks]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"T[0-9a-f]{32}", i) for i in ids)
    (run_id,) = {t["run_id"] for t in tasks}
    assert re.fullmatch(r"R[0-9a-f]{32}", run_id)
    assert {t["execution_type"] for t in tasks} == {"call"}


def test_same_seed_same_run_and_other_seed_differs():
    assert make_run(80, random_state=3) == make_run(80, random_state=3)
    assert make_run(80, random_state=3, messy=False) == make_run(80, random_state=3, messy=False)
    assert make_run(80, random_state=3) != make_run(80, random_state=4)


def test_tasks_are_newest_first(sample):
    created = [t["created"] for t in sample["data"]]
    assert created == sorted(created, reverse=True)


def test_empty_run():
    assert make_run(0) == {"count": 0, "status_code": 200,
                           "message": "Tasks Fetched Successfully", "data": []}  # fmt: skip


@pytest.mark.parametrize("bad", [-1, 2.5, "10", True, None])
def test_bad_n_tasks(bad):
    with pytest.raises(ValueError, match=re.escape(f"n_tasks={bad!r}")):
        make_run(bad)


# --- coverage --------------------------------------------------------------------------------


def test_every_task_status_and_call_status_occurs(sample):
    assert {t["status"] for t in sample["data"]} == set(TASK_STATUSES)
    statuses = {_out(t).get("call_status") for t in sample["data"]} - {None}
    assert statuses == set(CALL_STATUSES)


def test_scenarios_cover_the_vocabularies():
    assert {s[0] for s in SCENARIOS} == set(TASK_STATUSES)
    assert {s[1] for s in SCENARIOS} - {None} == set(CALL_STATUSES)
    assert sum(s[2] for s in SCENARIOS) == pytest.approx(1.0)


def test_every_outcome_occurs(sample):
    assert {_summary(t).get("status") for t in sample["data"]} >= OUTCOMES


def test_detectors_match_the_variant_table():
    assert set(DETECTORS) == set(MESSY_VARIANTS)


@pytest.mark.parametrize("variant", sorted(MESSY_VARIANTS))
def test_every_messy_variant_occurs_in_the_sample(sample, variant):
    assert any(DETECTORS[variant](t) for t in sample["data"])


@pytest.mark.parametrize("seed", [0, 5, 123])
def test_no_messy_variant_without_messy(seed):
    run = make_run(400, random_state=seed, messy=False)
    found = {name for name, hit in DETECTORS.items() for t in run["data"] if hit(t)}
    assert found == set()


def test_messy_variants_are_rare(sample):
    hits = Counter(name for name, hit in DETECTORS.items() for t in sample["data"] if hit(t))
    assert max(hits.values()) <= 0.05 * SAMPLE_SIZE


# --- canonical shapes ------------------------------------------------------------------------


def test_canonical_task_shape(canonical):
    for t in canonical["data"]:
        assert set(t) == TASK_KEYS
        assert TASK_TIME.fullmatch(t["created"])
        assert TASK_TIME.fullmatch(t["modified"])
        assert t["created"] <= t["modified"]
        assert set(t["user_info"]) == {"id", "email", "full_name", "user_token", "location"}
        assert {"name", "contact_number", "email", "company_name", "context", "labels",
                "token", "quality"} <= set(t["input"])  # fmt: skip
        assert t["assignee"] in ASSIGNEE_PROFILES


def test_canonical_output_by_status(canonical):
    for t in canonical["data"]:
        out, status = _out(t), t["status"]
        if status in {"pending", "scheduled", "hold", "processing"}:
            assert out == {}
        elif status == "failed":
            assert set(out) <= {"call_status", "error", "call_end_reason"}
            assert "call_end_reason" in out  # every ended call says why it ended
            assert out["call_status"] in {"notConnected", "busy", "failed", "voicemail",
                                          "cancelled"}  # fmt: skip
        elif status == "in_progress":
            assert out["call_status"] in {"callDispatched", "incall", "outcall"}
        else:
            assert set(out) == FULL_OUTPUT_KEYS
            assert (out["post_call_data"] == {}) == (status == "partially_completed")


def test_canonical_call_output(canonical):
    full = [t for t in canonical["data"] if "transcript" in _out(t)]
    for t in full:
        out = _out(t)
        assert CALL_TIME.fullmatch(out["start_time"])
        assert CALL_TIME.fullmatch(out["end_time"])
        seconds = (_parse(out["end_time"]) - _parse(out["start_time"])).total_seconds()
        assert out["duration"] == int(seconds)
        assert isinstance(out["duration"], int)
        assert out["call_type"] in {"inbound", "outbound"}
        assert re.fullmatch(r"\d{18}", out["call_id"])
        for turn in out["transcript"]:
            assert set(turn) == {"role", "content", "user_id", "timestamp"}
            assert turn["role"] in {"assistant", "user"}
            assert TURN_TIME.fullmatch(turn["timestamp"])
            assert (turn["user_id"] is None) == (turn["role"] == "assistant")


def test_canonical_post_call_data(canonical):
    evaluated = [_pcd(t) for t in canonical["data"] if _pcd(t)]
    for data in evaluated:
        assert set(data) == POST_CALL_KEYS
        assert data["summary"]["status"] in OUTCOMES
        assert data["success_evaluator"] in {str(i) for i in range(1, 11)}
        assert isinstance(data["structured_data"], dict)
        assert set(data["summary"]) == {"status", "summary", "name", "contact",
                                        "callback_datetime", "hours_from_now"}  # fmt: skip
        callback = data["summary"]["status"] == "Call Back"
        if data["summary"]["callback_datetime"] != "N/A":
            assert callback
        # a Call Back lead says when: in the summary, else in follow_up.time (with an
        # offset), else only in the caller's words (structured_data.preferred_time)
        when = (
            data["summary"]["callback_datetime"] != "N/A"
            or data["follow_up"]["time"] is not None
            or data["structured_data"]["preferred_time"] is not None
        )
        assert when == callback


def test_turn_times_lie_within_the_call(canonical):
    full = [t for t in canonical["data"] if _turn_list(t)]
    assert len(full) > 300
    for t in full:
        start, end = _parse(_start(t)), _parse(_out(t)["end_time"])
        times = [_parse(x["timestamp"]) for x in _turn_list(t)]
        assert start < times[0]
        assert times[-1] < end
        assert times == sorted(times)


def _containers(value):
    if isinstance(value, dict | list):
        yield id(value)
        for item in value.values() if isinstance(value, dict) else value:
            yield from _containers(item)


def test_tasks_share_no_mutable_objects(sample):
    seen = Counter(i for t in sample["data"] for i in set(_containers(t)))
    assert max(seen.values()) == 1


def test_json_round_trip(sample):
    assert json.loads(json.dumps(sample)) == sample


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 30), seed=st.integers(0, 2**32 - 1), messy=st.booleans())
def test_any_seed_gives_a_consistent_run(n, seed, messy):
    run = make_run(n, random_state=seed, messy=messy)
    assert run["count"] == len(run["data"]) == n
    assert len({t["task_id"] for t in run["data"]}) == n
    assert len({t["run_id"] for t in run["data"]}) <= 1
    assert json.loads(json.dumps(run)) == run


# --- structure built into the data ----------------------------------------------------------


def test_profiles_are_well_formed():
    for profile in ASSIGNEE_PROFILES.values():
        assert sum(profile["outcomes"].values()) == pytest.approx(1.0)
    assert sum(p["share"] for p in ASSIGNEE_PROFILES.values()) == pytest.approx(1.0)
    assert len(ASSIGNEE_PROFILES) == 4


def test_interested_callers_talk_and_ask_more(talks):
    by = _by(talks, lambda t: _summary(t)["status"])
    words = {k: statistics.mean(map(_user_words, v)) for k, v in by.items()}
    assert words["Interested"] > 1.4 * words["Not Interested"]
    questions = {k: statistics.mean(_user_text(t).count("?") for t in v) for k, v in by.items()}
    assert questions["Interested"] > 1.5 * questions["Not Interested"]


def test_phrases_follow_outcomes_with_noise(talks):
    by = _by(talks, lambda t: _summary(t)["status"])

    def rate(pattern, outcomes):
        calls = [t for o in outcomes for t in by[o]]
        return sum(bool(pattern.search(_user_text(t))) for t in calls) / len(calls)

    others = set(by) - {"Interested"}
    assert rate(PRICE, ["Interested"]) > 0.5 > 0.2 > rate(PRICE, others) > 0
    assert rate(CALLBACK, ["Call Back"]) > 0.8 > 0.1 > rate(CALLBACK, set(by) - {"Call Back"}) > 0
    not_ni = set(by) - {"Not Interested"}
    assert rate(NOT_INTERESTED, ["Not Interested"]) > 0.8 > 0.1 > rate(NOT_INTERESTED, not_ni) > 0
    assert 0 < rate(HUMAN, set(by)) < 0.15
    assert any("wrong number" in _user_text(t) for t in talks)


def test_interested_is_predictable_but_not_perfectly(talks):
    y = [_summary(t)["status"] == "Interested" for t in talks]
    auc = roc_auc_score(y, [_user_words(t) for t in talks])
    assert 0.7 < auc < 0.97


def test_agents_differ_in_outcomes(talks):
    by = _by(talks, lambda t: t["assignee"])
    rate = {a: statistics.mean(_summary(t)["status"] == "Interested" for t in v)
            for a, v in by.items()}  # fmt: skip
    assert max(rate, key=rate.get) == "space-agent-cleo"
    assert min(rate, key=rate.get) == "space-agent-dex"
    assert rate["space-agent-cleo"] - rate["space-agent-dex"] > 0.15


def test_agents_differ_in_talk_share_length_and_latency(talks):
    by = _by(talks, lambda t: t["assignee"])
    share = {a: statistics.mean(map(_agent_share, v)) for a, v in by.items()}
    assert max(share, key=share.get) == "space-agent-bolt"
    assert share["space-agent-bolt"] - sorted(share.values())[-2] > 0.05
    turns = {a: statistics.mean(len(_turn_list(t)) for t in v) for a, v in by.items()}
    assert min(turns, key=turns.get) == "space-agent-dex"
    # user turn start -> agent turn start: the caller's talk time plus the agent's latency
    gap = {a: statistics.median(g for t in v for g in _agent_gaps(t)) for a, v in by.items()}
    slowest, *others = sorted(gap, key=gap.get, reverse=True)
    assert slowest == "space-agent-dex"
    assert gap[slowest] - max(gap[a] for a in others) > 1.0


def test_turn_taking_is_realistic(talks):
    roles = [[x["role"] for x in _turn_list(t)] for t in talks]
    repeats = sum(any(a == b == "user" for a, b in pairwise(r)) for r in roles)
    assert 0 < repeats < len(talks)
    texts = Counter(x["content"] for t in talks for x in _turn_list(t) if x["role"] == "user")
    assert texts["mm-hmm"] > 0
    assert texts["Hello?"] > 0
    agent_questions = sum(x["content"].endswith("?") for t in talks for x in _turn_list(t)
                          if x["role"] == "assistant")  # fmt: skip
    assert agent_questions > len(talks)


def test_calls_are_mostly_outbound_in_business_hours_over_days(canonical):
    full = [t for t in canonical["data"] if "transcript" in _out(t)]
    kinds = Counter(_out(t)["call_type"] for t in full)
    assert kinds["outbound"] > 2 * kinds["inbound"] > 0
    starts = [_parse(_start(t)) for t in full]
    assert sum(9 <= s.hour < 18 for s in starts) > 0.8 * len(starts)
    assert len({s.date() for s in starts}) == 3


# --- the bundled sample ----------------------------------------------------------------------


def test_write_sample(tmp_path):
    out = write_sample(tmp_path / "new" / "run.json")
    assert out == tmp_path / "new" / "run.json"
    assert json.loads(out.read_text(encoding="utf-8")) == make_run(
        SAMPLE_SIZE, random_state=SAMPLE_SEED)  # fmt: skip


def test_packaged_sample_is_current(sample):
    text = (resources.files("analytics") / "data" / "sample_run.json").read_text("utf-8")
    assert json.loads(text) == sample


def test_load_sample(sample):
    pytest.importorskip("analytics.load")
    from analytics.datasets import load_sample

    run = load_sample()
    assert len(run.tasks) == SAMPLE_SIZE
    assert set(run.tasks["task_id"]) == {t["task_id"] for t in sample["data"]}
    assert set(run.calls["task_id"]) == {t["task_id"] for t in sample["data"] if _out(t)}
