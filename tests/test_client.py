"""UnpodClient against a real HTTP server on 127.0.0.1 (tests/_server.py)."""

from __future__ import annotations

import json
import logging
import traceback
import types
from datetime import UTC, datetime

import pandas as pd
import pytest
import requests
from _server import Reply, closed_port, ok, paged

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


def assert_no_token(*texts: object) -> None:
    for text in texts:
        assert TOKEN not in str(text)


def assert_error_clean(exc: BaseException, caplog) -> None:
    """The token is in none of str, repr, the chained traceback, or the log."""
    full = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert_no_token(str(exc), repr(exc), full, caplog.text)


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


def test_a_server_ignoring_page_hits_the_bound(client, unpod_server):
    unpod_server.add(RUN_TASKS, ok(TASKS[:100]))
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
    with pytest.raises(ValueError, match=r"run_id='\.\./R1' cannot name a file"):
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
