"""Where tasks come from: every source form ``load_run`` accepts, as typed tasks.

A path, JSON text or bytes, a parsed response, one task, a bare list of tasks, or a list of
any of these (pages, several runs, several files). JSON is decoded straight into
:class:`~analytics.load.payload.Task` structs where it has the expected shape; anything else takes
the lenient way (untyped decode, then :func:`~analytics.load.payload.to_task` per item), which also
gives the precise error for input that is not a run at all.

Hostile JSON is read, never a crash (:func:`parse_json`): a UTF-8 BOM is skipped; what
msgspec refuses but Python's ``json`` reads (``NaN`` and ``Infinity`` tokens, numbers beyond
a float such as ``1e400``, lone surrogate escapes such as ``"\\ud800"``) is read by Python's
reader, so that one such value is a problem row, not a rejected file; bytes that are not
UTF-8 are read as U+FFFD with one ``source`` problem row; and JSON nested deeper than the
decoders' recursion limit has every part below :data:`MAX_JSON_DEPTH` levels replaced by the
text :data:`TOO_DEEP` (a real run nests about 8 levels, so only fields of no use are cut,
and a field the loader reads that holds one is NA with a problem row).

A list is a run when it is empty, or when at least one item is a task object (or, at the top
level, a page or source to expand); its other items are each reported in ``problems``. A
non-empty list with no such item (``[1, 2, 3]``, ``{"data": [null]}``) is not a run: a
:class:`~analytics.errors.SchemaError` saying what was found. Lists of sources nest at most
:data:`MAX_NESTING` levels (a list of pages of tasks is 2); an item nested deeper is
reported and skipped, which also stops a saved list that names its own file.

Examples
--------
>>> tasks, problems = read_tasks('[{"task_id": "T1"}, {"data": [{"task_id": "T2"}, 7]}]')
>>> [t.task_id for t in tasks], problems[0]["field"]
(['T1', 'T2'], 'task')
>>> tasks, problems = read_tasks(b'\\xef\\xbb\\xbf[{"task_id": "T1", "cost": NaN}]')
>>> [t.task_id for t in tasks], problems
(['T1'], [])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

import msgspec
import numpy as np

from analytics.errors import SchemaError, error_for_answer
from analytics.load import retell, vapi
from analytics.load.parse import show
from analytics.load.payload import Problem, Task, decode_tasks, to_task
from analytics.schema import PLATFORMS

__all__ = ["MAX_JSON_DEPTH", "MAX_NESTING", "TOO_DEEP", "Source", "parse_json", "read_tasks"]

Source = str | bytes | os.PathLike[str] | dict[str, Any] | list[Any]

MAX_JSON_DEPTH = 200
"""JSON nested deeper than the decoders can go is cut at this depth (see :data:`TOO_DEEP`)."""
TOO_DEEP = f"<nested deeper than {MAX_JSON_DEPTH} levels: cut>"
"""The text that stands in for each part of a JSON text nested deeper than
:data:`MAX_JSON_DEPTH`."""
MAX_NESTING = 16
"""Lists of sources (pages, lists, JSON texts, paths) nest at most this deep."""
_BOM = b"\xef\xbb\xbf"


class _Adapter(Protocol):
    """What a platform's adapter module offers (:mod:`analytics.load.retell`...)."""

    def matches(self, obj: Any) -> bool: ...
    def decode(self, raw: bytes) -> list[Task] | None: ...
    def to_tasks(self, obj: Any) -> tuple[list[Task], list[Problem]]: ...


_ADAPTERS: dict[str, _Adapter] = {retell.PLATFORM: retell, vapi.PLATFORM: vapi}
"""The adapters of the other platforms, tried in this order after Unpod's shapes."""


