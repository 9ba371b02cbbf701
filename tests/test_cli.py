"""The report, export and features commands, their help and their one-line errors."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

import analytics
from analytics.cli import main
from analytics.datasets import make_run
from analytics.load import load_run


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "run.json"
    path.write_text(json.dumps(make_run(50, random_state=4)))
    return path


def test_report_of_the_bundled_sample_prints_the_page(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out.strip()
    assert out == str(tmp_path / "r" / "index.html")
    assert "Run overview" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


def test_report_of_a_saved_run_with_a_title(source, tmp_path, capsys):
    assert main(["report", str(source), "--out", str(tmp_path), "--title", "Week 5"]) == 0
    assert "<title>Week 5</title>" in (tmp_path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_writes_the_three_tables(source, tmp_path, capsys, fmt):
    assert main(["export", str(source), "--out", str(tmp_path), "--format", fmt]) == 0
    written = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[-1] for p in written] == [
        f"{t}.{fmt}" for t in ("tasks", "calls", "turns")
    ]
    run = load_run(source)
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    assert len(read(tmp_path / f"turns.{fmt}")) == len(run.turns)
    assert len(read(tmp_path / f"calls.{fmt}")) == len(run.calls)


def test_features_writes_one_row_per_call(source, tmp_path, capsys):
    out = tmp_path / "features.csv"
    assert main(["features", str(source), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    run = load_run(source)
    assert len(table) == len(run.calls)
    assert table["task_id"].is_unique
    assert {"assignee", "outcome", "agent_talk_share", "kw_price_user"} <= set(table.columns)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "missing.json", "--out", "x"], "cannot read 'missing.json' (No such file"),
        (["features", "{SOURCE}", "--out", "features.txt"], "must end in .csv or .parquet"),
        (["report", "--run", "R1", "--out", "x"], "--space and --run go together"),
        (["export", "{BAD}", "--out", "x"], "is not valid JSON"),
    ],
)
def test_errors_are_one_line_without_traceback(argv, message, source, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    argv = [a.replace("{SOURCE}", str(source)).replace("{BAD}", str(bad)) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("unpod-analytics: error: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["report", "export", "features", "fetch"])
def test_every_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"examples:\n  unpod-analytics {command}" in capsys.readouterr().out


# --- output errors: one line naming --out and what to do, never "[Errno N]" -----------------


def one_error_line(capsys) -> str:
    """The command's stderr, checked to be one error line; returned without prefix/newline."""
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("unpod-analytics: error: cannot write ")
    assert "[Errno" not in err
    assert "Traceback" not in err
    return err.removeprefix("unpod-analytics: error: ").removesuffix("\n")


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "afile"
    path.write_text("not a folder")
    return path


@pytest.mark.parametrize("command", ["report", "export"])
def test_out_that_is_a_file_is_refused(command, source, a_file, capsys):
    assert main([command, str(source), "--out", str(a_file)]) == 1
    assert one_error_line(capsys) == f"cannot write '{a_file}': it is a file; --out takes a folder"
    assert a_file.read_text() == "not a folder"


@pytest.mark.parametrize(
    ("command", "name"), [("report", "r"), ("export", "tables"), ("features", "f.csv")]
)
def test_out_under_a_file_is_refused(command, name, source, a_file, capsys):
    out = a_file / name
    assert main([command, str(source), "--out", str(out)]) == 1
    assert one_error_line(capsys) == (
        f"cannot write '{out}': '{a_file}' is a file, not a folder; choose another --out"
    )


def test_features_out_that_is_a_folder_is_refused(source, tmp_path, capsys):
    folder = tmp_path / "features.csv"
    folder.mkdir()
    assert main(["features", str(source), "--out", str(folder)]) == 1
    assert one_error_line(capsys) == (
        f"cannot write '{folder}': it is a folder; --out takes a .csv or .parquet file name"
    )


def _raising(error: OSError):
    def write(*args, **kwargs):
        raise error

    return write


WRITE_ERRORS = [
    (
        PermissionError(errno.EACCES, "Permission denied", "x/.tasks.csv.1.tmp"),
        "permission denied; choose a folder you can write to",
    ),
    (
        OSError(errno.EROFS, "Read-only file system", "x/.tasks.csv.1.tmp"),
        "the file system is read-only; choose a folder you can write to",
    ),
    (
        OSError(errno.ENOSPC, "No space left on device"),
        "no space left on the device; free some space or choose --out on another disk",
    ),
    (
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        "the disk quota is used up; free some space or choose --out on another disk",
    ),
    (
        FileExistsError(errno.EEXIST, "File exists", "x/sub"),
        "'x/sub' is a file, not a folder; choose another --out",
    ),
    (
        IsADirectoryError(errno.EISDIR, "Is a directory", "x/.t.tmp", None, "x/tasks.csv"),
        "'x/tasks.csv' is a folder; give --out a path where no folder is in the way",
    ),
    (
        FileNotFoundError(errno.ENOENT, "No such file or directory", "/proc/x"),
        "its folder cannot be created; choose a folder you can write to",
    ),
    (
        NotADirectoryError(errno.ENOTDIR, "Not a directory", "x/y/z"),
        "a part of the path is a file, not a folder; choose another --out",
    ),
    (
        OSError(errno.ENAMETOOLONG, "File name too long", "x/long"),
        "a name in the path is too long; choose a shorter --out",
    ),
    (
        OSError(errno.EIO, "Input/output error", "x/tasks.csv"),
        "input/output error; choose another --out",
    ),
]


