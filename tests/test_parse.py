"""Column parsers: every timestamp, number, transcript and role shape the platform emits."""

import warnings

import pandas as pd
import pytest

from analytics.load.parse import (
    json_object,
    null_mask,
    parse_bounded,
    parse_numbers,
    parse_timestamps,
    show,
    speakers,
    spell_number,
    text_column,
    transcript_messages,
    valid_text,
    word_counts,
)

UTC = "datetime64[ns, UTC]"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-31 11:47:38.067021", "2026-01-31 11:47:38.067021+00:00"),
        ("2026-01-31T11:47:38.067021", "2026-01-31 11:47:38.067021+00:00"),
        ("2026-02-07T05:57:45Z", "2026-02-07 05:57:45+00:00"),
        ("2025-10-16T05:32:13.345+00:00", "2025-10-16 05:32:13.345+00:00"),
        ("2025-10-16T10:32:13+05:00", "2025-10-16 05:32:13+00:00"),
        ("2026-02-07", "2026-02-07 00:00:00+00:00"),
        (1769860058067, "2026-01-31 11:47:38.067+00:00"),
        ("1769860058067", "2026-01-31 11:47:38.067+00:00"),
        (1769860058, "2026-01-31 11:47:38+00:00"),
        (1769860058.5, "2026-01-31 11:47:38.500+00:00"),
    ],
)
def test_parse_timestamps_reads_every_platform_format_as_utc(raw, expected):
    parsed, bad = parse_timestamps([raw])
    assert parsed.dtype == UTC
    assert parsed[0] == pd.Timestamp(expected)
    assert not bad[0]


@pytest.mark.parametrize("raw", ["None", "NULL", "", "  ", None, float("nan"), "null"])
def test_parse_timestamps_null_literals_are_missing_not_errors(raw):
    parsed, bad = parse_timestamps([raw])
    assert pd.isna(parsed[0])
    assert not bad[0]


@pytest.mark.parametrize(
    "raw",
    [
        "soon",
        "31/31/2026",
        {"x": 1},
        [1],
        True,
        9_223_372_037,
        -7_453_511_946,
        10**15,
        "1700-01-01",
        "2262-04-11T23:47:17",
        "1989-12-31T23:59:59Z",
    ],
)
def test_parse_timestamps_garbage_is_nat_and_flagged(raw):
    parsed, bad = parse_timestamps([raw])
    assert pd.isna(parsed[0])
    assert bad[0]