def read_tasks(source: Source, *, platform: str | None = None) -> tuple[list[Task], list[Problem]]:
    """Every task of ``source`` in input order, and a problem dict per unreadable item.

    Each object is recognised by its shape: an Unpod task (``task_id``) or response
    (``data``), else a Retell or a Vapi call, list envelope or webhook
    (:mod:`analytics.load.retell`, :mod:`analytics.load.vapi`), whose calls become tasks.
    ``platform`` (one of :data:`~analytics.schema.PLATFORMS`) reads every object as that
    platform's instead.

    Raises
    ------
    SchemaError
        ``source`` is not a tasks response, a task, a call of another platform, or a list of
        them.
    ApiError
        ``source`` is a saved error answer of the API.
    ValueError
        ``platform`` is not one of :data:`~analytics.schema.PLATFORMS`.

    Examples
    --------
    >>> tasks, _ = read_tasks([{"task_id": "T1"}, {"call_id": "C1", "call_status": "ended"}])
    >>> [(t.task_id, t.output and t.output.adapted and t.output.adapted.platform) for t in tasks]
    [('T1', None), ('C1', 'retell')]
    """
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(
            f"platform={platform!r} is not one this loader reads; pass one of "
            f"{', '.join(map(repr, PLATFORMS))}, or None to recognise each payload by its shape"
        )
    return _tasks_from(source, "source", 0, platform)


def parse_json(raw: bytes | str) -> Any:
    """JSON text or bytes as Python objects, whatever a hostile or careless writer put in.

    A BOM is skipped; ``NaN``, ``Infinity``, ``1e400`` and lone surrogate escapes are read
    (as Python's ``json`` reads them; an integer of more than 4,000 digits as a float, that is
    infinity); bytes that are not UTF-8 are read as U+FFFD; parts nested deeper than
    :data:`MAX_JSON_DEPTH` levels are replaced by the text :data:`TOO_DEEP`.

    Raises
    ------
    SchemaError
        ``raw`` is not JSON (e.g. it was cut short).

    Examples
    --------
    >>> parse_json(b'{"a": NaN, "b": [1e400]}')
    {'a': nan, 'b': [inf]}
    >>> deep = parse_json("[" * 5000 + "]" * 5000)
    >>> for _ in range(MAX_JSON_DEPTH - 1):
    ...     deep = deep[0]
    >>> deep
    ['<nested deeper than 200 levels: cut>']
    """
    return _parse_any_depth(_utf8(raw), "JSON text")[0]


def _tasks_from(
    source: Any, where: str, depth: int, platform: str | None
) -> tuple[list[Task], list[Problem]]:
    """Every task of ``source`` in input order, with a problem per unreadable item."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _tasks_from_json(bytes(source), "JSON bytes", depth, platform)
    if isinstance(source, os.PathLike):
        return _tasks_from_json(_read(Path(source)), str(source), depth, platform)
    if isinstance(source, str):
        if source.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
            return _tasks_from_json(source, "JSON text", depth, platform)
        if _is_file(source):
            return _tasks_from_json(_read(Path(source)), source, depth, platform)
        raise SchemaError(
            f"{show(source)} is neither JSON text nor an existing file; pass the path of a "
            "saved response, its JSON text, or the parsed response"
        )
    if isinstance(source, dict):
        return _tasks_from_dict(source, where, platform)
    if isinstance(source, list):
        return _tasks_from_list(source, where, depth, platform)
    raise SchemaError(
        f"cannot load a {type(source).__name__} ({show(source)}); pass a path, JSON text or "
        "bytes, a response dict, a task dict, or a list of those"
    )


def _tasks_from_json(
    raw: bytes | str, what: str, depth: int, platform: str | None
) -> tuple[list[Task], list[Problem]]:
    raw = _utf8(raw)
    try:
        return _decoded_tasks(raw, what, depth, platform)
    except RecursionError:
        return _decoded_tasks(_cut_deep(raw), what, depth, platform)


def _decoded_tasks(
    raw: bytes, what: str, depth: int, platform: str | None
) -> tuple[list[Task], list[Problem]]:
    typed = _typed_tasks(raw, platform)
    if typed is not None:
        return typed, []
    parsed, problems = _parse(raw, what)
    tasks, found = _tasks_from(parsed, what, depth, platform)
    return tasks, problems + found


def _typed_tasks(raw: bytes, platform: str | None) -> list[Task] | None:
    """The fast path: ``raw`` decoded straight into one platform's structs, Unpod's first;
    None when it has none of their shapes whole (the lenient path then reads it)."""
    if platform in (None, "unpod"):
        typed = decode_tasks(raw)
        if typed is not None:
            return typed
    for name, adapter in _ADAPTERS.items():
        if platform in (None, name):
            typed = adapter.decode(raw)
            if typed is not None:
                return typed
    return None


def _utf8(raw: bytes | str) -> bytes:
    """JSON as UTF-8 bytes without a BOM; a lone surrogate in a text becomes its escape."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "backslashreplace")
    return raw[len(_BOM) :] if raw.startswith(_BOM) else raw


