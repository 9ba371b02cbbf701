"""A typed view of the run-tasks payload, decoded by msgspec, with a lenient way in.

The loader reads only a few dozen of the keys a task carries. Decoding straight into these
:class:`msgspec.Struct` types skips everything else without building it (half the time of
``json.loads`` on a real run, and a fraction of its memory), and gives attribute access that
is cheap enough to gather a column per field in one pass.

Every field whose type varies on the platform is typed ``Any`` and parsed later, column-wise,
by :mod:`analytics.load.parse`. Only the containers are typed (``output``, ``transcript``,
``post_call_data``). A task whose containers have an unexpected type is repaired by
:func:`to_task`: the unreadable part is dropped and reported, the rest is kept.

Examples
--------
>>> task, problems = to_task({"task_id": "T1", "output": {"transcript": [{"role": "user"}, 7]}})
>>> [m.role for m in task.output.transcript], problems[0]["field"]
(['user'], 'transcript')
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from analytics.load.parse import is_valid_text, show, transcript_messages

__all__ = [
    "Adapted",
    "Classification",
    "FollowUp",
    "Message",
    "Metadata",
    "Output",
    "PostCall",
    "Problem",
    "ProfileSummary",
    "Summary",
    "Task",
    "Usage",
    "decode_tasks",
    "messages_of",
    "problem_row",
    "text_keys",
    "to_task",
]


class Problem(TypedDict):
    """One value the loader could not read: a row of ``run.problems`` (``PROBLEMS_SCHEMA``)."""

    task_id: Any  # the raw task_id, None when the task has none
    field: str
    problem: str


class Message(msgspec.Struct, gc=False):
    """One transcript item: text in ``content``, ``message`` or ``text``."""

    role: Any = None
    speaker: Any = None
    content: Any = None
    message: Any = None
    text: Any = None
    timestamp: Any = None
    time: Any = None
    secondsFromStart: Any = None  # the platform's (camelCase) key
    endTime: Any = None  # epoch ms: with ``time``, the turn's talk time
    duration: Any = None  # ms: the talk time when ``endTime`` is absent


class MessageList(msgspec.Struct, gc=False):
    """The ``{"messages": [...]}`` transcript shape."""

    messages: list[Message]


class Summary(msgspec.Struct, gc=False):
    """``post_call_data.summary`` as an object (it may also be plain text)."""

    status: Any = None
    summary: Any = None
    name: Any = None
    contact: Any = None
    callback_datetime: Any = None


class FollowUp(msgspec.Struct, gc=False):
    """``post_call_data.follow_up`` (it may also be a JSON string)."""

    required: Any = None
    time: Any = None
    reason: Any = None


class ProfileSummary(msgspec.Struct, gc=False):
    """``post_call_data.profile_summary``: the key the loader reads (it may also be text)."""

    callback_time: Any = None


class Classification(msgspec.Struct, gc=False):
    """``post_call_data.classification`` (it may also be a JSON string)."""

    labels: Any = None


class PostCall(msgspec.Struct, gc=False):
    """``output.post_call_data``: the keys the loader reads."""

    summary: Summary | str | None = None
    outcome: Any = None
    classification: Classification | str | None = None
    success_evaluator: Any = None
    structured_data: Any = None
    follow_up: FollowUp | str | None = None
    profile_summary: ProfileSummary | str | None = None


class Adapted(msgspec.Struct, gc=False):
    """What an adapter of another platform (:mod:`analytics.load.retell`,
    :mod:`analytics.load.vapi`) read beyond the Unpod fields, already in our units: seconds,
    the currency's main unit. A value that could not be converted is passed on as found, and
    the loader reports it. Unpod payloads never fill it (its JSON key,
    ``__analytics_adapted__``, is not one the platform writes)."""

    platform: Any = None
    platform_status: Any = None
    agent_version: Any = None
    channel: Any = None
    latency_e2e_p50_s: Any = None
    latency_e2e_p90_s: Any = None
    latency_llm_p50_s: Any = None
    latency_tts_p50_s: Any = None
    latency_asr_p50_s: Any = None
    user_interruptions: Any = None
    agent_interruptions: Any = None
    sentiment_label: Any = None
    voicemail: Any = None
    llm_prompt_tokens: Any = None
    llm_completion_tokens: Any = None
    tts_characters: Any = None
    cost_parts: Any = None


class Usage(msgspec.Struct, gc=False):
    """``output.metadata.usage``: what the call consumed."""

    llm_prompt_tokens: Any = None
    llm_completion_tokens: Any = None
    tts_characters_count: Any = None


class Metadata(msgspec.Struct, gc=False):
    """``output.metadata``: the key the loader reads (``usage``)."""

    usage: Usage | None = None


class Output(msgspec.Struct, gc=False):
    """A task's ``output``: the call fields the loader reads."""

    call_id: Any = None
    customer: Any = None
    contact_number: Any = None
    call_type: Any = None
    type: Any = None
    call_status: Any = None
    call_end_reason: Any = None
    end_reason: Any = None
    start_time: Any = None
    end_time: Any = None
    duration: Any = None
    cost: Any = None
    recording_url: Any = None
    call_summary: Any = None
    outcome: Any = None
    data: Any = None
    post_call_data: PostCall | str | None = None
    transcript: list[Message] | MessageList | str | None = None
    metadata: Any = None
    adapted: Adapted | None = msgspec.field(default=None, name="__analytics_adapted__")