@pytest.mark.parametrize(
    "raw", [10**400, -(10**400), 1e308, -1e308, float("inf"), "1e308", 2**70, 1e15, -1e12]
)
def test_parse_timestamps_impossible_numbers_are_nat_and_flagged_without_warnings(raw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed, bad = parse_timestamps([raw, "2026-01-31T11:47:38Z"])
    assert pd.isna(parsed[0])
    assert parsed[1] == pd.Timestamp("2026-01-31 11:47:38", tz="UTC")
    assert bad.tolist() == [True, False]


def test_parse_timestamps_mixed_column_keeps_positions():
    parsed, bad = parse_timestamps(
        ["2026-01-31 11:47:38", "garbage", None, "2026-01-31T11:47:40Z", 1769860061000]
    )
    expected = pd.Series(
        pd.to_datetime(
            ["2026-01-31 11:47:38", None, None, "2026-01-31 11:47:40", "2026-01-31 11:47:41"],
            utc=True,
        )
    ).astype(UTC)
    pd.testing.assert_series_equal(parsed, expected)
    assert bad.tolist() == [False, True, False, False, False]


def test_parse_timestamps_empty_input_gives_empty_utc_column():
    parsed, bad = parse_timestamps([])
    assert parsed.dtype == UTC
    assert len(parsed) == 0
    assert len(bad) == 0


@pytest.mark.parametrize(
    ("raw", "value", "is_bad"),
    [
        (33, 33.0, False),
        (147.2, 147.2, False),
        ("147.2", 147.2, False),
        ("0", 0.0, False),
        (0, 0.0, False),
        (None, None, False),
        ("None", None, False),
        ("twelve", None, True),
        (False, None, True),
        (float("inf"), None, True),
        (float("nan"), None, True),
        (10**400, None, True),
        ("1e400", None, True),
        (1e308, 1e308, False),
    ],
)
def test_parse_numbers(raw, value, is_bad):
    parsed, bad = parse_numbers([raw])
    assert parsed.dtype == "Float64"
    assert pd.isna(parsed[0]) if value is None else parsed[0] == value
    assert bool(bad[0]) is is_bad


def test_parse_numbers_never_raises_or_warns_on_huge_or_mixed_values():
    raw = [10**400, -(10**400), "12", 3, None, "x", 2**64, 1e308, True]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed, bad = parse_numbers(raw)
    assert parsed.tolist() == [pd.NA, pd.NA, 12.0, 3.0, pd.NA, pd.NA, float(2**64), 1e308, pd.NA]
    assert bad.tolist() == [True, True, False, False, False, True, False, False, True]


def test_parse_numbers_of_a_text_column_treats_its_nan_as_missing():
    parsed, bad = parse_numbers(pd.Series(["0.8", None, "x"], dtype="str"))
    assert parsed.tolist() == [0.8, pd.NA, pd.NA]
    assert bad.tolist() == [False, False, True]


BOUNDED = [
    # raw, value, unreadable, impossible
    (0, 0.0, False, False),
    (86400, 86400.0, False, False),
    ("33.5", 33.5, False, False),
    (None, None, False, False),
    ("NULL", None, False, False),
    (-5, None, False, True),
    ("-5", None, False, True),
    (86401, None, False, True),
    (1e308, None, False, True),
    (float("inf"), None, False, True),
    (float("-inf"), None, False, True),
    (float("nan"), None, False, True),
    ("inf", None, False, True),
    ("1e400", None, False, True),
    (10**400, None, False, True),
    (-(10**400), None, False, True),
    ("long", None, True, False),
    (True, None, True, False),
    ([1], None, True, False),
]


@pytest.mark.parametrize(("raw", "value", "unreadable", "impossible"), BOUNDED)
def test_parse_bounded_one_value(raw, value, unreadable, impossible):
    parsed, bad, out_of_range = parse_bounded([raw], high=86400)
    assert pd.isna(parsed[0]) if value is None else parsed[0] == value
    assert (bool(bad[0]), bool(out_of_range[0])) == (unreadable, impossible)


def test_parse_bounded_whole_column_without_warnings():
    raw = [row[0] for row in BOUNDED]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed, bad, out_of_range = parse_bounded(raw, high=86400)
    assert parsed.dtype == "Float64"
    assert parsed.isna().tolist() == [row[1] is None for row in BOUNDED]
    assert bad.tolist() == [row[2] for row in BOUNDED]
    assert out_of_range.tolist() == [row[3] for row in BOUNDED]


@pytest.mark.parametrize(
    ("raw", "spelled"),
    [
        (1e308, "1e+308"),
        (-5, "-5"),
        (-5.0, "-5"),
        (86401.5, "86,401.5"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        (10**400, "1e+400"),
        (-3 * 10**400, "-3e+400"),
        (2**64, "1.84467440737e+19"),
        (" 1e400 ", "1e400"),
    ],
)
def test_spell_number_is_readable(raw, spelled):
    assert spell_number(raw) == spelled


def test_null_mask_knows_the_platform_literals():
    values = pd.Series(["None", "NULL", "", "undefined", "0", 0, None, "x"], dtype=object)
    assert null_mask(values).tolist() == [True, True, True, True, False, False, True, False]


def test_json_object_decodes_only_json_objects_and_arrays():
    assert json_object('[{"a": 1}]') == [{"a": 1}]
    assert json_object("{not json") == "{not json"
    assert json_object("8") == "8"


MESSAGES = [
    {"role": "assistant", "content": "Hi?", "timestamp": ""},
    {"role": "user", "content": "Yes.", "timestamp": ""},
]


@pytest.mark.parametrize(
    "shape",
    [
        MESSAGES,
        '[{"role": "assistant", "content": "Hi?", "timestamp": ""},'
        ' {"role": "user", "content": "Yes.", "timestamp": ""}]',
        {"messages": MESSAGES},
        '{"messages": [{"role": "assistant", "content": "Hi?", "timestamp": ""},'
        ' {"role": "user", "content": "Yes.", "timestamp": ""}]}',
    ],
    ids=["list", "json-string", "messages-dict", "messages-json"],
)
def test_transcript_messages_reads_structured_shapes(shape):
    assert transcript_messages(shape) == (MESSAGES, None)


def test_transcript_messages_reads_prefixed_text_with_continuation_lines():
    text = "AI: Hello, am I speaking with Ravi?\nUser: Yes.\nWho is this?\nAssistant: Aria."
    messages, problem = transcript_messages(text)
    assert problem is None
    assert [(m["role"], m["content"]) for m in messages] == [
        ("assistant", "Hello, am I speaking with Ravi?"),
        ("user", "Yes. Who is this?"),
        ("assistant", "Aria."),
    ]


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (42, "transcript is a int"),
        ({"turns": []}, "without a 'messages' list"),
        ("just some words", "no 'AI:'/'User:' speaker prefixes"),
    ],
)
def test_transcript_messages_reports_unreadable_shapes(value, match):
    messages, problem = transcript_messages(value)
    assert messages == []
    assert match in problem


