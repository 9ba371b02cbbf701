"""The Unpod platform API client: one session, token auth, declarative retries, paging.

:class:`UnpodClient` reads organisations, spaces, runs and the tasks of a run from
``https://unpod.ai/api/v2/platform`` (see ``docs/unpod-api.md``); :func:`fetch_run` gathers
every page of a run into one response-shaped dict, optionally saves it, and loads it as a
:class:`~analytics.load.Run`.

- Retries are urllib3's :class:`~urllib3.util.retry.Retry` mounted through an ``HTTPAdapter``
  (:func:`retry_policy`): 429, 500, 502, 503, 504, connection errors and timeouts, GET only,
  exponential backoff with jitter, ``Retry-After`` honoured. Each wait is logged, as a
  WARNING when longer than :data:`ANNOUNCE_WAIT` (2 s): the wait, the retry count and the
  answer that caused it, never the token.
- :func:`error_for_response` is the one place that maps an answer to an
  :class:`~analytics.errors.ApiError` subclass; a 206, or a 200 whose ``data`` is not a list, is
  an error, never data.
- Every transport fault ends in the :class:`~analytics.errors.AnalyticsError` hierarchy: a body
  cut short or undecodable is retried like a connection error, then raises
  :class:`~analytics.errors.ApiConnectionError`, as does any other ``requests`` error and an
  answer slower than the ``deadline``. A redirect off the API host raises
  :class:`~analytics.errors.ApiError`; a server that repeats pages is stopped.
- The token lives only in the request headers: it is not in ``repr``, error messages or logs.
  A token with a control character is refused before any request, and any echo of it in an
  answer (any casing, or 8 characters of it or more) is replaced by ``***``.
- Ids go into URL paths and file names only if :func:`check_id` accepts them.

Examples
--------
>>> client = UnpodClient("secret-token", base_url="http://127.0.0.1:9/api/v2/platform")
>>> client
UnpodClient(base_url='http://127.0.0.1:9/api/v2/platform', org_handle=None, token='***')
>>> client.close()
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import RequestHistory, Retry

from analytics.errors import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    SchemaError,
    answer_message,
    error_for_answer,
)
from analytics.io._ids import check_id
from analytics.io.store import save_snapshot, snapshot_path
from analytics.load import Run, load_run
from analytics.load.sources import parse_json

__all__ = [
    "UnpodClient",
    "UnpodRetry",
    "check_id",
    "error_for_response",
    "fetch_run",
    "resolve_token",
    "retry_policy",
    "run_response",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://unpod.ai/api/v2/platform"
PLATFORM_PATH = "/api/v2/platform"
TOKEN_ENV, ORG_HANDLE_ENV, BASE_URL_ENV = "UNPOD_API_TOKEN", "UNPOD_ORG_HANDLE", "UNPOD_BASE_URL"
AUTH_SCHEME_ENV = "UNPOD_AUTH_SCHEME"
AUTH_SCHEMES = ("Token", "Bearer", "JWT")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAGES = 10_000
"""Safety bound of a paged read: a server that keeps sending full pages stops here."""
ANNOUNCE_WAIT = 2.0
"""Retry waits longer than this many seconds are logged as a WARNING (shorter ones as DEBUG)."""
DEADLINE_TIMEOUTS = 4
"""The default ``deadline`` of an answer's body, in multiples of ``timeout``."""
SCRUB_PIECE = 8
"""Echoes of this many characters of the token, or more, are scrubbed from messages."""
_READ_SIZE = 64 * 1024

# --- retries ----------------------------------------------------------------------------------


def _not_redirect(attempt: RequestHistory) -> bool:
    return attempt.redirect_location is None


