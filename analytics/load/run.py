"""Unpod run responses -> :class:`Run`: tidy ``tasks``, ``calls``, ``turns`` and ``problems``.

The loader does no network I/O. It reads every source form of the contract (a path, JSON text
or bytes, a response dict, a task, a bare list of tasks, or a list of any of these), keeps each
``task_id`` once (newest ``modified`` wins), and builds each table column by column: one
list per field gathered in one pass over the typed tasks (:mod:`analytics.load.payload`), then each
column parsed once (:mod:`analytics.load.parse`) and cast to its dtype (:mod:`analytics.schema`).

Nothing is dropped silently: a value that cannot be read (of the wrong type, NaN, nested where
text is expected) is NA in its table and one row in ``problems`` that quotes it; a text with a
lone surrogate is kept with U+FFFD in its place and one row; an item that is not a task object
at all is reported there too. Fields the loader does not read are never walked. A value that is
read but cannot be what it claims is treated the same way: a duration outside
``0..MAX_CALL_SECONDS`` (negative, NaN, infinite, a day or more, an integer too large for a
float), a cost outside ``0..MAX_CALL_COST``, a time outside 1990-2099
(:mod:`analytics.schema`).

Examples
--------
>>> from analytics.datasets import make_run
>>> run = load_run(make_run(40, random_state=3))
>>> len(run.tasks), bool(run.calls["task_id"].isin(run.tasks["task_id"]).all())
(40, True)
>>> list(run.turns.columns)
['task_id', 'call_id', 'turn', 'speaker', 'role', 'text', 'timestamp', 'offset_s', 'duration_s', \
'n_words']
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from itertools import chain
from operator import attrgetter
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from analytics._shared import gc_paused
from analytics.load.dataset import is_dataset, open_dataset
from analytics.load.parse import (
    json_object,
    json_text,
    parse_flags,
    parse_numbers,
    parse_timestamps,
    parse_zoned_timestamps,
    show,
    speakers,
    spell_number,
    text_column,
    time_values,
    valid_text,
    word_counts,
)
from analytics.load.payload import (
    Classification,
    FollowUp,
    Message,
    Output,
    PostCall,
    Problem,
    ProfileSummary,
    Summary,
    Task,
    messages_of,
)
from analytics.load.platform import (
    bounded_column,
    platform_columns,
    turn_durations,
    voicemail_flags,
)
from analytics.load.problems import concat_problems, mask_problems, problem_frame
from analytics.load.sources import MAX_JSON_DEPTH, TOO_DEEP, Source, read_tasks
from analytics.load.tables import Run
from analytics.schema import (
    ANSWERED_CALL_STATUSES,
    CALL_TYPES,
    CALLBACK_SOURCES,
    CALLS_SCHEMA,
    MAX_CALL_COST,
    MAX_CALL_SECONDS,
    NULL_LITERALS,
    TASKS_SCHEMA,
    TEXT,
    TIMESTAMP,
    TURNS_SCHEMA,
    canonical_outcomes,
    check_outcome_map,
    conform,
)

__all__ = ["Run", "Source", "load_run"]

log = logging.getLogger(__name__)


_PENDING_EVALUATION = "available soon"
_TASK_IDS = ("task_id", "run_id", "space_id", "thread_id")
_TASK_TEXT = ("assignee", "status", "execution_type")
_SCALARS = (str, int, float, bool)


def load_run(
    source: Source,
    *,
    platform: str | None = None,
    outcome_map: Mapping[str, str] | None = None,
) -> Run:
    """Load one or more Unpod run-task responses, or Retell and Vapi calls, into a :class:`Run`.

    Parameters
    ----------
    source : path, str, bytes, dict or list
        A path to a saved response; JSON text or bytes; a parsed response
        (``{"count", "status_code", "message", "data": [...]}``); one task; a bare list of
        tasks; or a list of any of these (pages or several runs), concatenated. A path to
        a dataset folder (one holding ``manifest.json``) loads every run of the dataset,
        as ``open_dataset(path).load()`` does.

        Calls of Retell and Vapi load into the same tables (``calls.platform`` says where each
        ran): a call object, a list of calls, Retell's ``{items, has_more, pagination_key}``
        list and its webhook ``{event, call}``, Vapi's end-of-call webhook ``{message}``. Each
        object is recognised by its shape, so one list may mix the three platforms
        (``docs/platforms.md`` maps every field and unit).
    platform : {"unpod", "retell", "vapi"}, optional
        Read every object as this platform's, instead of recognising each by its shape; an
        object of another shape is then a problem row (or, at the top, a ``SchemaError``).
    outcome_map : dict of str to str, optional
        Your own outcome vocabulary: raw label -> canonical outcome (one of
        :data:`analytics.schema.OUTCOMES`). ``calls.outcome`` is derived from
        ``calls.outcome_raw`` with it first (labels compared folded: ``"Hot Lead"`` is
        ``"hot-lead"``), then with the built-in aliases (see
        :func:`analytics.schema.canonical_outcomes`); ``outcome_raw`` is unchanged.

    Returns
    -------
    Run
        A ``task_id`` seen more than once is kept once, the newest ``modified`` winning
        (``tasks.n_seen`` says how often it came).

    Raises
    ------
    SchemaError
        The input is not a tasks response at all (not JSON, a wrong envelope, ``data`` not
        a list, or a non-empty list in which no item is a task object, such as
        ``[1, 2, 3]``, or only lists nested more than 16 deep). An empty list is an empty run.
        Nothing else in the input raises: any nesting depth, any text, NaN and Infinity
        tokens, a BOM, bytes that are not UTF-8 load, with problem rows where a value the
        loader reads could not be read (:mod:`analytics.load.sources`).
    ApiError
        The input is a saved error answer of the API (status 206 or >= 400); it carries the
        platform's message.
    TypeError, ValueError
        ``outcome_map`` is not a dict of text to a canonical outcome
        (:func:`analytics.schema.check_outcome_map`), or ``platform`` is not one of
        :data:`analytics.schema.PLATFORMS` or is given with a dataset folder; checked before
        anything is read.

    Examples
    --------
    >>> run = load_run('{"data": [{"task_id": "T1", "status": "pending", "output": {}}]}')
    >>> run
    Run(tasks=1, calls=0, turns=0, problems=0)
    >>> problems = load_run([{"task_id": "T1", "assignee": [7], "status": "x\\ud800"}]).problems
    >>> problems["field"].tolist(), problems["problem"].iloc[0]
    (['assignee', 'status'], 'unreadable assignee [7]; left NA')
    >>> problems["problem"].iloc[1]
    "status 'x\\\\ud800' is not valid Unicode (a lone surrogate); read with U+FFFD in its place"
    >>> load_run(b"not json")
    Traceback (most recent call last):
    ...
    analytics.errors.SchemaError: JSON bytes is not valid JSON (...); pass a saved run ...

    A platform that labels outcomes in its own words:

    >>> task = {"task_id": "T1", "output": {"call_status": "completed",
    ...         "post_call_data": {"summary": {"status": "Hot Lead"}}}}
    >>> load_run([task]).calls["outcome"].tolist()
    ['Other']
    >>> load_run([task], outcome_map={"hot lead": "Interested"}).calls["outcome"].tolist()
    ['Interested']

    Calls of three platforms in one run:

    >>> retell = {"call_id": "C1", "call_status": "ended", "duration_ms": 33318,
    ...           "call_cost": {"combined_cost": 7.42}}
    >>> vapi = {"id": "V1", "status": "ended", "cost": 0.05,
    ...         "startedAt": "2026-01-01T11:47:38Z", "endedAt": "2026-01-01T11:48:08Z"}
    >>> calls = load_run([task, retell, vapi]).calls
    >>> calls[["platform", "duration_s", "cost"]].values.tolist()
    [['unpod', <NA>, <NA>], ['retell', 33.318, 0.0742], ['vapi', 30.0, 0.05]]
    """
    if outcome_map is not None:
        outcome_map = check_outcome_map(outcome_map)
    if is_dataset(source):
        if platform is not None:
            raise ValueError(
                f"platform={platform!r} does not apply to a dataset folder (its tables are "
                "already loaded); leave platform= out"
            )
        return open_dataset(source).load(outcome_map=outcome_map)
    with gc_paused():
        run = _load(source, platform)
    if not outcome_map:
        return run
    calls = run.calls.assign(outcome=canonical_outcomes(run.calls["outcome_raw"], outcome_map))
    return Run(tasks=run.tasks, calls=calls, turns=run.turns, problems=run.problems)


def _load(source: Source, platform: str | None) -> Run:
    structs, found = read_tasks(source, platform=platform)
    tasks, n_seen = _newest_per_task(structs)
    task_frame, task_problems = _tasks_table(tasks, n_seen)
    outputs = [t.output for t in tasks]
    calls, call_problems = _calls_table(task_frame, outputs)
    transcripts = [
        o.transcript for o, c in zip(outputs, task_frame["has_call"]) if c and o is not None
    ]
    turns, counts, turn_problems = _turns_table(calls, transcripts)
    problems = concat_problems([problem_frame(found), task_problems, call_problems, turn_problems])
    if len(problems):
        log.info("loaded %d tasks with %d problems", len(task_frame), len(problems))
    calls = _with_turn_counts(calls, counts)
    return Run(tasks=task_frame, calls=calls, turns=turns, problems=problems)


# --- tasks ----------------------------------------------------------------------------------


def _newest_per_task(tasks: list[Task]) -> tuple[list[Task], np.ndarray]:
    """Each task_id once, in input order, and how often each kept task_id came.

    Among copies of one ``task_id`` the newest ``modified`` wins; on a tie (or no readable
    ``modified``) the later copy in the input wins. Tasks without a task_id are all kept.
    """
    ids = text_column(list(map(attrgetter("task_id"), tasks)), numbers=True)[0]
    modified = parse_timestamps(list(map(attrgetter("modified"), tasks)))[0]
    stamp = modified.dt.tz_localize(None).to_numpy().astype("int64")  # NaT is the oldest
    order = np.lexsort((np.arange(len(tasks)), stamp))
    newest = ~ids.iloc[order].duplicated(keep="last") | ids.iloc[order].isna()
    keep = np.sort(order[newest.to_numpy(dtype=bool)])
    n_seen = ids.map(ids.value_counts()).fillna(1).to_numpy(dtype="int64")
    return [tasks[i] for i in keep], n_seen[keep]


def _has_call(output: Output | None) -> bool:
    """True when ``output`` holds call data (``docs/unpod-api.md``, section 7)."""
    return output is not None and any(
        v is not None
        for v in (
            output.call_id,
            output.call_status,
            output.start_time,
            output.end_time,
            output.duration,
            output.transcript,
        )
    )


def _tasks_table(tasks: list[Task], n_seen: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``tasks``: one row per kept task; problems for values that are not text."""
    raw_ids = [t.task_id for t in tasks]
    ids, bad_ids = text_column(raw_ids, numbers=True)
    raw, object_problems = _task_fields(tasks, ids)
    columns, problems = _text_columns(raw, ids, numbers=_TASK_IDS)
    frame = pd.DataFrame({"task_id": ids, **columns}).assign(
        has_call=[_has_call(t.output) for t in tasks], n_seen=n_seen
    )
    times = {key: [getattr(t, key) for t in tasks] for key in ("created", "modified")}
    frame, time_problems = _parse_time_columns(frame, times)
    inputs, input_problems = _input_columns(tasks, ids)
    problems += [
        mask_problems(ids, ids.isna() & ~bad_ids, "task_id", ids, _NO_TASK_ID),
        mask_problems(ids, bad_ids, "task_id", raw_ids, _text_problem("task_id")),
        object_problems,
        time_problems,
        input_problems,
    ]
    return conform(frame, TASKS_SCHEMA).join(inputs), concat_problems(problems)


