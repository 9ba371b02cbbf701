"""What was said: conversation metrics, keyword trackers, sentiment, scikit-learn transformers."""

from analytics.text.conversation import conversation_features, feature_summary
from analytics.text.keywords import BUILTIN_LEXICONS, keyword_features, keyword_hit_rates
from analytics.text.sentiment import compound_scores, sentiment_features
from analytics.text.tables import call_features, call_table
from analytics.text.transformers import (
    ConversationFeatures,
    KeywordCounts,
    SentimentFeatures,
    SpeakerText,
)

__all__ = [
    "BUILTIN_LEXICONS",
    "ConversationFeatures",
    "KeywordCounts",
    "SentimentFeatures",
    "SpeakerText",
    "call_features",
    "call_table",
    "compound_scores",
    "conversation_features",
    "feature_summary",
    "keyword_features",
    "keyword_hit_rates",
    "sentiment_features",
]
