"""The library's analyses on Dask frames: the same results as on pandas, computed on Dask.

:func:`analytics._shared.dask_aware` sends a call whose data is a Dask frame (or a
:class:`~analytics.distributed.DaskRun`) here, to the function of the same name. Two plans:

Per call (:func:`conversation_features`, :func:`keyword_features`)
    The pandas function runs on each partition, one run's turns with that run's calls (a
    call's turns never straddle partitions), on the workers; the result is a Dask frame, one
    row per call, with the pandas function's columns and dtypes (``meta`` from the function
    itself on empty tables).
Aggregates (rates, summaries, tests, quality findings)
    The light columns of the frame (all but the text columns in :data:`HEAVY`, unless the
    analysis groups or counts by one), one row per call, are read on the workers and sent to
    the client partition by partition; the pandas function then runs on them. Select columns
    before the call (``calls[["assignee", "outcome"]]``) and only those are read and moved.
    Counts, Wilson intervals, exact medians with their order-statistic intervals and
    percentiles are therefore exactly the pandas figures, by construction.
    The price is memory on the client: about 8 bytes per number and 10-30 per label, per
    call (10 M calls x 3 columns is a few hundred MB); ``docs/scale.md`` gives the sizes.

Each function takes the same arguments as its pandas namesake (see there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
from dask.base import compute

from analytics._shared import as_keys, text_list
from analytics.distributed.frames import DaskRun
from analytics.load import Run
from analytics.review import queue as review
from analytics.stats import activity as activity_stats
from analytics.stats import campaign, durations, outcomes
from analytics.stats import follow_ups as leads
from analytics.stats import quality as quality_stats
from analytics.text import conversation, keywords, sentiment

__all__ = [
    "call_timing",
    "call_volume",
    "compare_groups",
    "connection_rates",
    "conversation_features",
    "dial_rates",
    "duration_distribution",
    "duration_summary",
    "end_reasons",
    "feature_summary",
    "follow_ups",
    "funnel",
    "keyword_features",
    "keyword_hit_rates",
    "outcome_rates",
    "outcome_trend",
    "quality_checks",
    "review_queue",
    "sentiment_features",
]

HEAVY = frozenset(
    {"summary", "structured_data", "recording_url", "success_evaluator", "labels", "customer"}
)
"""Text columns of ``calls`` no aggregate reads unless grouped by: left on the workers."""


# --- aggregates over calls ----------------------------------------------------------------------


def _gathered(frame: Any, keep: Iterable[str] = ()) -> pd.DataFrame:
    """``frame``'s light columns (and ``keep``) in memory, in partition order."""
    if not isinstance(frame, dd.DataFrame):
        return frame
    wanted = set(keep)
    columns = [c for c in frame.columns if c not in HEAVY or c in wanted]
    # partition by partition to the client: frame.compute() would first concatenate them all
    # in one task on one worker, which at 1 M calls outgrew a 1.5 GB worker and killed it
    parts = compute(*frame[columns].to_delayed())
    return pd.concat(parts, ignore_index=True)


def _keys(by: Any) -> list[str]:
    return [] if by is None else as_keys(by)


def _only(frame: Any, by: Any, *columns: str) -> Any:
    """``frame`` narrowed to the grouping keys and ``columns`` (what the analysis reads), so
    that only they are read from the files and moved; as it is when one is missing, so that
    the pandas function reports it in its own words."""
    needed = list(dict.fromkeys([*_keys(by), *columns]))
    has_all = isinstance(frame, dd.DataFrame) and set(needed) <= set(frame.columns)
    return frame[needed] if has_all else frame


def _counted(data: Any, by: Any, outcome: str) -> pd.DataFrame:
    """What an outcome count reads: a DaskRun's tasks for ``status`` (as for a pandas Run), else
    its calls, gathered with the grouping and outcome columns."""
    if isinstance(data, DaskRun):
        data = data.tasks if outcome == "status" else data.calls
    return _gathered(_only(data, by, outcome), [*_keys(by), outcome])


