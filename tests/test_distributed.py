"""The Dask wing on a real cluster: ``Dataset.to_dask`` and every analysis on Dask frames.

One :class:`distributed.LocalCluster` (2 worker processes, 1 thread each) serves the module.
The dataset holds five runs in two spaces: two synthetic runs (``make_run``'s messy shapes,
untimed unanswered dials), a messier run (loader problems, a problem of no task, tasks without
an assignee), a run whose tasks have no call, and an empty run. Every result on Dask frames
is compared with the pandas result on ``Dataset.load()`` of the same data: exactly for counts
and labels, to ``rtol=1e-9`` for floats. Per-call results are Dask frames partitioned by run,
so they are compared after sorting by ``task_id``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest

import analytics as an
from analytics.datasets import make_run
from analytics.load import Run
from analytics.schema import TABLE_SCHEMAS

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.xdist_group("dask-cluster")  # one cluster under --dist loadgroup

TABLES = tuple(TABLE_SCHEMAS)
WINDOW = {"since": "2026-01-30", "until": "2026-01-30"}
"""One whole day (a date-only ``until`` covers its day): part of every run's calls."""


# --- the cluster and the data -----------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    """A Client on a LocalCluster of 2 worker processes with 1 thread each, for the module."""
    with warnings.catch_warnings():  # its HTTP port, when another cluster holds 8787
        warnings.filterwarnings("ignore", message="Port 8787 is already in use")
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
    with cluster, distributed.Client(cluster) as connected:
        yield connected


def _messy_run() -> dict:
    """A synthetic run with loader problems, a non-task item and tasks of no assignee."""
    snapshot = make_run(80, random_state=7)
    tasks = snapshot["data"]
    with_call = [t for t in tasks if t["output"].get("call_status")]
    with_call[0]["output"]["duration"] = "abc"
    with_call[1]["output"]["transcript"] = 42
    with_call[2]["output"]["start_time"] = "yesterday"
    for task in tasks[3:12]:
        task["assignee"] = None
    tasks.append("not a task")
    return snapshot


def _uncalled_run() -> dict:
    """A run whose tasks never got a call (every output ``{}``)."""
    snapshot = make_run(30, random_state=3)
    for task in snapshot["data"]:
        task["output"] = {}
    return snapshot


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dataset")
    an.write_dataset(make_run(120, random_state=0), folder, space="S1")
    an.write_dataset(_messy_run(), folder, space="S1")
    an.write_dataset(_uncalled_run(), folder, space="S1")
    an.write_dataset(make_run(100, random_state=1), folder, space="S2")
    an.write_dataset(make_run(0), folder, space="S2", run_id="R-empty")
    platforms = [make_run(40, random_state=3, platform=p) for p in ("retell", "vapi")]
    an.write_dataset(an.load_run(platforms), folder, space="S3", run_id="R-platforms")
    return folder


@pytest.fixture(scope="module")
def data(root):
    return an.open_dataset(root)


@pytest.fixture(scope="module")
def run(data) -> Run:
    return data.load()


@pytest.fixture(scope="module")
def druns(data, client):
    return data.to_dask()


def test_the_dataset_is_as_messy_as_promised(data, run):
    """The cases the comparisons must cover are really in the data."""
    runs = data.runs.set_index("run_id")
    assert len(runs) == 6
    assert runs.loc["R-empty", "tasks"] == 0
    assert (runs["calls"] == 0).sum() == 2  # the uncalled run and the empty one
    assert run.problems["task_id"].notna().sum() >= 3
    assert run.problems["task_id"].isna().sum() == 1
    assert run.tasks["assignee"].isna().sum() == 9
    assert run.calls["assignee"].isna().any()
    assert run.calls["start_time"].isna().any()  # unanswered dials carry no start time
    assert run.calls["duration_s"].isna().any()
    assert run.calls["space"].nunique() == 3
    assert set(run.calls["platform"]) == {"unpod", "retell", "vapi"}  # Retell and Vapi calls too
    assert run.turns["duration_s"].notna().any()


# --- comparing --------------------------------------------------------------------------------


