"""Tests of analytics.viz.plots: the artists drawn carry the numbers of the analysis functions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.schema import CALLS_SCHEMA, OUTCOMES, TURNS_SCHEMA, conform
from analytics.stats.activity import connection_rates
from analytics.stats.outcomes import outcome_rates
from analytics.text.conversation import CONVERSATION_SCHEMA, conversation_features
from analytics.text.keywords import keyword_features, keyword_hit_rates
from analytics.viz.plots import (
    GONG_TALK_SHARE,
    OKABE_ITO,
    plot_calls_over_time,
    plot_connection_rates,
    plot_durations,
    plot_keyword_rates,
    plot_outcome_rates,
    plot_response_gaps,
    plot_talk_share,
)

BLUE, ORANGE, GREEN = OKABE_ITO[:3]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def calls() -> pd.DataFrame:
    """a: t3, t4, t5 (2 Interested, 1 Not Interested; 2 of 3 connected);
    b: t1, t2, t6 (Interested, Call Back, one missing; 1 of 2 known connected)."""
    day1, day2 = "2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"
    frame = pd.DataFrame(
        {
            "task_id": ["t1", "t2", "t3", "t4", "t5", "t6"],
            "assignee": ["b", "b", "a", "a", "a", "b"],
            "outcome": [
                "Interested",
                "Call Back",
                "Interested",
                "Not Interested",
                "Interested",
                None,
            ],
            "connected": [True, False, True, True, False, None],
            "duration_s": [60.0, 5.0, 120.0, 30.0, 10.0, 40.0],
            "start_time": pd.to_datetime([day1, day1, day1, day2, day2, day2]),
        }
    )
    return conform(frame, CALLS_SCHEMA)


@pytest.fixture
def features() -> pd.DataFrame:
    """Per-call talk shares and gaps, with the assignee merged in; t4 has no words."""
    frame = pd.DataFrame(
        {
            "task_id": ["t1", "t2", "t3", "t4"],
            "agent_talk_share": [0.5, 0.7, 0.2, None],
            "agent_response_gap_p50_s": [1.0, 2.5, 4.0, None],
            "assignee": ["b", "b", "a", "a"],
        }
    )
    return conform(frame, CONVERSATION_SCHEMA)


TURNS = [
    ("t1", 0, "agent", "Hello, about the price."),
    ("t1", 1, "user", "Not interested."),
    ("t3", 0, "user", "What does it cost?"),
]
LEXICONS = {"price": ["price", "cost"], "opt_out": ["not interested"]}


@pytest.fixture
def keywords(calls) -> pd.DataFrame:
    turns = conform(
        pd.DataFrame(TURNS, columns=["task_id", "turn", "speaker", "text"]), TURNS_SCHEMA
    )
    return keyword_features(turns, LEXICONS, calls=calls)


def bars(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def error_extents(ax) -> np.ndarray:
    """(low, high) of every error bar, in drawing order."""
    lines = [c.lines[2][0] for c in ax.containers if isinstance(c, ErrorbarContainer)]
    return np.array([(s[0][0], s[1][0]) for line in lines for s in line.get_segments()])


def intervals(rates: pd.DataFrame) -> np.ndarray:
    return rates[["ci_low", "ci_high"]].to_numpy(dtype=float)


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def ytick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


# --- outcome rates --------------------------------------------------------------------------


def test_outcome_bars_are_the_rates_of_each_group_and_outcome(calls):
    ax = plot_outcome_rates(calls, by="assignee")
    containers = bars(ax)
    assert [len(c) for c in containers] == [len(OUTCOMES)] * 2  # groups x outcomes
    widths = [[p.get_width() for p in c] for c in containers]
    zeros = [0.0] * (len(OUTCOMES) - 4)
    assert widths[0] == pytest.approx([2 / 3, 0, 0, 1 / 3, *zeros])  # a, sorted first
    assert widths[1] == pytest.approx([1 / 2, 1 / 2, 0, 0, *zeros])  # b: t6 has no outcome
    assert [to_hex(c[0].get_facecolor()) for c in containers] == [BLUE.lower(), ORANGE.lower()]
    assert ytick_texts(ax) == list(OUTCOMES)
    assert legend_texts(ax) == ["a (n=3)", "b (n=2)"]


def test_outcome_error_bars_span_the_wilson_interval(calls):
    ax = plot_outcome_rates(calls, by="assignee", confidence=0.9)
    rates = outcome_rates(calls, by="assignee", confidence=0.9)
    np.testing.assert_allclose(error_extents(ax), intervals(rates))
    assert "90% Wilson interval" in ax.get_xlabel()


def test_outcome_bars_sit_in_one_cluster_per_outcome(calls):
    ax = plot_outcome_rates(calls, by="assignee")
    a, b = ([p.get_y() + p.get_height() / 2 for p in c] for c in bars(ax))
    assert a == pytest.approx(np.arange(len(OUTCOMES)) - 0.2)
    assert b == pytest.approx(np.arange(len(OUTCOMES)) + 0.2)


def test_outcome_rates_take_a_run_and_put_n_in_the_title_without_groups(calls):
    run = load_run(make_run(30, random_state=2))
    ax = plot_outcome_rates(run, by=None, outcome="status")
    n = outcome_rates(run, by=None, outcome="status")["n"].iloc[0]
    assert ax.get_title() == f"Status rates (n={n})"
    assert ax.get_legend() is None


# --- connection rates -----------------------------------------------------------------------


def test_connection_bars_rates_errors_labels_and_missing_group_last(calls):
    calls = calls.astype({"assignee": "str"})
    calls.loc[calls["task_id"] == "t5", "assignee"] = pd.NA  # a now: t3, t4 (both connected)
    ax = plot_connection_rates(calls, by="assignee")
    rates = connection_rates(calls, by="assignee")
    [container] = bars(ax)
    assert [p.get_width() for p in container] == pytest.approx([1.0, 0.5, 0.0])
    np.testing.assert_allclose(error_extents(ax), intervals(rates))
    assert error_extents(ax)[2, 0] == 0  # 0 of 1: the interval starts at 0
    assert ytick_texts(ax) == ["a (n=2)", "b (n=2)", "(missing) (n=1)"]
    colours = [to_hex(p.get_facecolor()) for p in container]
    assert colours == [BLUE.lower(), ORANGE.lower(), GREEN.lower()]
    assert "Share of calls connected" in ax.get_xlabel()


# --- durations ------------------------------------------------------------------------------


def test_duration_ecdf_one_step_line_per_group(calls):
    ax = plot_durations(calls, by="assignee")  # connected calls: a 120 s and 30 s, b 60 s
    a, b = ax.get_lines()
    assert a.get_xdata().tolist() == [30.0, 30.0, 120.0]
    assert a.get_ydata().tolist() == [0.0, 0.5, 1.0]
    assert b.get_xdata().tolist() == [60.0, 60.0]
    assert legend_texts(ax) == ["a (n=2)", "b (n=1)"]
    assert ax.get_xlabel() == "Call duration (s)"
    assert a.get_drawstyle() == "steps-post"


def test_duration_histogram_draws_the_density_of_each_group(calls):
    ax = plot_durations(calls, by="assignee", kind="hist", bins=[0, 50, 100, 150])
    a, b = ax.patches
    assert a.get_data().values.tolist() == pytest.approx([0.01, 0, 0.01])  # 1 of 2 per 50 s
    assert b.get_data().values.tolist() == pytest.approx([0, 0.02, 0])
    assert a.get_data().edges.tolist() == [0, 50, 100, 150]
    assert ax.get_ylabel() == "Density (1/s)"


def test_durations_without_groups_put_n_in_the_title(calls):
    ax = plot_durations(calls, by=None, include="all")
    assert ax.get_title() == "Duration of all calls (n=6)"
    assert ax.get_legend() is None
    [line] = ax.get_lines()
    assert line.get_color() == BLUE


def test_group_colours_follow_the_groups_of_calls_not_of_the_result(calls):
    calls = calls.assign(connected=calls["assignee"].eq("b"))  # a has no connected call
    [line] = plot_durations(calls, by="assignee").get_lines()
    assert line.get_color() == ORANGE  # b keeps its colour


# --- calls over time ------------------------------------------------------------------------


def test_calls_over_time_one_line_per_group_with_every_day(calls):
    ax = plot_calls_over_time(calls, by="assignee", freq="D")
    a, b = ax.get_lines()
    assert a.get_ydata().tolist() == [1, 2]
    assert b.get_ydata().tolist() == [2, 1]
    days = pd.to_datetime(a.get_xdata())
    assert days.strftime("%Y-%m-%d").tolist() == ["2026-01-01", "2026-01-02"]
    assert ax.get_ylabel() == "Calls per day"
    assert "UTC" in ax.get_xlabel()


# --- talk share and response gaps -----------------------------------------------------------


def test_talk_share_histogram_with_the_gong_reference_line(features):
    ax = plot_talk_share(features)
    [reference] = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert reference.get_xdata() == [GONG_TALK_SHARE, GONG_TALK_SHARE] == [0.43, 0.43]
    assert reference.get_label() == "Gong winning talk share 43%"
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == 3  # the call without words is not drawn
    assert ax.get_title() == "Agent talk share (n=3)"
    assert "share of words" in ax.get_xlabel()


def test_talk_share_box_per_group(features):
    ax = plot_talk_share(features, by="assignee")
    assert ytick_texts(ax) == ["a (n=1)", "b (n=2)"]
    spans = [np.ptp(line.get_ydata()) if len(line.get_ydata()) else 0 for line in ax.get_lines()]
    medians = [
        line.get_xdata()[0]
        for line, span in zip(ax.get_lines(), spans)
        if span == pytest.approx(0.6)
    ]
    assert medians == pytest.approx([0.2, 0.6])  # a: 0.2; b: 0.5 and 0.7
    assert legend_texts(ax) == ["Gong winning talk share 43%"]


def test_talk_share_needs_the_group_merged_in(features):
    with pytest.raises(ValueError, match=r"\['team'\] not a column of features; merge it in"):
        plot_talk_share(features, by="team")
    with pytest.raises(ValueError, match=r"features.merge\(calls\[\['task_id', 'team'\]\]"):
        plot_talk_share(features, by=["assignee", "team"])
    with pytest.raises(ValueError, match=r"features lacks the columns \['talk'\]; pass the frame"):
        plot_talk_share(features, column="talk")
    with pytest.raises(TypeError, match=r"features must be a pandas DataFrame, got 'dict'"):
        plot_talk_share({"agent_talk_share": [0.5]})


def test_response_gaps_in_seconds(features):
    ax = plot_response_gaps(features)
    assert ax.get_xlabel() == "Agent response gap, median per call (s)"
    assert sum(p.get_height() for p in ax.patches) == 3
    ax = plot_response_gaps(features, by="assignee")
    assert ytick_texts(ax) == ["a (n=1)", "b (n=2)"]
    with pytest.raises(ValueError, match=r"by='team': \['team'\] not a column of features"):
        plot_response_gaps(features, by="team")


# --- keyword rates --------------------------------------------------------------------------


def test_keyword_bars_are_hit_rates_lexicons_sorted(keywords, calls):
    ax = plot_keyword_rates(keywords, by="assignee", calls=calls)
    assert ytick_texts(ax) == ["opt out", "price"]
    a, b = ([p.get_width() for p in c] for c in bars(ax))
    assert a == pytest.approx([0, 1 / 3])  # t3 asks the price
    assert b == pytest.approx([1 / 3, 1 / 3])  # t1 has both
    rates = keyword_hit_rates(keywords, by="assignee", calls=calls).sort_values(
        ["assignee", "lexicon"]
    )
    np.testing.assert_allclose(error_extents(ax), intervals(rates))
    assert legend_texts(ax) == ["a (n=3)", "b (n=3)"]


def test_keyword_calls_missing_from_calls_are_drawn_as_a_missing_group(keywords, calls):
    ax = plot_keyword_rates(keywords, by="assignee", calls=calls.iloc[1:])  # t1 is not there
    assert legend_texts(ax) == ["a (n=3)", "b (n=2)", "(missing) (n=1)"]
    assert [to_hex(c[0].get_facecolor()) for c in bars(ax)][-1] == GREEN.lower()


def test_keyword_rates_by_speaker(keywords):
    ax = plot_keyword_rates(keywords, speaker="user")
    [container] = bars(ax)
    assert [p.get_width() for p in container] == pytest.approx([1 / 6, 1 / 6])
    assert "(caller)" in ax.get_xlabel()


# --- shared behaviour -----------------------------------------------------------------------


def plots_of(calls, features, keywords):
    """Every plot, as (name, function of ax)."""
    return [
        ("durations", lambda ax: plot_durations(calls, ax=ax)),
        ("outcomes", lambda ax: plot_outcome_rates(calls, ax=ax)),
        ("connection", lambda ax: plot_connection_rates(calls, ax=ax)),
        ("volume", lambda ax: plot_calls_over_time(calls, ax=ax)),
        ("talk", lambda ax: plot_talk_share(features, by="assignee", ax=ax)),
        ("gaps", lambda ax: plot_response_gaps(features, ax=ax)),
        ("keywords", lambda ax: plot_keyword_rates(keywords, by="assignee", calls=calls, ax=ax)),
    ]


def test_given_axes_are_drawn_on_and_returned(calls, features, keywords):
    for name, draw in plots_of(calls, features, keywords):
        _fig, ax = plt.subplots()
        assert draw(ax) is ax, name
        assert ax.has_data(), name
        assert texts(ax) == [], name


def test_empty_input_gives_no_data(calls, features, keywords):
    for name, draw in plots_of(calls.iloc[:0], features.iloc[:0], keywords.iloc[:0]):
        ax = draw(None)
        assert texts(ax) == ["No data"], name
        assert not ax.has_data(), name


def test_all_na_values_give_no_data(features):
    empty = features.assign(agent_talk_share=pd.NA, agent_response_gap_p50_s=pd.NA)
    assert texts(plot_talk_share(empty)) == ["No data"]
    assert texts(plot_response_gaps(empty, by="assignee")) == ["No data"]


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda c: plot_durations(c, by="team"), r"by='team': \['team'\] not a column of calls"),
        (lambda c: plot_durations(c, kind="box"), r"kind='box' is not one of \('ecdf', 'hist'\)"),
        (lambda c: plot_outcome_rates(c, by="team"), r"by='team': \['team'\] not a column"),
        (lambda c: plot_connection_rates(c, by="team"), r"by='team'"),
        (lambda c: plot_calls_over_time(c, freq="fortnight"), r"freq='fortnight' is not"),
        (lambda c: plot_outcome_rates(c, confidence=2), r"confidence=2 must lie"),
    ],
)
def test_bad_options_raise(calls, draw, message):
    with pytest.raises(ValueError, match=message):
        draw(calls)


def test_keyword_rates_bad_group_raises(keywords):
    with pytest.raises(ValueError, match=r"by='team': \['team'\] not a column of keywords"):
        plot_keyword_rates(keywords, by="team")


# --- a generated run ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run():
    return load_run(make_run(120, random_state=1))


def test_every_plot_renders_a_generated_run(run, tmp_path, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plots must not call show"))
    calls_before = run.calls.copy()
    features = conversation_features(run.turns, calls=run.calls).merge(
        run.calls[["task_id", "assignee"]], on="task_id"
    )
    keywords = keyword_features(run.turns, calls=run.calls)
    for name, draw in plots_of(run.calls, features, keywords):
        ax = draw(None)
        ax.figure.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 5_000, name
        assert ax.get_xlabel(), name
        assert ax.get_title(), name
    ax = plot_outcome_rates(run, by="assignee")
    assert len(ax.patches) == run.calls["assignee"].nunique() * len(OUTCOMES)
    pd.testing.assert_frame_equal(run.calls, calls_before)
