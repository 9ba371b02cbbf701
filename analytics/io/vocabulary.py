"""Vocabulary files users bring: keyword lexicons and an outcome map, as TOML or JSON.

A lexicon file names the keyword lexicons to count (``name -> phrases``), replacing the
built-in ones; an outcome map file says which canonical outcome each of the platform's raw
labels means (``raw label -> canonical label``). The format follows the file's suffix:
``.toml`` (read with :mod:`tomllib`) or ``.json``. The files are data: they are parsed, never
executed or imported.

Every problem with a file is one line naming the file, the key or value at fault and what to
do: a ``ValueError`` for content that cannot be used, and for a file that cannot be read the
``OSError`` of the read (``FileNotFoundError``, ``PermissionError``...) with such a line as its
message.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     lexicons = Path(folder) / "lexicons.toml"
...     _ = lexicons.write_text('refund = ["refund", "money back"]\\n', encoding="utf-8")
...     outcomes = Path(folder) / "outcomes.json"
...     _ = outcomes.write_text('{"Hot Lead": "Interested"}', encoding="utf-8")
...     read_lexicons(lexicons), read_outcome_map(outcomes)
({'refund': ('refund', 'money back')}, {'Hot Lead': 'Interested'})
"""

from __future__ import annotations

import json
import logging
import os
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analytics.load.parse import show
from analytics.schema import OUTCOMES, check_outcome_map

__all__ = ["VOCABULARY_FORMATS", "read_lexicons", "read_outcome_map"]

log = logging.getLogger(__name__)

VOCABULARY_FORMATS: dict[str, str] = {".toml": "TOML", ".json": "JSON"}
"""The suffixes a vocabulary file may have, and the format each one means."""

_SHORT_PHRASE = 40
"""The longest bare string a message suggests wrapping in a list as it is."""
_LEXICON_EXAMPLES = {
    "TOML": 'e.g. refund = ["refund", "money back"]',
    "JSON": 'e.g. {"refund": ["refund", "money back"]}',
}
_OUTCOME_EXAMPLES = {
    "TOML": 'e.g. "Hot Lead" = "Interested"',
    "JSON": 'e.g. {"Hot Lead": "Interested"}',
}


def read_lexicons(path: str | os.PathLike[str]) -> dict[str, tuple[str, ...]]:
    """Read keyword lexicons (``name -> phrases``) from a TOML or JSON file.

    Parameters
    ----------
    path : path
        A ``.toml`` or ``.json`` file holding one table (a JSON object) whose keys are lexicon
        names and whose values are lists of phrases::

            refund = ["refund", "money back", "cancel my order"]
            human = ["real person", "speak to someone"]

        A name becomes part of column names (``kw_<name>_user``): letters, digits and
        underscores, not starting with a digit. A phrase is non-empty text, matched
        case-insensitively on word boundaries. A lexicon is always a list, even of one
        phrase (``refund = ["refund"]``): a bare string is refused, since a comma-separated
        string would silently be searched as one phrase.

    Returns
    -------
    dict of str to tuple of str
        The lexicons in the file's order, each phrase as written; what
        :func:`analytics.text.keywords.keyword_features` and ``build_report(lexicons=...)``
        take.

    Raises
    ------
    ValueError
        The suffix is not ``.toml`` or ``.json``; the file is not UTF-8, not valid TOML/JSON,
        not one table, empty, repeats a name (JSON), or holds a name, lexicon or phrase that
        cannot be used. The message is one line naming the file and the key or value.
    OSError
        The file cannot be read (``FileNotFoundError`` when it is missing), with a one-line
        message naming it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "words.json"
    ...     _ = path.write_text('{"refund": "refund"}', encoding="utf-8")
    ...     read_lexicons(path)
    Traceback (most recent call last):
    ...
    ValueError: lexicon file '.../words.json': lexicon 'refund' must be a list of phrases, ...
    """
    where = f"lexicon file {str(path)!r}"
    table = _read_table(path, where, _LEXICON_EXAMPLES)
    lexicons = {_lexicon_name(name, where): _phrases(name, v, where) for name, v in table.items()}
    log.debug("%s: %d lexicons", where, len(lexicons))
    return lexicons


