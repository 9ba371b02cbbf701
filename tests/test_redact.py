"""Redaction: phone numbers, e-mails and contact names never reach a report."""

import pandas as pd
import pytest

from analytics.viz.redact import contact_names, redact_frame, redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on 9876543210", "call me on [phone]"),
        ("+91 98765 43210 works", "[phone] works"),
        ("US: +1 (415) 555-0100.", "US: [phone]."),
        ("mail asha.rao+x@example.co.in now", "mail [email] now"),
        ("at 2026-01-31 11:47:38 UTC", "at 2026-01-31 11:47:38 UTC"),
        ("3 calls, 45 s, 12.5%", "3 calls, 45 s, 12.5%"),
    ],
)
def test_redact_text_masks_phones_and_emails_but_not_dates_or_small_numbers(text, expected):
    assert redact_text(pd.Series([text]))[0] == expected


def test_names_are_masked_as_whole_words_only():
    text = pd.Series(["Hi Asha, this is Aria. Ashan? Asha Rao!"])
    assert redact_text(text, names=["Asha Rao", "Asha"])[0] == (
        "Hi [name], this is Aria. Ashan? [name]!"
    )


def test_contact_names_come_from_the_name_columns():
    tasks = pd.DataFrame(
        {
            "input_name": ["Asha Rao", "Li", None],
            "user_name": ["Ops User", None, None],
            "input_company_name": ["Acme", "Beta", None],
        }
    )
    assert contact_names(tasks) == ["Asha Rao", "Ops User", "Asha", "Li", "Ops", "Rao", "User"]


def test_contact_names_without_name_columns_is_empty():
    assert contact_names(pd.DataFrame({"task_id": ["T1"]})) == []


def test_redact_frame_masks_personal_columns_drops_recordings_and_keeps_numbers():
    frame = pd.DataFrame(
        {
            "task_id": ["T1", "T2"],
            "input_contact_number": ["9876543210", None],
            "user_email": ["ops@example.com", "x@y.io"],
            "summary": ["Asha asked for 2 brochures at asha@example.com", pd.NA],
            "recording_url": ["https://s/1.ogg", "https://s/2.ogg"],
            "duration_s": [33.0, 12.5],
        }
    ).astype({"summary": "str"})
    before = frame.copy()
    out = redact_frame(frame, names=["Asha"])
    assert list(out.columns) == [
        "task_id",
        "input_contact_number",
        "user_email",
        "summary",
        "duration_s",
    ]
    assert out["input_contact_number"].iloc[0] == "[redacted]"
    assert pd.isna(out["input_contact_number"].iloc[1])
    assert out["user_email"].tolist() == ["[redacted]", "[redacted]"]
    assert out["summary"].iloc[0] == "[name] asked for 2 brochures at [email]"
    assert pd.isna(out["summary"].iloc[1])
    assert out["duration_s"].tolist() == [33.0, 12.5]
    assert out["task_id"].tolist() == ["T1", "T2"]
    pd.testing.assert_frame_equal(frame, before)


def test_numbers_in_mixed_columns_are_not_mistaken_for_phone_numbers():
    frame = pd.DataFrame(
        {
            "metric": ["share", "gap"],
            "a1": [0.6199993420186867, 9.891234567],
            "note": [4.123456789, "call 9876543210"],
        }
    )
    out = redact_frame(frame)
    assert out["a1"].tolist() == [0.6199993420186867, 9.891234567]
    assert out["note"].tolist() == [4.123456789, "call [phone]"]
