"""Shared test plumbing: log levels reset after each test, the fake Unpod server, the sample run."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from _server import FakeUnpod

from analytics.datasets import SAMPLE_SEED, SAMPLE_SIZE, make_run
from analytics.load import Run, load_run


@pytest.fixture(autouse=True)
def _restore_log_levels():
    """cli.main() sets the root and urllib3 log levels; put them back after every test."""
    loggers = [logging.getLogger(), logging.getLogger("urllib3")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)


@pytest.fixture
def unpod_server() -> Iterator[FakeUnpod]:
    """A running :class:`~_server.FakeUnpod` on 127.0.0.1, stopped after the test."""
    server = FakeUnpod().start()
    yield server
    server.stop()


@pytest.fixture
def other_server() -> Iterator[FakeUnpod]:
    """A second :class:`~_server.FakeUnpod` (another port: another host), for redirects."""
    server = FakeUnpod().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sample_run() -> Run:
    """The bundled sample run (``analytics.datasets`` defaults), loaded once per test module."""
    return load_run(make_run(SAMPLE_SIZE, random_state=SAMPLE_SEED))
