"""Outcome maps: the user's own outcome vocabulary in canonical_outcomes, load_run and
Dataset.load."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analytics.io.dataset import write_dataset
from analytics.load import load_run, open_dataset
from analytics.schema import OUTCOMES, canonical_outcomes, check_outcome_map


def labels(*raw) -> pd.Series:
    return pd.Series(list(raw), dtype="str")


# --- canonical_outcomes ---------------------------------------------------------------------


def test_without_a_map_the_built_in_aliases_apply():
    got = canonical_outcomes(labels("Hot Lead", "call back", "InterestedIn", None))
    assert got.tolist()[:3] == ["Other", "Call Back", "Interested"]
    assert pd.isna(got.iloc[3])


def test_the_map_folds_labels_and_wins_over_the_aliases():
    raw = labels("Hot Lead", "hot-lead", "HOT_LEAD ", "Interested", "call back", "Meh", None)
    mapping = {"hot lead": "Interested", "Interested": "Send Details"}
    got = canonical_outcomes(raw, mapping)
    # the three spellings fold to "hotlead"; "Interested" is re-mapped by the user;
    # "call back" is not in the map: the alias; "Meh" in neither: Other; None stays NA
    assert got.tolist()[:6] == [
        "Interested",
        "Interested",
        "Interested",
        "Send Details",
        "Call Back",
        "Other",
    ]
    assert pd.isna(got.iloc[6])
    assert str(got.dtype) == "str"


def test_labels_without_latin_letters_are_compared_case_folded():
    raw = labels("रुचि है", "ВПЕРЁД", "вперёд", "रुचि नहीं")
    got = canonical_outcomes(raw, {"रुचि है": "Interested", "Вперёд": "Call Back"})
    assert got.tolist() == ["Interested", "Call Back", "Call Back", "Other"]


def test_an_empty_map_changes_nothing():
    raw = labels("Hot Lead", "Call Back")
    pd.testing.assert_series_equal(canonical_outcomes(raw, {}), canonical_outcomes(raw))


def test_the_input_is_not_changed():
    raw = labels("Hot Lead")
    mapping = {"Hot Lead": "Interested"}
    canonical_outcomes(raw, mapping)
    assert raw.tolist() == ["Hot Lead"]
    assert mapping == {"Hot Lead": "Interested"}


# --- check_outcome_map ------------------------------------------------------------------------


def test_a_good_map_comes_back_as_a_dict():
    mapping = {"Hot Lead": "Interested", "hot-lead": "Interested", "Later": "Call Back"}
    assert check_outcome_map(mapping) == mapping
    assert check_outcome_map({}) == {}


@pytest.mark.parametrize(
    ("mapping", "error", "message"),
    [
        (["Hot Lead", "Interested"], TypeError, "an outcome map is a dict .* got \\['Hot Lead'"),
        ("Hot Lead=Interested", TypeError, "got 'Hot Lead=Interested'"),
        ({"Hot Lead": 1}, TypeError, "labels and outcomes are text, got 'Hot Lead' -> 1"),
        ({2: "Interested"}, TypeError, "got 2 -> 'Interested'"),
        (
            {"Hot Lead": "Intrested"},
            ValueError,
            "label 'Hot Lead' maps to 'Intrested', not a canonical outcome; use one of "
            + re.escape(", ".join(OUTCOMES)),
        ),
        ({"Hot Lead": "interested"}, ValueError, "maps to 'interested', not a canonical"),
        ({"N/A": "Other"}, ValueError, "label 'N/A' means 'no value'"),
        ({"": "Other"}, ValueError, "label '' means 'no value'"),
        (
            {"Hot Lead": "Interested", "hot-lead": "Call Back"},
            ValueError,
            "labels 'Hot Lead' and 'hot-lead' are one label .* map to 'Interested' and "
            "'Call Back': keep one of them",
        ),
    ],
)
def test_a_bad_map_is_a_one_line_error(mapping, error, message):
    with pytest.raises(error, match=message) as raised:
        check_outcome_map(mapping)
    assert "\n" not in str(raised.value)


def test_canonical_outcomes_checks_the_map():
    with pytest.raises(ValueError, match="'Intrested', not a canonical outcome"):
        canonical_outcomes(labels("x"), {"x": "Intrested"})


# --- load_run and Dataset.load ----------------------------------------------------------------


def task(task_id: str, label: str | None, run_id: str = "R1") -> dict:
    post = {"summary": {"status": label, "summary": "s"}}
    return {
        "task_id": task_id,
        "run_id": run_id,
        "assignee": "a1",
        "output": {"call_id": f"c{task_id}", "call_status": "completed", "post_call_data": post},
    }


TASKS = [
    task("T1", "Hot Lead"),
    task("T2", "Call me later"),
    task("T3", "Call Back"),
    task("T4", None),
]
MAP = {"hot lead": "Interested", "Call me later": "Call Back"}


def test_load_run_derives_outcome_with_the_map():
    calls = load_run(TASKS, outcome_map=MAP).calls
    assert calls["outcome"].tolist()[:3] == ["Interested", "Call Back", "Call Back"]
    assert pd.isna(calls["outcome"].iloc[3])
    assert calls["outcome_raw"].tolist()[:3] == ["Hot Lead", "Call me later", "Call Back"]
    plain = load_run(TASKS).calls
    assert plain["outcome"].tolist()[:3] == ["Other", "Other", "Call Back"]
    pd.testing.assert_frame_equal(
        calls.drop(columns="outcome"), plain.drop(columns="outcome")
    )  # nothing else moves


def test_load_run_checks_the_map_before_reading():
    with pytest.raises(ValueError, match="maps to 'Hot', not a canonical outcome"):
        load_run(b"not even json", outcome_map={"x": "Hot"})


def test_dataset_load_derives_outcome_with_the_map(tmp_path):
    write_dataset(TASKS, tmp_path, space="S")
    data = open_dataset(tmp_path)
    calls = data.load(outcome_map=MAP).calls
    assert calls.set_index("task_id")["outcome"].iloc[:3].tolist() == [
        "Interested",
        "Call Back",
        "Call Back",
    ]
    assert load_run(tmp_path, outcome_map=MAP).calls["outcome"].iloc[:3].tolist() == [
        "Interested",
        "Call Back",
        "Call Back",
    ]


def test_dataset_load_with_a_column_selection_reads_outcome_raw_for_the_map(tmp_path):
    write_dataset(TASKS, tmp_path, space="S")
    data = open_dataset(tmp_path)
    few = data.load(columns=["outcome"], outcome_map=MAP).calls
    assert list(few.columns) == ["task_id", "run_id", "outcome", "space"]
    assert few["outcome"].iloc[:3].tolist() == ["Interested", "Call Back", "Call Back"]
    both = data.load(columns={"calls": ["outcome", "outcome_raw"]}, outcome_map=MAP).calls
    assert both["outcome_raw"].iloc[0] == "Hot Lead"
    assert both["outcome"].iloc[0] == "Interested"
    named = data.load(columns={"calls": ["outcome"]}, outcome_map=MAP).calls
    assert "outcome_raw" not in named
    assert named["outcome"].iloc[0] == "Interested"
    without = data.load(columns=["assignee"], outcome_map=MAP).calls
    assert "outcome" not in without


def test_dataset_load_checks_the_map(tmp_path):
    write_dataset(TASKS, tmp_path, space="S")
    with pytest.raises(TypeError, match="an outcome map is a dict"):
        open_dataset(tmp_path).load(outcome_map=[("Hot Lead", "Interested")])  # type: ignore[arg-type]
