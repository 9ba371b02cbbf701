"""How numbers read on the page and on the axes: durations in s, min or h; no scientific notation.

Private to :mod:`analytics.viz`: the report's tables and the plots' axes format through these
functions, so that a duration reads the same in both.

Examples
--------
>>> [format_duration(s) for s in (42, 105.5, 2810, 153000, float("nan"))]
['42 s', '106 s', '46.8 min', '42.5 h', '']
>>> duration_unit([30, 95, 4000])
('min', 60.0)
>>> format_number(1234567.891), format_number(0.000123, digits=2)
('1,234,568', '0.00')
>>> [format_significant(v) for v in (153000.4, 2.8149, 0.0123456, 0.0, float("nan"))]
['153,000', '2.81', '0.0123', '0', '']
>>> [format_p_value(p) for p in (0.0589, 0.00589, 3e-12)]
['0.059', '0.0059', '< 0.0001']
>>> plural(1, "task"), plural(1234, "call"), plural(0, "assignee"), plural(2, "reply", "replies")
('1 task', '1,234 calls', '0 assignees', '2 replies')
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "duration_unit",
    "format_duration",
    "format_number",
    "format_p_value",
    "format_significant",
    "plural",
]

_MINUTE, _HOUR = 60.0, 3600.0
_UNITS = (("s", 1.0, 2 * _MINUTE), ("min", _MINUTE, 2 * _HOUR), ("h", _HOUR, math.inf))
"""Unit, seconds per unit, and the duration below which it is the unit a person reads."""


def duration_unit(seconds: ArrayLike) -> tuple[str, float]:
    """The unit to show these durations in, and its length in seconds.

    Chosen by the 95th percentile of the finite values, so that one runaway call does not turn
    a table of two-minute calls into hours: below 2 minutes seconds, below 2 hours minutes,
    else hours.
    """
    values = np.asarray(seconds, dtype=float)
    finite = values[np.isfinite(values)]
    top = float(np.quantile(finite, 0.95)) if finite.size else 0.0
    return next((unit, size) for unit, size, below in _UNITS if abs(top) < below)


def format_duration(seconds: float) -> str:
    """One duration as text in its own unit (``"42 s"``, ``"46.8 min"``); ``""`` when NA."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    unit, size = duration_unit([seconds])
    digits = 0 if unit == "s" else 1
    return f"{format_number(seconds / size, digits=digits)} {unit}"


def format_number(value: float, *, digits: int = 0) -> str:
    """Fixed-point text with thousands separators, never scientific notation; ``""`` when NA."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:,.{digits}f}"


def format_significant(value: float, *, significant: int = 3, max_decimals: int = 4) -> str:
    """Fixed-point text to ``significant`` digits (never fewer whole digits), ``""`` when NA.

    Large values keep all their whole digits (``153,000``, not ``1.53e+05``); small ones get
    decimals up to ``max_decimals``.
    """
    if value is None or not math.isfinite(value):
        return ""
    magnitude = math.floor(math.log10(abs(value))) if value else significant - 1
    return format_number(value, digits=min(max(significant - 1 - magnitude, 0), max_decimals))


def format_p_value(p: float, *, floor: float = 1e-4) -> str:
    """A p-value to 2 significant digits, ``"< 0.0001"`` below ``floor``; ``""`` when NA."""
    if p is None or not math.isfinite(p):
        return ""
    return (
        f"< {format_number(floor, digits=4)}" if p < floor else format_significant(p, significant=2)
    )


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word`` agreeing in number: ``"1 task"``, ``"2 tasks"``, ``"1,234 calls"``."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
