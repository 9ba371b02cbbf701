"""Does caller sentiment tell Interested from Not Interested calls, and what does it cost?

On the bundled sample (``load_sample()``) and on ``make_run(N, random_state=1)`` (N = 2000
unless given), for the calls labelled Interested or Not Interested:

- the ROC AUC of each ``sentiment_features`` column on its own (Interested = positive class;
  0.5 is chance, below 0.5 the lower score goes with Interested), over the calls where it is
  not NA, with a percentile bootstrap 95% interval (1,000 resamples, seeded);
- the cross-validated ROC AUC (5 stratified folds, shuffled with a fixed seed) of a logistic
  regression on ``KeywordCounts``, on the four sentiment scores, on ``SentimentFeatures`` (the
  scores and the turn counts), on keywords plus either, and on ``ConversationFeatures +
  KeywordCounts`` with and without ``SentimentFeatures``;
- the time of ``sentiment_features`` against ``conversation_features`` on the same turns, and
  the part of it spent in VADER (``compound_scores`` of the agent/user texts), best of 5
  interleaved rounds; the VADER analyzer is built once before timing.

Prints the figures; ``docs/sentiment.md`` quotes them. Not part of the test run. With
``--time-only N``, prints only the timing on ``make_run(N, random_state=0)`` (e.g. 20000).

    .venv/bin/python benchmarks/bench_sentiment.py [N_TASKS]
    .venv/bin/python benchmarks/bench_sentiment.py --time-only 20000
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from analytics.datasets import load_sample, make_run
from analytics.load import load_run
from analytics.text.conversation import conversation_features
from analytics.text.sentiment import compound_scores, sentiment_features
from analytics.text.tables import call_table
from analytics.text.transformers import ConversationFeatures, KeywordCounts, SentimentFeatures

CLASSES = ("Interested", "Not Interested")
COLUMNS = (
    "caller_sentiment_start",
    "caller_sentiment_end",
    "caller_sentiment_change",
    "agent_sentiment_mean",
)


def bootstrap_auc(y: np.ndarray, score: np.ndarray, n: int = 1000) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of the AUC (resamples with one class dropped skipped)."""
    rng = np.random.default_rng(0)
    aucs = []
    for _ in range(n):
        pick = rng.integers(0, len(y), len(y))
        if 0 < y[pick].sum() < len(pick):
            aucs.append(roc_auc_score(y[pick], score[pick]))
    low, high = np.percentile(aucs, [2.5, 97.5])
    return float(low), float(high)


def single_aucs(run, table: pd.DataFrame, y: np.ndarray) -> None:
    features = sentiment_features(run.turns, calls=run.calls).set_index("task_id")
    features = features.reindex(table["task_id"])
    print("  one column, AUC [95% bootstrap]  (n Interested / Not Interested with a value)")
    for column in COLUMNS:
        values = features[column].to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(values)
        low, high = bootstrap_auc(y[known], values[known])
        auc = roc_auc_score(y[known], values[known])
        pos, neg = int(y[known].sum()), int((~y[known]).sum())
        print(f"    {column:<26} {auc:.3f} [{low:.3f}, {high:.3f}]  ({pos} / {neg})")


def cv_aucs(table: pd.DataFrame, y: np.ndarray) -> None:
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    scores_only = list(COLUMNS)  # the four scores, without the turn counts
    sets = {
        "KeywordCounts": [KeywordCounts()],
        "sentiment scores (4 columns)": [SentimentFeatures(features=scores_only)],
        "SentimentFeatures (scores + turn counts)": [SentimentFeatures()],
        "KeywordCounts + sentiment scores": [
            KeywordCounts(),
            SentimentFeatures(features=scores_only),
        ],
        "KeywordCounts + SentimentFeatures": [KeywordCounts(), SentimentFeatures()],
        "Conversation + Keywords": [ConversationFeatures(), KeywordCounts()],
        "Conversation + Keywords + SentimentFeatures": [
            ConversationFeatures(),
            KeywordCounts(),
            SentimentFeatures(),
        ],
    }
    print("  logistic regression, 5-fold CV ROC AUC: mean (fold min - max)")
    for label, transformers in sets.items():
        model = make_pipeline(
            make_union(*transformers),
            SimpleImputer(),
            StandardScaler(),
            LogisticRegression(max_iter=5000),
        )
        scores = cross_val_score(model, table, y, cv=folds, scoring="roc_auc")
        print(f"    {label:<44} {scores.mean():.3f} ({scores.min():.3f} - {scores.max():.3f})")


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timing(run) -> None:
    turns, calls = run.turns, run.calls
    spoken = turns.loc[turns["speaker"].isin(["agent", "user"]), "text"]
    compound_scores(pd.Series(["warm up"]))  # builds the analyzer (reads the lexicon) once
    rounds = [
        {
            "conversation": timed(lambda: conversation_features(turns, calls=calls)),
            "sentiment": timed(lambda: sentiment_features(turns, calls=calls)),
            "scoring": timed(lambda: compound_scores(spoken)),
        }
        for _ in range(5)
    ]
    best = {name: min(r[name] for r in rounds) for name in rounds[0]}
    distinct = spoken.nunique()
    print(
        f"  time: conversation_features {best['conversation']:.3f} s, sentiment_features "
        f"{best['sentiment']:.3f} s = {best['sentiment'] / best['conversation']:.2f}x; "
        f"of which VADER on the {distinct:,} distinct texts of {len(spoken):,} agent/user turns "
        f"{best['scoring']:.3f} s ({best['scoring'] / distinct * 1e6:.0f} us a text)"
    )


def evaluate(name: str, run) -> None:
    table = call_table(run)
    table = table[table["outcome"].isin(CLASSES).fillna(False).to_numpy(dtype=bool)]
    y = table["outcome"].eq("Interested").to_numpy(dtype=bool)
    print(
        f"{name}: {len(run.calls):,} calls, {len(run.turns):,} turns; "
        f"{int(y.sum())} Interested vs {int((~y).sum())} Not Interested"
    )
    single_aucs(run, table, y)
    cv_aucs(table, y)
    timing(run)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--time-only"]:
        n_tasks = int(argv[1])
        run = load_run(make_run(n_tasks, random_state=0))
        print(f"make_run({n_tasks}, random_state=0): {len(run.calls):,} calls")
        timing(run)
        return
    n_tasks = int(argv[0]) if argv else 2000
    evaluate("bundled sample (load_sample())", load_sample())
    evaluate(f"make_run({n_tasks}, random_state=1)", load_run(make_run(n_tasks, random_state=1)))


if __name__ == "__main__":
    main(sys.argv[1:])
