"""UnpodClient against a real HTTP server on 127.0.0.1 (tests/_server.py)."""

from __future__ import annotations

import gzip
import json
import logging
import re
import traceback
import types
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pandas as pd
import pytest
import requests
from _server import Reply, closed_port, echo_authorization, endless, ok, paged, redirect

from analytics.errors import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from analytics.io.client import (
    UnpodClient,
    check_id,
    error_for_response,
    fetch_run,
    retry_policy,
    run_response,
)
from analytics.load import load_run

TOKEN = "tok-SECRET-7f3a9c2e"
RUN_TASKS = "/spaces/S1/runs/R1/tasks/"


def task(i: int) -> dict:
    return {
        "task_id": f"T{i:04d}",
        "run_id": "R1",
        "status": "completed",
        "assignee": "agent-a" if i % 2 else "agent-b",
        "created": "2026-02-07T05:57:45",
        "input": {"name": f"Customer {i}"},
        "output": {
            "call_id": f"C{i}",
            "call_status": "completed",
            "duration": 30 + i,
            "transcript": [
                {"role": "assistant", "content": "Hello, how can I help?"},
                {"role": "user", "content": "Call me back"},
            ],
        },
    }


TASKS = [task(i) for i in range(250, 0, -1)]  # newest first, like the platform


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for name in ("UNPOD_API_TOKEN", "UNPOD_ORG_HANDLE", "UNPOD_BASE_URL", "UNPOD_AUTH_SCHEME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _debug_log(caplog):
    """Capture every log line (urllib3's included) so tests can look for the token in it."""
    caplog.set_level(logging.DEBUG)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(unpod_server, sleeps):
    with UnpodClient(
        TOKEN, base_url=unpod_server.base_url, max_retries=retry_policy(3, sleep=sleeps.append)
    ) as api:
        yield api


def secret_pieces(token: str = TOKEN) -> set[str]:
    """The token and every 8-character piece of it, lower-cased."""
    lower = token.lower()
    return {lower} | {lower[i : i + 8] for i in range(len(lower) - 7)}


def assert_no_token(*texts: object, token: str = TOKEN) -> None:
    """Neither the token nor any 8 characters of it, in any casing, are in ``texts``."""
    for text in texts:
        found = [piece for piece in secret_pieces(token) if piece in str(text).lower()]
        assert found == [], f"token pieces {found} in {text!r}"


def assert_error_clean(exc: BaseException, caplog, token: str = TOKEN) -> None:
    """The token is in none of str, repr, the chained traceback, or the log."""
    full = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert_no_token(str(exc), repr(exc), full, caplog.text, token=token)


# --- configuration ------------------------------------------------------------------------


def test_headers_params_and_trailing_slash(unpod_server, sleeps):
    unpod_server.add(RUN_TASKS, ok(TASKS[:3]))
    api = UnpodClient(TOKEN, org_handle="acme.co", base_url=unpod_server.base_url, page_size=50)
    api.run_tasks("S1", "R1")
    (request,) = unpod_server.requests
    assert request.path == "/api/v2/platform/spaces/S1/runs/R1/tasks/"
    assert request.query == {"page": "1", "page_size": "50"}
    assert request.headers["Authorization"] == f"Token {TOKEN}"
    assert request.headers["Org-Handle"] == "acme.co"


def test_environment_configures_token_org_and_base_url(unpod_server, monkeypatch):
    unpod_server.add("/organizations/", ok([{"domain_handle": "acme.co"}]))
    monkeypatch.setenv("UNPOD_API_TOKEN", TOKEN)
    monkeypatch.setenv("UNPOD_ORG_HANDLE", "env.org")
    monkeypatch.setenv("UNPOD_BASE_URL", unpod_server.base_url + "/")
    with UnpodClient() as api:
        assert api.organizations() == [{"domain_handle": "acme.co"}]
        assert api.base_url == unpod_server.base_url
    (request,) = unpod_server.requests
    assert request.path == "/api/v2/platform/organizations/"
    assert (request.headers["Authorization"], request.headers["Org-Handle"]) == (
        f"Token {TOKEN}",
        "env.org",
    )


def test_bearer_scheme_for_a_jwt(unpod_server, monkeypatch):
    unpod_server.add("/spaces/", ok([]))
    monkeypatch.setenv("UNPOD_AUTH_SCHEME", "bearer")
    with UnpodClient(TOKEN, base_url=unpod_server.base_url) as api:
        assert api.spaces() == []
    assert unpod_server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_unknown_auth_scheme_is_refused():
    with pytest.raises(ValueError, match=r"auth_scheme='Basic' is not one of"):
        UnpodClient(TOKEN, auth_scheme="Basic")


def test_401_on_spaces_with_an_api_token_suggests_a_jwt(client, unpod_server, caplog):
    unpod_server.add("/spaces/", Reply(401, {"message": "Invalid token.", "status_code": 401}))
    with pytest.raises(
        AuthenticationError,
        match=r"Invalid token\.; /spaces/ may accept only "
        r"a JWT: pass auth_scheme='Bearer'",
    ) as info:
        client.spaces()
    assert info.value.status_code == 401
    assert_error_clean(info.value, caplog)


def test_no_org_handle_header_unless_configured(client, unpod_server):
    unpod_server.add("/organizations/", ok([]))
    client.organizations()
    assert "Org-Handle" not in unpod_server.requests[0].headers


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "https://unpod.ai/api/v2/platform"),
        ("https://unpod.dev", "https://unpod.dev/api/v2/platform"),
        ("https://unpod.dev/api/v2/platform/", "https://unpod.dev/api/v2/platform"),
    ],
)
def test_base_url(given, expected):
    assert UnpodClient(TOKEN, base_url=given).base_url == expected