def duration_summary(calls: dd.DataFrame, *, by: Any = None, **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "duration_s", "connected")
    return durations.duration_summary(_gathered(read, _keys(by)), by=by, **options)


def duration_distribution(calls: dd.DataFrame, *, by: Any = None, **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "duration_s", "connected")
    return durations.duration_distribution(_gathered(read, _keys(by)), by=by, **options)


def outcome_rates(
    data: Any, *, by: Any = "assignee", outcome: str = "outcome", **options: Any
) -> pd.DataFrame:
    gathered = _counted(data, by, outcome)
    return outcomes.outcome_rates(gathered, by=by, outcome=outcome, **options)


def dial_rates(calls: dd.DataFrame, *, by: Any = "assignee", **options: Any) -> pd.DataFrame:
    return outcomes.dial_rates(_gathered(_only(calls, by, "outcome"), _keys(by)), by=by, **options)


def compare_groups(
    data: Any, *, by: Any = "assignee", outcome: str = "outcome", **options: Any
) -> pd.DataFrame:
    gathered = _counted(data, by, outcome)
    return outcomes.compare_groups(gathered, by=by, outcome=outcome, **options)


def connection_rates(calls: dd.DataFrame, *, by: Any = "assignee", **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "connected")
    return activity_stats.connection_rates(_gathered(read, _keys(by)), by=by, **options)


def call_volume(calls: dd.DataFrame, *, by: Any = "assignee", **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "start_time")
    return activity_stats.call_volume(_gathered(read, _keys(by)), by=by, **options)


def feature_summary(
    features: Any, *, by: str = "assignee", calls: Any = None, **options: Any
) -> pd.DataFrame:
    gathered = None if calls is None else _gathered(calls, [by])
    return conversation.feature_summary(_gathered(features, [by]), by=by, calls=gathered, **options)


def keyword_hit_rates(
    keywords_: Any, *, by: Any = None, calls: Any = None, **options: Any
) -> pd.DataFrame:
    gathered = None if calls is None else _gathered(calls, _keys(by))
    return keywords.keyword_hit_rates(
        _gathered(keywords_, _keys(by)), by=by, calls=gathered, **options
    )


def funnel(calls: dd.DataFrame, *, by: Any = None, **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "connected", "has_conversation", "evaluated", "outcome", "cost")
    return campaign.funnel(_gathered(read, _keys(by)), by=by, **options)


def outcome_trend(
    calls: dd.DataFrame, *, by: Any = None, on: str = "start_time", **options: Any
) -> pd.DataFrame:
    read = _only(calls, by, on, "outcome")
    return campaign.outcome_trend(_gathered(read, _keys(by)), by=by, on=on, **options)


def call_timing(calls: dd.DataFrame, *, by: Any = None, **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "start_time", "connected", "outcome")
    return campaign.call_timing(_gathered(read, _keys(by)), by=by, **options)


def end_reasons(calls: dd.DataFrame, *, by: Any = None, **options: Any) -> pd.DataFrame:
    read = _only(calls, by, "end_reason", "call_status")
    return campaign.end_reasons(_gathered(read, _keys(by)), by=by, **options)


def quality_checks(run: DaskRun) -> pd.DataFrame:
    """The findings of every run, found run by run on the workers, in the pandas order."""
    tables = _aligned(run.tasks, run.calls, run.turns, run.problems)
    meta = quality_stats.quality_checks(Run(*(t._meta for t in tables)))
    found = dd.map_partitions(_quality_of, *tables, meta=meta, align_dataframes=False)
    computed: pd.DataFrame = found.compute()
    return quality_stats.sorted_findings(computed)


def follow_ups(
    run: Any, *, now: Any = None, outcomes: Any = ("Call Back", "Send Details")
) -> pd.DataFrame:
    """The leads, chosen on the workers (a superset of the pandas rule: the calls of the
    outcomes or with a required follow-up), then listed by the pandas function; ``now`` is
    read once, on the client."""
    calls = run.calls if isinstance(run, DaskRun) else run
    names = text_list(outcomes, "outcomes") or []
    if isinstance(calls, dd.DataFrame) and {"outcome", "follow_up_required"} <= set(calls.columns):
        calls = calls[calls["outcome"].isin(names) | calls["follow_up_required"].fillna(False)]
    moment = pd.Timestamp.now(tz="UTC") if now is None else now
    return leads.follow_ups(_gathered(calls, calls.columns), now=moment, outcomes=outcomes)


