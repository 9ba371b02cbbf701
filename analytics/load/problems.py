"""Problem rows: what the loader could not read, one row per value (``PROBLEMS_SCHEMA``).

Every table builder of the loader reports through these, so a problem reads the same
whichever table or platform it came from.

Examples
--------
>>> frame = mask_problems(["T1", "T2"], [False, True], "cost", [1.0, "abc"])
>>> frame["problem"].tolist()
["unreadable cost 'abc'; left NA"]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from analytics.load.parse import show, text_column, valid_text
from analytics.load.payload import Problem
from analytics.schema import PROBLEMS_SCHEMA, conform, empty_frame

__all__ = ["concat_problems", "mask_problems", "problem_frame"]


def mask_problems(
    task_ids: Any,
    bad: Any,
    field: str,
    raw: Any,
    problem: str | Callable[[Any], str] | None = None,
) -> pd.DataFrame | None:
    """One problem row per True in ``bad``, quoting the raw value (or saying ``problem``, or
    what ``problem(value)`` says); None when there is none. ``task_ids`` may be None: the
    caller fills them in by index.
    """
    mask = np.asarray(bad, dtype=bool)
    if not mask.any():
        return None
    positions = np.flatnonzero(mask)
    items = raw if isinstance(raw, list) else list(raw)
    values = [items[i] for i in positions]  # not via numpy: a list value would become an axis
    if problem is None or isinstance(problem, str):
        text = [problem or f"unreadable {field} {show(v)}; left NA" for v in values]
    else:
        text = [problem(v) for v in values]
    ids = None if task_ids is None else np.asarray(task_ids, dtype=object)[positions]
    frame = conform(
        pd.DataFrame({"task_id": ids, "field": field, "problem": text}, index=positions),
        PROBLEMS_SCHEMA,
    )
    return frame


def problem_frame(rows: list[Problem]) -> pd.DataFrame:
    """Problem dicts as a frame; a raw ``task_id`` is spelled as the tables spell it."""
    if not rows:
        return empty_frame(PROBLEMS_SCHEMA)
    ids = text_column([r["task_id"] for r in rows], numbers=True)[0]
    frame = pd.DataFrame(
        {
            "task_id": ids,
            "field": [r["field"] for r in rows],
            "problem": [valid_text(r["problem"]) for r in rows],
        }
    )
    return conform(frame, PROBLEMS_SCHEMA)


def concat_problems(frames: list[pd.DataFrame | None]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return empty_frame(PROBLEMS_SCHEMA)
    return conform(pd.concat(frames, ignore_index=True), PROBLEMS_SCHEMA)