def _parse_any_depth(raw: bytes, what: str) -> tuple[Any, list[Problem]]:
    try:
        return _parse(raw, what)
    except RecursionError:
        return _parse(_cut_deep(raw), what)


def _parse(raw: bytes, what: str) -> tuple[Any, list[Problem]]:
    """Untyped decode: msgspec, else Python's reader (see :func:`parse_json`)."""
    try:
        return msgspec.json.decode(raw), []
    except msgspec.DecodeError as err:
        refused = err
    try:
        return _python_json(raw), []
    except UnicodeDecodeError as err:
        return _with_replaced_bytes(raw, what, err.start, refused)
    except ValueError:  # JSONDecodeError
        raise _not_json(what, refused) from None


def _python_json(raw: bytes | str) -> Any:
    """Python's reader: ``NaN``, ``Infinity``, ``1e400``, lone surrogate escapes; an integer
    too long for ``int`` (4,300 digits) is read as a float (infinite)."""
    return json.loads(raw, parse_int=_integer)


def _integer(digits: str) -> int | float:
    return int(digits) if len(digits) <= 4000 else float(digits)


def _with_replaced_bytes(
    raw: bytes, what: str, start: int, refused: Exception
) -> tuple[Any, list[Problem]]:
    """JSON whose bytes are not all UTF-8, read with U+FFFD in their place."""
    try:
        parsed = _python_json(raw.decode("utf-8", "replace"))
    except ValueError:
        raise _not_json(what, refused) from None
    problem = (
        f"{what} is not valid UTF-8 (the first bad byte at offset {start:,}); every bad byte "
        "was read as U+FFFD; save the run as UTF-8"
    )
    return parsed, [{"task_id": None, "field": "source", "problem": problem}]


def _not_json(what: str, refused: Exception) -> SchemaError:
    return SchemaError(
        f"{what} is not valid JSON ({refused}); pass a saved run response or its text"
    )


