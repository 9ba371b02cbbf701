"""Column dtypes of the tidy tables and the value vocabularies they use.

This module is the single place that says what a column is. The loader builds every frame
through :func:`empty_frame` / :func:`conform`, so an empty run and a full run have the same
columns and dtypes, and the analyses rely on these names (summarised in the README, "Tables").

Examples
--------
>>> from analytics.schema import TURNS_SCHEMA, empty_frame
>>> list(empty_frame(TURNS_SCHEMA).columns)[:4]
['task_id', 'call_id', 'turn', 'speaker']
>>> canonical_outcome("call back"), canonical_outcome("InterestedIn"), canonical_outcome("zzz")
('Call Back', 'Interested', 'Other')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final, Literal, TypeAlias

import pandas as pd

TIMESTAMP: Final = "datetime64[ns, UTC]"
TEXT: Final = "str"
COUNT: Final = "Int64"
MEASURE: Final = "Float64"
FLAG: Final = "boolean"
BOOL: Final = "bool"

DtypeName: TypeAlias = Literal["datetime64[ns, UTC]", "str", "Int64", "Float64", "boolean", "bool"]
"""The dtype of a table column: one of :data:`TIMESTAMP`, :data:`TEXT`, :data:`COUNT`,
:data:`MEASURE`, :data:`FLAG`, :data:`BOOL` (a ``Literal``, so that type checkers know what
``astype`` returns)."""

TASKS_SCHEMA: dict[str, DtypeName] = {
    "task_id": TEXT,
    "run_id": TEXT,
    "space_id": TEXT,
    "thread_id": TEXT,
    "assignee": TEXT,
    "status": TEXT,
    "execution_type": TEXT,
    "objective": TEXT,
    "user_email": TEXT,
    "user_name": TEXT,
    "created": TIMESTAMP,
    "modified": TIMESTAMP,
    "has_call": BOOL,
    "n_seen": COUNT,
}
"""``tasks``: one row per task; ``n_seen`` counts how often its ``task_id`` came in the input
(duplicates are kept once, newest ``modified`` winning); ``input_<key>`` columns (text) follow."""

CALLS_SCHEMA: dict[str, DtypeName] = {
    "task_id": TEXT,
    "call_id": TEXT,
    "run_id": TEXT,
    "assignee": TEXT,
    "customer": TEXT,
    "call_type": TEXT,
    "call_status": TEXT,
    "end_reason": TEXT,
    "start_time": TIMESTAMP,
    "end_time": TIMESTAMP,
    "duration_s": MEASURE,
    "cost": MEASURE,
    "recording_url": TEXT,
    "outcome": TEXT,
    "outcome_raw": TEXT,
    "summary": TEXT,
    "labels": TEXT,
    "success_score": MEASURE,
    "success_evaluator": TEXT,
    "structured_data": TEXT,
    "contact": TEXT,
    "callback_at": TIMESTAMP,
    "callback_text": TEXT,
    "callback_source": TEXT,
    "follow_up_required": FLAG,
    "follow_up_reason": TEXT,
    "platform": TEXT,
    "platform_status": TEXT,
    "channel": TEXT,
    "agent_version": TEXT,
    "latency_e2e_p50_s": MEASURE,
    "latency_e2e_p90_s": MEASURE,
    "latency_llm_p50_s": MEASURE,
    "latency_tts_p50_s": MEASURE,
    "latency_asr_p50_s": MEASURE,
    "user_interruptions": COUNT,
    "agent_interruptions": COUNT,
    "sentiment_label": TEXT,
    "voicemail": FLAG,
    "llm_prompt_tokens": COUNT,
    "llm_completion_tokens": COUNT,
    "tts_characters": COUNT,
    "cost_parts": TEXT,
    "n_turns": COUNT,
    "n_agent_turns": COUNT,
    "n_user_turns": COUNT,
    "evaluated": FLAG,
    "connected": FLAG,
    "has_conversation": BOOL,
}
"""``calls``: one row per task whose output holds call data.

``customer`` is the contact's name as the platform wrote it (``output.customer``, else the
summary's ``name``). ``labels`` is ``"; "``-joined. ``outcome`` is canonical
(:data:`OUTCOMES`), ``outcome_raw`` the platform's label. ``connected`` is true when
``call_status`` is in :data:`ANSWERED_CALL_STATUSES` and the transcript has a user turn; NA
when the status is answered but no transcript has arrived yet (``evaluated`` false or
transcript missing). ``has_conversation`` is true when the transcript has at least one agent
turn and one user turn: the one rule for which calls conversation metrics, keyword rates and
their medians cover (a call nobody answered has nothing to measure).

