"""What the report's sections share: the :class:`Section` they fill, and numbers as cell text.

Private to :mod:`analytics.viz`: :mod:`analytics.viz.report` and the section modules beside it
build their parts with these names; :mod:`analytics.viz._html` writes them as HTML. Every cell
of a shown table is text: counts with thousands separators, rates as ``"35% (25-47%)"``
(the interval on a second, quieter line when ``sep="\\n"``), durations in s, min or h.

Examples
--------
>>> import pandas as pd
>>> rates = pd.DataFrame({"rate": [0.35, None], "ci_low": [0.25, None], "ci_high": [0.47, None]})
>>> rate_cells(rates), number_texts(pd.Series([1234, None], dtype="Int64"))
(['35% (25-47%)', ''], ['1,234', ''])
>>> shorten_cell("word " * 40)[-10:], shorten_cell(3)
('word word…', 3)
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from analytics._shared import MISSING_LABEL
from analytics.schema import TEXT
from analytics.viz._format import format_duration, format_number, format_significant, plural

__all__ = [
    "CELL_LIMITS",
    "CONVERSATION_RULE",
    "FOCUS_OUTCOME",
    "GROUP",
    "MAX_CELL_CHARS",
    "METRIC_KINDS",
    "NO_GROUP",
    "Chart",
    "Link",
    "Section",
    "draw",
    "float_values",
    "group_labels",
    "median_count",
    "minute_texts",
    "number_texts",
    "over_conversations",
    "percent",
    "period_texts",
    "rate_cells",
    "seconds_text",
    "shorten_cell",
    "value_texts",
    "with_interval",
]

GROUP = "assignee"
NO_GROUP = MISSING_LABEL  # as the figures label it
FOCUS_OUTCOME = "Interested"
CONVERSATION_RULE = "at least one agent turn and one user turn"
MAX_CELL_CHARS = 160
"""The longest text a cell of the page shows (a problem message is cut, after masking)."""
CELL_LIMITS = {"excerpt": 2 * MAX_CELL_CHARS}
"""Longer limits by shown column: a review excerpt holds several turns around its moment."""
_MINUTE = 60.0


@dataclass(frozen=True)
class Chart:
    """A figure still to draw: ``plot(data, **options)`` on a figure of ``size`` inches.

    Section modules describe their figures so; the report draws them all in one place
    (:func:`draw`), after the analyses and before the page.
    """

    caption: str
    plot: Callable[..., object]
    data: object
    size: tuple[float, float] = (7.5, 3.8)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A link in a table cell: written as ``<a>`` only when ``url`` is an http(s) URL (see
    :func:`analytics.viz._html.link_html`), else as its text."""

    url: str
    label: str = "recording"


@dataclass
class Section:
    """One part of the page: a heading, a lead paragraph, figures and tables.

    ``tables`` are the data, written as CSV under their raw column names; ``shown`` are the
    tables on the page (every cell text, headers in words) by heading, ``notes`` a caption
    under a shown table's heading, ``footnotes`` one under the table, ``missing`` a sentence
    for each figure left out.
    ``charts`` are figures still to draw (they follow ``figures``); the shown tables named in
    ``first`` come before the figures, the others after them.
    """

    key: str
    title: str
    lead: str = ""
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    shown: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    footnotes: dict[str, str] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    first: tuple[str, ...] = ()


def over_conversations(n: int) -> str:
    """The denominator of conversation metrics, in words."""
    return f"over {plural(n, 'call')} with a conversation: {CONVERSATION_RULE}"


def shorten_cell(value: object, limit: int = MAX_CELL_CHARS) -> object:
    """A text longer than ``limit`` cut after its last whole word, with "…"."""
    if not isinstance(value, str) or len(value) <= limit:
        return value
    head = value[:limit]
    return (head.rsplit(maxsplit=1)[0] if " " in head.strip() else head) + "…"


# --- numbers as text ------------------------------------------------------------------------


def float_values(values: pd.Series) -> np.ndarray:
    """``values`` as floats, NA as NaN."""
    return values.to_numpy(dtype=float, na_value=np.nan)


def value_texts(values: pd.Series, text: Callable[[float], str]) -> list[str]:
    """``values`` as text, one call of ``text`` per value (NA: ``text`` gives "")."""
    return [text(v) for v in float_values(values)]


def minute_texts(times: pd.Series) -> list[str]:
    """Times to the minute, ``"2026-01-31 15:44"``; ``""`` when NaT."""
    texts: list[str] = times.dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
    return texts


def period_texts(first: pd.Series, last: pd.Series) -> list[str]:
    """ "2026-01-29 09:09" above "to 2026-01-31 15:44" (one line when they are the same)."""
    return [
        a if a == b else f"{a}\nto {b}" for a, b in zip(minute_texts(first), minute_texts(last))
    ]


def number_texts(values: pd.Series) -> list[str]:
    """Whole numbers with thousands separators; ``""`` when NA."""
    return value_texts(values, format_number)


def group_labels(frame: pd.DataFrame) -> list[str]:
    """The :data:`GROUP` of each row as text, a missing one as :data:`NO_GROUP`."""
    labels: list[str] = frame[GROUP].astype(TEXT).fillna(NO_GROUP).tolist()
    return labels


def percent(value: float) -> str:
    """A share as a whole percentage, ``""`` when NA."""
    return f"{value:.0%}" if math.isfinite(value) else ""


def median_count(value: float) -> str:
    """A median of counts: whole, or halfway between two counts (``158.5``)."""
    return format_number(value, digits=0 if float(value).is_integer() else 1)


def seconds_text(value: float) -> str:
    """A short time (a response gap) to a tenth of a second; minutes or hours when long."""
    if math.isfinite(value) and abs(value) >= 2 * _MINUTE:
        return format_duration(value)
    return f"{format_number(value, digits=1)} s" if math.isfinite(value) else ""


METRIC_KINDS: dict[str, Callable[[float], str]] = {
    "share": percent,
    "count": median_count,
    "measure": format_significant,
    "seconds": seconds_text,
}
"""How each kind of conversation metric reads."""


def with_interval(value: str, low: str, high: str, sep: str = " ") -> str:
    """ "35% (25-47%)": a value and its interval, when all three are known; else the value."""
    return f"{value}{sep}({low}-{high})" if value and low and high else value


def rate_cells(rates: pd.DataFrame, sep: str = " ", prefix: str = "") -> list[str]:
    """ "35% (25-47%)": ``rate`` and its interval, one per row, ``sep`` between them.

    ``prefix`` names the columns ``{prefix}rate``, ``{prefix}ci_low``, ``{prefix}ci_high``.
    """
    columns = (f"{prefix}rate", f"{prefix}ci_low", f"{prefix}ci_high")
    rate, low, high = (value_texts(rates[c], percent) for c in columns)
    return [with_interval(r, lo.rstrip("%"), hi, sep) for r, lo, hi in zip(rate, low, high)]


# --- drawing --------------------------------------------------------------------------------


def draw(
    plot: Callable[..., object],
    data: object,
    *,
    size: tuple[float, float] = (7.5, 3.8),
    **options: object,
) -> bytes:
    """Draw one plot on its own figure (no pyplot state) and return it as PNG bytes.

    Text is drawn as written: ``$`` in an assignee or a lexicon name is no mathematics.
    """
    with rc_context({"text.parse_math": False}):
        figure = Figure(figsize=size, layout="constrained")
        plot(data, ax=figure.add_subplot(), **options)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()
