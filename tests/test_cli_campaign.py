"""`unpod-analytics report --timezone/--now`: the campaign sections' options on the command line."""

from __future__ import annotations

import pandas as pd

from analytics.cli import main


def _error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


def test_timezone_moves_the_timing_hours(tmp_path):
    utc, kolkata = tmp_path / "utc", tmp_path / "kolkata"
    assert main(["report", "--out", str(utc)]) == 0
    assert main(["report", "--timezone", "Asia/Kolkata", "--out", str(kolkata)]) == 0
    a = pd.read_csv(utc / "tables" / "call_timing.csv")
    b = pd.read_csv(kolkata / "tables" / "call_timing.csv")
    assert a["n_calls"].sum() == b["n_calls"].sum() > 0
    # Kolkata is UTC+5:30: a call at 20:00-20:29 UTC is at 01:30-01:59 the next day there
    by_hour = a.groupby("hour")["n_calls"].sum()
    shifted = b.groupby("hour")["n_calls"].sum()
    assert not by_hour.equals(shifted)


def test_now_decides_what_is_overdue(tmp_path):
    early, late = tmp_path / "early", tmp_path / "late"
    assert main(["report", "--now", "2000-01-01", "--out", str(early)]) == 0
    assert main(["report", "--now", "2100-01-01", "--out", str(late)]) == 0
    before = pd.read_csv(early / "tables" / "follow_ups.csv")
    after = pd.read_csv(late / "tables" / "follow_ups.csv")
    timed = before["due"].notna()
    assert timed.sum() > 0
    assert not before.loc[timed, "overdue"].any()  # nothing is due before 2000
    assert after.loc[after["due"].notna(), "overdue"].all()  # everything is due before 2100


def test_a_bad_timezone_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "--timezone", "Mars/Base", "--out", str(out)]) == 1
    assert "'Mars/Base' is not a time zone" in _error_line(capsys)
    assert not out.exists()


def test_a_bad_now_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", "--now", "tomorrow-ish", "--out", str(out)]) == 1
    assert "'tomorrow-ish' is not a time" in _error_line(capsys)
    assert not out.exists()
