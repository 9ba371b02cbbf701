"""The ``unpod-analytics`` command: thin wiring of the library's public functions.

::

    unpod-analytics report --out reports/sample       # HTML report of the bundled sample
    unpod-analytics report data/raw/S/R.json --out reports/R
    unpod-analytics report --space TOKEN --run RUN_ID --out reports/R   # fetch, then report
    unpod-analytics export data/raw/S/R.json --out tables/ --format parquet
    unpod-analytics features data/raw/S/R.json --out features.csv
    unpod-analytics fetch                             # the spaces (needs UNPOD_ORG_HANDLE)
    unpod-analytics fetch --space TOKEN               # the space's runs
    unpod-analytics fetch --space TOKEN --run RUN_ID  # save data/raw/TOKEN/RUN_ID.json

The API token comes from the environment only (``UNPOD_API_TOKEN``, or the variable named by
``--token-env``), never from a flag that would land in the shell history.

Adding a command: write ``_cmd_<name>(args) -> int`` and register it in :func:`build_parser`
with ``_add_command(commands, "<name>", _cmd_<name>, help=...)``, which also gives it the
common options (``--verbose``). :func:`main` turns the library's errors into one line on
stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from analytics.datasets import load_sample
from analytics.errors import AnalyticsError
from analytics.io.client import TOKEN_ENV, UnpodClient, fetch_run, resolve_token
from analytics.io.store import (
    DEFAULT_ROOT,
    TABLE_FORMATS,
    save_table,
    save_tables,
    snapshot_path,
)
from analytics.load import Run, load_run
from analytics.text.tables import call_features
from analytics.viz.report import build_report

PROG = "unpod-analytics"
SPACE_COLUMNS = ("token", "name", "slug", "content_type")
RUN_COLUMNS = ("run_id", "status", "run_mode", "batch_count", "created")

_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging, and a traceback with errors",
    )
    return common


def _add_command(
    commands: _Commands, name: str, func: Callable[[argparse.Namespace], int], **kw: Any
) -> argparse.ArgumentParser:
    command = commands.add_parser(name, parents=[_common_options()], **kw)
    command.set_defaults(func=func)
    return command


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``unpod-analytics`` with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Conversation analytics for Unpod voice-agent runs."
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="debug logging, and a traceback with errors"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_report(commands)
    _add_export(commands)
    _add_features(commands)
    _add_fetch(commands)
    return parser


def _example(*lines: str) -> dict[str, Any]:
    text = "\n".join(f"  {PROG} {line}" for line in lines)
    return {"epilog": f"examples:\n{text}", "formatter_class": argparse.RawDescriptionHelpFormatter}


def _add_sources(command: argparse.ArgumentParser, *, required: bool) -> None:
    command.add_argument(
        "sources",
        nargs="+" if required else "*",
        metavar="SOURCE",
        help="saved run responses (JSON files); several are merged"
        + ("" if required else "; default the bundled sample run"),
    )


def _add_report(commands: _Commands) -> None:
    report = _add_command(
        commands,
        "report",
        _cmd_report,
        help="write the HTML report of a run (default: the bundled sample)",
        description="Write OUT/index.html (self-contained) and OUT/tables/*.csv for a run: "
        "overview, durations, outcomes by assignee with intervals, conversation metrics, "
        "keyword trackers and data quality. Prints the path of index.html.",
        **_example(
            "report --out reports/sample",
            "report data/raw/SPACE/RUN.json --out reports/RUN",
            "report --space SPACE --run RUN --out reports/RUN   # fetches first",
        ),
    )
    _add_sources(report, required=False)
    report.add_argument("--out", required=True, metavar="DIR", help="the report folder")
    report.add_argument(
        "--no-redact",
        dest="redact",
        action="store_false",
        help="keep phone numbers, e-mails, names and recording URLs",
    )
    report.add_argument("--title", help="the page title (default: the run id)")
    report.add_argument("--space", metavar="TOKEN", help="fetch the run from this space first")
    report.add_argument("--run", metavar="RUN_ID", help="the run to fetch (with --space)")
    _add_api_options(report)


def _add_export(commands: _Commands) -> None:
    export = _add_command(
        commands,
        "export",
        _cmd_export,
        help="write the tasks, calls and turns tables as CSV or Parquet",
        description="Load saved run responses and write DIR/tasks, DIR/calls and DIR/turns.",
        **_example("export data/raw/SPACE/RUN.json --out tables/ --format parquet"),
    )
    _add_sources(export, required=True)
    export.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    export.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)"
    )


def _add_features(commands: _Commands) -> None:
    features = _add_command(
        commands,
        "features",
        _cmd_features,
        help="write one row of conversation and keyword features per call",
        description="Conversation metrics and built-in keyword counts per call, with the "
        "call's assignee, outcome and status, as CSV (or Parquet for a .parquet FILE).",
        **_example("features data/raw/SPACE/RUN.json --out features.csv"),
    )
    _add_sources(features, required=True)
    features.add_argument("--out", required=True, metavar="FILE", help=".csv or .parquet")


def _add_fetch(commands: _Commands) -> None:
    fetch = _add_command(
        commands,
        "fetch",
        _cmd_fetch,
        help="list spaces or runs, or save a run as one JSON snapshot",
        description="Without --space list the spaces; with --space list its runs; with --space "
        "and --run save every task of the run as one JSON file and print its path.",
        **_example("fetch", "fetch --space SPACE", "fetch --space SPACE --run RUN --out data/raw"),
    )
    fetch.add_argument("--space", metavar="TOKEN", help="the space token (see the space list)")
    fetch.add_argument("--run", metavar="RUN_ID", help="the run to save (needs --space)")
    fetch.add_argument(
        "--out",
        metavar="PATH",
        help=f"a .json file, or a directory for <space>/<run>.json (default {DEFAULT_ROOT})",
    )
    _add_api_options(fetch)


def _add_api_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--org-handle", help="Org-Handle header (default $UNPOD_ORG_HANDLE)")
    command.add_argument("--base-url", help="API base URL (default $UNPOD_BASE_URL, else unpod.ai)")
    command.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        metavar="NAME",
        help=f"environment variable holding the API token (default {TOKEN_ENV})",
    )
    command.add_argument(
        "--auth-scheme",
        choices=("Token", "Bearer", "JWT"),
        help="Authorization scheme (default $UNPOD_AUTH_SCHEME, else Token; Bearer for a JWT)",
    )
    command.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )


def _client(args: argparse.Namespace) -> UnpodClient:
    hint = "(the command reads the token from the environment only)"
    return UnpodClient(
        resolve_token(None, env=args.token_env, hint=hint),
        org_handle=args.org_handle,
        base_url=args.base_url,
        progress=args.progress,
        auth_scheme=args.auth_scheme,
    )


def _write_table(rows: list[dict[str, Any]], columns: Sequence[str], empty: str) -> None:
    if not rows:
        sys.stderr.write(f"{empty}\n")
        return
    frame = pd.DataFrame(rows, columns=list(columns), dtype=object).fillna("")
    sys.stdout.write(frame.to_string(index=False) + "\n")


def _cmd_fetch(args: argparse.Namespace) -> int:
    if args.run and not args.space:
        raise ValueError(f"--run {args.run!r} needs --space TOKEN, the space the run belongs to")
    root = args.out or DEFAULT_ROOT
    path = snapshot_path(args.space, args.run, root=root) if args.run else None
    with _client(args) as client:
        if path is not None:
            run = fetch_run(args.space, args.run, client=client, save_to=path)
            sys.stderr.write(f"{len(run.tasks)} tasks, {len(run.calls)} calls saved\n")
            sys.stdout.write(f"{path}\n")
        elif args.space:
            _write_table(client.runs(args.space), RUN_COLUMNS, f"no runs in space {args.space}")
        else:
            _write_table(client.spaces(), SPACE_COLUMNS, "no spaces (check --org-handle)")
    return 0


def _load(args: argparse.Namespace) -> Run:
    """The run the command works on: fetched, read from SOURCE files, or the sample."""
    if getattr(args, "run", None) or getattr(args, "space", None):
        if not (args.space and args.run):
            raise ValueError("--space and --run go together: the space token and the run id")
        if args.sources:
            raise ValueError("give either SOURCE files or --space/--run, not both")
        with _client(args) as client:
            return fetch_run(args.space, args.run, client=client)
    if not args.sources:
        return load_sample()
    return load_run([Path(source) for source in args.sources])


def _cmd_report(args: argparse.Namespace) -> int:
    page = build_report(_load(args), args.out, redact=args.redact, title=args.title)
    sys.stdout.write(f"{page}\n")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    for path in save_tables(_load(args), args.out, format=args.format):
        sys.stdout.write(f"{path}\n")
    return 0


def _cmd_features(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix not in tuple(f".{f}" for f in TABLE_FORMATS):
        raise ValueError(f"--out {args.out!r} must end in .csv or .parquet")
    sys.stdout.write(f"{save_table(call_features(_load(args)), out)}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (errors: one line on stderr, status 1)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    # urllib3 warns on every retry; without --verbose only the final error line is shown
    logging.getLogger("urllib3").setLevel(logging.DEBUG if args.verbose else logging.ERROR)
    func: Callable[[argparse.Namespace], int] = args.func  # set by _add_command
    try:
        return func(args)
    except (AnalyticsError, ValueError, OSError) as exc:
        if args.verbose:
            traceback.print_exc()
        message = " ".join(str(exc).split())
        sys.stderr.write(f"{PROG}: error: {message}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
