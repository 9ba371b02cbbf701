"""Tests of analytics.viz.plots: the artists drawn carry the numbers of the analysis functions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.schema import CALLS_SCHEMA, OUTCOMES, TURNS_SCHEMA, conform
from analytics.stats.activity import connection_rates
from analytics.stats.outcomes import outcome_rates
from analytics.text.conversation import CONVERSATION_SCHEMA, conversation_features
from analytics.text.keywords import keyword_features, keyword_hit_rates
from analytics.viz.plots import (
    GONG_TALK_SHARE,
    MANY_GROUP_COLOURS,
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


PRESENT = ["Interested", "Call Back", "Not Interested"]  # the outcomes of the calls fixture


def test_outcome_bars_are_the_rates_of_each_group_and_outcome(calls):
    ax = plot_outcome_rates(calls, by="assignee")
    containers = bars(ax)
    assert [len(c) for c in containers] == [len(PRESENT)] * 2  # groups x outcomes that occur
    widths = [[p.get_width() for p in c] for c in containers]
    assert widths[0] == pytest.approx([2 / 3, 0, 1 / 3])  # a, sorted first
    assert widths[1] == pytest.approx([1 / 2, 1 / 2, 0])  # b: t6 has no outcome
    assert [to_hex(c[0].get_facecolor()) for c in containers] == [BLUE.lower(), ORANGE.lower()]
    assert ytick_texts(ax) == [o for o in OUTCOMES if o in PRESENT] == PRESENT
    assert legend_texts(ax) == ["a (n=3)", "b (n=2)"]


def test_outcome_error_bars_span_the_wilson_interval(calls):
    ax = plot_outcome_rates(calls, by="assignee", confidence=0.9)
    rates = outcome_rates(calls, by="assignee", confidence=0.9)
    rates = rates[rates["outcome"].isin(PRESENT)]
    np.testing.assert_allclose(error_extents(ax), intervals(rates))
    assert "90% Wilson interval" in ax.get_xlabel()


def test_outcome_bars_sit_in_one_cluster_per_outcome(calls):
    ax = plot_outcome_rates(calls, by="assignee")
    a, b = ([p.get_y() + p.get_height() / 2 for p in c] for c in bars(ax))
    assert a == pytest.approx(np.arange(len(PRESENT)) - 0.2)
    assert b == pytest.approx(np.arange(len(PRESENT)) + 0.2)


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


def test_keyword_bars_are_hit_rates_lexicons_in_the_order_given(keywords, calls):
    ax = plot_keyword_rates(keywords, by="assignee", calls=calls)
    assert ytick_texts(ax) == ["price", "opt out"]  # the order of LEXICONS
    a, b = ([p.get_width() for p in c] for c in bars(ax))
    assert a == pytest.approx([1 / 3, 0])  # t3 asks the price
    assert b == pytest.approx([1 / 3, 1 / 3])  # t1 has both
    rates = keyword_hit_rates(keywords, by="assignee", calls=calls).sort_values(
        "assignee", kind="stable"
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
    n_outcomes = run.calls["outcome"].nunique()  # all 8 occur in this run
    assert len(ax.patches) == run.calls["assignee"].nunique() * n_outcomes == 4 * len(OUTCOMES)
    pd.testing.assert_frame_equal(run.calls, calls_before)


# --- readable at real sizes (issue 10) ------------------------------------------------------


def tick_labels(ax, axis: str) -> list[str]:
    """The drawn tick labels of ``axis`` ("x" or "y") and its offset text, after a draw."""
    ax.figure.canvas.draw()
    which = ax.xaxis if axis == "x" else ax.yaxis
    labels = [t.get_text() for t in which.get_ticklabels(which="both")]
    return [*labels, which.get_offset_text().get_text()]


def visible_ticks(ax, axis: str) -> np.ndarray:
    """The major ticks of ``axis`` inside its view limits."""
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    return ticks[(ticks >= low - 1e-9) & (ticks <= high + 1e-9)]


@pytest.fixture
def long_calls(calls) -> pd.DataFrame:
    """Calls of 47 min to 24 h (within a day, the longest duration taken as possible)."""
    hours = [2_810.0, 86_000.0, 45_000.0, 9_000.0, 30_000.0, 60_000.0]
    return calls.assign(duration_s=pd.array(hours, dtype="Float64"))


@pytest.mark.parametrize("kind", ["ecdf", "hist"])
def test_hours_long_calls_are_drawn_in_hours_in_plain_numbers(long_calls, kind):
    ax = plot_durations(long_calls, by="assignee", kind=kind, include="all")
    assert ax.get_xlabel() == "Call duration (h)"
    assert 23.8 < max(ax.get_xlim()) < 30  # the data run to 23.9 h
    for axis in "xy":
        labels = tick_labels(ax, axis)
        assert not [t for t in labels if "e+" in t or "e-" in t or "1e" in t], (axis, labels)
        assert labels[-1] == "", f"{axis} axis has an offset {labels[-1]!r}"


def test_duration_histogram_density_is_per_unit_of_the_axis(long_calls):
    ax = plot_durations(long_calls, by=None, kind="hist", include="all", bins=[0, 21_600, 86_400])
    [outline] = ax.patches
    assert outline.get_data().edges.tolist() == [0, 6, 24]
    # 2 of 6 calls (47 min, 2.5 h) in the first 6 h, 4 of 6 in the next 18 h
    assert outline.get_data().values.tolist() == pytest.approx([2 / 6 / 6, 4 / 6 / 18])
    assert ax.get_ylabel() == "Density (1/h)"


def test_minutes_long_calls_are_drawn_in_minutes(calls):
    ax = plot_durations(calls.assign(duration_s=calls["duration_s"] * 10), include="all")
    assert ax.get_xlabel() == "Call duration (min)"
    a = ax.get_lines()[0].get_xdata()  # a: 100 s, 300 s, 1200 s
    assert a.tolist() == pytest.approx([100 / 60, 100 / 60, 5.0, 20.0])


def test_outcomes_no_group_has_are_left_out(calls):
    calls = calls.assign(outcome=calls["outcome"].replace({"Call Back": "Interested"}))
    ax = plot_outcome_rates(calls, by="assignee")
    assert ytick_texts(ax) == ["Interested", "Not Interested"]
    assert [len(c) for c in bars(ax)] == [2, 2]
    a, b = ([p.get_width() for p in c] for c in bars(ax))
    assert a == pytest.approx([2 / 3, 1 / 3])
    assert b == pytest.approx([1, 0])  # b: two Interested, one outcome missing
    assert legend_texts(ax) == ["a (n=3)", "b (n=2)"]


def test_outcomes_that_no_call_has_give_no_data(calls):
    ax = plot_outcome_rates(calls.assign(outcome=pd.NA), by="assignee")
    assert texts(ax) == ["No data"]


def renamed(raw: dict, n_groups: int) -> dict:
    """``raw`` with its tasks dealt round-robin to ``n_groups`` assignees agent-00, agent-01..."""
    data = [{**task, "assignee": f"agent-{i % n_groups:02d}"} for i, task in enumerate(raw["data"])]
    return {**raw, "data": data}


@pytest.fixture(scope="module")
def run20():
    return load_run(renamed(make_run(400, random_state=3), 20))


def colours_of(patches) -> list[str]:
    return [to_hex(p.get_facecolor()) for p in patches]


def overlapping_labels(labels) -> list[tuple[str, str]]:
    """Pairs of neighbouring drawn labels whose boxes overlap (labels drawn after a draw)."""
    shown = [t for t in labels if t.get_visible() and t.get_text()]
    boxes = sorted(((t.get_window_extent(), t.get_text()) for t in shown), key=lambda b: b[0].y0)
    return [(a[1], b[1]) for a, b in itertools.pairwise(boxes) if a[0].y1 > b[0].y0 + 0.5]


def test_twenty_groups_take_twenty_distinct_colours_and_a_taller_figure(run20, sample_run):
    ax = plot_connection_rates(run20.calls)
    [container] = bars(ax)
    assert len(set(colours_of(container))) == 20
    assert colours_of(container)[:3] == [to_hex(c) for c in MANY_GROUP_COLOURS[:3]]
    four = plot_connection_rates(sample_run.calls)
    assert ax.figure.get_figheight() > four.figure.get_figheight()
    assert colours_of(bars(four)[0]) == [c.lower() for c in OKABE_ITO[:4]]


def test_eight_groups_keep_okabe_ito_and_nine_switch(sample_run):
    for n, palette in [(8, OKABE_ITO), (9, MANY_GROUP_COLOURS)]:
        run = load_run(renamed(make_run(200, random_state=3), n))
        [container] = bars(plot_connection_rates(run.calls))
        assert colours_of(container) == [to_hex(c) for c in palette[:n]], n


def test_twenty_groups_label_every_bar_and_no_labels_overlap(run20):
    features = conversation_features(run20.turns, calls=run20.calls).merge(
        run20.calls[["task_id", "assignee"]], on="task_id"
    )
    keywords = keyword_features(run20.turns, calls=run20.calls)
    drawn = {
        "outcomes": plot_outcome_rates(run20.calls),
        "connection": plot_connection_rates(run20.calls),
        "talk": plot_talk_share(features, by="assignee"),
        "gaps": plot_response_gaps(features, by="assignee"),
        "keywords": plot_keyword_rates(keywords, by="assignee", calls=run20.calls),
    }
    for name, ax in drawn.items():
        ax.figure.canvas.draw()
        labels = ax.get_yticklabels(which="both")
        assert overlapping_labels(labels) == [], name
        assert sum("agent-07" in t.get_text() for t in labels) >= 1, name
    outcomes = drawn["outcomes"]
    n_outcomes = run20.calls["outcome"].nunique()
    labels = [t.get_text() for t in outcomes.get_yticklabels(which="minor")]
    assert len(labels) == 20 * n_outcomes
    assert labels[0].startswith("agent-00 (n=")
    assert labels[19].startswith("agent-19 (n=")
    assert len({c[0].get_facecolor() for c in bars(outcomes)}) == 20


def test_twenty_groups_fit_their_legend_in_the_figure(run20):
    for ax in (plot_calls_over_time(run20.calls), plot_durations(run20.calls)):
        ax.figure.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        figure = ax.figure.bbox
        assert legend.y0 >= figure.y0
        assert legend.y1 <= figure.y1
        assert len(legend_texts(ax)) == 20


def test_given_axes_alone_on_a_short_figure_grow_to_fit_the_bars(run20):
    fig, ax = plt.subplots(figsize=(8, 3))
    plot_outcome_rates(run20.calls, ax=ax)
    assert fig.get_figheight() > 3
    fig = Figure(figsize=(9, 4.2), layout="constrained")  # as the report draws, no pyplot
    ax = plot_keyword_rates(
        keyword_features(run20.turns, calls=run20.calls),
        by="assignee",
        ax=fig.add_subplot(),
        calls=run20.calls,
    )
    fig.canvas.draw()
    assert fig.get_figheight() > 4.2
    assert overlapping_labels(ax.get_yticklabels(which="both")) == []
    fig, (left, _right) = plt.subplots(1, 2, figsize=(8, 3))  # a grid: left as it is
    plot_outcome_rates(run20.calls, ax=left)
    assert fig.get_figheight() == 3


def test_calls_over_time_top_tick_is_at_or_above_the_highest_point(sample_run, calls):
    for frame in (sample_run.calls, calls):
        ax = plot_calls_over_time(frame, by="assignee")
        highest = max(line.get_ydata().max() for line in ax.get_lines())
        assert visible_ticks(ax, "y").max() >= highest


def test_histogram_and_rate_axes_end_on_a_tick(sample_run, features):
    ax = plot_durations(sample_run.calls, kind="hist")
    highest = max(p.get_data().values.max() for p in ax.patches)
    assert visible_ticks(ax, "y").max() >= highest
    ax = plot_talk_share(features)
    assert visible_ticks(ax, "y").max() >= max(p.get_height() for p in ax.patches)
    ax = plot_outcome_rates(sample_run.calls)
    assert visible_ticks(ax, "x").max() >= error_extents(ax).max()


def test_keyword_lexicons_are_drawn_in_the_order_of_the_keyword_frame(calls):
    turns = conform(
        pd.DataFrame(TURNS, columns=["task_id", "turn", "speaker", "text"]), TURNS_SCHEMA
    )
    lexicons = {"zeta_price": ["price", "cost"], "alpha_opt_out": ["not interested"]}
    keywords = keyword_features(turns, lexicons, calls=calls)
    rates = keyword_hit_rates(keywords, by="assignee", calls=calls)
    ax = plot_keyword_rates(keywords, by="assignee", calls=calls)
    assert ytick_texts(ax) == ["zeta price", "alpha opt out"]
    table_order = rates["lexicon"].drop_duplicates().str.replace("_", " ").tolist()
    assert ytick_texts(ax) == table_order
