"""Hostile sources: any nesting depth, any string content, BOMs, NaN tokens, odd bytes.

Each loads, or fails with a :class:`~analytics.errors.SchemaError` when it holds no run at
all; a value the loader reads that cannot be read is NA with a ``problems`` row naming its
task and field, and the other tasks are untouched.
"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from analytics.errors import ApiError, SchemaError
from analytics.load import Run, load_run

FORMS = ["dict", "text", "bytes", "file"]


def call(task_id: str = "T1", /, **fields) -> dict:
    """A connected two-turn call; ``fields`` are set on the task (dotted keys go deeper)."""
    task = {
        "task_id": task_id,
        "assignee": "a1",
        "input": {"name": "Asha"},
        "output": {
            "call_id": "c1",
            "call_status": "completed",
            "duration": 33,
            "post_call_data": {"structured_data": {"budget": "high"}},
            "transcript": [
                {"role": "assistant", "content": "Hi"},
                {"role": "user", "content": "Yes."},
            ],
        },
    }
    for path, value in fields.items():
        *parents, last = path.split(".")
        node = task
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        node[int(last) if last.isdigit() else last] = value
    return task


HOLE = "HOLE-7f3a"
"""A marker string in a payload, swapped for raw JSON text (deep nesting) after dumping."""


def deep_list(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def deep_object(depth: int):
    value: dict = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def deep_text(depth: int, kind: str = "list") -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def as_form(tasks: list, form: str, tmp_path, holes: dict | None = None):
    """``tasks`` as the given source form; ``holes`` maps a marker to the raw JSON it
    stands for (dict form: to the Python value)."""
    if form == "dict":
        return json.loads(json.dumps(tasks), object_hook=lambda d: _fill(d, holes or {}))
    text = json.dumps(tasks)
    for marker, raw in (holes or {}).items():
        text = text.replace(json.dumps(marker), raw)
    if form == "text":
        return text
    if form == "bytes":
        return text.encode()
    path = tmp_path / "run.json"
    path.write_text(text, encoding="utf-8")
    return path


def _fill(obj: dict, holes: dict) -> dict:
    return {
        k: json.loads(holes[v]) if isinstance(v, str) and v in holes else v for k, v in obj.items()
    }


def load(source) -> Run:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_run(source)


# --- defect: nesting deeper than the recursion limit ----------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("depth", [1_000, 5_000, 100_000])
@pytest.mark.parametrize("kind", ["list", "object"])
def test_deep_nesting_in_an_ignored_field_loads_as_if_it_were_not_there(
    form, depth, kind, tmp_path
):
    tasks = [call("T1", extra=HOLE), call("T2", **{"output.provider_data": HOLE})]
    holes = {HOLE: deep_text(depth, kind)}
    if form == "dict":  # built without recursion (json.loads would hit the limit itself)
        source = [call("T1", extra=deep_list(depth)), call("T2", **{"output.provider_data": {}})]
        source[1]["output"]["provider_data"] = deep_object(depth) if kind == "object" else []
    else:
        source = as_form(tasks, form, tmp_path, holes)
    run = load(source)
    plain = load([call("T1"), call("T2")])
    pd.testing.assert_frame_equal(run.calls, plain.calls)
    pd.testing.assert_frame_equal(run.turns, plain.turns)
    assert run.problems.empty


READ_DEEP = [
    # (field set to the deep value, probe table.column, problem field)
    ("assignee", "tasks.assignee", "assignee"),
    ("output.duration", "calls.duration_s", "duration"),
    ("output.call_status", "calls.call_status", "call_status"),
    ("output.post_call_data.structured_data", "calls.structured_data", "structured_data"),
    ("output.post_call_data.classification.labels", "calls.labels", "labels"),
    ("output.transcript.0.content", "turns.text", "transcript.content"),
    ("output.transcript", "calls.n_turns", "transcript"),
    ("input.name", "tasks.input_name", "input_name"),
    ("output.metadata", "calls.llm_prompt_tokens", "metadata"),
    ("output.metadata.usage.llm_prompt_tokens", "calls.llm_prompt_tokens", "llm_prompt_tokens"),
]


def probe(run: Run, where: str, task_id: str = "T1"):
    table_name, column = where.split(".")
    table = getattr(run, table_name)
    rows = table[table["task_id"] == task_id]
    return rows[column].iloc[0] if column in rows else None


@pytest.mark.parametrize("form", ["dict", "text"])
@pytest.mark.parametrize("depth", [5_000, 100_000])
@pytest.mark.parametrize(("field", "where", "problem_field"), READ_DEEP)
def test_deep_nesting_in_a_read_field_is_na_with_a_short_problem_row(
    form, depth, field, where, problem_field, tmp_path
):
    if form == "dict":
        source = [call("T1", **{field: deep_list(depth)}), call("T2")]
    else:
        source = as_form(
            [call("T1", **{field: HOLE}), call("T2")], form, tmp_path, {HOLE: deep_text(depth)}
        )
    run = load(source)
    assert run.tasks["task_id"].tolist() == ["T1", "T2"]
    assert pd.isna(probe(run, where))
    found = run.problems[run.problems["task_id"] == "T1"]
    assert problem_field in found["field"].tolist(), found
    assert found["problem"].str.len().max() < 200
    assert "[[[" in " ".join(found["problem"])
    assert not run.problems["task_id"].eq("T2").any()
    assert len(run.turns[run.turns["task_id"] == "T2"]) == 2


@pytest.mark.parametrize(
    "field",
    [
        "output.post_call_data.structured_data",
        "output.transcript",
        "output.post_call_data",
        "output.post_call_data.classification",
        "task",
        "input",
    ],
)
def test_deep_json_text_inside_a_field_is_na_with_a_problem_row(field):
    run = load([call("T1", **{field: deep_text(5_000)}), call("T2")])
    assert run.tasks["task_id"].tolist() == ["T1", "T2"]
    assert run.problems["task_id"].eq("T1").any()
    assert not run.problems["task_id"].eq("T2").any()


@pytest.mark.parametrize("tricky", ['a " [[[ {{ ]] \\', "\\", '\\"[', "]]]]}}}}", '"'])
def test_cutting_deep_json_keeps_the_brackets_and_quotes_inside_strings(tricky):
    text = json.dumps([call("T1", assignee=tricky, extra=HOLE), call("T2", assignee=tricky)])
    run = load(text.replace(json.dumps(HOLE), deep_text(5_000)))
    assert run.tasks["assignee"].tolist() == [tricky, tricky]
    assert run.problems.empty


@pytest.mark.parametrize("form", ["dict", "text"])
def test_a_task_wrapped_in_too_many_lists_is_reported_and_the_others_load(form):
    wrapped: list = [call("T2")]
    for _ in range(40):
        wrapped = [wrapped]
    source = [call("T1"), wrapped]
    run = load(source if form == "dict" else json.dumps(source))
    assert run.tasks["task_id"].tolist() == ["T1"]
    assert run.problems["field"].tolist() == ["task"]
    assert "nest" in run.problems["problem"].iloc[0]


@pytest.mark.parametrize("form", ["dict", "text", "bytes"])
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_lists_without_a_task_are_a_schema_error(form, depth, tmp_path):
    source = (
        deep_list(depth)
        if form == "dict"
        else as_form([HOLE], form, tmp_path, {HOLE: deep_text(depth)})
    )
    with pytest.raises(SchemaError, match="pass ") as info:
        load(source)
    assert len(str(info.value)) < 400


# --- defect: lone surrogates ----------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    ("field", "where", "problem_field"),
    [
        ("assignee", "tasks.assignee", "assignee"),
        ("task_id", "tasks.task_id", "task_id"),
        ("output.call_status", "calls.call_status", "call_status"),
        ("output.transcript.0.content", "turns.text", "transcript.content"),
        ("output.transcript.0.role", "turns.role", "transcript.role"),
        ("input.name", "tasks.input_name", "input_name"),
    ],
)
def test_a_lone_surrogate_is_replaced_with_a_problem_row(
    form, field, where, problem_field, tmp_path
):
    source = as_form([call("T1", **{field: "x\ud800y"}), call("T2")], form, tmp_path)
    run = load(source)
    task_id = "x\ufffdy" if field == "task_id" else "T1"
    assert run.tasks["task_id"].tolist() == [task_id, "T2"]
    assert probe(run, where, task_id) == "x\ufffdy"
    found = run.problems[run.problems["task_id"] == task_id]
    assert found["field"].tolist() == [problem_field]
    assert "\\ud800" in found["problem"].iloc[0]
    assert "U+FFFD" in found["problem"].iloc[0]


@pytest.mark.parametrize("form", FORMS)
def test_a_lone_surrogate_in_an_ignored_field_or_a_key_changes_nothing_else(form, tmp_path):
    task = call("T1", extra="\udc00", **{"output.metadata": {"\ud800": "\udfff"}})
    task["input"]["na\ud800me"] = "Rao"
    task["0\uda8f"] = 1
    task["output"]["\udc00"] = 2
    task["output"]["post_call_data"]["\ud800"] = 3
    task["output"]["transcript"][0]["\ud800"] = 4
    run = load(as_form([task], form, tmp_path))
    assert run.tasks.loc[0, "assignee"] == "a1"
    assert "input_na\ufffdme" in run.tasks
    assert len(run.turns) == 2
    pd.testing.assert_frame_equal(run.calls, load([call("T1")]).calls)


@pytest.mark.parametrize(
    ("field", "value"),
    [("output.duration", "3\ud8003"), ("output.start_time", "2026\udc00"), ("created", "\ud800")],
)
def test_a_lone_surrogate_in_an_unreadable_value_is_one_readable_problem(field, value):
    run = load([call("T1", **{field: value})])
    assert run.problems["field"].tolist() == [field.split(".")[-1]]
    assert "\\u" in run.problems["problem"].iloc[0]


def test_a_raw_lone_surrogate_in_json_text_is_read_like_an_escaped_one():
    text = json.dumps([call("T1", assignee="HOLE")]).replace("HOLE", "x\ud800y")
    run = load(text)
    assert run.tasks.loc[0, "assignee"] == "x\ufffdy"
    assert run.problems["field"].tolist() == ["assignee"]


def test_structured_data_with_a_lone_surrogate_keeps_it_escaped():
    run = load([call("T1", **{"output.post_call_data.structured_data": {"k": "\ud800"}})])
    assert json.loads(run.calls.loc[0, "structured_data"]) == {"k": "\ud800"}


# --- defect: a BOM, NaN and Infinity tokens, invalid UTF-8, huge numbers ---------------------


@pytest.mark.parametrize("form", ["text", "bytes", "file"])
def test_a_bom_is_stripped(form, tmp_path):
    text = "\ufeff" + json.dumps({"data": [call("T1")]})
    source = {"text": text, "bytes": text.encode(), "file": tmp_path / "run.json"}[form]
    (tmp_path / "run.json").write_text(text, encoding="utf-8")
    run = load(source)
    pd.testing.assert_frame_equal(run.turns, load([call("T1")]).turns)
    assert run.problems.empty


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("field", "problem_field"),
    [
        ("output.duration", "duration"),
        ("assignee", "assignee"),
        ("task_id", "task_id"),
        ("output.call_id", "call_id"),
        ("created", "created"),
        ("output.start_time", "start_time"),
        ("input.name", "input_name"),
        ("output.post_call_data.success_evaluator", "success_evaluator"),
        ("output.transcript.0.timestamp", "transcript.timestamp"),
    ],
)
def test_nan_and_infinity_tokens_are_na_with_a_problem_where_read(token, field, problem_field):
    text = json.dumps([call("T1", **{field: "HOLE"}), call("T2")]).replace('"HOLE"', token)
    run = load(text)
    assert len(run.tasks) == 2
    assert run.problems["field"].tolist() == [problem_field]
    assert any(shown in run.problems["problem"].iloc[0] for shown in ("NaN", "nan", "inf", "Inf"))


def test_nan_and_infinity_tokens_in_ignored_fields_change_nothing():
    text = json.dumps([call("T1", extra=[1.5, "x"], **{"output.metadata": {"x": 2.5}})])
    text = text.replace("1.5", "NaN").replace("2.5", "-Infinity")
    run = load(text)
    assert run.problems.empty
    pd.testing.assert_frame_equal(run.calls, load([call("T1")]).calls)


@pytest.mark.parametrize("extra", ["1", "NaN"])  # NaN: Python's reader instead of msgspec
def test_a_duplicated_key_keeps_its_last_value(extra):
    output = '{"call_id": "c", "call_status": "busy", "call_id": "d"}'
    text = f'[{{"task_id": "A", "task_id": "B", "extra": {extra}, "output": {output}}}]'
    run = load(text)
    assert run.tasks["task_id"].tolist() == ["B"]
    assert run.calls["call_id"].tolist() == ["d"]


def test_invalid_utf8_bytes_are_replaced_with_one_problem_row():
    raw = json.dumps([call("T1", assignee="HOLE")]).encode().replace(b"HOLE", b"Asha \xff\xfe")
    run = load(raw)
    assert run.tasks.loc[0, "assignee"] == "Asha \ufffd\ufffd"
    assert run.problems["field"].tolist() == ["source"]
    assert "UTF-8" in run.problems["problem"].iloc[0]


def test_an_integer_too_long_for_python_is_an_impossible_duration():
    text = json.dumps([call("T1", **{"output.duration": 7})]).replace(": 7", ": 1" + "0" * 5000)
    run = load(text)
    assert pd.isna(run.calls.loc[0, "duration_s"])
    assert run.problems["field"].tolist() == ["duration"]
    assert len(run.problems["problem"].iloc[0]) < 120


def test_a_saved_error_answer_with_a_deep_message_is_an_api_error():
    answer = {"status_code": 500, "message": deep_list(5_000), "data": None}
    with pytest.raises(ApiError, match=r"^HTTP 500: \[\[\[\[\.\.\.\]\]\]\]$"):
        load(answer)  # quoted within bounds (errors.MAX_QUOTED), never a RecursionError


@pytest.mark.parametrize("status", [7, 201, True, "500", None])
def test_a_status_code_that_is_not_an_error_answer_loads_the_data(status):
    run = load({"status_code": status, "data": [call("T1")]})
    assert run.tasks["task_id"].tolist() == ["T1"]


# --- lists of sources -------------------------------------------------------------------------


def test_a_stray_string_among_tasks_is_reported_not_fatal():
    run = load([call("T1"), "not a path", call("T2")])
    assert run.tasks["task_id"].tolist() == ["T1", "T2"]
    assert run.problems["field"].tolist() == ["task"]
    assert "'not a path'" in run.problems["problem"].iloc[0]


@pytest.mark.parametrize("text", ["x" * 5000, "a\x00b", "/", "\ud800"])
def test_a_string_that_cannot_be_a_path_is_a_schema_error_or_a_problem_row(text):
    with pytest.raises(SchemaError, match="neither JSON text nor an existing file"):
        load(text)
    run = load([call("T1"), text])
    assert run.tasks["task_id"].tolist() == ["T1"]
    assert run.problems["field"].tolist() == ["task"]


def test_a_list_of_sources_referring_to_itself_stops(tmp_path):
    path = tmp_path / "loop.json"
    path.write_text(json.dumps([str(path)]))
    with pytest.raises(SchemaError, match="nest"):
        load(path)


def test_non_text_keys_in_a_dict_source_are_ignored():
    task = call("T1")
    task[5] = "x"
    task["output"][1] = 2
    task["output"]["transcript"][0][None] = 3
    run = load([task])
    pd.testing.assert_frame_equal(run.turns, load([call("T1")]).turns)


# --- parse_json: the decoder the client shares ----------------------------------------------


def test_parse_json_reads_what_python_writes_and_cuts_what_is_too_deep():
    from analytics.load.sources import parse_json

    assert parse_json(b'\xef\xbb\xbf{"a": NaN, "b": 1e400}')["b"] == float("inf")
    cut = parse_json(deep_text(50_000).encode())
    depth = 0
    while isinstance(cut, list) and cut:
        cut, depth = cut[0], depth + 1
    assert isinstance(cut, str)
    assert "nest" in cut
    assert 10 < depth < 1_000
    with pytest.raises(SchemaError, match="not valid JSON"):
        parse_json(b'{"a": ')