class UnpodRetry(Retry):
    """urllib3 ``Retry`` whose waits go through ``sleep`` and never exceed ``backoff_max``.

    Before each wait it logs ``waiting 30 s before retry 2 of 5 (HTTP 429 from /path)``
    through this module's logger: a WARNING when the wait is longer than
    :data:`ANNOUNCE_WAIT` seconds, DEBUG otherwise. The library never prints; the
    ``unpod-analytics`` command shows those warnings on stderr.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`urllib3.util.retry.Retry`.
    sleep : callable, default :func:`time.sleep`
        Called with each wait in seconds; tests pass a recorder so nothing waits.
    jitter : callable, default :func:`random.random`
        Called with no argument for each backoff; returns a float in ``[0, 1)`` that scales
        ``backoff_jitter``. Tests pass a constant function for a deterministic wait.
    """

    def __init__(
        self,
        *args: Any,
        sleep: Callable[[float], object] = time.sleep,
        jitter: Callable[[], float] = random.random,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sleep_fn = sleep
        self.jitter_fn = jitter

    def new(self, **kw: Any) -> UnpodRetry:
        return super().new(**{"sleep": self.sleep_fn, "jitter": self.jitter_fn, **kw})

    def get_backoff_time(self) -> float:
        """urllib3's backoff, its jitter drawn from ``jitter`` instead of :func:`random.random`.

        Zero until two consecutive errors (redirects end a run of errors), then
        ``backoff_factor * 2**(errors-1) + jitter() * backoff_jitter``, at most ``backoff_max``.
        """
        errors = sum(1 for _ in itertools.takewhile(_not_redirect, reversed(self.history)))
        if errors <= 1:
            return 0.0
        backoff = self.backoff_factor * (2 ** (errors - 1))
        if self.backoff_jitter != 0.0:
            backoff += self.jitter_fn() * self.backoff_jitter
        return float(max(0, min(self.backoff_max, backoff)))

    def sleep(self, response: Any = None) -> None:
        """Wait the server's ``Retry-After`` if it sent one, else the jittered backoff."""
        retry_after = None
        if response is not None and self.respect_retry_after_header:
            with contextlib.suppress(InvalidHeader):
                retry_after = self.get_retry_after(response)
        delay = min(retry_after, self.backoff_max) if retry_after else self.get_backoff_time()
        if delay > 0:
            self._log_wait(delay)
            self.sleep_fn(delay)

    def _log_wait(self, delay: float) -> None:
        """Log the coming wait: a WARNING past :data:`ANNOUNCE_WAIT` seconds, else DEBUG."""
        level = logging.WARNING if delay > ANNOUNCE_WAIT else logging.DEBUG
        retry = len(self.history)
        of = f" of {retry + self.total}" if type(self.total) is int else ""  # not None or False
        logger.log(
            level, "waiting %s s before retry %d%s (%s)", _seconds(delay), retry, of, self._cause()
        )

    def _cause(self) -> str:
        """What the retry answers: ``HTTP 429 from /path`` or ``no answer from /path: Error``."""
        if not self.history:
            return "no answer yet"
        last = self.history[-1]
        path = urlsplit(last.url or "").path
        if last.status is not None:
            return f"HTTP {last.status} from {path}"
        return f"no answer from {path}: {type(last.error).__name__}"


def _seconds(delay: float) -> str:
    """A wait as a person reads it: one decimal, none when whole.

    Examples
    --------
    >>> _seconds(3.0), _seconds(2.125), _seconds(60)
    ('3', '2.1', '60')
    """
    return f"{delay:.1f}".removesuffix(".0")


def retry_policy(
    max_retries: int = 5,
    *,
    backoff_factor: float = 0.5,
    backoff_max: float = 60.0,
    sleep: Callable[[float], object] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> UnpodRetry:
    """The client's retry policy: GET only, on 429/5xx, connection errors and timeouts.

    The first retry is immediate (urllib3's rule); retry ``n`` then waits
    ``backoff_factor * 2**(n-1)`` plus ``jitter() * backoff_factor``, or the server's
    ``Retry-After``; no single wait exceeds ``backoff_max``. The last 429/5xx answer
    is returned (not raised) so that :func:`error_for_response` decides its error.

    Parameters
    ----------
    max_retries : int
        Retries per request (0 disables them).
    backoff_factor : float
        Base of the exponential backoff in seconds, and the most jitter added to it.
    backoff_max : float
        The longest single wait in seconds, ``Retry-After`` included.
    sleep : callable, default :func:`time.sleep`
        Called with each wait in seconds; tests pass a recorder so nothing waits.
    jitter : callable, default :func:`random.random`
        Called with no argument for each backoff; returns a float in ``[0, 1)``, the share of
        ``backoff_factor`` added as jitter. Tests pass a constant function.

    Examples
    --------
    >>> retry_policy(3, backoff_factor=0).total
    3
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries={max_retries!r} must be an integer >= 0, e.g. 5")
    return UnpodRetry(
        total=max_retries,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        backoff_jitter=backoff_factor,
        backoff_max=backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,
        sleep=sleep,
        jitter=jitter,
    )


# --- errors -----------------------------------------------------------------------------------


def _decode(response: requests.Response) -> Any:
    """The body as the loader reads a saved file (:func:`~analytics.load.sources.parse_json`:
    BOM, ``NaN``, lone surrogates, any depth); None when it is not JSON at all."""
    try:
        return parse_json(response.content)
    except SchemaError:
        return None


def _public_url(url: str) -> str:
    """The URL without query string, fragment or user info."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment="").geturl()


def _scrub(text: str, secret: str) -> str:
    """``text`` with every echo of ``secret`` replaced by ``***``.

    An echo is the secret in any casing, or any run of :data:`SCRUB_PIECE` (8) or more of its
    characters in a row (a cut or partial echo): overlapping pieces merge into one ``***``.

    Examples
    --------
    >>> _scrub("bad token TOK-abcdef123456 (tok-abcdef1...)", "tok-abcdef123456")
    'bad token *** (***...)'
    >>> _scrub("nothing to hide", "")
    'nothing to hide'
    """
    size = min(SCRUB_PIECE, len(secret))
    if not size or len(text) < size:
        return text
    low = secret.lower()
    pieces = {low[i : i + size] for i in range(len(low) - size + 1)}
    hits = [i for i in range(len(text) - size + 1) if text[i : i + size].lower() in pieces]
    kept: list[str] = []
    end = 0
    for start in hits:  # windows in order; overlapping or touching ones make one span
        if start > end or not kept:
            kept.append(text[end:start] + "***")
        end = start + size
    return "".join(kept) + text[end:]


def _request_secret(response: requests.Response) -> str:
    """The token the request of ``response`` carried, or ``""``."""
    request = response.request
    auth = request.headers.get("Authorization", "") if request is not None else ""
    return str(auth).partition(" ")[2]


def _message(body: Any, response: requests.Response) -> str:
    """The platform's words (see :func:`answer_message`), else the HTTP reason; token-free."""
    text = answer_message(body) or response.reason or f"HTTP {response.status_code}, no JSON body"
    return _scrub(text, _request_secret(response))


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return Retry(0).parse_retry_after(value)
    except InvalidHeader:
        return None


def error_for_response(response: requests.Response, body: Any = None) -> ApiError | None:
    """The error an API answer stands for, or None when it carries data.

    Success is HTTP 200 with a list under ``data``. Everything else goes to
    :func:`analytics.errors.error_for_answer`, the one mapping of answers to exceptions: a
    206 (or a 200 without that list) is an :class:`ApiError` carrying the platform's message
    (a :class:`PermissionDeniedError` for space-access messages); 401, 403, 404, 429 and 5xx
    map to their subclasses.

    Parameters
    ----------
    response : requests.Response
        The final answer (after retries).
    body : object, optional
        Its decoded JSON body, when already decoded.
    """
    body = _decode(response) if body is None else body
    status = response.status_code
    if status == 200 and isinstance(body, dict) and isinstance(body.get("data"), list):
        return None
    message = _message(body, response)
    if status < 400:
        envelope = body.get("status_code") if isinstance(body, dict) else None
        status = envelope if isinstance(envelope, int) else status
        if not isinstance(body, dict):
            message = "the body is not a JSON object"
        if status == 200:
            message = f"expected a list under 'data' ({message})"
    retry_after = _retry_after(response) if status == 429 else None
    url = _scrub(_public_url(response.url), _request_secret(response))
    return error_for_answer(status, body, url=url, message=message, retry_after=retry_after)


def _reason(exc: Exception) -> str:
    """The innermost cause of a network error (urllib3's, which names no header)."""
    inner = exc.args[0] if exc.args else exc
    return str(getattr(inner, "reason", inner))


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (the default port when none is written)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:  # not a number: an origin no API has
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def _shown_origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` as written, without user info."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


# --- client -----------------------------------------------------------------------------------


def _base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url={url!r} is not an http(s) URL; use e.g. {DEFAULT_BASE_URL!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/') or PLATFORM_PATH}"


def resolve_token(
    token: str | None = None, *, env: str = TOKEN_ENV, hint: str = "or pass token="
) -> str:
    """The API token: ``token``, else the environment variable ``env``; the one token check.

    Raises :class:`~analytics.errors.AuthenticationError` naming ``env`` (never a value) when
    neither holds one; ``hint`` ends the message with what else the caller can do.

    >>> resolve_token(" abc ")
    'abc'
    >>> resolve_token(None, env="NO_SUCH_VARIABLE_SET")
    Traceback (most recent call last):
    ...
    analytics.errors.AuthenticationError: no API token: set the NO_SUCH_VARIABLE_SET ...
    """
    source = "passed as token=" if token else f"in {env}"
    token = (token or os.environ.get(env) or "").strip()
    if not token:
        raise AuthenticationError(f"no API token: set the {env} environment variable {hint}")
    _check_token(token, source)
    return token


def _check_token(token: str, source: str) -> None:
    """Refuse a token an HTTP header cannot carry, naming the position, never the token.

    >>> _check_token("tok" + chr(13) + "X", "passed as token=")
    Traceback (most recent call last):
    ...
    analytics.errors.AuthenticationError: the API token passed as token= holds a control ...
    """
    at = next((i for i, c in enumerate(token) if not " " <= c <= "~"), None)
    if at is None:
        return
    code = ord(token[at])
    what = "a control character" if code < 0x20 or code == 0x7F else "a non-ASCII character"
    raise AuthenticationError(
        f"the API token {source} holds {what} (U+{code:04X}) at position {at + 1}: a token is "
        "one line of printable ASCII; copy it again, without line breaks"
    )


def _scheme(value: str) -> str:
    scheme = next((s for s in AUTH_SCHEMES if s.lower() == value.strip().lower()), None)
    if scheme is None:
        raise ValueError(
            f"auth_scheme={value!r} is not one of {AUTH_SCHEMES}; "
            "use 'Token' for an API token, 'Bearer' for a JWT"
        )
    return scheme


def _check_sizes(*, page_size: int, timeout: float, deadline: float) -> None:
    _check_count(page_size, "page_size", "e.g. 100")
    if not timeout > 0:
        raise ValueError(f"timeout={timeout!r} must be a positive number of seconds")
    if not deadline > 0:
        raise ValueError(f"deadline={deadline!r} must be a positive number of seconds")


def _check_count(value: object, name: str, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer, {example}")
    return value


def _header_value(value: str | None, name: str) -> str | None:
    """``value`` unless it holds a character a header cannot carry (control, non-ASCII)."""
    if value is not None and not all(" " <= c <= "~" for c in value):
        raise ValueError(
            f"{name}={value!r} holds a control or non-ASCII character; pass it on one line, "
            "in ASCII (e.g. 'acme.com')"
        )
    return value


def _is_new(item: Any, key: str, seen: set[Any]) -> bool:
    value = _key(item, key)
    if value is None or value in seen:
        return value is None
    seen.add(value)
    return True


def _key(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _stale(data: list[Any], fresh: list[Any], previous: list[Any] | None, key: str) -> bool:
    """Whether a page brought no new ``key``: its keyed items were seen, or it repeats the last."""
    if any(_key(item, key) is not None for item in fresh):
        return False
    return len(fresh) < len(data) or data == previous


class UnpodClient:
    """A client of the Unpod platform API (``/api/v2/platform``).

    Parameters
    ----------
    token : str, optional
        API token, sent as ``Authorization: Token <token>``; default ``$UNPOD_API_TOKEN``.
    org_handle : str, optional
        Sent as ``Org-Handle`` (needed by :meth:`spaces`); default ``$UNPOD_ORG_HANDLE``.
    base_url : str, optional
        Default ``$UNPOD_BASE_URL``, else ``https://unpod.ai/api/v2/platform``. A bare host
        (``https://unpod.dev``) gets ``/api/v2/platform`` appended.
    timeout : float
        Seconds to wait for a connection and for each read, on every request.
    deadline : float, optional
        Seconds an answer's body may take to arrive, once its headers are in; default
        ``4 * timeout``. ``timeout`` bounds each wait for a byte, so a server that trickles
        bytes is stopped only by this: past it, :class:`ApiConnectionError` (not retried).
    max_retries : int or urllib3 Retry
        Retries per request (see :func:`retry_policy`), or a urllib3 ``Retry`` to use instead
        (its ``raise_on_status`` is turned off so that the last answer maps to an error).
    page_size : int
        Items asked for per page (sent explicitly; the server's default varies).
    session : requests.Session, optional
        A session to use (proxies, certificates...). The retrying adapter is mounted on it for
        ``base_url`` only; it is closed by :meth:`close` only if the client created it.
    backoff_factor : float
        Base of the exponential backoff in seconds (0 retries at once).
    progress : bool, optional
        Show a tqdm bar on stderr for multi-page reads; default: when stderr is a terminal.
    auth_scheme : {"Token", "Bearer", "JWT"}, optional
        The ``Authorization`` scheme; default ``$UNPOD_AUTH_SCHEME``, else ``Token`` (an API
        token). The platform's open-source code serves ``/spaces/`` and ``/organizations/``
        with JWT authentication only; if those answer 401 to an API token, pass a JWT with
        ``auth_scheme="Bearer"`` (the run and task endpoints take either).

    Raises
    ------
    AuthenticationError
        When no token is given and ``UNPOD_API_TOKEN`` is unset or empty.
        Also when the token holds a control character (CR, LF, NUL, tab, DEL) or a
        non-ASCII one: the message gives its position, never the token.
    ValueError
        When ``auth_scheme`` is not one of the schemes above, or another option is out of range.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        org_handle: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        deadline: float | None = None,
        max_retries: int | Retry = 5,
        page_size: int = 100,
        session: requests.Session | None = None,
        backoff_factor: float = 0.5,
        progress: bool | None = None,
        auth_scheme: str | None = None,
    ):
        token = resolve_token(token)
        self.auth_scheme = _scheme(auth_scheme or os.environ.get(AUTH_SCHEME_ENV) or "Token")
        self.deadline = DEADLINE_TIMEOUTS * timeout if deadline is None else deadline
        _check_sizes(page_size=page_size, timeout=timeout, deadline=self.deadline)
        self.base_url = _base_url(base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
        handle = org_handle or os.environ.get(ORG_HANDLE_ENV) or None
        self.org_handle = _header_value(handle, "org_handle")
        self.timeout = timeout
        self.page_size = page_size
        self.progress = progress
        retry = (
            max_retries
            if isinstance(max_retries, Retry)
            else retry_policy(max_retries, backoff_factor=backoff_factor)
        )
        self.retry = retry.new(raise_on_status=False)
        self._owns_session = session is None
        self.session = requests.Session() if session is None else session
        self.session.mount(self.base_url + "/", HTTPAdapter(max_retries=self.retry))
        self._token = token
        org = {"Org-Handle": self.org_handle} if self.org_handle else {}
        self._headers = {
            "Authorization": f"{self.auth_scheme} {token}",
            "Accept": "application/json",
            **org,
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"org_handle={self.org_handle!r}, token='***')"
        )

    def __enter__(self) -> UnpodClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._owns_session:
            self.session.close()

    # --- transport ---

    def _get(self, path: str, params: dict[str, int] | None = None) -> dict[str, Any]:
        """GET ``path`` and return its body; raise the mapped error otherwise."""
        url = self.base_url + path
        logger.debug("GET %s %s", self._scrub(url), params or "")
        response = self._fetch(url, params)
        body = _decode(response)
        error = error_for_response(response, body)
        if error is not None:
            raise error
        page: dict[str, Any] = body  # no error: a JSON object with a list under "data"
        return page

    def _fetch(self, url: str, params: dict[str, int] | None) -> requests.Response:
        """The answer to GET ``url``, body read; a broken body is retried, then raises.

        Faults while reading the body (cut short, undecodable, a read timeout) are retried
        like connection errors, up to ``max_retries`` times with the same backoff.
        """
        retry = self.retry.new()
        for _ in range(self.retry.total if type(self.retry.total) is int else 0):
            try:
                return self._attempt(url, params)
            except urllib3.exceptions.HTTPError as exc:
                retry = self._after_fault(retry, url, exc)
        try:
            return self._attempt(url, params)
        except urllib3.exceptions.HTTPError as exc:
            raise self._unreadable(url, exc) from self._chainable(exc)

    def _after_fault(self, retry: Retry, url: str, exc: Exception) -> Retry:
        """Count the fault on ``retry`` and wait its backoff; raise if it allows no more."""
        try:
            retry = retry.increment("GET", url, error=exc)
        except MaxRetryError:
            raise self._unreadable(url, exc) from self._chainable(exc)
        retry.sleep()
        return retry

    def _unreadable(self, url: str, exc: Exception) -> ApiConnectionError:
        return self._connection_error(
            f"could not read the answer from {url} (max_retries={self.retry.total}): "
            f"{type(exc).__name__}: {_reason(exc)}; try again later, and check the network "
            "and any proxy"
        )

    def _connection_error(self, message: str) -> ApiConnectionError:
        return ApiConnectionError(self._scrub(message))

    def _attempt(self, url: str, params: dict[str, int] | None) -> requests.Response:
        """One GET (urllib3 retries inside), the body read in full within the deadline."""
        response = self._send(url, params)
        try:
            response._content = self._read_body(response, url)
        except BaseException:
            response.close()  # drop the connection: its answer was not read to the end
            raise
        return response

    def _send(self, url: str, params: dict[str, int] | None) -> requests.Response:
        """GET ``url`` up to the answer's headers; a requests error becomes ours."""
        try:
            return self.session.get(
                url,
                params=params,
                headers=self._headers,
                timeout=self.timeout,
                stream=True,
                hooks={"response": self._same_host},
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise self._connection_error(
                f"could not reach {url} (max_retries={self.retry.total}): {_reason(exc)}; "
                "check the network and the base URL"
            ) from self._chainable(exc)
        except requests.RequestException as exc:
            raise self._connection_error(
                f"the request to {url} failed: {type(exc).__name__}: {exc}; check the base "
                "URL and try again later"
            ) from self._chainable(exc)

    def _read_body(self, response: requests.Response, url: str) -> bytes:
        """The body as it arrives, decoded; past ``deadline`` s an ApiConnectionError."""
        ends = time.monotonic() + self.deadline
        chunks = []
        while chunk := response.raw.read1(_READ_SIZE, decode_content=True):  # <= 1 recv each
            chunks.append(chunk)
            if time.monotonic() > ends:
                raise self._connection_error(
                    f"the answer from {url} took longer than deadline={self.deadline:g} s to "
                    "arrive: the server sends it too slowly; try again later, or pass a larger "
                    "deadline= to UnpodClient"
                )
        return b"".join(chunks)

    def _same_host(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A response hook: refuse a redirect off the API host before requests follows it."""
        if not response.is_redirect:
            return
        target = urljoin(response.url, response.headers["location"])
        if _origin(target) == _origin(self.base_url):
            return
        response.close()
        raise ApiError(
            f"the answer redirects to {self._scrub(_shown_origin(target))}, another host; the "
            f"client follows redirects only within the API host {_shown_origin(self.base_url)}: "
            "check base_url (UNPOD_BASE_URL)",
            status_code=response.status_code,
            url=self._scrub(_public_url(response.url)),
        )

    def _scrub(self, text: str) -> str:
        return _scrub(text, self._token)

    def _chainable(self, exc: Exception) -> Exception | None:
        """``exc`` to chain, or None when its text echoes the token."""
        text = f"{exc} {exc!r} {exc.__cause__ or ''} {exc.__context__ or ''}"
        return exc if self._scrub(text) == text else None

    def _pages(self, path: str, max_pages: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Page numbers and bodies from page 1 until a short or empty page."""
        for page in range(1, max_pages + 1):
            body = self._get(path, {"page": page, "page_size": self.page_size})
            yield page, body
            if len(body["data"]) < self.page_size:
                return
        raise ApiError(
            f"page {max_pages} was still full (page_size={self.page_size}); the server may be "
            "ignoring 'page'. Pass a larger max_pages= (--max-pages on the command line) if "
            "the list really is that long",
            url=self._scrub(self.base_url + path),
        )

    def _repeating(self, path: str, page: int, key: str) -> ApiError:
        return ApiError(
            f"pages {page - 1} and {page} brought no new {key} (page_size={self.page_size}): "
            f"the server repeats pages instead of following 'page', so paging stopped at page "
            f"{page}; ask the platform's support, or pass a page_size= that holds the whole list",
            url=self._scrub(self.base_url + path),
        )

    def _progress_bar(self, first: dict[str, Any], unit: str) -> tqdm[NoReturn]:
        show = sys.stderr.isatty() if self.progress is None else self.progress
        count = first.get("count")
        return tqdm(
            total=count if isinstance(count, int) else None,
            unit=unit,
            file=sys.stderr,
            disable=not (show and len(first["data"]) >= self.page_size),
        )

    def _unique(
        self, path: str, key: str, *, unit: str, max_pages: int
    ) -> Iterator[dict[str, Any]]:
        """Every item of every page once (by ``key``), with a progress bar past one page.

        Two full pages in a row without a new ``key`` stop the read: the server repeats pages.
        """
        pages = self._pages(path, max_pages)
        first = next(pages)
        seen: set[Any] = set()
        n_items = stale = 0
        previous: list[Any] | None = None
        with self._progress_bar(first[1], unit) as bar:
            for page, body in itertools.chain([first], pages):
                data = body["data"]
                fresh = [item for item in data if _is_new(item, key, seen)]
                full = len(data) >= self.page_size
                stale = stale + 1 if full and _stale(data, fresh, previous, key) else 0
                if stale >= 2:
                    raise self._repeating(path, page, key)
                previous, n_items = data, n_items + len(fresh)
                bar.update(len(fresh))
                yield from fresh
        logger.info("read %d %ss from %s", n_items, unit, path)

    # --- endpoints ---

    def organizations(self) -> list[dict[str, Any]]:
        """The organisations of the token's user (``domain_handle`` is the ``Org-Handle``)."""
        found: list[dict[str, Any]] = self._get_jwt_served("/organizations/")["data"]
        return found

    def spaces(self) -> list[dict[str, Any]]:
        """The spaces of the organisation named by ``org_handle`` (``token`` is the space token)."""
        found: list[dict[str, Any]] = self._get_jwt_served("/spaces/")["data"]
        return found

    def _get_jwt_served(self, path: str) -> dict[str, Any]:
        """GET an endpoint that may take JWTs only: a 401 to an API token says what to try."""
        try:
            return self._get(path)
        except AuthenticationError as err:
            if self.auth_scheme != "Token":
                raise
            hint = (
                f"{err.message}; {path} may accept only a JWT: pass auth_scheme='Bearer' "
                f"with a JWT (or set {AUTH_SCHEME_ENV}=Bearer)"
            )
            raise AuthenticationError(hint, status_code=err.status_code, url=err.url) from err

    def runs(self, space_token: str, *, max_pages: int = MAX_PAGES) -> list[dict[str, Any]]:
        """Every run of a space, newest first, all pages (see :meth:`iter_run_tasks`)."""
        path = f"/spaces/{check_id(space_token, 'space_token')}/runs/"
        max_pages = _check_count(max_pages, "max_pages", "e.g. 10000")
        return list(self._unique(path, "run_id", unit="run", max_pages=max_pages))

    def run_tasks(self, space_token: str, run_id: str) -> list[dict[str, Any]]:
        """Every task of a run, all pages merged and deduplicated (see :meth:`iter_run_tasks`)."""
        return list(self.iter_run_tasks(space_token, run_id))

    def iter_run_tasks(
        self, space_token: str, run_id: str, *, max_pages: int = MAX_PAGES
    ) -> Iterator[dict[str, Any]]:
        """Yield the tasks of a run page by page, each ``task_id`` once.

        Pages are read until one comes back short or empty; ``count`` is never used to stop,
        because the list is newest-first and shifts while it is read (the overlap is
        deduplicated). Raises :class:`ApiError` if page ``max_pages`` is still full, or when
        two full pages in a row bring no new ``task_id`` (the server repeats pages). Ids and
        ``max_pages`` are checked (:func:`check_id`) when this is called, before any request.
        """
        space, run = check_id(space_token, "space_token"), check_id(run_id, "run_id")
        path = f"/spaces/{space}/runs/{run}/tasks/"
        max_pages = _check_count(max_pages, "max_pages", "e.g. 10000")
        return self._unique(path, "task_id", unit="task", max_pages=max_pages)

    def run_task_count(self, space_token: str, run_id: str) -> int:
        """How many tasks the server holds for a run: one request (``page=1&page_size=1``).

        Returns the envelope's ``count``; raises :class:`ApiError` when the answer carries no
        count (``count`` missing, or not an integer >= 0). Ids are checked first (:func:`check_id`).
        """
        space, run = check_id(space_token, "space_token"), check_id(run_id, "run_id")
        path = f"/spaces/{space}/runs/{run}/tasks/"
        count = self._get(path, {"page": 1, "page_size": 1}).get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ApiError(
                self._scrub(
                    f"the answer gives no task count ('count' is {count!r:.60}, not an integer "
                    ">= 0), so the run cannot be checked for changes; sync it with refresh=True"
                ),
                status_code=200,
                url=self._scrub(self.base_url + path),
            )
        return count


def run_response(tasks: list[dict[str, Any]], *, space_token: str, run_id: str) -> dict[str, Any]:
    """The tasks of a run as one response-shaped dict, stamped with when and what was fetched.

    Examples
    --------
    >>> r = run_response([{"task_id": "T1"}], space_token="S1", run_id="R1")
    >>> r["count"], r["space_token"], r["run_id"], r["data"]
    (1, 'S1', 'R1', [{'task_id': 'T1'}])
    """
    return {
        "count": len(tasks),
        "status_code": 200,
        "message": "Tasks Fetched Successfully",
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "space_token": space_token,
        "run_id": run_id,
        "data": tasks,
    }


def fetch_run(
    space_token: str,
    run_id: str,
    *,
    client: UnpodClient | None = None,
    save_to: str | os.PathLike[str] | None = None,
    max_pages: int = MAX_PAGES,
    outcome_map: Mapping[str, str] | None = None,
) -> Run:
    """Fetch every task of a run and load it; optionally save the raw snapshot first.

    Parameters
    ----------
    space_token, run_id : str
        The space (its token, from :meth:`UnpodClient.spaces`) and the run (from
        :meth:`UnpodClient.runs`).
    client : UnpodClient, optional
        The client to use; default a new one configured from the environment.
    save_to : path, optional
        A directory under which ``<space_token>/<run_id>.json`` is written (``data/raw`` is the
        convention), or a path ending in ``.json``. The write is atomic.
    max_pages : int, default 10,000
        The most pages to read (``fetch --max-pages`` on the command line); a run whose page
        ``max_pages`` is still full raises :class:`ApiError`.
    outcome_map : dict of str to str, optional
        The team's own outcome labels, as :func:`analytics.load.load_run` takes them; the
        snapshot keeps the platform's labels.

    Returns
    -------
    Run
        The tables of the run (:func:`analytics.load.load_run` of the snapshot).

    Raises
    ------
    ValueError
        Before any request, when an id is not a platform id (:func:`check_id`) or
        ``max_pages`` is not a positive integer.
    """
    path = None if save_to is None else snapshot_path(space_token, run_id, root=save_to)
    check_id(space_token, "space_token")
    check_id(run_id, "run_id")
    _check_count(max_pages, "max_pages", "e.g. 10000")
    owner = UnpodClient() if client is None else contextlib.nullcontext(client)
    with owner as api:
        tasks = list(api.iter_run_tasks(space_token, run_id, max_pages=max_pages))
    response = run_response(tasks, space_token=space_token, run_id=run_id)
    if path is not None:
        save_snapshot(response, path)
    return load_run(response, outcome_map=outcome_map)
