"""The Dask side of unpod-analytics: the only package that imports Dask.

``Dataset.to_dask()`` gives a :class:`DaskRun`; the public analyses of the library accept its
frames (they dispatch here, see :func:`analytics._shared.dask_aware`) and return what they
return on pandas. Needs the ``dask`` extra: ``pip install 'unpod-analytics[dask]'``.
"""

from analytics.distributed.analyses import (
    call_timing,
    call_volume,
    compare_groups,
    connection_rates,
    conversation_features,
    dial_rates,
    duration_distribution,
    duration_summary,
    end_reasons,
    feature_summary,
    follow_ups,
    funnel,
    keyword_features,
    keyword_hit_rates,
    outcome_rates,
    outcome_trend,
    quality_checks,
    review_queue,
    sentiment_features,
)
from analytics.distributed.engine import dask_client
from analytics.distributed.frames import DaskRun, to_dask

__all__ = [
    "DaskRun",
    "call_timing",
    "call_volume",
    "compare_groups",
    "connection_rates",
    "conversation_features",
    "dask_client",
    "dial_rates",
    "duration_distribution",
    "duration_summary",
    "end_reasons",
    "feature_summary",
    "follow_ups",
    "funnel",
    "keyword_features",
    "keyword_hit_rates",
    "outcome_rates",
    "outcome_trend",
    "quality_checks",
    "review_queue",
    "sentiment_features",
    "to_dask",
]
