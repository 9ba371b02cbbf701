"""The ``unpod-analytics`` command: thin wiring of the library's public functions.

::

    unpod-analytics report --out reports/sample       # HTML report of the bundled sample
    unpod-analytics report data/raw/S/R.json --out reports/R
    unpod-analytics report --space TOKEN --run RUN_ID --out reports/R   # fetch, then report
    unpod-analytics export data/raw/S/R.json --out tables/ --format parquet
    unpod-analytics features data/raw/S/R.json --out features.csv
    unpod-analytics features data/raw/S/R.json --lexicon words.toml --out features.csv
    unpod-analytics export data/raw/S/R.json --outcome-map outcomes.toml --out tables/
    unpod-analytics fetch                             # the spaces (needs UNPOD_ORG_HANDLE)
    unpod-analytics fetch --space TOKEN               # the space's runs
    unpod-analytics fetch --space TOKEN --run RUN_ID  # save data/raw/TOKEN/RUN_ID.json
    unpod-analytics sync --space TOKEN                # new and unfinished runs into data/
    unpod-analytics import data/raw/S/R.json --root data --space S
    unpod-analytics report --root data --since 2026-11-01 --out reports/november
    unpod-analytics report --root data --engine dask --out reports/all   # on a local cluster
    unpod-analytics --version

The API token comes from the environment only (``UNPOD_API_TOKEN``, or the variable named by
``--token-env``), never from a flag that would land in the shell history.

Adding a command: write ``_cmd_<name>(args) -> int`` and register it in :func:`build_parser`
with ``_add_command(commands, "<name>", _cmd_<name>, help=...)``, which also gives it the
common options (``--verbose``). :func:`main` turns the library's errors into one line on
stderr and exit status 1; an OSError while writing reads ``cannot write OUT: reason; what to
do``, never ``[Errno N]``, and an ``--out`` that cannot be what the command writes (a file
where a folder belongs, say) is refused before any work. The library's warnings show on
stderr as ``unpod-analytics: ...`` lines, such as a retry wait longer than 2 s.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

import analytics
from analytics.datasets import load_sample
from analytics.errors import AnalyticsError
from analytics.io.client import MAX_PAGES, TOKEN_ENV, UnpodClient, fetch_run, resolve_token
from analytics.io.dataset import write_dataset
from analytics.io.store import (
    DEFAULT_ROOT,
    TABLE_FORMATS,
    Formulas,
    save_table,
    save_tables,
    snapshot_path,
)
from analytics.io.sync import sync_space
from analytics.io.vocabulary import read_lexicons, read_outcome_map
from analytics.load import Run, load_run, open_dataset
from analytics.text.keywords import keyword_features
from analytics.text.tables import call_features
from analytics.viz.report import DaskTables, build_report

PROG = "unpod-analytics"
SCHEDULER_TIMEOUT = 10.0
"""Seconds ``report --scheduler ADDRESS`` waits for the scheduler to answer."""
SPACE_COLUMNS = ("token", "name", "slug", "content_type")
RUN_COLUMNS = ("run_id", "status", "run_mode", "batch_count", "created")

_WRITE_ERRORS = {
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("permission denied", "choose a folder you can write to"),
    errno.EROFS: ("the file system is read-only", "choose a folder you can write to"),
    errno.ENOSPC: (
        "no space left on the device",
        "free some space or choose --out on another disk",
    ),
    errno.EDQUOT: ("the disk quota is used up", "free some space or choose --out on another disk"),
    errno.ENOENT: ("its folder cannot be created", "choose a folder you can write to"),
    errno.ENAMETOOLONG: ("a name in the path is too long", "choose a shorter --out"),
}
"""What an OSError while writing ``--out`` means and what to do, by errno (see :func:`main`)."""

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
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_report(commands)
    _add_export(commands)
    _add_features(commands)
    _add_fetch(commands)
    _add_sync(commands)
    _add_import(commands)
    return parser


def _version() -> str:
    """The installed distribution's version, else the source tree's ``analytics.__version__``."""
    try:
        return metadata.version(PROG)
    except metadata.PackageNotFoundError:
        return analytics.__version__


def _example(*lines: str) -> dict[str, Any]:
    text = "\n".join(f"  {PROG} {line}" for line in lines)
    return {"epilog": f"examples:\n{text}", "formatter_class": argparse.RawDescriptionHelpFormatter}


def _add_sources(command: argparse.ArgumentParser, *, default: str) -> None:
    command.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help=(
            "saved Unpod run responses or Retell or Vapi call exports (JSON files); several, "
            f"of any platforms, are merged; {default}"
        ),
    )


def _add_report(commands: _Commands) -> None:
    report = _add_command(
        commands,
        "report",
        _cmd_report,
        help="write the HTML report of a run (default: the bundled sample)",
        description="Write OUT/index.html (self-contained) and OUT/tables/*.csv for a run: "
        "overview with cost per Interested by assignee, the funnel, trends, when to call, "
        "why calls end, follow-ups, calls to review, durations, outcomes by assignee with "
        "intervals, conversation metrics, keyword trackers and data quality. Prints the path "
        "of index.html.",
        **_example(
            "report --out reports/sample",
            "report data/raw/SPACE/RUN.json --out reports/RUN",
            "report data/raw/SPACE/RUN.json --timezone Asia/Kolkata --out reports/RUN",
            "report --space SPACE --run RUN --out reports/RUN   # fetches first",
            "report --root data --space SPACE --since 2026-11-01 --out reports/november",
            "report --root data --engine dask --out reports/all",
            "report --root data --engine dask --scheduler tcp://10.0.0.5:8786 --out reports/all",
        ),
    )
    _add_sources(report, default="default the bundled sample run")
    _add_dataset_options(report)
    report.add_argument("--out", required=True, metavar="DIR", help="the report folder")
    report.add_argument(
        "--no-redact",
        dest="redact",
        action="store_false",
        help="keep phone numbers, e-mails, names and recording URLs",
    )
    report.add_argument("--title", help="the page title (default: the run id)")
    report.add_argument(
        "--timezone",
        default="UTC",
        metavar="ZONE",
        help="the time zone of the 'When to call' hours, an IANA name such as Asia/Kolkata "
        "(default UTC)",
    )
    report.add_argument(
        "--now",
        metavar="TIME",
        help="judge follow-ups overdue against this time, ISO such as 2026-02-01T09:00Z "
        "(default: when the report is made)",
    )
    _add_vocabulary_options(
        report, lexicon="track these keyword lexicons instead of the built-in ones"
    )
    report.add_argument(
        "--space",
        metavar="TOKEN",
        help="fetch the run from this space first (with --root: only this space's runs)",
    )
    report.add_argument(
        "--run", metavar="RUN_ID", help="the run to fetch (with --space; with --root: only it)"
    )
    _add_engine_options(report)
    _add_api_options(report)


def _add_engine_options(report: argparse.ArgumentParser) -> None:
    report.add_argument(
        "--engine",
        choices=("pandas", "dask"),
        default="pandas",
        help="pandas: load the runs into memory (default); dask: analyse the turns of the "
        "--root dataset run by run on a Dask cluster, only one row per call in memory (needs "
        "the dask extra: pip install 'unpod-analytics[dask]')",
    )
    report.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the dask.distributed scheduler to run on, such as "
        "tcp://10.0.0.5:8786 (default: a local cluster for the command's duration)",
    )
    report.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="with --engine dask and no --scheduler: the local cluster's worker processes "
        "(default: Dask's choice for the machine's cores)",
    )


def _add_export(commands: _Commands) -> None:
    export = _add_command(
        commands,
        "export",
        _cmd_export,
        help="write the tasks, calls and turns tables as CSV or Parquet",
        description="Load saved run responses (or Retell or Vapi calls) and write DIR/tasks, "
        "DIR/calls and DIR/turns (and DIR/keywords, the keyword counts per call, with --lexicon).",
        **_example(
            "export data/raw/SPACE/RUN.json --out tables/ --format parquet",
            "export data/raw/SPACE/RUN.json --outcome-map outcomes.toml --out tables/",
        ),
    )
    _add_sources(export, default="or --root DIR")
    _add_dataset_options(export, space=True)
    export.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    export.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)"
    )
    _add_vocabulary_options(
        export, lexicon="also write DIR/keywords, the counts of these lexicons per call"
    )
    _add_raw_cells(export)


def _add_features(commands: _Commands) -> None:
    features = _add_command(
        commands,
        "features",
        _cmd_features,
        help="write one row of conversation and keyword features per call",
        description="Conversation metrics and keyword counts (of the built-in lexicons, or of "
        "--lexicon FILE) per call, with the call's assignee, outcome and status, as CSV (or "
        "Parquet for a .parquet FILE).",
        **_example(
            "features data/raw/SPACE/RUN.json --out features.csv",
            "features data/raw/SPACE/RUN.json --lexicon words.toml --out features.csv",
        ),
    )
    _add_sources(features, default="or --root DIR")
    _add_dataset_options(features, space=True)
    features.add_argument("--out", required=True, metavar="FILE", help=".csv or .parquet")
    _add_vocabulary_options(
        features,
        lexicon="count these keyword lexicons (kw_<name>_* columns) instead of the built-in ones",
    )
    _add_raw_cells(features)


def _add_vocabulary_options(command: argparse.ArgumentParser, *, lexicon: str) -> None:
    """``--lexicon FILE`` (``lexicon`` says what the command does with it) and
    ``--outcome-map FILE``."""
    command.add_argument(
        "--lexicon",
        metavar="FILE",
        help=f"{lexicon}: a .toml or .json file of name -> phrases, such as "
        'refund = ["refund", "money back"]',
    )
    command.add_argument(
        "--outcome-map",
        metavar="FILE",
        help="read the platform's outcome labels through this map while loading: a .toml or "
        '.json file of raw label -> canonical outcome, such as "Hot Lead" = "Interested" '
        "(labels it does not name are mapped as usual)",
    )


def _add_dataset_options(command: argparse.ArgumentParser, *, space: bool = False) -> None:
    command.add_argument(
        "--root", metavar="DIR", help="read the runs from this dataset (see sync) instead of files"
    )
    if space:
        command.add_argument("--space", metavar="TOKEN", help="with --root: only this space")
    command.add_argument(
        "--since", metavar="DATE", help="with --root: only calls started on or after DATE (UTC)"
    )
    command.add_argument(
        "--until",
        metavar="DATE",
        help="with --root: only calls started before DATE (a date: to its end)",
    )


def _add_sync(commands: _Commands) -> None:
    sync = _add_command(
        commands,
        "sync",
        _cmd_sync,
        help="fetch a space's new and unfinished runs into a Parquet dataset",
        description="List the space's runs and fetch each one not yet in the dataset at ROOT, "
        "or still changing; complete runs already there are skipped. Writes ROOT/raw/SPACE/"
        "RUN.json snapshots, ROOT/tables/... Parquet files and ROOT/manifest.json, and prints "
        "one line per run. Exit status 1 when a run failed (the others are kept).",
        **_example(
            "sync --space SPACE",
            "sync --space SPACE --root data --since 2026-11-01",
            "sync --space SPACE --run RUN --refresh",
        ),
    )
    sync.add_argument("--space", required=True, metavar="TOKEN", help="the space token")
    sync.add_argument(
        "--root", default="data", metavar="DIR", help="the dataset folder (default data)"
    )
    sync.add_argument(
        "--run", dest="runs", action="append", metavar="RUN_ID", help="only this run (repeatable)"
    )
    sync.add_argument("--since", metavar="DATE", help="only runs created on or after DATE (UTC)")
    sync.add_argument("--refresh", action="store_true", help="fetch complete runs again too")
    sync.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_api_options(sync)


def _add_import(commands: _Commands) -> None:
    command = _add_command(
        commands,
        "import",
        _cmd_import,
        help="add saved run snapshots to a Parquet dataset",
        description="Load each SNAPSHOT (a saved run response) and store its runs in the "
        "dataset at ROOT under SPACE, replacing runs already there. Prints one line per run.",
        **_example("import data/raw/SPACE/RUN.json --root data --space SPACE"),
    )
    command.add_argument("snapshots", nargs="+", metavar="SNAPSHOT", help="saved run responses")
    command.add_argument("--root", required=True, metavar="DIR", help="the dataset folder")
    command.add_argument("--space", required=True, metavar="TOKEN", help="the space they belong to")
    command.add_argument(
        "--run",
        metavar="RUN_ID",
        help="store each snapshot under this run id (for tasks that name no run)",
    )


def _add_raw_cells(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--raw-cells",
        action="store_true",
        help="write CSV text cells as they are (default: a cell that a spreadsheet would run "
        "as a formula, starting with = + - @, a tab or a carriage return, gets a leading ')",
    )


def _formulas(args: argparse.Namespace) -> Formulas:
    """What ``--raw-cells`` asks of formula cells (see :func:`analytics.io.store.save_table`)."""
    return "keep" if args.raw_cells else "neutralise"


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
    fetch.add_argument(
        "--max-pages",
        type=_positive_int,
        default=MAX_PAGES,
        metavar="N",
        help=f"read at most N pages of the run (default {MAX_PAGES:,})",
    )
    _add_api_options(fetch)


def _positive_int(text: str) -> int:
    """An argparse type: a positive integer, else a message naming the value."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer, e.g. 200")
    return int(text)


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


