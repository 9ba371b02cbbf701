"""The report's page machinery: text to HTML, tables, sections, the page and its style.

Private to :mod:`analytics.viz`. :class:`Markup` is HTML written from this package's own
constants; any other string is text from the data and goes through :func:`text`, the one place
where text becomes HTML. :func:`element` and :func:`void` build every tag from constant names
and escape every child and attribute value that is not ``Markup``; :func:`link_html` is the one
way a URL from the data becomes a link, and only an http(s) one does.

Examples
--------
>>> join("Run <1>: a call is ", element("em", "connected"), ".")
'Run &lt;1&gt;: a call is <em>connected</em>.'
>>> link_html(Link("javascript:alert(1)"))
'javascript:alert(1)'
"""

from __future__ import annotations

import base64
import html
import re
from datetime import UTC, datetime

import pandas as pd

from analytics.viz._display import Link, Section

__all__ = [
    "CSS",
    "Markup",
    "between",
    "cell_html",
    "element",
    "figure_html",
    "join",
    "link_html",
    "page",
    "section_html",
    "table_block",
    "table_html",
    "text",
    "void",
]


class Markup(str):
    """HTML this package wrote from its own constants: the page takes it as it is.

    Any other string is text from the data and goes through :func:`text`, the one place
    where text becomes HTML; :func:`element` and :func:`void` build every tag from constant
    names and escape every child and attribute value that is not ``Markup``. So no run id,
    assignee, label, summary or problem message can become markup.
    """

    __slots__ = ()


_LINE_BREAKS = re.compile(r"\r\n?")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (HTML parse errors) and lone surrogates (which UTF-8 cannot hold)."""
_PLAIN_VALUE = re.compile(r"[\w-]+", re.ASCII)
"""An attribute value that needs no quotes."""
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+", re.IGNORECASE)
"""The only URLs a page links to: http(s), with no whitespace or control character."""
LINK_REL = "noopener noreferrer"
"""A linked page learns neither this page's address nor a handle on its window."""


def text(value: object) -> Markup:
    """``value`` as HTML text: escaped (quotes too), CR as LF, other controls as U+FFFD.

    >>> text('<b a="1">&amp;\\x00\\r\\n'), text(Markup("<em>x</em>"))
    ('&lt;b a=&quot;1&quot;&gt;&amp;amp;\\ufffd\\n', '<em>x</em>')
    """
    if isinstance(value, Markup):
        return value
    plain = _UNPRINTABLE.sub("\ufffd", _LINE_BREAKS.sub("\n", str(value)))
    return Markup(html.escape(plain, quote=True))


def join(*parts: object) -> Markup:
    """``parts`` one after the other: text escaped (:func:`text`), ``Markup`` kept."""
    return Markup("".join(text(part) for part in parts))


def void(tag: str, **attributes: object) -> Markup:
    """An element without content (``img``, ``br``, ``meta``); ``class_`` is ``class``.

    >>> void("img", alt='"><b>', src="data:image/png;base64,AA==")
    '<img alt="&quot;&gt;&lt;b&gt;" src="data:image/png;base64,AA==">'
    """
    values = {name.rstrip("_"): text(value) for name, value in attributes.items()}
    pairs = "".join(
        f" {name}={value}" if _PLAIN_VALUE.fullmatch(value) else f' {name}="{value}"'
        for name, value in values.items()
    )
    return Markup(f"<{tag}{pairs}>")


def element(tag: str, *children: object, **attributes: object) -> Markup:
    """``<tag attributes>children</tag>``, children and attribute values escaped (:func:`join`).

    >>> element("td", "</table><script>", class_="ci")
    '<td class=ci>&lt;/table&gt;&lt;script&gt;</td>'
    """
    return Markup(f"{void(tag, **attributes)}{join(*children)}</{tag}>")


def link_html(link: Link) -> Markup:
    """``link`` as ``<a href=... rel="noopener noreferrer">label</a>`` when its URL is an
    http(s) URL without whitespace or control characters, else the URL as text.

    >>> link_html(Link('https://x.example/a?b=1&c="2"'))
    '<a href="https://x.example/a?b=1&amp;c=&quot;2&quot;" rel="noopener noreferrer">recording</a>'
    """
    if not _WEB_URL.fullmatch(link.url):
        return text(link.url)
    return element("a", link.label, href=link.url, rel=LINK_REL)


_WRAPPED = {"detail": "wrap", "note": "wrap", "summary": "wrap", "excerpt": "wrap wide"}
"""Last columns of prose, which wrap (an excerpt on a wider column)."""
_PROSE = frozenset({"reasons"})
"""Other columns whose cells wrap: short lists of words."""


def table_html(frame: pd.DataFrame) -> Markup:
    """A display table as HTML: every cell text, none showing NA; a last column of prose wraps.

    A line break in a cell (a rate above its interval) starts a second, quieter line.
    """
    cells = frame.astype(object).where(frame.notna(), "")
    wrap = _WRAPPED.get(str(frame.columns[-1]), "")
    head = element("tr", *(element("th", c) for c in cells.columns))
    prose = [c in _PROSE for c in cells.columns]
    rows = (
        element("tr", *(_td(v, wraps) for v, wraps in zip(row, prose)))
        for row in cells.itertuples(index=False, name=None)
    )
    classes = f"table {wrap}".strip()
    return element("table", element("thead", head), element("tbody", *rows), class_=classes)


