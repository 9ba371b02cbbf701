"""How fast are the per-call features compared with parsing the run's JSON?

Generates a 20,000-task run, serialises it once and loads it once, then in the same process
times (best of 5 interleaved rounds) ``json.loads`` of those bytes (the baseline),
``conversation_features`` over all turns (target: at most 1x the baseline),
``keyword_features`` with the built-in lexicons, and the scikit-learn path (``call_table``
once, then ``ConversationFeatures``, ``KeywordCounts`` and ``SpeakerText`` on that table).
Prints the figures and ratios; the README quotes them. Not part of the test run.

    .venv/bin/python benchmarks/bench_features.py [N_TASKS]
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable

from analytics.datasets import make_run
from analytics.load import load_run
from analytics.text.conversation import conversation_features
from analytics.text.keywords import BUILTIN_LEXICONS, keyword_features
from analytics.text.tables import call_table
from analytics.text.transformers import ConversationFeatures, KeywordCounts, SpeakerText


def timed(fn: Callable, *args, **kwargs) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def best_of(rounds: int, calls: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best wall-clock time of each call over ``rounds`` rounds, the calls interleaved in
    every round so that a slow stretch of the machine hits all of them alike."""
    times = [{name: timed(call) for name, call in calls.items()} for _ in range(rounds)]
    return {name: min(t[name] for t in times) for name in calls}


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
    best = best_of(
        5,
        {
            "json.loads (baseline)": lambda: json.loads(raw),
            "conversation_features(turns, calls=)": lambda: conversation_features(
                turns, calls=calls
            ),
            f"keyword_features ({len(BUILTIN_LEXICONS)} lexicons)": lambda: keyword_features(
                turns, calls=calls
            ),
            "call_table(run)": lambda: call_table(run),
        },
    )
    report(best, n)
    table = call_table(run)  # from here on the call table is alive, as in a user's session
    print("with the call table in memory:")
    report(
        best_of(
            5,
            {
                "json.loads (baseline)": lambda: json.loads(raw),
                "ConversationFeatures().fit_transform": lambda: _fit(ConversationFeatures(), table),
                "KeywordCounts().fit_transform": lambda: _fit(KeywordCounts(), table),
                'SpeakerText("all").fit_transform': lambda: _fit(SpeakerText("all"), table),
            },
        ),
        n,
    )


def report(best: dict[str, float], n: int) -> None:
    baseline = best.pop("json.loads (baseline)")
    print(f"{'json.loads (baseline)':<38} {baseline:7.3f} s")
    for label, seconds in best.items():
        note = "  (target <= 1x)" if label.startswith("conversation_features") else ""
        line(label, seconds, baseline, n, note)


def _fit(transformer, table) -> None:
    transformer.fit_transform(table)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
