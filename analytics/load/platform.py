"""The platform columns of ``calls`` and the talk time of ``turns``, column-wise.

An adapter of another platform (:mod:`analytics.load.retell`, :mod:`analytics.load.vapi`)
leaves what it read beyond the Unpod fields in ``output.adapted``, already in seconds and the
currency's main unit; Unpod's own ``output.metadata.usage`` fills the usage columns of its
calls. Here each field becomes its column of :data:`~analytics.schema.CALLS_SCHEMA`, parsed
once for all calls, and a value that cannot be what it claims (a latency of a day, a token
count of -3, text) is NA with a problem row.

Examples
--------
>>> from analytics.load.payload import Adapted, Output
>>> calls = [Output(adapted=Adapted(platform="retell", latency_e2e_p50_s=0.812)), Output()]
>>> columns, problems = platform_columns(["C1", "T2"], calls)
>>> columns["platform"].tolist(), columns["latency_e2e_p50_s"].tolist()
(['retell', 'unpod'], [0.812, <NA>])
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from analytics.load.parse import (
    json_text,
    parse_bounded,
    parse_flags,
    parse_numbers,
    show,
    spell_number,
    text_column,
)
from analytics.load.payload import Adapted, Message, Output
from analytics.load.problems import concat_problems, mask_problems
from analytics.schema import COUNT, MAX_CALL_SECONDS, MEASURE, canonical_end_reasons

__all__ = [
    "COUNT_COLUMNS",
    "LATENCY_COLUMNS",
    "TEXT_COLUMNS",
    "USAGE_KEYS",
    "bounded_column",
    "platform_columns",
    "turn_durations",
    "voicemail_flags",
]

TEXT_COLUMNS = ("platform_status", "channel", "agent_version", "sentiment_label")
LATENCY_COLUMNS = (
    "latency_e2e_p50_s",
    "latency_e2e_p90_s",
    "latency_llm_p50_s",
    "latency_tts_p50_s",
    "latency_asr_p50_s",
)
COUNT_COLUMNS = (
    "user_interruptions",
    "agent_interruptions",
    "llm_prompt_tokens",
    "llm_completion_tokens",
    "tts_characters",
)
USAGE_KEYS = {
    "llm_prompt_tokens": "llm_prompt_tokens",
    "llm_completion_tokens": "llm_completion_tokens",
    "tts_characters": "tts_characters_count",
}
"""The usage columns and their keys in Unpod's ``output.metadata.usage``."""
_NONE = Adapted()
_MAX_COUNT = 2**53
"""The largest count a float holds exactly; a larger token count is a slip."""


def platform_columns(
    ids: Any, outputs: list[Output]
) -> tuple[dict[str, Any], list[pd.DataFrame | None]]:
    """The platform columns of the calls whose outputs are ``outputs`` (all but ``voicemail``'s
    fallback, see :func:`voicemail_flags`), and problem frames.

    ``platform`` is ``unpod`` where no adapter read the call.
    """
    adapted = [o.adapted or _NONE for o in outputs]
    raw = {name: [getattr(a, name) for a in adapted] for name in Adapted.__struct_fields__}
    usage, problems = _unpod_usage(ids, outputs)
    for column in USAGE_KEYS:
        raw[column] = [a if a is not None else u for a, u in zip(raw[column], usage[column])]
    columns = {"platform": pd.Series(raw["platform"], dtype=object).fillna("unpod")}
    for name in TEXT_COLUMNS:
        columns[name], bad = text_column(raw[name], numbers=True)
        problems.append(mask_problems(ids, bad, name, raw[name]))
    for name in LATENCY_COLUMNS:
        columns[name], found = bounded_column(
            ids, raw[name], name, high=MAX_CALL_SECONDS, what="latency", unit=" s"
        )
        problems.append(found)
    for name in COUNT_COLUMNS:
        columns[name], found = _counts(ids, raw[name], name)
        problems.append(found)
    columns["voicemail"], bad = parse_flags(raw["voicemail"])
    problems.append(mask_problems(ids, bad, "voicemail", raw["voicemail"]))
    columns["cost_parts"], parts_problems = _cost_parts(ids, raw["cost_parts"])
    return {k: _values(v) for k, v in columns.items()}, [*problems, parts_problems]


