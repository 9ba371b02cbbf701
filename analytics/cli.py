"""The ``unpod-analytics`` command: thin wiring of the library's public functions.

::

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
import os
import sys
import traceback
from collections.abc import Callable, Sequence

import pandas as pd

from analytics.client import TOKEN_ENV, UnpodClient, fetch_run
from analytics.errors import AnalyticsError, AuthenticationError
from analytics.store import DEFAULT_ROOT, snapshot_path

PROG = "unpod-analytics"
SPACE_COLUMNS = ("token", "name", "slug", "content_type")
RUN_COLUMNS = ("run_id", "status", "run_mode", "batch_count", "created")


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
    commands: argparse._SubParsersAction, name: str, func: Callable[[argparse.Namespace], int], **kw
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
    _add_fetch(commands)
    return parser


def _add_fetch(commands: argparse._SubParsersAction) -> None:
    fetch = _add_command(
        commands,
        "fetch",
        _cmd_fetch,
        help="list spaces or runs, or save a run as one JSON snapshot",
        description="Without --space list the spaces; with --space list its runs; with --space "
        "and --run save every task of the run as one JSON file and print its path.",
    )
    fetch.add_argument("--space", metavar="TOKEN", help="the space token (see the space list)")
    fetch.add_argument("--run", metavar="RUN_ID", help="the run to save (needs --space)")
    fetch.add_argument(
        "--out",
        metavar="PATH",
        help=f"a .json file, or a directory for <space>/<run>.json (default {DEFAULT_ROOT})",
    )
    fetch.add_argument("--org-handle", help="Org-Handle header (default $UNPOD_ORG_HANDLE)")
    fetch.add_argument("--base-url", help="API base URL (default $UNPOD_BASE_URL, else unpod.ai)")
    fetch.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        metavar="NAME",
        help=f"environment variable holding the API token (default {TOKEN_ENV})",
    )
    fetch.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )


def _client(args: argparse.Namespace) -> UnpodClient:
    token = os.environ.get(args.token_env, "").strip()
    if not token:
        raise AuthenticationError(
            f"no API token: set the {args.token_env} environment variable "
            "(the command reads the token from the environment only)"
        )
    return UnpodClient(
        token, org_handle=args.org_handle, base_url=args.base_url, progress=args.progress
    )


def _write_table(rows: list[dict], columns: Sequence[str], empty: str) -> None:
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (errors: one line on stderr, status 1)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return args.func(args)
    except (AnalyticsError, ValueError, OSError) as exc:
        if args.verbose:
            traceback.print_exc()
        message = " ".join(str(exc).split())
        sys.stderr.write(f"{PROG}: error: {message}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