def _file_in_path(path: Path) -> Path | None:
    """The first of ``path``'s parent folders that is a file, if one is."""
    return next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)


def _check_out(out: str | os.PathLike[str], *, folder: bool, takes: str) -> None:
    """Refuse an ``--out`` that cannot be written, before any work: a one-line ValueError.

    ``folder`` says whether the command writes ``out`` as a folder or as a file; ``takes``
    names what ``--out`` takes, for the message.
    """
    path = Path(out)
    blocker = _file_in_path(path)
    if blocker is not None:
        reason = f"{str(blocker)!r} is a file, not a folder; choose another --out"
    elif folder and path.exists() and not path.is_dir():
        reason = f"it is a file; --out takes {takes}"
    elif not folder and path.is_dir():
        reason = f"it is a folder; --out takes {takes}"
    else:
        return
    raise ValueError(f"cannot write {str(out)!r}: {reason}")


def _cmd_fetch(args: argparse.Namespace) -> int:
    if args.run and not args.space:
        raise ValueError(f"--run {args.run!r} needs --space TOKEN, the space the run belongs to")
    root = args.out or DEFAULT_ROOT
    if args.run:
        as_file = Path(root).suffix == ".json"
        _check_out(root, folder=not as_file, takes="a folder or a .json file name")
    path = snapshot_path(args.space, args.run, root=root) if args.run else None
    with _client(args) as client:
        if path is not None:
            run = fetch_run(
                args.space, args.run, client=client, save_to=path, max_pages=args.max_pages
            )
            sys.stderr.write(f"{len(run.tasks)} tasks, {len(run.calls)} calls saved\n")
            sys.stdout.write(f"{path}\n")
        elif args.space:
            _write_table(client.runs(args.space), RUN_COLUMNS, f"no runs in space {args.space}")
        else:
            _write_table(client.spaces(), SPACE_COLUMNS, "no spaces (check --org-handle)")
    return 0


