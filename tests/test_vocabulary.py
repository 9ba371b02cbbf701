"""read_lexicons and read_outcome_map: TOML and JSON files users bring; one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analytics.io.vocabulary import VOCABULARY_FORMATS, read_lexicons, read_outcome_map
from analytics.schema import OUTCOMES, TURNS_SCHEMA, conform
from analytics.text.keywords import keyword_features


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def raises_line(error: type[Exception], message: str):
    """pytest.raises for exactly ``message`` (one line)."""
    assert "\n" not in message
    return pytest.raises(error, match=f"^{re.escape(message)}$")


# --- lexicons: reading ----------------------------------------------------------------------

LEXICONS_TOML = """\
# what callers say when they want their money back
refund = ["refund", "money back", "cancel my order"]
human = ["real person"]
hindi = ["पैसे वापस", "what's up"]
"""

LEXICONS_JSON = """\
{"refund": ["refund", "money back", "cancel my order"],
 "human": ["real person"],
 "hindi": ["पैसे वापस", "what's up"]}
"""

EXPECTED_LEXICONS = {
    "refund": ("refund", "money back", "cancel my order"),
    "human": ("real person",),
    "hindi": ("पैसे वापस", "what's up"),
}


@pytest.mark.parametrize(("name", "text"), [("w.toml", LEXICONS_TOML), ("w.json", LEXICONS_JSON)])
def test_lexicons_are_read_in_file_order_as_tuples(tmp_path, name, text):
    lexicons = read_lexicons(write(tmp_path, name, text))
    assert lexicons == EXPECTED_LEXICONS
    assert list(lexicons) == ["refund", "human", "hindi"]


def test_the_suffix_is_case_insensitive_and_a_bom_is_allowed(tmp_path):
    path = write(tmp_path, "W.TOML", "\ufeff" + LEXICONS_TOML)
    assert read_lexicons(path) == EXPECTED_LEXICONS
    assert read_lexicons(str(write(tmp_path, "w.Json", LEXICONS_JSON))) == EXPECTED_LEXICONS


def test_phrases_are_kept_as_written_and_repeats_are_harmless(tmp_path):
    path = write(tmp_path, "w.toml", 'refund = ["  Refund ", "refund"]')
    assert read_lexicons(path) == {"refund": ("  Refund ", "refund")}


def test_a_read_lexicon_feeds_keyword_features(tmp_path):
    lexicons = read_lexicons(write(tmp_path, "w.toml", 'refund = ["refund", "money back"]'))
    turns = conform(
        pd.DataFrame(
            {
                "task_id": ["T1", "T1", "T1"],
                "turn": [0, 1, 2],
                "speaker": ["agent", "user", "user"],
                "text": ["Hello", "I want a refund.", "Money back, a REFUND!"],
            }
        ),
        TURNS_SCHEMA,
    )
    kw = keyword_features(turns, lexicons)
    # user turns: "refund" (turn 1); "money back" + "REFUND" (turn 2) -> 3; agent: 0; first: 1
    assert kw.drop(columns="task_id").iloc[0].tolist() == [0, 3, 1]
    assert list(kw.columns) == [
        "task_id",
        "kw_refund_agent",
        "kw_refund_user",
        "kw_refund_first_turn",
    ]


def test_file_content_is_data_never_code(tmp_path):
    code = "__import__('os').remove('x')"
    path = write(tmp_path, "w.json", f'{{"refund": ["{code}"]}}')
    assert read_lexicons(path) == {"refund": (code,)}


def test_the_formats_are_toml_and_json():
    assert VOCABULARY_FORMATS == {".toml": "TOML", ".json": "JSON"}


# --- lexicons: errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "suffix"), [("w.yaml", "'.yaml'"), ("w", "''"), ("w.py", "'.py'")]
)
def test_another_suffix_is_refused_naming_it(tmp_path, name, suffix):
    path = write(tmp_path, name, LEXICONS_TOML)
    with raises_line(
        ValueError,
        f"lexicon file '{path}' must end in .toml or .json, not {suffix}; "
        "save it as TOML or JSON with that suffix",
    ):
        read_lexicons(path)


def test_a_missing_file_is_a_one_line_file_not_found_error(tmp_path):
    path = tmp_path / "nope.toml"
    with raises_line(
        FileNotFoundError,
        f"cannot read lexicon file '{path}' (No such file or directory); check its path",
    ) as caught:
        read_lexicons(path)
    # no filename: the CLI prints the message as it is, not as a failed write of --out
    assert caught.value.filename is None


def test_a_folder_is_a_one_line_os_error(tmp_path):
    folder = tmp_path / "w.json"
    folder.mkdir()
    with raises_line(
        IsADirectoryError, f"cannot read lexicon file '{folder}' (Is a directory); check its path"
    ):
        read_lexicons(folder)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "w.toml", b'refund = ["r\xe9fund"]')
    with raises_line(
        ValueError, f"lexicon file '{path}' is not UTF-8 text (byte 12: b'\\xe9'); save it as UTF-8"
    ):
        read_lexicons(path)


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("w.toml", "refund = [refund]", "Invalid value (at line 1, column 11)"),
        (
            "w.toml",
            'refund = ["a"]\nrefund = ["b"]',
            "Cannot overwrite a value (at end of document)",
        ),
        (
            "w.json",
            '{"refund": ["a",]}',
            "Expecting value: line 1 column 17 (char 16)",
        ),
        ("w.json", "", "Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_a_file_that_does_not_parse_is_refused_with_the_parser_reason(tmp_path, name, text, reason):
    path = write(tmp_path, name, text)
    fmt = "TOML" if name.endswith("toml") else "JSON"
    with raises_line(
        ValueError, f"lexicon file '{path}' is not valid {fmt} ({reason}); fix the file"
    ):
        read_lexicons(path)


def test_a_json_key_given_twice_is_refused(tmp_path):
    path = write(tmp_path, "w.json", '{"refund": ["a"], "human": ["b"], "refund": ["c"]}')
    with raises_line(
        ValueError, f"lexicon file '{path}' gives the key 'refund' more than once; keep one of them"
    ):
        read_lexicons(path)


def test_a_json_list_is_refused(tmp_path):
    path = write(tmp_path, "w.json", '["refund", "money back"]')
    with raises_line(
        ValueError,
        f"lexicon file '{path}' must hold one JSON table of keys and values, got list "
        '[\'refund\', \'money back\']; e.g. {"refund": ["refund", "money back"]}',
    ):
        read_lexicons(path)


@pytest.mark.parametrize(
    ("name", "text", "example"),
    [
        ("w.toml", "# nothing yet\n", 'e.g. refund = ["refund", "money back"]'),
        ("w.json", "{}", 'e.g. {"refund": ["refund", "money back"]}'),
    ],
)
def test_an_empty_file_is_refused(tmp_path, name, text, example):
    path = write(tmp_path, name, text)
    with raises_line(
        ValueError, f"lexicon file '{path}' holds no entries; add at least one, {example}"
    ):
        read_lexicons(path)


@pytest.mark.parametrize(
    ("name", "fixed"),
    [
        ("my refund", "my_refund"),
        ("1st_call", "lexicon_1st_call"),
        ("opt-out", "opt_out"),
        ("?", "my_lexicon"),
    ],
)
def test_a_name_that_cannot_be_part_of_a_column_name_is_refused(tmp_path, name, fixed):
    path = write(tmp_path, "w.json", f'{{"{name}": ["x"]}}')
    with raises_line(
        ValueError,
        f"lexicon file '{path}': lexicon name {name!r} must be letters, digits and underscores, "
        f"not starting with a digit (it becomes part of column names); rename it, e.g. {fixed!r}",
    ):
        read_lexicons(path)


@pytest.mark.parametrize(
    ("text", "got", "example"),
    [
        ('refund = "refund"', "str 'refund'", '["refund"]'),
        ("refund = 3", "int 3", '["refund", "money back"]'),
        ("[refund]\nwords = ['a']", "dict {'words': ['a']}", '["refund", "money back"]'),
    ],
)
def test_a_lexicon_that_is_not_a_list_is_refused(tmp_path, text, got, example):
    path = write(tmp_path, "w.toml", text)
    with raises_line(
        ValueError,
        f"lexicon file '{path}': lexicon 'refund' must be a list of phrases, got {got}; "
        f"write it as a list, e.g. {example}",
    ):
        read_lexicons(path)


def test_a_lexicon_without_phrases_is_refused(tmp_path):
    path = write(tmp_path, "w.toml", "price = ['price']\nrefund = []")
    with raises_line(
        ValueError, f"lexicon file '{path}': lexicon 'refund' has no phrases; give at least one"
    ):
        read_lexicons(path)


@pytest.mark.parametrize(
    ("phrases", "number", "shown"),
    [
        ('["ok", ""]', 2, "''"),
        ('["   "]', 1, "'   '"),
        ('["ok", 3]', 2, "3"),
        ('[["a"]]', 1, "['a']"),
        ('["a", null]', 2, "None"),
    ],
)
def test_a_phrase_that_is_not_text_is_refused(tmp_path, phrases, number, shown):
    path = write(tmp_path, "w.json", f'{{"refund": {phrases}}}')
    with raises_line(
        ValueError,
        f"lexicon file '{path}': lexicon 'refund' phrase {number} is {shown}, not text; "
        "give each phrase as non-empty quoted text",
    ):
        read_lexicons(path)


def test_a_long_value_is_quoted_short(tmp_path):
    path = write(tmp_path, "w.json", '{"refund": "' + "x" * 500 + '"}')
    shown = r"got str 'x+\.\.\.x+'; write it as a list, e.g. \[\"refund\", \"money back\"\]$"
    with pytest.raises(ValueError, match=shown) as caught:
        read_lexicons(path)
    assert len(str(caught.value)) < 300 + len(str(path))


# --- outcome maps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "m.toml",
            '"Hot Lead" = "Interested"\n"ring me later" = "Call Back"\nNI = "Not Interested"',
        ),
        (
            "m.json",
            '{"Hot Lead": "Interested", "ring me later": "Call Back", "NI": "Not Interested"}',
        ),
    ],
)
def test_an_outcome_map_is_read_in_file_order(tmp_path, name, text):
    mapping = read_outcome_map(write(tmp_path, name, text))
    assert mapping == {
        "Hot Lead": "Interested",
        "ring me later": "Call Back",
        "NI": "Not Interested",
    }
    assert list(mapping) == ["Hot Lead", "ring me later", "NI"]


def test_every_canonical_outcome_may_be_a_target(tmp_path):
    text = "\n".join(f'"raw {"x" * i}" = "{outcome}"' for i, outcome in enumerate(OUTCOMES))
    mapping = read_outcome_map(write(tmp_path, "m.toml", text))
    assert tuple(mapping.values()) == OUTCOMES


CANONICAL = (
    "Interested, Call Back, Send Details, Not Interested, Not Connected, Abandoned, Dropped, Other"
)


@pytest.mark.parametrize("value", ["Intrested", "interested", "", "x" * 60])
def test_a_target_that_is_not_a_canonical_outcome_is_refused(tmp_path, value):
    path = write(tmp_path, "m.json", f'{{"Hot Lead": "{value}"}}')
    with raises_line(
        ValueError,
        f"outcome map file '{path}': label 'Hot Lead' maps to {value!r}, not a canonical "
        f"outcome; use one of {CANONICAL}",
    ):
        read_outcome_map(path)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("3", "int 3"), ('["Interested"]', "list ['Interested']"), ("null", "NoneType None")],
)
def test_a_target_that_is_not_text_is_refused_quoted_short(tmp_path, value, shown):
    path = write(tmp_path, "m.json", f'{{"Hot Lead": {value}}}')
    with raises_line(
        ValueError,
        f"outcome map file '{path}': label 'Hot Lead' maps to {shown}, not a canonical "
        f"outcome; use one of {CANONICAL} (quoted text)",
    ):
        read_outcome_map(path)


@pytest.mark.parametrize("label", [" ", "N/A", "none"])
def test_a_label_meaning_no_value_is_refused(tmp_path, label):
    path = write(tmp_path, "m.toml", f'"{label}" = "Interested"')
    with raises_line(
        ValueError,
        f"outcome map file '{path}': label {label!r} means 'no value' and matches no outcome "
        "label; remove it",
    ):
        read_outcome_map(path)


def test_labels_that_fold_to_one_must_agree(tmp_path):
    text = '"Hot Lead" = "Interested"\n"hot-lead" = "Call Back"\n"HOT_LEAD" = "Interested"'
    path = write(tmp_path, "m.toml", text)
    with raises_line(
        ValueError,
        f"outcome map file '{path}': labels 'Hot Lead' and 'hot-lead' are one label (compared "
        "folded) but map to 'Interested' and 'Call Back': keep one of them",
    ):
        read_outcome_map(path)


def test_labels_that_fold_to_one_may_repeat_an_outcome(tmp_path):
    path = write(tmp_path, "m.toml", '"Hot Lead" = "Interested"\n"hot-lead" = "Interested"')
    assert read_outcome_map(path) == {"Hot Lead": "Interested", "hot-lead": "Interested"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("m.toml", "", 'holds no entries; add at least one, e.g. "Hot Lead" = "Interested"'),
        (
            "m.json",
            '"Interested"',
            "must hold one JSON table of keys and values, got str 'Interested'; "
            'e.g. {"Hot Lead": "Interested"}',
        ),
        (
            "m.json",
            '{"a": "Other", "a": "Dropped"}',
            "gives the key 'a' more than once; keep one of them",
        ),
        (
            "m.txt",
            "",
            "must end in .toml or .json, not '.txt'; save it as TOML or JSON with that suffix",
        ),
    ],
)
def test_outcome_map_file_errors(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with raises_line(ValueError, f"outcome map file '{path}' {message}"):
        read_outcome_map(path)


def test_a_missing_outcome_map_is_a_one_line_file_not_found_error(tmp_path):
    path = tmp_path / "m.json"
    with raises_line(
        FileNotFoundError,
        f"cannot read outcome map file '{path}' (No such file or directory); check its path",
    ):
        read_outcome_map(path)
