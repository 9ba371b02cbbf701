"""Machinery the stages share: group keys, column checks, the call index, labels, intervals.

Private: the public API re-exports what users need (``wilson_interval`` from
:mod:`analytics.stats.outcomes`). Every analysis that groups rows, counts calls or checks its
input does it through these functions, so that they agree on what a group, a missing value
and a bad column are.

Examples
--------
>>> import pandas as pd
>>> calls = pd.DataFrame({"task_id": ["a", "b"], "assignee": ["x", None]})
>>> group_columns(calls, "assignee"), as_keys(None)
(['assignee'], [])
>>> require_columns(calls, ["task_id", "outcome"])
Traceback (most recent call last):
...
ValueError: calls lacks the columns ['outcome']; pass run.calls (it has: task_id, assignee)
"""

from __future__ import annotations

import functools
import gc
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import ParamSpec, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset
from scipy import stats

from analytics.schema import COUNT, MEASURE, TEXT

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "MISSING_LABEL",
    "OVERALL",
    "By",
    "as_keys",
    "call_index",
    "check_confidence",
    "check_freq",
    "gc_paused",
    "group_columns",
    "require_columns",
    "stacked",
    "wilson_interval",
    "with_overall",
    "with_rates",
]

By = str | Sequence[str] | None
"""What ``by=`` takes: a column name, a list of names, or None for one overall group."""

MISSING_LABEL = "(missing)"
"""How a missing value is labelled where it must be shown or counted: outcomes, groups."""

OVERALL = "__overall__"
"""Name of the constant group column used internally when ``by=None``."""


def as_keys(by: By) -> list[str]:
    """``by`` (a column name, a list of names or None) as a list of names.

    >>> as_keys(None), as_keys("assignee"), as_keys(("assignee", "call_type"))
    ([], ['assignee'], ['assignee', 'call_type'])
    """
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def require_columns(
    frame: object,
    columns: Iterable[str],
    *,
    name: str = "calls",
    fix: str = "pass run.calls",
    key: str | None = None,
) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame holding ``columns``; else raise, naming the gap.

    The one input check of the analyses: ``name`` is what the caller calls the argument, and
    ``fix`` tells the user what to pass instead. With ``key``, that column must have no
    missing values (every turn needs its call's ``task_id``).

    >>> require_columns([], ["task_id"], name="turns", fix="pass run.turns")
    Traceback (most recent call last):
    ...
    TypeError: turns must be a pandas DataFrame, got 'list'; pass run.turns
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__!r}; {fix}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        has = ", ".join(map(str, frame.columns[:8])) + (", ..." if frame.shape[1] > 8 else "")
        raise ValueError(f"{name} lacks the columns {missing!r}; {fix} (it has: {has})")
    if key is not None and frame[key].isna().any():
        raise ValueError(f"{name}.{key} has missing values; every row needs its call's {key}")
    return frame


def group_columns(
    frame: pd.DataFrame, by: By, *, table: str = "calls", fix: str | None = None
) -> list[str]:
    """Check ``by`` against the columns of ``frame`` and return it as a list of names.

    The error ends with ``fix``, by default the columns ``by`` may name.

    >>> calls = pd.DataFrame({"assignee": [], "call_type": []})
    >>> group_columns(calls, ["assignee", "call_type"])
    ['assignee', 'call_type']
    >>> group_columns(calls, "agent")
    Traceback (most recent call last):
    ...
    ValueError: by='agent': ['agent'] not a column of calls; use None or some of [...]
    """
    keys = as_keys(by)
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        fix = fix or f"use None or some of {list(frame.columns)}"
        raise ValueError(f"by={by!r}: {missing} not a column of {table}; {fix}")
    return keys


