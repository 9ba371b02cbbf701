"""load_run: the follow-up columns of ``calls`` (contact, callback_*, follow_up_*), and datasets
written before those columns existed."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.io.dataset import write_dataset
from analytics.load import load_run, open_dataset
from analytics.load.dataset import table_path
from analytics.load.parse import parse_zoned_timestamps, time_values
from analytics.schema import CALLBACK_SOURCES, CALLS_SCHEMA, TIMESTAMP

FOLLOW_UP_COLUMNS = [
    "contact",
    "callback_at",
    "callback_text",
    "callback_source",
    "follow_up_required",
    "follow_up_reason",
]
NEW_SCHEMA = {c: CALLS_SCHEMA[c] for c in FOLLOW_UP_COLUMNS}


def call(task_id: str, *, post=..., **output) -> dict:
    """A connected call task; ``post`` is its post_call_data (left out when not given)."""
    out = {
        "call_id": f"c{task_id}",
        "call_status": "completed",
        "start_time": "2026-01-31 11:47:38",
        "duration": 33,
        **output,
    }
    if post is not ...:
        out["post_call_data"] = post
    return {"task_id": task_id, "run_id": "R1", "assignee": "a1", "output": out}


def post(summary=None, follow_up=None, profile=None, structured=None) -> dict:
    data = {"summary": {"status": "Call Back", **(summary or {})}}
    data |= {} if follow_up is None else {"follow_up": follow_up}
    data |= {} if profile is None else {"profile_summary": profile}
    return data | ({} if structured is None else {"structured_data": structured})


def utc(text: str | None) -> pd.Timestamp:
    return pd.NaT if text is None else pd.Timestamp(text, tz="UTC")


def expected(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["task_id", *FOLLOW_UP_COLUMNS])
    frame["callback_at"] = pd.to_datetime(frame["callback_at"], utc=True)
    return frame.astype({"task_id": "str", **NEW_SCHEMA})


def follow_ups(run) -> pd.DataFrame:
    return run.calls[["task_id", *FOLLOW_UP_COLUMNS]].reset_index(drop=True)


# --- the callback time: sources, their order, zones --------------------------------------------


SOURCES_RUN = [
    call("T1", post=post({"callback_datetime": "2026-02-01 10:00"})),
    call(
        "T2",
        post=post(
            {"callback_datetime": "N/A"},
            follow_up={"required": True, "time": "2026-01-31T16:00:00+05:30", "reason": "Call"},
        ),
    ),
    call("T3", post=post(profile={"callback_time": "2026-02-02 09:00 Asia/Kolkata"})),
    call("T4", post=post(structured={"preferred_time": "11 AM"})),
    call("T5", post=post({"callback_datetime": {"$date": 1769940000000}})),
    call("T6", post=post(structured='{"callback_time": "2026-02-04 08:00Z"}')),
    call(
        "T7",
        post=post(
            follow_up={"time": None},
            structured={"preferred_time": "after 5", "callback_datetime": "2026-02-05T07:00"},
        ),
    ),
    call("T8"),
]


def test_each_source_in_turn_gives_the_callback_time():
    got = follow_ups(load_run(SOURCES_RUN))
    # T2: 16:00 at +05:30 is 10:30 UTC; T3: 09:00 in Kolkata (UTC+05:30) is 03:30 UTC;
    # T5: 1769940000000 ms since 1970 is 2026-02-01 10:00 UTC (the legacy {"$date": ms});
    # T7: structured_data.callback_datetime comes before structured_data.preferred_time
    want = expected(
        [
            ("T1", None, utc("2026-02-01 10:00"), "2026-02-01 10:00",
             "summary.callback_datetime", None, None),
            ("T2", None, utc("2026-01-31 10:30"), "2026-01-31T16:00:00+05:30", "follow_up.time",
             True, "Call"),
            ("T3", None, utc("2026-02-02 03:30"), "2026-02-02 09:00 Asia/Kolkata",
             "profile_summary.callback_time", None, None),
            ("T4", None, None, "11 AM", "structured_data.preferred_time", None, None),
            ("T5", None, utc("2026-02-01 10:00"), '{"$date":1769940000000}',
             "summary.callback_datetime", None, None),
            ("T6", None, utc("2026-02-04 08:00"), "2026-02-04 08:00Z",
             "structured_data.callback_time", None, None),
            ("T7", None, utc("2026-02-05 07:00"), "2026-02-05T07:00",
             "structured_data.callback_datetime", None, None),
            ("T8", None, None, None, None, None, None),
        ]
    )  # fmt: skip
    pd.testing.assert_frame_equal(got, want)


def test_free_text_where_text_may_be_free_is_silent():
    run = load_run(SOURCES_RUN)
    assert run.problems.empty  # "11 AM" and "after 5" are structured_data: no problem rows


def test_the_first_source_that_is_a_time_wins_and_a_strict_text_that_is_not_is_reported():
    tasks = [
        call(
            "T1",
            post=post(
                {"callback_datetime": "soon"},
                follow_up={"time": "2026-02-03 12:00Z"},
                profile={"callback_time": "2026-02-09 12:00"},
            ),
        ),
        call("T2", post=post({"callback_datetime": "tomorrow"}, follow_up={"time": "11 AM"})),
        call("T3", post=post(follow_up={"time": "11 AM"}, profile={"callback_time": "evening"})),
    ]
    run = load_run(tasks)
    want = expected(
        [
            ("T1", None, utc("2026-02-03 12:00"), "2026-02-03 12:00Z", "follow_up.time", None,
             None),
            ("T2", None, None, "tomorrow", "summary.callback_datetime", None, None),
            ("T3", None, None, "11 AM", "follow_up.time", None, None),
        ]
    )  # fmt: skip
    pd.testing.assert_frame_equal(follow_ups(run), want)
    # the profile's "evening" is free text: no row; follow_up.time must be a time: a row
    assert run.problems.to_dict("records") == [
        {
            "task_id": "T1",
            "field": "summary.callback_datetime",
            "problem": "summary.callback_datetime 'soon' is not a date and time; "
            "callback_at is read from follow_up.time",
        },
        {
            "task_id": "T2",
            "field": "summary.callback_datetime",
            "problem": "summary.callback_datetime 'tomorrow' is not a date and time; "
            "kept in callback_text (callback_at is NaT)",
        },
        {
            "task_id": "T2",
            "field": "follow_up.time",
            "problem": "follow_up.time '11 AM' is not a date and time; "
            "callback_at is read from summary.callback_datetime",
        },
        {
            "task_id": "T3",
            "field": "follow_up.time",
            "problem": "follow_up.time '11 AM' is not a date and time; "
            "kept in callback_text (callback_at is NaT)",
        },
    ]


@pytest.mark.parametrize("null", ["N/A", "n/a", "None", "NULL", "", "  ", None])
def test_null_literals_are_absent_silently(null):
    run = load_run([call("T1", post=post({"callback_datetime": null}, follow_up={"time": null}))])
    row = run.calls.iloc[0]
    assert pd.isna(row["callback_at"])
    assert pd.isna(row["callback_text"])
    assert pd.isna(row["callback_source"])
    assert run.problems.empty


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("2026-01-31T16:00:00Z", "2026-01-31 16:00"),
        ("2026-01-31T16:00:00-03:00", "2026-01-31 19:00"),  # 16:00 at -03:00 is 19:00 UTC
        ("2026-01-31 16:00", "2026-01-31 16:00"),  # naive is UTC
        ("2026-07-01 12:00 Europe/Berlin", "2026-07-01 10:00"),  # summer: UTC+2
        ("2026-01-15 12:00 Europe/Berlin", "2026-01-15 11:00"),  # winter: UTC+1
        ("2026-01-31T16:00Z Asia/Kolkata", "2026-01-31 16:00"),  # the offset wins over a name
        ("2026-01-31 16:00 UTC", "2026-01-31 16:00"),
        ("2026-03-29 02:30 Europe/Berlin", None),  # does not exist: clocks jump 02:00 -> 03:00
        ("2026-10-25 02:30 Europe/Berlin", None),  # ambiguous: it happens twice
        ("2026-01-31 16:00 Mars/Olympus", None),  # no such zone
        (1769940000000, "2026-02-01 10:00"),  # epoch milliseconds
        ({"$date": {"$numberLong": "1769940000000"}}, "2026-02-01 10:00"),
        ({"$date": "2026-02-01T10:00:00Z"}, "2026-02-01 10:00"),
    ],
)
def test_zones_offsets_and_epochs(text, at):
    run = load_run([call("T1", post=post(follow_up={"time": text}))])
    got = run.calls["callback_at"].iloc[0]
    assert pd.isna(got) if at is None else got == utc(at)
    assert (len(run.problems) == 0) == (at is not None)  # follow_up.time must be a time


@pytest.mark.parametrize("wrong", [True, [1, "x"], {"k": "v"}, {"$date": True}])
def test_a_value_of_no_time_type_is_na_with_a_problem(wrong):
    run = load_run([call("T1", post=post({"callback_datetime": wrong}))])
    row = run.calls.iloc[0]
    assert pd.isna(row["callback_at"])
    assert pd.isna(row["callback_text"])
    (problem,) = run.problems.to_dict("records")
    assert problem["field"] == "summary.callback_datetime"
    assert problem["problem"].startswith("unreadable summary.callback_datetime ")


def test_structured_values_of_no_time_type_are_skipped_silently():
    data = {"callback_time": [1, 2], "preferred_time": True, "follow_up_time": "9 PM"}
    run = load_run([call("T1", post=post(structured=data))])
    row = run.calls.iloc[0]
    assert (row["callback_text"], row["callback_source"]) == (
        "9 PM",
        "structured_data.follow_up_time",
    )
    assert run.problems.empty


def test_each_distinct_value_is_parsed_once(monkeypatch):
    import analytics.load.parse as parse

    seen = []
    original = parse.parse_timestamps

    def counting(values, **kw):
        seen.append(len(values))
        return original(values, **kw)

    monkeypatch.setattr(parse, "parse_timestamps", counting)
    same = post({"callback_datetime": "2026-02-01 10:00"}, follow_up={"time": "2026-02-01 10:00"})
    load_run([call(f"T{i}", post=same) for i in range(50)])
    assert max(seen) == 1  # 100 values, 1 distinct: one value parsed


def test_parse_zoned_timestamps_of_nothing_and_of_repeats():
    empty, bad = parse_zoned_timestamps([])
    assert empty.dtype == TIMESTAMP
    assert bad.tolist() == []
    stamps, bad = parse_zoned_timestamps(["2026-02-01 10:00 Asia/Kolkata"] * 3 + [None])
    assert stamps.tolist()[:3] == [utc("2026-02-01 04:30")] * 3  # 10:00 - 05:30
    assert bad.tolist() == [False] * 4


def test_time_values_keeps_text_and_flags_other_types():
    keys, text, wrong = time_values([" 11 AM ", 1769940000000, float("nan"), None, "N/A"])
    assert keys.tolist() == ["11 AM", 1769940000000, None, None, None]
    assert text.tolist()[:2] == ["11 AM", "1769940000000"]
    assert wrong.tolist() == [False, False, True, False, False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([None, "N/A", "11 AM", "2026-02-01 10:00", "2026-02-02T08:00+01:00"]),
        min_size=7,
        max_size=7,
    )
)
def test_callback_source_is_the_first_time_else_the_first_present_source(values):
    summary_at, follow_at, profile_at, *structured = values
    keys = [k.split(".", 1)[1] for k in CALLBACK_SOURCES[3:]]
    task = call(
        "T1",
        post=post(
            {"callback_datetime": summary_at},
            follow_up={"time": follow_at},
            profile={"callback_time": profile_at},
            structured=dict(zip(keys, structured)),
        ),
    )
    row = load_quietly([task]).calls.iloc[0]
    present = [(s, v) for s, v in zip(CALLBACK_SOURCES, values) if v not in (None, "N/A")]
    timed = [(s, v) for s, v in present if v != "11 AM"]
    source, text = (timed or present or [(None, None)])[0]
    if source is None:
        assert pd.isna(row["callback_source"])
        assert pd.isna(row["callback_text"])
    else:
        assert (row["callback_source"], row["callback_text"]) == (source, text)
    # 08:00 at +01:00 is 07:00 UTC
    at = {"2026-02-01 10:00": "2026-02-01 10:00", "2026-02-02T08:00+01:00": "2026-02-02 07:00"}
    if text in at:
        assert row["callback_at"] == utc(at[text])
    else:
        assert pd.isna(row["callback_at"])


def load_quietly(tasks):
    logging.getLogger("analytics.load.run").setLevel(logging.WARNING)
    return load_run(tasks)


# --- contact, follow_up.required, follow_up.reason ---------------------------------------------


def test_contact_is_the_output_number_else_the_summary_contact():
    tasks = [
        call("T1", contact_number=9876543210, post=post({"contact": "1111111111"})),
        call("T2", post=post({"contact": "+91 98765 43210"})),
        call("T3", contact_number="N/A", post=post({"contact": "2222222222"})),
        call("T4"),
    ]
    # T1: a number is spelled as text; T3: the platform's "N/A" is absent, and (as for the
    # customer's name) the summary is read only when the output has no contact_number at all
    contact = load_run(tasks).calls["contact"]
    assert contact.iloc[:2].tolist() == ["9876543210", "+91 98765 43210"]
    assert contact.iloc[2:].isna().all()


def test_follow_up_required_is_a_boolean_or_na():
    tasks = [
        call("T1", post=post(follow_up={"required": True, "reason": "Email the brochure"})),
        call("T2", post=post(follow_up={"required": False})),
        call("T3", post=post(follow_up={"required": "follow_up disabled"})),
        call("T4", post=post(follow_up={"required": "yes"})),
        call("T5", post=post(follow_up={"required": 1})),
        call("T6", post=post(follow_up='{"required": true, "reason": "as JSON text"}')),
        call("T7", post=post(follow_up=[1])),
    ]
    run = load_run(tasks)
    calls = run.calls
    assert calls["follow_up_required"].tolist() == [True, False, pd.NA, pd.NA, pd.NA, True, pd.NA]
    assert calls["follow_up_reason"].iloc[[0, 5]].tolist() == ["Email the brochure", "as JSON text"]
    # "follow_up disabled" is the platform's note for "no follow-up feature": NA, silently
    assert run.problems[["task_id", "field"]].to_dict("records") == [
        {"task_id": "T7", "field": "post_call_data.follow_up"},
        {"task_id": "T4", "field": "follow_up_required"},
        {"task_id": "T5", "field": "follow_up_required"},
    ]
    assert run.problems["problem"].iloc[0] == (
        "follow_up is a list ([1]), expected an object or text; left NA"
    )


def test_an_empty_run_has_the_follow_up_columns():
    calls = load_run([]).calls
    assert list(calls.columns) == list(CALLS_SCHEMA)
    assert {c: str(calls[c].dtype) for c in FOLLOW_UP_COLUMNS} == NEW_SCHEMA


def test_the_columns_follow_structured_data_in_the_schema():
    names = list(CALLS_SCHEMA)
    at = names.index("structured_data")
    assert names[at + 1 : at + 7] == FOLLOW_UP_COLUMNS
    assert NEW_SCHEMA == {
        "contact": "str",
        "callback_at": "datetime64[ns, UTC]",
        "callback_text": "str",
        "callback_source": "str",
        "follow_up_required": "boolean",
        "follow_up_reason": "str",
    }


# --- datasets written before the columns existed ----------------------------------------------


def _drop_new_columns(root, space: str, run_id: str) -> None:
    """Rewrite a run's calls file as an older version of the library wrote it."""
    path = table_path(root, "calls", space, run_id)
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(FOLLOW_UP_COLUMNS), path)