def _values(column: Any) -> Any:
    return column.array if isinstance(column, pd.Series) else column


def _unpod_usage(
    ids: Any, outputs: list[Output]
) -> tuple[dict[str, list[Any]], list[pd.DataFrame | None]]:
    """The usage values of each call's ``metadata.usage`` (None where absent), and a problem
    for each ``metadata`` or ``usage`` that is present but not an object."""
    meta = [o.metadata for o in outputs]
    usage = [m.get("usage") if type(m) is dict else None for m in meta]
    bad_meta = np.array([m is not None and type(m) is not dict for m in meta], dtype=bool)
    bad_usage = np.array([u is not None and type(u) is not dict for u in usage], dtype=bool)
    objects = [u if type(u) is dict else {} for u in usage]
    values = {column: [o.get(key) for o in objects] for column, key in USAGE_KEYS.items()}
    problems = [
        mask_problems(ids, bad_meta, "metadata", meta, _not_object("metadata")),
        mask_problems(ids, bad_usage, "metadata.usage", usage, _not_object("metadata.usage")),
    ]
    return values, problems


def _not_object(field: str) -> Any:
    def say(value: Any) -> str:
        kind = type(value).__name__
        return f"{field} is a {kind} ({show(value)}), not an object; the usage columns left NA"

    return say