def with_overall(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Return ``frame`` and ``keys``, or a constant :data:`OVERALL` column when there are none."""
    return (frame, keys) if keys else (frame.assign(**{OVERALL: 0}), [OVERALL])


def stacked(wide: pd.DataFrame, name: str) -> pd.Series:
    """``wide.stack()`` named ``name``: one value per row and column, the columns innermost.

    ``wide`` has one level of columns, so pandas returns a Series (a DataFrame only comes from
    several levels, which no caller passes).

    >>> stacked(pd.DataFrame({"x": [1], "y": [2]}), "count").tolist()
    [1, 2]
    """
    long = wide.stack()
    if isinstance(long, pd.DataFrame):
        raise TypeError(f"stacked() needs one level of columns, got {wide.columns.nlevels}")
    return long.rename(name)


def check_freq(freq: str) -> BaseOffset:
    """``freq`` as a pandas offset, or a one-line ValueError naming it.

    >>> check_freq("W")
    <Week: weekday=6>
    >>> check_freq("fortnight")
    Traceback (most recent call last):
    ...
    ValueError: freq='fortnight' is not a pandas frequency; use e.g. 'h', 'D' or 'W'
    """
    try:
        return to_offset(freq)
    except ValueError as error:
        raise ValueError(
            f"freq={freq!r} is not a pandas frequency; use e.g. 'h', 'D' or 'W'"
        ) from error


def check_confidence(confidence: float) -> float:
    """Return ``confidence`` if it is strictly between 0 and 1, else raise ``ValueError``."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must lie strictly between 0 and 1, e.g. 0.95")
    return confidence


