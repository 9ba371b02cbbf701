"""Tests of analytics.review.queue: a hand-built run where each signal fires on planned calls.

The run (fixture ``run``) has 24 calls. Offsets are NA except on the calls meant to be slow,
calls have no status or times (so quality_checks finds only what is planted), and every
expected score below is the sum of WEIGHTS written out in a comment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.datasets import make_run
from analytics.load import Run, load_run
from analytics.review.queue import (
    REVIEW_LEXICONS,
    REVIEW_SCHEMA,
    REVIEW_SIGNALS,
    SLOW_GAP_S,
    WEIGHTS,
    review_queue,
)
from analytics.schema import (
    CALLS_SCHEMA,
    PROBLEMS_SCHEMA,
    TASKS_SCHEMA,
    TURNS_SCHEMA,
    conform,
    empty_frame,
)

SIGNALS = list(REVIEW_SIGNALS)
LONG = "How much does it cost?" + " blah" * 40  # 22 + 200 = 222 characters
WORD = "x" * 300  # one word longer than an excerpt line

# (task_id, turn, speaker, text, offset_s); speakers: a = agent, u = user, o = other
TURNS = [
    # T01 slow: user 2.0 -> agent 8.0 = 6.0 s (turn 2); user 9.0 -> agent 10.0 = 1.0 s
    ("T01", 0, "a", "Hello, this is Ava from Acme.", 0.0),
    ("T01", 1, "u", "Hi.", 2.0),
    ("T01", 2, "a", "Thanks for taking the call.", 8.0),
    ("T01", 3, "u", "Sure.", 9.0),
    ("T01", 4, "a", "Great to hear.", 10.0),
    # T02 slow: 10.0 s at turn 2 (capped at 2 x SLOW_GAP_S)
    ("T02", 0, "a", "Hello.", 0.0),
    ("T02", 1, "u", "Hi.", 1.0),
    ("T02", 2, "a", "Sorry for the wait.", 11.0),
    # T03 slow: exactly 4.0 s (turn 3), the previous user turn being turn 2, not turn 1
    ("T03", 0, "a", "Hello.", 0.0),
    ("T03", 1, "u", "Hi.", 1.0),
    ("T03", 2, "u", "Anyone there?", 3.0),
    ("T03", 3, "a", "Yes, sorry.", 7.0),
    # T04 not slow: agent -> agent 20 s is no reply; user -> agent 3.9 s is under the bar
    ("T04", 0, "a", "Hello.", 0.0),
    ("T04", 1, "a", "Are you still there?", 20.0),
    ("T04", 2, "u", "Yes.", 21.0),
    ("T04", 3, "a", "Good.", 24.9),
    # T05 loop: the same sentence in turns 1, 3, 5 (case, spacing and punctuation differ)
    ("T05", 0, "u", "Hello?", None),
    ("T05", 1, "a", "Sorry. Could you repeat that, please?", None),
    ("T05", 2, "u", "I said hello.", None),
    ("T05", 3, "a", "could you   REPEAT that please!", None),
    ("T05", 4, "u", "HELLO.", None),
    ("T05", 5, "a", "Could you repeat that please? Okay.", None),
    ("T05", 6, "u", "Bye.", None),
    # T06 no loop: "Sure thing" (2 words) three times, "Is that right" (3 words) twice
    ("T06", 0, "a", "Sure thing. Is that right?", None),
    ("T06", 1, "a", "Sure thing!", None),
    ("T06", 2, "a", "Sure thing. Is that right?", None),
    # T07 opt-out at turn 3; "not interested" (turn 1) is not an opt-out; turn 5 is a system
    # message, inside the excerpt window but not shown
    ("T07", 0, "a", "Hi, this is Ava from Acme Cloud.", None),
    ("T07", 1, "u", "I'm not interested.", None),
    ("T07", 2, "a", "May I ask why?", None),
    ("T07", 3, "u", "Please stop calling me.", None),
    ("T07", 4, "a", "Sorry, I will remove your number.", None),
    ("T07", 5, "o", "call transferred", None),
    # T08 complaint at turn 1, with a line break in the text
    ("T08", 0, "a", "Good morning.", None),
    ("T08", 1, "u", "This is   a\nscam.", None),
    # T09 only the agent says opt-out words; the caller's soft no is not one
    ("T09", 0, "a", "You can ask us to stop calling at any time.", None),
    ("T09", 1, "u", "Not interested.", None),
    # T10 Not Interested, price (turn 1) and booking (turn 3) words: mislabelled, moment 1
    ("T10", 0, "a", "Hello from Acme.", None),
    ("T10", 1, "u", LONG, None),
    ("T10", 2, "a", "Six cents a minute.", None),
    ("T10", 3, "u", "Can I book a demo next week?", None),
    # T11 Not Connected with a conversation, a callback request: mislabelled, moment 1
    ("T11", 0, "a", "Hello from Acme.", None),
    ("T11", 1, "u", "Busy now, call me back tomorrow.", None),
    ("T11", 2, "a", WORD, None),
    # T12 Not Interested with price words only: no evidence
    ("T12", 0, "a", "Hello.", None),
    ("T12", 1, "u", "What's the price?", None),
    # T13 Not Interested, "Don't call me back": an opt-out, which vetoes the callback evidence
    ("T13", 0, "a", "Hello.", None),
    ("T13", 1, "u", "Don't call me back.", None),
    # T14 Interested with price and booking words: consistent
    ("T14", 0, "a", "Hello.", None),
    ("T14", 1, "u", "What's the price? Can I book a demo?", None),
    # T15 Not Connected without a conversation (no agent turn)
    ("T15", 0, "u", "Call me back.", None),
    # T16 short call (moment NA: the excerpt is the call's opening)
    ("T16", 0, "a", "Hello?", None),
    ("T16", 1, "u", "Wrong number.", None),
    # T24 slow 8.0 s at turn 2, opt-out at turn 3, low score
    ("T24", 0, "a", "Hello.", 0.0),
    ("T24", 1, "u", "Who is this?", 1.0),
    ("T24", 2, "a", "Acme Cloud here.", 9.0),
    ("T24", 3, "u", "Remove my number.", 10.0),
]
SPEAKERS = {"a": "agent", "u": "user", "o": "other"}

# task_id -> fields different from the defaults of calls_frame
CALLS = {
    **{f"T{i:02d}": {} for i in range(1, 25)},
    "T07": {"outcome": "Not Interested"},
    "T09": {"outcome": "Not Interested"},
    "T10": {"outcome": "Not Interested"},
    "T11": {"outcome": "Not Connected"},
    "T12": {"outcome": "Not Interested"},
    "T13": {"outcome": "Not Interested"},
    "T15": {"outcome": "Not Connected", "has_conversation": False, "connected": False},
    "T16": {"duration_s": 3.0},
    "T17": {"duration_s": 5.0},  # connected, exactly 5 s: not short
    "T18": {"duration_s": 2.0, "connected": False},
    "T19": {"duration_s": 1.0, "connected": None},
    "T20": {"success_score": 3.0},  # low; no turns
    "T21": {"success_score": 3.5},
    "T24": {"success_score": 2.0},
}
DUPLICATED = "T22"  # came twice in the input: a duplicate_task finding
UNREADABLE = "T23"  # a loader problem: an unreadable finding


def calls_frame(fields: dict[str, dict]) -> pd.DataFrame:
    ids = list(fields)
    rows = [
        {
            "task_id": t,
            "call_id": f"C{t[1:]}",
            "run_id": "R1",
            "assignee": "ava" if int(t[1:]) % 2 else "bo",
            "outcome": "Interested",
            "duration_s": 60.0,
            "recording_url": f"https://rec.example/{t}.ogg",
            "connected": True,
            "has_conversation": True,
            "success_score": 7.0,
            **fields[t],
        }
        for t in ids
    ]
    return conform(pd.DataFrame(rows), CALLS_SCHEMA)


def turns_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["task_id", "turn", "speaker", "text", "offset_s"])
    frame["speaker"] = frame["speaker"].map(SPEAKERS)
    return conform(frame, TURNS_SCHEMA)


def build_run(calls: dict[str, dict] = CALLS, turns: list[tuple] = TURNS) -> Run:
    ids = list(calls)
    tasks = pd.DataFrame({"task_id": ids, "n_seen": [2 if t == DUPLICATED else 1 for t in ids]})
    problems = pd.DataFrame(
        {"task_id": [UNREADABLE], "field": ["cost"], "problem": ["cost is 'abc'; left NA"]}
    )
    return Run(
        tasks=conform(tasks, TASKS_SCHEMA),
        calls=calls_frame(calls),
        turns=turns_frame([r for r in turns if r[0] in calls]),
        problems=conform(problems[problems["task_id"].isin(ids)], PROBLEMS_SCHEMA),
    )


@pytest.fixture(scope="module")
def run() -> Run:
    return build_run()


@pytest.fixture(scope="module")
def queue(run) -> pd.DataFrame:
    return review_queue(run, n=100)


# The planned queue: task_id, score, the signals that fire, moment_turn.
EXPECTED = [
    ("T24", 8.0, "slow_response; opt_out; low_score", 3),  # 2*min(8/4, 2) + 3 + 1
    ("T02", 4.0, "slow_response", 2),  # 2*min(10/4, 2) = 4
    ("T01", 3.0, "slow_response", 2),  # 2*6/4 = 3
    ("T07", 3.0, "opt_out", 3),
    ("T08", 3.0, "opt_out", 1),
    ("T10", 3.0, "mislabelled", 1),
    ("T11", 3.0, "mislabelled", 1),
    ("T13", 3.0, "opt_out", 1),
    ("T03", 2.0, "slow_response", 3),  # 2*4/4 = 2
    ("T05", 2.0, "agent_loop", 5),  # third occurrence
    ("T16", 1.0, "short_call", None),
    ("T20", 1.0, "low_score", None),
    ("T22", 1.0, "data_quality", None),
    ("T23", 1.0, "data_quality", None),
]


def test_each_signal_fires_on_the_planned_calls(queue):
    assert queue["task_id"].tolist() == [e[0] for e in EXPECTED]
    assert queue["reasons"].tolist() == [e[2] for e in EXPECTED]
    for signal in SIGNALS:
        fired = queue.loc[queue[signal].to_numpy(bool), "task_id"].tolist()
        planned = [e[0] for e in EXPECTED if signal in e[2].split("; ")]
        assert fired == planned, signal
    assert not queue[SIGNALS].isna().any().any()  # every signal checked: no NA


def test_scores_and_ranks_by_hand(queue):
    assert queue["score"].tolist() == [e[1] for e in EXPECTED]
    assert queue["rank"].tolist() == list(range(1, len(EXPECTED) + 1))
    # ties (3.0: T01, T07, T08, T10, T11, T13) are in task_id order
    assert queue["moment_turn"].tolist() == [pd.NA if e[3] is None else e[3] for e in EXPECTED]


def test_columns_dtypes_and_call_fields(queue):
    assert list(queue.columns) == list(REVIEW_SCHEMA)
    assert list(REVIEW_SCHEMA)[:9] == ["rank", "score", *SIGNALS]
    assert SIGNALS == [
        "slow_response",
        "agent_loop",
        "opt_out",
        "mislabelled",
        "short_call",
        "low_score",
        "data_quality",
    ]
    assert {c: str(t) for c, t in queue.dtypes.items()} == REVIEW_SCHEMA
    first = queue.iloc[0]
    assert (first["call_id"], first["run_id"], first["assignee"]) == ("C24", "R1", "bo")
    assert (first["outcome"], first["duration_s"]) == ("Interested", 60.0)
    assert first["recording_url"] == "https://rec.example/T24.ogg"


def test_excerpts_around_the_moment(queue):
    excerpt = dict(zip(queue["task_id"], queue["excerpt"]))
    # T07 moment 3: turns 1..5; turn 5 is a system message, left out
    assert excerpt["T07"] == (
        "Caller: I'm not interested. / Agent: May I ask why? / Caller: Please stop calling me."
        " / Agent: Sorry, I will remove your number."
    )
    # T08 moment 1: turns 0..3 exist up to 1; whitespace runs become one space
    assert excerpt["T08"] == "Agent: Good morning. / Caller: This is a scam."
    # T10 moment 1: turns 0..3. The 222-character turn: its first 161 characters are
    # "How much does it cost?" (22) + " blah" * 27 (135) + " bla"; the partial word goes,
    # leaving 157 characters, then " ..."
    cut = "How much does it cost?" + " blah" * 27 + " ..."
    assert excerpt["T10"] == (
        f"Agent: Hello from Acme. / Caller: {cut} / Agent: Six cents a minute."
        " / Caller: Can I book a demo next week?"
    )
    # T11: a 300-character word has no boundary to cut at: the first 160 characters
    assert excerpt["T11"].endswith(f"/ Agent: {'x' * 160} ...")
    # T16 has no moment: its opening turns
    assert excerpt["T16"] == "Agent: Hello? / Caller: Wrong number."
    # T24 moment 3 (the opt-out, though the slow reply at turn 2 scores more): turns 1..3
    assert excerpt["T24"] == (
        "Caller: Who is this? / Agent: Acme Cloud here. / Caller: Remove my number."
    )


def test_calls_without_turns_have_no_excerpt(queue):
    no_turns = queue[queue["task_id"].isin(["T20", "T22", "T23"])]
    assert no_turns["excerpt"].isna().all()
    assert no_turns["moment_turn"].isna().all()


def test_n_takes_the_top_and_more_than_flagged_gives_all(run, queue):
    top = review_queue(run, n=3)
    assert top["task_id"].tolist() == ["T24", "T02", "T01"]
    pd.testing.assert_frame_equal(top, queue.head(3))
    assert len(review_queue(run, n=1000)) == len(EXPECTED)


def test_reasons_filter_the_signals(run):
    only = review_queue(run, reasons=["opt_out"])
    # every opt-out call scores 3; ties by task_id
    assert only["task_id"].tolist() == ["T07", "T08", "T13", "T24"]
    assert only["score"].tolist() == [3.0] * 4
    assert only["opt_out"].all()
    others = [s for s in SIGNALS if s != "opt_out"]
    assert only[others].isna().all().all()  # not checked
    assert only["reasons"].tolist() == ["opt_out"] * 4


def test_one_reason_as_text_and_the_moment_of_what_was_asked(run):
    slow = review_queue(run, reasons="slow_response")
    # 4.0 (T02, T24: a tie, task_id order), 3.0 (T01), 2.0 (T03)
    assert slow["task_id"].tolist() == ["T02", "T24", "T01", "T03"]
    assert slow["score"].tolist() == [4.0, 4.0, 3.0, 2.0]
    assert slow["moment_turn"].tolist() == [2, 2, 2, 3]  # T24: the slow reply, not the opt-out


def test_reasons_in_any_order_keep_the_column_order(run):
    both = review_queue(run, reasons=["low_score", "short_call"])
    assert both["task_id"].tolist() == ["T16", "T20", "T24"]  # 1 point each
    assert both["reasons"].tolist() == ["short_call", "low_score", "low_score"]


def test_lexicons_replace_entries_by_name(run):
    # no complaint words: T08 drops out of opt_out
    quiet = review_queue(run, reasons="opt_out", lexicons={"complaint": []})
    assert quiet["task_id"].tolist() == ["T07", "T13", "T24"]
    # "not interested" as the only opt-out: T07 at turn 1, T09 fires; "Don't call me back" is
    # no opt-out any more, so T13's callback request makes it mislabelled instead
    soft = review_queue(
        run, reasons=["opt_out", "mislabelled"], lexicons={"opt_out": ["not interested"]}
    )
    # T24 ("Remove my number") is no opt-out under this lexicon
    assert soft["task_id"].tolist() == ["T07", "T08", "T09", "T10", "T11", "T13"]
    assert soft.set_index("task_id").loc["T07", "moment_turn"] == 1
    assert soft.set_index("task_id").loc["T13", "reasons"] == "mislabelled"


def test_other_lexicon_names_are_ignored(run, queue):
    shared = {"shoe_size": ["nine"], "price": list(REVIEW_LEXICONS["price"])}
    pd.testing.assert_frame_equal(review_queue(run, n=100, lexicons=shared), queue)


def test_no_signal_no_row(run):
    calm = {t: CALLS[t] for t in ("T04", "T06", "T09", "T12", "T14", "T15", "T17", "T21")}
    queue = review_queue(build_run(calm))
    assert queue.empty
    assert {c: str(t) for c, t in queue.dtypes.items()} == REVIEW_SCHEMA


def test_empty_run():
    empty = Run(
        *(empty_frame(s) for s in (TASKS_SCHEMA, CALLS_SCHEMA, TURNS_SCHEMA)),
        problems=empty_frame(PROBLEMS_SCHEMA),
    )
    queue = review_queue(empty)
    assert queue.empty
    assert list(queue.columns) == list(REVIEW_SCHEMA)


def test_calls_without_any_turns(run):
    bare = Run(run.tasks, run.calls, run.turns.iloc[:0], run.problems)
    queue = review_queue(bare, n=100)
    # only call-level signals remain: T16, T20, T24 (low score), T22, T23, one point each
    assert queue["task_id"].tolist() == ["T16", "T20", "T22", "T23", "T24"]
    assert queue["excerpt"].isna().all()
    assert queue["moment_turn"].isna().all()


def test_input_is_not_modified(run):
    before = [getattr(run, t).copy() for t in ("tasks", "calls", "turns", "problems")]
    review_queue(run, n=5)
    for table, copy in zip(("tasks", "calls", "turns", "problems"), before):
        pd.testing.assert_frame_equal(getattr(run, table), copy)


def test_weights_and_thresholds_are_documented():
    assert set(WEIGHTS) == set(REVIEW_SIGNALS)
    assert f"{SLOW_GAP_S:g} s" in REVIEW_SIGNALS["slow_response"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, r"n=0 must be 1 or more"),
        ({"n": -3}, ValueError, r"n=-3 must be 1 or more"),
        ({"n": 2.5}, TypeError, r"n=2.5 must be a whole number"),
        ({"n": True}, TypeError, r"n=True must be a whole number"),
        ({"reasons": ["opt_out", "loud"]}, KeyError, r"signal 'loud' is not in REVIEW_SIGNALS"),
        ({"reasons": "Opt-Out"}, KeyError, r"its signals: agent_loop, data_quality"),
        ({"reasons": []}, ValueError, r"reasons=\[\] selects no signal"),
        ({"reasons": [3]}, ValueError, r"reasons must be text.*got 3"),
        ({"lexicons": ["stop"]}, TypeError, r"lexicons must be a dict.*opt_out, complaint"),
        ({"lexicons": {"opt_out": "stop"}}, TypeError, r"lexicon 'opt_out' must be a list"),
        ({"lexicons": {"price": ["cost", " "]}}, ValueError, r"lexicon 'price' holds ' '"),
    ],
)
def test_bad_options(run, kwargs, error, match):
    with pytest.raises(error, match=match):
        review_queue(run, **kwargs)


def test_not_a_run(run):
    with pytest.raises(TypeError, match=r"run must be a Run, got 'DataFrame'; pass load_run"):
        review_queue(run.calls)


def test_a_run_lacking_columns_is_told_to_reload(run):
    old = Run(run.tasks, run.calls.drop(columns="has_conversation"), run.turns, run.problems)
    with pytest.raises(ValueError, match=r"\['has_conversation'\]; load the run with this"):
        review_queue(old)
    no_text = Run(run.tasks, run.calls, run.turns.drop(columns="text"), run.problems)
    with pytest.raises(ValueError, match=r"turns lacks the columns \['text'\]"):
        review_queue(no_text)


# --- merging queues of parts gives the queue of the whole ----------------------------------


def part(run: Run, ids: set[str]) -> Run:
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["task_id"].isin(ids).to_numpy(bool)].reset_index(drop=True)

    return Run(keep(run.tasks), keep(run.calls), keep(run.turns), keep(run.problems))


def merged(queues: list[pd.DataFrame], n: int) -> pd.DataFrame:
    union = pd.concat(queues, ignore_index=True)
    union = union.sort_values(["score", "task_id"], ascending=[False, True], kind="stable")
    top = union.head(n).reset_index(drop=True)
    return top.assign(rank=pd.array(np.arange(1, len(top) + 1), dtype="Int64"))


SAMPLE = load_run(make_run(150, random_state=3))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 60),
    reasons=st.none() | st.lists(st.sampled_from(SIGNALS), min_size=1, unique=True),
    hand_built=st.booleans(),
)
def test_queues_of_two_halves_merge_into_the_queue_of_the_whole(seed, n, reasons, hand_built):
    whole = build_run() if hand_built else SAMPLE
    ids = whole.calls["task_id"].tolist()
    half = set(np.random.default_rng(seed).permutation(ids)[: len(ids) // 2].tolist())
    halves = [part(whole, half), part(whole, set(ids) - half)]
    queues = [review_queue(h, n=n, reasons=reasons) for h in halves]
    expected = review_queue(whole, n=n, reasons=reasons)
    pd.testing.assert_frame_equal(merged(queues, n), expected)


def test_tables_built_by_concatenation_give_the_same_queue(run, queue):
    """Concatenated columns hold several Arrow chunks (as Parquet partitions do)."""
    halves = [run.turns.iloc[:20], run.turns.iloc[20:]]
    chunked = Run(run.tasks, run.calls, pd.concat(halves, ignore_index=True), run.problems)
    assert chunked.turns["text"].array._pa_array.num_chunks == 2
    pd.testing.assert_frame_equal(review_queue(chunked, n=100), queue)
