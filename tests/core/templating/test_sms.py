"""Text-message counting agrees with GOV.UK Notify's published rules and test cases."""

from __future__ import annotations

import pytest

from fieldapp.core.templating.sms import (
    SMS_CHAR_LIMIT,
    WELSH_NON_GSM,
    SmsCount,
    count,
    normalise,
)

# (text, encoding, characters, fragments). Cases marked "Notify" are from notifications-utils'
# tests/test_template_types.py; the rest follow its rules (notify.md s.2, victims-code.md s.4).
COUNTS = [
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("a" * 459, "GSM-7", 459, 3),
    ("a" * 460, "GSM-7", 460, 4),
    ("a" * 158 + "|", "GSM-7", 159, 1),  # Notify: extension characters count twice
    ("a" * 159 + "|", "GSM-7", 160, 2),  # Notify
    ("a" * 304 + "[", "GSM-7", 305, 2),  # Notify
    ("a" * 304 + "[]", "GSM-7", 306, 3),  # Notify
    ("^" * 80, "GSM-7", 80, 1),
    ("^" * 81, "GSM-7", 81, 2),  # Notify
    ("€" * 80, "GSM-7", 80, 1),
    ("€" * 81, "GSM-7", 81, 2),
    ("{}\\[~]|^€", "GSM-7", 9, 1),
    ("â" * 70, "UCS-2", 70, 1),
    ("â" * 71, "UCS-2", 71, 2),
    ("â" * 70 + "{", "UCS-2", 71, 2),
    ("â" * 132 + "{", "UCS-2", 133, 2),  # Notify: extension counts twice even in UCS-2
    ("â" * 133 + "}", "UCS-2", 134, 3),  # Notify
    ("ÿ" * 134, "UCS-2", 134, 2),  # Notify
    ("ÿ" * 135, "UCS-2", 135, 3),  # Notify
    ("ÿ" * 402, "UCS-2", 402, 6),  # Notify
    ("ÿ" * 403, "UCS-2", 403, 7),  # Notify
    ("à" * 71, "GSM-7", 71, 1),  # Notify: a Welsh letter that is in GSM
    ("à" * 918, "GSM-7", 918, 6),  # Notify
    ("à" * 919, "GSM-7", 919, 7),  # Notify
    ("à" * 70 + "ÿ", "UCS-2", 71, 2),  # Notify: one non-GSM Welsh letter makes it all UCS-2
    ("🚀" * 160, "GSM-7", 160, 1),  # Notify: emoji become "?", so stay GSM
    ("深", "GSM-7", 1, 1),  # Notify: unsupported characters become "?"
    ("Ŵ", "UCS-2", 1, 1),  # Notify
    ("'First line.\n", "GSM-7", 12, 1),  # Notify: surrounding whitespace is not sent
    ("  G      D       S  ", "GSM-7", 5, 1),  # Notify: becomes "G D S"
    ("P1 \n\n\n\n\n\n P2", "GSM-7", 6, 1),  # Notify: becomes "P1\n\nP2"
    ("Mae\u2019r “swyddog” \u2013 yma…", "GSM-7", 24, 1),  # typography downgraded, ellipsis is 3
]


@pytest.mark.parametrize(("text", "encoding", "characters", "fragments"), COUNTS)
def test_count_matches_notify(text: str, encoding: str, characters: int, fragments: int) -> None:
    counted = count(text)
    assert (counted.encoding, counted.characters, counted.fragments) == (
        encoding,
        characters,
        fragments,
    )


@pytest.mark.parametrize("letter", list("ŵŷâêîôûŴŶÂÊÎÔÛáíóúẃýëïÿẁỳ"))
def test_welsh_letters_outside_gsm_are_kept_and_force_ucs2(letter: str) -> None:
    assert normalise(f"Diolch {letter}") == f"Diolch {letter}"
    assert count(f"Diolch {letter}").encoding == "UCS-2"


@pytest.mark.parametrize("letter", list("ÄÉÖÜàäéèìòöùüÑñÅåÇØøÆæß"))
def test_accented_letters_in_gsm_stay_gsm(letter: str) -> None:
    assert normalise(f"Diolch {letter}") == f"Diolch {letter}"
    assert count(f"Diolch {letter}") == SmsCount("GSM-7", 8, 1, ())


def test_welsh_non_gsm_set_is_the_accented_vowels_gsm_lacks() -> None:
    assert {"ŵ", "ŷ", "â", "ê", "î", "ô", "û", "ÿ", "Ẁ"} <= WELSH_NON_GSM
    assert not {"à", "ä", "é", "è", "ì", "ò", "ö", "ù", "ü", "Ä", "É", "Ö", "Ü"} & WELSH_NON_GSM
    assert len(WELSH_NON_GSM) == 43


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("\u2018quoted\u2019 “twice”", "'quoted' \"twice\""),
        ("a \u2013 b \u2014 c \u2212 d \u2011e", "a - b - c - d -e"),
        ("Wait…", "Wait..."),
        ("gov\u200b.uk\u2060 and\ufeff more\u200d", "gov.uk and more"),
        ("tab\there\u00a0and\u202fnarrow", "tab here and narrow"),
        ("Zoë Ç ç õ ő Ą ł Ł", "Zoë Ç c o o A l L"),
        ("ệ", "e"),  # an accented letter whose base is itself accented
        ("Hi 😀 and 深 and ™", "Hi ? and ? and ?"),
        ("Call us , today .", "Call us, today."),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
    ],
)
def test_normalise_downgrades_like_notify(text: str, sent: str) -> None:
    assert normalise(text) == sent


@pytest.mark.parametrize("text", ["Wait …", "a\u00a0.", "x\t,y", "“a” \u2013 ł 😀\n\n\n\nb ."])
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


def test_replaced_lists_characters_whose_meaning_may_change_once_in_order() -> None:
    # ó is Welsh and é is GSM, so both are sent as they are.
    assert count("Łódź 😀 ł 😀 é").replaced == ("Ł", "ź", "😀", "ł")


def test_typography_and_whitespace_are_not_reported_as_replaced() -> None:
    assert count("\u2018a\u2019 “b” \u2013 … \u200b\t\u00a0c").replaced == ()


def test_limit_is_918_characters_as_notify_checks_it() -> None:
    assert SMS_CHAR_LIMIT == 918
    assert not count("b" * 918).too_long
    assert count("b" * 919).too_long


def test_limit_counts_extension_characters_once_like_notify() -> None:
    counted = count("|" * 918)
    assert (counted.characters, counted.fragments, counted.too_long) == (918, 12, False)


def test_character_count_is_of_the_sent_text() -> None:
    # Whitespace Notify drops is not counted, and downgrades are counted as sent.
    assert count("  a\u200b…  ").characters == 4


def test_empty_message_counts_as_one_fragment_like_notify() -> None:
    assert count("") == SmsCount("GSM-7", 0, 1, ())
