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
- The token lives only in the request headers: it is not in ``repr``, error messages or logs.

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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import quote, urlsplit

import msgspec
import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import RequestHistory, Retry

from analytics.errors import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    answer_message,
    error_for_answer,
)
from analytics.io.store import save_snapshot, snapshot_path
from analytics.load import Run, load_run

__all__ = [
    "UnpodClient",
    "UnpodRetry",
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
    try:
        return msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None


def _public_url(url: str) -> str:
    """The URL without query string, fragment or user info."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2], query="", fragment="").geturl()


def _scrub(text: str, response: requests.Response) -> str:
    """Replace the request's token in ``text``, should a server ever echo it."""
    request = response.request
    auth = request.headers.get("Authorization", "") if request is not None else ""
    secret = auth.partition(" ")[2]
    return text.replace(secret, "***") if secret else text


def _message(body: Any, response: requests.Response) -> str:
    """The platform's words (see :func:`answer_message`), else the HTTP reason; token-free."""
    text = answer_message(body) or response.reason or f"HTTP {response.status_code}, no JSON body"
    return _scrub(text, response)


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
    return error_for_answer(
        status, body, url=_public_url(response.url), message=message, retry_after=retry_after
    )


def _reason(exc: requests.RequestException) -> str:
    """The innermost cause of a requests network error (urllib3's, which names no header)."""
    inner = exc.args[0] if exc.args else exc
    return str(getattr(inner, "reason", inner))


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
    token = (token or os.environ.get(env) or "").strip()
    if not token:
        raise AuthenticationError(f"no API token: set the {env} environment variable {hint}")
    return token


def _scheme(value: str) -> str:
    scheme = next((s for s in AUTH_SCHEMES if s.lower() == value.strip().lower()), None)
    if scheme is None:
        raise ValueError(
            f"auth_scheme={value!r} is not one of {AUTH_SCHEMES}; "
            "use 'Token' for an API token, 'Bearer' for a JWT"
        )
    return scheme


def _check_sizes(*, page_size: int, timeout: float) -> None:
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError(f"page_size={page_size!r} must be a positive integer, e.g. 100")
    if not timeout > 0:
        raise ValueError(f"timeout={timeout!r} must be a positive number of seconds")


def _segment(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}={value!r} is not an id; pass the value the API lists for it")
    return quote(value.strip(), safe="")


def _is_new(item: Any, key: str, seen: set[Any]) -> bool:
    value = item.get(key) if isinstance(item, dict) else None
    if value is None or value in seen:
        return value is None
    seen.add(value)
    return True


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
    ValueError
        When ``auth_scheme`` is not one of the schemes above.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        org_handle: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int | Retry = 5,
        page_size: int = 100,
        session: requests.Session | None = None,
        backoff_factor: float = 0.5,
        progress: bool | None = None,
        auth_scheme: str | None = None,
    ):
        token = resolve_token(token)
        self.auth_scheme = _scheme(auth_scheme or os.environ.get(AUTH_SCHEME_ENV) or "Token")
        _check_sizes(page_size=page_size, timeout=timeout)
        self.base_url = _base_url(base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
        self.org_handle = org_handle or os.environ.get(ORG_HANDLE_ENV) or None
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
        logger.debug("GET %s %s", url, params or "")
        try:
            response = self.session.get(
                url, params=params, headers=self._headers, timeout=self.timeout
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ApiConnectionError(
                f"could not reach {url} (max_retries={self.retry.total}): {_reason(exc)}; "
                "check the network and the base URL"
            ) from exc
        body = _decode(response)
        error = error_for_response(response, body)
        if error is not None:
            raise error
        page: dict[str, Any] = body  # no error: a JSON object with a list under "data"
        return page

    def _pages(self, path: str, max_pages: int) -> Iterator[dict[str, Any]]:
        """Page bodies from page 1 until a short or empty one."""
        for page in range(1, max_pages + 1):
            body = self._get(path, {"page": page, "page_size": self.page_size})
            yield body
            if len(body["data"]) < self.page_size:
                return
        raise ApiError(
            f"page {max_pages} was still full (page_size={self.page_size}); the server may be "
            "ignoring 'page'. Pass a larger max_pages= if the list really is that long",
            url=self.base_url + path,
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
        """Every item of every page once (by ``key``), with a progress bar past one page."""
        pages = self._pages(path, max_pages)
        first = next(pages)
        seen: set[Any] = set()
        n_items = 0
        with self._progress_bar(first, unit) as bar:
            for body in itertools.chain([first], pages):
                fresh = [item for item in body["data"] if _is_new(item, key, seen)]
                n_items += len(fresh)
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

    def runs(self, space_token: str) -> list[dict[str, Any]]:
        """Every run of a space, newest first, all pages."""
        path = f"/spaces/{_segment(space_token, 'space_token')}/runs/"
        return list(self._unique(path, "run_id", unit="run", max_pages=MAX_PAGES))

    def run_tasks(self, space_token: str, run_id: str) -> list[dict[str, Any]]:
        """Every task of a run, all pages merged and deduplicated (see :meth:`iter_run_tasks`)."""
        return list(self.iter_run_tasks(space_token, run_id))

    def iter_run_tasks(
        self, space_token: str, run_id: str, *, max_pages: int = MAX_PAGES
    ) -> Iterator[dict[str, Any]]:
        """Yield the tasks of a run page by page, each ``task_id`` once.

        Pages are read until one comes back short or empty; ``count`` is never used to stop,
        because the list is newest-first and shifts while it is read (the overlap is
        deduplicated). Raises :class:`ApiError` if page ``max_pages`` is still full.
        """
        space, run = _segment(space_token, "space_token"), _segment(run_id, "run_id")
        path = f"/spaces/{space}/runs/{run}/tasks/"
        return self._unique(path, "task_id", unit="task", max_pages=max_pages)


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

    Returns
    -------
    Run
        The tables of the run (:func:`analytics.load.load_run` of the snapshot).
    """
    path = None if save_to is None else snapshot_path(space_token, run_id, root=save_to)
    owner = UnpodClient() if client is None else contextlib.nullcontext(client)
    with owner as api:
        tasks = list(api.iter_run_tasks(space_token, run_id))
    response = run_response(tasks, space_token=space_token, run_id=run_id)
    if path is not None:
        save_snapshot(response, path)
    return load_run(response)
