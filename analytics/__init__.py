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
    save_snapshot,
    save_table,
    save_tables,
    sync_space,
    write_dataset,
)
from analytics.load import Dataset, Run, load_run, open_dataset
from analytics.stats import (
    call_volume,
    compare_groups,
    connection_rates,
    dial_rates,
    duration_distribution,
    duration_summary,
    outcome_rates,
    quality_checks,
)
from analytics.text import (
    BUILTIN_LEXICONS,
    ConversationFeatures,
    KeywordCounts,
    SpeakerText,
    call_features,
    call_table,
    conversation_features,
    feature_summary,
    keyword_features,
    keyword_hit_rates,
)
from analytics.viz import build_report, plots

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_LEXICONS",
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
    "ServerError",
    "SpeakerText",
    "SyncResult",
    "UnpodClient",
    "build_report",
    "call_features",
    "call_table",
    "call_volume",
    "compare_groups",
    "connection_rates",
    "conversation_features",
    "datasets",
    "dial_rates",
    "duration_distribution",
    "duration_summary",
    "feature_summary",
    "fetch_run",
    "keyword_features",
    "keyword_hit_rates",
    "load_run",
    "open_dataset",
    "outcome_rates",
    "plots",
    "quality_checks",
    "save_snapshot",
    "save_table",
    "save_tables",
    "schema",
    "sync_space",
    "write_dataset",
]