class Task(msgspec.Struct, gc=False):
    """One task of a run-tasks response. ``task_id`` is required to tell a task from any
    other object (a task without one comes through :func:`to_task`, kept with None)."""

    task_id: Any
    run_id: Any = None
    space_id: Any = None
    thread_id: Any = None
    assignee: Any = None
    status: Any = None
    execution_type: Any = None
    created: Any = None
    modified: Any = None
    task: Any = None
    user_info: Any = None
    input: Any = None
    output: Output | None = None


class _Response(msgspec.Struct, gc=False):
    data: list[Task]
    status_code: Any = None


_DECODER = msgspec.json.Decoder(_Response | list[Task])


def decode_tasks(raw: bytes | str) -> list[Task] | None:
    """Typed decode of a response or a bare task list; None when the text is anything else.

    None sends the caller to the lenient path (untyped decode, then :func:`to_task` per
    item), which also gives the precise error for input that is not a run at all.
    """
    try:
        decoded = _DECODER.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    if isinstance(decoded, list):
        return decoded
    return decoded.data if decoded.status_code in (None, 200) else None


def to_task(obj: dict[str, Any]) -> tuple[Task, list[Problem]]:
    """A task dict as a :class:`Task`, repairing what has the wrong shape.

    Returns the task and one problem dict (``task_id, field, problem``) per repair. The
    input is never mutated, and the values of fields the loader does not read are never
    walked (however deeply they nest).
    """
    try:
        return msgspec.convert(obj, Task), []
    except (msgspec.ValidationError, UnicodeEncodeError):  # a key msgspec cannot compare
        repaired, problems = _repair(obj)
    try:
        return msgspec.convert(repaired, Task), problems
    except (msgspec.ValidationError, UnicodeEncodeError) as err:  # not expected (repaired)
        task_id = repaired.get("task_id")
        found = f"the task could not be read ({err}); only its task_id is kept"
        return Task(task_id=task_id), [*problems, problem_row(task_id, "task", found)]


def text_keys(obj: dict[Any, Any]) -> dict[str, Any]:
    """``obj`` without the keys that cannot name a field: not text (a Python source may have
    them), or with a lone surrogate (msgspec cannot compare those with a struct's fields)."""
    if all(type(k) is str and is_valid_text(k) for k in obj):
        return obj
    return {k: v for k, v in obj.items() if type(k) is str and is_valid_text(k)}


def _repair(obj: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    obj = {"task_id": None, **text_keys(obj)}
    task_id = obj["task_id"]
    output = obj.get("output")
    if output is not None and not isinstance(output, dict):
        problem = (
            f"output is a {type(output).__name__} ({show(output)}), expected an "
            "object; its call data is unreadable"
        )
        return {**obj, "output": None}, [problem_row(task_id, "output", problem)]
    if output is None:
        return obj, []
    fixed, problems = _repair_output(text_keys(output), task_id)
    return {**obj, "output": fixed}, problems


def _repair_output(output: dict[str, Any], task_id: Any) -> tuple[dict[str, Any], list[Problem]]:
    post, problems = _repair_post(output.get("post_call_data"), task_id)
    transcript, problem = _repair_transcript(output.get("transcript"))
    problems += [problem_row(task_id, "transcript", problem)] if problem else []
    return {**output, "post_call_data": post, "transcript": transcript}, problems


_POST_OBJECTS = ("summary", "classification", "follow_up", "profile_summary")
"""The parts of ``post_call_data`` typed as objects (or their JSON text)."""


def _repair_post(post: Any, task_id: Any) -> tuple[Any, list[Problem]]:
    """Drop the parts of ``post_call_data`` that are neither objects nor text."""
    if post is None or isinstance(post, str):
        return post, []
    if not isinstance(post, dict):
        found = f"post_call_data is a {type(post).__name__} ({show(post)}), expected an object"
        return None, [problem_row(task_id, "post_call_data", found)]
    post = text_keys(post)
    wrong = [
        k for k in _POST_OBJECTS if post.get(k) is not None and not isinstance(post[k], (dict, str))
    ]
    problems = [
        problem_row(
            task_id,
            f"post_call_data.{k}",
            f"{k} is a {type(post[k]).__name__} ({show(post[k])}), expected an "
            "object or text; left NA",
        )
        for k in wrong
    ]
    objects = {
        k: text_keys(post[k])
        for k in _POST_OBJECTS
        if k not in wrong and isinstance(post.get(k), dict)
    }
    return {**post, **dict.fromkeys(wrong), **objects}, problems


def _repair_transcript(value: Any) -> tuple[list[Any] | None, str | None]:
    if value is None:
        return None, None
    messages, problem = transcript_messages(value)
    if problem:
        return None, problem
    good = [text_keys(m) for m in messages if isinstance(m, dict)]
    if len(good) == len(messages):
        return good, None
    first = next(m for m in messages if not isinstance(m, dict))
    problem = (
        f"{len(messages) - len(good)} of {len(messages)} transcript items are not "
        f"message objects (the first: {show(first)}); they were skipped"
    )
    return (good or None), problem


def problem_row(task_id: Any, field: str, problem: str) -> Problem:
    """One problem row as a dict (:class:`Problem`)."""
    return {"task_id": task_id, "field": field, "problem": problem}


def messages_of(transcript: Any) -> tuple[list[Message] | None, str | None]:
    """One call's transcript as Messages (None when absent or unreadable) and a problem.

    Typed decoding leaves the text shapes (JSON string, ``"AI: ...\\nUser: ..."``) as str;
    they are read here, once per call.
    """
    if transcript is None or isinstance(transcript, list):
        return transcript, None
    if isinstance(transcript, MessageList):
        return transcript.messages, None
    messages, problem = _repair_transcript(transcript)
    return (None if messages is None else msgspec.convert(messages, list[Message])), problem