def _two_runs():
    old = [call("T1", contact_number="9876543210", post=post({"callback_datetime": "2026-02-01"}))]
    new = [call("T2", contact_number="9123456780", post=post(follow_up={"required": True}))]
    return [{**t, "run_id": "OLD"} for t in old], [{**t, "run_id": "NEW"} for t in new]


def test_a_run_written_without_the_new_columns_reads_them_back_as_na(tmp_path):
    old, _new = _two_runs()
    write_dataset(old, tmp_path, space="S")
    _drop_new_columns(tmp_path, "S", "OLD")
    assert "contact" not in pq.read_schema(table_path(tmp_path, "calls", "S", "OLD")).names
    calls = open_dataset(tmp_path).load().calls
    assert list(calls.columns[: len(CALLS_SCHEMA)]) == list(CALLS_SCHEMA)
    assert {c: str(calls[c].dtype) for c in FOLLOW_UP_COLUMNS} == NEW_SCHEMA
    assert calls[FOLLOW_UP_COLUMNS].isna().all().all()


def test_old_and_new_runs_together_and_a_column_selection(tmp_path):
    old, new = _two_runs()
    write_dataset(old, tmp_path, space="S")
    write_dataset(new, tmp_path, space="S")
    _drop_new_columns(tmp_path, "S", "OLD")
    data = open_dataset(tmp_path)
    calls = data.load().calls.set_index("task_id")
    assert pd.isna(calls.loc["T1", "contact"])
    assert calls.loc["T2", "contact"] == "9123456780"
    assert calls["follow_up_required"].dtype == "boolean"
    assert pd.isna(calls.loc["T1", "follow_up_required"])
    assert bool(calls.loc["T2", "follow_up_required"])
    chosen = data.load(runs="OLD", columns=["contact", "callback_at"]).calls
    assert list(chosen.columns) == ["task_id", "run_id", "contact", "callback_at", "space"]
    assert chosen["callback_at"].dtype == TIMESTAMP
    assert chosen["callback_at"].isna().all()
    empty = data.empty_table("calls", data.entries(runs="OLD"))
    assert {c: str(empty[c].dtype) for c in FOLLOW_UP_COLUMNS} == NEW_SCHEMA


def test_a_saved_run_json_round_trip_keeps_the_columns(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(SOURCES_RUN), encoding="utf-8")
    pd.testing.assert_frame_equal(follow_ups(load_run(path)), follow_ups(load_run(SOURCES_RUN)))