def _load(args: argparse.Namespace, *, outcome_map: Mapping[str, str] | None = None) -> Run:
    """The run the command works on: from a dataset, fetched, read from SOURCE files, or the
    sample; outcome labels read through ``outcome_map`` (the ``--outcome-map`` file)."""
    if args.root:
        return _from_dataset(args, outcome_map)
    dated = "--since" if args.since else "--until" if args.until else None
    if dated:
        raise ValueError(f"{dated} filters a dataset: give --root DIR too")
    if args.command != "report" and args.space:
        raise ValueError("--space filters a dataset: give --root DIR too")
    if not args.sources and args.command != "report":
        raise ValueError(f"{args.command} needs SOURCE files or --root DIR")
    if getattr(args, "run", None) or getattr(args, "space", None):
        return _fetched(args, outcome_map)
    if not args.sources:
        return _sample(outcome_map)
    return load_run([Path(source) for source in args.sources], outcome_map=outcome_map)


def _fetched(args: argparse.Namespace, outcome_map: Mapping[str, str] | None) -> Run:
    """The run of ``--space/--run``, fetched from the API."""
    if not (args.space and args.run):
        raise ValueError("--space and --run go together: the space token and the run id")
    if args.sources:
        raise ValueError("give either SOURCE files or --space/--run, not both")
    with _client(args) as client:
        return fetch_run(args.space, args.run, client=client, outcome_map=outcome_map)


