"""Mask personal data before anything leaves the machine in a report.

Phone numbers and e-mail addresses are found by pattern; contact names are taken from the run
itself (the ``name`` columns of ``tasks`` and ``calls``) and masked wherever they appear, free
text included. Columns that only hold personal data are masked whole, and recording URLs are
dropped. Everything is column-wise: one compiled pattern per kind applied with
``Series.str.replace`` (to the rows a cheap Arrow test says may hold a match), and names by
looking up each text's words, folded, in the set of the names' (Arrow splits the texts into
words; each distinct word is folded once), which costs the same for 10 names or 30,000, where
one pattern of 30,000 names takes Python's ``re`` tens of seconds.

The patterns err toward masking:

- **Phones**: any run of 7 to 15 digits (any script's digits) with separators between them, up
  to 3 at a time: spaces of every kind (no-break, thin, narrow no-break...), hyphens and dashes
  (en, em, minus, non-breaking hyphen...), dots, slashes and parentheses, with an optional
  leading ``+``. So ``+44 (0)20 7946 0958``, ``0044 20 7946 0958``, ``98765 - 43210`` and an
  amount such as ``12.345.678`` are all masked. Not masked: dates (``2026-01-31``,
  ``31/01/2026``, ``31.01.2026``), runs of 6 digits or fewer, runs of 16 or more (ids), and
  digits inside a word (``T5c1d2e3``).
- **E-mails**: a local part of any characters an address allows (``%``, ``'``, ``+``,
  ``!#$&*=?^{|}~``, letters of any script) or a quoted one (``"john doe"@...``), then ``@`` and
  a domain, an IP literal (``[192.168.0.1]``) or nothing: an address cut short
  (``asha.rao@exam``) is masked whole too.
- **Names**: case-insensitive and accent-insensitive (``maría`` is ``Maria``, ``JOSÉ`` is
  ``jose``, composed or decomposed, full-width too: both sides are folded with NFKD, combining
  marks dropped, and case folding), as whole words, in full and by their distinctive parts: a
  first or last name of 3 letters or more alone. Parts that are common words
  (:data:`COMMON_WORDS`: "Ops User" does not make every "user" a name) are masked only
  inside the full name. The words of a name may stand apart by spaces, hyphens, apostrophes
  or dots (``Asha-Rao``, ``ASHA  RAO``).

Examples
--------
>>> import pandas as pd
>>> text = pd.Series(["Hi ASHA, call +91\\u00a098765\\u00a043210 or mail asha%rao@example.com",
...                   "María said 98765 - 43210 on 2026-01-31", None])
>>> redact_text(text, names=contact_names(pd.DataFrame({"input_name": ["Asha Rao", "Maria"]})))
... # doctest: +NORMALIZE_WHITESPACE
0    Hi [name], call [phone] or mail [email]
1           [name] said [phone] on 2026-01-31
2                                         NaN
dtype: str
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.schema import TEXT

__all__ = [
    "COMMON_WORDS",
    "DROPPED_COLUMNS",
    "EMAIL",
    "PERSONAL_COLUMNS",
    "PHONE",
    "VOCABULARY_COLUMNS",
    "contact_names",
    "redact_frame",
    "redact_text",
]

_SEPARATOR_CHAR = (
    r"[\s\u00ad\u200b-\u200d\u2060\ufeff"  # spaces of every kind, soft hyphen, zero-width
    r"\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"  # hyphens, dashes, minus
    r"./\\\u2044\u2215\uff0e\uff0f()\[\]\uff08\uff09]"  # dots, slashes, parentheses
)
_ESCAPE = r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[tnr])"
"""A character as ``repr`` writes it (``\\xa0``, ``\\u2009``): a problem message quotes a value
so, and a no-break space in a phone number becomes one."""
_SEPARATOR = rf"(?:{_ESCAPE}|{_SEPARATOR_CHAR})"
_MIN_PHONE_DIGITS = 7
_DIGITS_ASCII = rf"[0-9](?:(?:{_ESCAPE}|[^A-Za-z0-9]){{0,3}}[0-9]){{{_MIN_PHONE_DIGITS - 1}}}"
_DIGITS_UNICODE = (
    rf"\p{{Nd}}(?:(?:{_ESCAPE}|[^\pL\p{{Nd}}]){{0,3}}\p{{Nd}}){{{_MIN_PHONE_DIGITS - 1}}}"
)
"""Seven digits with at most 3 other characters (not letters) between two, in RE2 syntax: a
cheap first test for :data:`PHONE`."""
_DATE = "(?:{})".format(
    "|".join(
        rf"{date}(?!{re.escape(sep)}?\d)"
        for sep in "-/."
        for date in (
            rf"\d{{4}}{re.escape(sep)}\d{{1,2}}{re.escape(sep)}\d{{1,2}}",
            rf"\d{{1,2}}{re.escape(sep)}\d{{1,2}}{re.escape(sep)}\d{{4}}",
        )
    )
)
"""A date: ``2026-01-31``, ``31/01/2026``, ``31.01.2026``, one separator throughout and not
followed by it and another digit (``0-00-0000-000`` is a phone number)."""
PHONE = re.compile(
    rf"(?:(?P<date>(?<![^\W_]){_DATE}{_SEPARATOR}{{1,3}})|(?<![^\W_]|\+)(?<!\d{_SEPARATOR_CHAR}))"
    rf"(?!{_DATE})(?:{_ESCAPE})?[(\uff08]?\+?"
    rf"\d(?:{_SEPARATOR}{{0,3}}\d){{{_MIN_PHONE_DIGITS - 1},14}}(?![^\W_])"
)
"""Seven to fifteen digits with separators between them; dates are not phone numbers (a date
right before a number is matched as ``date`` and kept)."""
EMAIL = re.compile(
    r"(?:\\?\"[^\"\r\n]{0,64}?\\?\"|[\w!#$%&'*+/=?^`{|}~.-]+)"
    r"@(?:\[[^\]\s]{1,64}\]|[\w-]+(?:\.[\w-]+)*)?"
)
"""A local part (dot-atom of any allowed character, or quoted) and ``@``, then the domain, an
IP literal or nothing (an address cut short)."""
COMMON_WORDS = frozenset({
    "user", "users", "agent", "agents", "customer", "customers", "client", "team", "ops",
    "operations", "sales", "support", "admin", "administrator", "test", "testing", "info",
    "information", "the", "and", "of", "for", "from", "with", "service", "services", "office",
    "account", "accounts", "manager", "help", "helpdesk", "desk", "contact", "lead", "leads",
    "demo", "guest", "caller", "unknown", "none", "null", "name", "mr", "mrs", "miss", "ms",
    "sir", "madam", "shri", "smt", "dear", "new", "main", "default", "system", "bot", "assistant",
    "staff", "group", "company", "business", "department", "hr", "billing", "marketing", "call",
    "calls", "phone", "mobile", "home", "work", "email", "redacted",
})  # fmt: skip
"""Parts of a contact's name that are never masked alone: common English and role words.
Inside the full name they are ("Ops User" is masked, "the user" is not)."""
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
        "contact",
        "callback_text",
    }
)
"""Columns masked whole: they hold nothing but personal data (``callback_text`` is what a
caller said about when to call, free text kept as written; ``callback_at`` keeps the time)."""
VOCABULARY_COLUMNS = frozenset(
    {"outcome", "speaker", "first_speaker", "last_speaker", "check", "lexicon", "measure"}
)
"""Columns of the library's own words (canonical outcomes, speakers, check names, keyword
lexicons): never masked, so that a contact named Mary Price leaves the lexicon ``price``."""
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
_MARK_RANGE = r"\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARKS = f"[{_MARK_RANGE}]"
"""Combining diacritical marks: what NFKD splits off an accented letter."""
_UNDECOMPOSED = {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "ŧ": "t"}
"""Letters NFKD leaves whole that people write for a plain one (Łukasz, Søren)."""


_FOLDED = str.maketrans(_UNDECOMPOSED)


def _fold_column(words: pd.Series) -> pd.Series:
    """Lower case without accents, column-wise: NFKD, combining marks left out, case folded.

    >>> words = ["José Ñúñez", "JOSE\u0301", "Łukasz", "\\uff21\\uff33\\uff28\\uff21"]
    >>> _fold_column(pd.Series(words)).tolist()
    ['jose nunez', 'jose', 'lukasz', 'asha']
    """
    plain = words.str.normalize("NFKD").str.replace(_MARKS, "", regex=True)
    return plain.str.casefold().str.translate(_FOLDED)


def contact_names(*frames: pd.DataFrame) -> list[str]:
    """The names of the people in a run's tables: full names and their distinctive parts.

    Reads the name columns of each frame (``tasks``: ``input_name``, ``user_name``...;
    ``calls``: ``customer``). A part is a word of 3 letters or more that is not one of
    :data:`COMMON_WORDS`; a full name of one word follows the same rule, except that 2 letters
    do. Names that differ only in case or accents are given once.

    >>> contact_names(pd.DataFrame({"input_name": ["Asha Rao", "ASHA rao", None],
    ...                             "user_name": ["Ops User", "Li", "Ops User"]}))
    ['Asha Rao', 'Ops User', 'Asha', 'Li', 'Rao']
    """
    found = [f[c].astype(TEXT) for f in frames for c in _NAME_COLUMNS if c in f]
    full = pd.concat(found) if found else pd.Series([], dtype=TEXT)
    full = full.dropna().str.split().str.join(" ")
    parts = full[full.str.contains(" ", regex=False)].str.split().explode().dropna()
    names = pd.concat([full[full.str.len() >= 2], parts[parts.str.len() >= _MIN_NAME_PART]])
    folded = _fold_column(names)
    names = names[~folded.isin(COMMON_WORDS) & ~folded.duplicated()]
    return sorted(names, key=lambda n: (-len(n.split()), n))


_LETTER_RUN = r"[\pL\pM\pN_]+"
_OTHER_RUN = r"[^\pL\pM\pN_]+"
"""Words (letters with their combining marks, digits, ``_``: what ``\\w`` matches) and what
lies between them, in RE2 syntax. A name is a whole word, never part of an id (``T5ada9``)."""
_NAME_JOIN = r"^[\s'\x{2019}\x{02bc}.\-\x{2010}\x{2011}]+$"
"""What may stand between the words of one name: spaces, apostrophes, dots, hyphens."""


@dataclass(frozen=True)
class _Split:
    """A text column cut into words and the separators around them, column-wise (Arrow).

    Row ``r`` with ``n`` words has ``n + 1`` separators (``""`` where the text starts or ends
    with a word) and reads ``sep0 word0 sep1 word1 ... sep_n``; a missing row has neither.
    """

    text: pa.Array
    words: pa.Array
    word_row: np.ndarray

    @classmethod
    def of(cls, text: pd.Series) -> _Split:
        array = pa.array(text.astype(TEXT), type=pa.large_string())
        pieces = pc.split_pattern_regex(array, _OTHER_RUN)
        words = pc.list_flatten(pieces)
        nonempty = pc.not_equal(words, "")  # the ends of a text that starts or ends with no word
        word_row = np.asarray(pc.list_parent_indices(pieces).filter(nonempty), dtype=np.int64)
        return cls(array, words.filter(nonempty), word_row)

    @cached_property
    def _sep_lists(self) -> pa.Array:
        """The separators, cut only when a name was found (most columns hold none)."""
        return pc.split_pattern_regex(self.text, _LETTER_RUN)

    @property
    def seps(self) -> pa.Array:
        return pc.list_flatten(self._sep_lists)

    @property
    def sep_row(self) -> np.ndarray:
        return np.asarray(pc.list_parent_indices(self._sep_lists), dtype=np.int64)

    @property
    def n_rows(self) -> int:
        return len(self.text)

    def rank(self, row: np.ndarray) -> np.ndarray:
        """Each word's (or separator's) place in its row: 0, 1, 2..."""
        count = np.bincount(row, minlength=self.n_rows)
        return np.asarray(np.arange(len(row)) - (np.cumsum(count) - count)[row], dtype=np.int64)

    def sep_after(self) -> np.ndarray:
        """The index into ``seps`` of the separator after each word."""
        count = np.bincount(self.sep_row, minlength=self.n_rows)
        first = (np.cumsum(count) - count)[self.word_row]
        return np.asarray(first + self.rank(self.word_row) + 1, dtype=np.int64)

    def join(self, words: np.ndarray, seps: np.ndarray) -> pa.Array:
        """Each row's text again, from words and separators (changed or not) in this order."""
        count = np.bincount(self.word_row, minlength=self.n_rows)
        count += np.bincount(self.sep_row, minlength=self.n_rows)
        start = np.cumsum(count) - count
        tokens = np.empty(int(count.sum()), dtype=object)
        tokens[start[self.sep_row] + 2 * self.rank(self.sep_row)] = seps
        tokens[start[self.word_row] + 2 * self.rank(self.word_row) + 1] = words
        offsets = np.concatenate([[0], np.cumsum(count)])
        lists = pa.LargeListArray.from_arrays(offsets, pa.array(tokens, type=pa.large_string()))
        return pc.binary_join(lists, pa.scalar("", pa.large_string()))


