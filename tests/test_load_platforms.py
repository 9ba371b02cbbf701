"""load_run across platforms: detection, forcing, mixing, and the columns every platform shares.

The Retell and Vapi calls here are the examples of docs/platforms.md, written by hand; each
adapter's own shapes are tested in test_load_retell.py and test_load_vapi.py.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from analytics.errors import SchemaError
from analytics.load import load_run
from analytics.load.payload import Adapted, Message, Output
from analytics.load.platform import platform_columns, turn_durations, voicemail_flags
from analytics.load.sources import read_tasks
from analytics.schema import CALLS_SCHEMA, TURNS_SCHEMA
from analytics.stats.outcomes import compare_groups

DATA = Path(__file__).parent / "data"
SAMPLE_FILES = ("sample_run.json", "sample_retell.json", "sample_vapi.json")

RETELL = {
    "call_id": "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6",
    "agent_id": "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD",
    "agent_version": 3,
    "agent_name": "demo-booker",
    "call_type": "phone_call",
    "direction": "outbound",
    "from_number": "+14155550100",
    "to_number": "+14155550199",
    "call_status": "ended",
    "start_timestamp": 1767266858067,
    "end_timestamp": 1767266891385,
    "duration_ms": 33318,
    "disconnection_reason": "user_hangup",
    "transcript_object": [
        {
            "role": "agent",
            "content": "Hi Asha, is this a good time?",
            "words": [{"word": "Hi", "start": 0.62, "end": 0.80}],
        },
        {
            "role": "user",
            "content": "Yes, go ahead.",
            "words": [{"word": "Yes,", "start": 3.10, "end": 3.42}],
        },
    ],
    "call_analysis": {
        "call_summary": "Lead agreed to a demo.",
        "user_sentiment": "Positive",
        "call_successful": True,
        "in_voicemail": False,
        "custom_analysis_data": {"outcome": "Interested"},
    },
    "latency": {"e2e": {"p50": 812.0, "p90": 1240.0, "num": 4}},
    "call_cost": {"combined_cost": 7.42},
}
VAPI = {
    "id": "0b7c6e2a-2f3e-4c55-9d0e-6a1f8f3c2b11",
    "type": "outboundPhoneCall",
    "status": "ended",
    "assistantId": "5b0a4a08-assistant-uuid",
    "customer": {"number": "+14155550199", "name": "Asha"},
    "createdAt": "2026-01-01T11:47:30.100Z",
    "startedAt": "2026-01-01T11:47:38.067Z",
    "endedAt": "2026-01-01T11:48:11.385Z",
    "endedReason": "customer-ended-call",
    "cost": 0.0742,
    "costBreakdown": {"llm": 0.0021, "total": 0.0742, "llmPromptTokens": 3650},
    "artifact": {
        "messages": [
            {"role": "system", "message": "You are Aria...", "time": 1767268058067},
            {
                "role": "bot",
                "message": "Hi Asha, is this a good time?",
                "time": 1767268058690,
                "endTime": 1767268060410,
                "secondsFromStart": 0.62,
            },
            {
                "role": "user",
                "message": "Yes, go ahead.",
                "time": 1767268061170,
                "endTime": 1767268062050,
                "secondsFromStart": 3.1,
            },
        ],
        "performanceMetrics": {"turnLatencies": [{"turnLatency": 1020}]},
    },
    "analysis": {"summary": "Lead agreed to a demo.", "structuredData": {"outcome": "Interested"}},
}


@pytest.fixture
def unpod() -> dict:
    return json.loads((DATA / "task_completed.json").read_text())


@pytest.fixture
def mixed(unpod) -> list:
    return [unpod, copy.deepcopy(RETELL), copy.deepcopy(VAPI)]


def test_three_platforms_load_into_one_run(mixed):
    run = load_run(mixed)
    calls = run.calls.set_index("platform")
    assert calls.index.tolist() == ["unpod", "retell", "vapi"]
    # durations: Unpod's 33 s; Retell 33318 ms; Vapi 11:48:11.385 - 11:47:38.067 = 33.318 s
    assert calls["duration_s"].tolist() == [33.0, 33.318, 33.318]
    # costs: Unpod 0.0473; Retell 7.42 cents; Vapi 0.0742 USD
    assert calls["cost"].tolist() == [0.0473, 0.0742, 0.0742]
    assert calls["outcome"].tolist() == ["Interested"] * 3
    assert calls["assignee"].tolist()[1:] == ["demo-booker", "5b0a4a08-assistant-uuid"]
    assert calls["connected"].tolist() == [True, True, True]
    # turns: 4 Unpod messages, 2 Retell utterances, 2 Vapi messages (the system prompt is not said)
    assert calls["n_turns"].tolist() == [4, 2, 2]
    assert run.tasks["task_id"].tolist() == run.calls["task_id"].tolist()
    assert list(run.calls.columns[: len(CALLS_SCHEMA)]) == list(CALLS_SCHEMA)
    assert list(run.turns.columns) == list(TURNS_SCHEMA)
    assert run.problems.empty, run.problems


def test_each_platform_keeps_its_own_units(mixed):
    calls = load_run(mixed).calls.set_index("platform")
    assert calls.loc["retell", "start_time"] == pd.Timestamp("2026-01-01 11:27:38.067", tz="UTC")
    assert calls.loc["retell", "latency_e2e_p50_s"] == 0.812  # 812 ms
    assert calls.loc["retell", "latency_e2e_p90_s"] == 1.24  # 1240 ms
    assert calls.loc["vapi", "latency_e2e_p50_s"] == 1.02  # one turn of 1020 ms
    assert pd.isna(calls.loc["unpod", "latency_e2e_p50_s"])
    assert calls.loc["vapi", "llm_prompt_tokens"] == 3650
    assert calls.loc["unpod", "llm_prompt_tokens"] == 1200  # output.metadata.usage
    assert calls.loc["retell", "sentiment_label"] == "Positive"
    assert calls["voicemail"].tolist() == [False, False, False]


def test_turn_offsets_and_talk_time_per_platform(mixed):
    run = load_run(mixed)
    turns = run.turns.merge(run.calls[["task_id", "platform"]]).set_index("platform")
    # Retell: the first word's start; Vapi: time - startedAt (= secondsFromStart to the ms)
    assert turns.loc["retell", "offset_s"].tolist() == [0.62, 3.1]
    vapi = turns.loc["vapi"]
    assert vapi["offset_s"].round(3).tolist() == [0.623, 3.103]
    assert vapi["duration_s"].tolist() == [1.72, 0.88]  # endTime - time, in ms / 1000
    assert turns.loc["retell", "duration_s"].isna().all()
    assert vapi["speaker"].tolist() == ["agent", "user"]


def test_compare_groups_by_platform(mixed):
    calls = pd.concat([load_run(mixed).calls] * 4, ignore_index=True)
    calls.loc[[0, 3], "outcome"] = "Not Interested"  # one unpod, one unpod of the next copy
    result = compare_groups(calls, by="platform")
    row = result.iloc[0]
    assert row["n"] == 12
    assert row["n_groups"] == 3
    assert row["n_outcomes"] == 2
    # expected counts of Not Interested are 2/3 per platform: under 1, so it is not trusted
    assert not row["reliable"]


def test_json_bytes_and_objects_give_the_same_tables(mixed, tmp_path):
    objects = load_run(mixed)
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(mixed))
    for source in (path, path.read_bytes(), str(path)):
        run = load_run(source)
        pd.testing.assert_frame_equal(run.calls, objects.calls)
        pd.testing.assert_frame_equal(run.turns, objects.turns)


@pytest.mark.parametrize("calls", [[RETELL] * 2, [VAPI] * 2], ids=["retell", "vapi"])
def test_a_whole_file_of_one_platform_takes_the_typed_path(calls):
    raw = json.dumps(calls).encode()
    tasks, _ = read_tasks(raw)
    assert len(tasks) == 2
    assert tasks[0].output is not None
    pd.testing.assert_frame_equal(load_run(raw).calls, load_run(calls).calls)


def test_platform_forces_the_reading_and_skips_other_shapes(unpod):
    run = load_run([unpod, RETELL], platform="retell")
    assert run.calls["platform"].tolist() == ["retell"]
    (problem,) = run.problems.itertuples()
    assert problem.field == "call"
    assert problem.problem.startswith("item 0 of the input (keys [")
    assert problem.problem.endswith("is not a retell call; it was skipped")


def test_platform_unpod_reads_a_retell_call_as_a_task_without_an_id():
    run = load_run([RETELL], platform="unpod")
    assert run.calls.empty
    assert run.problems["field"].tolist() == ["task_id"]


def test_an_object_of_no_platform_names_the_keys_it_found():
    with pytest.raises(SchemaError, match=r"keys \['foo'\] but no platform's shape"):
        load_run({"foo": 1})
    with pytest.raises(SchemaError, match=r"not a Vapi call \('id' with Vapi fields\)"):
        load_run({"call_id": "C1"}, platform="vapi")


def test_bad_platform_and_platform_with_a_dataset_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"platform='zoom' is not one this loader reads"):
        load_run([RETELL], platform="zoom")
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(ValueError, match=r"platform='retell' does not apply to a dataset"):
        load_run(tmp_path, platform="retell")


# --- columns every platform shares ------------------------------------------------------------


def task(task_id: str, **output) -> dict:
    return {"task_id": task_id, "output": {"call_status": "completed", **output}}


def test_voicemail_comes_from_the_end_reason_when_no_platform_flag():
    tasks = [
        task("T1", end_reason="voicemail"),
        task("T2", end_reason="user_hangup"),
        task("T3"),
        task("T4", call_status="voicemail"),
        task("T5", end_reason="Voicemail Reached"),
    ]
    assert load_run(tasks).calls["voicemail"].tolist() == [True, False, pd.NA, True, True]


def test_a_platform_flag_wins_over_the_end_reason():
    flags = pd.Series([False, True, pd.NA], dtype="boolean")
    reasons = pd.Series(["voicemail", "user_hangup", "dial_busy"])
    result = voicemail_flags(flags, reasons, pd.Series([None] * 3, dtype="str"))
    assert result.tolist() == [False, True, False]


def test_pass_fail_evaluations_score_one_and_zero():
    evaluations = ["true", "False", "8", "great", None]
    tasks = [
        task(f"T{i}", post_call_data={"success_evaluator": e}) for i, e in enumerate(evaluations)
    ]
    calls = load_run(tasks).calls
    assert calls["success_score"].tolist() == [1.0, 0.0, 8.0, pd.NA, pd.NA]
    assert calls["success_evaluator"].tolist()[:2] == ["true", "False"]  # kept as written


def test_unpod_usage_fills_the_usage_columns_and_reports_what_is_not_a_count():
    usage = [
        {"llm_prompt_tokens": 1200, "llm_completion_tokens": 80, "tts_characters_count": 512},
        {"llm_prompt_tokens": -3},
        {"llm_prompt_tokens": 2.5},
        {"llm_prompt_tokens": "many"},
    ]
    tasks = [task(f"T{i}", metadata={"usage": u}) for i, u in enumerate(usage)]
    tasks.append(task("T4", metadata="cheap"))
    run = load_run(tasks)
    calls = run.calls
    assert calls["llm_prompt_tokens"].tolist() == [1200, pd.NA, pd.NA, pd.NA, pd.NA]
    assert calls.loc[0, ["llm_completion_tokens", "tts_characters"]].tolist() == [80, 512]
    said = dict(zip(run.problems["task_id"], run.problems["problem"]))
    assert said["T1"] == (
        "llm_prompt_tokens -3 is not a possible count (0..9,007,199,254,740,992); left NA"
    )
    assert said["T2"] == "llm_prompt_tokens is not a whole number; left NA"
    assert said["T3"] == "unreadable llm_prompt_tokens 'many'; left NA"
    assert said["T4"] == "metadata is a str ('cheap'), not an object; the usage columns left NA"


def test_platform_columns_report_impossible_latencies_and_parts():
    outputs = [
        Output(adapted=Adapted(platform="vapi", latency_llm_p50_s=90_000.0, cost_parts=[1])),
        Output(adapted=Adapted(platform="retell", agent_version=3, cost_parts={"llm": 0.02})),
    ]
    columns, problems = platform_columns(["C1", "C2"], outputs)
    version, parts = pd.Series(columns["agent_version"]), pd.Series(columns["cost_parts"])
    assert version.isna().tolist() == [True, False]
    assert version[1] == "3"
    assert parts.isna().tolist() == [True, False]
    assert parts[1] == '{"llm":0.02}'
    found = pd.concat([p for p in problems if p is not None])
    assert found["field"].tolist() == ["latency_llm_p50_s", "cost_parts"]
    assert found["problem"].iloc[0].startswith("latency_llm_p50_s 90,000 is not a possible latency")


def test_turn_talk_time_from_end_stamps_else_duration():
    # (1767268060410 - 1767268058690) ms = 1.72 s; 880 ms = 0.88 s; an end before its start: NA
    messages = [
        Message(time=1767268058690, endTime=1767268060410),
        Message(duration=880),
        Message(time=5, endTime=1),
        Message(),
    ]
    seconds, problems = turn_durations(messages, ["C1"] * 4)
    assert seconds.tolist() == [1.72, 0.88, pd.NA, pd.NA]
    assert problems is not None
    assert problems["problem"].tolist() == [
        "transcript.endTime gives a talk time of -0.004 s, not a possible one (0..86,400 s); "
        "duration_s left NA"
    ]


def test_a_vapi_list_mixing_calls_and_end_of_call_reports_takes_the_typed_path():
    from analytics.load import vapi

    report = {"message": {"type": "end-of-call-report", "call": {"id": "V2", "status": "ended"}}}
    raw = json.dumps([VAPI, report]).encode()
    typed = vapi.decode(raw)
    assert typed is not None
    assert [t.task_id for t in typed] == [VAPI["id"], "V2"]
    pd.testing.assert_frame_equal(load_run(raw).calls, load_run([VAPI, report]).calls)
    other = {"message": {"type": "status-update", "status": "ringing"}}
    assert vapi.decode(json.dumps([VAPI, other]).encode()) is None  # the lenient path reports it


def test_the_three_bundled_samples_load_into_one_run():
    from analytics.datasets import load_sample

    runs = {p: load_sample(platform=p) for p in ("unpod", "retell", "vapi")}
    paths = [resources.files("analytics") / "data" / f for f in SAMPLE_FILES]
    run = load_run([Path(str(p)) for p in paths])
    counts = run.calls["platform"].value_counts().to_dict()
    assert counts == {p: len(r.calls) for p, r in runs.items()}  # no call id shared
    assert len(run.tasks) == sum(len(r.tasks) for r in runs.values())
    result = compare_groups(run.calls, by="platform").iloc[0]
    assert result["n_groups"] == 3
    assert result["n"] == run.calls["outcome"].notna().sum()


def test_vapi_cost_parts_written_as_text_are_read():
    call = {**VAPI, "costBreakdown": {"llm": "0.0021", "tts": 0.012, "stt": "n/a", "total": "1"}}
    parts = load_run([call]).calls["cost_parts"].iloc[0]
    assert json.loads(parts) == {"llm": 0.0021, "tts": 0.012}  # "n/a" is no amount; total is cost


def test_a_cost_part_whose_name_is_not_valid_unicode_is_kept_with_its_escape():
    # a lone surrogate in a product name: the part is written as JSON does (its escape), not
    # dropped as "not an object of amounts"
    cost = {"combined_cost": 5, "product_costs": [{"product": "tts\ud800", "cost": 3}]}
    run = load_run([{"call_id": "c1", "call_status": "ended", "call_cost": cost}])
    assert json.loads(run.calls["cost_parts"].iloc[0]) == {"tts\ud800": 0.03}
    assert run.problems.empty, run.problems