_NO_TASK_ID = "task has no task_id; it is kept with task_id NA"
_TASK_OBJECTS = {
    "task": {"objective": "objective"},
    "user_info": {"user_email": "email", "user_name": "full_name"},
}
"""The objects of a task the loader reads: ``{field: {column: key}}``."""


def _task_fields(tasks: list[Task], ids: pd.Series) -> tuple[dict[str, list[Any]], pd.DataFrame]:
    """The raw text fields of each task (its ``task`` and ``user_info`` keys included), and
    a problem for each of those objects that is not one."""
    raw = {key: list(map(attrgetter(key), tasks)) for key in _TASK_IDS[1:] + _TASK_TEXT}
    problems = []
    for field, keys in _TASK_OBJECTS.items():
        values = [getattr(t, field) for t in tasks]
        objects, bad = _objects(values)
        raw.update({column: [o.get(key) for o in objects] for column, key in keys.items()})
        say = _not_an_object(field, ", ".join(keys))
        problems.append(mask_problems(ids, bad, field, values, say))
    return raw, concat_problems(problems)


def _text_columns(
    raw: dict[str, list[Any]], ids: Any, *, numbers: tuple[str, ...] = ()
) -> tuple[dict[str, pd.Series], list[pd.DataFrame | None]]:
    """Each raw list as a text column; a problem frame per column with values that are not
    text (or not valid Unicode), owned by ``ids``."""
    columns: dict[str, pd.Series] = {}
    problems: list[pd.DataFrame | None] = []
    for key, values in raw.items():
        columns[key], bad = text_column(values, numbers=key in numbers)
        problems.append(mask_problems(ids, bad, key, values, _text_problem(key)))
    return columns, problems


