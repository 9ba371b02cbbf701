"""The one check of a platform id, shared by the client (URL paths) and the store (file names).

Private to :mod:`analytics.io`; :func:`check_id` is public as ``analytics.io.client.check_id``.
"""

from __future__ import annotations

import re

__all__ = ["MAX_ID_LENGTH", "check_id"]

MAX_ID_LENGTH = 128
"""The longest id :func:`check_id` accepts (the platform's are 33 characters)."""
_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.-]{{0,{MAX_ID_LENGTH - 1}}}")


def check_id(value: object, name: str) -> str:
    """``value`` if it is a plain platform id, else a one-line ValueError naming it.

    An id is 1 to :data:`MAX_ID_LENGTH` (128) ASCII letters, digits, ``_``, ``.`` or ``-``,
    starting with a letter or a digit: the platform's run ids are ``R`` and 32 hex digits.
    So ``.``, ``..``, ``a/b``, ``.hidden`` or an empty string never reach a URL path or a file
    name. Every id the client sends, and every snapshot file name, passes this check first.

    Parameters
    ----------
    value : object
        The id to check.
    name : str
        What it is (``run_id``, ``space_token``), for the message.

    Returns
    -------
    str
        ``value`` unchanged.

    Examples
    --------
    >>> check_id("R0123abcd", "run_id")
    'R0123abcd'
    >>> check_id("..", "run_id")
    Traceback (most recent call last):
    ...
    ValueError: run_id='..' is not an id: use 1-128 letters, digits, '_', '.' or '-', ...
    """
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    raise ValueError(
        f"{name}={value!r} is not an id: use 1-{MAX_ID_LENGTH} letters, digits, '_', '.' or '-', "
        "starting with a letter or digit, as the API lists it (e.g. 'R' and 32 hex digits)"
    )
