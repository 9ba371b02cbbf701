"""Lenient parsers for the values Unpod payloads carry in many shapes.

Column parsers (:func:`parse_timestamps`, :func:`parse_numbers`, :func:`parse_bounded`,
:func:`text_column`, :func:`speakers`, :func:`word_counts`) take a whole column at once and
return the parsed column plus, where a value can be unreadable, a boolean mask of the values
that were present but could not be read: the loader turns that mask into ``problems`` rows.
No parser raises or lets a numpy warning out on any value: an integer too large for a float,
``1e308``, NaN or infinity, a text with a lone surrogate (:func:`valid_text`), a list nested
any depth is a value like any other, read or flagged. Each tries one C-level pass (Arrow, or
pandas' ISO 8601 parser) first and reads value by value only what that pass could not. Scalar
helpers (:func:`transcript_messages`, :func:`json_object`) run once per call, never once per
turn; :func:`show` quotes a raw value in a problem message, short and readable.

Examples
--------
>>> ts, bad = parse_timestamps(["2026-01-31 11:47:38.5", "2026-01-31T11:47:40Z", "None",
...                             1769860060000, "soon"])
>>> [str(t) for t in ts]
['2026-01-31 11:47:38.500000+00:00', '2026-01-31 11:47:40+00:00', 'NaT', \
'2026-01-31 11:47:40+00:00', 'NaT']
>>> bad.tolist()
[False, False, False, False, True]
>>> transcript_messages("AI: Hello?\\nUser: Yes.")
([{'role': 'assistant', 'content': 'Hello?', 'timestamp': None}, \
{'role': 'user', 'content': 'Yes.', 'timestamp': None}], None)
"""

from __future__ import annotations

import json
import math
import numbers
import re
import reprlib
import sys
from collections.abc import Sequence
from typing import Any, cast
from zoneinfo import ZoneInfo

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.schema import (
    COUNT,
    FLAG,
    MEASURE,
    NULL_LITERALS,
    ROLE_TO_SPEAKER,
    TEXT,
    TIMESTAMP,
)

_EPOCH_TEXT = re.compile(r"^-?\d{9,13}(?:\.\d+)?$")
_EPOCH_MS_FROM = 1e11  # below: seconds since 1970; at or above: milliseconds
_EPOCH_MS_LIMIT = 9.2e12  # datetime64[ns] ends in 2262
EARLIEST, LATEST = np.datetime64("1990-01-01", "ns"), np.datetime64("2100-01-01", "ns")
"""Times outside [EARLIEST, LATEST) are unreadable: a unit or format slip, not a call time
(and keeping them would overflow the arithmetic on durations and offsets)."""
_LINE_ROLE = re.compile(
    r"^\s*(AI|Assistant|Agent|Bot|User|Customer|Caller|Human)\s*:\s?(.*)$", re.IGNORECASE
)
_LINE_ROLES = {"ai": "assistant", "assistant": "assistant", "agent": "agent", "bot": "bot"}


def _as_series(values: Sequence[Any] | pd.Series) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.astype(object).reset_index(drop=True)
    return pd.Series(_object_array(values), dtype=object)


def _object_array(values: Sequence[Any] | pd.Series | np.ndarray) -> np.ndarray:
    """A 1-d object array of ``values`` (lists of lists stay one item per value)."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _arrow(
    values: Any, kind: pa.DataType | None = None, *, from_pandas: bool = True
) -> pa.Array | None:
    """``values`` as an Arrow array (of ``kind``, else of the inferred type), or None when
    the values do not fit one type (or an integer does not fit 64 bits, or a text is not
    valid Unicode). One C-level pass: the fast path of the parsers here. ``from_pandas``
    reads NaN as null. Types are inferred only over scalars: Arrow's inference recurses into
    nested lists, and a deep enough one overflows the C stack."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    if kind is None and not all(issubclass(k, _SCALARS) for k in set(map(type, values))):
        return None
    try:
        return pa.array(values, type=kind, from_pandas=from_pandas)
    except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError, UnicodeEncodeError):
        return None


_SCALARS = (str, int, float, type(None), np.generic)