The follow-up columns: ``contact`` is the contact's phone number (``output.contact_number``,
else the summary's ``contact``). ``callback_at`` is the follow-up time the call asked for, from
the first of :data:`CALLBACK_SOURCES` that holds a date and time; it is read with the zone
written in it (an offset, ``Z``, or a trailing IANA name such as ``Asia/Kolkata``), and a time
without one is taken as UTC, as every time of the tables is. ``callback_text`` is the text it
came from, kept even when no source is a time (``"11 AM"``: ``callback_at`` is then NaT and the
text is that of the first source present), and ``callback_source`` names that source.
``follow_up_required`` is ``follow_up.required`` when it is a boolean (NA otherwise, as for
``"follow_up disabled"``), ``follow_up_reason`` its ``reason``.

The platform columns: ``platform`` is where the call ran (:data:`PLATFORMS`), and
``platform_status`` that platform's own call status (NA for Unpod, whose ``call_status`` is its
own; for the others ``call_status`` is derived from their status and end reason, so that
``connected`` means the same everywhere). ``channel`` is ``phone`` or ``web``, ``agent_version``
the agent's version where the platform numbers them. The ``latency_*_s`` columns are the
platform's own per-call measures in seconds: ``e2e`` from the caller stopping to the agent
starting to speak (median and 90th percentile over the call's turns), ``llm``, ``tts`` and
``asr`` medians of the model, the voice and the transcriber. ``user_interruptions`` and
``agent_interruptions`` count the times the caller and the agent were talked over.
``sentiment_label`` is the platform's word for the caller's sentiment (``Positive``,
``Neutral``, ``Negative``, ``Unknown``). ``voicemail`` is the platform's voicemail flag, else
true when the end reason or the status means voicemail (false for any other known end).
``llm_prompt_tokens``, ``llm_completion_tokens`` and ``tts_characters`` are the call's usage,
and ``cost_parts`` the parts of its cost as a JSON object in the currency's main unit.
"""

PLATFORMS = ("unpod", "retell", "vapi")
"""The platforms whose payloads :func:`~analytics.load.load_run` reads: the values of
``calls.platform``."""

CALLBACK_SOURCES = (
    "summary.callback_datetime",
    "follow_up.time",
    "profile_summary.callback_time",
    "structured_data.callback_datetime",
    "structured_data.callback_time",
    "structured_data.follow_up_time",
    "structured_data.preferred_time",
)
"""Where ``calls.callback_at`` is read from, in order of preference: keys of
``post_call_data`` (its ``summary``, ``follow_up`` and ``profile_summary``), then keys of its
``structured_data``. The names are the values of ``calls.callback_source``."""

TURNS_SCHEMA: dict[str, DtypeName] = {
    "task_id": TEXT,
    "call_id": TEXT,
    "turn": COUNT,
    "speaker": TEXT,
    "role": TEXT,
    "text": TEXT,
    "timestamp": TIMESTAMP,
    "offset_s": MEASURE,
    "duration_s": MEASURE,
    "n_words": COUNT,
}
"""``turns``: one row per transcript message, key ``(task_id, turn)``. ``duration_s`` is the
turn's talk time where the platform stamped its end (``endTime - time``, else ``duration``);
NA otherwise."""

PROBLEMS_SCHEMA: dict[str, DtypeName] = {"task_id": TEXT, "field": TEXT, "problem": TEXT}
"""``problems``: one row per finding of the loader."""

TABLE_SCHEMAS: dict[str, dict[str, DtypeName]] = {
    "tasks": TASKS_SCHEMA,
    "calls": CALLS_SCHEMA,
    "turns": TURNS_SCHEMA,
    "problems": PROBLEMS_SCHEMA,
}
"""The four tables of a :class:`~analytics.load.Run`, by name, in the order a dataset stores
them."""

DATASET_SCHEMA_VERSION: Final = 1
"""The version of the table schemas a dataset's files were written with (its manifest says it).
It goes up when a column changes meaning or dtype; added columns read back as NA without it."""

MANIFEST_SCHEMA: dict[str, DtypeName] = {
    "space": TEXT,
    "run_id": TEXT,
    "run_name": TEXT,
    "created": TIMESTAMP,
    "run_status": TEXT,
    "tasks": COUNT,
    "calls": COUNT,
    "turns": COUNT,
    "problems": COUNT,
    "first_call_start": TIMESTAMP,
    "last_call_start": TIMESTAMP,
    "first_task_created": TIMESTAMP,
    "last_task_created": TIMESTAMP,
    "complete": BOOL,
    "server_tasks": COUNT,
    "synced_at": TIMESTAMP,
    "schema_version": COUNT,
    "content_hash": TEXT,
    "source": TEXT,
}
"""``Dataset.runs``: one row per run of a dataset, the entries of its ``manifest.json``.

``created``, ``run_name`` and ``run_status`` are the platform's (NA for a run imported from a
snapshot); ``first_call_start``/``last_call_start`` span its calls' start times and
``first_task_created``/``last_task_created`` its tasks' creation times (what a time filter
checks before opening a file); ``server_tasks`` is the task count the platform gave when the
run was synced (what a later sync compares to skip it); ``source`` is ``sync`` or
``import``."""

QUALITY_SCHEMA: dict[str, DtypeName] = {
    "task_id": TEXT,
    "field": TEXT,
    "check": TEXT,
    "detail": TEXT,
}
"""``quality_checks``: one row per data-quality finding."""

# --- vocabularies ---------------------------------------------------------------------------

SPEAKERS = ("agent", "user", "other")
ROLE_TO_SPEAKER: dict[str, str] = {
    **dict.fromkeys(("assistant", "agent", "ai", "bot", "robot"), "agent"),
    **dict.fromkeys(("user", "customer", "caller", "human"), "user"),
}
"""Raw transcript roles (lower-cased) to speakers; any other role is ``"other"``."""

CALL_TYPES: dict[str, str] = {
    "outbound": "outbound",
    "outboundphonecall": "outbound",
    "inbound": "inbound",
    "inboundphonecall": "inbound",
}
"""Raw ``call_type`` / ``type`` values (lower-cased) to ``inbound`` / ``outbound``."""

TASK_STATUSES = (
    "pending",
    "scheduled",
    "in_progress",
    "processing",
    "hold",
    "completed",
    "failed",
    "partially_completed",
)
UNFINISHED_TASK_STATUSES = frozenset({"pending", "scheduled", "in_progress", "processing", "hold"})
"""Task statuses that will still change: a run with such a task is not complete."""
FINAL_RUN_STATUSES = frozenset({"completed", "failed"})
"""Run statuses after which the platform starts no more calls for the run."""
CALL_STATUSES = (
    "connected",
    "notConnected",
    "failed",
    "cancelled",
    "completed",
    "busy",
    "voicemail",
    "droped",
    "callDispatched",
    "incall",
    "outcall",
)
ANSWERED_CALL_STATUSES = frozenset({"completed", "connected", "droped", "dropped"})
"""Call statuses that mean a person picked up (``droped`` is the platform's spelling)."""

OUTCOMES = (
    "Interested",
    "Call Back",
    "Send Details",
    "Not Interested",
    "Not Connected",
    "Abandoned",
    "Dropped",
    "Other",
)
"""The canonical business outcomes (``post_call_data.summary.status``); drift maps to these."""

_OUTCOME_ALIASES: dict[str, str] = {
    "interested": "Interested",
    "interestedin": "Interested",
    "veryinterested": "Interested",
    "callback": "Call Back",
    "callbackrequested": "Call Back",
    "senddetails": "Send Details",
    "informationsent": "Send Details",
    "notinterested": "Not Interested",
    "notconnected": "Not Connected",
    "abandoned": "Abandoned",
    "dropped": "Dropped",
    "droped": "Dropped",
}
_NOT_ALNUM = re.compile(r"[^a-z]")

MAX_CALL_SECONDS: Final = 86_400
"""The longest possible call, in seconds: one day. A ``duration`` (or, when it is absent,
``end_time - start_time``) outside ``0..MAX_CALL_SECONDS`` is not a call length but a unit slip
(milliseconds read as seconds), a sentinel or corrupt data: the loader makes it NA with a
``problems`` row, so that one such value cannot move a mean or a p95 (a single ``1e308`` made
the mean ``1e308`` and overflowed the arithmetic). A day is far above any phone call a voice
agent makes or takes (they last minutes), and still a round limit a person can check."""

MAX_CALL_COST: Final = 100_000
"""The largest possible ``cost`` of one call, in the platform's billing currency. A negative,
non-finite or larger cost is NA with a ``problems`` row. Call costs are cents to a few units
(the sample's are 0.01-0.3); 100,000 is a day-long call at about 70 per minute, far above
per-minute rates in USD or INR, so only corrupt values are caught."""

NULL_LITERALS = frozenset({"", "none", "null", "nan", "nat", "n/a", "undefined"})
"""Strings the platform writes for "no value" (compared lower-cased and stripped)."""


def outcome_key(label: str) -> str:
    """Fold a label to lower-case letters only: ``"Call-Back "`` -> ``"callback"``."""
    return _NOT_ALNUM.sub("", label.lower())


def canonical_outcome(label: object) -> str | None:
    """Map one raw outcome label to :data:`OUTCOMES`; unknown text -> ``"Other"``, null -> None."""
    if label is None or label is pd.NA or (isinstance(label, float) and label != label):
        return None
    text = str(label).strip()
    if text.lower() in NULL_LITERALS:
        return None
    return _OUTCOME_ALIASES.get(outcome_key(text), "Other")


def canonical_outcomes(raw: pd.Series, outcome_map: Mapping[str, str] | None = None) -> pd.Series:
    """Vectorised :func:`canonical_outcome` over a column (maps the distinct labels once).

    Parameters
    ----------
    raw : Series
        Raw outcome labels.
    outcome_map : dict of str to str, optional
        The user's own vocabulary: raw label -> canonical label (one of :data:`OUTCOMES`).
        Its labels are compared folded as :func:`outcome_key` folds them (``"Hot Lead"``,
        ``"hot-lead"`` and ``"HOT_LEAD"`` are one label; a label with no letter a-z, in
        another script, is compared case-folded as written), and it wins over the built-in
        aliases; labels it does not name are mapped as without it. Checked by
        :func:`check_outcome_map`.

    Examples
    --------
    >>> raw = pd.Series(["hot-lead", "Call back", "Interested", None])
    >>> canonical_outcomes(raw).tolist()
    ['Other', 'Call Back', 'Interested', nan]
    >>> canonical_outcomes(raw, {"Hot Lead": "Interested", "interested": "Send Details"}).tolist()
    ['Interested', 'Call Back', 'Send Details', nan]
    """
    folded = _folded_map(check_outcome_map(outcome_map)) if outcome_map is not None else {}
    uniques = raw.dropna().unique()
    mapping = {u: _mapped_outcome(u, folded) for u in uniques}
    return raw.map(mapping).astype(TEXT)


def _fold_label(label: str) -> str:
    """A label as outcome maps compare it: :func:`outcome_key`, or, when that leaves nothing
    (no letter a-z), the label stripped and case-folded."""
    return outcome_key(label) or label.strip().casefold()


def _folded_map(outcome_map: Mapping[str, str]) -> dict[str, str]:
    return {_fold_label(k): v for k, v in outcome_map.items()}


def _mapped_outcome(label: object, folded: Mapping[str, str]) -> str | None:
    if folded and isinstance(label, str) and label.strip().lower() not in NULL_LITERALS:
        found = folded.get(_fold_label(label))
        if found is not None:
            return found
    return canonical_outcome(label)


def check_outcome_map(mapping: object) -> dict[str, str]:
    """Check an outcome map (raw label -> canonical outcome) and return it as a plain dict.

    Raises
    ------
    TypeError
        ``mapping`` is not a dict, or a label or an outcome is not text.
    ValueError
        An outcome is not one of :data:`OUTCOMES` (spelled exactly), a label is a null literal
        such as ``"N/A"`` or empty, or two labels that fold to one (``"Hot Lead"``,
        ``"hot-lead"``) map to different outcomes.

    Examples
    --------
    >>> check_outcome_map({"Hot Lead": "Interested"})
    {'Hot Lead': 'Interested'}
    >>> check_outcome_map({"Hot Lead": "Intrested"})
    Traceback (most recent call last):
    ...
    ValueError: outcome map: label 'Hot Lead' maps to 'Intrested', not a canonical outcome; ...
    """
    if not isinstance(mapping, Mapping):
        raise TypeError(
            f"an outcome map is a dict of raw label -> canonical outcome, got {mapping!r}"
        )
    seen: dict[str, tuple[str, str]] = {}
    for label, outcome in mapping.items():
        _check_outcome_entry(label, outcome)
        key = _fold_label(label)
        first = seen.setdefault(key, (label, outcome))
        if first[1] != outcome:
            raise ValueError(
                f"outcome map: labels {first[0]!r} and {label!r} are one label (compared "
                f"folded) but map to {first[1]!r} and {outcome!r}: keep one of them"
            )
    return dict(mapping)


def _check_outcome_entry(label: object, outcome: object) -> None:
    if not isinstance(label, str) or not isinstance(outcome, str):
        raise TypeError(f"outcome map: labels and outcomes are text, got {label!r} -> {outcome!r}")
    if label.strip().lower() in NULL_LITERALS:
        raise ValueError(
            f"outcome map: label {label!r} means 'no value' and matches no outcome label; remove it"
        )
    if outcome not in OUTCOMES:
        raise ValueError(
            f"outcome map: label {label!r} maps to {outcome!r}, not a canonical outcome; "
            f"use one of {', '.join(OUTCOMES)}"
        )


END_REASONS = (
    "customer_hangup",
    "agent_hangup",
    "voicemail",
    "no_answer",
    "busy",
    "failed",
    "transferred",
    "silence_timeout",
    "max_duration",
    "error",
    "other",
)
"""The canonical reasons a call ended, shared by every platform: the caller or the agent hung up,
a voicemail answered, nobody answered, the line was busy, the dial failed, the call was
transferred, it ended on silence, it reached its maximum length, a system error ended it, or
anything else. :func:`canonical_end_reason` maps a platform's spelling onto them."""

_END_REASON_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "userhangup",
            "customerhangup",
            "callerhangup",
            "customerendedcall",
            "userendedcall",
            "hangup",
            "participantdisconnected",
            "clientinitiated",
            "remotehangup",
        ),
        "customer_hangup",
    ),
    **dict.fromkeys(
        (
            "agenthangup",
            "assistanthangup",
            "assistantendedcall",
            "agentendedcall",
            "botendedcall",
            "assistantsaidendcallphrase",
            "assistantendedcallaftermessagespoken",
            "assistantendedcallwithhangupmessage",
            "endcallfunction",
            "endcall",
        ),
        "agent_hangup",
    ),
    **dict.fromkeys(("machinedetected", "answeringmachine", "amd"), "voicemail"),
    **dict.fromkeys(
        (
            "noanswer",
            "dialnoanswer",
            "customerdidnotanswer",
            "notanswered",
            "unanswered",
            "ringtimeout",
            "notconnected",
            "noresponse",
        ),
        "no_answer",
    ),
    **dict.fromkeys(
        (
            "callcancelled",
            "cancelled",
            "canceled",
            "invaliddestination",
            "invalidnumber",
            "dialfailed",
            "failed",
            "callfailed",
            "rejected",
            "declined",
            "unreachable",
            "twiliofailedtoconnectcall",
            "vonagefailedtoconnectcall",
        ),
        "failed",
    ),
    **dict.fromkeys(
        (
            "calltransfer",
            "transferred",
            "transfer",
            "assistantforwardedcall",
            "forwarded",
            "warmtransfer",
            "coldtransfer",
        ),
        "transferred",
    ),
    **dict.fromkeys(
        ("inactivity", "silencetimedout", "silencetimeout", "userinactivity", "idletimeout"),
        "silence_timeout",
    ),
    **dict.fromkeys(
        (
            "maxdurationreached",
            "exceededmaxduration",
            "maxduration",
            "calldurationexceeded",
            "maxcallduration",
            "timelimitreached",
        ),
        "max_duration",
    ),
}
_END_REASON_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("error", "fault", "crash", "exception", "notfound", "permission", "unauthori"), "error"),
    (("connectionlost", "disconnected", "closedwebsocket", "dropped"), "error"),
    (("declined", "rejected"), "failed"),
    (("voicemail",), "voicemail"),
    (("busy",), "busy"),
    (("noanswer", "didnotanswer", "notanswer"), "no_answer"),
    (("transfer", "forward"), "transferred"),
    (("silence", "inactiv", "idle"), "silence_timeout"),
    (("maxduration", "exceededmax", "timelimit"), "max_duration"),
    (("customer", "user", "caller"), "customer_hangup"),
    (("assistant", "agent", "bot"), "agent_hangup"),
    (("fail", "cancel", "invalid", "reject"), "failed"),
)
"""Words that decide a spelling not in the aliases, tried in this order (an ``error`` wins:
``pipeline-error-openai-llm-failed`` is an error, not a failed dial; a lost connection or a
missing resource is a system fault before it names a party: ``assistant-not-found`` is an
error, not the agent hanging up)."""