def _text_problem(field: str) -> Callable[[Any], str]:
    """What a flagged value of a text column says: not text (left NA), or text with a lone
    surrogate (read with U+FFFD, see :func:`~analytics.load.parse.text_column`)."""

    def say(value: Any) -> str:
        if isinstance(value, str):
            return (
                f"{field} {show(value)} is not valid Unicode (a lone surrogate); "
                "read with U+FFFD in its place"
            )
        return f"unreadable {field} {show(value)}; left NA"

    return say


def _not_an_object(field: str, fields: str) -> Callable[[Any], str]:
    def say(value: Any) -> str:
        kind = type(value).__name__
        return f"{field} is a {kind} ({show(value)}), not an object; {fields} left NA"

    return say


def _objects(values: list[Any]) -> tuple[list[dict[Any, Any]], np.ndarray]:
    """Each value as an object (a JSON text of one decoded; empty when absent), and True
    where it is none (it is then empty too)."""
    objects = [v if type(v) is dict else _object_or_none(v) for v in values]
    bad = np.array([o is None for o in objects], dtype=bool)
    return [{} if o is None else o for o in objects], bad


def _object_or_none(value: Any) -> dict[Any, Any] | None:
    if value is None or _is_null_literal(value):
        return {}
    decoded = json_object(value)
    return decoded if isinstance(decoded, dict) else None


