"""How fast are the per-call features compared with parsing the run's JSON?

Generates a 20,000-task run, serialises it once and loads it once, then in the same process
times (best of 3) ``json.loads`` of those bytes (the baseline), ``conversation_features`` over
all turns (target: at most 1x the baseline), ``keyword_features`` with the built-in lexicons,
and the scikit-learn path (``call_table`` once, then ``ConversationFeatures`` and
``KeywordCounts`` on that table). Prints the figures and ratios; the README quotes them. Not
part of the test run.

    .venv/bin/python benchmarks/bench_features.py [N_TASKS]
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable

from analytics.conversation import conversation_features
from analytics.datasets import make_run
from analytics.features import ConversationFeatures, KeywordCounts, call_table
from analytics.keywords import BUILTIN_LEXICONS, keyword_features
from analytics.load import load_run


def best_of(n: int, fn: Callable, *args, **kwargs) -> float:
    times = []
    for _ in range(n):
        gc.collect()
        start = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times)


def line(label: str, seconds: float, baseline: float, turns: int, note: str = "") -> None:
    print(
        f"{label:<38} {seconds:7.3f} s = {seconds / baseline:5.2f}x json.loads; "
        f"{turns / seconds:>12,.0f} turns/s{note}"
    )


def main(n_tasks: int = 20_000) -> None:
    raw = json.dumps(make_run(n_tasks, random_state=0)).encode()
    run = load_run(raw)
    turns, calls = run.turns, run.calls
    n = len(turns)
    print(
        f"run: {len(run.tasks):,} tasks, {len(calls):,} calls, {n:,} turns; "
        f"{len(raw) / 1e6:.1f} MB of JSON"
    )
    baseline = best_of(3, json.loads, raw)
    print(f"{'json.loads (baseline)':<38} {baseline:7.3f} s")
    talk = best_of(3, conversation_features, turns, calls=calls)
    line("conversation_features(turns, calls=)", talk, baseline, n, "  (target <= 1x)")
    words = best_of(3, keyword_features, turns, calls=calls)
    line(f"keyword_features ({len(BUILTIN_LEXICONS)} lexicons)", words, baseline, n)
    table_time = best_of(3, call_table, run)
    line("call_table(run)", table_time, baseline, n)
    table = call_table(run)
    line(
        "ConversationFeatures().fit_transform",
        best_of(3, _fit, ConversationFeatures(), table),
        baseline,
        n,
    )
    line("KeywordCounts().fit_transform", best_of(3, _fit, KeywordCounts(), table), baseline, n)


def _fit(transformer, table) -> None:
    transformer.fit_transform(table)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