def canonical_end_reason(reason: object) -> str | None:
    """Map one raw end reason to :data:`END_REASONS`; unknown text -> ``"other"``, null -> None.

    Spellings are compared as lower-case letters only, so ``"user_hangup"``, ``"User Hangup"``
    and ``"user-hangup"`` are one value.

    >>> [canonical_end_reason(r) for r in ("user_hangup", "customer-ended-call",
    ...     "dial_no_answer", "pipeline-error-openai-llm-failed", "voicemail_reached")]
    ['customer_hangup', 'customer_hangup', 'no_answer', 'error', 'voicemail']
    >>> canonical_end_reason("exceeded-max-duration"), canonical_end_reason("zzz")
    ('max_duration', 'other')
    >>> [canonical_end_reason(r) for r in ("connection_lost", "user_declined",
    ...     "assistant-not-found", "telephony_provider_permission_denied")]
    ['error', 'failed', 'error', 'error']
    >>> canonical_end_reason("N/A") is None
    True
    """
    if reason is None or reason is pd.NA or (isinstance(reason, float) and reason != reason):
        return None
    text = str(reason).strip()
    if text.lower() in NULL_LITERALS:
        return None
    key = outcome_key(text)
    if key in _END_REASON_ALIASES or key in END_REASONS:
        return _END_REASON_ALIASES.get(key, key)
    found = (name for words, name in _END_REASON_WORDS if any(w in key for w in words))
    return next(found, "other")


