"""The pandas and scikit-learn idioms users write first work on our tables as they are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import analytics as an


@pytest.fixture(scope="module")
def run():
    return an.load_run(an.datasets.make_run(300, random_state=0))


@pytest.fixture(scope="module")
def table(run):
    return an.call_table(run)


def test_text_comparison_is_a_plain_bool_label(table):
    label = table["outcome"] == "Interested"
    assert label.dtype == np.dtype(bool)
    assert table["outcome"].isna().any()  # calls without an outcome are in the table...
    assert not label[table["outcome"].isna()].any()  # ...and are simply not "Interested"
    assert label.sum() == (table["outcome"].dropna() == "Interested").sum()


def test_cross_val_score_takes_the_label_as_written(table):
    model = make_pipeline(
        an.ConversationFeatures(), SimpleImputer(), StandardScaler(), LogisticRegression()
    )
    scores = cross_val_score(model, table, table["outcome"] == "Interested", cv=3)
    assert scores.shape == (3,)
    assert np.isfinite(scores).all()


def test_grid_search_over_a_pipeline_with_conversation_features(table):
    model = make_pipeline(
        an.ConversationFeatures(), SimpleImputer(), StandardScaler(), LogisticRegression()
    )
    grid = {"conversationfeatures__backchannel_max_words": [1, 2]}
    search = GridSearchCV(model, grid, cv=3).fit(table, table["outcome"] == "Interested")
    assert search.best_params_["conversationfeatures__backchannel_max_words"] in (1, 2)


def test_get_dummies_of_a_text_column(run):
    dummies = pd.get_dummies(run.calls["call_type"])
    assert set(dummies.columns) <= {"inbound", "outbound"}
    assert dummies.dtypes.eq(np.dtype(bool)).all()
    known = run.calls["call_type"].notna()
    assert dummies[known.to_numpy()].sum(axis=1).eq(1).all()


def test_groupby_agg_over_text_groups(run):
    calls = run.calls
    agg = calls.groupby("assignee").agg(
        calls=("task_id", "size"), interested=("outcome", lambda s: (s == "Interested").sum())
    )
    assert agg["calls"].sum() == calls["assignee"].notna().sum()
    assert agg["interested"].sum() == (calls["outcome"] == "Interested").sum()


@pytest.mark.parametrize("name", ["tasks", "calls", "turns", "problems"])
def test_parquet_round_trip_keeps_values_and_dtypes(run, tmp_path, name):
    frame = getattr(run, name)
    frame.to_parquet(tmp_path / f"{name}.parquet")
    back = pd.read_parquet(tmp_path / f"{name}.parquet")
    pd.testing.assert_frame_equal(back, frame)