def _cut_deep(raw: bytes) -> bytes:
    """``raw`` with each value that opens below :data:`MAX_JSON_DEPTH` levels replaced by
    the JSON text of :data:`TOO_DEEP` (one numpy pass over the bytes: the brackets outside
    strings, their running depth). A value left open runs to the end (the text is then
    not JSON and says so when decoded)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    quotes = _unescaped_quotes(data)
    opening = (data == ord("[")) | (data == ord("{"))
    brackets = np.flatnonzero(opening | (data == ord("]")) | (data == ord("}")))
    brackets = brackets[np.searchsorted(quotes, brackets) % 2 == 0]  # outside strings
    step = np.where(opening[brackets], 1, -1).astype(np.int32)
    depth = np.cumsum(step, dtype=np.int32)
    starts = brackets[(step == 1) & (depth == MAX_JSON_DEPTH + 1)]
    ends = brackets[(step == -1) & (depth == MAX_JSON_DEPTH)]
    stand_in = json.dumps(TOO_DEEP).encode()
    pieces, done = [], 0
    for start in starts.tolist():
        at = np.searchsorted(ends, start)
        pieces += [raw[done:start], stand_in]
        done = int(ends[at]) + 1 if at < len(ends) else len(raw)
    return b"".join([*pieces, raw[done:]])


def _unescaped_quotes(data: np.ndarray) -> np.ndarray:
    """Positions of the ``"`` that open or close a string: those not after an odd run of
    backslashes."""
    quotes = np.flatnonzero(data == ord('"'))
    suspect = np.flatnonzero(data[np.maximum(quotes - 1, 0)] == ord("\\"))  # after a backslash
    if not len(suspect):
        return quotes
    slashes = np.flatnonzero(data == ord("\\"))
    run_start = np.flatnonzero(np.diff(slashes, prepend=-2) != 1)
    run_end = np.append(run_start[1:], len(slashes)) - 1
    odd = (run_end - run_start) % 2 == 0
    escaped = slashes[run_end[odd]] + 1
    keep = np.ones(len(quotes), dtype=bool)
    keep[suspect[np.isin(quotes[suspect], escaped)]] = False
    return quotes[keep]


def _tasks_from_dict(
    obj: dict[str, Any], where: str, platform: str | None
) -> tuple[list[Task], list[Problem]]:
    kind = _platform_of(obj, platform)
    if kind in _ADAPTERS:
        return _ADAPTERS[kind].to_tasks(obj)
    if kind == "unpod" and "task_id" in obj:
        return _convert([obj])
    if kind == "unpod" and "data" in obj:
        return _convert(_response_data(obj, where))
    keys = sorted(map(show, obj))[:8]
    raise SchemaError(f"{where} is an object with keys [{', '.join(keys)}] but {_WANTED[platform]}")


_WANTED = {
    None: "no platform's shape: neither 'data' (an Unpod response) nor 'task_id' (an Unpod "
    "task), nor a Retell call ('call_id'), list ('items') or webhook ('event', 'call'), nor a Vapi "
    "call ('id' with Vapi fields) or webhook ('message'); pass one of those, or name the "
    "platform with platform=",
    "unpod": "neither 'data' (a response) nor 'task_id' (a task); pass a run-tasks response or "
    "its 'data' list",
    "retell": "not a Retell call ('call_id'), list ('items') or webhook ('event', 'call'); pass "
    "one of those, or leave platform= out to recognise the payload by its shape",
    "vapi": "not a Vapi call ('id' with Vapi fields) or end-of-call webhook ('message'); pass "
    "one of those, or leave platform= out to recognise the payload by its shape",
}
"""What a top-level object that is no payload should have been, per ``platform=``."""


def _platform_of(obj: dict[Any, Any], platform: str | None) -> str | None:
    """The platform whose shape ``obj`` has (the forced one only, when ``platform`` is given);
    None when it has none. Unpod's keys are checked first."""
    if platform in (None, "unpod") and ("task_id" in obj or "data" in obj):
        return "unpod"
    return next(
        (name for name, a in _ADAPTERS.items() if platform in (None, name) and a.matches(obj)),
        None,
    )


def _tasks_from_list(
    items: list[Any], where: str, depth: int, platform: str | None
) -> tuple[list[Task], list[Problem]]:
    """A list holds tasks, or pages / sources to expand, in any mix. An item that cannot be
    read is a problem row while the list holds a task; else its error is the list's."""
    _require_a_task(items, where, nested=True)
    tasks: list[Task] = []
    problems: list[Problem] = []
    errors: list[SchemaError] = []
    for i, item in enumerate(items):
        if _expands(item, platform):
            more, found = _expanded(item, f"{where}[{i}]", depth + 1, platform)
        else:
            more, found = _convert([item], i, platform)
        if isinstance(found, SchemaError):
            errors.append(found)
            found = [_skipped(i, found)]
        tasks += more
        problems += found
    if errors and not tasks:
        raise errors[0]
    return tasks, problems


