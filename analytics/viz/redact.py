"""Mask personal data before anything leaves the machine in a report.

Phone numbers and e-mail addresses are found by pattern; contact names are taken from the run
itself (the ``name`` columns of ``tasks``) and masked wherever they appear, free text
included. Columns that only hold personal data are masked whole, and recording URLs are
dropped. Everything is column-wise: one compiled pattern per kind, applied with
``Series.str.replace``.

Examples
--------
>>> import pandas as pd
>>> text = pd.Series(["Hi Asha, call +91 98765 43210 or mail asha@example.com", None])
>>> redact_text(text, names=["Asha Rao", "Asha"]).tolist()
['Hi [name], call [phone] or mail [email]', nan]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from analytics.schema import TEXT

__all__ = ["DROPPED_COLUMNS", "PERSONAL_COLUMNS", "contact_names", "redact_frame", "redact_text"]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?!\d{4}-\d\d-\d\d)\+?\d(?:[ .()-]{0,2}\d){6,14}(?!\w)")
"""Seven to fifteen digits with the usual separators; ISO dates are not phone numbers."""
PERSONAL_COLUMNS = frozenset(
    {
        "user_email",
        "user_name",
        "input_name",
        "input_email",
        "input_contact_number",
        "input_alternate_number",
        "input_phone",
        "input_customer",
        "input_address",
        "customer",
    }
)
"""Columns masked whole: they hold nothing but personal data."""
DROPPED_COLUMNS = frozenset({"recording_url"})
"""Columns left out of a redacted table."""
_NAME_COLUMNS = (
    "input_name",
    "user_name",
    "input_customer",
    "input_first_name",
    "input_last_name",
    "input_full_name",
    "customer",
)
_MIN_NAME_PART = 3


def contact_names(*frames: pd.DataFrame) -> list[str]:
    """The names of the people in a run's tables: full names and their parts of 3+ letters.

    Reads the name columns of each frame (``tasks``: ``input_name``, ``user_name``...;
    ``calls``: ``customer``).

    >>> contact_names(pd.DataFrame({"input_name": ["Asha Rao", None], "user_name": ["Ops", "Ops"]}))
    ['Asha Rao', 'Asha', 'Ops', 'Rao']
    """
    found = [f[c].astype(TEXT) for f in frames for c in _NAME_COLUMNS if c in f]
    full = pd.concat(found) if found else pd.Series([], dtype=TEXT)
    full = full.dropna().str.strip()
    parts = full.str.split().explode().dropna()
    names = pd.concat([full, parts[parts.str.len() >= _MIN_NAME_PART]]).drop_duplicates()
    return sorted(names[names.str.len() > 0], key=lambda n: (-len(n.split()), n))


def _names_pattern(names: Iterable[str]) -> str | None:
    escaped = sorted({re.escape(n) for n in names if n}, key=len, reverse=True)
    return rf"\b(?:{'|'.join(escaped)})\b" if escaped else None


def redact_text(text: pd.Series, *, names: Iterable[str] = ()) -> pd.Series:
    """Mask e-mail addresses, phone numbers and the given names in a text column."""
    out = text.astype(TEXT).str.replace(EMAIL.pattern, "[email]", regex=True)
    out = out.str.replace(PHONE.pattern, "[phone]", regex=True)
    pattern = _names_pattern(names)
    return out.str.replace(pattern, "[name]", regex=True) if pattern else out


def redact_frame(frame: pd.DataFrame, *, names: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` safe to publish: personal columns masked, text columns scrubbed.

    Recording URLs are dropped; non-text columns (numbers, times, flags) are unchanged.

    >>> frame = pd.DataFrame({"input_name": ["Asha Rao"], "summary": ["Asha agreed."],
    ...                       "recording_url": ["https://x/1.ogg"], "n": [3]})
    >>> redact_frame(frame, names=["Asha"]).to_dict("records")
    [{'input_name': '[redacted]', 'summary': '[name] agreed.', 'n': 3}]
    """
    names = list(names)
    out = frame.drop(columns=[c for c in frame.columns if c in DROPPED_COLUMNS])
    for position, column in enumerate(out.columns):
        values = out.iloc[:, position]
        if column in PERSONAL_COLUMNS:
            masked = values.astype(TEXT).mask(values.notna(), "[redacted]")
            out.isetitem(position, masked.array)
        elif isinstance(values.dtype, pd.StringDtype):
            out.isetitem(position, redact_text(values, names=names).array)
        elif values.dtype == object:
            out.isetitem(position, _redact_strings(values, names).array)
    return out


def _redact_strings(values: pd.Series, names: list[str]) -> pd.Series:
    """The str values of a mixed column redacted; numbers and the rest untouched."""
    is_text = values.map(type).isin([str])
    if not is_text.any():
        return values
    clean = redact_text(values[is_text], names=names).astype(object)
    return values.where(~is_text, clean.reindex(values.index))