def _is_null_literal(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in NULL_LITERALS


def _input_columns(tasks: list[Task], ids: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each top-level scalar of ``input`` as a text column ``input_<key>`` (numbers and
    booleans spelled as JSON does), and problems.

    A key whose every value is a list or an object (``labels``...) is not a column; in a key
    that is one, such a value (or NaN) is NA with a problem row.
    """
    raw = [t.input for t in tasks]
    rows, bad = _objects(raw)
    problems = [
        mask_problems(ids, bad, "input", raw, _not_an_object("input", "its input_* columns"))
    ]
    columns = {}
    for key in dict.fromkeys(chain.from_iterable(rows)):
        name = f"input_{valid_text(str(key))}"
        values = [row.get(key) for row in rows]
        text, flagged = _input_column(values)
        if text is not None:
            columns[name] = text
            problems.append(mask_problems(ids, flagged, name, values, _text_problem(name)))
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows))), concat_problems(problems)


def _input_column(values: list[Any]) -> tuple[pd.Series | None, pd.Series]:
    """One ``input`` key as text and its flagged values; None when it holds no scalar."""
    text, flagged = text_column(values, numbers=True)
    if not flagged.any():
        return text, flagged
    values = [_JSON_BOOLS[v] if type(v) is bool else v for v in values]
    text, flagged = text_column(values, numbers=True)
    nested = np.array([isinstance(v, (list, dict)) for v in values], dtype=bool)
    if not (text.notna().to_numpy(dtype=bool) | (flagged.to_numpy(dtype=bool) & ~nested)).any():
        return None, flagged
    return text, flagged


_JSON_BOOLS = {True: "true", False: "false"}


# --- calls ----------------------------------------------------------------------------------


_NO_POST = PostCall()
_NO_FOLLOW_UP = FollowUp()
_NO_PROFILE = ProfileSummary()
_Found = list[tuple[str, str]]
"""``(field, problem)`` of each part of one call that could not be read."""
_POST_COLUMNS = (
    "outcome_raw",
    "summary",
    "labels",
    "success_evaluator",
    "structured_data",
    "customer",
    "contact",
    "follow_up_required",
    "follow_up_reason",
    *CALLBACK_SOURCES,
)
"""What :func:`_post_fields` reads of each call, in its order: raw columns, then the raw
values of each callback time source."""
_STRUCTURED_TIMES = tuple(s.split(".", 1)[1] for s in CALLBACK_SOURCES[3:])
"""The keys of ``structured_data`` that may hold the callback time."""


def _post_fields(output: Output) -> tuple[tuple[Any, ...], _Found]:
    """The raw values of :data:`_POST_COLUMNS` of one call, and what could not be read."""
    found: _Found = []
    post = output.post_call_data
    if type(post) is not PostCall:
        post = _struct(post, PostCall, "post_call_data", found) or _NO_POST
    summary = post.summary
    if type(summary) is Summary:
        status, text, name = summary.status, summary.summary, summary.name
        contact, callback = summary.contact, summary.callback_datetime
    else:
        status, text, name, contact, callback = None, summary, None, None, None
    kinds = post.classification
    if type(kinds) is not Classification:
        kinds = _struct(kinds, Classification, "post_call_data.classification", found)
    follow, profile = post.follow_up, post.profile_summary
    if type(follow) is not FollowUp:
        follow = _struct(follow, FollowUp, "post_call_data.follow_up", found) or _NO_FOLLOW_UP
    if type(profile) is not ProfileSummary:
        profile = (
            _struct(profile, ProfileSummary, "post_call_data.profile_summary", found) or _NO_PROFILE
        )
    structured, data = _structured(post.structured_data, found)
    outcome = post.outcome if status is None else status
    fields = (
        output.outcome if outcome is None else outcome,
        output.call_summary if text is None else text,
        _labels(None if kinds is None else kinds.labels, found),
        post.success_evaluator,
        structured,
        name if output.customer is None else output.customer,
        contact if output.contact_number is None else output.contact_number,
        follow.required,
        follow.reason,
        callback,
        follow.time,
        profile.callback_time,
        *(_STRUCTURED_NONE if data is None else map(data.get, _STRUCTURED_TIMES)),
    )
    return fields, found


_STRUCTURED_NONE = (None,) * len(_STRUCTURED_TIMES)


def _struct(value: Any, kind: type, field: str, found: _Found) -> Any:
    """``value`` (not a ``kind``) as ``kind`` when it is its JSON text; None (and a problem
    when it is a text that is no such JSON object) otherwise."""
    if value is None or _is_null_literal(value):
        return None
    decoded = _as_struct(value, kind)
    if decoded is None:
        found.append((field, f"{field} {show(value)} is not a JSON object; its fields left NA"))
    return decoded


def _as_struct(text: Any, kind: type) -> Any:
    """A JSON text as ``kind``; None when it is not one (the field is then left NA)."""
    try:
        return msgspec.json.decode(text, type=kind) if isinstance(text, str) else None
    except (msgspec.DecodeError, RecursionError, UnicodeEncodeError):
        return None


def _labels(value: Any, found: _Found) -> str | None:
    """The labels as ``"a; b"`` (numbers spelled); None when there are none, and with a
    problem when they are not a list of text (or its JSON text)."""
    if type(value) is list and all(type(v) is str for v in value):
        return "; ".join(value) or None
    value = None if _is_null_literal(value) else json_object(value)
    if value is None or (isinstance(value, list) and not value):
        return None
    spelled = [_label(v) for v in value] if isinstance(value, list) else [None]
    texts = [text for text in spelled if text is not None]
    if len(texts) < len(spelled):
        found.append(("labels", f"labels {show(value)} are not a list of text; left NA"))
        return None
    return "; ".join(texts)


def _label(value: Any) -> str | None:
    if type(value) is str:
        return value
    if type(value) is float and math.isfinite(value):
        return str(value)
    return str(value) if type(value) is int and value.bit_length() <= 64 else None


def _structured(value: Any, found: _Found) -> tuple[str | None, dict[Any, Any] | None]:
    """``structured_data`` as JSON text, and as an object when it is one; None when absent or
    empty, and with a problem when it cannot be JSON (a text that looks like JSON but is not,
    a part nested too deep)."""
    if type(value) is dict and value:  # the usual case
        text = json_text(value)
        if text is not None and TOO_DEEP not in text:
            return text, value
    decoded = json_object(value)
    if decoded is None or (isinstance(decoded, (str, list, dict)) and not decoded):
        return None, None
    looks = isinstance(value, str) and decoded is value and value.lstrip()[:1] in ("{", "[")
    text = None if looks else json_text(decoded)
    if text is None or text == "null" or TOO_DEEP in text:  # "null": NaN or infinity
        problem = (
            f"structured_data {show(value)} is not JSON that can be read (or nests deeper than "
            f"{MAX_JSON_DEPTH} levels); left NA"
        )
        found.append(("structured_data", problem))
        return None, None
    return text, decoded if type(decoded) is dict else None


def _calls_table(
    tasks: pd.DataFrame, outputs: list[Output | None]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``calls`` from the call tasks (before the turn counts are known)."""
    is_call = tasks["has_call"].to_numpy(dtype=bool)
    calls = [o for o, c in zip(outputs, is_call) if c and o is not None]  # a call has output
    ids = tasks["task_id"].to_numpy()[is_call]
    read = [_post_fields(o) for o in calls]
    post = list(zip(*(fields for fields, _ in read))) or [()] * len(_POST_COLUMNS)
    posted = {column: list(values) for column, values in zip(_POST_COLUMNS, post)}
    unread: list[Problem] = [
        {"task_id": i, "field": field, "problem": problem}
        for i, (_, found) in zip(ids, read)
        for field, problem in found
    ]
    raw = {
        "call_id": [o.call_id for o in calls],
        "call_type": [o.call_type if o.call_type is not None else o.type for o in calls],
        "call_status": [o.call_status for o in calls],
        "end_reason": [
            o.call_end_reason if o.call_end_reason is not None else o.end_reason for o in calls
        ],
        "recording_url": [o.recording_url for o in calls],
        **{c: posted[c] for c in _POST_COLUMNS[:6]},
        **{c: posted[c] for c in ("contact", "follow_up_reason")},
    }
    numbers = ("call_id", "success_evaluator", "contact")
    columns, problems = _text_columns(raw, ids, numbers=numbers)
    follow_up, follow_up_problems = _follow_up_columns(ids, posted)
    frame = pd.DataFrame(
        {
            "task_id": ids,
            "run_id": tasks["run_id"].to_numpy()[is_call],
            "assignee": tasks["assignee"].to_numpy()[is_call],
            **columns,
            **follow_up,
            "evaluated": [not _pending(o.data) for o in calls],
        }
    )
    extra, extra_problems = platform_columns(ids, calls)
    found = [problem_frame(unread), *problems, *follow_up_problems, *extra_problems]
    return _parse_call_columns(frame.assign(**extra), calls, found)


# --- follow-ups -----------------------------------------------------------------------------


_STRICT_SOURCES = frozenset(CALLBACK_SOURCES[:2])
"""Callback sources whose text must be a time (a problem row when it is not); the others
may hold free text such as ``"11 AM"``."""
_READ_SOURCES = frozenset(CALLBACK_SOURCES[:3])
"""Callback sources whose value of a type no time has is a problem row; ``structured_data``
is the user's own data, kept whole in its column, and such a value there is skipped."""


def _follow_up_columns(
    ids: Any, posted: dict[str, list[Any]]
) -> tuple[dict[str, Any], list[pd.DataFrame | None]]:
    """``follow_up_required`` and the callback columns of :data:`CALLS_SCHEMA`, and problem
    frames (None where there are none)."""
    required, bad = parse_flags(posted["follow_up_required"])
    noted = _disabled_notes(posted["follow_up_required"], bad)
    problems = [
        mask_problems(ids, bad & ~noted, "follow_up_required", posted["follow_up_required"])
    ]
    callback, callback_problems = _callback_columns(ids, [posted[s] for s in CALLBACK_SOURCES])
    columns = {"follow_up_required": required.array, **callback}
    return columns, [*problems, *callback_problems]


def _disabled_notes(values: list[Any], bad: pd.Series) -> np.ndarray:
    """True where ``follow_up.required`` is the platform's note ``"follow_up disabled"`` (NA,
    silently: the feature is off, so nothing is known)."""
    noted = np.zeros(len(values), dtype=bool)
    flagged = np.flatnonzero(bad.to_numpy(dtype=bool))
    if len(flagged):
        text = text_column([values[i] for i in flagged])[0].str.lower()
        noted[flagged] = text.str.contains("disabled", regex=False).fillna(False).to_numpy(bool)
    return noted


def _callback_columns(
    ids: Any, raw: list[list[Any]]
) -> tuple[dict[str, Any], list[pd.DataFrame | None]]:
    """``callback_at``, ``callback_text`` and ``callback_source`` from the raw values of each
    of :data:`CALLBACK_SOURCES` (every distinct value parsed once), and problems.

    The sources form a (source, call) grid, of the calls where any is present: the first
    source with a time gives the call's ``callback_at`` and text; without one, the first
    source present gives the text."""
    read = [time_values(values) for values in raw]  # a loop over the 7 sources
    present = ~pd.isna(np.stack([keys for keys, _, _ in read]))
    rows = np.flatnonzero(present.any(axis=0))  # the calls with a source, often few
    stamps, unparsed = parse_zoned_timestamps(np.concatenate([k[rows] for k, _, _ in read]))
    at = _naive(stamps).reshape(len(raw), len(rows))
    timed, found, each = ~np.isnat(at), present[:, rows], np.arange(len(rows))
    first = np.where(timed.any(axis=0), timed.argmax(axis=0), found.argmax(axis=0))
    texts = np.stack([t[rows] for _, t, _ in read])
    callback_at, text, source = _nat(len(ids)), _nones(len(ids)), _nones(len(ids))
    callback_at[rows], text[rows] = at[first, each], texts[first, each]
    source[rows] = np.array(CALLBACK_SOURCES, dtype=object)[first]
    columns = {
        "callback_at": pd.Series(callback_at).dt.tz_localize("UTC").astype(TIMESTAMP).array,
        "callback_text": pd.Series(text, dtype=TEXT).array,
        "callback_source": pd.Series(source, dtype=TEXT).array,
    }
    bad, chosen = np.zeros(present.shape, dtype=bool), np.zeros(len(ids), dtype=np.intp)
    bad[:, rows], chosen[rows] = unparsed.to_numpy(dtype=bool).reshape(at.shape), first
    return columns, _callback_problems(ids, raw, read, bad, chosen)


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")


def _nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _callback_problems(
    ids: Any,
    raw: list[list[Any]],
    read: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    bad: np.ndarray,
    chosen: np.ndarray,
) -> list[pd.DataFrame | None]:
    """A problem for each value of a type no time has in a source of :data:`_READ_SOURCES`,
    and for each value present but not a time in a source of :data:`_STRICT_SOURCES` (or not
    text, in one of :data:`_READ_SOURCES`)."""
    problems = []
    for k, source in enumerate(CALLBACK_SOURCES):  # a loop over the 7 sources
        if source not in _READ_SOURCES:
            continue
        keys, text, wrong = read[k]
        problems.append(mask_problems(ids, wrong, source, raw[k]))
        flagged = (
            bad[k] if source in _STRICT_SOURCES or not bad[k].any() else bad[k] & (keys != text)
        )
        if flagged.any():
            said = [(t, CALLBACK_SOURCES[c]) for t, c in zip(text, chosen)]
            problems.append(mask_problems(ids, flagged, source, said, _not_a_time(source)))
    return problems


def _not_a_time(source: str) -> Callable[[Any], str]:
    def say(value: Any) -> str:
        text, chosen = value
        where = (
            "kept in callback_text (callback_at is NaT)"
            if chosen == source
            else f"callback_at is read from {chosen}"
        )
        return f"{source} {show(text)} is not a date and time; {where}"

    return say


def _pending(data: Any) -> bool:
    """True when ``output.data`` says the evaluation is still to come."""
    return isinstance(data, str) and _PENDING_EVALUATION in data


def _parse_call_columns(
    frame: pd.DataFrame, calls: list[Output], found: list[pd.DataFrame | None]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    times = {key: [getattr(o, key) for o in calls] for key in ("start_time", "end_time")}
    frame, time_problems = _parse_time_columns(frame, times)
    ids = frame["task_id"]
    duration, duration_problems = _bounded(ids, [o.duration for o in calls], "duration")
    cost, cost_problems = _bounded(ids, [o.cost for o in calls], "cost")
    elapsed, elapsed_problems = _elapsed(frame, needed=duration.isna().to_numpy(dtype=bool))
    kind = frame["call_type"].str.lower().map(CALL_TYPES).astype(TEXT)
    bad_kind = frame["call_type"].notna() & kind.isna()
    problems = [
        *found,
        time_problems,
        duration_problems,
        cost_problems,
        elapsed_problems,
        mask_problems(ids, bad_kind, "call_type", frame["call_type"]),
    ]
    frame = frame.assign(
        duration_s=duration.fillna(elapsed).to_numpy(),
        cost=cost.to_numpy(),
        call_type=kind,
        outcome=canonical_outcomes(frame["outcome_raw"]),
        success_score=_scores(frame["success_evaluator"]),
        voicemail=voicemail_flags(frame["voicemail"], frame["end_reason"], frame["call_status"]),
    )
    return frame, concat_problems(problems)


_VERDICTS = {"true": "1", "false": "0"}
"""A pass/fail evaluation as the score it stands for."""


def _scores(evaluator: pd.Series) -> np.ndarray:
    """``success_score``: the evaluator's number, ``true``/``false`` as 1/0."""
    verdicts = evaluator.str.strip().str.lower().map(_VERDICTS)
    scores: np.ndarray = parse_numbers(verdicts.fillna(evaluator))[0].to_numpy()
    return scores


_LIMITS = {
    "duration": (MAX_CALL_SECONDS, " s", "call length"),
    "cost": (MAX_CALL_COST, "", "call cost"),
    "transcript.secondsFromStart": (MAX_CALL_SECONDS, " s", "time into a call"),
}
"""Per bounded field: the largest possible value, its unit and what it measures."""


def _bounded(
    ids: Any, raw: list[Any], field: str, used: np.ndarray | None = None
) -> tuple[pd.Series, pd.DataFrame]:
    """A bounded column (:data:`_LIMITS`): NA where unreadable or impossible, with a problem
    for each such value (only where ``used``, when given)."""
    high, unit, what = _LIMITS[field]
    return bounded_column(ids, raw, field, high=high, what=what, unit=unit, used=used)


def _elapsed(frame: pd.DataFrame, needed: np.ndarray) -> tuple[pd.Series, pd.DataFrame | None]:
    """``end_time - start_time`` in seconds; where it stands in for a missing duration
    (``needed``) and lies outside ``0..MAX_CALL_SECONDS``, NA with a ``duration_s`` problem
    (the times themselves stay)."""
    elapsed = (frame["end_time"] - frame["start_time"]).dt.total_seconds().astype("Float64")
    outside = (elapsed < 0) | (elapsed > MAX_CALL_SECONDS)
    impossible = needed & outside.fillna(False).to_numpy(dtype=bool)

    def say(value: Any) -> str:
        return (
            f"end_time - start_time is {spell_number(value)} s, not a possible call length "
            f"(0..{MAX_CALL_SECONDS:,} s); duration_s left NA"
        )

    problems = mask_problems(frame["task_id"], impossible, "duration_s", elapsed, say)
    return elapsed.where(~impossible), problems


def _with_turn_counts(calls: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Add the turn counts, ``connected`` (answered status and a user turn) and
    ``has_conversation`` (an agent turn and a user turn: the calls that conversation metrics,
    keyword rates and their medians are taken over)."""
    answered = calls["call_status"].isin(ANSWERED_CALL_STATUSES).astype("boolean")
    calls = calls.assign(**counts.set_axis(calls.index))
    connected = answered & (calls["n_user_turns"] > 0)
    spoke = [calls[f"n_{side}_turns"].fillna(0).gt(0).to_numpy(bool) for side in ("agent", "user")]
    return conform(
        calls.assign(connected=connected, has_conversation=spoke[0] & spoke[1]), CALLS_SCHEMA
    )


# --- turns ----------------------------------------------------------------------------------


def _turns_table(
    calls: pd.DataFrame, transcripts: list[Any]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``turns`` from every call's transcript; per-call turn counts; problems."""
    read = [messages_of(t) for t in transcripts]
    lists = [m for m, _ in read]
    problems = problem_frame(
        [
            {"task_id": i, "field": "transcript", "problem": p}
            for i, (_, p) in zip(calls["task_id"], read)
            if p
        ]
    )
    lengths = np.array([len(m) if m is not None else 0 for m in lists], dtype="int64")
    flat = list(chain.from_iterable(m for m in lists if m))
    turns, turn_problems = _turn_columns(flat, calls, lengths)
    known = np.array([m is not None for m in lists], dtype=bool)
    counts = _turn_counts(turns, lengths, known=known)
    return turns, counts, concat_problems([problems, turn_problems])


def _turn_columns(
    flat: list[Message], calls: pd.DataFrame, lengths: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The turns frame: one list per field gathered from the messages, then parsed once."""
    owner = np.repeat(np.arange(len(calls)), lengths)
    task_ids = calls["task_id"].to_numpy()[owner]
    raw_text = [
        m.content if m.content is not None else m.message if m.message is not None else m.text
        for m in flat
    ]
    text, bad_text = text_column(raw_text, nulls=False)
    raw_roles = [m.role if m.role is not None else m.speaker for m in flat]
    roles, bad_roles = text_column(raw_roles)
    raw_stamps = [m.timestamp for m in flat]
    stamp, bad_stamp, bad_time = _turn_timestamps(raw_stamps, flat)
    start = _naive(calls["start_time"])[owner]
    offset, offset_problems = _offsets(stamp, start, owner, flat, task_ids)
    talk, talk_problems = turn_durations(flat, task_ids)
    turns = pd.DataFrame(
        {
            "task_id": task_ids,
            "call_id": calls["call_id"].to_numpy()[owner],
            "turn": np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths),
            "speaker": speakers(roles),
            "role": roles,
            "text": text,
            "timestamp": stamp,
            "offset_s": offset,
            "duration_s": talk.to_numpy(),
            "n_words": word_counts(text),
        }
    )
    problems = [
        mask_problems(
            task_ids, bad_text, "transcript.content", raw_text, _text_problem("transcript.content")
        ),
        mask_problems(
            task_ids, bad_roles, "transcript.role", raw_roles, _text_problem("transcript.role")
        ),
        mask_problems(task_ids, bad_stamp, "transcript.timestamp", raw_stamps),
        mask_problems(task_ids, bad_time, "transcript.time", _times(flat, bad_time)),
        offset_problems,
        talk_problems,
    ]
    return conform(turns, TURNS_SCHEMA), concat_problems(problems)


def _turn_timestamps(
    raw: list[Any], flat: list[Message]
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``timestamp`` of each message, else its ``time`` (VAPI: epoch milliseconds); where
    each was present but unreadable."""
    stamp, bad = _timestamps(raw)
    bad_time = np.zeros(len(raw), dtype=bool)
    untimed = np.flatnonzero(stamp.isna().to_numpy())
    if len(untimed):
        times, bad_time[untimed] = _timestamps([flat[i].time for i in untimed])
        stamp.iloc[untimed] = times.array
    return stamp, bad, bad_time


def _times(flat: list[Message], bad: np.ndarray) -> list[Any]:
    """The raw ``time`` of each message, gathered only when one is flagged."""
    return [m.time for m in flat] if bad.any() else []


def _timestamps(raw: list[Any]) -> tuple[pd.Series, np.ndarray]:
    """:func:`~analytics.load.parse.parse_timestamps` of a raw list, NaN flagged too: in a
    payload it is a ``NaN`` token, not pandas' missing marker."""
    stamps, bad = parse_timestamps(raw, nan_is_missing=False)
    return stamps, bad.to_numpy(dtype=bool)


def _naive(stamps: pd.Series) -> np.ndarray:
    """UTC timestamps as naive ``datetime64[ns]`` (fast numpy arithmetic, NaT kept)."""
    naive: np.ndarray = stamps.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    return naive


def _offsets(
    stamp: pd.Series, call_start: np.ndarray, owner: np.ndarray, flat: list[Message], ids: Any
) -> tuple[pd.Series, pd.DataFrame | None]:
    """Seconds since the call's start, else since its first timed turn, else secondsFromStart
    (within ``0..MAX_CALL_SECONDS``; a problem for each impossible one that was needed)."""
    times = _naive(stamp)
    origin = call_start
    if np.isnat(call_start[~np.isnat(times)]).any():
        first = pd.Series(times).groupby(owner).transform("min").to_numpy()
        origin = np.where(np.isnat(call_start), first, call_start)
    offset = pd.Series((times - origin) / np.timedelta64(1, "s"), dtype="Float64")
    needed = offset.isna().to_numpy(dtype=bool)
    if not needed.any() or not any(m.secondsFromStart is not None for m in flat):
        return offset, None  # every turn timed by its stamp, or no secondsFromStart at all
    raw = [m.secondsFromStart for m in flat]
    seconds, problems = _bounded(ids, raw, "transcript.secondsFromStart", used=needed)
    return offset.fillna(seconds), problems


def _turn_counts(turns: pd.DataFrame, lengths: np.ndarray, known: np.ndarray) -> pd.DataFrame:
    """Turns per call and per speaker; NA where the call has no (readable) transcript."""
    owner = np.repeat(np.arange(len(lengths)), lengths)
    counts = {"n_turns": lengths.astype("float64")}
    for who in ("agent", "user"):
        hits = turns["speaker"].eq(who).to_numpy(dtype=bool)
        counts[f"n_{who}_turns"] = np.bincount(owner, weights=hits, minlength=len(lengths))
    frame = pd.DataFrame(counts).astype("Int64")
    frame.loc[~known] = pd.NA
    return frame


# --- problems -------------------------------------------------------------------------------


def _parse_time_columns(
    frame: pd.DataFrame, raw: dict[str, list[Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` with each raw list of ``raw`` added as a timestamp column; problems."""
    parsed, problems = {}, []
    for column, values in raw.items():
        parsed[column], bad = _timestamps(values)
        parsed[column].index = frame.index
        problems.append(mask_problems(frame["task_id"], bad, column, values))
    return frame.assign(**parsed), concat_problems(problems)