def _is_float(column: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(column.dtype)


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Equal frames: dtypes, labels and counts exactly, floats to ``rtol=1e-9``."""
    assert isinstance(got, pd.DataFrame), type(got)
    floats = [c for c in want.columns if _is_float(want[c])]
    pd.testing.assert_frame_equal(got.drop(columns=floats), want.drop(columns=floats))
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)


def _by_keys(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


# --- the tables as Dask frames ----------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_to_dask_computes_to_what_load_gives(druns, run, table):
    frame = getattr(druns, table)
    assert isinstance(frame, dd.DataFrame)
    pd.testing.assert_frame_equal(frame.compute().reset_index(drop=True), getattr(run, table))


@pytest.mark.parametrize("table", ["tasks", "calls", "turns", "problems"])
def test_dask_frames_know_the_loaded_columns_and_dtypes(druns, run, table):
    pd.testing.assert_series_equal(getattr(druns, table).dtypes, getattr(run, table).dtypes)


def test_dask_tasks_select_an_input_column(druns, run):
    got = druns.tasks["input_quality"].compute().reset_index(drop=True)
    pd.testing.assert_series_equal(got, run.tasks["input_quality"])


@pytest.mark.parametrize("table", ["calls", "turns"])
def test_a_column_selection_computes_to_those_columns(druns, run, table):
    got = getattr(druns, table)[["task_id", "n_words" if table == "turns" else "duration_s"]]
    want = getattr(run, table)[list(got.columns)]
    pd.testing.assert_frame_equal(got.compute().reset_index(drop=True), want)


def test_dask_run_compute_is_the_loaded_run(druns, run):
    back = druns.compute()
    assert isinstance(back, Run)
    for table in TABLES:
        loaded, computed = getattr(run, table), getattr(back, table)
        pd.testing.assert_frame_equal(computed, loaded, check_exact=True)
        for column in ("space", "run_id"):
            assert str(computed[column].dtype) == "str", (table, column, computed[column].dtype)
    assert str(back.calls["outcome"].dtype) == "str"
    assert str(back.turns["text"].dtype) == "str"
    assert repr(druns) == f"DaskRun(runs=6, columns={len(run.calls.columns)} on calls)"


def test_work_runs_on_the_cluster_workers(client, druns):
    assert distributed.get_client() is client
    assert len(client.scheduler_info()["workers"]) == 2
    with distributed.get_task_stream(client) as stream:
        druns.calls["task_id"].count().compute()
    assert {task["worker"] for task in stream.data} <= set(client.scheduler_info()["workers"])
    assert stream.data


@pytest.mark.parametrize(
    "filters",
    [
        {"runs": ["R-empty"]},
        {"spaces": "S2"},
        WINDOW,
        {"since": "2026-01-31T12:00:00"},
        {"until": "2026-01-29T12:00:00Z", "spaces": "S1"},
    ],
    ids=["one-empty-run", "one-space", "one-day", "since", "until-in-space"],
)
def test_to_dask_with_filters_computes_to_the_same_load(data, client, filters):
    chosen = data.to_dask(**filters)
    loaded = data.load(**filters)
    n_runs = len(data.entries(**filters))
    back = chosen.compute()
    for table in TABLES:
        assert getattr(chosen, table).npartitions == n_runs
        pd.testing.assert_frame_equal(getattr(back, table), getattr(loaded, table))


def test_to_dask_of_chosen_runs(data, client, run):
    ids = run.calls["run_id"].unique().tolist()
    messy = run.problems["run_id"].iloc[0]
    uncalled = sorted(set(run.tasks["run_id"]) - set(ids))[0]
    for runs in ([messy, uncalled], [uncalled], [messy, ids[-1], "R-empty"]):
        chosen, loaded = data.to_dask(runs=runs), data.load(runs=runs)
        assert chosen.calls.npartitions == len(runs)
        back = chosen.compute()
        for table in TABLES:
            pd.testing.assert_frame_equal(getattr(back, table), getattr(loaded, table))


CHOSEN = [
    {"turns": ["speaker", "text"], "calls": ["assignee", "duration_s"]},
    ["task_id"],
]
CHOSEN_IDS = ["per-table", "keys-only"]


@pytest.mark.parametrize("columns", CHOSEN, ids=CHOSEN_IDS)
def test_to_dask_of_some_columns_computes_to_the_same_load(data, client, columns):
    back, loaded = data.to_dask(columns=columns).compute(), data.load(columns=columns)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(back, table), getattr(loaded, table))


@pytest.mark.parametrize("columns", CHOSEN, ids=CHOSEN_IDS)
def test_to_dask_of_some_columns_knows_its_columns(data, columns):
    chosen, loaded = data.to_dask(columns=columns), data.load(columns=columns)
    for table in ("calls", "turns"):
        assert list(getattr(chosen, table).columns) == list(getattr(loaded, table).columns)


def test_per_call_features_of_chosen_columns(data, client):
    """What the docs suggest for turns (``{"turns": ["speaker", "text"]}``) works on pandas;
    on Dask the meta lacks ``task_id`` and ``turn``, so the analysis fails before computing."""
    columns = {"turns": ["speaker", "text"], "calls": ["assignee"]}
    chosen, loaded = data.to_dask(columns=columns), data.load(columns=columns)
    want = an.keyword_features(loaded.turns, calls=loaded.calls, by_speaker=False)
    got = an.keyword_features(chosen.turns, calls=chosen.calls, by_speaker=False).compute()
    assert_same(_by_keys(got, ["task_id"]), want)


def test_to_dask_of_a_column_list_spanning_tables(data, client):
    columns = ["assignee", "outcome", "speaker"]
    loaded = data.load(columns=columns)
    back = data.to_dask(columns=columns).compute()
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(back, table), getattr(loaded, table))


def test_to_dask_raises_the_errors_of_load_at_once(data):
    """Bad filters fail when the frames are made, not when they are computed."""
    with pytest.raises(KeyError, match="R-nope"):
        data.to_dask(runs="R-nope")
    with pytest.raises(ValueError, match="not a time"):
        data.to_dask(since="soon")


def test_partitions_are_runs_and_hold_whole_calls(data, druns, run):
    entries = data.entries()
    for table in TABLES:
        assert getattr(druns, table).npartitions == len(entries) == 6
    ids = druns.turns.map_partitions(lambda f: f[["task_id"]].drop_duplicates()).compute()
    assert ids["task_id"].is_unique
    assert set(ids["task_id"]) == set(run.turns["task_id"])
    for table in TABLES:
        parts = dask.compute(*getattr(druns, table).to_delayed())
        for entry, part in zip(entries, parts, strict=True):
            assert set(part["run_id"]) <= {entry.run_id}, (table, entry.run_id)
            assert set(part["space"]) <= {entry.space}, (table, entry.run_id)
            want = getattr(run, table)
            assert len(part) == want["run_id"].eq(entry.run_id).sum()
    calls = dask.compute(*druns.calls.to_delayed())
    empty = [e.run_id for e, part in zip(entries, calls, strict=True) if part.empty]
    assert len(empty) == 2  # the uncalled run and the empty one: partitions with no calls


# --- every analysis equals pandas -------------------------------------------------------------


def _params(cases: dict) -> list:
    """One ``pytest.param`` per case, named by its key."""
    return [pytest.param(case, id=name) for name, case in cases.items()]


def _features(x, **options):
    return an.conversation_features(x.turns, calls=x.calls, **options)


def _keywords(x, **options):
    return an.keyword_features(x.turns, an.BUILTIN_LEXICONS, calls=x.calls, **options)


AGGREGATES = {
    "duration_summary": lambda x: an.duration_summary(x.calls),
    "duration_summary-assignee": lambda x: an.duration_summary(x.calls, by="assignee"),
    "duration_summary-run-assignee": lambda x: an.duration_summary(
        x.calls, by=["run_id", "assignee"]
    ),
    "duration_summary-space-all": lambda x: an.duration_summary(
        x.calls, by="space", include="all", confidence=0.9
    ),
    "duration_distribution": lambda x: an.duration_distribution(x.calls),
    "duration_distribution-assignee": lambda x: an.duration_distribution(x.calls, by="assignee"),
    "duration_distribution-ecdf": lambda x: an.duration_distribution(
        x.calls, by=["run_id", "assignee"], kind="ecdf"
    ),
    "duration_distribution-space-all": lambda x: an.duration_distribution(
        x.calls, by="space", include="all", bins=12
    ),
    "outcome_rates": lambda x: an.outcome_rates(x.calls),
    "outcome_rates-none": lambda x: an.outcome_rates(x.calls, by=None),
    "outcome_rates-space-missing": lambda x: an.outcome_rates(
        x.calls, by="space", include_missing=True
    ),
    "outcome_rates-call_status": lambda x: an.outcome_rates(
        x.calls, by=["run_id", "assignee"], outcome="call_status", confidence=0.8
    ),
    "outcome_rates-end_reason": lambda x: an.outcome_rates(x.calls, by=None, outcome="end_reason"),
    "outcome_rates-task-status": lambda x: an.outcome_rates(x.tasks, outcome="status"),
    "outcome_rates-task-status-input": lambda x: an.outcome_rates(
        x.tasks, by="input_quality", outcome="status"
    ),
    "outcome_rates-run": lambda x: an.outcome_rates(x, by="space"),
    "dial_rates": lambda x: an.dial_rates(x.calls),
    "dial_rates-none": lambda x: an.dial_rates(x.calls, by=None, outcome="Not Interested"),
    "dial_rates-run-assignee": lambda x: an.dial_rates(x.calls, by=["run_id", "assignee"]),
    "dial_rates-space": lambda x: an.dial_rates(x.calls, by="space"),
    "connection_rates": lambda x: an.connection_rates(x.calls),
    "connection_rates-none": lambda x: an.connection_rates(x.calls, by=None),
    "connection_rates-run-assignee": lambda x: an.connection_rates(
        x.calls, by=["run_id", "assignee"]
    ),
    "connection_rates-space": lambda x: an.connection_rates(x.calls, by="space"),
    "compare_groups": lambda x: an.compare_groups(x.calls),
    "compare_groups-none": lambda x: an.compare_groups(x.calls, by=None),
    "compare_groups-platform": lambda x: an.compare_groups(x.calls, by="platform"),
    "compare_groups-run-missing": lambda x: an.compare_groups(
        x.calls, by="run_id", include_missing=True
    ),
    "compare_groups-space-call_status": lambda x: an.compare_groups(
        x.calls, by="space", outcome="call_status"
    ),
    "compare_groups-run": lambda x: an.compare_groups(x, by="assignee"),
    "call_volume": lambda x: an.call_volume(x.calls),
    "call_volume-none-weekly": lambda x: an.call_volume(x.calls, by=None, freq="W"),
    "call_volume-run-assignee": lambda x: an.call_volume(x.calls, by=["run_id", "assignee"]),
    "call_volume-space-hourly": lambda x: an.call_volume(x.calls, by="space", freq="h"),
    "quality_checks": lambda x: an.quality_checks(x),
    "funnel": lambda x: an.funnel(x.calls),
    "funnel-assignee": lambda x: an.funnel(x.calls, by="assignee", n_resamples=500),
    "funnel-run-call-back": lambda x: an.funnel(x.calls, by="run_id", outcome="Call Back"),
    "funnel-platform": lambda x: an.funnel(x.calls, by="platform", n_resamples=200),
    "outcome_trend": lambda x: an.outcome_trend(x.calls, freq="D"),
    "outcome_trend-space-hourly": lambda x: an.outcome_trend(x.calls, by="space", freq="h"),
    "call_timing": lambda x: an.call_timing(x.calls),
    "call_timing-assignee-kolkata": lambda x: an.call_timing(
        x.calls, by="assignee", tz="Asia/Kolkata", outcome="Not Interested"
    ),
    "end_reasons": lambda x: an.end_reasons(x.calls),
    "end_reasons-run": lambda x: an.end_reasons(x.calls, by=["space", "run_id"]),
    "follow_ups": lambda x: an.follow_ups(x, now="2026-01-31T12:00Z"),
    "follow_ups-calls-interested": lambda x: an.follow_ups(
        x.calls, now="2026-02-01", outcomes=["Interested"]
    ),
    "review_queue": lambda x: an.review_queue(x),
    "review_queue-some": lambda x: an.review_queue(x, n=7, reasons=["opt_out", "data_quality"]),
    "feature_summary": lambda x: an.feature_summary(_features(x), calls=x.calls),
    "feature_summary-run-counts": lambda x: an.feature_summary(
        _features(x), by="run_id", calls=x.calls, counts=True
    ),
    "feature_summary-space-columns": lambda x: an.feature_summary(
        _features(x), by="space", calls=x.calls, columns=["agent_talk_share", "switches"]
    ),
    "keyword_hit_rates": lambda x: an.keyword_hit_rates(_keywords(x), by="assignee", calls=x.calls),
    "keyword_hit_rates-none": lambda x: an.keyword_hit_rates(_keywords(x)),
    "keyword_hit_rates-user": lambda x: an.keyword_hit_rates(
        _keywords(x), by=["run_id", "assignee"], calls=x.calls, speaker="user"
    ),
    "keyword_hit_rates-space-pooled": lambda x: an.keyword_hit_rates(
        _keywords(x, by_speaker=False), by="space", calls=x.calls, confidence=0.9
    ),
}


@pytest.mark.parametrize("fn", _params(AGGREGATES))
def test_aggregate_on_dask_equals_pandas(druns, run, fn):
    got, want = fn(druns), fn(run)
    assert isinstance(got, pd.DataFrame), type(got)
    assert len(want) > 0
    assert_same(got, want)


def test_aggregates_see_runs_without_calls(druns, run):
    """The uncalled run's tasks count in a task-status rate; it has no calls to count."""
    got = an.outcome_rates(druns.tasks, by="run_id", outcome="status")
    want = an.outcome_rates(run.tasks, by="run_id", outcome="status")
    assert_same(got, want)
    assert got["run_id"].nunique() == 5  # every run with tasks


def test_outcome_rates_of_task_status_on_a_dask_run(druns, run):
    assert_same(
        an.outcome_rates(druns, by=None, outcome="status"),
        an.outcome_rates(run, by=None, outcome="status"),
    )


def test_outcome_rates_of_a_heavy_column(druns, run):
    assert_same(
        an.outcome_rates(druns.calls, by=None, outcome="labels"),
        an.outcome_rates(run.calls, by=None, outcome="labels"),
    )


PER_CALL = {
    "conversation_features": lambda x: _features(x),
    "conversation_features-no-calls": lambda x: an.conversation_features(x.turns),
    "conversation_features-some": lambda x: _features(
        x, features=["n_turns", "agent_talk_share", "switches", "first_speaker"]
    ),
    "conversation_features-options": lambda x: _features(
        x, backchannel_max_words=3, speech_rate_wpm=120.0
    ),
    "keyword_features": lambda x: _keywords(x),
    "keyword_features-pooled": lambda x: _keywords(x, by_speaker=False),
    "keyword_features-default-lexicons": lambda x: an.keyword_features(x.turns),
    "keyword_features-own-lexicon": lambda x: an.keyword_features(
        x.turns, {"money": ["price", "cost", "fee"]}, calls=x.calls, by_speaker=False
    ),
    "sentiment_features": lambda x: an.sentiment_features(x.turns, calls=x.calls),
    "sentiment_features-no-calls-window": lambda x: an.sentiment_features(x.turns, window=1),
}


@pytest.mark.parametrize("fn", _params(PER_CALL))
def test_per_call_on_dask_equals_pandas(druns, run, fn):
    lazy, want = fn(druns), fn(run)
    assert isinstance(lazy, dd.DataFrame), type(lazy)
    assert lazy.npartitions == druns.turns.npartitions
    pd.testing.assert_series_equal(lazy.dtypes, want.dtypes)
    got = lazy.compute()
    assert got["task_id"].is_unique
    assert len(want) > 0
    assert_same(_by_keys(got, ["task_id"]), _by_keys(want, ["task_id"]))


EVERY_FUNCTION = {
    "duration_summary": lambda x: an.duration_summary(x.calls, by="assignee"),
    "duration_distribution": lambda x: an.duration_distribution(x.calls, kind="ecdf"),
    "outcome_rates": lambda x: an.outcome_rates(x.calls),
    "dial_rates": lambda x: an.dial_rates(x.calls),
    "connection_rates": lambda x: an.connection_rates(x.calls, by=None),
    "compare_groups": lambda x: an.compare_groups(x.calls),
    "call_volume": lambda x: an.call_volume(x.calls, freq="W"),
    "quality_checks": lambda x: an.quality_checks(x),
    "conversation_features": lambda x: _features(x),
    "keyword_features": lambda x: _keywords(x),
    "feature_summary": lambda x: an.feature_summary(_features(x), calls=x.calls),
    "keyword_hit_rates": lambda x: an.keyword_hit_rates(_keywords(x), by="space", calls=x.calls),
    "funnel": lambda x: an.funnel(x.calls, by="assignee"),
    "outcome_trend": lambda x: an.outcome_trend(x.calls),
    "call_timing": lambda x: an.call_timing(x.calls, tz="Asia/Kolkata"),
    "end_reasons": lambda x: an.end_reasons(x.calls, by="assignee"),
    "sentiment_features": lambda x: an.sentiment_features(x.turns, calls=x.calls),
    "follow_ups": lambda x: an.follow_ups(x, now="2026-01-31"),
    "review_queue": lambda x: an.review_queue(x, n=5),
}


@pytest.mark.parametrize(
    "filters",
    [{"runs": "uncalled+empty"}, {"spaces": "S1", "since": "2030-01-01"}],
    ids=["runs-without-calls", "no-run"],
)
def test_every_function_on_a_selection_without_calls(data, client, run, filters):
    """Partitions with no calls (and a selection of no run: one empty partition)."""
    if filters.get("runs") == "uncalled+empty":
        uncalled = sorted(set(run.tasks["run_id"]) - set(run.calls["run_id"]))
        filters = {"runs": [*uncalled, "R-empty"]}
    chosen, loaded = data.to_dask(**filters), data.load(**filters)
    assert chosen.calls.npartitions == max(len(data.entries(**filters)), 1)
    assert loaded.calls.empty
    for name, fn in EVERY_FUNCTION.items():
        got, want = fn(chosen), fn(loaded)
        if isinstance(got, dd.DataFrame):
            got = got.compute().reset_index(drop=True)
        try:
            assert_same(got, want)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None


# --- dispatch errors --------------------------------------------------------------------------


def test_a_dask_frame_with_a_pandas_one_is_a_type_error(druns, run):
    with pytest.raises(TypeError, match="Dask frame with a pandas one"):
        an.conversation_features(druns.turns, calls=run.calls)
    with pytest.raises(TypeError, match="Dask frames of one DaskRun"):
        an.keyword_features(druns.turns, calls=run.calls)


def test_repartitioned_frames_are_a_value_error_naming_partitions(druns):
    one = druns.turns.repartition(npartitions=1)
    with pytest.raises(ValueError, match=r"\[1, 6\] partitions"):
        an.conversation_features(one, calls=druns.calls)
    with pytest.raises(ValueError, match="partitions"):
        an.keyword_features(one, an.BUILTIN_LEXICONS, calls=druns.calls)


# --- Dask stays optional ----------------------------------------------------------------------


def _imports_dask(code: str) -> bool:
    probe = textwrap.dedent(code) + (
        "\nprint(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return {"True": True, "False": False}[done.stdout.strip().splitlines()[-1]]


def test_import_analytics_does_not_import_dask():
    code = """
        import analytics, sys
        import analytics.datasets
        an = analytics
        run = an.load_run(an.datasets.make_run(5))
        an.outcome_rates(run.calls); an.quality_checks(run)
        an.conversation_features(run.turns, calls=run.calls)
    """
    assert _imports_dask(code) is False


def test_to_dask_imports_dask(root):
    code = f"""
        import analytics as an, sys
        an.open_dataset({str(root)!r}).to_dask()
    """
    assert _imports_dask(code) is True
