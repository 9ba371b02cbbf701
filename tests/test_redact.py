"""Redaction: phone numbers, e-mails and contact names never reach a report."""

import itertools
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    # "Ops" and "User" alone are common words: only the full "Ops User" is a name (issue 11)
    assert contact_names(tasks) == ["Asha Rao", "Ops User", "Asha", "Li", "Rao"]


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


# --- issue 11: redaction errs toward masking ------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "98765\u00a043210",  # no-break space
        "98765\u200943210",  # thin space
        "98765\u202f43210",  # narrow no-break space
        "98765\u201343210",  # en dash
        "98765\u201443210",  # em dash
        "98765\u221243210",  # minus sign
        "98765\u201143210",  # non-breaking hyphen
        "98765 - 43210",
        "98765 \u2013 43210",
        "98765/43210",
        "987.654.3210",
        "(022) 2345 6789",
        "022/2345-6789",
        "+44 (0)20 7946 0958",
        "0044 20 7946 0958",
        "+91-98765-43210",
        "+91\u00a098765\u00a043210",
        "+1 (415) 555-0100",
        "+49 30 901820",
        "9876543210",
        "0-00-0000-000",  # a date's shape, then more digits
        "31/01/2026/5555",
    ],
)
def test_phones_with_any_common_separator_are_masked(phone):
    assert redact_text(pd.Series([f"ring {phone} today"]))[0] == "ring [phone] today"


@pytest.mark.parametrize(
    "text",
    [
        "on 2026-01-31, at 2026-01-31 11:47:38 UTC",
        "on 31/01/2026 and 2026/01/31 and 31.01.2026",
        "3 calls, 45 s, 12.5%, 1,234 tasks, 106 s",
        "rooms 12 and 14, a 1-2 score, 2 x 3",
        "call 675272289779974401 ended",  # 18 digits: an id, longer than any phone number
    ],
)
def test_dates_ids_and_small_numbers_are_not_phones(text):
    assert redact_text(pd.Series([text]))[0] == text


@pytest.mark.parametrize(
    "value", ["98765\u00a043210", "\u202f+91\u202f98765\u202f43210", "\t98765\u200943210"]
)
def test_phones_quoted_by_repr_are_masked(value):
    # a problem message quotes the value it could not read with repr, which spells a no-break
    # or thin space as \xa0 or \u2009
    text = f"unreadable duration {value!r}; left NA"
    assert redact_text(pd.Series([text]))[0] == "unreadable duration '[phone]'; left NA"


def test_a_phone_right_after_a_date_is_masked_and_the_date_kept():
    text = pd.Series(["2026-01-31 9876543210 called"])
    assert redact_text(text)[0] == "2026-01-31 [phone] called"


@pytest.mark.parametrize(
    "email",
    [
        '"john doe"@example.com',
        '"a@b"@example.com',
        "asha%rao@example.com",
        "o'brien@example.com",
        "a+b!#$&*=?^{|}~-_@example.com",
        "asha.rao@mail.corp.example.co.in",
        "asha@[192.168.0.1]",
        "asha@[IPv6:2001:db8::1]",
        "ASHA.RAO@EXAMPLE.COM",
        "josé.núñez@correo.es",
        "asha.rao@exam",  # cut short, as a problem message may have it
    ],
)
def test_whole_email_addresses_are_masked(email):
    assert redact_text(pd.Series([f"mail {email} now"]))[0] == "mail [email] now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("john said JOHN SMITH and John", "[name] said [name] and [name]"),
        ("ASHA RAO, asha rao, Asha", "[name], [name], [name]"),
        ("maría and MARIA and Maria", "[name] and [name] and [name]"),
        ("José, jose, Jose\u0301, JOSÉ", "[name], [name], [name], [name]"),
        ("Smithson met Johnny", "Smithson met Johnny"),
    ],
)
def test_names_are_masked_whatever_their_case_and_accents(text, expected):
    names = contact_names(pd.DataFrame({"input_name": ["John Smith", "Asha Rao", "María", "jose"]}))
    assert redact_text(pd.Series([text]), names=names)[0] == expected


