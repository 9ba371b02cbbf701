"""unpod-analytics: conversation analytics for Unpod voice-agent runs.

Load a run (saved or fetched) into tidy tables, then ask it questions:

>>> import analytics as an
>>> run = an.load_run(an.datasets.make_run(30, random_state=0))
>>> sorted(run.describe().index)
['calls', 'problems', 'tasks', 'turns']
"""

from analytics import datasets, plots, schema
from analytics.client import UnpodClient, fetch_run
from analytics.conversation import conversation_features, feature_summary
from analytics.durations import duration_distribution, duration_summary
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
from analytics.features import ConversationFeatures, KeywordCounts, SpeakerText, call_table
from analytics.keywords import BUILTIN_LEXICONS, keyword_features, keyword_hit_rates
from analytics.load import Run, load_run
from analytics.outcomes import call_volume, compare_groups, connection_rates, outcome_rates
from analytics.quality import quality_checks
from analytics.report import build_report
from analytics.store import save_snapshot, save_tables

__version__ = "0.1.0"

__all__ = [
    "BUILTIN_LEXICONS",
    "ConversationFeatures",
    "KeywordCounts",
    "SpeakerText",
    "build_report",
    "call_table",
    "conversation_features",
    "keyword_features",
    "keyword_hit_rates",
    "AnalyticsError",
    "ApiConnectionError",
    "ApiError",
    "AuthenticationError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Run",
    "SchemaError",
    "ServerError",
    "UnpodClient",
    "call_volume",
    "compare_groups",
    "connection_rates",
    "datasets",
    "duration_distribution",
    "duration_summary",
    "feature_summary",
    "fetch_run",
    "load_run",
    "outcome_rates",
    "plots",
    "quality_checks",
    "save_snapshot",
    "save_tables",
    "schema",
]
