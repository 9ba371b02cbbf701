"""`unpod-analytics fetch` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import pytest
from _server import Reply, echo_authorization, endless, ok, paged, redirect

import analytics.io.client as client_module
from analytics.cli import build_parser, main
from analytics.io.client import retry_policy

TOKEN = "tok-SECRET-cli-5b1d"
TASKS = [{"task_id": f"T{i}", "run_id": "R1", "status": "completed"} for i in range(3, 0, -1)]


@pytest.fixture
def env(unpod_server, monkeypatch, tmp_path):
    """Token and base URL in the environment; the working directory is a fresh tmp_path."""
    monkeypatch.setenv("UNPOD_API_TOKEN", TOKEN)
    monkeypatch.setenv("UNPOD_BASE_URL", unpod_server.base_url)
    monkeypatch.delenv("UNPOD_ORG_HANDLE", raising=False)
    monkeypatch.chdir(tmp_path)
    return unpod_server


def test_fetch_run_saves_under_data_raw(env, capsys, tmp_path):
    env.route("/spaces/S1/runs/R1/tasks/", paged(TASKS))
    assert main(["fetch", "--space", "S1", "--run", "R1"]) == 0
    out, err = capsys.readouterr()
    assert out == "data/raw/S1/R1.json\n"
    assert err == "3 tasks, 0 calls saved\n"
    saved = json.loads((tmp_path / "data/raw/S1/R1.json").read_text())
    assert [t["task_id"] for t in saved["data"]] == ["T3", "T2", "T1"]
    assert (saved["space_token"], saved["run_id"]) == ("S1", "R1")
    assert TOKEN not in (tmp_path / "data/raw/S1/R1.json").read_text()


@pytest.mark.parametrize(("verbose", "level"), [([], logging.ERROR), (["-v"], logging.DEBUG)])
def test_urllib3_retry_warnings_only_with_verbose(env, capsys, verbose, level):
    """urllib3 logs a WARNING per connection retry; the CLI shows only its final error line."""
    env.route("/spaces/S1/runs/R1/tasks/", paged(TASKS))
    assert main([*verbose, "fetch", "--space", "S1", "--run", "R1"]) == 0
    assert logging.getLogger("urllib3").getEffectiveLevel() == level


@pytest.mark.parametrize(
    ("out", "expected"), [("snap.json", "snap.json"), ("runs", "runs/S1/R1.json")]
)
def test_fetch_run_out(env, capsys, tmp_path, out, expected):
    env.route("/spaces/S1/runs/R1/tasks/", paged(TASKS))
    assert main(["fetch", "--space", "S1", "--run", "R1", "--out", out]) == 0
    assert capsys.readouterr().out == f"{expected}\n"
    assert json.loads(Path(tmp_path, expected).read_text())["count"] == 3


def test_fetch_lists_runs(env, capsys):
    runs = [
        {"run_id": "R2", "status": "pending", "run_mode": "prod", "batch_count": 2},
        {"run_id": "R1", "status": "completed", "run_mode": "prod", "created": "2026-02-07"},
    ]
    env.add("/spaces/S1/runs/", ok(runs))
    assert main(["fetch", "--space", "S1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "run_id    status run_mode batch_count    created",
        "    R2   pending     prod           2           ",
        "    R1 completed     prod             2026-02-07",
    ]


def test_fetch_lists_spaces_with_org_handle(env, capsys):
    env.add("/spaces/", ok([{"token": "S1", "name": "Sales", "slug": "sales"}]))
    assert main(["fetch", "--org-handle", "acme.co"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "token  name  slug content_type",
        "   S1 Sales sales             ",
    ]
    assert env.requests[0].headers["Org-Handle"] == "acme.co"


def test_empty_list_says_so(env, capsys):
    env.add("/spaces/S1/runs/", ok([]))
    assert main(["fetch", "--space", "S1"]) == 0
    assert capsys.readouterr() == ("", "no runs in space S1\n")


def test_api_error_is_one_line(env, capsys):
    env.add("/spaces/", Reply(401, {"message": "Invalid token."}))
    assert main(["fetch"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"unpod-analytics: error: HTTP 401 from {env.base_url}/spaces/: Invalid token.; "
        "/spaces/ may accept only a JWT: pass auth_scheme='Bearer' with a JWT "
        "(or set UNPOD_AUTH_SCHEME=Bearer)\n"
    )


def test_verbose_adds_the_traceback_without_the_token(env, capsys, caplog):
    env.add("/spaces/", Reply(401, {"message": "Invalid token."}))
    assert main(["fetch", "--verbose"]) == 1
    err = capsys.readouterr().err
    # the debug log comes first on stderr, then the traceback, then the error line
    log, _, traceback = err.partition("Traceback (most recent call last):\n")
    assert f"DEBUG analytics.io.client: GET {env.base_url}/spaces/" in log
    assert traceback.endswith(
        "unpod-analytics: error: HTTP 401 from " + env.base_url + "/spaces/: Invalid token.; "
        "/spaces/ may accept only a JWT: pass auth_scheme='Bearer' with a JWT "
        "(or set UNPOD_AUTH_SCHEME=Bearer)\n"
    )
    assert "GET " + env.base_url + "/spaces/" in caplog.text  # debug logging is on
    assert TOKEN not in err + caplog.text


def test_missing_token(env, monkeypatch, capsys):
    monkeypatch.delenv("UNPOD_API_TOKEN")
    assert main(["fetch"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("unpod-analytics: error: ")
    assert err.count("\n") == 1
    assert err.endswith(
        "no API token: set the UNPOD_API_TOKEN environment variable "
        "(the command reads the token from the environment only)\n"
    )
    assert env.requests == []


def test_token_env_names_another_variable(env, monkeypatch, capsys):
    monkeypatch.delenv("UNPOD_API_TOKEN")
    monkeypatch.setenv("MY_UNPOD_TOKEN", TOKEN)
    env.add("/spaces/", ok([]))
    assert main(["fetch", "--token-env", "MY_UNPOD_TOKEN"]) == 0
    assert env.requests[0].headers["Authorization"] == f"Token {TOKEN}"
    assert main(["fetch", "--token-env", "OTHER"]) == 1
    assert "set the OTHER environment variable" in capsys.readouterr().err


def test_run_needs_space(env, capsys):
    assert main(["fetch", "--run", "R1"]) == 1
    assert capsys.readouterr().err == (
        "unpod-analytics: error: --run 'R1' needs --space TOKEN, the space the run belongs to\n"
    )


def test_bad_run_id_is_refused_before_fetching(env, capsys):
    assert main(["fetch", "--space", "S1", "--run", "../../etc"]) == 1
    assert "run_id='../../etc' is not an id" in capsys.readouterr().err
    assert env.requests == []


def test_parser_shape():
    parser = build_parser()
    args = parser.parse_args(["fetch", "--space", "S1", "-v"])
    assert (args.command, args.space, args.verbose, args.progress) == ("fetch", "S1", True, None)
    assert parser.parse_args(["-v", "fetch"]).verbose is True
    assert parser.parse_args(["fetch"]).verbose is False
    with pytest.raises(SystemExit) as info:
        parser.parse_args([])
    assert info.value.code == 2


def test_progress_flag_shows_a_bar_for_several_pages(env, capsys):
    tasks = [{"task_id": f"T{i}", "status": "pending"} for i in range(150, 0, -1)]
    env.route("/spaces/S1/runs/R1/tasks/", paged(tasks))
    assert main(["fetch", "--space", "S1", "--run", "R1", "--progress"]) == 0
    assert "150/150" in capsys.readouterr().err


# --- waits and output errors ----------------------------------------------------------------


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The CLI's client records its retry waits here instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(
        client_module, "retry_policy", functools.partial(retry_policy, sleep=recorded.append)
    )
    return recorded


def test_a_long_retry_wait_is_announced(env, capsys, sleeps):
    limited = Reply(429, {"message": "Slow down"}, {"Retry-After": "3"})
    env.add("/spaces/S1/runs/R1/tasks/", limited, ok(TASKS))
    assert main(["fetch", "--space", "S1", "--run", "R1"]) == 0
    assert sleeps == [3.0]
    out, err = capsys.readouterr()
    assert out == "data/raw/S1/R1.json\n"
    assert err == (
        "unpod-analytics: waiting 3 s before retry 1 of 5 "
        "(HTTP 429 from /api/v2/platform/spaces/S1/runs/R1/tasks/)\n"
        "3 tasks, 0 calls saved\n"
    )
    assert TOKEN not in err


def test_a_short_retry_wait_is_not_announced(env, capsys, sleeps):
    limited = Reply(503, {"message": "busy"}, {"Retry-After": "2"})
    env.add("/spaces/S1/runs/", limited, ok([]))
    assert main(["fetch", "--space", "S1"]) == 0
    assert sleeps == [2.0]
    assert capsys.readouterr().err == "no runs in space S1\n"


def test_fetch_out_that_is_a_file_is_refused_before_fetching(env, capsys, tmp_path):
    (tmp_path / "raw").write_text("")
    assert main(["fetch", "--space", "S1", "--run", "R1", "--out", "raw"]) == 1
    assert capsys.readouterr().err == (
        "unpod-analytics: error: cannot write 'raw': it is a file; "
        "--out takes a folder or a .json file name\n"
    )
    assert env.requests == []


def test_fetch_out_under_a_file_is_refused_before_fetching(env, capsys, tmp_path):
    (tmp_path / "raw").write_text("")
    assert main(["fetch", "--space", "S1", "--run", "R1", "--out", "raw/run.json"]) == 1
    assert capsys.readouterr().err == (
        "unpod-analytics: error: cannot write 'raw/run.json': 'raw' is a file, not a folder; "
        "choose another --out\n"
    )
    assert env.requests == []


# --- hostile servers and inputs (issue 11) ----------------------------------------------------


def secret_pieces(token: str) -> set[str]:
    """The token and every 8-character piece of it, lower-cased."""
    lower = token.lower()
    return {lower} | {lower[i : i + 8] for i in range(len(lower) - 7)}


def assert_no_token(text: str, token: str = TOKEN) -> None:
    found = [piece for piece in secret_pieces(token) if piece in text.lower()]
    assert found == [], f"token pieces {found} in {text!r}"


@pytest.mark.parametrize("token", ["tok-SECRET\r\nX-Evil: 1", "tok-SECRET-\x1b-cli-5b1d"])
def test_a_token_with_control_characters_is_one_clean_line(env, monkeypatch, capsys, token):
    monkeypatch.setenv("UNPOD_API_TOKEN", token)
    assert main(["fetch", "--verbose", "--space", "S1", "--run", "R1"]) == 1
    err = capsys.readouterr().err
    line = err.splitlines()[-1]
    assert line.startswith(
        "unpod-analytics: error: the API token in UNPOD_API_TOKEN holds a control character"
    )
    assert "InvalidHeader" not in err
    assert_no_token(err, token)
    assert env.requests == []


@pytest.mark.parametrize("echo", [str.upper, lambda auth: auth[6:16].lower()])
def test_an_echoed_token_never_reaches_stderr(env, capsys, caplog, echo):
    env.route("/spaces/S1/runs/", echo_authorization(echo))
    assert main(["fetch", "--verbose", "--space", "S1"]) == 1
    err = capsys.readouterr().err
    assert "unpod-analytics: error: HTTP 401" in err
    assert_no_token(err + caplog.text)


def test_max_pages_reaches_the_fetch(env, capsys, tmp_path):
    env.route(
        "/spaces/S1/runs/R1/tasks/", endless(lambda i: {"task_id": f"T{i}", "status": "pending"})
    )
    assert main(["fetch", "--space", "S1", "--run", "R1", "--max-pages", "2"]) == 1
    err = capsys.readouterr().err
    assert "page 2 was still full (page_size=100)" in err
    assert "(--max-pages on the command line)" in err
    assert len(env.requests) == 2
    assert list(tmp_path.iterdir()) == []


def test_max_pages_lets_a_long_run_through(env, capsys):
    tasks = [{"task_id": f"T{i}", "status": "pending"} for i in range(250, 0, -1)]
    env.route("/spaces/S1/runs/R1/tasks/", paged(tasks))
    assert main(["fetch", "--space", "S1", "--run", "R1", "--max-pages", "3"]) == 0
    assert capsys.readouterr().err == "250 tasks, 0 calls saved\n"


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_max_pages_must_be_a_positive_integer(env, capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["fetch", "--space", "S1", "--run", "R1", "--max-pages", value])
    assert info.value.code == 2
    assert f"argument --max-pages: {value!r} is not a positive integer" in capsys.readouterr().err
    assert env.requests == []


def test_a_server_repeating_pages_is_one_line(env, capsys):
    env.add("/spaces/S1/runs/R1/tasks/", ok(TASKS * 34))  # 102 tasks, 100 a page, repeated
    assert main(["fetch", "--space", "S1", "--run", "R1", "--max-pages", "20"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the server repeats pages" in err
    assert len(env.requests) == 3


@pytest.mark.parametrize("bad", ["..", "."])
def test_a_space_that_is_not_an_id_is_refused_before_listing(env, capsys, bad):
    assert main(["fetch", "--space", bad]) == 1
    assert capsys.readouterr().err.startswith(
        f"unpod-analytics: error: space_token={bad!r} is not an id: "
    )
    assert env.requests == []


def test_a_redirect_to_another_host_is_refused(env, other_server, capsys):
    other_server.add("/spaces/S1/runs/", ok([{"run_id": "R9"}]))
    env.add("/spaces/S1/runs/", redirect(other_server.base_url + "/spaces/S1/runs/"))
    assert main(["fetch", "--space", "S1"]) == 1
    err = capsys.readouterr().err
    assert "another host; the client follows redirects only within the API host" in err
    assert other_server.requests == []