def _td(value: object, wraps: bool) -> Markup:
    return (
        element("td", cell_html(value), class_="prose")
        if wraps
        else element("td", cell_html(value))
    )


def cell_html(value: object) -> Markup:
    """One cell: a :class:`Link` as a link, else text, each line after the first quieter."""
    if isinstance(value, Link):
        return link_html(value)
    first, *rest = str(value).split("\n")
    return join(first, *(join(void("br"), element("span", line, class_="ci")) for line in rest))


def table_block(heading: str, frame: pd.DataFrame, note: str, footnote: str = "") -> Markup:
    """A shown table under its heading, with its note above and footnote below; a table
    without rows says so."""
    caption = element("p", note, class_="note") if note else ""
    body = table_html(frame) if len(frame) else element("p", "Nothing to show yet.", class_="note")
    below = element("p", footnote, class_="note foot") if footnote else ""
    return element(
        "div",
        element("h3", heading),
        caption,
        element("div", body, class_="scroll"),
        below,
        class_="block",
    )


def figure_html(caption: str, png: bytes) -> Markup:
    """A PNG embedded as a data URI, with its caption."""
    source = f"data:image/png;base64,{base64.b64encode(png).decode()}"
    return element("figure", void("img", alt=caption, src=source), element("figcaption", caption))


def section_html(section: Section) -> Markup:
    """A section: heading, lead, the tables named ``first``, figures, notes, other tables."""
    blocks = {
        heading: table_block(
            heading, frame, section.notes.get(heading, ""), section.footnotes.get(heading, "")
        )
        for heading, frame in section.shown.items()
    }
    first = [blocks.pop(h) for h in section.first if h in blocks]
    return element(
        "section",
        element("h2", section.title),
        element("p", section.lead, class_="lead"),
        *([element("div", *first, class_="blocks")] if first else []),
        *(figure_html(caption, png) for caption, png in section.figures),
        *(element("p", missing, class_="note") for missing in section.missing),
        element("div", *blocks.values(), class_="blocks"),
        id=section.key,
    )


def page(sections: list[Section], title: str, *, redact: bool, made: datetime | None = None) -> str:
    """The whole page: head with its style, a header naming the run, then the sections.

    ``made`` is the time the page says it was made (default: now).
    """
    made_text = (made or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    links = [element("a", s.title, href=f"#{s.key}") for s in sections]
    privacy = (
        "Phone numbers, e-mail addresses and contact names are masked; recording URLs are left out."
        if redact
        else "Not redacted: this page holds personal data."
    )
    head = element(
        "head",
        void("meta", charset="utf-8"),
        void("meta", name="viewport", content="width=device-width, initial-scale=1"),
        element("title", title),
        element("style", Markup(CSS)),
    )
    meta = element(
        "p",
        f"unpod-analytics report, {made_text}. {privacy} Every number here is in ",
        element("code", "tables/*.csv"),
        ".",
        class_="meta",
    )
    header = element("header", element("h1", title), meta, element("nav", *between(links)))
    body = element("body", header, element("main", *map(section_html, sections)))
    return "<!doctype html>" + element("html", head, body, lang="en")


def between(parts: list[Markup], separator: str = " · ") -> list[object]:
    """``parts`` with ``separator`` (text) between each two."""
    return [item for i, part in enumerate(parts) for item in ((separator, part) if i else (part,))]


CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;
margin:0;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:24px 40px}
header h1{margin:0 0 4px;font-size:24px;overflow-wrap:anywhere}
.meta{margin:0 0 10px;color:#c9d1dc;font-size:13px}
nav a{color:#9ecbff;margin-right:4px;text-decoration:none}
main{max-width:1100px;margin:0 auto;padding:8px 40px 40px}
section{background:#fff;border:1px solid #e3e6eb;border-radius:8px;margin:20px 0;
padding:4px 24px 18px}
h2{font-size:20px;margin:18px 0 4px}
h3{font-size:15px;margin:18px 0 6px;color:#3a4556}
.lead{color:#4a5568;margin:4px 0 12px}
figure{margin:12px 0}
figure img{max-width:100%;height:auto}
figcaption{font-size:13px;color:#5a6678}
.note{font-size:13px;color:#5a6678;margin:0 0 8px;max-width:52em}
.scroll{overflow-x:auto}
.blocks{display:flex;flex-wrap:wrap;gap:0 36px;align-items:flex-start}
.block{max-width:100%;min-width:0}
table.table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
table.table th{background:#eef1f5;text-align:left;padding:5px 9px;border-bottom:1px solid #d5dae1;
vertical-align:bottom;min-width:4.5em;max-width:11em}
table.table td{padding:4px 9px;border-bottom:1px solid #eef0f3;vertical-align:top}
table.table td{white-space:nowrap}
table.wrap td:last-child{white-space:normal;min-width:18em}
table.wide td:last-child{min-width:24em}
table.table td.prose{white-space:normal;min-width:9em}
.foot{margin:6px 0 0}
.ci{color:#5a6678;font-size:12px}
@media (max-width:640px){header{padding:16px}main{padding:4px 8px 24px}
section{padding:4px 12px 14px}}
code{font-size:12px}
"""
"""The page's one style sheet (no web fonts, no other file)."""