def valid_text(text: str) -> str:
    """``text`` with each lone surrogate (not valid Unicode: it cannot be written as UTF-8)
    replaced by U+FFFD; a surrogate pair becomes the character it encodes.

    >>> valid_text("a\\ud800b") == "a\\ufffdb", valid_text("ok")
    (True, 'ok')
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def is_valid_text(value: Any) -> bool:
    """True unless ``value`` is a text holding a lone surrogate (see :func:`valid_text`)."""
    return not isinstance(value, str) or valid_text(value) is value


def _texts(values: pd.Series) -> pd.Series:
    """An object column of text and nulls as pandas ``str``, lone surrogates replaced."""
    try:
        return values.astype(TEXT)
    except UnicodeEncodeError:
        return values.map(lambda v: valid_text(v) if isinstance(v, str) else v).astype(TEXT)


def _arrow_text(values: Any) -> pa.Array | None:
    """``values`` as an Arrow string array, or None when some value is not text or null."""
    return _arrow(values, pa.string())


def null_mask(values: pd.Series, *, nan_is_missing: bool = True) -> pd.Series:
    """True where a value means "no value": None, NaN (unless ``nan_is_missing=False``), or a
    literal such as ``"None"``.

    >>> null_mask(pd.Series(["NULL", " ", "x", None, 0, float("nan")], dtype=object)).tolist()
    [True, True, False, True, False, True]
    """
    is_str = values.map(type).isin([str])
    literal = _texts(values.where(is_str)).str.strip().str.lower().isin(NULL_LITERALS)
    absent = values.isna() if nan_is_missing else _is_none(values)
    return absent | literal.fillna(False).astype(bool)


def _is_none(values: pd.Series | np.ndarray) -> Any:
    """True where a value is None (elementwise, like ``isna`` but NaN is a value)."""
    if isinstance(values, pd.Series):
        return pd.Series(np.equal(values.to_numpy(dtype=object), _NONE), index=values.index)
    return np.equal(values, _NONE)


_NONE = np.array(None, dtype=object)


_NULL_SET = pa.array(sorted(NULL_LITERALS))


def _literal_nulls(text: pa.Array) -> np.ndarray:
    """True where a text value is a null literal (``"None"``, ``"NULL"``, ``""``...)."""
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    found = pc.fill_null(pc.is_in(folded, value_set=_NULL_SET), False)
    mask: np.ndarray = found.to_numpy(zero_copy_only=False)
    return mask


def text_column(
    values: Sequence[Any] | pd.Series, *, nulls: bool = True, numbers: bool = False
) -> tuple[pd.Series, pd.Series]:
    """A column of text values as pandas ``str``; values that are not text are NA and flagged.

    With ``nulls=True`` the platform's null literals (``"None"``, ``"NULL"``, ``""``) are NA
    too (not flagged). With ``numbers=True`` finite numbers become their text (ids such as
    ``space_id`` arrive as ``346`` or ``"346"``); NaN and infinity are flagged. A text with a
    lone surrogate is kept with U+FFFD in its place, and flagged too (:func:`valid_text`): a
    flagged value is NA unless it is text.

    >>> text, bad = text_column(["a", None, "None", 5])
    >>> text.tolist(), bad.tolist()
    (['a', nan, nan, nan], [False, False, False, True])
    >>> text_column(["346", 346, 3.5, True, float("nan")], numbers=True)[0].tolist()
    ['346', '346', '3.5', nan, nan]
    >>> text, bad = text_column(["x\\udc00"])
    >>> text.tolist() == ["x\\ufffd"], bad.tolist()
    (True, [True])
    """
    is_series = isinstance(values, pd.Series)  # its NaN is pandas' missing marker
    arrow = _arrow(values, pa.string(), from_pandas=is_series)
    bad = np.zeros(len(values), dtype=bool)
    if arrow is None:
        raw, bad = _only_text(_object_array(values), numbers=numbers)
        bad &= ~(is_series & pd.isna(raw))
        arrow = _arrow_text(raw)
    if nulls:
        arrow = pc.if_else(_literal_nulls(arrow), pa.scalar(None, pa.string()), arrow)
    return pd.Series(pd.arrays.ArrowStringArray(arrow), dtype=TEXT), pd.Series(bad)


def _only_text(raw: np.ndarray, *, numbers: bool) -> tuple[np.ndarray, np.ndarray]:
    """The slow path of :func:`text_column`: keep text (lone surrogates replaced, flagged),
    spell finite numbers, flag the rest."""
    spelled = [_spelled(v) if numbers else v for v in raw]
    ok = np.array([v is None or type(v) is str for v in spelled], dtype=bool)
    kept = _object_array([valid_text(v) if type(v) is str else v for v in spelled])
    repaired = np.array([a is not b for a, b in zip(kept, spelled)], dtype=bool)
    kept[~ok] = None
    return kept, ~ok | repaired


def _spelled(value: Any) -> Any:
    """A finite int or float as its text (an int too long for ``str`` stays itself)."""
    kind = type(value)
    if kind is float and math.isfinite(value):
        return str(value)
    if kind is int:
        try:
            return str(value)
        except ValueError:  # beyond sys.get_int_max_str_digits()
            return value
    return value


def parse_timestamps(
    values: Sequence[Any] | pd.Series | np.ndarray, *, nan_is_missing: bool = True
) -> tuple[pd.Series, pd.Series]:
    """Parse a column of mixed timestamps to ``datetime64[ns, UTC]``.

    Accepts ``"2026-01-31 11:47:38.067021"``, ISO 8601 with ``T``, ``Z`` or an offset,
    dates, epoch seconds or milliseconds (numbers or digit strings); naive values are UTC.
    ``None``/``""``/``"None"``/``"NULL"`` are missing (NaT), not errors, and so is NaN
    (pandas' missing marker) unless ``nan_is_missing=False`` (a payload's ``NaN`` token is
    then unreadable). A time before 1990 or from 2100 on is unreadable (see
    :data:`EARLIEST`).

    One ISO 8601 pass parses the whole column when it holds only text; the lenient reader
    then looks only at what that pass left NaT.

    Returns
    -------
    (parsed, bad) : tuple of Series
        ``bad`` is True where a value was present but could not be read (it is NaT in
        ``parsed``).
    """
    raw = _object_array(values)
    epochs = _only_epochs(raw, nan_is_missing=nan_is_missing)
    if epochs is not None:
        stamps, bad = epochs
    else:
        stamps, bad = _text_or_lenient(values, raw, nan_is_missing=nan_is_missing)
    implausible = ~np.isnat(stamps) & ((stamps < EARLIEST) | (stamps >= LATEST))
    stamps[implausible], bad[implausible] = np.datetime64("NaT"), True
    return pd.Series(stamps).dt.tz_localize("UTC").astype(TIMESTAMP), pd.Series(bad)


def _text_or_lenient(
    values: Any, raw: np.ndarray, *, nan_is_missing: bool
) -> tuple[np.ndarray, np.ndarray]:
    """One ISO pass when the column is all text, then the lenient reader for the rest."""
    stamps = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(raw), dtype=bool)
    missing = pd.isna(raw) if nan_is_missing else _is_none(raw)
    text = _arrow_text(values)
    if text is not None:
        stamps = _iso(raw)
        missing |= _literal_nulls(text)
    todo = np.isnat(stamps) & ~missing
    if todo.any():
        todo_raw = pd.Series(raw[todo], dtype=object)
        stamps[todo], bad[todo] = _lenient_timestamps(todo_raw, nan_is_missing=nan_is_missing)
    return stamps, bad


def _only_epochs(raw: np.ndarray, *, nan_is_missing: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """The fast path of a column of only numbers (and None): epoch seconds or milliseconds,
    as message times come; None when it holds anything else (or an integer beyond a float)."""
    numbers = _only_numbers(raw) if len(raw) else None
    if numbers is None:
        return None
    ms = numbers.to_numpy(zero_copy_only=False)  # None -> NaN
    missing = numbers.is_null().to_numpy(zero_copy_only=False)
    if nan_is_missing:
        missing |= np.isnan(ms)
    stamps = _epoch_ms(ms.copy())
    return stamps, ~missing & np.isnat(stamps)


def _only_numbers(raw: np.ndarray) -> pa.Array | None:
    """``raw`` as Arrow float64 (None as null, NaN kept) when it holds only ints, floats and
    None; None otherwise (a bool, text, an integer beyond a float)."""
    if not set(map(type, raw)) <= _NUMBER_TYPES:
        return None
    try:
        return pa.array(raw, type=pa.float64(), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None


_NUMBER_TYPES = frozenset({int, float, type(None)})


def _iso(text: np.ndarray | pd.Series) -> np.ndarray:
    """One ISO 8601 pass; unreadable values are NaT. Naive UTC ``datetime64[ns]``."""
    parsed = pd.DatetimeIndex(pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce"))
    parsed = parsed.tz_convert(None)
    plausible = parsed.where((parsed >= EARLIEST) & (parsed < LATEST))  # before leaving us
    # cast: DatetimeIndex.where returns a DatetimeIndex; pandas-stubs only says Index
    return cast(pd.DatetimeIndex, plausible).as_unit("ns").to_numpy().copy()


def _lenient_timestamps(raw: pd.Series, *, nan_is_missing: bool) -> tuple[np.ndarray, np.ndarray]:
    """The slow reader for what the ISO pass could not read: nulls, epochs, garbage."""
    missing = null_mask(raw, nan_is_missing=nan_is_missing).to_numpy(dtype=bool)
    kinds = raw.map(type)
    is_text = kinds.isin([str]).to_numpy() & ~missing
    text = _texts(raw.where(is_text)).str.strip()
    epoch_text = text.str.fullmatch(_EPOCH_TEXT.pattern).fillna(False).to_numpy(dtype=bool)
    numeric = (kinds.isin([int, float]).to_numpy() & ~missing) | epoch_text
    stamps = _iso(text.where(~epoch_text).astype(object))
    if numeric.any():
        stamps[numeric] = _from_epoch(raw[numeric])
    return stamps, ~missing & np.isnat(stamps)


def _from_epoch(values: pd.Series) -> np.ndarray:
    """Epoch seconds or milliseconds (chosen per value by magnitude) to naive UTC times."""
    return _epoch_ms(_numbers(values)[0])  # ints beyond a float are +-inf, no OverflowError


def _epoch_ms(ms: np.ndarray) -> np.ndarray:
    """Epoch numbers (float64, changed in place) to naive UTC times: seconds below
    ``_EPOCH_MS_FROM``, milliseconds from it; NaN, infinite and out of range are NaT."""
    seconds = np.abs(ms) < _EPOCH_MS_FROM  # False for NaN and inf: no warning
    ms[seconds] *= 1000.0
    ms[~(np.abs(ms) < _EPOCH_MS_LIMIT)] = np.nan  # beyond datetime64[ns]: unreadable
    return pd.to_datetime(ms, unit="ms", errors="coerce").as_unit("ns").to_numpy().copy()


_ZONED = re.compile(r"^(.*[\dZz])\s+((?:[A-Za-z][A-Za-z0-9_+\-]*/)+[A-Za-z0-9_+\-]+|UTC|GMT)$")
"""A time followed by an IANA zone name (``2026-11-03 11:00 Asia/Kolkata``) or UTC/GMT."""
_OFFSET_END = r"(?:Z|[+-]\d\d(?::?\d\d)?)$"


def time_values(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values of a column that may each hold a time, ready for
    :func:`parse_zoned_timestamps`.

    Text is stripped (a null literal such as ``"N/A"`` is absent); a number stays a number
    (epoch seconds or milliseconds); a legacy ``{"$date": ms}`` object (also with
    ``{"$numberLong": "..."}`` or ISO text inside) gives its inner value. Any other value (a
    bool, a list, another object, NaN or infinity) is no time: absent, and flagged. One Arrow
    pass reads the text; only the values that are not text are read one by one.

    Returns
    -------
    (keys, text, wrong) : tuple of arrays
        ``keys``, the values to parse (None where absent); ``text``, the values as written (a
        number or an object as compact JSON; None where absent); ``wrong``, True where a
        present value is no time.

    Examples
    --------
    >>> keys, text, wrong = time_values([" 2026-01-31 16:00", "N/A", {"$date": 1769875200000}, [1]])
    >>> keys.tolist(), wrong.tolist()
    (['2026-01-31 16:00', None, 1769875200000, None], [False, False, False, True])
    >>> text.tolist()
    ['2026-01-31 16:00', None, '{"$date":1769875200000}', None]
    """
    if isinstance(values, list) and values.count(None) == len(values):  # a key never used
        return _text_time_values(pa.nulls(len(values), pa.string()))
    arrow = _arrow(values, pa.string(), from_pandas=False)
    if arrow is not None:
        return _text_time_values(arrow)
    raw = _object_array(values)
    other = np.array([v is not None and type(v) is not str for v in raw], dtype=bool)
    texts = raw.copy()
    texts[other] = None
    arrow = _arrow(texts, pa.string(), from_pandas=False)
    if arrow is None:  # a text that is not valid Unicode: every text value by value too
        other = ~np.equal(raw, _NONE)
        arrow = pa.nulls(len(raw), pa.string())
    keys, text, wrong = _text_time_values(arrow)
    read = [_time_value(v) for v in raw[other]]  # only the values that are not text
    keys[other] = [key for key, _, _ in read]
    text[other] = [written for _, written, _ in read]
    wrong[other] = [bad for _, _, bad in read]
    return keys, text, wrong