@pytest.mark.parametrize(
    ("error", "reason"),
    WRITE_ERRORS,
    ids=[errno.errorcode[error.errno] for error, _ in WRITE_ERRORS],
)
def test_os_errors_while_writing_are_one_line(error, reason, source, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pd.DataFrame, "to_csv", _raising(error))
    out = tmp_path / "tables"
    assert main(["export", str(source), "--out", str(out)]) == 1
    assert one_error_line(capsys) == f"cannot write '{out}': {reason}"


def test_a_full_disk_during_report_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        pd.DataFrame, "to_csv", _raising(OSError(errno.ENOSPC, "No space left on device"))
    )
    out = tmp_path / "r"
    assert main(["report", "--out", str(out)]) == 1
    assert one_error_line(capsys) == (
        f"cannot write '{out}': no space left on the device; "
        "free some space or choose --out on another disk"
    )


def test_verbose_adds_the_traceback_to_an_output_error(source, a_file, capsys):
    assert main(["export", str(source), "--out", str(a_file / "t"), "-v"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert err.endswith(f"'{a_file}' is a file, not a folder; choose another --out\n")


# --- --version ------------------------------------------------------------------------------


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "unpod-analytics 0.1.0\n"


def test_version_without_installed_metadata(monkeypatch, capsys):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    monkeypatch.setattr(analytics, "__version__", "0.1.0+source")
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "unpod-analytics 0.1.0+source\n"


# --- make lab: JupyterLab on notebooks/ -----------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_installs_the_lab_extra_and_opens_the_notebooks():
    dry_run = subprocess.run(
        ["make", "-n", "-B", "-C", str(ROOT), "lab"], capture_output=True, text=True, check=True
    )
    lines = dry_run.stdout.splitlines()
    commands = [line.strip() for line in lines if not line.startswith("make")]
    assert ".venv/bin/python -m pip install --quiet -e '.[dev,lab]'" in commands
    assert commands[-1] == ".venv/bin/jupyter lab notebooks/"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(req.startswith("jupyterlab") for req in extras["lab"])


def test_every_notebook_says_how_to_open_it():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert "starting JupyterLab with `make lab`" in notebook.read_text(), notebook.name


# --- formula cells in export and features CSVs (OWASP "CSV Injection") ----------------------

FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def formula_source(tmp_path_factory):
    """A saved run whose first task's assignee is a formula; returns (path, task_id)."""
    payload = make_run(8, random_state=2)
    payload["data"][0]["assignee"] = FORMULA
    path = tmp_path_factory.mktemp("formula") / "run.json"
    path.write_text(json.dumps(payload))
    return path, payload["data"][0]["task_id"]


def csv_rows(path: Path) -> list[dict[str, str]]:
    import csv  # here, so that the tests above stay as they were

    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_csv_neutralises_formula_cells(formula_source, tmp_path, capsys):
    source, task_id = formula_source
    assert main(["export", str(source), "--out", str(tmp_path)]) == 0
    for name in ("tasks", "calls"):
        rows = csv_rows(tmp_path / f"{name}.csv")
        assert next(r for r in rows if r["task_id"] == task_id)["assignee"] == f"'{FORMULA}"
        assert not any(r["assignee"].startswith("=") for r in rows)


def test_features_csv_neutralises_formula_cells_and_keeps_numbers(formula_source, tmp_path):
    source, task_id = formula_source
    out = tmp_path / "features.csv"
    assert main(["features", str(source), "--out", str(out)]) == 0
    rows = csv_rows(out)
    assert next(r for r in rows if r["task_id"] == task_id)["assignee"] == f"'{FORMULA}"
    table = pd.read_csv(out)
    assert pd.api.types.is_numeric_dtype(table["agent_talk_share"])
    assert pd.api.types.is_numeric_dtype(table["kw_price_user"])


@pytest.mark.parametrize("command", ["export", "features"])
def test_raw_cells_writes_formula_cells_as_they_are(command, formula_source, tmp_path):
    source, task_id = formula_source
    out = tmp_path / ("features.csv" if command == "features" else "tables")
    assert main([command, str(source), "--out", str(out), "--raw-cells"]) == 0
    rows = csv_rows(out if command == "features" else out / "calls.csv")
    assert next(r for r in rows if r["task_id"] == task_id)["assignee"] == FORMULA