def _expanded(
    item: Any, where: str, depth: int, platform: str | None
) -> tuple[list[Task], list[Problem] | SchemaError]:
    """The tasks of one source in a list and its problems, or the error that stopped it."""
    if depth > MAX_NESTING:
        return [], SchemaError(
            f"{where} nests lists or sources more than {MAX_NESTING} levels deep; pass a "
            "run-tasks response, a list of tasks, or a list of those"
        )
    try:
        return _tasks_from(item, where, depth, platform)
    except SchemaError as err:
        return [], err


def _skipped(i: int, err: SchemaError) -> Problem:
    problem = f"item {i} of the input could not be read: {err}; it was skipped"
    return {"task_id": None, "field": "task", "problem": problem}


def _expands(item: Any, platform: str | None = None) -> bool:
    """True when a list item is a source of its own (a page, a list, a path, JSON text)."""
    return isinstance(item, (list, str, bytes, os.PathLike)) or (
        isinstance(item, dict)
        and "data" in item
        and "task_id" not in item
        and platform in (None, "unpod")
    )


def _require_a_task(items: list[Any], where: str, *, nested: bool) -> None:
    """Raise unless ``items`` is empty or holds an object (or, when ``nested``, a source)."""
    usable = (lambda i: isinstance(i, dict) or _expands(i)) if nested else _is_object
    if not items or any(map(usable, items)):
        return
    n = f"{len(items)} item{'s' if len(items) > 1 else ''}"
    first = items[0]
    raise SchemaError(
        f"{where} is a list of {n}, none of them a task object (found "
        f"{type(first).__name__} {show(first)}); pass a run-tasks response, its 'data' list of "
        "task objects, or a list of those"
    )


def _is_object(item: Any) -> bool:
    return isinstance(item, dict)


def _response_data(response: dict[str, Any], where: str) -> list[Any]:
    status = response.get("status_code")
    if type(status) is int and (status == 206 or status >= 400):
        raise error_for_answer(status, response)  # quotes any message within bounds
    data = response["data"]
    if not isinstance(data, list):
        raise SchemaError(
            f"{where}: 'data' is a {type(data).__name__} ({show(data)}), expected a list of "
            "tasks; is this a run-tasks response?"
        )
    _require_a_task(data, f"{where}: 'data'", nested=False)
    return data


def _convert(
    items: list[Any], offset: int = 0, platform: str | None = None
) -> tuple[list[Task], list[Problem]]:
    """Task dicts to :class:`Task` (a call of another platform through its adapter); anything
    that is not an object is reported, not kept; with ``platform`` given, so is an object that
    is not that platform's."""
    tasks: list[Task] = []
    problems: list[Problem] = []
    for i, item in enumerate(items, start=offset):
        kind = _platform_of(item, platform) if isinstance(item, dict) else None
        if kind in _ADAPTERS:
            more, found = _ADAPTERS[kind].to_tasks(item)
            tasks += more
            problems += found
            continue
        if kind is None and platform not in (None, "unpod") and isinstance(item, dict):
            problems.append(_not_of_platform(i, item, platform))
            continue
        if not isinstance(item, dict):
            problems.append(
                {
                    "task_id": None,
                    "field": "task",
                    "problem": f"item {i} of the input is not a task object but "
                    f"{type(item).__name__} {show(item)}; it was skipped",
                }
            )
            continue
        task, found = to_task(item)
        tasks.append(task)
        problems += found
    return tasks, problems


def _not_of_platform(i: int, item: dict[Any, Any], platform: str) -> Problem:
    keys = ", ".join(sorted(map(show, item))[:8])
    problem = f"item {i} of the input (keys [{keys}]) is not a {platform} call; it was skipped"
    return {"task_id": None, "field": "call", "problem": problem}


def _is_file(text: str) -> bool:
    """True when ``text`` names an existing file (False for a text no path can be)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long, a NUL, not encodable
        return False


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise SchemaError(
            f"cannot read {show(str(path))} ({err.strerror}); check the path of the saved run"
        ) from None