def review_queue(run: DaskRun, *, n: int = 20, **options: Any) -> pd.DataFrame:
    """Each run's queue on its worker, then the top ``n`` of their union by score and task id:
    a call's score is its own, so this is the queue of all the runs."""
    tables = _aligned(run.tasks, run.calls, run.turns, run.problems)
    meta = review.review_queue(Run(*(t._meta for t in tables)), n=n, **options)
    queues = dd.map_partitions(_queue_of, *tables, n, options, meta=meta, align_dataframes=False)
    parts: pd.DataFrame = queues.compute()
    return review.merge_queues(parts, n)


def _queue_of(
    tasks: pd.DataFrame,
    calls: pd.DataFrame,
    turns: pd.DataFrame,
    problems: pd.DataFrame,
    n: int,
    options: dict[str, Any],
) -> pd.DataFrame:
    return review.review_queue(Run(tasks, calls, turns, problems), n=n, **options)


def _quality_of(
    tasks: pd.DataFrame, calls: pd.DataFrame, turns: pd.DataFrame, problems: pd.DataFrame
) -> pd.DataFrame:
    return quality_stats.quality_checks(Run(tasks, calls, turns, problems))


# --- per call -----------------------------------------------------------------------------------


def conversation_features(
    turns: dd.DataFrame, *, calls: dd.DataFrame | None = None, **options: Any
) -> dd.DataFrame:
    """One row per call, computed per run on the workers (a Dask frame)."""
    return _per_call(conversation.conversation_features, turns, calls, options)


def keyword_features(
    turns: dd.DataFrame,
    lexicons: Mapping[str, Iterable[str]] | None = None,
    *,
    calls: dd.DataFrame | None = None,
    **options: Any,
) -> dd.DataFrame:
    """One row per call (or per call and speaker), computed per run on the workers."""
    return _per_call(keywords.keyword_features, turns, calls, {"lexicons": lexicons, **options})


def sentiment_features(
    turns: dd.DataFrame, *, calls: dd.DataFrame | None = None, **options: Any
) -> dd.DataFrame:
    """One row per call, scored per run on the workers (a Dask frame)."""
    return _per_call(sentiment.sentiment_features, turns, calls, options)


def _per_call(
    fn: Callable[..., pd.DataFrame],
    turns: dd.DataFrame,
    calls: dd.DataFrame | None,
    options: dict[str, Any],
) -> dd.DataFrame:
    if calls is None:
        meta = fn(turns._meta, **options)
        return turns.map_partitions(fn, **options, meta=meta)
    turns, calls = _aligned(turns, calls)
    meta = fn(turns._meta, calls=calls._meta, **options)
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.map_partitions(
            _with_calls, fn, turns, calls, options, meta=meta, align_dataframes=False
        )


def _with_calls(
    fn: Callable[..., pd.DataFrame],
    turns: pd.DataFrame,
    calls: pd.DataFrame,
    options: dict[str, Any],
) -> pd.DataFrame:
    return fn(turns, calls=calls, **options)


def _aligned(*frames: Any) -> tuple[dd.DataFrame, ...]:
    """The frames, if they are partitioned alike (one run per partition); else ValueError."""
    if not all(isinstance(f, dd.DataFrame) for f in frames):
        raise TypeError(
            "pass the Dask frames of one DaskRun together (druns.turns with druns.calls), not "
            "a Dask frame with a pandas one"
        )
    sizes = {f.npartitions for f in frames}
    if len(sizes) > 1:
        raise ValueError(
            f"the frames have {sorted(sizes)} partitions, not one run each alike: pass the "
            "tables of one Dataset.to_dask() without repartitioning them"
        )
    return frames