def read_outcome_map(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read an outcome map (``raw label -> canonical label``) from a TOML or JSON file.

    Parameters
    ----------
    path : path
        A ``.toml`` or ``.json`` file holding one table (a JSON object) whose keys are the
        platform's raw outcome labels and whose values are canonical outcomes, one of
        :data:`analytics.schema.OUTCOMES` spelled exactly::

            "Hot Lead" = "Interested"
            "Ring me later" = "Call Back"

        TOML keys with spaces are quoted. A raw label is text that does not mean "no value"
        (not empty, ``"N/A"``, ``"none"``...). Labels are compared folded as the loader compares
        them (``"Hot Lead"`` and ``"hot-lead"`` are one label), so two labels that fold to one
        must map to the same outcome. Checked by :func:`analytics.schema.check_outcome_map`.

    Returns
    -------
    dict of str to str
        The map in the file's order, labels as written; what ``load_run(outcome_map=...)``
        takes.

    Raises
    ------
    ValueError
        The suffix is not ``.toml`` or ``.json``; the file is not UTF-8, not valid TOML/JSON,
        not one table, empty, repeats a label, holds a label meaning "no value", maps a label
        to something that is not a canonical outcome, or maps two labels that fold to one to
        different outcomes. The message is one line naming the file and the label.
    OSError
        The file cannot be read (``FileNotFoundError`` when it is missing), with a one-line
        message naming it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "outcomes.toml"
    ...     _ = path.write_text('"Hot Lead" = "Intrested"', encoding="utf-8")
    ...     read_outcome_map(path)
    Traceback (most recent call last):
    ...
    ValueError: outcome map file '.../outcomes.toml': label 'Hot Lead' maps to 'Intrested', ...
    """
    where = f"outcome map file {str(path)!r}"
    table = _read_table(path, where, _OUTCOME_EXAMPLES)
    for label, outcome in table.items():
        _check_text_outcome(label, outcome, where)
    try:
        mapping = check_outcome_map(table)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: {str(err).removeprefix('outcome map: ')}") from None
    log.debug("%s: %d labels", where, len(mapping))
    return mapping


# --- reading --------------------------------------------------------------------------------


def _read_table(
    path: str | os.PathLike[str], where: str, examples: Mapping[str, str]
) -> dict[str, Any]:
    """The top-level table of the TOML or JSON file ``path``, non-empty; ``examples`` by
    format, for the messages."""
    fmt = _format(Path(path), where)
    example = examples[fmt]
    text = _text(Path(path), where)
    table = _parsed(text, fmt, where)
    if not isinstance(table, dict):
        raise ValueError(
            f"{where} must hold one {fmt} table of keys and values, got "
            f"{type(table).__name__} {show(table)}; {example}"
        )
    if not table:
        raise ValueError(f"{where} holds no entries; add at least one, {example}")
    return table


def _format(path: Path, where: str) -> str:
    """The format the suffix of ``path`` names, else a ValueError listing the two accepted."""
    fmt = VOCABULARY_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"{where} must end in .toml or .json, not {show(path.suffix)}; "
            "save it as TOML or JSON with that suffix"
        )
    return fmt


def _text(path: Path, where: str) -> str:
    """The file's text (UTF-8, a BOM allowed); an unreadable file is its OSError, one line."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise type(err)(f"cannot read {where} ({reason}); check its path") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{where} is not UTF-8 text (byte {err.start}: {show(raw[err.start : err.end])}); "
            "save it as UTF-8"
        ) from None


def _parsed(text: str, fmt: str, where: str) -> Any:
    """``text`` parsed as ``fmt`` (TOML or JSON; a JSON key given twice is an error)."""
    try:
        if fmt == "TOML":
            return tomllib.loads(text)
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _RepeatedKey as err:
        raise ValueError(
            f"{where} gives the key {show(err.key)} more than once; keep one of them"
        ) from None
    except ValueError as err:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        reason = " ".join(str(err).split())
        raise ValueError(f"{where} is not valid {fmt} ({reason}); fix the file") from None


class _RepeatedKey(Exception):
    """A JSON object gives a key twice (``json`` would keep the last one silently)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice."""
    table = dict(pairs)
    if len(table) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        raise _RepeatedKey(next(key for key, _ in pairs if counts[key] > 1))
    return table


# --- checking -------------------------------------------------------------------------------


def _lexicon_name(name: str, where: str) -> str:
    """``name`` if it can be part of a column name: a Python identifier."""
    if not name.isidentifier():
        fixed = re.sub(r"\W+", "_", name).strip("_") or "my_lexicon"
        fixed = f"lexicon_{fixed}" if fixed[0].isdigit() else fixed
        raise ValueError(
            f"{where}: lexicon name {show(name)} must be letters, digits and underscores, not "
            f"starting with a digit (it becomes part of column names); rename it, "
            f"e.g. {fixed!r}"
        )
    return name


def _phrases(name: str, value: object, where: str) -> tuple[str, ...]:
    """The phrases of lexicon ``name``: a non-empty list of non-empty texts."""
    if not isinstance(value, list):
        short = isinstance(value, str) and len(value) <= _SHORT_PHRASE
        example = json.dumps([value] if short else ["refund", "money back"], ensure_ascii=False)
        raise ValueError(
            f"{where}: lexicon {name!r} must be a list of phrases, got "
            f"{type(value).__name__} {show(value)}; write it as a list, e.g. {example}"
        )
    if not value:
        raise ValueError(f"{where}: lexicon {name!r} has no phrases; give at least one")
    for i, phrase in enumerate(value):
        if not isinstance(phrase, str) or not phrase.strip():
            raise ValueError(
                f"{where}: lexicon {name!r} phrase {i + 1} is {show(phrase)}, not text; "
                "give each phrase as non-empty quoted text"
            )
    return tuple(value)


def _check_text_outcome(label: str, outcome: object, where: str) -> None:
    """Refuse an outcome that is not text, quoting it short (the rest is
    :func:`~analytics.schema.check_outcome_map`'s)."""
    if not isinstance(outcome, str):
        raise ValueError(
            f"{where}: label {show(label)} maps to {type(outcome).__name__} {show(outcome)}, "
            f"not a canonical outcome; use one of {', '.join(OUTCOMES)} (quoted text)"
        )
