"""The exceptions of unpod-analytics.

One base class, :class:`AnalyticsError`; input that is not a tasks response at all raises
:class:`SchemaError`; an error answer from the Unpod API raises a subclass of
:class:`ApiError` chosen by :func:`analytics.io.client.error_for_response` (the one place that
maps statuses to classes).

No message built here ever contains an API token: callers pass only the URL path, status and
the platform's own message.
"""

from __future__ import annotations

import re
import reprlib

__all__ = [
    "MAX_QUOTED",
    "AnalyticsError",
    "ApiConnectionError",
    "ApiError",
    "AuthenticationError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SchemaError",
    "ServerError",
    "answer_message",
    "error_for_answer",
]


class AnalyticsError(Exception):
    """Base class of every error this library raises on purpose."""


class SchemaError(AnalyticsError, ValueError):
    """The input is not an Unpod tasks response (nor a task, nor a list of either)."""


class ApiError(AnalyticsError):
    """An error answer from the Unpod API.

    Parameters
    ----------
    message : str
        The platform's message (``message``, ``error.message`` or ``errors``).
    status_code : int or None
        HTTP status, or the envelope's ``status_code`` for a 206 business error.
    url : str or None
        The request URL without query string (never holds the token).
    """

    def __init__(self, message: str, *, status_code: int | None = None, url: str | None = None):
        self.message = message
        self.status_code = status_code
        self.url = url
        super().__init__(self._text())

    def _text(self) -> str:
        where = f" from {self.url}" if self.url else ""
        status = f"HTTP {self.status_code}" if self.status_code is not None else ""
        prefix = f"{status}{where}".strip()
        return f"{prefix}: {self.message}" if prefix else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, "
            f"status_code={self.status_code!r}, url={self.url!r})"
        )


class AuthenticationError(ApiError):
    """401, or no token configured (set ``UNPOD_API_TOKEN`` or pass ``token=``)."""


class PermissionDeniedError(ApiError):
    """403, or the platform's 206 "no access to this space" answers."""


class NotFoundError(ApiError):
    """404: the path or object does not exist."""


class RateLimitError(ApiError):
    """429 after every retry; ``retry_after`` is the server's last ``Retry-After`` in seconds."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 429,
        url: str | None = None,
        retry_after: float | None = None,
    ):
        self.retry_after = retry_after
        super().__init__(message, status_code=status_code, url=url)


class ServerError(ApiError):
    """5xx after every retry."""


class ApiConnectionError(AnalyticsError):
    """The API could not be reached (connection refused, DNS, timeout) after every retry."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}
_ACCESS_MESSAGE = re.compile(r"access|permission|invalid space token", re.IGNORECASE)


def answer_message(body: object) -> str | None:
    """The platform's own words in an error body, whichever of its shapes it uses.

    Joins ``message``, ``error.message`` (or ``error``), ``detail`` and ``errors``; None
    when the body has none of them.

    >>> answer_message({"error": {"code": "rate_limited", "message": "Slow down"}})
    'Slow down'
    >>> answer_message({"status_code": 206, "message": "Runs Fetch Failed", "errors": "boom"})
    'Runs Fetch Failed; boom'
    """
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    parts = (
        body.get("message"),
        error.get("message") if isinstance(error, dict) else error,
        body.get("detail"),
        body.get("errors"),
    )
    return "; ".join(dict.fromkeys(_quoted(p) for p in parts if p)) or None


MAX_QUOTED = 300
"""The most characters of one part of an error body an error message quotes."""
_SHORT = reprlib.Repr()  # keyword arguments only from Python 3.12
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 4, 4
_SHORT.maxstring = _SHORT.maxother = 80


def _quoted(part: object) -> str:
    """``part`` as text for a message: a string as it is, anything else by a bounded ``repr``
    (a body may hold a list of 100,000 rows, or a list that holds itself); cut to
    :data:`MAX_QUOTED` characters."""
    text = part if isinstance(part, str) else _SHORT.repr(part)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."


def error_for_answer(
    status_code: int | None,
    body: object,
    *,
    url: str | None = None,
    message: str | None = None,
    retry_after: float | None = None,
) -> ApiError:
    """The one place that maps an API answer to its exception class.

    ``status_code`` is the HTTP status, or the envelope's ``status_code`` for an answer read
    from a file. Below 400 (the platform's 206 business errors, or a 200 without data) access
    problems become :class:`PermissionDeniedError` and the rest a plain :class:`ApiError`;
    401, 403, 404 and 429 map to their classes, 5xx to :class:`ServerError`. ``message``
    overrides the words read from ``body``.

    >>> error_for_answer(206, {"message": "You Don't have Access to this Space"})
    PermissionDeniedError(message="You Don't have Access to this Space", status_code=206, url=None)
    >>> type(error_for_answer(503, {"message": "busy"})).__name__
    'ServerError'
    """
    message = message or answer_message(body) or "no message in the answer"
    if status_code is None or status_code < 400:
        cls = PermissionDeniedError if _ACCESS_MESSAGE.search(message) else ApiError
    else:
        cls = _BY_STATUS.get(status_code, ServerError if status_code >= 500 else ApiError)
    if cls is RateLimitError:
        return RateLimitError(message, status_code=status_code, url=url, retry_after=retry_after)
    return cls(message, status_code=status_code, url=url)
