"""unpod-analytics: conversation analytics for Unpod voice-agent runs.

Load a run (saved or fetched) into tidy tables, then ask it questions:

>>> import analytics as an
>>> run = an.load_run(an.datasets.make_run(30, random_state=0))
>>> sorted(run.describe().index)
['calls', 'problems', 'tasks', 'turns']
"""

from analytics import datasets, schema
from analytics.errors import (
    AnalyticsError,
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SchemaError,
    ServerError,
)
from analytics.io import (
    SyncResult,
    UnpodClient,
    fetch_run,
    read_lexicons,
    read_outcome_map,
    save_snapshot,
    save_table,
    save_tables,
    sync_space,
    write_dataset,
)
from analytics.load import Dataset, Run, load_run, open_dataset
from analytics.review import REVIEW_SIGNALS, review_queue
from analytics.stats import (
    call_timing,
    call_volume,
    compare_groups,
    connection_rates,
    dial_rates,
    duration_distribution,
    duration_summary,
    end_reasons,
    funnel,
    outcome_rates,
    outcome_trend,
    quality_checks,
)
from analytics.stats.follow_ups import follow_ups
from analytics.text import (
    BUILTIN_LEXICONS,
    ConversationFeatures,
    KeywordCounts,
    SentimentFeatures,
    SpeakerText,
    call_features,
    call_table,
    conversation_features,
    feature_summary,
    keyword_features,
    keyword_hit_rates,
    sentiment_features,
)
from analytics.viz import build_report, plots

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_LEXICONS",
    "REVIEW_SIGNALS",
    "AnalyticsError",
    "ApiConnectionError",
    "ApiError",
    "AuthenticationError",
    "ConversationFeatures",
    "Dataset",
    "KeywordCounts",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Run",
    "SchemaError",
    "SentimentFeatures",
    "ServerError",
    "SpeakerText",
    "SyncResult",
    "UnpodClient",
    "build_report",
    "call_features",
    "call_table",
    "call_timing",
    "call_volume",
    "compare_groups",
    "connection_rates",
    "conversation_features",
    "datasets",
    "dial_rates",
    "duration_distribution",
    "duration_summary",
    "end_reasons",
    "feature_summary",
    "fetch_run",
    "follow_ups",
    "funnel",
    "keyword_features",
    "keyword_hit_rates",
    "load_run",
    "open_dataset",
    "outcome_rates",
    "outcome_trend",
    "plots",
    "quality_checks",
    "read_lexicons",
    "read_outcome_map",
    "review_queue",
    "save_snapshot",
    "save_table",
    "save_tables",
    "schema",
    "sentiment_features",
    "sync_space",
    "write_dataset",
]