def _text_time_values(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`time_values` of an Arrow string column: stripped, null literals absent."""
    trimmed = pc.utf8_trim_whitespace(text)
    trimmed = pc.if_else(_literal_nulls(trimmed), pa.scalar(None, pa.string()), trimmed)
    keys = np.asarray(trimmed.to_numpy(zero_copy_only=False), dtype=object)
    return keys, keys.copy(), np.zeros(len(keys), dtype=bool)


def _time_value(value: Any) -> tuple[Any, str | None, bool]:
    """``(key, text, wrong)`` of one value (see :func:`time_values`)."""
    if value is None or type(value) is str:
        text = None if value is None else valid_text(value.strip())
        if text is None or text.lower() in NULL_LITERALS:
            return None, None, False
        return text, text, False
    inner = _date_inner(value) if type(value) is dict else value
    if type(inner) is str and inner.strip():
        return inner.strip(), _compact_json(value), False
    if type(inner) is int or (type(inner) is float and math.isfinite(inner)):
        return inner, _compact_json(value), False
    return None, None, True


def _date_inner(value: dict[Any, Any]) -> Any:
    """The time inside ``{"$date": ...}`` (``{"$numberLong": "..."}`` read as its digits);
    None for any other object."""
    inner = value.get("$date") if len(value) == 1 else None
    if type(inner) is dict and len(inner) == 1:
        inner = inner.get("$numberLong")
    return inner


def _compact_json(value: Any) -> str:
    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, ValueError, UnicodeEncodeError, msgspec.EncodeError):
        return show(value)


def parse_zoned_timestamps(values: Sequence[Any] | np.ndarray) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_timestamps` of text, numbers and None, where a text may also end in its
    time zone's IANA name; each distinct value is parsed once.

    ``"2026-11-03 11:00 Asia/Kolkata"`` is 11:00 in Kolkata (05:30 UTC): a zone name is read
    with :mod:`zoneinfo`, and a time that does not exist there or is ambiguous (a daylight
    saving change) is unreadable. An offset or ``Z`` wins over a name after it. Naive times
    are UTC, as everywhere in the tables.

    Returns
    -------
    (parsed, bad) : tuple of Series
        ``bad`` is True where a value was present but is not a time.

    Examples
    --------
    >>> ts, bad = parse_zoned_timestamps(["2026-11-03 11:00 Asia/Kolkata", "2026-01-31T16:00+05:30",
    ...     "2026-01-31 16:00", "11 AM", None, "2026-11-03 11:00 Mars/Base"])
    >>> [str(t) for t in ts]
    ['2026-11-03 05:30:00+00:00', '2026-01-31 10:30:00+00:00', '2026-01-31 16:00:00+00:00', \
'NaT', 'NaT', 'NaT']
    >>> bad.tolist()
    [False, False, False, True, False, True]
    """
    raw = values if isinstance(values, np.ndarray) else _object_array(values)
    try:
        codes, uniques = pd.factorize(raw)
    except TypeError:  # an unhashable value: read every value, unflagged by a shortcut
        return parse_timestamps(raw)
    stamps, bad = _zoned_or_plain(np.asarray(uniques, dtype=object))
    found = codes >= 0
    out, flagged = _nat(len(raw)), np.zeros(len(raw), dtype=bool)
    out[found], flagged[found] = stamps[codes[found]], bad[codes[found]]
    return pd.Series(out).dt.tz_localize("UTC").astype(TIMESTAMP), pd.Series(flagged)


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")


def _zoned_or_plain(unique: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Naive UTC ``datetime64[ns]`` of distinct values and their unreadable flags."""
    is_text = [type(u) is str for u in unique]  # distinct values only
    text = pd.Series([valid_text(u) if t else None for u, t in zip(unique, is_text)], dtype=TEXT)
    parts = text.str.extract(_ZONED)
    named = parts[1].notna().to_numpy(dtype=bool)
    offset = parts[0].str.contains(_OFFSET_END).fillna(False).to_numpy(dtype=bool)
    plain = unique.copy()
    plain[named & offset] = parts[0][named & offset].to_numpy(dtype=object)  # the offset wins
    zoned = named & ~offset
    plain[zoned] = None
    stamps, bad = parse_timestamps(plain)
    out, flags = _naive_utc(stamps), bad.to_numpy(dtype=bool).copy()
    for zone in parts[1][zoned].unique():  # a handful of zone names
        rows = zoned & (parts[1] == zone).to_numpy(dtype=bool)
        out[rows] = _in_zone(parts[0][rows], zone)
        flags[rows] = np.isnat(out[rows])
    return out, flags


def _in_zone(local: pd.Series, zone: str) -> np.ndarray:
    """Naive local times read in the IANA ``zone``, as naive UTC; NaT where unreadable."""
    try:
        where = ZoneInfo(zone)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return _nat(len(local))
    naive = pd.DatetimeIndex(pd.to_datetime(local, format="ISO8601", errors="coerce"))
    utc = naive.tz_localize(where, ambiguous="NaT", nonexistent="NaT").tz_convert(None)
    inside = utc.where((utc >= EARLIEST) & (utc < LATEST))
    return cast(pd.DatetimeIndex, inside).as_unit("ns").to_numpy().copy()


def _naive_utc(stamps: pd.Series) -> np.ndarray:
    naive: np.ndarray = stamps.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").copy()
    return naive


def parse_flags(values: Sequence[Any]) -> tuple[pd.Series, pd.Series]:
    """A column of JSON booleans as nullable ``boolean``: any other present value (text, a
    number, NaN, a list) is NA and flagged.

    >>> flags, bad = parse_flags([True, None, False, "follow_up disabled", 1])
    >>> flags.tolist(), bad.tolist()
    ([True, <NA>, False, <NA>, <NA>], [False, False, False, True, True])
    """
    arrow = _arrow(values, pa.bool_(), from_pandas=False)
    if arrow is not None:
        data = pc.fill_null(arrow, False).to_numpy(zero_copy_only=False)
        missing = pc.invert(arrow.is_valid()).to_numpy(zero_copy_only=False)
        flags = pd.Series(pd.arrays.BooleanArray(data, missing), dtype=FLAG)
        return flags, pd.Series(np.zeros(len(values), dtype=bool))
    raw = _object_array(values)
    is_flag = np.array([type(v) is bool for v in raw], dtype=bool)
    data = np.zeros(len(raw), dtype=bool)
    data[is_flag] = raw[is_flag].astype(bool)
    flags = pd.Series(pd.arrays.BooleanArray(data, ~is_flag), dtype=FLAG)
    return flags, pd.Series(~is_flag & ~np.equal(raw, _NONE))


def parse_numbers(values: Sequence[Any] | pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of numbers that may be ints, floats or numeric strings to ``Float64``.

    A value that is present but not a finite number (text, a bool, NaN, infinity, an integer
    too large for a float) is NA and flagged. In a pandas Series NaN is pandas' missing
    marker, so it is missing there, not flagged.

    >>> num, bad = parse_numbers([33, 147.2, "0", "12.5", None, "NULL", "long", True, 10**400])
    >>> num.tolist()
    [33.0, 147.2, 0.0, 12.5, <NA>, <NA>, <NA>, <NA>, <NA>]
    >>> bad.tolist()
    [False, False, False, False, False, False, True, True, True]
    """
    number, numeric, missing = _numbers(values)
    finite = numeric & np.isfinite(number)
    return _measure(number, finite), pd.Series(~missing & ~finite)


def parse_bounded(
    values: Sequence[Any] | pd.Series, *, high: float
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of amounts that must lie in ``0..high`` (durations, costs) to ``Float64``.

    Returns
    -------
    (parsed, unreadable, impossible) : tuple of Series
        ``parsed`` is NA wherever the value is not a number in ``0..high``. ``unreadable`` is
        True where a present value is no number at all (text, a bool, a list); ``impossible``
        where it is a number (or numeric text) that cannot be such an amount: negative, NaN,
        infinite, above ``high``, or an integer too large for a float.

    Examples
    --------
    >>> parsed, unreadable, impossible = parse_bounded([33, "-5", 1e308, "long", None], high=60)
    >>> parsed.tolist(), unreadable.tolist(), impossible.tolist()
    ([33.0, <NA>, <NA>, <NA>, <NA>], [False, False, False, True, False], \
[False, True, True, False, False])
    """
    number, numeric, missing = _numbers(values)
    within = numeric & (number >= 0) & (number <= high)  # NaN compares False, silently
    return _measure(number, within), pd.Series(~missing & ~numeric), pd.Series(numeric & ~within)


def _measure(number: np.ndarray, keep: np.ndarray) -> pd.Series:
    return pd.Series(np.where(keep, number, np.nan), dtype=MEASURE)


def _numbers(values: Sequence[Any] | pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(number, numeric, missing)`` of a column: each value as float64 (NaN where it is no
    number; +-inf beyond a float's range), True where it is a number or numeric text (even NaN
    or infinite), and True where it is missing (null, a null literal; NaN in a pandas Series).
    """
    is_series = isinstance(values, pd.Series)
    fast = _arrow(values, from_pandas=is_series)
    if fast is not None and pa.types.is_string(fast.type):
        return _text_numbers(fast)
    if fast is not None and (
        pa.types.is_integer(fast.type)
        or pa.types.is_floating(fast.type)
        or pa.types.is_null(fast.type)
    ):
        number = np.array(fast.to_numpy(zero_copy_only=False), dtype="float64")  # writable
        valid = fast.is_valid().to_numpy(zero_copy_only=False)
        return number, valid, ~valid
    return _mixed_numbers(_as_series(values), nan_is_missing=is_series)


def _text_numbers(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_numbers` of an Arrow string column: one vectorised conversion."""
    literal = _literal_nulls(text)
    missing = ~text.is_valid().to_numpy(zero_copy_only=False) | literal
    text = pc.if_else(literal, pa.scalar(None, pa.string()), text)
    parsed = pd.to_numeric(pd.Series(pd.arrays.ArrowStringArray(text)), errors="coerce")
    number = parsed.to_numpy(dtype="float64", na_value=np.nan)
    return number, ~missing & parsed.notna().to_numpy(dtype=bool), missing


def _mixed_numbers(
    raw: pd.Series, *, nan_is_missing: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_numbers` of a column mixing kinds: text at once, other values one by one."""
    is_text = raw.map(type).isin([str]).to_numpy()
    number, numeric = np.full(len(raw), np.nan), np.zeros(len(raw), dtype=bool)
    if is_text.any():
        text = pa.array(list(map(valid_text, raw[is_text])), pa.string())
        number[is_text], numeric[is_text] = _text_numbers(text)[:2]
    number[~is_text], numeric[~is_text] = _plain_numbers(raw[~is_text].to_numpy(dtype=object))
    missing = null_mask(raw).to_numpy(dtype=bool)
    if nan_is_missing:
        return number, numeric & ~missing, missing
    return number, numeric, missing & ~numeric


def _plain_numbers(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values that are not text as float64 and where each is a number: at once when they are
    all numbers or None (NaN a number, as :func:`_float` has it), else one by one."""
    numbers = _only_numbers(raw)
    if numbers is not None:
        return numbers.to_numpy(zero_copy_only=False), numbers.is_valid().to_numpy(False)
    floats = [_float(v) for v in raw]
    number = np.array([np.nan if f is None else f for f in floats], dtype="float64")
    return number, np.array([f is not None for f in floats], dtype=bool)


def _float(value: Any) -> float | None:
    """One value that is not text as a float (+-inf beyond a float's range); None when it is
    no number (None, a bool, a container)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if cast(int, value) > 0 else -math.inf  # only an int overflows


def spell_number(value: Any) -> str:
    """A raw number as a person reads it, for messages: at most 12 significant digits with
    thousands separators, an exponent for huge ones (``1e+308``, ``1e+400`` for an int beyond a
    float), never a numpy repr; numeric text as written. (The separators also keep a long
    number from reading as a phone number to the report's redaction.)

    >>> spell_number(1e308), spell_number(-5), spell_number(86401.5), spell_number(10**400)
    ('1e+308', '-5', '86,401.5', '1e+400')
    >>> spell_number(float("nan")), spell_number(float("-inf")), spell_number(" 1e400 ")
    ('NaN', '-Infinity', '1e400')
    """
    if isinstance(value, str):
        return valid_text(value.strip()[:40])
    if isinstance(value, numbers.Integral) and abs(int(value)) > sys.float_info.max:
        exponent = int(math.log10(abs(int(value))))
        return f"{int(value) / 10**exponent:.12g}e+{exponent}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return show(value)
    if math.isfinite(number):
        return f"{number:,.12g}"
    return "NaN" if math.isnan(number) else "Infinity" if number > 0 else "-Infinity"


class _Short(reprlib.Repr):
    """:mod:`reprlib` with short limits, and huge integers spelled (``repr`` refuses an int
    of more than 4,300 digits)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 3, 40, 40, 40
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 4

    def repr_int(self, x: int, level: int) -> str:
        return spell_number(x) if x.bit_length() > 128 else super().repr_int(x, level)


_SHOW = _Short()


def show(value: Any) -> str:
    """A raw value as problem messages quote it: its Python repr, short (at most three levels,
    four items, 40 characters of text, 100 in all, elided in the middle), never a numpy repr,
    and valid Unicode (the repr escapes lone surrogates and control characters).

    >>> show("soon"), show([[[[1]]]]), show({"k": "v"}), show(float("nan")), show(True)
    ("'soon'", '[[[[...]]]]', "{'k': 'v'}", 'nan', 'True')
    >>> show("x\\ud800\\n")
    "'x\\\\ud800\\\\n'"
    """
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray):
        value = value.tolist()
    shown = valid_text(_SHOW.repr(value))
    return shown if len(shown) <= 100 else f"{shown[:60]}...{shown[-30:]}"


def json_object(value: Any) -> Any:
    """Decode ``value`` when it is a JSON text holding an object or array, else return it
    (also when the text nests too deeply to decode, or is not valid Unicode).

    >>> json_object('{"a": 1}'), json_object("plain"), json_object({"a": 1})
    ({'a': 1}, 'plain', {'a': 1})
    """
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return msgspec.json.decode(value)
        except (msgspec.DecodeError, RecursionError, UnicodeEncodeError):
            return value
    return value


def json_text(value: Any) -> str | None:
    """``value`` as compact JSON (a lone surrogate written as its escape); None when it
    cannot be JSON (nested too deep for the encoder, or not JSON data).

    >>> json_text({"a": [1, 2.5]}), json_text({"tts\\ud800": 1}), json_text({1j})
    ('{"a":[1,2.5]}', '{"tts\\\\ud800":1}', None)
    """
    try:
        return msgspec.json.encode(value).decode()
    except UnicodeEncodeError:
        pass
    except (RecursionError, TypeError, ValueError, msgspec.EncodeError):
        return None
    try:
        return json.dumps(value, separators=(",", ":"))
    except (RecursionError, TypeError, ValueError):
        return None


def transcript_messages(value: Any) -> tuple[list[Any], str | None]:
    """Normalise one transcript to a list of message dicts.

    Accepts a list, a JSON string of a list, ``{"messages": [...]}`` (also as JSON), and
    ``"AI: ...\\nUser: ..."`` text. Returns ``(messages, problem)``: ``problem`` is None
    when the value was read, else a sentence saying what was found (messages is then ``[]``).
    Items are returned as found: the caller checks each is an object.
    """
    value = json_object(value)
    if isinstance(value, dict):
        if isinstance(value.get("messages"), list):
            return value["messages"], None
        return [], f"transcript is an object without a 'messages' list ({show(value)})"
    if isinstance(value, list):
        return value, None
    if isinstance(value, str):
        return _text_transcript(value)
    return [], f"transcript is a {type(value).__name__} ({show(value)}), expected a list"


def _text_transcript(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """``"AI: hi\\nUser: yes"`` to messages; unprefixed lines continue the previous message."""
    messages: list[dict[str, Any]] = []
    for line in text.splitlines():
        match = _LINE_ROLE.match(line)
        if match:
            role = _LINE_ROLES.get(match[1].lower(), match[1].lower())
            messages.append({"role": role, "content": match[2].strip(), "timestamp": None})
        elif messages and line.strip():
            messages[-1]["content"] = f"{messages[-1]['content']} {line.strip()}".strip()
        elif line.strip():
            return [], f"transcript text {show(text)} has no 'AI:'/'User:' speaker prefixes"
    return messages, None


def speakers(roles: pd.Series) -> pd.Series:
    """Map raw roles to ``agent`` / ``user`` / ``other`` (see ``schema.ROLE_TO_SPEAKER``).

    The distinct roles are mapped once (there are a handful), then spread by their codes.

    >>> speakers(pd.Series(["assistant", "Customer", "tool", None])).tolist()
    ['agent', 'user', 'other', 'other']
    """
    codes, uniques = pd.factorize(roles.astype(TEXT).str.strip().str.lower())
    mapped = np.array([ROLE_TO_SPEAKER.get(u, "other") for u in uniques] + ["other"], dtype=object)
    return pd.Series(mapped[codes], index=roles.index, dtype=TEXT)


def word_counts(text: pd.Series) -> pd.Series:
    """Whitespace-separated words per value, by Arrow's split kernel; NA text has 0 words.

    >>> word_counts(pd.Series(["Yes, go ahead.", "", None, "  mm-hmm ", "a \t b"])).tolist()
    [3, 0, 0, 1, 2]
    """
    arrow = pa.array(text.astype(TEXT).array)
    trimmed = pc.utf8_trim_whitespace(arrow)
    words = pc.list_value_length(pc.utf8_split_whitespace(trimmed))
    words = pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), 0, words)
    return pd.Series(words.to_numpy(zero_copy_only=False), index=text.index).fillna(0).astype(COUNT)
