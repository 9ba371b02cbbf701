"""Tests of analytics.viz.campaign_plots: the artists carry the numbers of the campaign frames.

The frames are small literal ones with the columns and dtypes of the issue 14 contracts
(``funnel``, ``outcome_trend``, ``call_timing``, ``end_reasons``); every Wilson interval in
them is written to 4 decimals, as ``wilson_interval(count, n)`` gives it.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer

from analytics.schema import COUNT, MEASURE, TEXT
from analytics.viz import plots
from analytics.viz.campaign_plots import (
    plot_call_timing,
    plot_cost_per_outcome,
    plot_end_reasons,
    plot_funnel,
    plot_trend,
)
from analytics.viz.plots import OKABE_ITO

BLUE, ORANGE, GREEN = (c.lower() for c in OKABE_ITO[:3])
UTC = "datetime64[ns, UTC]"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def frame(columns: dict, dtypes: dict) -> pd.DataFrame:
    """A literal frame, each column at its contract dtype."""
    return pd.DataFrame(columns).astype(dtypes)


def bars(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def widths(container) -> list[float]:
    return [p.get_width() for p in container]


def error_extents(ax) -> np.ndarray:
    """(low, high) of every horizontal error bar drawn (a NaN interval draws none), in order."""
    lines = [c.lines[2][0] for c in ax.containers if isinstance(c, ErrorbarContainer)]
    segments = [s for line in lines for s in line.get_segments() if len(s)]
    return np.array([(s[0][0], s[1][0]) for s in segments])


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def ytick_texts(ax, *, minor: bool = False) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels(minor=minor)]


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def visible_max_tick(ax, axis: str) -> float:
    ticks = ax.get_xticks() if axis == "x" else ax.get_yticks()
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    return float(ticks[(ticks >= low - 1e-9) & (ticks <= high + 1e-9)].max())


# --- funnel and cost per outcome ------------------------------------------------------------

STEP_COUNTS = ["dials", "connected", "conversations", "evaluated", "outcomes"]
RATE_PREFIXES = ["connected", "conversation", "evaluated", "outcome", "per_dial"]
FUNNEL_DTYPES = {
    "assignee": TEXT,
    **dict.fromkeys([*STEP_COUNTS, "n_costed"], COUNT),
    **{f"{p}_{s}": MEASURE for p in RATE_PREFIXES for s in ("rate", "ci_low", "ci_high")},
    **dict.fromkeys(["cost_total", "cost_per_outcome", "cost_ci_low", "cost_ci_high"], MEASURE),
}


@pytest.fixture
def funnel() -> pd.DataFrame:
    """a: 10 dials -> 6 connected -> 5 conversations -> 4 evaluated -> 2 Interested, costing
    5.0 in all (2.5 per Interested, bootstrap 1.2 to 5.0); b: 4 dials, none connected, so
    every rate after the first is NA (0 of 0) and there is no cost per outcome."""
    na = None
    return frame(
        {
            "assignee": ["a", "b"],
            "dials": [10, 4],
            "connected": [6, 0],
            "conversations": [5, 0],
            "evaluated": [4, 0],
            "outcomes": [2, 0],
            # 6/10 and 0/4
            "connected_rate": [0.6, 0.0],
            "connected_ci_low": [0.3127, 0.0],
            "connected_ci_high": [0.8318, 0.4899],
            # 5/6, then 0/0
            "conversation_rate": [0.8333, na],
            "conversation_ci_low": [0.4365, na],
            "conversation_ci_high": [0.9699, na],
            # 4/5
            "evaluated_rate": [0.8, na],
            "evaluated_ci_low": [0.3755, na],
            "evaluated_ci_high": [0.9638, na],
            # 2/4
            "outcome_rate": [0.5, na],
            "outcome_ci_low": [0.15, na],
            "outcome_ci_high": [0.85, na],
            # 2/10 and 0/4
            "per_dial_rate": [0.2, 0.0],
            "per_dial_ci_low": [0.0567, 0.0],
            "per_dial_ci_high": [0.5098, 0.4899],
            "n_costed": [10, 4],
            "cost_total": [5.0, 1.0],
            "cost_per_outcome": [2.5, na],
            "cost_ci_low": [1.2, na],
            "cost_ci_high": [5.0, na],
        },
        FUNNEL_DTYPES,
    )


def test_funnel_bars_are_the_step_counts_per_group(funnel):
    ax = plot_funnel(funnel)
    containers = bars(ax)
    assert [widths(c) for c in containers] == [[10, 4], [6, 0], [5, 0], [4, 0], [2, 0]]
    assert [to_hex(p.get_facecolor()) for p in containers[0]] == [BLUE, ORANGE]
    # a heading row per group, then one row per step: a at rows 1-5, b at rows 7-11
    rows = [[p.get_y() + p.get_height() / 2 for p in c] for c in containers]
    assert rows == [[1, 7], [2, 8], [3, 9], [4, 10], [5, 11]]
    assert ytick_texts(ax) == ["a", "b"]
    steps = ["Dials", "Connected", "Conversations", "Evaluated", "Interested"]
    assert ytick_texts(ax, minor=True) == steps * 2
    assert ax.get_title() == "Funnel to Interested"


def test_funnel_writes_each_rate_of_the_step_before_with_its_n_and_interval(funnel):
    ax = plot_funnel(funnel)
    # bar_label writes a container at a time: dials (a, b), connected (a, b), ...
    assert texts(ax) == [
        "10",
        "4",
        "6 · 60% of 10 (31-83%)",  # 6/10, Wilson 0.3127-0.8318
        "0 · 0% of 4 (0-49%)",  # 0/4, Wilson 0-0.4899
        "5 · 83% of 6 (44-97%)",
        "0",  # b: 0 of 0 connected, no rate: the count alone
        "4 · 80% of 5 (38-96%)",
        "0",
        "2 · 50% of 4 (15-85%)",
        "0",
    ]
    assert "share of the step before" in ax.get_xlabel()
    assert ax.get_xlim()[1] >= 10  # the longest bar, with room for its text


def test_funnel_without_groups_names_all_calls_and_takes_the_outcome_label(funnel):
    one = funnel.drop(columns="assignee").iloc[:1]
    ax = plot_funnel(one, outcome="Call Back")
    assert ytick_texts(ax) == ["All calls"]
    assert ytick_texts(ax, minor=True)[-1] == "Call Back"
    assert ax.get_title() == "Funnel to Call Back"
    assert [widths(c) for c in bars(ax)] == [[10], [6], [5], [4], [2]]


def test_funnel_keeps_the_frame_order_and_the_colours_of_sorted_groups(funnel):
    ax = plot_funnel(funnel.iloc[::-1])  # b first, as a user sorting by cost might
    assert ytick_texts(ax) == ["b", "a"]
    assert [to_hex(p.get_facecolor()) for p in bars(ax)[0]] == [ORANGE, BLUE]


def test_cost_per_outcome_dots_intervals_and_no_outcome_text(funnel):
    ax = plot_cost_per_outcome(funnel)
    [dots] = ax.collections[-1:]
    offsets = np.asarray(dots.get_offsets(), dtype=float)
    assert offsets[0].tolist() == [2.5, 0.0]  # a: 5.0 / 2 Interested
    assert np.isnan(offsets[1, 0])  # b: NA, no dot...
    assert texts(ax) == [" no outcome"]  # ...but its row stays, saying why
    assert error_extents(ax).tolist() == [[1.2, 5.0]]  # b: no interval drawn
    assert ytick_texts(ax) == ["a (n=2 Interested)", "b (n=0 Interested)"]
    assert ax.get_xlabel() == "Cost per Interested (account currency)"
    assert "bootstrap interval" in ax.get_title()
    assert visible_max_tick(ax, "x") >= 5.0
    assert [to_hex(c) for c in dots.get_facecolors()] == [BLUE, ORANGE]


def test_cost_per_outcome_says_when_no_cost_is_known_and_names_the_currency(funnel):
    unknown = funnel.assign(
        n_costed=pd.array([0, 4], dtype=COUNT),
        cost_total=pd.array([None, 1.0], dtype=MEASURE),
        cost_per_outcome=pd.array([None, None], dtype=MEASURE),
        cost_ci_low=pd.array([None, None], dtype=MEASURE),
        cost_ci_high=pd.array([None, None], dtype=MEASURE),
    )
    ax = plot_cost_per_outcome(unknown, outcome="Send Details", currency="INR")
    assert texts(ax) == [" no known cost", " no outcome"]  # a: 2 outcomes but no cost
    assert ax.get_xlabel() == "Cost per Send Details (INR)"
    assert ytick_texts(ax)[0] == "a (n=2 Send Details)"
    assert ax.get_xlim() == (0.0, 1.0)


def test_funnel_plots_check_their_frame(funnel):
    with pytest.raises(ValueError, match=r"funnel lacks the columns \['outcome_ci_high'\]; pass"):
        plot_funnel(funnel.drop(columns="outcome_ci_high"))
    with pytest.raises(ValueError, match=r"funnel lacks the columns \['dials'\]"):
        plot_cost_per_outcome(funnel.drop(columns="dials"))
    with pytest.raises(TypeError, match=r"funnel must be a pandas DataFrame, got 'dict'"):
        plot_funnel({"dials": [1]})


# --- trend ----------------------------------------------------------------------------------


@pytest.fixture
def trend() -> pd.DataFrame:
    """Three weeks: a has 12, 0 and 4 labelled calls (3, 0 and 2 Interested); b has 20, 10, 0
    (5, 4, 0)."""
    weeks = pd.to_datetime(["2026-01-04", "2026-01-11", "2026-01-18"], utc=True)
    na = None
    return frame(
        {
            "assignee": ["a"] * 3 + ["b"] * 3,
            "period": [*weeks, *weeks],
            "n": [12, 0, 4, 20, 10, 0],
            "count": [3, 0, 2, 5, 4, 0],
            "rate": [0.25, na, 0.5, 0.25, 0.4, na],
            "ci_low": [0.0889, na, 0.15, 0.1119, 0.1682, na],
            "ci_high": [0.5323, na, 0.85, 0.4687, 0.6873, na],
        },
        {"assignee": TEXT, "period": UTC, "n": COUNT, "count": COUNT}
        | dict.fromkeys(["rate", "ci_low", "ci_high"], MEASURE),
    )


def trend_lines(ax) -> dict[str, list]:
    """The group lines (labelled), the filled markers and the hollow markers, by kind."""
    lines = ax.get_lines()
    return {
        "rates": [line for line in lines if not line.get_label().startswith("_")],
        "sure": [line for line in lines if line.get_marker() == "o" and line.get_mfc() != "white"],
        "hollow": [line for line in lines if line.get_mfc() == "white"],
    }


def test_trend_lines_are_the_rates_with_gaps_where_n_is_zero(trend):
    ax = plot_trend(trend)
    kinds = trend_lines(ax)
    a, b = (line.get_ydata() for line in kinds["rates"])
    np.testing.assert_array_equal(a, [0.25, np.nan, 0.5])  # NaN: the line breaks there
    np.testing.assert_array_equal(b, [0.25, 0.4, np.nan])
    assert [line.get_color() for line in kinds["rates"]] == [OKABE_ITO[0], OKABE_ITO[1]]
    days = pd.to_datetime(kinds["rates"][0].get_xdata()).strftime("%Y-%m-%d").tolist()
    assert days == ["2026-01-04", "2026-01-11", "2026-01-18"]


def test_trend_points_below_min_n_are_hollow_and_faded(trend):
    kinds = trend_lines(plot_trend(trend))
    # a: n=12 sure, n=4 hollow; b: n=20 and n=10 sure (10 is not below 10)
    assert [list(line.get_ydata()) for line in kinds["sure"]] == [[0.25], [0.25, 0.4]]
    assert [list(line.get_ydata()) for line in kinds["hollow"]] == [[0.5], []]
    assert kinds["hollow"][0].get_alpha() == 0.6
    kinds = trend_lines(plot_trend(trend, min_n=0))
    assert [list(line.get_ydata()) for line in kinds["hollow"]] == [[], []]
    kinds = trend_lines(plot_trend(trend, min_n=11))
    assert [list(line.get_ydata()) for line in kinds["hollow"]] == [[0.5], [0.4]]


def test_trend_bands_span_the_wilson_interval(trend):
    ax = plot_trend(trend)
    band_a, band_b = ax.collections
    # b's first two weeks are one band from its lowest to its highest bound
    b_y = np.concatenate([p.vertices[:, 1] for p in band_b.get_paths()])
    assert b_y.min() == pytest.approx(0.1119)
    assert b_y.max() == pytest.approx(0.6873)
    a_y = np.concatenate([p.vertices[:, 1] for p in band_a.get_paths()])
    assert set(np.round(a_y, 4)) <= {0.0889, 0.5323, 0.15, 0.85}  # no band across the gap
    assert visible_max_tick(ax, "y") >= 0.85


def test_trend_shows_n_beside_each_point_and_in_the_legend(trend):
    ax = plot_trend(trend)
    assert texts(ax) == ["12", "4", "20", "10"]  # n of each drawn point, group by group
    assert legend_texts(ax) == [
        "a (n=4 to 12 per period)",
        "b (n=10 to 20 per period)",
        "n < 10: hollow",
        "Wilson interval",
    ]
    assert ax.get_legend().get_title().get_text() == "assignee"
    assert ax.get_ylabel() == "Interested rate (share of calls with an outcome)"
    assert ax.get_xlabel() == "Period (UTC)"
    assert ax.get_title() == "Interested rate over time"


def test_trend_without_groups_and_with_many_periods(trend):
    days = pd.date_range("2026-01-01", periods=14, freq="D", tz="UTC")
    many = frame(
        {"period": days, "n": [10] * 14, "rate": [0.5] * 14, "ci_low": 0.2, "ci_high": 0.8},
        {"period": UTC, "n": COUNT} | dict.fromkeys(["rate", "ci_low", "ci_high"], MEASURE),
    )
    ax = plot_trend(many, outcome="Call Back")
    assert texts(ax) == []  # more than 12 periods: n only in the legend
    assert legend_texts(ax)[0] == "All calls (n=10 per period)"
    assert ax.get_title() == "Call Back rate over time"
    naive = many.assign(period=days.tz_convert(None))
    assert trend_lines(plot_trend(naive))["rates"][0].get_ydata().tolist() == [0.5] * 14


def test_trend_with_no_rate_at_all_gives_no_data(trend):
    none = trend.assign(n=pd.array([0] * 6, dtype=COUNT), rate=pd.NA, ci_low=pd.NA, ci_high=pd.NA)
    assert texts(plot_trend(none)) == ["No data"]


@pytest.mark.parametrize("min_n", [-1, 2.5, True, "10"])
def test_trend_min_n_must_be_a_whole_number(trend, min_n):
    with pytest.raises(ValueError, match=rf"min_n={min_n!r} must be a whole number of calls"):
        plot_trend(trend, min_n=min_n)


def test_trend_checks_its_frame(trend):
    with pytest.raises(ValueError, match=r"outcome_trend lacks the columns \['ci_high'\]"):
        plot_trend(trend.drop(columns="ci_high"))
    with pytest.raises(ValueError, match=r"lacks the columns \['period'\]; pass the frame of"):
        plot_trend(trend.drop(columns="period"))


# --- call timing ----------------------------------------------------------------------------


@pytest.fixture
def timing() -> pd.DataFrame:
    """All 7 x 24 cells of one assignee: Mon 9h 12 calls (6 connected; 10 labelled, 3
    Interested), Tue 14h 4 calls (4 connected; 4 labelled, 1 Interested), Wed 10h 20 calls
    (5 connected; 10 labelled, 1 Interested); no calls elsewhere."""
    names = ["n", "connected", "connection_rate", "connection_ci_low", "connection_ci_high"]
    names += ["n_outcome", "outcomes", "outcome_rate", "outcome_ci_low", "outcome_ci_high"]
    filled = pd.DataFrame(
        [
            (0, 9, 12, 6, 0.5, 0.2538, 0.7462, 10, 3, 0.3, 0.1078, 0.6032),
            (1, 14, 4, 4, 1.0, 0.5101, 1.0, 4, 1, 0.25, 0.0456, 0.6994),
            (2, 10, 20, 5, 0.25, 0.1119, 0.4687, 10, 1, 0.1, 0.0179, 0.4042),
        ],
        columns=["weekday", "hour", *names],
    )
    cells = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    out = cells.to_frame(index=False).merge(filled, how="left", on=["weekday", "hour"])
    counts = ["n", "connected", "n_outcome", "outcomes"]
    out[counts] = out[counts].fillna(0)
    days = pd.Series(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    out = out.assign(assignee="a", day=days[out["weekday"]].to_numpy(), n_calls=out["n"])
    columns = ["assignee", "weekday", "day", "hour", "n_calls", *names]
    dtypes = dict.fromkeys(["assignee", "day"], TEXT)
    dtypes |= dict.fromkeys(["weekday", "hour", "n_calls", *counts], COUNT)
    return out[columns].astype(dtypes | {c: MEASURE for c in names if c not in counts})


def grid(ax) -> np.ma.MaskedArray:
    [image] = ax.images
    return image.get_array()


def test_timing_cells_are_the_rates_and_thin_cells_are_grey(timing):
    ax = plot_call_timing(timing)
    cells = grid(ax)
    assert cells.shape == (7, 24)
    shown = {(int(r), int(c)): float(cells[r, c]) for r, c in zip(*np.nonzero(~cells.mask))}
    assert shown == {(0, 9): 0.5, (2, 10): 0.25}  # Tue 14h: 4 calls < 10, grey
    assert cells.mask.sum() == 7 * 24 - 2
    [image] = ax.images
    assert image.cmap.get_bad().tolist() == pytest.approx([0.75, 0.75, 0.75, 1.0])
    assert (image.norm.vmin, image.norm.vmax) == (0.25, 0.5)  # lowest to highest coloured


def test_timing_writes_n_in_each_cell_with_calls(timing):
    ax = plot_call_timing(timing)
    written = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert written == {((9, 0), "12"), ((14, 1), "4"), ((10, 2), "20")}  # (hour, weekday)
    assert ytick_texts(ax) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(h) for h in range(24)]
    assert ax.get_title() == "Connection rate by weekday and hour (a); numbers: n, grey: n < 10"
    assert ax.get_xlabel() == "Hour of day (time zone given to call_timing)"
    colourbar = ax.figure.axes[1]
    assert colourbar.get_ylabel() == "Connection rate"


def test_timing_min_n_outcome_rate_and_time_zone(timing):
    ax = plot_call_timing(timing, min_n=4, tz="Asia/Kolkata")
    cells = grid(ax)
    assert float(cells[1, 14]) == 1.0  # 4 calls: coloured now
    assert ax.get_xlabel() == "Hour of day (Asia/Kolkata)"
    ax = plot_call_timing(timing, value="outcome_rate", outcome="Call Back")
    cells = grid(ax)
    # denominators are n_outcome: Mon 9h 10, Tue 14h 4 (grey), Wed 10h 10
    shown = {(int(r), int(c)): float(cells[r, c]) for r, c in zip(*np.nonzero(~cells.mask))}
    assert shown == {(0, 9): 0.3, (2, 10): 0.1}
    assert sorted(texts(ax)) == ["10", "10", "4"]
    assert ax.get_title().startswith("Call Back rate by weekday and hour")


def test_timing_cells_without_a_rate_are_grey_whatever_min_n(timing):
    cells = grid(plot_call_timing(timing, min_n=0))
    assert cells.mask.sum() == 7 * 24 - 3  # n = 0: NA rate, no colour


def test_timing_of_one_group_out_of_several(timing):
    both = pd.concat([timing, timing.assign(assignee="b")], ignore_index=True)
    message = r"timing holds 2 groups of \['assignee'\]; plot one at a time, e\.g\. "
    with pytest.raises(ValueError, match=message + r"timing\[timing\['assignee'\] == 'a'\]"):
        plot_call_timing(both)
    ax = plot_call_timing(both[both["assignee"] == "b"])
    assert "(b)" in ax.get_title()


def test_timing_without_groups(timing):
    ax = plot_call_timing(timing.drop(columns="assignee"))
    assert ax.get_title().startswith("Connection rate by weekday and hour; numbers")


def test_timing_checks_its_options(timing):
    with pytest.raises(ValueError, match=r"value='rate' is not one of \('connection_rate', 'outco"):
        plot_call_timing(timing, value="rate")
    with pytest.raises(ValueError, match=r"call_timing lacks the columns \['n_outcome'\]"):
        plot_call_timing(timing.drop(columns="n_outcome"), value="outcome_rate")
    with pytest.raises(ValueError, match=r"min_n=-2 must be a whole number"):
        plot_call_timing(timing, min_n=-2)


# --- end reasons ----------------------------------------------------------------------------


@pytest.fixture
def reasons() -> pd.DataFrame:
    """a: 10 calls (6 customer_hangup, 3 voicemail, 1 missing; all completed); b: 5 calls
    (3 voicemail, 2 customer_hangup; 4 completed, 1 failed)."""
    rows = [  # assignee, field, value, count, n, share, ci_low, ci_high
        ("a", "end_reason", "customer_hangup", 6, 10, 0.6, 0.3127, 0.8318),
        ("a", "end_reason", "voicemail", 3, 10, 0.3, 0.1078, 0.6032),
        ("a", "end_reason", "(missing)", 1, 10, 0.1, 0.0179, 0.4042),
        ("a", "call_status", "completed", 10, 10, 1.0, 0.7225, 1.0),
        ("b", "end_reason", "voicemail", 3, 5, 0.6, 0.2307, 0.8824),
        ("b", "end_reason", "customer_hangup", 2, 5, 0.4, 0.1176, 0.7693),
        ("b", "call_status", "completed", 4, 5, 0.8, 0.3755, 0.9638),
        ("b", "call_status", "failed", 1, 5, 0.2, 0.0362, 0.6245),
    ]
    columns = ["assignee", "field", "value", "count", "n", "share", "ci_low", "ci_high"]
    out = pd.DataFrame(rows, columns=columns)
    out.insert(3, "raw_values", out["value"])
    text = dict.fromkeys(["assignee", "field", "value", "raw_values"], TEXT)
    return out.astype(text | {"count": COUNT, "n": COUNT} | dict.fromkeys(columns[5:], MEASURE))


def test_end_reason_bars_are_shares_ordered_by_the_highest_share(reasons):
    ax = plot_end_reasons(reasons)
    # customer_hangup and voicemail both reach 60% (a, b): by name; (missing) 10% last
    assert ytick_texts(ax) == ["customer hangup", "voicemail", "(missing)"]
    a, b = bars(ax)
    assert widths(a) == pytest.approx([0.6, 0.3, 0.1])
    assert widths(b) == pytest.approx([0.4, 0.6])
    centres = [[p.get_y() + p.get_height() / 2 for p in c] for c in (a, b)]
    assert centres[0] == pytest.approx([-0.2, 0.8, 1.8])
    assert centres[1] == pytest.approx([0.2, 1.2])  # b has no missing end reason
    expected = [[0.3127, 0.8318], [0.1078, 0.6032], [0.0179, 0.4042]]
    expected += [[0.1176, 0.7693], [0.2307, 0.8824]]
    np.testing.assert_allclose(error_extents(ax), expected)
    assert legend_texts(ax) == ["a (n=10)", "b (n=5)"]
    assert [to_hex(c[0].get_facecolor()) for c in (a, b)] == [BLUE, ORANGE]
    assert ax.get_xlabel() == "Share of calls (bars: Wilson interval)"
    assert ax.get_title() == "End reasons"
    assert visible_max_tick(ax, "x") >= 0.8824


def test_call_status_and_no_groups(reasons):
    ax = plot_end_reasons(reasons, field="call_status")
    assert ytick_texts(ax) == ["completed", "failed"]
    assert ax.get_title() == "Call status"
    one = reasons[reasons["assignee"] == "b"].drop(columns="assignee")
    ax = plot_end_reasons(one)
    assert ax.get_title() == "End reasons (n=5)"
    assert ax.get_legend() is None
    assert widths(bars(ax)[0]) == pytest.approx([0.6, 0.4])  # voicemail first
    assert ytick_texts(ax) == ["voicemail", "customer hangup"]


def test_end_reasons_check_field_and_frame(reasons):
    with pytest.raises(ValueError, match=r"field='reason' is not one of \('end_reason', 'call_st"):
        plot_end_reasons(reasons, field="reason")
    with pytest.raises(ValueError, match=r"end_reasons lacks the columns \['share'\]"):
        plot_end_reasons(reasons.drop(columns="share"))
    only_status = reasons[reasons["field"] == "call_status"]
    assert texts(plot_end_reasons(only_status)) == ["No data"]


# --- shared behaviour -----------------------------------------------------------------------


def drawings(funnel, trend, timing, reasons):
    """Every campaign plot, as (name, function of ax)."""
    return [
        ("funnel", lambda ax: plot_funnel(funnel, ax=ax)),
        ("cost", lambda ax: plot_cost_per_outcome(funnel, ax=ax)),
        ("trend", lambda ax: plot_trend(trend, ax=ax)),
        ("timing", lambda ax: plot_call_timing(timing, ax=ax)),
        ("reasons", lambda ax: plot_end_reasons(reasons, ax=ax)),
    ]


def test_given_axes_are_drawn_on_and_returned(funnel, trend, timing, reasons):
    for name, draw in drawings(funnel, trend, timing, reasons):
        _fig, ax = plt.subplots()
        assert draw(ax) is ax, name
        assert ax.has_data(), name
        assert ax.get_title(), name
        assert ax.get_xlabel(), name


def test_empty_frames_give_no_data(funnel, trend, timing, reasons):
    empty = [f.iloc[:0] for f in (funnel, trend, timing, reasons)]
    for name, draw in drawings(*empty):
        ax = draw(None)
        assert texts(ax) == ["No data"], name
        assert not ax.has_data(), name


def test_each_plot_renders_to_png_without_show_or_mutation(
    funnel, trend, timing, reasons, monkeypatch
):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plots must not call show"))
    frames = (funnel, trend, timing, reasons)
    before = [f.copy() for f in frames]
    for name, draw in drawings(*frames):
        buffer = io.BytesIO()
        draw(None).figure.savefig(buffer, format="png")
        assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert len(buffer.getvalue()) > 5_000, name
    for after, original in zip(frames, before):
        pd.testing.assert_frame_equal(after, original)


def test_dollar_signs_in_data_draw_as_written(funnel, reasons):
    priced = funnel.assign(assignee=pd.array(["$5 plan", "$10 plan"], dtype=TEXT))
    ax = plot_cost_per_outcome(priced, currency="US$")
    ax.figure.canvas.draw()  # "$5 plan ... $10 plan" unescaped would be mathtext
    assert ytick_texts(ax) == [r"\$5 plan (n=2 Interested)", r"\$10 plan (n=0 Interested)"]
    assert ax.get_xlabel() == r"Cost per Interested (US\$)"
    ax = plot_funnel(priced, outcome="$ and $")
    ax.figure.canvas.draw()
    assert ax.get_title() == r"Funnel to \$ and \$"
    values = reasons.assign(value=reasons["value"].str.replace("voicemail", "$vm$"))
    ax = plot_end_reasons(values)
    ax.figure.canvas.draw()
    assert r"\$vm\$" in ytick_texts(ax)


def test_the_campaign_plots_are_reachable_from_plots():
    names = ["plot_funnel", "plot_cost_per_outcome", "plot_trend", "plot_call_timing"]
    for name in [*names, "plot_end_reasons"]:
        assert name in plots.__all__
        assert getattr(plots, name).__module__ == "analytics.viz.campaign_plots"


def test_the_frames_of_the_campaign_analyses_draw(sample_run):
    """End to end on the sample: the analyses' frames as they come (the literal frames above
    follow the same contracts; this checks that the two agree)."""
    campaign = pytest.importorskip("analytics.stats.campaign")
    calls = sample_run.calls
    funnel = campaign.funnel(calls, by="assignee")
    ax = plot_funnel(funnel)
    assert [widths(c) for c in bars(ax)] == [funnel[s].tolist() for s in STEP_COUNTS]
    assert ytick_texts(plot_cost_per_outcome(funnel))[0].startswith(funnel["assignee"].iloc[0])
    trend = campaign.outcome_trend(calls, by="assignee", freq="D")
    rates = trend_lines(plot_trend(trend))["rates"]
    assert len(rates) == trend["assignee"].nunique()
    timing = campaign.call_timing(calls)
    assert grid(plot_call_timing(timing)).shape == (7, 24)
    reasons = campaign.end_reasons(calls, by="assignee")
    ax = plot_end_reasons(reasons)
    drawn = reasons[reasons["field"] == "end_reason"]
    assert sum(len(c) for c in bars(ax)) == len(drawn)


def test_cost_interval_without_an_upper_bound_reads_as_open():
    """3 outcomes: the bootstrap's upper bound is infinite (NA); the row says so, no stray cap."""
    funnel = pd.DataFrame(
        {
            "assignee": ["a", "b"],
            "dials": [40, 30],
            "outcomes": [10, 3],
            "n_costed": [40, 30],
            "cost_per_outcome": [2.0, 5.0],
            "cost_ci_low": [1.5, 3.0],
            "cost_ci_high": [3.0, None],
        }
    ).astype({"cost_ci_high": "Float64"})
    ax = plots.plot_cost_per_outcome(funnel)
    dashed = [c for c in ax.collections if c.get_linestyle()[0][1] is not None]
    (segment,) = dashed[0].get_segments()
    assert segment[0].tolist() == [3.0, 1.0]  # from b's lower bound, on b's row
    assert segment[1][0] == ax.get_xlim()[1] > 5.0  # to the axis's end, past the dot
    assert [t.get_text().strip() for t in ax.texts] == ["no upper bound"]
    plt.close("all")
