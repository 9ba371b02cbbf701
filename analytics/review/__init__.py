"""Campaign triage: which calls a person should listen to first (:func:`review_queue`)."""

from analytics.review.queue import REVIEW_LEXICONS, REVIEW_SIGNALS, WEIGHTS, review_queue

__all__ = ["REVIEW_LEXICONS", "REVIEW_SIGNALS", "WEIGHTS", "review_queue"]
