"""Shared test plumbing."""

import logging

import pytest


@pytest.fixture(autouse=True)
def _restore_log_levels():
    """cli.main() sets the root and urllib3 log levels; put them back after every test."""
    loggers = [logging.getLogger(), logging.getLogger("urllib3")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)