def canonical_end_reasons(raw: pd.Series) -> pd.Series:
    """Vectorised :func:`canonical_end_reason` over a column (maps the distinct values once).

    >>> canonical_end_reasons(pd.Series(["dial_busy", None, "call_transfer"])).tolist()
    ['busy', nan, 'transferred']
    """
    uniques = raw.dropna().unique()
    mapping = {u: canonical_end_reason(u) for u in uniques}
    return raw.map(mapping).astype(TEXT)


def empty_frame(schema: Mapping[str, DtypeName]) -> pd.DataFrame:
    """An empty frame with every column of ``schema`` at its dtype."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in schema.items()})


def conform(frame: pd.DataFrame, schema: Mapping[str, DtypeName]) -> pd.DataFrame:
    """Cast the ``schema`` columns of ``frame`` to their dtypes, adding missing ones as NA.

    A missing :data:`BOOL` column (a flag that is never unknown) is added as False. Columns not
    in ``schema`` are kept after the schema's columns, in their order.
    """
    out = {}
    for col, dtype in schema.items():
        missing = False if dtype == BOOL else pd.NA
        out[col] = (
            frame[col].astype(dtype)
            if col in frame
            else pd.Series(missing, index=frame.index, dtype=dtype)
        )
    extra = [c for c in frame.columns if c not in schema]
    return (
        pd.DataFrame(out, index=frame.index).join(frame[extra])
        if extra
        else pd.DataFrame(out, index=frame.index)
    )


QUALITY_CHECKS: dict[str, str] = {
    "unreadable": "the loader could not read the value (a row of run.problems); it is NA",
    "duplicate_task": "the task_id came more than once in the input; the newest modified was kept",
    "impossible_duration": "duration_s is negative, not finite or over MAX_CALL_SECONDS (a day), "
    "on any call; load_run already makes such values NA and unreadable",
    "nonpositive_duration": "a connected call has a duration of zero",
    "duration_mismatch": "duration_s differs from end_time - start_time by more than 2 s",
    "transcript_pending": "an answered call still being evaluated: no transcript yet, load again",
    "transcript_missing": "an answered, evaluated call whose transcript is absent or empty: lost",
    "turn_time_outside_call": "turn timestamps fall outside start_time..end_time (2 s slack)",
    "unknown_outcome": "the outcome label is outside OUTCOMES; it is counted as 'Other'",
}
"""The ``check`` values of ``quality_checks`` and what each finding means.

A call's duration gets at most one finding, the first that applies in this order:
``unreadable`` (the loader reported its ``duration`` or ``duration_s``), ``impossible_duration``,
``nonpositive_duration``, ``duration_mismatch``."""