def test_transcript_messages_empty_text_is_an_empty_transcript():
    assert transcript_messages("") == ([], None)


def test_speakers_maps_every_documented_role():
    roles = pd.Series(
        [
            "assistant",
            "agent",
            "AI",
            "bot",
            "robot",
            "user",
            "customer",
            "Caller",
            "human",
            "system",
            "tool",
            "transfer_target",
            None,
        ]
    )
    assert speakers(roles).tolist() == ["agent"] * 5 + ["user"] * 4 + ["other"] * 4


def test_word_counts_counts_whitespace_words():
    text = pd.Series(["Tuesday works.", "  a  b\tc\nd ", "", None], dtype="str")
    assert word_counts(text).tolist() == [2, 4, 0, 0]
    assert word_counts(text).dtype == "Int64"


# --- hostile values: deep nesting, lone surrogates, NaN -------------------------------------


def deep_list(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def test_parsers_take_a_list_nested_100000_deep_without_recursing():
    """Arrow's type inference recursed into nested lists and overflowed the C stack."""
    deep = deep_list(100_000)
    assert parse_numbers([deep, 1])[1].tolist() == [True, False]
    assert parse_bounded([deep, 1], high=10)[1].tolist() == [True, False]
    assert text_column([deep, "a"])[1].tolist() == [True, False]
    assert parse_timestamps([deep, "2026-01-31"])[1].tolist() == [True, False]


@pytest.mark.parametrize(
    ("raw", "read"),
    [("a\ud800b", "a\ufffdb"), ("\udc00", "\ufffd"), ("\ud83d\ude00", "\U0001f600")],
)
def test_text_column_replaces_lone_surrogates_and_flags_them(raw, read):
    text, flagged = text_column(["ok", raw, None])
    assert text.tolist()[:2] == ["ok", read]
    assert flagged.tolist() == [False, True, False]
    assert valid_text(raw) == read


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("soon", "'soon'"),
        ("x" * 100, "'" + "x" * 17 + "..." + "x" * 18 + "'"),
        (deep_list(5_000), "[[[[...]]]]"),
        ({"k": [1, 2, 3, 4, 5]}, "{'k': [1, 2, 3, 4, ...]}"),
        (10**5000, "1e+5000"),
        (float("nan"), "nan"),
        ("\ud800\x00", "'\\ud800\\x00'"),
    ],
    ids=["text", "long text", "deep", "wide", "huge int", "nan", "surrogate"],
)
def test_show_quotes_a_raw_value_short_and_readable(value, shown):
    assert show(value) == shown


def test_show_never_exceeds_100_characters():
    wide = [{f"key{i}": "v" * 40 for i in range(4)} for _ in range(4)]
    assert len(show(wide)) <= 100


def test_parse_timestamps_reads_nan_as_a_value_when_asked():
    values = [float("nan"), None, "2026-01-31"]
    assert parse_timestamps(values)[1].tolist() == [False, False, False]
    assert parse_timestamps(values, nan_is_missing=False)[1].tolist() == [True, False, False]
