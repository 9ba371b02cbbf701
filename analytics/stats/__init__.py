"""Statistics over the calls table: durations, outcome and connection rates, volume, quality."""

from analytics.stats.activity import call_volume, connection_rates
from analytics.stats.durations import duration_distribution, duration_summary
from analytics.stats.outcomes import compare_groups, dial_rates, outcome_rates, wilson_interval
from analytics.stats.quality import quality_checks

__all__ = [
    "call_volume",
    "compare_groups",
    "connection_rates",
    "dial_rates",
    "duration_distribution",
    "duration_summary",
    "outcome_rates",
    "quality_checks",
    "wilson_interval",
]
