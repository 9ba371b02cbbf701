"""Statistics over the calls table: durations, outcome and connection rates, volume, quality,
and the campaign analyses (funnel and cost per outcome, outcome trend, call timing, end reasons)."""

from analytics.stats.activity import call_volume, connection_rates
from analytics.stats.campaign import call_timing, end_reasons, funnel, outcome_trend
from analytics.stats.durations import duration_distribution, duration_summary
from analytics.stats.outcomes import compare_groups, dial_rates, outcome_rates, wilson_interval
from analytics.stats.quality import quality_checks

__all__ = [
    "call_timing",
    "call_volume",
    "compare_groups",
    "connection_rates",
    "dial_rates",
    "duration_distribution",
    "duration_summary",
    "end_reasons",
    "funnel",
    "outcome_rates",
    "outcome_trend",
    "quality_checks",
    "wilson_interval",
]
