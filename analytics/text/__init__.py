"""What was said: conversation metrics, keyword trackers, and scikit-learn transformers."""

from analytics.text.conversation import conversation_features, feature_summary
from analytics.text.keywords import BUILTIN_LEXICONS, keyword_features, keyword_hit_rates
from analytics.text.tables import call_features, call_table
from analytics.text.transformers import ConversationFeatures, KeywordCounts, SpeakerText

__all__ = [
    "BUILTIN_LEXICONS",
    "ConversationFeatures",
    "KeywordCounts",
    "SpeakerText",
    "call_features",
    "call_table",
    "conversation_features",
    "feature_summary",
    "keyword_features",
    "keyword_hit_rates",
]