def bounded_column(
    ids: Any,
    raw: list[Any],
    field: str,
    *,
    high: float,
    what: str,
    unit: str = "",
    used: np.ndarray | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """A column of amounts in ``0..high`` (``unit`` after the bound, ``what`` they measure):
    NA with a problem where unreadable or impossible (only where ``used``, when given).

    >>> column, problems = bounded_column(["C1", "C2"], [0.8, -1], "latency", high=60, what="delay")
    >>> column.tolist(), problems["problem"].tolist()
    ([0.8, <NA>], ['latency -1 is not a possible delay (0..60); left NA'])
    """
    parsed, unreadable, impossible = parse_bounded(raw, high=high)
    if used is not None:
        unreadable, impossible = unreadable & used, impossible & used

    def say(value: Any) -> str:
        shown = spell_number(value)
        return f"{field} {shown} is not a possible {what} (0..{high:,}{unit}); left NA"

    problems = [
        mask_problems(ids, unreadable, field, raw),
        mask_problems(ids, impossible, field, raw, say),
    ]
    return parsed, concat_problems(problems)


def _counts(ids: Any, raw: list[Any], field: str) -> tuple[pd.Series, pd.DataFrame]:
    """A column of counts (whole numbers from 0): NA with a problem where not one."""
    parsed, problems = bounded_column(ids, raw, field, high=_MAX_COUNT, what="count")
    number = parsed.to_numpy(dtype="float64", na_value=np.nan)
    fraction = ~np.isnan(number) & (number != np.floor(number))
    say = f"{field} is not a whole number; left NA"
    found = concat_problems([problems, mask_problems(ids, fraction, field, raw, say)])
    counts = pd.Series(np.where(fraction, np.nan, number), dtype=MEASURE).astype(COUNT)
    return counts, found


def _cost_parts(ids: Any, raw: list[Any]) -> tuple[pd.Series, pd.DataFrame | None]:
    """``cost_parts`` objects as compact JSON text; a problem for one that is not an object."""
    text = [json_text(v) if type(v) is dict and v else None for v in raw]
    bad = np.array([v is not None and t is None for v, t in zip(raw, text)], dtype=bool)
    bad &= np.array([v != {} for v in raw], dtype=bool)
    say = "cost_parts is not an object of amounts; left NA"
    return pd.Series(text, dtype="str"), mask_problems(ids, bad, "cost_parts", raw, say)


def voicemail_flags(flags: pd.Series, end_reason: pd.Series, call_status: pd.Series) -> pd.Series:
    """The platform's voicemail flag, else whether the call's end says voicemail.

    Where ``flags`` is NA: true when the end reason means voicemail (its canonical reason, see
    :func:`analytics.schema.canonical_end_reason`) or the status is ``voicemail``; false for
    any other known end reason; NA when neither is known.

    >>> flags = pd.Series([pd.NA, pd.NA, pd.NA, False], dtype="boolean")
    >>> reasons = pd.Series(["voicemail_reached", "user_hangup", None, "voicemail"])
    >>> voicemail_flags(flags, reasons, pd.Series([None, None, None, None])).tolist()
    [True, False, <NA>, False]
    """
    reason = canonical_end_reasons(end_reason).reset_index(drop=True)
    status = pd.Series(call_status, dtype="str").reset_index(drop=True)
    said = (reason == "voicemail") | (status == "voicemail")
    known = said | reason.notna()
    derived = pd.Series(said.to_numpy(dtype=bool), dtype="boolean").where(known.to_numpy(bool))
    return flags.reset_index(drop=True).fillna(derived).astype("boolean")


def turn_durations(flat: list[Message], ids: Any) -> tuple[pd.Series, pd.DataFrame | None]:
    """Each message's talk time in seconds: ``(endTime - time) / 1000``, else
    ``duration / 1000`` (both in milliseconds); NA when neither, and NA with a problem when
    the result is not in ``0..MAX_CALL_SECONDS`` (an end before the start).

    >>> turns = [Message(time=1767268058690, endTime=1767268060410), Message(duration=880),
    ...          Message(time=5, endTime=1)]
    >>> seconds, problems = turn_durations(turns, ["C1"] * 3)
    >>> seconds.tolist(), problems["field"].tolist()
    ([1.72, 0.88, <NA>], ['transcript.endTime'])
    """
    ends, spoken_ms = list(map(_END_TIME, flat)), list(map(_DURATION, flat))
    if ends.count(None) == len(flat) and spoken_ms.count(None) == len(flat):
        return pd.Series(np.full(len(flat), np.nan), dtype=MEASURE), None
    end = _number_array(ends)
    start = _number_array(list(map(_TIME, flat)))
    spoken = _number_array(spoken_ms)
    seconds = np.where(np.isnan(end) | np.isnan(start), spoken, end - start) / 1000
    impossible = (seconds < 0) | (seconds > MAX_CALL_SECONDS)
    field = np.where(np.isnan(end) | np.isnan(start), "transcript.duration", "transcript.endTime")
    problems = _duration_problems(ids, impossible, field, seconds)
    kept = np.where(impossible, np.nan, np.round(seconds, 6))
    return pd.Series(kept, dtype=MEASURE), problems


_END_TIME, _TIME, _DURATION = attrgetter("endTime"), attrgetter("time"), attrgetter("duration")


def _number_array(values: list[Any]) -> np.ndarray:
    parsed: np.ndarray = parse_numbers(values)[0].to_numpy(dtype="float64", na_value=np.nan)
    return parsed


def _duration_problems(
    ids: Any, impossible: np.ndarray, field: np.ndarray, seconds: np.ndarray
) -> pd.DataFrame | None:
    frames = []
    for name in ("transcript.endTime", "transcript.duration"):  # a loop over the 2 sources

        def say(value: Any, name: str = name) -> str:
            return (
                f"{name} gives a talk time of {spell_number(value)} s, not a possible one "
                f"(0..{MAX_CALL_SECONDS:,} s); duration_s left NA"
            )

        mask = impossible & (field == name)
        frames.append(mask_problems(ids, mask, name, seconds, say))
    return concat_problems(frames)