def _sample(outcome_map: Mapping[str, str] | None) -> Run:
    """The bundled sample run."""
    return load_sample(outcome_map=outcome_map)


def _from_dataset(args: argparse.Namespace, outcome_map: Mapping[str, str] | None) -> Run:
    if args.sources:
        raise ValueError("give either SOURCE files or --root DIR, not both")
    run = getattr(args, "run", None)
    return open_dataset(args.root).load(
        spaces=args.space, runs=run, since=args.since, until=args.until, outcome_map=outcome_map
    )


def _lexicons(args: argparse.Namespace) -> dict[str, tuple[str, ...]] | None:
    """The lexicons of the ``--lexicon`` file (None without one: the built-in ones)."""
    return None if args.lexicon is None else read_lexicons(args.lexicon)


def _outcome_map(args: argparse.Namespace) -> dict[str, str] | None:
    """The map of the ``--outcome-map`` file (None without one)."""
    return None if args.outcome_map is None else read_outcome_map(args.outcome_map)


def _cmd_sync(args: argparse.Namespace) -> int:
    if args.quiet:
        args.progress = False
    with _client(args) as client:
        result = sync_space(
            args.space,
            root=args.root,
            client=client,
            runs=args.runs,
            since=args.since,
            refresh=args.refresh,
            progress=args.progress,
        )
    table = result.table
    if len(table):
        sys.stdout.write(table.to_string(index=False, na_rep="") + "\n")
    sys.stderr.write(f"{result!r}\n")
    return 0 if result.ok else 1


