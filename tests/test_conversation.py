"""conversation_features: hand-computed transcripts, edge cases, a reference model, errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.schema import CALLS_SCHEMA, TURNS_SCHEMA, conform
from analytics.text import conversation
from analytics.text.conversation import (
    CONVERSATION_SCHEMA,
    METRICS,
    conversation_features,
    feature_summary,
)

T0 = pd.Timestamp("2026-01-31 11:47:38", tz="UTC")

# Call A: timed, agent/user alternate; a one-word "ok" sits inside the agent's monologue.
# Call B: untimed; a system message, consecutive same-speaker turns, an agent that loops.
# Call C: only the agent speaks; one turn lacks its timestamp, so the call is not timed.
# Call D: in calls, no turns (empty transcript).
TURN_ROWS = [
    ("A", 0, "agent", "Hi, this is Aria from Acme. Is this a good time?", 0.0),  # 11 words, 1 ?
    ("A", 1, "user", "Yes, go ahead.", 4.0),  # 3
    (
        "A",
        2,
        "agent",
        "Great. We have a new plan. Would you like to hear the price?",
        5.0,
    ),  # 13, 1 ?
    ("A", 3, "user", "ok", 10.0),  # 1
    ("A", 4, "agent", "It is ten dollars a month.", 11.0),  # 6
    ("A", 5, "user", "How much?? Is that per month? Sounds good.", 14.0),  # 8, 2 ?
    ("A", 6, "agent", "Yes.", 20.0),  # 1
    ("B", 0, "user", "Hello?", None),  # 1, 1 ?
    ("B", 1, "other", "transfer started", None),
    ("B", 2, "user", "Hello? Anyone there?", None),  # 3, 2 ?
    ("B", 3, "agent", "Sorry, could you repeat that?", None),  # 5, 1 ?
    ("B", 4, "agent", "Sorry, could you repeat that?", None),  # 5, 1 ?  repeat 1
    ("B", 5, "user", "mm-hmm", None),  # 1
    ("B", 6, "agent", "  sorry, COULD you repeat that? ", None),  # 5, 1 ?  repeat 2
    ("C", 0, "agent", "Hello, am I speaking with Ravi?", 0.0),  # 6, 1 ?
    ("C", 1, "agent", "Hello?", None),  # 1, 1 ?
]


def make_turns(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["task_id", "turn", "speaker", "text", "offset_s"])
    frame["n_words"] = frame["text"].str.split().str.len()
    frame["timestamp"] = T0 + pd.to_timedelta(frame["offset_s"], unit="s")
    frame["call_id"] = "c-" + frame["task_id"]
    return conform(frame, TURNS_SCHEMA)


@pytest.fixture
def turns() -> pd.DataFrame:
    # shuffled rows: the function must order turns itself
    return make_turns(TURN_ROWS).sample(frac=1, random_state=3)


@pytest.fixture
def calls() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "task_id": ["A", "B", "C", "D"],
            "duration_s": [22.0, 30.0, 0.0, 45.0],
            "start_time": [T0, pd.NaT, pd.NaT, pd.NaT],
            "end_time": [T0 + pd.Timedelta(22, "s"), pd.NaT, pd.NaT, pd.NaT],
        }
    )
    return conform(frame, CALLS_SCHEMA)


NA = pd.NA
COLUMNS = [c for c in CONVERSATION_SCHEMA if c != "task_id"]
# fmt: off
EXPECTED = {
    #                                A (timed)    B (untimed)  C (agent only)  D (no turns)
    "n_turns":                       [7,          7,           2,              0],
    "n_agent_turns":                 [4,          3,           2,              0],
    "n_user_turns":                  [3,          3,           0,              0],
    "n_other_turns":                 [0,          1,           0,              0],
    "agent_words":                   [31,         15,          7,              0],
    "user_words":                    [12,         5,           0,              0],
    "agent_talk_share":              [31 / 43,    15 / 20,     1.0,            NA],
    # talk times A: agent 4+5+3+2 (last turn: end 22 - 20), user 1+1+6
    "agent_talk_share_time":         [14 / 22,    NA,          NA,             NA],
    "agent_wpm":                     [60 * 31 / 14, NA,        NA,             NA],
    "user_wpm":                      [60 * 12 / 8, NA,         NA,             NA],
    # silence per turn = max(0, talk - 0.4 s/word): 0, 0, 0, .6, .6, 2.8, 1.6
    "silence_share":                 [5.6 / 22,   NA,          NA,             NA],
    # runs A: A U A U A U A; B: U(2 turns) A(2 turns) U A
    "switches":                      [6,          3,           0,              0],
    "switches_per_min":              [6 / (22 / 60), 3 / 0.5,  NA,             0.0],
    # A: 13 + 6 around the one-word "ok"; B: 10 + 5 around "mm-hmm"
    "longest_agent_monologue_words": [19,         15,          7,              0],
    "longest_user_story_words":      [8,          4,           0,              0],
    "agent_questions":               [2,          3,           2,              0],
    "user_questions":                [2,          3,           0,              0],
    # user->agent gaps A: 1, 1, 6; agent->user: 4, 5, 3 (linear interpolation)
    "agent_response_gap_p50_s":      [1.0,        NA,          NA,             NA],
    # 3 gaps a side: too few for a 90th percentile (MIN_GAPS_P90 = 10)
    "agent_response_gap_p90_s":      [NA,         NA,          NA,             NA],
    "user_response_gap_p50_s":       [4.0,        NA,          NA,             NA],
    "user_response_gap_p90_s":       [NA,         NA,          NA,             NA],
    "overlaps":                      [0,          NA,          NA,             NA],
    "first_speaker":                 ["agent",    "user",      "agent",        NA],
    "last_speaker":                  ["agent",    "agent",     "agent",        NA],
    "agent_backchannels":            [1,          0,           0,              0],
    "user_backchannels":             [1,          1,           0,              0],
    "agent_repeats":                 [0,          2,           0,              0],
}
# fmt: on


def expected(rows: list[int], **changes: list) -> pd.DataFrame:
    data = {"task_id": [["A", "B", "C", "D"][i] for i in rows]}
    data |= {c: [EXPECTED[c][i] for i in rows] for c in COLUMNS}
    data |= changes
    return conform(pd.DataFrame(data, dtype=object), CONVERSATION_SCHEMA)


def test_hand_computed_calls(turns, calls):
    out = conversation_features(turns, calls=calls)
    pd.testing.assert_frame_equal(out, expected([0, 1, 2, 3]))


def test_without_calls_the_last_turn_has_no_talk_time(turns):
    out = conversation_features(turns)
    # A without its last turn: agent 4+5+3 = 12 s, user 8 s; span of offsets 0..20 s
    want = expected(
        [0, 1, 2],
        agent_talk_share_time=[12 / 20, NA, NA],
        agent_wpm=[60 * 30 / 12, NA, NA],
        user_wpm=[90.0, NA, NA],
        silence_share=[4.0 / 20, NA, NA],
        switches_per_min=[6 / (20 / 60), NA, NA],
    )
    pd.testing.assert_frame_equal(out, want)


def test_last_turn_dropped_when_clocks_disagree(turns, calls):
    # the call "ends" at 19 s, before its last turn (20 s): the clocks disagree
    early = calls.assign(end_time=calls["start_time"] + pd.Timedelta(19, "s"))
    out = conversation_features(turns, calls=early).iloc[0]
    assert out["agent_talk_share_time"] == 12 / 20
    assert out["switches_per_min"] == 6 / (22 / 60)  # duration_s is still 22


def test_call_end_falls_back_to_duration(turns, calls):
    out = conversation_features(turns, calls=calls.assign(end_time=pd.NaT)).iloc[0]
    assert out["agent_talk_share_time"] == 14 / 22  # end = start + duration_s (22 s)


@pytest.mark.parametrize(
    ("threshold", "agent"),
    [(0, 13), (1, 19), (2, 19), (3, 30)],
)
def test_backchannel_threshold(turns, threshold, agent):
    # call A runs: agent 11, user 3, agent 13, user 1 ("ok"), agent 6, user 8, agent 1.
    # 0: every user run breaks -> 13; 1-2: "ok" does not -> 13 + 6; 3: nor does the 3-word
    # reply -> 11 + 13 + 6. The user's best stays 8: every agent run but the last is > 3 words.
    out = conversation_features(turns, backchannel_max_words=threshold)
    row = out.iloc[0]
    assert row["longest_agent_monologue_words"] == agent
    assert row["longest_user_story_words"] == 8


def test_monologue_broken_only_by_a_one_word_backchannel():
    rows = [
        ("M", 0, "agent", "one two three four five six seven eight nine ten", 0.0),
        ("M", 1, "user", "mm-hmm", 5.0),
        ("M", 2, "agent", "eleven twelve thirteen fourteen fifteen", 6.0),
        ("M", 3, "user", "okay sure fine", 9.0),
        ("M", 4, "agent", "sixteen seventeen", 11.0),
    ]
    out = conversation_features(make_turns(rows)).iloc[0]
    assert out["longest_agent_monologue_words"] == 15  # 10 + 5; the 3-word reply breaks it
    assert out["longest_user_story_words"] == 3
    assert out["switches"] == 4
    assert out["user_backchannels"] == 1


def test_overlaps_and_negative_gaps():
    rows = [
        ("E", 0, "agent", "Hello there", 0.0),
        ("E", 1, "user", "Hi who is this", 3.0),
        ("E", 2, "agent", "It's Aria", 2.5),  # stamped before the user's turn
        ("E", 3, "user", "Oh hi", 2.5),  # same instant
    ]
    out = conversation_features(make_turns(rows)).iloc[0]
    assert out["overlaps"] == 2
    assert out["agent_response_gap_p50_s"] == -0.5
    assert out["user_response_gap_p50_s"] == 1.5  # gaps 3.0 and 0.0
    # talk: agent 3 s + 0 (stamped backwards -> 0), user 0 (clipped); last turn unknown
    assert out["agent_talk_share_time"] == 1.0


def gap_turns(task: str, agent_gaps: list[float]) -> list[tuple]:
    """A timed call: the agent opens, then each user turn 2 s after the agent's, and the agent
    replies after the next of ``agent_gaps``: one user->agent and one agent->user change each."""
    rows, clock = [(task, 0, "agent", "hello", 0.0)], 0.0
    for k, gap in enumerate(agent_gaps):
        rows.append((task, 2 * k + 1, "user", "yes", clock + 2.0))
        rows.append((task, 2 * k + 2, "agent", "right", clock + 2.0 + gap))
        clock += 2.0 + gap
    return rows


def test_gap_percentile_needs_enough_gaps():
    gaps = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]
    out = conversation_features(make_turns(gap_turns("T", gaps) + gap_turns("N", gaps[:9])))
    ten, nine = out.set_index("task_id").loc["T"], out.set_index("task_id").loc["N"]
    # 10 gaps sorted 1 1 2 3 3 4 5 5 6 9: p90 at position 0.9 * 9 = 8.1 is 6 + 0.1 * 3 = 6.3,
    # the median at 4.5 is 3 + 0.5 * 1 = 3.5. The ten agent->user gaps are all 2 s.
    assert ten["agent_response_gap_p90_s"] == pytest.approx(6.3)
    assert ten["agent_response_gap_p50_s"] == 3.5
    assert ten["user_response_gap_p90_s"] == 2.0
    # 9 gaps (the last 3 dropped): too few for a 90th percentile; the median 4 stays.
    assert pd.isna(nine["agent_response_gap_p90_s"])
    assert pd.isna(nine["user_response_gap_p90_s"])
    assert nine["agent_response_gap_p50_s"] == 4.0
    assert nine["user_response_gap_p50_s"] == 2.0
    assert conversation.MIN_GAPS_P90 == 10


def test_only_user_and_other_turns():
    rows = [("U", 0, "other", "dialing", 0.0), ("U", 1, "user", "Hello? Hello?", 1.0)]
    out = conversation_features(make_turns(rows)).iloc[0]
    assert (out["n_turns"], out["n_other_turns"], out["n_user_turns"]) == (2, 1, 1)
    assert out["agent_talk_share"] == 0.0
    assert out["first_speaker"] == "user"
    assert pd.isna(out["agent_talk_share_time"])  # one turn: no talk time without calls
    assert out["user_questions"] == 2


def test_na_text_counts_as_no_words_and_no_question():
    turns = make_turns([("N", 0, "agent", None, None), ("N", 1, "user", "why?", None)])
    out = conversation_features(turns).iloc[0]
    assert (out["agent_words"], out["agent_questions"], out["user_questions"]) == (0, 0, 1)
    assert out["agent_backchannels"] == 0  # an empty run is not a backchannel
    assert out["agent_repeats"] == 0


def test_empty_input_gives_every_column():
    out = conversation_features(make_turns(TURN_ROWS).iloc[:0])
    assert list(out.columns) == list(CONVERSATION_SCHEMA)
    assert out.dtypes.astype(str).tolist() == [
        str(pd.Series(dtype=t).dtype) for t in CONVERSATION_SCHEMA.values()
    ]
    assert len(out) == 0


def test_calls_without_turns_still_get_rows(calls):
    out = conversation_features(make_turns(TURN_ROWS).iloc[:0], calls=calls)
    assert out["task_id"].tolist() == ["A", "B", "C", "D"]
    assert out["n_turns"].tolist() == [0, 0, 0, 0]
    assert out["agent_talk_share"].isna().all()


def test_feature_selection_keeps_schema_order(turns):
    out = conversation_features(turns, features=["first_speaker", "switches"])
    assert list(out.columns) == ["task_id", "switches", "first_speaker"]
    assert out["switches"].tolist() == [6, 3, 0]


def test_input_is_not_modified(turns, calls):
    before_t, before_c = turns.copy(), calls.copy()
    conversation_features(turns, calls=calls)
    pd.testing.assert_frame_equal(turns, before_t)
    pd.testing.assert_frame_equal(calls, before_c)


def test_every_metric_has_a_docstring_with_an_analogue():
    for column, fn in METRICS.items():
        assert fn.__doc__, column
        assert "Analogue" in fn.__doc__, column


# --- a reference model on random transcripts -----------------------------------------------

TOKENS = ["ok", "yes?", "price", "what??", "hm", "sure.", "a?b?"]


def reference(rows: list[tuple], threshold: int) -> dict[str, dict]:
    """Plain-Python loop model of the word-based metrics, one call at a time."""
    out = {}
    for task in sorted({r[0] for r in rows}):
        spoken = [r for r in sorted(rows, key=lambda r: r[1]) if r[0] == task]
        spoken = [r for r in spoken if r[2] in ("agent", "user")]
        runs: list[list] = []
        for r in spoken:
            words = len(r[3].split()) if r[3] else 0
            if runs and runs[-1][0] == r[2]:
                runs[-1][1] += words
            else:
                runs.append([r[2], words])
        best = {}
        for side in ("agent", "user"):
            best[side], current = 0, 0
            for speaker, words in runs:
                if speaker == side:
                    current += words
                elif words > threshold:
                    current = 0
                best[side] = max(best[side], current)
        questions = {
            s: sum(len(re.findall(r"\?+", r[3] or "")) for r in spoken if r[2] == s)
            for s in ("agent", "user")
        }
        out[task] = {
            "switches": max(len(runs) - 1, 0),
            "longest_agent_monologue_words": best["agent"],
            "longest_user_story_words": best["user"],
            "agent_questions": questions["agent"],
            "user_questions": questions["user"],
        }
    return out


turn_strategy = st.tuples(
    st.sampled_from(["t1", "t2", "t3"]),
    st.sampled_from(["agent", "user", "other"]),
    st.lists(st.sampled_from(TOKENS), max_size=5).map(" ".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(turn_strategy, min_size=1, max_size=30), st.integers(0, 3), st.randoms())
def test_matches_reference_model_in_any_row_order(items, threshold, rnd):
    rows = [(task, i, speaker, text, float(i)) for i, (task, speaker, text) in enumerate(items)]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    out = conversation_features(make_turns(shuffled), backchannel_max_words=threshold)
    got = out.set_index("task_id")[list(next(iter(reference(rows, threshold).values())))]
    want = pd.DataFrame.from_dict(reference(rows, threshold), orient="index")
    assert got.astype("int64").to_dict("index") == want.to_dict("index")
    assert out["agent_talk_share"].dropna().between(0, 1).all()
    assert (out["n_agent_turns"] + out["n_user_turns"] + out["n_other_turns"]).equals(
        out["n_turns"]
    )


# --- real data ------------------------------------------------------------------------------


def test_on_a_synthetic_run():
    from analytics.datasets import make_run
    from analytics.load import load_run

    run = load_run(make_run(150, random_state=4))
    out = conversation_features(run.turns, calls=run.calls)
    assert out["task_id"].tolist() == sorted(run.calls["task_id"])
    merged = run.calls.merge(out, on="task_id", suffixes=("_loader", ""))
    known = merged["n_turns_loader"].notna()
    assert (merged.loc[known, "n_turns_loader"] == merged.loc[known, "n_turns"]).all()
    assert (merged.loc[known, "n_user_turns_loader"] == merged.loc[known, "n_user_turns"]).all()
    timed = out["agent_talk_share_time"].notna()
    assert timed.any()
    assert out.loc[timed, "agent_talk_share_time"].between(0, 1).all()
    assert (out["longest_agent_monologue_words"] <= out["agent_words"]).all()


# --- errors ---------------------------------------------------------------------------------


def test_rejects_non_frames(calls):
    with pytest.raises(TypeError, match=r"turns must be a pandas DataFrame, got 'list'"):
        conversation_features([{"task_id": "A"}])
    with pytest.raises(TypeError, match=r"calls must be a pandas DataFrame, got 'dict'"):
        conversation_features(make_turns(TURN_ROWS), calls={"task_id": "A"})


def test_rejects_missing_columns(calls):
    with pytest.raises(ValueError, match=r"turns lacks the columns \['offset_s'\]"):
        conversation_features(make_turns(TURN_ROWS).drop(columns="offset_s"))
    with pytest.raises(ValueError, match=r"calls lacks the columns \['task_id'\]"):
        conversation_features(make_turns(TURN_ROWS), calls=calls.drop(columns="task_id"))


def test_rejects_missing_task_ids():
    turns = make_turns(TURN_ROWS)
    turns.loc[turns.index[0], "task_id"] = pd.NA
    with pytest.raises(ValueError, match=r"turns.task_id has missing values"):
        conversation_features(turns)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"backchannel_max_words": -1}, r"backchannel_max_words=-1 must be an int >= 0"),
        ({"backchannel_max_words": 1.5}, r"backchannel_max_words=1.5 must be an int"),
        ({"backchannel_max_words": True}, r"backchannel_max_words=True must be an int"),
        ({"speech_rate_wpm": 0}, r"speech_rate_wpm=0 must be a number > 0"),
        ({"speech_rate_wpm": "fast"}, r"speech_rate_wpm='fast' must be a number > 0"),
        ({"features": "switches"}, r"features='switches' must be a list of names"),
        ({"features": ["switches", "talkiness"]}, r"unknown features \['talkiness'\]"),
    ],
)
def test_rejects_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        conversation_features(make_turns(TURN_ROWS), **options)


def test_nan_free_numpy_view_for_models(turns, calls):
    out = conversation_features(turns, calls=calls)
    numeric = out.drop(columns=["task_id", "first_speaker", "last_speaker"])
    array = numeric.to_numpy(dtype=float, na_value=np.nan)
    assert array.shape == (4, len(COLUMNS) - 2)


# --- feature_summary ------------------------------------------------------------------------


@pytest.fixture
def features_by_group() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task_id": ["a", "b", "c", "d", "e"],
            "assignee": ["x", "x", "x", "y", None],
            "gap": pd.array([1.0, 3.0, None, None, None], dtype="Float64"),
            "words": pd.array([10, 20, 40, 0, 5], dtype="Int64"),
        }
    )


def test_feature_summary_median_over_no_call_is_na(features_by_group):
    table = feature_summary(features_by_group)
    assert table["assignee"].tolist()[:2] == ["x", "y"]
    assert table["n_calls"].tolist() == [3, 1, 1]
    assert table["gap"].iloc[0] == 2.0  # over the 2 calls of x that have a value
    assert table["gap"].iloc[1:].isna().all()  # no call of y or of the NA group has one
    assert table["words"].tolist() == [20.0, 0.0, 5.0]


def test_feature_summary_counts_the_calls_behind_each_median(features_by_group):
    table = feature_summary(features_by_group, counts=True)
    assert list(table.columns) == ["assignee", "n_calls", "gap", "n_gap", "words", "n_words"]
    assert table["n_gap"].tolist() == [2, 0, 0]
    assert table["n_words"].tolist() == table["n_calls"].tolist()
    assert str(table["n_gap"].dtype) == "Int64"


# --- talk time stamped by the platform (turns.duration_s) ------------------------------------

TIME_COLUMNS = ["agent_talk_share_time", "agent_wpm", "user_wpm", "silence_share"]
GAP_COLUMNS = ["agent_response_gap_p50_s", "user_response_gap_p50_s", "overlaps"]
# Call A's turns: offsets 0, 4, 5, 10, 11, 14, 20 s; words 11, 3, 13, 1, 6, 8, 1 (agent even turns)
A_DURATIONS = [3.0, 0.5, 4.0, 0.5, 2.0, 5.0, 1.0]


def with_durations(turns: pd.DataFrame, durations: dict[tuple[str, int], float]) -> pd.DataFrame:
    keys = list(zip(turns["task_id"], turns["turn"]))
    values = [durations.get(k) for k in keys]
    return turns.assign(duration_s=pd.array(values, dtype="Float64"))


def a_durations(values: list[float | None]) -> dict[tuple[str, int], float]:
    return {("A", i): v for i, v in enumerate(values) if v is not None}


def test_stamped_talk_time_replaces_the_rule(turns, calls):
    out = conversation_features(with_durations(turns, a_durations(A_DURATIONS)), calls=calls)
    a = out.set_index("task_id").loc["A"]
    # agent talk 3 + 4 + 2 + 1 = 10 s, user 0.5 + 0.5 + 5 = 6 s
    assert a["agent_talk_share_time"] == pytest.approx(10 / 16)
    assert a["agent_wpm"] == pytest.approx(60 * 31 / 10)  # 186 words per minute
    assert a["user_wpm"] == pytest.approx(60 * 12 / 6)  # 120
    # silence = max(0, talk - 0.4 s/word): 0, 0, 0, 0.1, 0, 1.8, 0.6 -> 2.5 s of 16
    assert a["silence_share"] == pytest.approx(2.5 / 16)
    # response gaps still come from the offsets: user->agent 1, 1, 6; agent->user 4, 5, 3
    assert a[GAP_COLUMNS].tolist() == [1.0, 4.0, 0]


def test_stamped_and_ruled_turns_mix_within_a_call(turns, calls):
    # only the user turns are stamped (0.5, 0.5, 5 s); agent turns by the rule: 4 + 5 + 3 + 2
    stamped = a_durations([None, 0.5, None, 0.5, None, 5.0, None])
    a = conversation_features(with_durations(turns, stamped), calls=calls).iloc[0]
    assert a["agent_talk_share_time"] == pytest.approx(14 / 20)
    assert a["agent_wpm"] == pytest.approx(60 * 31 / 14)
    assert a["user_wpm"] == pytest.approx(120.0)
    # silence: agent 0, 0, 3 - 2.4, 2 - 0.4 = 2.2; user 0, 0.1, 1.8 = 1.9 -> 4.1 s of 20
    assert a["silence_share"] == pytest.approx(4.1 / 20)


def test_stamped_last_turn_needs_no_call_end(turns, calls):
    # every turn stamped: the call's end (from calls) is not needed for the last turn
    stamped = with_durations(turns, a_durations(A_DURATIONS))
    alone = conversation_features(stamped).set_index("task_id")[TIME_COLUMNS]
    joined = conversation_features(stamped, calls=calls).set_index("task_id")[TIME_COLUMNS]
    assert alone.loc["A"].tolist() == pytest.approx(joined.loc["A"].tolist())
    assert alone.loc["A", "agent_talk_share_time"] == pytest.approx(10 / 16)


def test_negative_stamped_talk_time_counts_as_zero(turns, calls):
    # the agent's last turn stamped -1 s: agent 3 + 4 + 2 + 0 = 9 s, user 6 s
    values = [*A_DURATIONS[:-1], -1.0]
    a = conversation_features(with_durations(turns, a_durations(values)), calls=calls).iloc[0]
    assert a["agent_talk_share_time"] == pytest.approx(9 / 15)


def test_untimed_call_stays_na_with_stamped_durations(turns, calls):
    # call B has no offsets: a stamped duration does not make it timed
    stamped = {("B", i): 1.0 for i in range(7)}
    out = conversation_features(with_durations(turns, stamped), calls=calls).set_index("task_id")
    assert out.loc["B", TIME_COLUMNS].isna().all()


def test_turns_without_duration_column_work_as_before(turns, calls):
    old = conversation_features(turns.drop(columns="duration_s"), calls=calls)
    pd.testing.assert_frame_equal(old, expected([0, 1, 2, 3]))
    all_na = conversation_features(with_durations(turns, {}), calls=calls)
    pd.testing.assert_frame_equal(all_na, old)


def test_stamped_durations_on_empty_turns(turns):
    empty = with_durations(turns, {}).iloc[:0]
    out = conversation_features(empty)
    assert out.empty
    assert list(out.columns) == list(CONVERSATION_SCHEMA)
