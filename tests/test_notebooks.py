"""The notebooks run top to bottom on the bundled sample, and are committed without outputs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = [
    "01_explore_run.ipynb",
    "02_durations_and_outcomes.ipynb",
    "03_transcript_features_model.ipynb",
    "04_space_history.ipynb",
    "05_campaign_review.ipynb",
]
LIVE_VARIABLES = ("UNPOD_SPACE", "UNPOD_RUN", "UNPOD_API_TOKEN")
ONE_RUN = (
    'an.fetch_run(os.environ["UNPOD_SPACE"], os.environ["UNPOD_RUN"])',
    "an.datasets.load_sample()",
)
SETUP = dict.fromkeys(NAMES[:3], ONE_RUN) | {
    "04_space_history.ipynb": (
        'an.sync_space(os.environ["UNPOD_SPACE"], root=',
        "an.datasets.make_run(",
    ),
    "05_campaign_review.ipynb": (  # keeps the snapshot, which section 8 reloads with a map
        'an.fetch_run(os.environ["UNPOD_SPACE"], os.environ["UNPOD_RUN"], save_to=source)',
        "an.datasets.load_sample()",
    ),
}
"""What each notebook's first code cell calls: the live path, then the offline one."""

AUC_LINE = re.compile(r"ROC AUC, (?P<model>[^:]+): (?P<mean>\d\.\d{3}) ± (?P<sd>\d\.\d{3})")
LEADS_LINE = re.compile(
    r"(?P<leads>\d+) leads at 2026-01-31 18:00 \(Asia/Kolkata\): (?P<overdue>\d+) overdue, "
    r"(?P<later>\d+) due later, (?P<untimed>\d+) without a due time"
)
SENTIMENT_LINE = re.compile(
    r"sentiment scores alone (?P<sentiment>\d\.\d{3}) ± \d\.\d{3}; "
    r"keyword counts (?P<keywords>\d\.\d{3}) ± \d\.\d{3}"
)


def require_python3_kernel() -> None:
    """Fail (never skip) when the kernel the notebooks name is not installed."""
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.fail(
            "no 'python3' Jupyter kernelspec: the notebooks cannot run. Install ipykernel in "
            "this environment (`.venv/bin/python -m pip install -e '.[dev]'`), which provides it."
        )


def output_text(nb: nbformat.NotebookNode) -> str:
    """All text a notebook's code cells showed: streams, results and displays, in order."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                texts.append(out["text"])
            elif out["output_type"] in ("execute_result", "display_data"):
                texts.append(out["data"].get("text/plain", ""))
    return "\n".join(texts)


def stderr_text(nb: nbformat.NotebookNode) -> str:
    """What code cells wrote to stderr (warnings): a notebook should run clean."""
    return "".join(
        out["text"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out["output_type"] == "stream" and out["name"] == "stderr"
    )


@pytest.fixture
def sample_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel inherits this environment: no live-run variables, a non-GUI backend."""
    for name in LIVE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")