def _cmd_import(args: argparse.Namespace) -> int:
    for snapshot in args.snapshots:
        rows = write_dataset(Path(snapshot), args.root, space=args.space, run_id=args.run)
        for run_id, tasks in zip(rows["run_id"], rows["tasks"], strict=True):
            sys.stdout.write(f"{snapshot}\t{args.space}\t{run_id}\t{tasks} tasks\n")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    _check_out(args.out, folder=True, takes="a folder")
    _check_engine(args)
    lexicons, outcome_map = _lexicons(args), _outcome_map(args)  # files checked before work
    if args.engine == "dask":
        run = _dask_run(args)  # the runs chosen (and checked) before a cluster starts
        with _dask_engine(args):
            page = _report(run, args, lexicons)
    else:
        page = _report(_load(args, outcome_map=outcome_map), args, lexicons)
    sys.stdout.write(f"{page}\n")
    return 0


def _report(
    run: Run | DaskTables, args: argparse.Namespace, lexicons: Mapping[str, Sequence[str]] | None
) -> Path:
    """:func:`build_report` of ``run`` with the command's options."""
    return build_report(
        run,
        args.out,
        redact=args.redact,
        title=args.title,
        lexicons=lexicons,
        timezone=args.timezone,
        now=args.now,
    )


def _check_engine(args: argparse.Namespace) -> None:
    """Refuse Dask options that do not go together, before any work: a one-line ValueError."""
    if args.engine != "dask":
        options = {"--scheduler": args.scheduler, "--workers": args.workers}
        given = [option for option, value in options.items() if value is not None]
        if given:
            raise ValueError(f"{given[0]} runs the report on Dask: give --engine dask too")
        return
    if not args.root:
        raise ValueError("--engine dask reads a dataset: give --root DIR (see sync and import)")
    if args.outcome_map is not None:
        raise ValueError(
            "--outcome-map is applied while loading runs into memory; --engine dask reads the "
            "dataset's stored outcomes as they are: drop one of them"
        )
    if args.scheduler is not None and args.workers is not None:
        raise ValueError(
            "--workers starts local workers; the scheduler of --scheduler has its own: "
            "give one of them"
        )


def _dask_run(args: argparse.Namespace) -> DaskTables:
    """The runs of ``--root`` chosen by ``--space/--run/--since/--until``, as Dask frames."""
    if args.sources:
        raise ValueError("give either SOURCE files or --root DIR, not both")
    with _dask_needed():
        run: DaskTables = open_dataset(args.root).to_dask(
            spaces=args.space, runs=args.run, since=args.since, until=args.until
        )
    return run


@contextmanager
def _dask_engine(args: argparse.Namespace) -> Iterator[None]:
    """Dask's scheduler for the block: the one at ``--scheduler``, else a local cluster
    (closed at the end, errors included); distributed's logs below WARNING shown only with
    ``--verbose``."""
    with _dask_needed():
        from analytics.distributed import dask_client  # an optional extra: imported on use

    quiet = not args.verbose
    with dask_client(args.scheduler, workers=args.workers, timeout=SCHEDULER_TIMEOUT, quiet=quiet):
        yield


@contextmanager
def _dask_needed() -> Iterator[None]:
    """Turn a missing Dask into a one-line ValueError saying how to install it."""
    try:
        yield
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in ("dask", "distributed"):
            raise
        raise ValueError(
            f"--engine dask needs Dask ({error.name} is not installed): "
            "pip install 'unpod-analytics[dask]'"
        ) from None


