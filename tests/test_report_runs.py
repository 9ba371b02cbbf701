"""build_report across runs: the overview names them, a Runs table compares them.

Two seeded runs of 40 and 30 tasks loaded together (``load_run`` of two snapshots) span two
run ids; the per-run figures are checked against the public stats functions and against counts
taken straight from the run's tables.
"""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pandas as pd
import pytest
from test_report import assert_only_the_template, table, visible_text

import analytics as an
from analytics.viz.report import NO_RUN, build_report

SIZES = {1: 40, 2: 30}
"""make_run seed -> tasks."""
HOSTILE_IDS = ("<script>x</script>", '=HYPERLINK("http://evil.example/","click")')


def two_runs() -> an.Run:
    return an.load_run([an.datasets.make_run(n, random_state=seed) for seed, n in SIZES.items()])


def with_columns(run: an.Run, **columns: dict[str, str]) -> an.Run:
    """``run`` with new columns in every table (new frames, ``run`` untouched), each a
    run id -> value map; turns and problems take their task's value."""
    tasks = run.tasks.assign(**{c: run.tasks["run_id"].map(m) for c, m in columns.items()})
    per_task = tasks.set_index("task_id")[list(columns)]

    def of_tasks(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.join(per_task, on="task_id")

    calls = run.calls.assign(**{c: run.calls["run_id"].map(m) for c, m in columns.items()})
    return dataclasses.replace(
        run, tasks=tasks, calls=calls, turns=of_tasks(run.turns), problems=of_tasks(run.problems)
    )


def renamed(run: an.Run, ids: dict[str, object]) -> an.Run:
    """``run`` with its run ids replaced (``ids``: old -> new, None for a missing one) in
    tasks and calls."""
    return dataclasses.replace(
        run,
        tasks=run.tasks.assign(run_id=run.tasks["run_id"].map(ids).astype("str")),
        calls=run.calls.assign(run_id=run.calls["run_id"].map(ids).astype("str")),
    )


@pytest.fixture(scope="module")
def run() -> an.Run:
    return two_runs()


@pytest.fixture(scope="module")
def ids(run) -> list[str]:
    """The two run ids, in the order of their first call."""
    first = run.calls.groupby("run_id")["start_time"].min().sort_values()
    return first.index.tolist()


@pytest.fixture(scope="module")
def page(run, tmp_path_factory) -> Path:
    return build_report(run, tmp_path_factory.mktemp("runs") / "report")


def runs_csv(page: Path) -> pd.DataFrame:
    return pd.read_csv(page.parent / "tables" / "runs.csv", keep_default_na=False)


def lead(page: Path) -> str:
    found = re.search(
        r"<section id=overview><h2>[^<]*</h2><p class=lead>(.*?)</p>", page.read_text()
    )
    assert found is not None
    return found.group(1)


def cell(rate: float, low: float, high: float) -> str:
    """A rate and its interval as the page shows them: "68% (51-80%)"."""
    return f"{rate:.0%} ({100 * low:.0f}-{high:.0%})"


# --- the runs are two, with the ids and counts make_run gave them ---------------------------


def test_the_two_seeds_give_two_run_ids(run, ids):
    assert len(set(ids)) == 2
    assert run.tasks.groupby("run_id").size().sort_values().tolist() == [30, 40]


def test_runs_table_counts_tasks_and_calls_per_run(run, ids, page):
    tasks = run.tasks.groupby("run_id").size()
    calls = run.calls.groupby("run_id").size()
    written = runs_csv(page)
    assert written["run_id"].tolist() == ids  # in the order of the first call
    assert written["tasks"].tolist() == [tasks[i] for i in ids]
    assert written["calls"].tolist() == [calls[i] for i in ids]
    assert sorted(written["tasks"]) == sorted(SIZES.values())
    shown = table(page, "Runs")
    assert shown["run"].tolist() == ids
    assert shown["tasks"].tolist() == [str(tasks[i]) for i in ids]
    assert shown["calls"].tolist() == [str(calls[i]) for i in ids]


def test_runs_table_gives_each_runs_first_and_last_call(run, ids, page):
    starts = run.calls.groupby("run_id")["start_time"]
    first, last = starts.min(), starts.max()
    shown = table(page, "Runs")["calls from, UTC"]
    assert shown.tolist() == [f"{first[i]:%Y-%m-%d %H:%M} to {last[i]:%Y-%m-%d %H:%M}" for i in ids]
    written = runs_csv(page)
    assert pd.to_datetime(written["first_call_start"]).tolist() == [first[i] for i in ids]
    assert pd.to_datetime(written["last_call_start"]).tolist() == [last[i] for i in ids]


def test_connection_rates_are_those_of_connection_rates_by_run(run, ids, page):
    expected = an.connection_rates(run.calls, by="run_id").set_index("run_id").loc[ids]
    written = runs_csv(page)
    for column in ("n", "connected", "n_unknown"):
        assert written[f"connection_{column}"].tolist() == expected[column].tolist()
    for column in ("rate", "ci_low", "ci_high"):
        assert written[f"connection_{column}"].tolist() == pytest.approx(expected[column].tolist())
    # by hand: connected calls over calls whose connection is known
    known = run.calls.dropna(subset=["connected"]).groupby("run_id")["connected"]
    assert written["connection_n"].tolist() == [known.size()[i] for i in ids]
    assert written["connection_connected"].tolist() == [known.sum()[i] for i in ids]
    shown = table(page, "Runs")
    assert shown["calls with a known state"].tolist() == [str(n) for n in expected["n"]]
    rates = expected[["rate", "ci_low", "ci_high"]].itertuples(index=False)
    assert shown["connection rate (95% CI)"].tolist() == [cell(*r) for r in rates]


def test_interested_rates_are_those_of_outcome_rates_by_run(run, ids, page):
    rates = an.outcome_rates(run.calls, by="run_id")
    expected = rates[rates["outcome"] == "Interested"].set_index("run_id").loc[ids]
    written = runs_csv(page)
    assert written["interested_n"].tolist() == expected["n"].tolist()
    assert written["interested_count"].tolist() == expected["count"].tolist()
    for column in ("rate", "ci_low", "ci_high"):
        assert written[f"interested_{column}"].tolist() == pytest.approx(expected[column].tolist())
    # by hand: Interested calls over calls with an outcome
    evaluated = run.calls.dropna(subset=["outcome"]).groupby("run_id")["outcome"]
    assert written["interested_n"].tolist() == [evaluated.size()[i] for i in ids]
    shown = table(page, "Runs")
    assert shown["calls with an outcome"].tolist() == [str(n) for n in expected["n"]]
    cells = expected[["rate", "ci_low", "ci_high"]].itertuples(index=False)
    assert shown["Interested rate (95% CI)"].tolist() == [cell(*r) for r in cells]


def test_the_overview_and_title_name_the_runs_and_their_period(run, ids, page):
    text = page.read_text(encoding="utf-8")
    assert lead(page).startswith(f"2 runs ({ids[0]}, {ids[1]}): 70 tasks")
    start = run.calls["start_time"]
    assert f"Calls from {start.min():%Y-%m-%d %H:%M} to {start.max():%Y-%m-%d %H:%M} UTC" in (
        lead(page)
    )
    assert "<title>2 runs</title>" in text
    assert "<section id=runs><h2>Runs</h2>" in text
    assert '<a href="#runs">Runs</a>' in text
    assert all(text.count(i) == 2 for i in ids)  # in the lead and the Runs table


def test_runs_csv_has_one_row_per_run_and_raw_column_names(page):
    written = runs_csv(page)
    assert len(written) == 2
    assert list(written.columns[:5]) == [
        "run_id",
        "tasks",
        "calls",
        "first_call_start",
        "last_call_start",
    ]
    assert {"connection_rate", "connection_ci_low", "interested_ci_high"} <= set(written.columns)


def test_a_small_run_reads_as_uncertain(tmp_path):
    small = an.load_run(
        [an.datasets.make_run(40, random_state=1), an.datasets.make_run(2, random_state=5)]
    )
    shown = table(build_report(small, tmp_path / "r"), "Runs").set_index("run")
    widths = shown["connection rate (95% CI)"].str.extract(r"\((\d+)-(\d+)%\)").astype(int)
    width = widths[1] - widths[0]
    small_id = small.tasks.groupby("run_id").size().idxmin()
    assert width[small_id] >= 50  # two calls at most: the interval spans half the scale or more
    assert width.drop(small_id).iloc[0] < 40
    assert shown.loc[small_id, "calls with a known state"] in {"0", "1", "2"}


# --- spaces -------------------------------------------------------------------------------


def test_runs_of_one_space(run, ids, tmp_path):
    spaced = with_columns(run, space=dict.fromkeys(ids, "acme"))
    assert "space" not in run.tasks  # the original run is left as it was
    page = build_report(spaced, tmp_path / "r")
    assert "<title>2 runs · space acme</title>" in page.read_text(encoding="utf-8")
    assert lead(page).startswith(f"2 runs of space acme ({ids[0]}, {ids[1]}): 70 tasks")
    shown = table(page, "Runs")
    assert list(shown.columns[:2]) == ["space", "run"]
    assert shown["space"].tolist() == ["acme", "acme"]
    assert runs_csv(page)[["space", "run_id"]].values.tolist() == [["acme", i] for i in ids]


def test_runs_of_several_spaces(run, ids, tmp_path):
    spaced = with_columns(run, space={ids[0]: "acme", ids[1]: "globex"})
    page = build_report(spaced, tmp_path / "r")
    assert "<title>2 runs · 2 spaces</title>" in page.read_text(encoding="utf-8")
    names = f"({ids[0]} in space acme, {ids[1]} in space globex)"
    assert lead(page).startswith(f"2 runs in 2 spaces {names}: 70 tasks")
    assert table(page, "Runs")["space"].tolist() == ["acme", "globex"]


# --- many runs, a missing run id ------------------------------------------------------------


def test_many_runs_are_named_up_to_three_then_counted(tmp_path):
    many = an.load_run([an.datasets.make_run(4, random_state=seed) for seed in range(5)])
    page = build_report(many, tmp_path / "r")
    shown = table(page, "Runs")
    assert len(shown) == 5
    first = ", ".join(shown["run"][:3])
    assert lead(page).startswith(f"5 runs ({first} and 2 more): 20 tasks")
    assert "<title>5 runs</title>" in page.read_text(encoding="utf-8")


def test_tasks_without_a_run_id_are_a_run_of_their_own(run, ids, tmp_path):
    page = build_report(renamed(run, {ids[0]: ids[0], ids[1]: None}), tmp_path / "r")
    shown = table(page, "Runs")
    assert shown["run"].tolist() == [ids[0], NO_RUN]
    assert shown.set_index("run").loc[NO_RUN, "tasks"] == str(len(run.tasks) - 40)
    assert lead(page).startswith(f"2 runs ({ids[0]}, {NO_RUN}): 70 tasks")


# --- hostile run ids -------------------------------------------------------------------------


@pytest.mark.parametrize("spaced", [False, True], ids=["run ids", "and spaces"])
def test_hostile_run_ids_are_text_on_the_page_and_inert_in_the_csv(run, ids, spaced, tmp_path):
    hostile = renamed(run, dict(zip(ids, HOSTILE_IDS)))
    if spaced:
        hostile = with_columns(hostile, space=dict.fromkeys(HOSTILE_IDS, "<b>s</b>"))
    page = build_report(hostile, tmp_path / "r")
    raw = page.read_text(encoding="utf-8")
    assert_only_the_template(page)
    assert "<script>x" not in raw
    assert "<b>s" not in raw
    assert "&lt;script&gt;x&lt;/script&gt;" in raw
    assert table(page, "Runs")["run"].tolist() == list(HOSTILE_IDS)
    assert HOSTILE_IDS[0] in html.unescape(visible_text(page))
    written = runs_csv(page)["run_id"].tolist()
    assert written == [HOSTILE_IDS[0], "'" + HOSTILE_IDS[1]]  # a formula no more


# --- one run: nothing changes ----------------------------------------------------------------


def test_one_run_has_no_runs_section_and_no_runs_csv(tmp_path):
    one = an.load_run(an.datasets.make_run(40, random_state=1))
    page = build_report(one, tmp_path / "r")
    text = page.read_text(encoding="utf-8")
    assert "id=runs" not in text
    assert 'href="#runs"' not in text
    assert not (page.parent / "tables" / "runs.csv").exists()
    run_id = one.tasks["run_id"].iloc[0]
    assert f"<title>Run {run_id}</title>" in text
    assert lead(page).startswith(f"Run {run_id}: 40 tasks")


def test_one_run_of_a_space_is_still_one_run(tmp_path):
    one = an.load_run(an.datasets.make_run(10, random_state=1))
    spaced = with_columns(one, space=dict.fromkeys(one.tasks["run_id"], "acme"))
    page = build_report(spaced, tmp_path / "r")
    assert "id=runs" not in page.read_text(encoding="utf-8")
    assert not (page.parent / "tables" / "runs.csv").exists()
