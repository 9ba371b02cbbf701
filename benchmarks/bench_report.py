"""How long does the HTML report of a big run take, and where does the time go?

Generates a 20,000-task run, loads it once, then in the same process times ``json.loads`` of
its bytes (the baseline) and ``build_report`` with and without redaction (best of 3
interleaved rounds). Prints the figures and ratios; the README quotes them. Not part of the
test run.

    .venv/bin/python benchmarks/bench_report.py [N_TASKS]
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.viz.redact import contact_names
from analytics.viz.report import build_report


def timed(fn, *args, **kwargs) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def report(run, redact: bool) -> None:
    with tempfile.TemporaryDirectory() as out:
        build_report(run, out, redact=redact)


def main(n_tasks: int = 20_000) -> None:
    raw = json.dumps(make_run(n_tasks, random_state=0)).encode()
    run = load_run(raw)
    rounds = [
        (timed(json.loads, raw), timed(report, run, True), timed(report, run, False))
        for _ in range(3)
    ]
    baseline, redacted, plain = (min(column) for column in zip(*rounds))
    print(
        f"run: {len(run.tasks):,} tasks, {len(run.calls):,} calls, {len(run.turns):,} turns; "
        f"{len(contact_names(run.tasks, run.calls)):,} contact names to mask"
    )
    print(f"json.loads (baseline)         {baseline:6.2f} s")
    print(f"build_report(redact=True)     {redacted:6.2f} s = {redacted / baseline:4.1f}x")
    print(f"build_report(redact=False)    {plain:6.2f} s = {plain / baseline:4.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
