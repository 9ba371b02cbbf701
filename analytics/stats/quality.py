"""Data-quality findings on a loaded run: one row per thing an analyst should know about.

The loader and these checks tell one story. What the loader could not read is in
``run.problems`` and comes back here as ``check="unreadable"``; the value is NA in its table,
and every other check skips NA values, so a bad value is reported once. A call's duration gets
at most one finding (``unreadable``, else ``impossible_duration``, else
``nonpositive_duration``, else ``duration_mismatch``), so that the total of findings counts
each problem once. The checks and their meaning are :data:`analytics.schema.QUALITY_CHECKS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics._shared import dask_aware
from analytics.load import Run
from analytics.schema import (
    ANSWERED_CALL_STATUSES,
    MAX_CALL_SECONDS,
    QUALITY_SCHEMA,
    TEXT,
    canonical_outcomes,
    conform,
    empty_frame,
)

__all__ = ["SLACK_S", "quality_checks", "sorted_findings"]

SLACK_S = 2.0
"""Seconds of disagreement tolerated between a call's duration, its start and end times and
its turn timestamps (clocks of different services, whole-second durations)."""


def _finding(
    frame: pd.DataFrame, mask: pd.Series, field: str, check: str, detail: pd.Series
) -> pd.DataFrame:
    """Findings for the rows of ``frame`` where ``mask`` is true."""
    keep = mask.fillna(False).astype(bool).to_numpy()
    return pd.DataFrame(
        {
            "task_id": frame["task_id"].to_numpy()[keep],
            "field": field,
            "check": check,
            "detail": detail.astype(TEXT).to_numpy()[keep],
        }
    )


def _number(values: pd.Series) -> pd.Series:
    """Seconds as text with one decimal: ``33.0`` (rounded in numpy, NA as NaN: pandas rounds
    the values under the NA mask too, and a huge one overflows)."""
    seconds = _seconds(values)
    rounded = np.round(np.where(np.abs(seconds) < 1e15, seconds, np.nan), 1)
    return pd.Series(rounded, index=values.index, dtype="Float64").astype(TEXT)


def _unreadable(problems: pd.DataFrame) -> pd.DataFrame:
    found = problems.rename(columns={"problem": "detail"}).assign(check="unreadable")
    return found[list(QUALITY_SCHEMA)]


def _duplicates(tasks: pd.DataFrame) -> pd.DataFrame:
    n_seen = tasks["n_seen"]
    detail = "task_id came " + n_seen.astype(TEXT) + " times in the input; kept the newest"
    return _finding(tasks, n_seen > 1, "task_id", "duplicate_task", detail)


_DURATION_FIELDS = ("duration", "duration_s")
"""Loader problem fields that are a call's duration finding already (``unreadable``)."""


