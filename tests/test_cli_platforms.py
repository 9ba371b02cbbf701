"""The command line on Retell and Vapi exports, alone and mixed with an Unpod run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_load_platforms import RETELL, VAPI

from analytics.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    unpod = json.loads((DATA / "task_completed.json").read_text())
    written = {}
    for name, payload in (("unpod", [unpod]), ("retell", [RETELL]), ("vapi", VAPI)):
        written[name] = tmp_path / f"{name}.json"
        written[name].write_text(json.dumps(payload))
    return written


def test_export_writes_one_calls_table_with_the_platform_of_each_call(files, tmp_path):
    out = tmp_path / "tables"
    assert main(["export", *map(str, files.values()), "--out", str(out)]) == 0
    calls = pd.read_csv(out / "calls.csv")
    assert calls["platform"].tolist() == ["unpod", "retell", "vapi"]
    assert calls["duration_s"].tolist() == [33.0, 33.318, 33.318]
    turns = pd.read_csv(out / "turns.csv")
    assert len(turns) == 4 + 2 + 2  # the Vapi system prompt is not a turn


@pytest.mark.parametrize("platform", ["retell", "vapi"])
def test_report_on_one_other_platform(files, tmp_path, platform):
    out = tmp_path / platform
    assert main(["report", str(files[platform]), "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    assert f"All calls ran on {platform}." in page


def test_report_on_a_mix_of_three_platforms(files, tmp_path):
    out = tmp_path / "mixed"
    assert main(["report", *map(str, files.values()), "--out", str(out)]) == 0
    page = (out / "index.html").read_text()
    for name in ("retell", "vapi", "unpod"):
        assert name in page
