"""The platform's words in an error answer, quoted within bounds whatever the body holds."""

from __future__ import annotations

from analytics.errors import MAX_QUOTED, answer_message


def test_a_huge_errors_list_is_quoted_short():
    body = {
        "message": "Runs Fetch Failed",
        "errors": [{"row": i, "why": "x" * 50} for i in range(10**5)],
    }
    text = answer_message(body)
    assert text is not None
    assert text.startswith("Runs Fetch Failed; [{'row': 0")
    assert len(text) <= len("Runs Fetch Failed; ") + MAX_QUOTED


def test_a_self_nesting_body_does_not_recurse_forever():
    errors: list[object] = []
    errors.append(errors)
    assert answer_message({"errors": errors}) == "[[[[...]]]]"


def test_plain_text_is_kept_whole_up_to_the_limit():
    assert answer_message({"detail": "Invalid token."}) == "Invalid token."
    long = "y" * (MAX_QUOTED + 50)
    assert answer_message({"detail": long}) == "y" * (MAX_QUOTED - 3) + "..."