def _cmd_export(args: argparse.Namespace) -> int:
    _check_out(args.out, folder=True, takes="a folder")
    lexicons, outcome_map = _lexicons(args), _outcome_map(args)  # files checked before work
    run = _load(args, outcome_map=outcome_map)
    keywords = None if lexicons is None else keyword_features(run.turns, lexicons, calls=run.calls)
    formulas = _formulas(args)
    paths = save_tables(run, args.out, format=args.format, formulas=formulas)
    if keywords is not None:
        out = Path(args.out) / f"keywords.{args.format}"
        paths.append(save_table(keywords, out, format=args.format, formulas=formulas))
    for path in paths:
        sys.stdout.write(f"{path}\n")
    return 0


def _cmd_features(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix not in tuple(f".{f}" for f in TABLE_FORMATS):
        raise ValueError(f"--out {args.out!r} must end in .csv or .parquet")
    _check_out(out, folder=False, takes="a .csv or .parquet file name")
    lexicons, outcome_map = _lexicons(args), _outcome_map(args)  # files checked before work
    table = call_features(_load(args, outcome_map=outcome_map), lexicons=lexicons)
    sys.stdout.write(f"{save_table(table, out, formulas=_formulas(args))}\n")
    return 0


def _write_reason(exc: OSError) -> tuple[str, str]:
    """What an OSError while writing means, and what to do about it."""
    if exc.errno == errno.EEXIST:  # a folder was to be made where a file is
        return f"{str(exc.filename)!r} is a file, not a folder", "choose another --out"
    if exc.errno == errno.ENOTDIR:
        blocker = _file_in_path(Path(exc.filename or ""))
        what = "a part of the path" if blocker is None else repr(str(blocker))
        return f"{what} is a file, not a folder", "choose another --out"
    if exc.errno == errno.EISDIR:
        where = str(exc.filename2 or exc.filename)
        return f"{where!r} is a folder", "give --out a path where no folder is in the way"
    text = exc.strerror or str(exc)
    return _WRITE_ERRORS.get(exc.errno or 0, (text[:1].lower() + text[1:], "choose another --out"))


def _os_error_line(exc: OSError, args: argparse.Namespace) -> str:
    """One line for an OSError: ``cannot write OUT: reason; what to do``, never ``[Errno N]``.

    An error naming a file, or a full disk (whose error names none), comes from writing the
    command's output: the line names ``--out`` as given. Reads of SOURCE files have their own
    messages (:func:`analytics.load_run`); anything else keeps its words without the errno.
    """
    if exc.filename is None and exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return exc.strerror or str(exc)
    default = DEFAULT_ROOT if args.command == "fetch" else None
    out = getattr(args, "out", None) or default or exc.filename2 or exc.filename
    reason, fix = _write_reason(exc)
    return f"cannot write {str(out)!r}: {reason}; {fix}"


def _error_line(exc: Exception, args: argparse.Namespace) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])  # str(KeyError) would quote the message
    return _os_error_line(exc, args) if isinstance(exc, OSError) else str(exc)


def _log_to_stderr(verbose: bool) -> logging.Handler:
    """Show log records on stderr: warnings as ``unpod-analytics: ...``; everything if verbose.

    Returns the handler, for :func:`main` to remove when the command ends.
    """
    handler = logging.StreamHandler(sys.stderr)
    form = "%(levelname)s %(name)s: %(message)s" if verbose else f"{PROG}: %(message)s"
    handler.setFormatter(logging.Formatter(form))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG if verbose else logging.WARNING)
    # urllib3 warns on every retry; without --verbose only the final error line is shown
    logging.getLogger("urllib3").setLevel(logging.DEBUG if verbose else logging.ERROR)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (errors: one line on stderr, status 1).

    Library warnings (a retry wait longer than 2 s, say) show on stderr as one
    ``unpod-analytics: ...`` line each; ``--verbose`` shows every log record and tracebacks.
    """
    args = build_parser().parse_args(argv)
    handler = _log_to_stderr(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func  # set by _add_command
    try:
        return func(args)
    except (AnalyticsError, ValueError, OSError, KeyError) as exc:
        if args.verbose:
            traceback.print_exc()
        text = _error_line(exc, args)
        sys.stderr.write(f"{PROG}: error: {' '.join(text.split())}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    finally:
        logging.getLogger().removeHandler(handler)