def execute(name: str, tmp_path: Path) -> nbformat.NotebookNode:
    """Run a temporary copy of notebook ``name``; the executed copy stays in ``tmp_path``."""
    require_python3_kernel()
    copy = tmp_path / name
    shutil.copyfile(NOTEBOOKS / name, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    nbformat.write(nb, copy)
    return nb


def assert_printed(name: str, text: str, expected: list[str]) -> None:
    missing = [line for line in expected if line not in text]
    assert not missing, f"{name} did not print {missing}"


def test_explore_notebook_runs_on_the_sample(tmp_path: Path, sample_env: None) -> None:
    name = "01_explore_run.ipynb"
    text = output_text(nb := execute(name, tmp_path))
    assert_printed(
        name,
        text,
        [
            "Run(tasks=400, calls=372, turns=3818, problems=0)",
            "0 value(s) could not be read",
            "transcript_pending",
            "\nagent: ",
            "\nuser: ",
        ],
    )
    assert stderr_text(nb) == ""


def test_durations_notebook_runs_on_the_sample(tmp_path: Path, sample_env: None) -> None:
    name = "02_durations_and_outcomes.ipynb"
    text = output_text(nb := execute(name, tmp_path))
    assert_printed(
        name,
        text,
        [
            "median_ci_low",
            "Highest Interested rate: space-agent-cleo,",
            "Lowest: space-agent-dex,",
            "Interested or not, by agent: chi-square p = ",
            "Longest median call: space-agent-",
            "Connection rates run from ",
            "Interested per dial, all agents: 15.9%",
        ],
    )
    assert stderr_text(nb) == ""


def test_durations_notebook_counts_the_per_dial_rate_not_a_product() -> None:
    nb = nbformat.read(NOTEBOOKS / "02_durations_and_outcomes.ipynb", as_version=4)
    source = "\n".join(cell.source for cell in nb.cells)
    assert "multiply the two" not in source
    assert 'an.dial_rates(run.calls, by="assignee")' in source


def test_model_notebook_runs_and_scores_well_above_chance(tmp_path: Path, sample_env: None) -> None:
    name = "03_transcript_features_model.ipynb"
    text = output_text(nb := execute(name, tmp_path))
    assert_printed(
        name,
        text,
        [
            "agent_talk_share",
            "Slowest agent: space-agent-dex",
            "kw_price_user",
            "caller's words most for Interested: ",
        ],
    )
    assert stderr_text(nb) == ""
    scores = {m["model"]: (float(m["mean"]), float(m["sd"])) for m in AUC_LINE.finditer(text)}
    assert set(scores) == {
        "turn-taking + keywords",
        "connected calls only",
        "TF-IDF of the caller's words",
    }
    mean, sd = scores["turn-taking + keywords"]
    assert mean > 0.7, scores
    assert 0 < sd < 0.2, scores
    assert scores["connected calls only"][0] > 0.7, scores


def test_space_history_notebook_runs_on_synthetic_runs(tmp_path: Path, sample_env: None) -> None:
    name = "04_space_history.ipynb"
    text = output_text(nb := execute(name, tmp_path))
    assert_printed(
        name,
        text,
        [
            "every run: Run(tasks=1340, calls=1251, turns=12597, problems=0)",
            "Highest Interested rate: the week of 2026-",
            "Interested or not, by run: chi-square p = ",
            "tables/runs.csv: 6 runs",
        ],
    )
    assert stderr_text(nb) == ""


def test_notebook_05_campaign_review_runs_on_the_sample(tmp_path: Path, sample_env: None) -> None:
    name = "05_campaign_review.ipynb"
    text = output_text(nb := execute(name, tmp_path))
    assert_printed(
        name,
        text,
        [
            "cost_per_outcome",
            "Cheapest Interested lead: space-agent-",
            "Highest Interested rate per dial: space-agent-",
            "All agents: the first period (2026-01-29) ",
            "cells have 5 or more calls with a known connection",
            "calls have no start time and are in no cell",
            "raw_values",
            "Most calls end with ",
            "#1, score ",
            "Caller: ",
            "ROC AUC of caller_sentiment_end: 0.",
            "{'Send Details': 'Interested'}",
            "calls changed outcome, from the raw labels ['Send Details', 'send details']",
        ],
    )
    assert stderr_text(nb) == ""
    leads = LEADS_LINE.search(text)
    assert leads, "the follow-ups line is missing"
    counts = {key: int(value) for key, value in leads.groupdict().items()}
    # every lead is overdue, due later, or has no due time (overdue NA): the three add up
    assert counts["overdue"] + counts["later"] + counts["untimed"] == counts["leads"], counts
    assert counts["overdue"] > 0, counts  # `now` lies inside the span: some are overdue,
    assert counts["later"] > 0, counts  # and some are not
    auc = SENTIMENT_LINE.search(text)
    assert auc, "the sentiment comparison line is missing"
    # docs/sentiment.md: sentiment alone is a weak classifier, well below the keyword counts
    assert 0.5 < float(auc["sentiment"]) < float(auc["keywords"]), auc.groupdict()


def test_notebook_05_pins_now_and_clears_its_folder() -> None:
    nb = nbformat.read(NOTEBOOKS / "05_campaign_review.ipynb", as_version=4)
    source = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "an.follow_ups(run, now=now)" in source  # reproducible overdue flags, never now=None
    assert 'pd.Timestamp("2026-01-31 18:00", tz=TZ)' in source
    assert "an.load_run(source, outcome_map=outcome_map)" in source
    assert nb.cells[-1].source.strip() == "folder.cleanup()"


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{name} has no code cells"
    assert [(c.execution_count, c.outputs) for c in code] == [(None, [])] * len(code), (
        f"{name} is saved with outputs; clear them before committing"
    )
    assert '"output_type"' not in (NOTEBOOKS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_opens_with_what_it_shows_and_how_to_go_live(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    first, setup = nb.cells[0], next(c for c in nb.cells if c.cell_type == "code")
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert "notebook shows" in first.source, f"{name} should open by saying what it shows"
    for variable in LIVE_VARIABLES:
        assert variable in first.source, f"{name}'s opening cell does not mention {variable}"
    live, offline = SETUP[name]
    assert live in setup.source
    assert offline in setup.source
