"""Where tasks come from: every source form ``load_run`` accepts, as typed tasks.

A path, JSON text or bytes, a parsed response, one task, a bare list of tasks, or a list of
any of these (pages, several runs, several files). JSON is decoded straight into
:class:`~analytics.load.payload.Task` structs where it has the expected shape; anything else takes
the lenient way (untyped decode, then :func:`~analytics.load.payload.to_task` per item), which also
gives the precise error for input that is not a run at all. JSON that msgspec refuses but
Python's ``json`` writes (``NaN`` and ``Infinity`` tokens, numbers beyond a float such as
``1e400``) is read by Python's own reader, so that one such value is a problem row, not a
rejected file.

A list is a run when it is empty, or when at least one item is a task object (or, at the top
level, a page or source to expand); its other items are each reported in ``problems``. A
non-empty list with no such item (``[1, 2, 3]``, ``{"data": [null]}``) is not a run: a
:class:`~analytics.errors.SchemaError` saying what was found.

Examples
--------
>>> tasks, problems = read_tasks('[{"task_id": "T1"}, {"data": [{"task_id": "T2"}, 7]}]')
>>> [t.task_id for t in tasks], problems[0]["field"]
(['T1', 'T2'], 'task')
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import msgspec

from analytics.errors import SchemaError, error_for_answer
from analytics.load.payload import Problem, Task, decode_tasks, to_task

__all__ = ["Source", "read_tasks"]

Source = str | bytes | os.PathLike[str] | dict[str, Any] | list[Any]


def read_tasks(source: Source) -> tuple[list[Task], list[Problem]]:
    """Every task of ``source`` in input order, and a problem dict per unreadable item.

    Raises
    ------
    SchemaError
        ``source`` is not a tasks response, a task, or a list of them.
    ApiError
        ``source`` is a saved error answer of the API.
    """
    return _tasks_from(source, "source")


def _tasks_from(source: Any, where: str) -> tuple[list[Task], list[Problem]]:
    """Every task of ``source`` in input order, with a problem per unreadable item."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _tasks_from_json(bytes(source), "JSON bytes")
    if isinstance(source, os.PathLike):
        return _tasks_from_json(_read(Path(source)), str(source))
    if isinstance(source, str):
        if source.lstrip()[:1] in ("{", "["):
            return _tasks_from_json(source, "JSON text")
        if Path(source).is_file():
            return _tasks_from_json(_read(Path(source)), source)
        raise SchemaError(
            f"{source[:80]!r} is neither JSON text nor an existing file; pass the path of a "
            "saved response, its JSON text, or the parsed response"
        )
    if isinstance(source, dict):
        return _tasks_from_dict(source, where)
    if isinstance(source, list):
        return _tasks_from_list(source, where)
    raise SchemaError(
        f"cannot load a {type(source).__name__} ({source!r:.60}); pass a path, JSON text or "
        "bytes, a response dict, a task dict, or a list of those"
    )


def _tasks_from_json(raw: bytes | str, what: str) -> tuple[list[Task], list[Problem]]:
    typed = decode_tasks(raw)
    if typed is not None:
        return typed, []
    try:
        parsed = msgspec.json.decode(raw)
    except msgspec.DecodeError as err:
        parsed = _python_json(raw, what, err)
    return _tasks_from(parsed, what)


def _python_json(raw: bytes | str, what: str, err: msgspec.DecodeError) -> Any:
    """Python's reader, for JSON that Python writes and msgspec refuses (``NaN``,
    ``Infinity``, ``1e400``); the error names msgspec's finding when neither can read it."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise SchemaError(
            f"{what} is not valid JSON ({err}); pass a saved run response or its text"
        ) from None


def _tasks_from_dict(obj: dict[str, Any], where: str) -> tuple[list[Task], list[Problem]]:
    if "task_id" in obj:
        return _convert([obj])
    if "data" in obj:
        return _convert(_response_data(obj, where))
    raise SchemaError(
        f"{where} is an object with keys {sorted(obj)[:8]} but neither 'data' (a response) nor "
        "'task_id' (a task); pass a run-tasks response or its 'data' list"
    )


def _tasks_from_list(items: list[Any], where: str) -> tuple[list[Task], list[Problem]]:
    """A list holds tasks, or pages / sources to expand, in any mix."""
    _require_a_task(items, where, nested=True)
    tasks: list[Task] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        expand = _expands(item)
        more, found = _tasks_from(item, f"{where}[{i}]") if expand else _convert([item], i)
        tasks += more
        problems += found
    return tasks, problems


def _expands(item: Any) -> bool:
    """True when a list item is a source of its own (a page, a list, a path, JSON text)."""
    return isinstance(item, (list, str, bytes, os.PathLike)) or (
        isinstance(item, dict) and "data" in item and "task_id" not in item
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
        f"{type(first).__name__} {first!r:.40}); pass a run-tasks response, its 'data' list of "
        "task objects, or a list of those"
    )


def _is_object(item: Any) -> bool:
    return isinstance(item, dict)


def _response_data(response: dict[str, Any], where: str) -> list[Any]:
    status = response.get("status_code")
    if isinstance(status, int) and status != 200:
        raise error_for_answer(status, response)
    data = response["data"]
    if not isinstance(data, list):
        raise SchemaError(
            f"{where}: 'data' is a {type(data).__name__} ({data!r:.60}), expected a list of "
            "tasks; is this a run-tasks response?"
        )
    _require_a_task(data, f"{where}: 'data'", nested=False)
    return data


def _convert(items: list[Any], offset: int = 0) -> tuple[list[Task], list[Problem]]:
    """Task dicts to :class:`Task`; anything that is not an object is reported, not kept."""
    tasks: list[Task] = []
    problems: list[Problem] = []
    for i, item in enumerate(items, start=offset):
        if not isinstance(item, dict):
            problems.append(
                {
                    "task_id": None,
                    "field": "task",
                    "problem": f"item {i} of the input is not a task object but "
                    f"{type(item).__name__} {item!r:.40}; it was skipped",
                }
            )
            continue
        task, found = to_task(item)
        tasks.append(task)
        problems += found
    return tasks, problems


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise SchemaError(
            f"cannot read {str(path)!r} ({err.strerror}); check the path of the saved run"
        ) from None
