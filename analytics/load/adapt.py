"""What the adapters of other platforms share: unit conversion and the call-status rule.

An adapter (:mod:`analytics.load.retell`, :mod:`analytics.load.vapi`) turns one platform's
call object into a :class:`~analytics.load.payload.Task` whose ``output`` carries the Unpod
fields and an :class:`~analytics.load.payload.Adapted` part, all in our units. These helpers
convert one value at a time without ever raising: a value that is not a number is passed on
as found, so that the loader's column-wise parsers report it in ``problems``.

Examples
--------
>>> scaled(33318, 0.001), scaled("742", 0.01), scaled("long", 0.001), scaled(None, 0.001)
(33.318, 7.42, 'long', None)
>>> call_status("ended", "dial_no_answer"), call_status("ended", "user_hangup")
('notConnected', 'completed')
"""

from __future__ import annotations

import functools
import math
from typing import Any

from analytics.schema import canonical_end_reason

__all__ = [
    "OUTCOME_KEYS",
    "TASK_STATUS",
    "call_status",
    "first",
    "outcome_label",
    "scaled",
    "task_status",
]


def scaled(value: Any, factor: float) -> Any:
    """``value`` times ``factor`` when it is a number or numeric text; else ``value`` unchanged.

    Booleans, NaN and infinities are passed on unchanged (the loader reports them).

    >>> scaled(1240.0, 0.001), scaled(True, 0.001), scaled(float("nan"), 2) != 0
    (1.24, True, True)
    >>> scaled(10**400, 0.01) == 10**400
    True
    """
    if type(value) is str:
        number = _number(value)
        return value if number is None else _times(number, factor)
    if type(value) is int and value.bit_length() <= _FLOAT_BITS:
        return _times(value, factor)
    if type(value) is float and math.isfinite(value):
        return _times(value, factor)
    return value  # an integer beyond a float too: the loader reports it


_FLOAT_BITS = 1000
"""Integers of up to this many bits convert to a float (the largest float is about 2**1024)."""


def _times(number: float, factor: float) -> float:
    """``number * factor`` rounded to 12 significant digits (``7.42`` cents is 0.0742, not
    0.07420000000000001)."""
    return float(f"{number * factor:.12g}")


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def first(*values: Any) -> Any:
    """The first value that is not None (None when all are).

    >>> first(None, "", "x"), first(None, None)
    ('', None)
    """
    return next((v for v in values if v is not None), None)


_REASON_STATUS = {
    "no_answer": "notConnected",
    "busy": "busy",
    "voicemail": "voicemail",
    "failed": "failed",
}
"""Canonical end reasons that decide the call status whatever the platform's state says."""
_STATE_STATUS = {
    "ended": "completed",
    "not_connected": "notConnected",
    "error": "failed",
    "ongoing": "incall",
    "queued": "callDispatched",
}
"""A platform's call state, in the adapters' shared words, to our ``call_status``."""
TASK_STATUS = {
    "ended": "completed",
    "not_connected": "completed",
    "error": "failed",
    "ongoing": "in_progress",
    "queued": "scheduled",
}
"""The same states to ``tasks.status``: a call that ended, however it ended, is a completed
task; an errored one a failed task."""


def call_status(state: Any, end_reason: Any) -> str | None:
    """Our ``call_status`` from a platform's call state and its raw end reason.

    ``state`` is one of ``ended``, ``not_connected``, ``error``, ``ongoing``, ``queued`` (each
    adapter maps its platform's statuses onto these) or None. An end reason meaning nobody
    answered, a busy line, a voicemail or a failed dial decides (a Retell call that "ended" on
    ``dial_no_answer`` never connected); otherwise the state does; None when neither is known.
    So ``connected`` (an answered status and a user turn) means the same on every platform.

    >>> call_status("ended", "voicemail_reached"), call_status("error", None)
    ('voicemail', 'failed')
    >>> call_status("ended", "pipeline-error-openai-llm-failed"), call_status(None, None)
    ('completed', None)
    """
    reason = _canonical(end_reason) if isinstance(end_reason, str) else None
    if reason in _REASON_STATUS:
        return _REASON_STATUS[reason]
    return _STATE_STATUS.get(state) if isinstance(state, str) else None


_canonical = functools.lru_cache(maxsize=4096)(canonical_end_reason)
""":func:`~analytics.schema.canonical_end_reason` of each distinct spelling once (a run has a
few dozen)."""


def task_status(state: Any) -> str | None:
    """``tasks.status`` from the same state (:data:`TASK_STATUS`); None when unknown.

    >>> task_status("not_connected"), task_status("queued"), task_status("weird")
    ('completed', 'scheduled', None)
    """
    return TASK_STATUS.get(state) if isinstance(state, str) else None


OUTCOME_KEYS = ("outcome", "call_outcome", "status", "disposition")
"""Keys of a platform's own analysis object (Retell ``custom_analysis_data``, Vapi
``structuredData``) that may name the call's outcome, in the order read."""


def outcome_label(data: Any) -> str | None:
    """The first non-blank text among :data:`OUTCOME_KEYS` of ``data``; None when it is not
    an object or has none.

    >>> outcome_label({"status": " ", "disposition": "Interested"}), outcome_label([1])
    ('Interested', None)
    """
    if type(data) is not dict:
        return None
    found = (v for v in map(data.get, OUTCOME_KEYS) if isinstance(v, str) and v.strip())
    return next(found, None)
