"""keyword_features and lexicon_pattern: hand-counted matches, built-ins, parity, errors."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.schema import CALLS_SCHEMA, TURNS_SCHEMA, conform
from analytics.stats.outcomes import wilson_interval
from analytics.text.keywords import (
    BUILTIN_LEXICONS,
    keyword_features,
    keyword_hit_rates,
    lexicon_pattern,
)


def make_turns(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["task_id", "turn", "speaker", "text"])
    return conform(frame, TURNS_SCHEMA)


ROWS = [
    ("A", 0, "agent", "Hi! Our pricing is simple. The price is 10 dollars."),  # price 2
    ("A", 1, "other", "price price price"),  # system message: never counted
    ("A", 2, "user", "How much does it cost? Priceless. COSTS?"),  # phrase 1 + costs 1
    ("A", 3, "user", "what’s the\n  price"),  # curly apostrophe, newline: 1
    ("A", 4, "user", None),
    ("B", 0, "user", "Please stop calling. Not interested!"),  # opt_out 2
    ("B", 1, "agent", "Noted, we will not call again."),
]
LEXICONS = {
    "price": ["price", "pricing", "cost", "costs", "how much does it cost", "what's the price"],
    "opt_out": ["not interested", "stop calling"],
}


def test_hand_counted_by_speaker():
    out = keyword_features(make_turns(ROWS), LEXICONS)
    want = conform(
        pd.DataFrame(
            {
                "task_id": ["A", "B"],
                "kw_price_agent": [2, 0],
                "kw_price_user": [3, 0],
                "kw_price_first_turn": [0, pd.NA],
                "kw_opt_out_agent": [0, 0],
                "kw_opt_out_user": [0, 2],
                "kw_opt_out_first_turn": [pd.NA, 0],
            },
            dtype=object,
        ),
        {"task_id": "str"}
        | dict.fromkeys(
            [
                "kw_price_agent",
                "kw_price_user",
                "kw_price_first_turn",
                "kw_opt_out_agent",
                "kw_opt_out_user",
                "kw_opt_out_first_turn",
            ],
            "Int64",
        ),
    )
    pd.testing.assert_frame_equal(out, want)


def test_both_sides_together_and_every_call():
    calls = conform(pd.DataFrame({"task_id": ["A", "B", "C"]}), CALLS_SCHEMA)
    out = keyword_features(make_turns(ROWS), LEXICONS, by_speaker=False, calls=calls)
    assert list(out.columns) == [
        "task_id",
        "kw_price",
        "kw_price_first_turn",
        "kw_opt_out",
        "kw_opt_out_first_turn",
    ]
    assert out["kw_price"].tolist() == [5, 0, 0]
    assert out["kw_opt_out"].tolist() == [0, 2, 0]
    assert out["kw_price_first_turn"].isna().tolist() == [False, True, True]


def test_first_turn_is_the_turn_index_of_the_first_match():
    rows = [("T", 0, "agent", "hello"), ("T", 1, "other", "cost"), ("T", 2, "user", "cost?")]
    out = keyword_features(make_turns(rows), {"price": ["cost"]})
    assert out["kw_price_first_turn"].tolist() == [2]


def test_longest_term_wins_and_counts_once():
    pattern = lexicon_pattern(["cost", "how much does it cost", "it"])
    assert pattern.findall("How much does it cost? it costs") == ["How much does it cost", "it"]


def test_word_boundaries_and_case():
    pattern = lexicon_pattern(["human", "call back"])
    text = "HUMAN, humane, inhuman, Call  Back, callback, call-back"
    assert pattern.findall(text) == ["HUMAN", "Call  Back"]


def test_terms_with_non_word_edges_or_other_scripts():
    assert lexicon_pattern(["$10"]).findall("costs $10, not a$10 or $100") == ["$10"]
    turns = make_turns([("H", 0, "user", "नमस्ते जी, नमस्तेजी"), ("H", 1, "agent", "नमस्ते!")])
    out = keyword_features(turns, {"greeting": ["नमस्ते"]})
    assert out[["kw_greeting_agent", "kw_greeting_user"]].iloc[0].tolist() == [1, 1]


def test_builtin_lexicons_find_the_generator_phrases():
    from analytics.datasets import PHRASES

    names = {"not_interested": "opt_out"}
    for key, phrases in PHRASES.items():
        pattern = lexicon_pattern(BUILTIN_LEXICONS[names.get(key, key)])
        for phrase in phrases:
            assert pattern.search(phrase.format(first="Asha")), (key, phrase)


def test_builtin_lexicons_by_default_and_empty_input():
    out = keyword_features(make_turns(ROWS).iloc[:0])
    assert len(out) == 0
    assert list(out.columns[1:4]) == ["kw_price_agent", "kw_price_user", "kw_price_first_turn"]
    assert len(out.columns) == 1 + 3 * len(BUILTIN_LEXICONS)
    assert set(BUILTIN_LEXICONS) >= {"price", "callback", "opt_out", "human", "wrong_number"}


def test_input_is_not_modified():
    turns = make_turns(ROWS)
    before = turns.copy()
    keyword_features(turns, LEXICONS)
    pd.testing.assert_frame_equal(turns, before)


WORDS = st.sampled_from(["price", "prices", "cost", "how", "much", "Price", "x", "é", "-", "?"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=8).map(" ".join), min_size=1, max_size=20))
def test_column_counts_equal_python_re(texts):
    """The pyarrow (RE2) kernel counts what Python's re counts, text by text."""
    pattern = lexicon_pattern(["price", "cost", "how much"])
    rows = [("T", i, "user", t) for i, t in enumerate(texts)]
    out = keyword_features(make_turns(rows), {"p": ["price", "cost", "how much"]})
    assert out["kw_p_user"].iloc[0] == sum(len(pattern.findall(t)) for t in texts)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lexicons", "error", "message"),
    [
        ([("price", ["x"])], TypeError, r"lexicons must be a non-empty dict"),
        ({}, TypeError, r"lexicons must be a non-empty dict"),
        ({"my price": ["x"]}, ValueError, r"lexicon name 'my price' must be a Python identifier"),
        ({3: ["x"]}, ValueError, r"lexicon name 3 must be a Python identifier"),
        ({"price": "price"}, TypeError, r"lexicon 'price' must be a list of terms, got 'price'"),
        ({"price": []}, ValueError, r"lexicon 'price' needs non-empty text terms; got \[\]"),
        ({"price": ["x", "  "]}, ValueError, r"\(bad: \['  '\]\)"),
        ({"price": ["x", None]}, ValueError, r"\(bad: \[None\]\)"),
    ],
)
def test_rejects_bad_lexicons(lexicons, error, message):
    with pytest.raises(error, match=message):
        keyword_features(make_turns(ROWS), lexicons)


