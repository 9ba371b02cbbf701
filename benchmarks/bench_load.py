"""How fast is load_run compared with the JSON parse it cannot avoid?

Generates a 20,000-task run (about 16 turns per connected call), serialises it once, then in
the same process times (best of 7) ``json.loads`` of those bytes (the baseline) and
``load_run`` of the same bytes, and measures ``load_run``'s peak traced memory. Then the same
run's calls as a Retell file and as a Vapi file (``make_run(20_000, platform=...)``: one call
per task that reached a call), each timed the same way (best of 5), their ratio to
``json.loads`` printed beside the Unpod file's; the target is a ratio within 1.5x of Unpod's.
Prints the figures and the ratios; the README quotes them. Not part of the test run.

    .venv/bin/python benchmarks/bench_load.py [N_TASKS]
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc

from analytics.datasets import make_run
from analytics.load import load_run


def timed(fn, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def best_of(rounds: int, *calls: tuple) -> list[float]:
    """Best wall-clock time of each call over ``rounds`` rounds, the calls interleaved in
    every round so that a slow stretch of the machine hits all of them alike."""
    times = [[timed(*call) for call in calls] for _ in range(rounds)]
    return [min(column) for column in zip(*times)]


def without_gc(fn, *args):
    """``fn(*args)`` with the cyclic garbage collector paused, as ``load_run`` runs."""
    gc.disable()
    try:
        return fn(*args)
    finally:
        gc.enable()


def peak_memory(fn, *args) -> int:
    gc.collect()
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(n_tasks: int = 20_000) -> None:
    raw = json.dumps(make_run(n_tasks, random_state=0)).encode()
    run = load_run(raw)
    baseline, paused, loading = best_of(
        7, (json.loads, raw), (without_gc, json.loads, raw), (load_run, raw)
    )
    peak = peak_memory(load_run, raw)
    mb = len(raw) / 1e6
    print(
        f"run: {len(run.tasks):,} tasks, {len(run.calls):,} calls, {len(run.turns):,} turns, "
        f"{len(run.problems):,} problems; {mb:.1f} MB of JSON"
    )
    print(f"json.loads (baseline): {baseline:.3f} s")
    print(f"json.loads, GC paused: {paused:.3f} s  (for reference: load_run pauses the GC)")
    print(
        f"load_run:              {loading:.3f} s  = {loading / baseline:.2f}x json.loads "
        f"(target <= 1.5x), {loading / paused:.2f}x the GC-paused parse; "
        f"{len(run.turns) / loading:,.0f} turns/s"
    )
    print(
        f"load_run peak memory:  {peak / 1e6:.0f} MB = {peak / len(raw):.1f}x the file "
        "(target <= 8x)"
    )
    unpod_ratio = loading / baseline
    for platform in ("retell", "vapi"):
        platform_figures(platform, n_tasks, unpod_ratio)


def platform_figures(platform: str, n_tasks: int, unpod_ratio: float) -> None:
    """Time load_run of the run's calls in ``platform``'s shape against json.loads of the
    same bytes, and print the ratio beside the Unpod file's."""
    raw = json.dumps(make_run(n_tasks, random_state=0, platform=platform)).encode()
    run = load_run(raw)
    baseline, loading = best_of(5, (json.loads, raw), (load_run, raw))
    ratio = loading / baseline
    print(
        f"{platform}: {len(run.calls):,} calls, {len(run.turns):,} turns, "
        f"{len(run.problems):,} problems; {len(raw) / 1e6:.1f} MB of JSON"
    )
    print(
        f"  json.loads {baseline:.3f} s, load_run {loading:.3f} s = {ratio:.2f}x json.loads "
        f"(Unpod file: {unpod_ratio:.2f}x; target <= {1.5 * unpod_ratio:.2f}x, within 1.5x of "
        f"Unpod's): {ratio / unpod_ratio:.2f}x Unpod's ratio"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