def _folded_words(split: _Split) -> pd.Series:
    """The split's words folded (:func:`_fold_column`), once per distinct word."""
    codes, distinct = pd.factorize(pd.Series(split.words, dtype=TEXT))
    return _fold_column(pd.Series(distinct, dtype=TEXT)).take(codes).reset_index(drop=True)


@lru_cache(maxsize=8)
def _name_keys(names: frozenset[str]) -> dict[int, frozenset[str]]:
    """The names folded, their words joined by one space, by number of words."""
    split = _Split.of(pd.Series(sorted(names), dtype=TEXT))
    keys = _folded_words(split).groupby(split.word_row).agg(" ".join)
    counts = keys.str.count(" ") + 1
    return {int(k): frozenset(keys[counts == k]) for k in counts.unique()}


def _words_of(keys: dict[int, frozenset[str]]) -> set[str]:
    return {word for names in keys.values() for name in names for word in name.split(" ")}


def _name_hits(split: _Split, keys: dict[int, frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Which words belong to a name, and which belong to the same name as the next word.

    A name of ``k`` words matches ``k`` consecutive words of a row whose folded forms are the
    name's and whose separators may join a name (:data:`_NAME_JOIN`).
    """
    folded = _folded_words(split)
    word, pair = np.zeros((2, len(folded)), dtype=bool)
    if not folded.isin(_words_of(keys)).any():
        return word, pair
    joins, key, fits = _joins(split), folded, np.ones(len(folded), dtype=bool)
    for k in range(1, max(keys) + 1):
        if k > 1:
            fits = fits & _ahead(joins, k - 2)
            key = key + " " + folded.shift(1 - k)
        starts = fits & key.isin(keys.get(k, frozenset())).to_numpy(dtype=bool)
        for offset in range(k):
            word[offset:] |= starts[: len(starts) - offset]
            pair[offset:] |= starts[: len(starts) - offset] & (offset < k - 1)
    return word, pair


def _joins(split: _Split) -> np.ndarray:
    """Whether each word and the next are in one row, with a separator a name may have."""
    fits = pc.match_substring_regex(split.seps, _NAME_JOIN).to_numpy(zero_copy_only=False)
    return np.asarray(fits[split.sep_after()] & (_ahead(split.word_row, 1) == split.word_row))


def _ahead(values: np.ndarray, n: int) -> np.ndarray:
    """``values`` moved ``n`` places back: position i holds value i + n (the end padded)."""
    fill = -1 if values.dtype.kind == "i" else False
    padding = np.full(min(n, len(values)), fill, dtype=values.dtype)
    return np.concatenate([values[n:], padding])


def _mask_names(text: pd.Series, keys: dict[int, frozenset[str]]) -> pd.Series:
    """``text`` with each name replaced by ``[name]``; column-wise."""
    split = _Split.of(text)
    word, pair = _name_hits(split, keys)
    if not word.any():
        return text
    after_pair = np.concatenate([[False], pair[:-1]])
    words = split.words.to_numpy(zero_copy_only=False)
    words = np.where(word & ~after_pair, "[name]", np.where(word, "", words))
    seps = split.seps.to_numpy(zero_copy_only=False).copy()
    seps[split.sep_after()[pair]] = ""
    joined = pd.Series(split.join(words, seps), index=text.index, dtype=TEXT)
    return joined.where(text.notna())


def redact_text(text: pd.Series, *, names: Iterable[str] = ()) -> pd.Series:
    """Mask e-mail addresses, phone numbers and the given names in a text column.

    >>> redact_text(pd.Series(['write to "john doe"@example.com, JOHN!']), names=["John"])[0]
    'write to [email], [name]!'
    """
    out = text.astype(TEXT)
    out = _replace(out, _matches(pa.array(out, type=pa.large_string()), "@"), EMAIL, "[email]")
    out = _replace(out, _may_hold_phones(out), PHONE, r"\g<date>[phone]")
    keys = _name_keys(frozenset(names))
    return _mask_names(out, keys) if keys else out


def _may_hold_phones(text: pd.Series) -> np.ndarray:
    """Rows with 7 digits in a row, at most 3 other characters (not letters) between two: all
    rows :data:`PHONE` may match, found by RE2 (Unicode classes only where the text is not
    ASCII: they are 50 times slower)."""
    array = pa.array(text, type=pa.large_string())
    found = _matches(array, _DIGITS_ASCII)
    other = _matches(array, "[^\\x00-\\x7f]")
    if other.any():
        found[other] = _matches(array.filter(other), _DIGITS_UNICODE)
    return found


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    """Whether each value holds a match of ``pattern`` (RE2); missing values do not."""
    found = pc.fill_null(pc.match_substring_regex(array, pattern), False)
    return np.array(found, dtype=bool)


def _replace(text: pd.Series, rows: np.ndarray, pattern: re.Pattern[str], mask: str) -> pd.Series:
    """``pattern`` replaced by ``mask`` in the ``rows`` a cheap test says may hold it (the
    pattern itself runs in Python's ``re``, slower than Arrow's)."""
    if not rows.any():
        return text
    out = text.copy()
    out[rows] = text[rows].str.replace(pattern, mask, regex=True)
    return out


def redact_frame(frame: pd.DataFrame, *, names: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` safe to publish: personal columns masked, text columns scrubbed.

    Recording URLs are dropped; non-text columns (numbers, times, flags) and the library's own
    words (:data:`VOCABULARY_COLUMNS`) are unchanged.

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
        elif column in VOCABULARY_COLUMNS:
            continue
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
