"""What people look at: figures, the HTML report, and the redaction of personal data in it."""

from analytics.viz import plots
from analytics.viz.redact import redact_frame, redact_text
from analytics.viz.report import build_report

__all__ = ["build_report", "plots", "redact_frame", "redact_text"]