def test_rejects_bad_frames():
    with pytest.raises(TypeError, match=r"turns must be a pandas DataFrame, got 'dict'"):
        keyword_features({"task_id": ["A"]}, LEXICONS)
    with pytest.raises(ValueError, match=r"turns lacks the columns \['text'\]"):
        keyword_features(make_turns(ROWS).drop(columns="text"), LEXICONS)
    missing_id = make_turns(ROWS)
    missing_id.loc[0, "task_id"] = pd.NA
    with pytest.raises(ValueError, match=r"turns.task_id has missing values"):
        keyword_features(missing_id, LEXICONS)
    with pytest.raises(ValueError, match=r"calls lacks the columns \['task_id'\]; pass run.calls"):
        keyword_features(make_turns(ROWS), LEXICONS, calls=pd.DataFrame({"id": ["A"]}))


def test_pattern_is_compiled_once_per_lexicon():
    pattern = lexicon_pattern(["a b", "a  b", "A B"])
    assert isinstance(pattern, re.Pattern)
    assert "|" not in pattern.pattern  # the same term three times, spelled differently


# --- hit rates ------------------------------------------------------------------------------


def hit_rate_frame(rows: list[tuple], confidence: float = 0.95) -> pd.DataFrame:
    """Expected keyword_hit_rates output from (group, lexicon, n, count) rows."""
    frame = pd.DataFrame(rows, columns=["assignee", "lexicon", "n", "count"])
    low, high = wilson_interval(frame["count"], frame["n"], confidence=confidence)
    frame = frame.assign(rate=frame["count"] / frame["n"], ci_low=low, ci_high=high)
    types = {"assignee": "str", "lexicon": "str", "n": "Int64", "count": "Int64"}
    return frame.astype({**types, **dict.fromkeys(["rate", "ci_low", "ci_high"], "Float64")})


@pytest.fixture
def keyword_calls() -> pd.DataFrame:
    """A and B by assignee x, C (no turns at all) by y."""
    return conform(
        pd.DataFrame({"task_id": ["A", "B", "C"], "assignee": ["x", "x", "y"]}), CALLS_SCHEMA
    )