def test_common_words_in_a_name_are_not_names_alone():
    tasks = pd.DataFrame({"user_name": ["Ops User"], "input_name": ["The Support Team"]})
    names = contact_names(tasks)
    assert names == ["The Support Team", "Ops User"]
    text = pd.Series(
        ["The user asked Ops User for support; the team agreed", "OPS  USER, ops-user"]
    )
    assert redact_text(text, names=names).tolist() == [
        "The user asked [name] for support; the team agreed",
        "[name], [name]",
    ]
    assert redact_text(pd.Series(["ops, user"]), names=names)[0] == "ops, user"


def test_names_inside_ids_and_words_are_left_alone():
    # hex ids hold letter runs such as "ada" and "deb"; a name is a whole word
    text = pd.Series(["T5ada9deb0e1 asked", "ada_deb, Ada2, Adalbert", "Ada, deb."])
    assert redact_text(text, names=["Ada Deb", "Ada", "Deb"]).tolist() == [
        "T5ada9deb0e1 asked",
        "ada_deb, Ada2, Adalbert",
        "[name], [name].",
    ]


def test_short_name_parts_are_not_names_alone():
    names = contact_names(pd.DataFrame({"input_name": ["Li Wei", "Al"]}))
    assert names == ["Li Wei", "Al", "Wei"]


@pytest.mark.parametrize("values", [[], [None], [None, None, None], ["", None, "  "]])
def test_empty_and_missing_text_stays_as_it_is(values):
    text = pd.Series(values, dtype="str")
    out = redact_text(text, names=["Asha Rao", "Mary Jane Smith"])
    pd.testing.assert_series_equal(out, text)


def test_vocabulary_columns_are_not_masked():
    # a contact named Mary Price: the lexicon "price" and the canonical outcomes stay words
    frame = pd.DataFrame(
        {"lexicon": ["price"], "outcome": ["Interested"], "summary": ["Price called back"]}
    ).astype("str")
    out = redact_frame(frame, names=["Mary Price", "Price", "Interested"])
    assert out.to_dict("records") == [
        {"lexicon": "price", "outcome": "Interested", "summary": "[name] called back"}
    ]


# --- the property: what is planted never comes out -------------------------------------------

SPACES = [" ", "\u00a0", "\u2009", "\u202f", "-", "\u2013", "\u2014", "\u2212", "\u2011", ".", "/"]
SPACED = [" - ", " \u2013 ", " / "]


@st.composite
def phones(draw) -> str:
    """A phone number as people write it: country forms, groups, any common separator."""
    sep = draw(st.sampled_from(SPACES + SPACED))
    digits = draw(st.text("0123456789", min_size=9, max_size=10))
    groups = draw(st.sampled_from([(5, 5), (3, 3, 4), (4, 3, 3), (2, 4, 4), (10,)]))
    cut = [0, *(sum(groups[: i + 1]) for i in range(len(groups)))]
    number = sep.join(digits[a:b] for a, b in itertools.pairwise(cut) if digits[a:b])
    country = draw(st.sampled_from(["", "+91", "+44 (0)", "0044", "+1 ", "(+91) ", "0"]))
    joint = "" if country.endswith((" ", ")")) or not country else draw(st.sampled_from(SPACES))
    return f"{country}{joint}{number}"


ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-"


@st.composite
def emails(draw) -> str:
    """An e-mail address: dot-atom or quoted local parts, subdomains, IP literals."""
    atom = st.text(ATEXT, min_size=1, max_size=8)
    local = draw(
        st.one_of(
            st.lists(atom, min_size=1, max_size=3).map(".".join),
            st.text("abc xyz.@,", min_size=1, max_size=10).map(lambda q: f'"{q}"'),
        )
    )
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=8)
    domain = draw(
        st.one_of(
            st.lists(label, min_size=2, max_size=4).map(".".join),
            st.just("[192.168.10.20]"),
            st.just("[IPv6:2001:db8::7]"),
        )
    )
    return f"{local}@{domain}"


WORDS = st.sampled_from(["call", "me", "at", "or", "mail", "now", "ok", "on", "said", "please"])


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=4), st.lists(WORDS, max_size=4), phones(), emails())
def test_planted_phones_and_emails_never_survive(before, after, phone, email):
    text = f"{' '.join(before)} {phone}, {email} {' '.join(after)}"
    out = redact_text(pd.Series([text]))[0]
    assert not re.search(r"\d", out), (text, out)  # every digit was the phone's or the e-mail's
    assert "@" not in out
    assert out.count("[phone]") + out.count("[email]") >= 2