def test_missing_token_names_the_variable(monkeypatch):
    monkeypatch.setenv("UNPOD_API_TOKEN", "  ")
    with pytest.raises(AuthenticationError, match="set the UNPOD_API_TOKEN environment variable"):
        UnpodClient()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"page_size": 0}, r"page_size=0 must be a positive integer"),
        ({"timeout": 0}, r"timeout=0 must be a positive number"),
        ({"max_retries": -1}, r"max_retries=-1 must be an integer >= 0"),
        ({"base_url": "unpod.ai/api"}, r"base_url='unpod.ai/api' is not an http\(s\) URL"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        UnpodClient(TOKEN, **kwargs)


def test_bad_ids_are_rejected_before_any_request(client, unpod_server):
    with pytest.raises(ValueError, match=r"space_token='' is not an id"):
        client.iter_run_tasks("", "R1")
    assert unpod_server.requests == []


def test_repr_hides_the_token(client):
    assert repr(client).endswith("token='***')")
    assert_no_token(repr(client), str(client))


def test_context_manager_closes_only_its_own_session(unpod_server):
    unpod_server.add("/organizations/", ok([]))

    def open_pools(api: UnpodClient) -> int:
        return len(api.session.get_adapter(api.base_url + "/").poolmanager.pools)

    with UnpodClient(TOKEN, base_url=unpod_server.base_url) as owned:
        owned.organizations()
        assert open_pools(owned) == 1
    assert open_pools(owned) == 0
    with UnpodClient(TOKEN, base_url=unpod_server.base_url, session=requests.Session()) as given:
        given.organizations()
    assert open_pools(given) == 1


def test_a_given_session_retries_too(unpod_server):
    unpod_server.add("/organizations/", Reply(503, {"message": "busy"}), ok([{"name": "Acme"}]))
    api = UnpodClient(
        TOKEN, base_url=unpod_server.base_url, session=requests.Session(), backoff_factor=0
    )
    assert api.organizations() == [{"name": "Acme"}]
    assert len(unpod_server.requests) == 2


# --- endpoints ----------------------------------------------------------------------------


def test_spaces_and_organizations(client, unpod_server):
    unpod_server.add("/spaces/", ok([{"token": "S1", "name": "Sales"}]))
    unpod_server.add("/organizations/", ok([{"domain_handle": "acme.co"}]))
    assert client.spaces() == [{"token": "S1", "name": "Sales"}]
    assert client.organizations() == [{"domain_handle": "acme.co"}]
    assert [r.query for r in unpod_server.requests] == [{}, {}]


def test_runs_reads_every_page(unpod_server, sleeps):
    runs = [{"run_id": f"R{i}", "status": "completed"} for i in range(5, 0, -1)]
    unpod_server.route("/spaces/S1/runs/", paged(runs))
    api = UnpodClient(TOKEN, base_url=unpod_server.base_url, page_size=2)
    assert [r["run_id"] for r in api.runs("S1")] == ["R5", "R4", "R3", "R2", "R1"]
    assert [r.query["page"] for r in unpod_server.requests] == ["1", "2", "3"]


def test_iter_run_tasks_is_a_lazy_generator(client, unpod_server):
    unpod_server.route(RUN_TASKS, paged(TASKS))
    tasks = client.iter_run_tasks("S1", "R1")
    assert isinstance(tasks, types.GeneratorType)
    assert unpod_server.requests == []
    assert next(tasks)["task_id"] == "T0250"
    assert len(unpod_server.requests) == 1


def test_unknown_run_is_an_empty_list(client, unpod_server):
    unpod_server.add("/spaces/S1/runs/RX/tasks/", ok([]))
    assert client.run_tasks("S1", "RX") == []


# --- paging -------------------------------------------------------------------------------


def test_pages_until_a_short_page(client, unpod_server):
    unpod_server.route(RUN_TASKS, paged(TASKS))
    tasks = client.run_tasks("S1", "R1")
    assert tasks == TASKS
    assert [(r.query["page"], r.query["page_size"]) for r in unpod_server.requests] == [
        ("1", "100"),
        ("2", "100"),
        ("3", "100"),
    ]
    assert all("space_id" not in r.query for r in unpod_server.requests)


def test_pages_until_an_empty_page(client, unpod_server):
    unpod_server.route(RUN_TASKS, paged(TASKS[:200]))
    assert len(client.run_tasks("S1", "R1")) == 200
    assert [r.query["page"] for r in unpod_server.requests] == ["1", "2", "3"]


def test_shifting_pages_are_deduplicated(client, unpod_server):
    newer = [task(i) for i in range(255, 250, -1)]
    unpod_server.route(RUN_TASKS, paged(TASKS, insert_after_first=newer))
    ids = [t["task_id"] for t in client.iter_run_tasks("S1", "R1")]
    # page 2 repeats the 5 tasks the insertion pushed down; page 3 is short (55 tasks)
    assert ids == [t["task_id"] for t in TASKS]
    assert len(unpod_server.requests) == 3


def test_a_small_count_on_page_one_does_not_stop_paging(client, unpod_server):
    pages = [ok(TASKS[:100], count=10), ok(TASKS[100:200], count=10), ok(TASKS[200:], count=10)]
    unpod_server.add(RUN_TASKS, *pages)
    assert len(client.run_tasks("S1", "R1")) == 250


def test_tasks_without_task_id_are_all_kept(client, unpod_server):
    unpod_server.add(RUN_TASKS, ok([{"status": "pending"}, {"status": "failed"}, TASKS[0]]))
    assert client.run_tasks("S1", "R1") == [{"status": "pending"}, {"status": "failed"}, TASKS[0]]


def test_a_list_longer_than_max_pages_hits_the_bound(client, unpod_server):
    # every page full and new (a server that repeats pages is stopped sooner, see below)
    unpod_server.route(RUN_TASKS, endless(task))
    with pytest.raises(ApiError, match=r"page 3 was still full \(page_size=100\)") as info:
        list(client.iter_run_tasks("S1", "R1", max_pages=3))
    assert info.value.url == unpod_server.base_url + RUN_TASKS
    assert len(unpod_server.requests) == 3


def test_progress_bar_for_several_pages(unpod_server, capsys):
    unpod_server.route(RUN_TASKS, paged(TASKS))
    api = UnpodClient(TOKEN, base_url=unpod_server.base_url, progress=True)
    api.run_tasks("S1", "R1")
    assert "250/250" in capsys.readouterr().err


@pytest.mark.parametrize(("progress", "tasks"), [(True, TASKS[:99]), (None, TASKS)])
def test_no_progress_bar_for_one_page_or_a_pipe(unpod_server, capsys, progress, tasks):
    unpod_server.route(RUN_TASKS, paged(tasks))
    UnpodClient(TOKEN, base_url=unpod_server.base_url, progress=progress).run_tasks("S1", "R1")
    assert capsys.readouterr().err == ""


# --- retries ------------------------------------------------------------------------------


def test_retry_policy_is_get_only():
    policy = retry_policy(3)
    assert policy.is_retry("GET", 503)
    assert not policy.is_retry("POST", 503)
    assert not policy.is_retry("GET", 404)


def test_429_honours_retry_after(client, unpod_server, sleeps):
    limited = Reply(
        429, {"error": {"code": "rate_limited", "message": "Slow down"}}, {"Retry-After": "7"}
    )
    unpod_server.add("/organizations/", limited, ok([{"name": "Acme"}]))
    assert client.organizations() == [{"name": "Acme"}]
    assert sleeps == [7.0]


def test_retry_after_is_capped_at_backoff_max(client, unpod_server, sleeps):
    unpod_server.add("/organizations/", Reply(429, {}, {"Retry-After": "3600"}), ok([]))
    client.organizations()
    assert sleeps == [60.0]


def test_backoff_is_exponential_with_jitter(unpod_server, sleeps, caplog):
    unpod_server.add("/organizations/", Reply(500, {"message": "boom", "status_code": 500}))
    policy = retry_policy(3, backoff_factor=0.5, sleep=sleeps.append, jitter=lambda: 0.25)
    api = UnpodClient(TOKEN, base_url=unpod_server.base_url, max_retries=policy)
    with pytest.raises(ServerError, match=r"HTTP 500 from .*/organizations/: boom") as info:
        api.organizations()
    # urllib3 retries the first failure at once, then waits 0.5 * 2**(n-1) + 0.25 * 0.5
    assert sleeps == [1.125, 2.125]
    assert info.value.status_code == 500
    assert len(unpod_server.requests) == 4
    assert_error_clean(info.value, caplog)


def waits_logged(caplog) -> list[tuple[str, str]]:
    """The client's log records about waits: (level name, message)."""
    return [
        (r.levelname, r.getMessage())
        for r in caplog.records
        if r.name == "analytics.io.client" and r.getMessage().startswith("waiting ")
    ]


def test_a_wait_longer_than_2_s_is_a_warning(client, unpod_server, sleeps, caplog):
    limited = Reply(429, {"message": "Slow down"}, {"Retry-After": "7"})
    unpod_server.add("/organizations/", limited, ok([]))
    client.organizations()
    assert waits_logged(caplog) == [
        (
            "WARNING",
            "waiting 7 s before retry 1 of 3 (HTTP 429 from /api/v2/platform/organizations/)",
        )
    ]
    assert_no_token(caplog.text)


def test_backoff_waits_are_logged_by_length(unpod_server, sleeps, caplog):
    unpod_server.add("/organizations/", Reply(500, {"message": "boom", "status_code": 500}))
    policy = retry_policy(3, backoff_factor=0.5, sleep=sleeps.append, jitter=lambda: 0.25)
    api = UnpodClient(TOKEN, base_url=unpod_server.base_url, max_retries=policy)
    with pytest.raises(ServerError):
        api.organizations()
    assert sleeps == [1.125, 2.125]
    cause = "(HTTP 500 from /api/v2/platform/organizations/)"
    assert waits_logged(caplog) == [
        ("DEBUG", f"waiting 1.1 s before retry 2 of 3 {cause}"),
        ("WARNING", f"waiting 2.1 s before retry 3 of 3 {cause}"),
    ]


def test_a_wait_after_a_connection_error_names_it(sleeps, caplog):
    base = f"http://127.0.0.1:{closed_port()}/api/v2/platform"
    policy = retry_policy(2, backoff_factor=2, sleep=sleeps.append, jitter=lambda: 0.0)
    api = UnpodClient(TOKEN, base_url=base, max_retries=policy)
    with pytest.raises(ApiConnectionError):
        api.organizations()
    assert sleeps == [4.0]
    [(level, message)] = waits_logged(caplog)
    assert level == "WARNING"
    assert message.startswith(
        "waiting 4 s before retry 2 of 2 (no answer from /api/v2/platform/organizations/: "
    )
    assert_no_token(caplog.text)


def test_transient_503_is_retried(client, unpod_server):
    unpod_server.add(RUN_TASKS, Reply(503, "<html>busy</html>"), ok(TASKS[:2]))
    assert client.run_tasks("S1", "R1") == TASKS[:2]
    assert len(unpod_server.requests) == 2


def test_persistent_429_raises_rate_limit(client, unpod_server, sleeps, caplog):
    body = {"error": {"code": "rate_limited", "message": "Too many requests"}}
    unpod_server.add(RUN_TASKS, Reply(429, body, {"Retry-After": "2"}))
    with pytest.raises(
        RateLimitError, match=r"HTTP 429 from .*/tasks/: Too many requests$"
    ) as info:
        client.run_tasks("S1", "R1")
    exc = info.value
    assert (exc.status_code, exc.retry_after, exc.message) == (429, 2.0, "Too many requests")
    assert exc.url == unpod_server.base_url + RUN_TASKS
    assert sleeps == [2.0, 2.0, 2.0]
    assert len(unpod_server.requests) == 4
    assert f"GET {exc.url}" in caplog.text  # the log was captured
    assert "Retry" in caplog.text
    assert_error_clean(exc, caplog)


def test_429_with_a_message_body(client, unpod_server):
    unpod_server.add("/organizations/", Reply(429, {"message": "Request was throttled."}))
    with pytest.raises(RateLimitError, match=r"Request was throttled\.") as info:
        client.organizations()
    assert info.value.retry_after is None


def test_502_with_an_html_body(client, unpod_server):
    unpod_server.add("/organizations/", Reply(502, "<html>bad gateway</html>"))
    with pytest.raises(ServerError, match=r"HTTP 502 from .*: Bad Gateway$"):
        client.organizations()


# --- errors -------------------------------------------------------------------------------


ACCESS = "You Don't have Access to this Space, You can't do any operation to this Space"


@pytest.mark.parametrize(
    ("reply", "cls", "status", "message"),
    [
        (Reply(206, {"status_code": 206, "message": ACCESS}), PermissionDeniedError, 206, ACCESS),
        (
            Reply(206, {"status_code": 206, "message": "Invalid Space Token", "data": {}}),
            PermissionDeniedError,
            206,
            "Invalid Space Token",
        ),
        (
            Reply(206, {"status_code": 206, "message": "Runs Fetch Failed", "errors": "upstream"}),
            ApiError,
            206,
            "Runs Fetch Failed; upstream",
        ),
        (
            Reply(200, {"status_code": 200, "message": "Tasks Fetched Successfully", "data": {}}),
            ApiError,
            200,
            "expected a list under 'data' (Tasks Fetched Successfully)",
        ),
        (
            Reply(200, "<html>login</html>"),
            ApiError,
            200,
            "expected a list under 'data' (the body is not a JSON object)",
        ),
        (
            Reply(401, {"message": "Invalid token.", "status_code": 401}),
            AuthenticationError,
            401,
            "Invalid token.",
        ),
        (
            Reply(403, {"detail": "Token has expired."}),
            PermissionDeniedError,
            403,
            "Token has expired.",
        ),
        (Reply(404, {"message": "Space not found"}), NotFoundError, 404, "Space not found"),
        (
            Reply(400, {"message": "Organization handle is required in Org-Handle header"}),
            ApiError,
            400,
            "Organization handle is required in Org-Handle header",
        ),
    ],
)
def test_error_answers(client, unpod_server, caplog, reply, cls, status, message):
    unpod_server.add(RUN_TASKS, reply)
    with pytest.raises(cls) as info:
        client.run_tasks("S1", "R1")
    exc = info.value
    assert type(exc) is cls
    assert (exc.status_code, exc.message) == (status, message)
    assert str(exc) == f"HTTP {status} from {unpod_server.base_url}{RUN_TASKS}: {message}"
    assert len(unpod_server.requests) == 1  # none of these is retried
    assert_error_clean(exc, caplog)


def test_an_echoed_token_is_scrubbed(client, unpod_server, caplog):
    unpod_server.add(RUN_TASKS, Reply(401, {"message": f"Invalid token {TOKEN}"}))
    with pytest.raises(AuthenticationError, match=r"Invalid token \*\*\*$") as info:
        client.run_tasks("S1", "R1")
    assert_error_clean(info.value, caplog)


def test_error_for_response_passes_data():
    response = requests.Response()
    response.status_code, response._content = 200, b'{"data": [], "count": 0}'
    assert error_for_response(response) is None


def test_answer_slower_than_the_timeout(unpod_server, sleeps, caplog):
    unpod_server.add("/organizations/", Reply(200, {"data": []}, delay=5))
    api = UnpodClient(
        TOKEN,
        base_url=unpod_server.base_url,
        timeout=0.2,
        max_retries=retry_policy(1, sleep=sleeps.append),
    )
    with pytest.raises(
        ApiConnectionError, match=r"organizations/ \(max_retries=1\): .*timed out"
    ) as info:
        api.organizations()
    assert len(unpod_server.requests) == 2
    assert sleeps == []  # urllib3 retries the first failure at once
    assert_error_clean(info.value, caplog)


def test_closed_port(sleeps, caplog):
    base = f"http://127.0.0.1:{closed_port()}/api/v2/platform"
    api = UnpodClient(TOKEN, base_url=base, max_retries=retry_policy(2, sleep=sleeps.append))
    with pytest.raises(ApiConnectionError, match=r"could not reach .*/organizations/") as info:
        api.organizations()
    assert "Connection refused" in str(info.value)
    assert_error_clean(info.value, caplog)


# --- fetch_run ----------------------------------------------------------------------------


def test_fetch_run_saves_one_merged_snapshot(client, unpod_server, tmp_path):
    newer = [task(i) for i in range(255, 250, -1)]
    unpod_server.route(RUN_TASKS, paged(TASKS, insert_after_first=newer))
    before = datetime.now(UTC).replace(microsecond=0)
    run = fetch_run("S1", "R1", client=client, save_to=tmp_path)
    path = tmp_path / "S1" / "R1.json"
    raw = path.read_text()
    saved = json.loads(raw)
    assert list(saved) == [
        "count",
        "status_code",
        "message",
        "fetched_at",
        "space_token",
        "run_id",
        "data",
    ]
    assert (saved["count"], saved["space_token"], saved["run_id"]) == (250, "S1", "R1")
    assert saved["data"] == TASKS
    assert datetime.fromisoformat(saved["fetched_at"]) >= before
    assert TOKEN not in raw
    assert list(run.tasks["task_id"]) == [t["task_id"] for t in TASKS]
    assert [p.name for p in tmp_path.rglob("*")] == ["S1", "R1.json"]


def test_fetch_run_round_trips_through_load_run(client, unpod_server, tmp_path):
    unpod_server.route(RUN_TASKS, paged(TASKS[:120]))
    run = fetch_run("S1", "R1", client=client, save_to=tmp_path / "run.json")
    again = load_run(tmp_path / "run.json")
    for name in ("tasks", "calls", "turns", "problems"):
        pd.testing.assert_frame_equal(getattr(run, name), getattr(again, name))
    assert (len(run.tasks), len(run.calls), len(run.turns)) == (120, 120, 240)


def test_fetch_run_from_the_environment(unpod_server, monkeypatch):
    unpod_server.add(RUN_TASKS, ok(TASKS[:3]))
    monkeypatch.setenv("UNPOD_API_TOKEN", TOKEN)
    monkeypatch.setenv("UNPOD_BASE_URL", unpod_server.base_url)
    run = fetch_run("S1", "R1")
    assert list(run.tasks["task_id"]) == ["T0250", "T0249", "T0248"]


def test_fetch_run_checks_the_file_name_before_fetching(client, unpod_server, tmp_path):
    with pytest.raises(ValueError, match=r"run_id='\.\./R1' is not an id.*cannot name a file"):
        fetch_run("S1", "../R1", client=client, save_to=tmp_path)
    assert unpod_server.requests == []


def test_a_failed_fetch_leaves_no_file(client, unpod_server, tmp_path):
    unpod_server.add(RUN_TASKS, ok(TASKS[:100]), Reply(500, {"message": "boom"}))
    with pytest.raises(ServerError, match="boom"):
        fetch_run("S1", "R1", client=client, save_to=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_run_response_shape():
    response = run_response(TASKS[:2], space_token="S1", run_id="R1")
    assert {k: response[k] for k in ("count", "status_code", "message", "data")} == {
        "count": 2,
        "status_code": 200,
        "message": "Tasks Fetched Successfully",
        "data": TASKS[:2],
    }
    assert datetime.fromisoformat(response["fetched_at"]).tzinfo == UTC


# --- hostile servers and inputs (issue 11) ----------------------------------------------------


CONTROL_TOKENS = [
    "tok-SECRET\r\nX-Evil: 1",
    "tok-SECRET\nline-two",
    "tok-SECRET\x00nul-byte",
    "tok-SECRET\ttab-inside",
    "tok-SECRET\x7fdel-char",
    "tok-SECRET\x1bescape-x",
]


@pytest.mark.parametrize("token", CONTROL_TOKENS)
def test_a_token_with_control_characters_is_refused_before_any_request(unpod_server, caplog, token):
    unpod_server.add("/organizations/", ok([]))
    with pytest.raises(AuthenticationError, match=r"control character") as info:
        UnpodClient(token, base_url=unpod_server.base_url).organizations()
    assert "InvalidHeader" not in repr(info.value)
    assert unpod_server.requests == []
    assert_error_clean(info.value, caplog, token=token)


def test_a_token_with_a_non_ascii_character_is_refused(unpod_server, caplog):
    token = "tok-SECRET-\u20ac-euro"
    unpod_server.add("/organizations/", ok([]))
    with pytest.raises(AuthenticationError, match=r"non-ASCII character \(U\+20AC\) at") as info:
        UnpodClient(token, base_url=unpod_server.base_url).organizations()
    assert unpod_server.requests == []
    assert_error_clean(info.value, caplog, token=token)


def test_a_token_with_a_line_break_from_the_environment(unpod_server, monkeypatch, caplog):
    monkeypatch.setenv("UNPOD_API_TOKEN", CONTROL_TOKENS[0])
    with pytest.raises(AuthenticationError, match=r"UNPOD_API_TOKEN .*control character") as info:
        fetch_run("S1", "R1", client=UnpodClient(base_url=unpod_server.base_url))
    assert unpod_server.requests == []
    assert_error_clean(info.value, caplog, token=CONTROL_TOKENS[0])


@pytest.mark.parametrize("handle", ["acme\r\nX: 1", "acme\x00", "acme\u20ac"])
def test_an_org_handle_a_header_cannot_carry_is_refused(handle):
    with pytest.raises(ValueError, match=r"holds a control or non-ASCII character") as info:
        UnpodClient(TOKEN, org_handle=handle)
    assert str(info.value).startswith(f"org_handle={handle!r} ")


ECHOES = {
    "whole header": str,
    "upper case": str.upper,
    "lower case": str.lower,
    "swapped case": str.swapcase,
    "first 10": lambda auth: auth.partition(" ")[2][:10],
    "middle 9": lambda auth: auth.partition(" ")[2][4:13],
    "last 8, upper": lambda auth: auth[-8:].upper(),
    "spelled in a sentence": lambda auth: f"bad key ...{auth[9:20]}... for you",
}


@pytest.mark.parametrize("echo", ECHOES.values(), ids=ECHOES.keys())
def test_any_echo_of_the_token_is_scrubbed(client, unpod_server, caplog, echo):
    unpod_server.route(RUN_TASKS, echo_authorization(echo))
    with pytest.raises(AuthenticationError, match=r"Invalid token") as info:
        client.run_tasks("S1", "R1")
    assert_error_clean(info.value, caplog)
    assert "***" in info.value.message


def test_an_echo_in_a_200_without_data_is_scrubbed(client, unpod_server, caplog):
    unpod_server.route(RUN_TASKS, echo_authorization(str.upper, status=200))
    with pytest.raises(ApiError, match=r"expected a list under 'data'") as info:
        client.run_tasks("S1", "R1")
    assert_error_clean(info.value, caplog)


# --- transport faults -----------------------------------------------------------------------


def test_a_body_cut_short_is_retried(client, unpod_server, sleeps):
    short = Reply(200, ok(TASKS[:3]).body, content_length=100_000)
    unpod_server.add(RUN_TASKS, short, ok(TASKS[:3]))
    assert client.run_tasks("S1", "R1") == TASKS[:3]
    assert len(unpod_server.requests) == 2


def test_a_body_always_cut_short_is_a_connection_error(client, unpod_server, sleeps, caplog):
    unpod_server.add(RUN_TASKS, Reply(200, ok(TASKS[:3]).body, content_length=100_000))
    with pytest.raises(
        ApiConnectionError,
        match=r"could not read the answer from .*/tasks/ \(max_retries=3\): .*IncompleteRead",
    ) as info:
        client.run_tasks("S1", "R1")
    assert len(unpod_server.requests) == 4
    assert len(sleeps) == 2  # like urllib3: the first retry at once, then backoff
    assert_error_clean(info.value, caplog)


def test_a_broken_gzip_body_is_a_connection_error(client, unpod_server, caplog):
    broken = Reply(200, b"this is not gzip", {"Content-Encoding": "gzip"})
    unpod_server.add(RUN_TASKS, broken)
    with pytest.raises(ApiConnectionError, match=r"DecodeError") as info:
        client.run_tasks("S1", "R1")
    assert len(unpod_server.requests) == 4
    assert_error_clean(info.value, caplog)


def test_a_gzip_body_is_decoded(client, unpod_server):
    body = gzip.compress(json.dumps(ok(TASKS[:3]).body).encode())
    unpod_server.add(RUN_TASKS, Reply(200, body, {"Content-Encoding": "gzip"}))
    assert client.run_tasks("S1", "R1") == TASKS[:3]


def test_any_other_requests_error_is_a_connection_error(unpod_server, caplog):
    unpod_server.add("/organizations/", redirect(unpod_server.base_url + "/organizations/"))
    session = requests.Session()
    session.max_redirects = 3
    api = UnpodClient(TOKEN, base_url=unpod_server.base_url, session=session)
    with pytest.raises(ApiConnectionError, match=r"TooManyRedirects") as info:
        api.organizations()
    assert len(unpod_server.requests) == 4
    assert_error_clean(info.value, caplog)


def test_a_trickling_server_meets_the_deadline(unpod_server, sleeps, caplog):
    unpod_server.add("/organizations/", Reply(200, ok([{"name": "x" * 40}]).body, trickle=0.1))
    api = UnpodClient(
        TOKEN,
        base_url=unpod_server.base_url,
        timeout=0.5,
        deadline=1.5,
        max_retries=retry_policy(3, sleep=sleeps.append),
    )
    with pytest.raises(
        ApiConnectionError, match=r"organizations/ took longer than deadline=1\.5 s"
    ) as info:
        api.organizations()
    assert len(unpod_server.requests) == 1  # a deadline is not retried
    assert_error_clean(info.value, caplog)


@pytest.mark.parametrize("deadline", [0, -1.0, float("nan")])
def test_a_bad_deadline_is_refused(deadline):
    with pytest.raises(ValueError, match=r"deadline=.* must be a positive number of seconds"):
        UnpodClient(TOKEN, deadline=deadline)


def test_the_deadline_defaults_to_four_timeouts():
    assert UnpodClient(TOKEN, timeout=2.5).deadline == 10.0


# --- paging a hostile server ----------------------------------------------------------------


def test_a_server_repeating_pages_is_stopped_after_two(client, unpod_server):
    unpod_server.add(RUN_TASKS, ok(TASKS[:100]))
    with pytest.raises(
        ApiError, match=r"pages 2 and 3 brought no new task_id .*repeats pages.*stopped at page 3"
    ) as info:
        list(client.iter_run_tasks("S1", "R1", max_pages=50))
    assert info.value.url == unpod_server.base_url + RUN_TASKS
    assert len(unpod_server.requests) == 3


def test_a_server_repeating_a_page_of_tasks_without_ids_is_stopped(client, unpod_server):
    unpod_server.add(RUN_TASKS, ok([{"status": "pending"}] * 100))
    with pytest.raises(ApiError, match=r"repeats pages"):
        list(client.iter_run_tasks("S1", "R1", max_pages=50))
    assert len(unpod_server.requests) == 3


def test_one_repeated_page_is_not_an_error(client, unpod_server):
    """Pages shift while tasks arrive: one page with nothing new can happen."""
    pages = [ok(TASKS[:100]), ok(TASKS[:100]), ok(TASKS[100:150])]
    unpod_server.add(RUN_TASKS, *pages)
    assert client.run_tasks("S1", "R1") == TASKS[:150]


def test_fetch_run_takes_max_pages(client, unpod_server):
    unpod_server.route(RUN_TASKS, endless(task))
    with pytest.raises(ApiError, match=r"page 2 was still full .*max_pages= \(--max-pages"):
        fetch_run("S1", "R1", client=client, max_pages=2)
    assert len(unpod_server.requests) == 2


@pytest.mark.parametrize("max_pages", [0, -3, 2.5, True])
def test_a_bad_max_pages_is_refused(client, unpod_server, max_pages):
    with pytest.raises(ValueError, match=r"max_pages=.* must be a positive integer"):
        fetch_run("S1", "R1", client=client, max_pages=max_pages)
    assert unpod_server.requests == []


# --- redirects ------------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_refused(client, unpod_server, other_server, caplog):
    other_server.add(RUN_TASKS, ok(TASKS[:3]))
    unpod_server.add(RUN_TASKS, redirect(other_server.base_url + RUN_TASKS))
    other = urlsplit(other_server.base_url).netloc
    with pytest.raises(
        ApiError, match=rf"redirects to http://{other}, another host; .* only within"
    ) as info:
        client.run_tasks("S1", "R1")
    assert info.value.status_code == 302
    assert other_server.requests == []  # neither the token nor the request went there
    assert len(unpod_server.requests) == 1
    assert_error_clean(info.value, caplog)


def test_a_redirect_to_another_host_name_is_refused(client, unpod_server):
    same_port_other_name = unpod_server.base_url.replace("127.0.0.1", "localhost")
    unpod_server.add(RUN_TASKS, redirect(same_port_other_name + "/elsewhere/"))
    with pytest.raises(ApiError, match=r"redirects to http://localhost:\d+, another host"):
        client.run_tasks("S1", "R1")
    assert len(unpod_server.requests) == 1


def test_a_redirect_within_the_api_host_is_followed(client, unpod_server):
    unpod_server.add(RUN_TASKS, redirect("/api/v2/platform/moved/"))
    unpod_server.add("/moved/", ok(TASKS[:2]))
    assert client.run_tasks("S1", "R1") == TASKS[:2]
    assert [r.headers["Authorization"] for r in unpod_server.requests] == [f"Token {TOKEN}"] * 2


# --- ids ------------------------------------------------------------------------------------


BAD_IDS = [".", "..", "", "R" * 129, "a/b", "R1?page=2", ".hidden", "R 1", "-R1", "R1\n", "Rü"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("save", [False, True])
def test_an_id_that_is_not_a_platform_id_is_refused_before_any_request(
    client, unpod_server, tmp_path, bad, save
):
    unpod_server.add(RUN_TASKS, ok(TASKS[:1]))
    save_to = tmp_path if save else None
    with pytest.raises(ValueError, match=re.escape(f"run_id={bad!r}")) as info:
        fetch_run("S1", bad, client=client, save_to=save_to)
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match=re.escape(f"space_token={bad!r}")):
        fetch_run(bad, "R1", client=client, save_to=save_to)
    assert unpod_server.requests == []
    assert list(tmp_path.iterdir()) == []


def test_ids_up_to_128_characters_pass(client, unpod_server):
    long_id = "R" + "0123456789abcdef" * 7 + "0" * 15
    assert len(long_id) == 128
    unpod_server.add(f"/spaces/S1/runs/{long_id}/tasks/", ok([]))
    assert client.run_tasks("S1", long_id) == []
    assert check_id(long_id, "run_id") == long_id


@pytest.mark.parametrize("bad", BAD_IDS)
def test_runs_refuses_a_bad_space_token(client, unpod_server, bad):
    with pytest.raises(ValueError, match=re.escape(f"space_token={bad!r} is not an id")):
        client.runs(bad)
    assert unpod_server.requests == []


def test_a_hostile_page_is_decoded_as_the_loader_reads_files(client, unpod_server):
    """BOM, NaN, a lone surrogate escape and deep nesting in an ignored field: the fetch works."""
    deep = "[" * 3000 + "]" * 3000
    body = (
        '\ufeff{"count": 1, "status_code": 200, "message": "ok", "data": [{"task_id": "T1", '
        '"assignee": "a\\ud800", "output": {"duration": NaN, "junk": ' + deep + "}}]}"
    ).encode("utf-8")
    unpod_server.add(RUN_TASKS, Reply(200, body, headers={"Content-Type": "application/json"}))
    run = fetch_run("S1", "R1", client=client)
    assert run.tasks["task_id"].tolist() == ["T1"]
    assert run.tasks["assignee"].tolist() == ["a\ufffd"]
    assert set(run.problems["field"]) >= {"assignee", "duration"}