def test_hit_rates_by_group_from_calls(keyword_calls):
    # x: A has price (agent and user), B has opt_out (user): 1 of 2 calls each; y: C has nothing.
    kw = keyword_features(make_turns(ROWS), LEXICONS, calls=keyword_calls)
    out = keyword_hit_rates(kw, by="assignee", calls=keyword_calls)
    want = hit_rate_frame(
        [("x", "price", 2, 1), ("x", "opt_out", 2, 1), ("y", "price", 1, 0), ("y", "opt_out", 1, 0)]
    )
    pd.testing.assert_frame_equal(out, want)
    # Wilson 95 % for 1 of 2 by hand: centre 0.5, half-width 1.95996 * 0.60423 / 2.92073
    assert out["ci_low"].round(4).tolist() == [0.0945, 0.0945, 0.0, 0.0]
    assert out["ci_high"].round(4).tolist()[:2] == [0.9055, 0.9055]


def test_hit_rates_overall_by_speaker_and_own_group_column(keyword_calls):
    kw = keyword_features(make_turns(ROWS), LEXICONS, calls=keyword_calls)
    overall = keyword_hit_rates(kw, confidence=0.9)
    assert list(overall.columns) == ["lexicon", "n", "count", "rate", "ci_low", "ci_high"]
    assert overall[["lexicon", "n", "count"]].astype(object).values.tolist() == [
        ["price", 3, 1],
        ["opt_out", 3, 1],
    ]
    agent = keyword_hit_rates(kw.assign(assignee=["x", "x", "y"]), by="assignee", speaker="agent")
    assert agent["count"].tolist() == [1, 0, 0, 0]  # B's opt-out was said by the user
    user = keyword_hit_rates(kw, speaker="user")
    assert user["count"].tolist() == [1, 1]


def test_hit_rates_count_calls_missing_from_calls_as_missing_group(keyword_calls):
    kw = keyword_features(make_turns(ROWS), LEXICONS, calls=keyword_calls)
    out = keyword_hit_rates(kw, by="assignee", calls=keyword_calls.iloc[1:])  # A is not there
    want = hit_rate_frame(
        [
            ("x", "price", 1, 0),
            ("x", "opt_out", 1, 1),
            ("y", "price", 1, 0),
            ("y", "opt_out", 1, 0),
            (None, "price", 1, 1),
            (None, "opt_out", 1, 0),
        ]
    )
    pd.testing.assert_frame_equal(out, want)


def test_hit_rates_empty_input_has_every_column(keyword_calls):
    kw = keyword_features(make_turns(ROWS).iloc[:0], LEXICONS)
    out = keyword_hit_rates(kw, by="assignee", calls=keyword_calls)
    assert out.empty
    assert list(out.columns) == ["assignee", "lexicon", "n", "count", "rate", "ci_low", "ci_high"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "team"}, r"by='team': \['team'\] not a column of keywords"),
        ({"speaker": "bot"}, r"speaker='bot' is not one of None, 'agent', 'user'"),
        ({"confidence": 95}, r"confidence=95 must lie strictly between 0 and 1"),
    ],
)
def test_hit_rates_reject_bad_options(kwargs, message, keyword_calls):
    kw = keyword_features(make_turns(ROWS), LEXICONS, calls=keyword_calls)
    with pytest.raises(ValueError, match=message):
        keyword_hit_rates(kw, **kwargs)


def test_hit_rates_reject_a_group_named_lexicon(keyword_calls):
    kw = keyword_features(make_turns(ROWS), LEXICONS, calls=keyword_calls)
    with pytest.raises(ValueError, match=r"by='lexicon' must not hold 'lexicon'"):
        keyword_hit_rates(kw, by="lexicon", calls=keyword_calls.assign(lexicon="z"))


def test_hit_rates_reject_frames_that_are_not_keyword_features():
    with pytest.raises(ValueError, match=r"keywords must be the DataFrame of keyword_features"):
        keyword_hit_rates(pd.DataFrame({"kw_price_first_turn": [1]}))
    with pytest.raises(ValueError, match=r"keywords has no kw_<name>_first_turn columns"):
        keyword_hit_rates(pd.DataFrame({"task_id": ["A"], "kw_price": [1]}))
    both_sides = keyword_features(make_turns(ROWS), LEXICONS, by_speaker=False)
    with pytest.raises(ValueError, match=r"speaker='user' needs the columns \['kw_price_user'"):
        keyword_hit_rates(both_sides, speaker="user")