def wilson_interval(
    count: ArrayLike, n: ArrayLike, *, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``count`` successes out of ``n`` (vectorised).

    Parameters
    ----------
    count, n : array-like of int
        Successes and trials, broadcast against each other; ``0 <= count <= n``.
    confidence : float, default 0.95
        Two-sided coverage; ``z`` is ``scipy.stats.norm.ppf(0.5 + confidence / 2)``.

    Returns
    -------
    low, high : numpy.ndarray
        Bounds in [0, 1]; exactly 0 when ``count == 0`` and 1 when ``count == n``; NaN when
        ``n == 0``.

    Examples
    --------
    >>> low, high = wilson_interval([2, 0], [8, 4])
    >>> low.round(4).tolist(), high.round(4).tolist()
    ([0.0715, 0.0], [0.5907, 0.4899])
    """
    k = np.asarray(count, dtype=float)
    m = np.asarray(n, dtype=float)
    if np.any((k < 0) | (k > m)):
        raise ValueError(f"count={count!r} must lie between 0 and n={n!r}")
    z = stats.norm.ppf(0.5 + check_confidence(confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / m
        denom = 1 + z**2 / m
        centre = (p + z**2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / denom
    low = np.where(k == 0, 0.0, centre - half)
    high = np.where(k == m, 1.0, centre + half)
    return np.where(m > 0, low, np.nan), np.where(m > 0, high, np.nan)


def with_rates(counts: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Add ``rate`` = ``count / n`` and its Wilson interval to a frame of ``count`` and ``n``.

    The :data:`OVERALL` column, if any, is dropped; ``n`` and ``count`` become counts, the
    rest measures. ``rate`` is NA where ``n`` is 0.

    >>> with_rates(pd.DataFrame({"count": [2, 0], "n": [8, 0]})).round(4)
       count  n  rate  ci_low  ci_high
    0      2  8  0.25  0.0715   0.5907
    1      0  0  <NA>    <NA>     <NA>
    """
    low, high = wilson_interval(counts["count"], counts["n"], confidence=confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = counts["count"].to_numpy(dtype=float) / counts["n"].to_numpy(dtype=float)
    out = counts.drop(columns=OVERALL, errors="ignore").assign(rate=rate, ci_low=low, ci_high=high)
    measures = dict.fromkeys(["rate", "ci_low", "ci_high"], MEASURE)
    return out.astype({"n": COUNT, "count": COUNT, **measures})


def call_index(turns: pd.DataFrame, calls: pd.DataFrame | None) -> tuple[pd.Index, np.ndarray]:
    """The sorted task ids of a per-call output and, for each turn, its row in them.

    The ids are those of ``turns`` and, when given, of ``calls`` (so that a call without turns
    still gets a row).

    >>> turns = pd.DataFrame({"task_id": ["b", "a", "b"]})
    >>> ids, codes = call_index(turns, pd.DataFrame({"task_id": ["c", "a"]}))
    >>> ids.tolist(), codes.tolist()
    (['a', 'b', 'c'], [1, 0, 1])
    """
    known = turns["task_id"] if calls is None else pd.concat([calls["task_id"], turns["task_id"]])
    codes, ids = pd.factorize(known.astype(TEXT), sort=True)
    return pd.Index(ids, dtype=TEXT, name="task_id"), codes[len(known) - len(turns) :]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a block builds many objects.

    Loading allocates millions of objects that form no cycles; each collection those
    allocations trigger would scan them all again (about a third of the load time on a 20,000
    task run). The collector's previous state is restored afterwards.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def utc_time(value: object, name: str) -> pd.Timestamp:
    """``value`` (ISO text, a date or a datetime; naive means UTC) as a UTC timestamp.

    Raises ValueError naming ``name`` and the value when it is not a time (numbers are not
    taken: ``123`` would silently be 1970).

    >>> utc_time("2026-11-01", "since")
    Timestamp('2026-11-01 00:00:00+0000', tz='UTC')
    """
    try:
        stamp = pd.Timestamp(value) if isinstance(value, (str, date)) else None
    except (ValueError, TypeError, OverflowError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise ValueError(f"{name} {value!r} is not a time: give ISO text such as '2026-11-01'")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def text_list(value: str | Iterable[str] | None, what: str) -> list[str] | None:
    """One name or several as a list (None stays None); ValueError for a name that is not text.

    >>> text_list("R1", "runs"), text_list(("R1", "R2"), "runs"), text_list(None, "runs")
    (['R1'], ['R1', 'R2'], None)
    """
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise ValueError(f"{what} must be text (ids or names), got {bad[0]!r}")
    return names


def is_dask(data: object) -> bool:
    """Whether ``data`` is a Dask collection (told without importing Dask)."""
    return type(data).__module__.partition(".")[0] == "dask"


def dask_aware(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` on Dask when its first argument is a Dask frame (or a ``DaskRun``).

    The one place that dispatches on the input's type: a call whose data is a Dask collection
    goes to the function of the same name in :mod:`analytics.distributed`, which computes the
    same result (imported only then, so ``import analytics`` never imports Dask).
    """

    @functools.wraps(fn)
    def dispatched(*args: P.args, **kwargs: P.kwargs) -> R:
        data = args[0] if args else None
        if is_dask(data) or is_dask(getattr(data, "calls", None)):
            distributed = importlib.import_module("analytics.distributed")
            run_on_dask: Callable[P, R] = getattr(distributed, fn.__name__)
            return run_on_dask(*args, **kwargs)
        return fn(*args, **kwargs)

    return dispatched


SHOWN_NAMES = 20
"""How many known names an unknown-name error lists."""


def check_known(
    asked: Iterable[str] | None, known: Iterable[str], *, what: str, where: str
) -> None:
    """KeyError for the first of ``asked`` not in ``known``, naming it and the known ones.

    >>> check_known(["R9"], ["R2", "R1"], what="run", where="space 'S'")
    Traceback (most recent call last):
    ...
    KeyError: "run 'R9' is not in space 'S'; its runs: R1, R2"
    """
    names = set(known)
    unknown = [n for n in asked or () if n not in names]
    if unknown:
        ids = sorted(names)
        listed = ", ".join(ids[:SHOWN_NAMES]) + (", ..." if len(ids) > SHOWN_NAMES else "")
        raise KeyError(f"{what} {unknown[0]!r} is not in {where}; its {what}s: {listed or 'none'}")
