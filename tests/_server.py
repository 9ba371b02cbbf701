"""A scriptable fake Unpod API: a real threaded HTTP server on 127.0.0.1.

tests/conftest.py provides the ``unpod_server`` fixture: a :class:`FakeUnpod` already
listening on a free port. Test modules import only the helpers they script it with::

    from _server import Reply, ok, paged

Script each path with canned :class:`Reply` objects (served in order, the last one repeating)
or with a callable ``(Request) -> Reply``; every request is recorded in ``server.requests``
(method, path, query, headers), so tests can assert the headers and page parameters the client
sent. Unknown paths answer 404 ``{"message": "Not found."}``. Nothing here reaches the internet.

Hostile behaviours, each bounded: a body cut short against its ``Content-Length`` or trickled
byte by byte (:class:`Reply` fields), :func:`redirect`, :func:`echo_authorization` (an error body
that repeats the token it was sent) and :func:`endless` (full pages of new items, for ever).
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/api/v2/platform"


@dataclass(frozen=True)
class Request:
    """One request as the server saw it (``query`` maps each name to its last value)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    """A canned answer: ``body`` (dict/list -> JSON, str/bytes as is) after ``delay`` seconds.

    Hostile answers: ``content_length`` announces another length than the body's (the body is
    then cut short by closing the connection); ``trickle`` sends the body one byte at a time,
    that many seconds apart (the loop ends with the body, or at once when the server stops).
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_length: int | None = None
    trickle: float = 0.0


def ok(data: Any, *, message: str = "Fetched Successfully", count: int | None = None) -> Reply:
    """A 200 answer in the platform's envelope."""
    count = len(data) if count is None and isinstance(data, list) else count
    body = {"count": count, "status_code": 200, "message": message, "data": data}
    return Reply(200, body)


Route = Callable[[Request], Reply]


class FakeUnpod:
    """The server state: routes by path, recorded requests, and the base URL to point at."""

    def __init__(self) -> None:
        self.routes: dict[str, deque[Reply] | Route] = {}
        self.requests: list[Request] = []
        self.released = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_port}{PREFIX}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def add(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` (relative to the platform prefix) with ``replies``, last repeating."""
        self.routes[PREFIX + path] = deque(replies)

    def route(self, path: str, fn: Route) -> None:
        """Answer ``path`` by calling ``fn(request)``."""
        self.routes[PREFIX + path] = fn

    def requests_to(self, path: str) -> list[Request]:
        """The recorded requests for ``path`` (relative to the platform prefix)."""
        return [r for r in self.requests if r.path == PREFIX + path]

    def reply_for(self, request: Request) -> Reply:
        route = self.routes.get(request.path)
        if route is None:
            return Reply(404, {"message": "Not found.", "status_code": 404})
        if callable(route):
            return route(request)
        return route.popleft() if len(route) > 1 else route[0]

    def start(self) -> FakeUnpod:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: FakeUnpod) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each small answer waits ~40 ms for a delayed ACK

        def do_GET(self) -> None:  # http.server's naming
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            request = Request(self.command, url.path, query, dict(self.headers.items()))
            server.requests.append(request)
            reply = server.reply_for(request)
            if reply.delay:
                server.released.wait(reply.delay)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            body = reply.body
            if not isinstance(body, (str, bytes)):
                body = json.dumps(body)
            data = body.encode() if isinstance(body, str) else body
            length = len(data) if reply.content_length is None else reply.content_length
            try:
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self._write(data, reply.trickle)
            except OSError:  # the client gave up (timeout test): nothing to answer
                self.close_connection = True
            if length != len(data):
                self.close_connection = True  # the body is cut short: hang up

        def _write(self, data: bytes, trickle: float) -> None:
            if not trickle:
                self.wfile.write(data)
                return
            for i in range(len(data)):  # bounded by the body; ends at once when stopped
                if server.released.wait(trickle):
                    return
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default per-request stderr lines."""

    return Handler


def paged(items: list[dict], *, insert_after_first: list[dict] | None = None) -> Route:
    """A route serving ``items`` (newest first) by ``page`` / ``page_size``, like the platform.

    ``insert_after_first`` are newer items put at the front once page 1 has been served, so
    later pages shift by that many (the overlap a client must deduplicate).
    """
    rows = list(items)
    pending = list(insert_after_first or [])

    def route(request: Request) -> Reply:
        page, size = int(request.query.get("page", 1)), int(request.query.get("page_size", 50))
        data = rows[(page - 1) * size : page * size]
        reply = ok(data, count=len(rows))
        if page == 1 and pending:
            rows[:0] = pending
            pending.clear()
        return reply

    return route


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to ``location`` (a full URL or a path)."""
    return Reply(status, {"message": "Moved"}, {"Location": location})


def echo_authorization(transform: Callable[[str], str], status: int = 401) -> Route:
    """A route whose error body repeats the ``Authorization`` header sent, through ``transform``."""

    def route(request: Request) -> Reply:
        seen = transform(request.headers.get("Authorization", ""))
        body = {"message": f"Invalid token {seen}", "detail": seen, "errors": [seen]}
        return Reply(status, body)

    return route


def endless(make_item: Callable[[int], dict]) -> Route:
    """A route answering every ``page`` with a full page of new items: a list with no end."""

    def route(request: Request) -> Reply:
        page, size = int(request.query.get("page", 1)), int(request.query.get("page_size", 50))
        return ok([make_item((page - 1) * size + i) for i in range(size)])

    return route


def closed_port() -> int:
    """A local port nothing listens on (bound, read, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
