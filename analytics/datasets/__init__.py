"""Synthetic runs with the platform's real shapes, and the run bundled with the package.

:func:`make_run` builds a response-shaped dict of any size; :func:`load_sample` loads the bundled
400-task sample that :func:`write_sample` regenerates.
"""

from analytics.datasets.synthetic import (
    ASSIGNEE_PROFILES,
    MESSY_VARIANTS,
    PHRASE_RATES,
    PHRASES,
    SAMPLE_SEED,
    SAMPLE_SIZE,
    SCENARIOS,
    load_sample,
    make_run,
    write_sample,
)

__all__ = [
    "ASSIGNEE_PROFILES",
    "MESSY_VARIANTS",
    "PHRASES",
    "PHRASE_RATES",
    "SAMPLE_SEED",
    "SAMPLE_SIZE",
    "SCENARIOS",
    "load_sample",
    "make_run",
    "write_sample",
]
