"""What a text message will cost, and why: its encoding, length and number of texts.

GOV.UK Notify charges for each text (fragment) a message is split into; the price per text is
configuration (``FIELDAPP_SMS_FRAGMENT_PENCE``), given here in pence as a ``Decimal`` so that
sums are exact. Counting itself is ``core.templating.sms``: this module only explains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fieldapp.core.templating import sms

_PENNY = Decimal("0.01")
_POUND = Decimal(100)


@dataclass(frozen=True)
class SmsCharge:
    """How a merged text message is sent and what it costs, ready to show to its author."""

    encoding: str
    characters: int
    fragments: int
    single_limit: int
    fragment_limit: int
    cost_pence: Decimal
    forced_by: tuple[str, ...]

    @property
    def too_long(self) -> bool:
        """True when the message is over the 918-character limit and cannot be sent."""
        return self.characters > sms.SMS_CHAR_LIMIT


def charge(sent: str, pence_per_fragment: Decimal) -> SmsCharge:
    """Encoding, length, texts and cost of a message (``sent``: as merged for sending)."""
    counted = sms.count(sent)
    ucs2 = counted.encoding == "UCS-2"
    forced = tuple(dict.fromkeys(c for c in sms.normalise(sent) if c in sms.WELSH_NON_GSM))
    return SmsCharge(
        encoding=counted.encoding,
        characters=counted.characters,
        fragments=counted.fragments,
        single_limit=sms.UCS2_SINGLE_MAX if ucs2 else sms.GSM_SINGLE_MAX,
        fragment_limit=sms.UCS2_FRAGMENT if ucs2 else sms.GSM_FRAGMENT,
        cost_pence=counted.fragments * pence_per_fragment,
        forced_by=forced,
    )


def format_pence(amount: Decimal) -> str:
    """An amount in pence as people write it: "2.33p", "7p", "£1.40"."""
    rounded = amount.quantize(_PENNY, rounding=ROUND_HALF_UP)
    if rounded >= _POUND:
        return f"£{(rounded / _POUND).quantize(_PENNY, rounding=ROUND_HALF_UP)}"
    return f"{rounded.normalize():f}p"


def texts(fragments: int) -> str:
    """How many texts, in words: "1 text message", "3 text messages"."""
    return f"{fragments} text message" + ("" if fragments == 1 else "s")


def describe(found: SmsCharge) -> str:
    """One sentence: "Will be charged as 2 text messages: 4.66p plus VAT."."""
    return (
        f"Will be charged as {texts(found.fragments)}: {format_pence(found.cost_pence)} plus VAT."
    )


def describe_encoding(found: SmsCharge) -> str:
    """The encoding and what it means for the length of each text."""
    if found.encoding == "GSM-7":
        return (
            f"GSM-7: up to {found.single_limit} characters in one text, "
            f"{found.fragment_limit} in each text of a longer message."
        )
    because = ", ".join(found.forced_by)
    return (
        f"UCS-2 (because of {because}): up to {found.single_limit} characters in one text, "
        f"{found.fragment_limit} in each text of a longer message."
    )
