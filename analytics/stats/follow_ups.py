"""The follow-up list of a run: the leads someone must call back or send details to, by due time.

:func:`follow_ups` picks the calls whose outcome asks for a follow-up (``Call Back`` and
``Send Details`` by default) or whose post-call analysis says one is required
(``follow_up_required``), and lists them with the contact, the requested time and whether that
time has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from analytics._shared import dask_aware, require_columns, text_list, utc_time
from analytics.load import Run
from analytics.schema import FLAG, OUTCOMES, TEXT, TIMESTAMP, DtypeName, conform

__all__ = ["FOLLOW_UPS_SCHEMA", "follow_ups"]

FOLLOW_UPS_SCHEMA: dict[str, DtypeName] = {
    "task_id": TEXT,
    "call_id": TEXT,
    "run_id": TEXT,
    "assignee": TEXT,
    "customer": TEXT,
    "contact": TEXT,
    "outcome": TEXT,
    "due": TIMESTAMP,
    "due_text": TEXT,
    "due_source": TEXT,
    "overdue": FLAG,
    "follow_up_reason": TEXT,
    "summary": TEXT,
    "start_time": TIMESTAMP,
}
"""Columns of :func:`follow_ups` and their dtypes, in order."""

_RENAMED = {"callback_at": "due", "callback_text": "due_text", "callback_source": "due_source"}
_BASE_COLUMNS = ("task_id", "call_id", "run_id", "assignee", "customer", "outcome", "summary")
_FOLLOW_UP_COLUMNS = (
    "contact",
    "callback_at",
    "callback_text",
    "callback_source",
    "follow_up_required",
    "follow_up_reason",
    "start_time",
)


def _calls(run: object) -> pd.DataFrame:
    """``run.calls`` of a Run, or the calls frame itself, checked for the columns used."""
    calls = run.calls if isinstance(run, Run) else run
    require_columns(calls, _BASE_COLUMNS, fix="pass a Run or run.calls")
    fix = "load the run with this version of load_run (it adds the follow-up columns)"
    return require_columns(calls, _FOLLOW_UP_COLUMNS, fix=fix)


def _outcomes(outcomes: str | Iterable[str], calls: pd.DataFrame) -> list[str]:
    """``outcomes`` as a list; KeyError for a label neither canonical nor in the calls."""
    names = text_list(outcomes, "outcomes") or []
    known = {*OUTCOMES, *calls["outcome"].dropna().astype(TEXT).unique()}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(
            f"outcomes holds {unknown[0]!r}, which is not an outcome; "
            f"use some of {', '.join(OUTCOMES)}"
        )
    return names


def _now(now: str | date | None) -> pd.Timestamp:
    """``now`` as a UTC time; the current time when None."""
    return pd.Timestamp.now(tz="UTC") if now is None else utc_time(now, "now")


@dask_aware
def follow_ups(
    run: Run | pd.DataFrame,
    *,
    now: str | date | None = None,
    outcomes: str | Iterable[str] = ("Call Back", "Send Details"),
) -> pd.DataFrame:
    """The leads to follow up, one row per call, soonest due first.

    A call is a lead when its canonical ``outcome`` is one of ``outcomes`` or its post-call
    analysis says a follow-up is required (``follow_up_required`` is True). Nothing is
    counted, so there is no rate here: the list is the result.

    Parameters
    ----------
    run : Run or DataFrame
        A loaded run (its ``calls`` are used) or ``run.calls``. It needs the follow-up columns
        ``contact``, ``callback_at``, ``callback_text``, ``callback_source``,
        ``follow_up_required`` and ``follow_up_reason`` that :func:`~analytics.load.load_run`
        adds.
    now : str, date, datetime or Timestamp, optional
        The time ``overdue`` is judged against (ISO text such as ``"2026-02-01T09:00Z"``; a
        naive time is UTC). None (the default) takes the current UTC time, so the same run
        gives other ``overdue`` flags tomorrow: pass ``now`` for a reproducible result.
    outcomes : str or iterable of str, default ("Call Back", "Send Details")
        The outcomes that make a call a lead, compared with the canonical ``outcome``
        (:data:`~analytics.schema.OUTCOMES`, or any label present in the calls). An empty
        tuple keeps only the calls with ``follow_up_required``.

    Returns
    -------
    DataFrame
        :data:`FOLLOW_UPS_SCHEMA`: ``task_id``, ``call_id``, ``run_id``, ``assignee``,
        ``customer``, ``contact``, ``outcome``; ``due`` (UTC, the requested time from
        ``callback_at``, NaT when none was given or it was not a time), ``due_text`` (the
        text it came from, kept when it was not a time, e.g. ``"11 AM"``), ``due_source``
        (where it came from); ``overdue`` (``due`` is before ``now``; NA when ``due`` is NaT);
        ``follow_up_reason``, ``summary``, ``start_time``. Sorted by ``due`` (NaT last), then
        ``start_time`` (NaT last), then ``task_id``. Empty, with every column, when no call is
        a lead.

    Raises
    ------
    TypeError
        ``run`` is neither a Run nor a DataFrame.
    ValueError
        A column is missing (a run loaded by an older version lacks the follow-up columns:
        load it again), ``now`` is not a time, or ``outcomes`` holds a value that is not text.
    KeyError
        ``outcomes`` names a label that is neither canonical nor found in the calls.

    Examples
    --------
    >>> import pandas as pd
    >>> from analytics.schema import CALLS_SCHEMA, FLAG, TEXT, TIMESTAMP, conform
    >>> extra = {"contact": TEXT, "callback_at": TIMESTAMP, "callback_text": TEXT,
    ...          "callback_source": TEXT, "follow_up_required": FLAG, "follow_up_reason": TEXT}
    >>> calls = conform(pd.DataFrame({
    ...     "task_id": ["T1", "T2", "T3"],
    ...     "outcome": ["Call Back", "Interested", "Not Interested"],
    ...     "callback_at": ["2026-02-01T10:00:00+05:30", None, None],
    ...     "callback_text": ["2026-02-01T10:00:00+05:30", None, None],
    ...     "follow_up_required": [None, True, False]}), {**CALLS_SCHEMA, **extra})
    >>> leads = follow_ups(calls, now="2026-02-01T06:00Z")
    >>> leads[["task_id", "outcome", "due", "overdue"]]
      task_id     outcome                       due  overdue
    0      T1   Call Back 2026-02-01 04:30:00+00:00     True
    1      T2  Interested                       NaT     <NA>
    """
    calls = _calls(run)
    wanted = _outcomes(outcomes, calls)
    moment = _now(now)
    required = calls["follow_up_required"].astype(FLAG).fillna(False).astype(bool)
    leads = calls[calls["outcome"].isin(wanted).to_numpy(dtype=bool) | required.to_numpy()]
    out = conform(leads.rename(columns=_RENAMED), FOLLOW_UPS_SCHEMA)
    out["overdue"] = (out["due"] < moment).astype(FLAG).mask(out["due"].isna())
    order = ["due", "start_time", "task_id"]
    out = out.sort_values(order, na_position="last", kind="stable", ignore_index=True)
    return out[list(FOLLOW_UPS_SCHEMA)]