def _duration_masks(calls: pd.DataFrame, problems: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which calls get which duration finding: at most one each, the first that applies in
    the order of the dict, and none when the loader already reported the duration."""
    reported = problems.loc[problems["field"].isin(_DURATION_FIELDS), "task_id"]
    todo = ~calls["task_id"].isin(reported).to_numpy(dtype=bool)
    duration = _seconds(calls["duration_s"])
    known = todo & ~np.isnan(duration)
    impossible = known & ~((duration >= 0) & (duration <= MAX_CALL_SECONDS))  # NaN-safe
    possible = np.where(known & ~impossible, duration, np.nan)
    zero = calls["connected"].fillna(False).to_numpy(dtype=bool) & (possible <= 0)
    off = ~zero & (np.abs(possible - _seconds(_elapsed(calls))) > SLACK_S)
    return {
        "impossible_duration": impossible,
        "nonpositive_duration": zero,
        "duration_mismatch": off,
    }


def _seconds(values: pd.Series) -> np.ndarray:
    """A measure column as float64, NA as NaN (numpy arithmetic that never warns on NA)."""
    seconds: np.ndarray = values.astype("Float64").to_numpy("float64", na_value=np.nan)
    return seconds


def _elapsed(calls: pd.DataFrame) -> pd.Series:
    return (calls["end_time"] - calls["start_time"]).dt.total_seconds().astype("Float64")


def _spelled(seconds: pd.Series) -> pd.Series:
    """Seconds as text without rounding (``-5.0 s``, ``1e+308 s``: rounding a huge value
    overflows), and ``not a finite number`` for NaN and infinities."""
    finite = np.isfinite(_seconds(seconds))
    return (seconds.astype(TEXT) + " s").where(finite, "not a finite number")


def _durations(calls: pd.DataFrame, problems: pd.DataFrame) -> list[pd.DataFrame]:
    masks = {k: pd.Series(v, calls.index) for k, v in _duration_masks(calls, problems).items()}
    duration = calls["duration_s"].astype("Float64")
    seconds = _number(duration)
    details = {
        "impossible_duration": "duration_s is "
        + _spelled(duration)
        + f", not a possible call length (0..{MAX_CALL_SECONDS:,} s); not counted in durations",
        "nonpositive_duration": "connected call has duration_s "
        + seconds
        + " s; not counted in durations",
        "duration_mismatch": "duration_s is "
        + seconds
        + " s but end_time - start_time is "
        + _number(_elapsed(calls))
        + " s",
    }
    return [_finding(calls, masks[c], "duration_s", c, details[c]) for c in details]


def _transcripts(calls: pd.DataFrame, problems: pd.DataFrame) -> list[pd.DataFrame]:
    unreadable = problems.loc[problems["field"] == "transcript", "task_id"]
    status = calls["call_status"].astype(TEXT)
    lacking = (
        status.isin(ANSWERED_CALL_STATUSES)
        & calls["n_turns"].fillna(0).eq(0)
        & ~calls["task_id"].isin(unreadable)
    )
    pending = calls["evaluated"].eq(False)
    said = "call_status '" + status + "' "
    empty = pd.Series(
        np.where(calls["n_turns"].isna(), "no transcript", "an empty transcript"),
        index=calls.index,
        dtype="str",  # what pandas infers from numpy text; says so to the type checker
    )
    return [
        _finding(
            calls,
            lacking & pending,
            "transcript",
            "transcript_pending",
            said + "but the platform is still evaluating the call; load the run again later",
        ),
        _finding(
            calls,
            lacking & ~pending,
            "transcript",
            "transcript_missing",
            said + "and evaluated, but it has " + empty,
        ),
    ]


def _turn_times(turns: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    timed = turns.dropna(subset=["task_id", "timestamp"])[["task_id", "timestamp"]]
    bounds = calls.dropna(subset=["task_id"])[["task_id", "start_time", "end_time"]]
    timed = timed.merge(bounds, on="task_id")
    early = (timed["start_time"] - timed["timestamp"]).dt.total_seconds()
    late = (timed["timestamp"] - timed["end_time"]).dt.total_seconds()
    outside = pd.concat([early, late], axis=1).max(axis=1)
    timed = timed.assign(bad=outside > SLACK_S, by=outside.where(outside > SLACK_S))
    per_call = timed.groupby("task_id").agg(
        n=("bad", "size"), n_bad=("bad", "sum"), by=("by", "max")
    )
    per_call = per_call.reset_index()
    detail = (
        per_call["n_bad"].astype(TEXT)
        + " of "
        + per_call["n"].astype(TEXT)
        + " turn timestamps fall outside start_time..end_time, by up to "
        + _number(per_call["by"])
        + " s"
    )
    return _finding(
        per_call, per_call["n_bad"] > 0, "transcript.timestamp", "turn_time_outside_call", detail
    )


def _unknown_outcomes(calls: pd.DataFrame) -> pd.DataFrame:
    raw = calls["outcome_raw"].astype(TEXT)
    named_other = raw.str.lower().str.replace(r"[^a-z]", "", regex=True).eq("other")
    unknown = canonical_outcomes(raw).eq("Other") & ~named_other.fillna(False)
    detail = "outcome label '" + raw + "' is not in OUTCOMES; counted as 'Other'"
    return _finding(calls, unknown, "outcome", "unknown_outcome", detail)


@dask_aware
def quality_checks(run: Run) -> pd.DataFrame:
    """Every data-quality finding of a run, one row each.

    Parameters
    ----------
    run : Run
        A loaded run (:func:`analytics.load.load_run`).

    Returns
    -------
    DataFrame
        ``task_id``, ``field``, ``check``, ``detail`` (:data:`~analytics.schema.QUALITY_SCHEMA`),
        sorted by ``task_id`` (NA last) then ``check``. The checks
        (:data:`~analytics.schema.QUALITY_CHECKS`):

        - ``unreadable``: each row of ``run.problems`` (``detail`` is the loader's message);
        - ``duplicate_task``: the task came more than once in the input (``tasks.n_seen``);
        - ``impossible_duration``: a call (connected or not) whose ``duration_s`` is negative,
          not finite or over :data:`~analytics.schema.MAX_CALL_SECONDS` (a table not built by
          ``load_run``, which makes such values NA and reports them as unreadable);
        - ``nonpositive_duration``: a connected call lasting 0 s;
        - ``duration_mismatch``: ``duration_s`` and ``end_time - start_time`` differ by more
          than :data:`SLACK_S` seconds;
        - ``transcript_pending`` / ``transcript_missing``: a call whose status says someone
          answered (:data:`~analytics.schema.ANSWERED_CALL_STATUSES`) but with no transcript
          turns, either because the platform is still evaluating it (``evaluated`` false:
          load the run again later) or because it is lost;
        - ``turn_time_outside_call``: turn timestamps more than :data:`SLACK_S` seconds
          before ``start_time`` or after ``end_time`` (one row per call);
        - ``unknown_outcome``: a raw outcome label outside
          :data:`~analytics.schema.OUTCOMES`, counted as ``"Other"`` by the analyses.

        Values that are NA (never given, or unreadable and already reported) are not
        checked again, and a call's duration gets at most one finding: the first of
        ``unreadable`` (a loader problem on ``duration`` or ``duration_s``),
        ``impossible_duration``, ``nonpositive_duration``, ``duration_mismatch``.

    Examples
    --------
    >>> from analytics.datasets import make_run
    >>> from analytics.load import load_run
    >>> findings = quality_checks(load_run(make_run(200, random_state=0)))
    >>> list(findings.columns)
    ['task_id', 'field', 'check', 'detail']
    >>> from analytics.schema import QUALITY_CHECKS
    >>> set(findings["check"]) <= set(QUALITY_CHECKS)
    True
    """
    found = [
        _unreadable(run.problems),
        _duplicates(run.tasks),
        *_durations(run.calls, run.problems),
        *_transcripts(run.calls, run.problems),
        _turn_times(run.turns, run.calls),
        _unknown_outcomes(run.calls),
    ]
    found = [f for f in found if len(f)] or [empty_frame(QUALITY_SCHEMA)]
    return sorted_findings(conform(pd.concat(found, ignore_index=True), QUALITY_SCHEMA))


def sorted_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings in the order :func:`quality_checks` gives them: by task (NA last), check, field
    and detail (so that findings gathered run by run read the same as from all runs at once)."""
    order = ["task_id", "check", "field", "detail"]
    ordered = findings.sort_values(order, na_position="last", kind="stable")
    return ordered.reset_index(drop=True)
