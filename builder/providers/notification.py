"""Notifiers: e-mail, SMS, chat. Every configured notifier is told of each status change.

Besides the protocol, the helpers an SMS notifier needs: Vietnamese without
diacritics (what brandname SMS carry, since a single accented letter turns a
160-character GSM message into a 70-character UCS-2 one) and the count of
segments a text takes."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from builder.providers.base import Provider

# Channels the host knows how to address: an e-mail notifier is asked only
# when the applicant has an e-mail address, an SMS one only with a phone.
CHANNEL_EMAIL = "email"
CHANNEL_SMS = "sms"


@dataclass
class Notification:
    """A message to one applicant, in their language. ``body`` is the full
    text (e-mail); ``short`` the same news in a line or two (SMS), ``url``
    the page where the applicant follows the dossier."""

    to_email: str | None
    to_phone: str | None
    subject: str
    body: str
    dossier_code: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    short: str | None = None
    url: str | None = None

    @property
    def short_text(self) -> str:
        return self.short or self.subject


@runtime_checkable
class Notifier(Provider, Protocol):
    channel: str  # "email", "sms", ...

    def send(self, notification: Notification) -> None:
        """Deliver the notification or raise; the job retries on failure."""


# --- SMS text -------------------------------------------------------------------

# GSM 03.38: the basic character set (one septet each) and the extension
# table (an escape and a septet: two each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
# letters a combining mark cannot strip
_PLAIN = str.maketrans({"đ": "d", "Đ": "D", "–": "-", "—": "-", "‘": "'", "’": "'",
                        "“": '"', "”": '"', "…": "...", "\u00a0": " "})


def unaccented(text: str) -> str:
    """Vietnamese without diacritics: 'Hồ sơ đã được tiếp nhận' → 'Ho so da duoc tiep nhan'.
    Tone and vowel marks go (NFD, combining marks dropped), đ becomes d, and
    typographic punctuation its ASCII form."""
    decomposed = unicodedata.normalize("NFD", text.translate(_PLAIN))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def sms_units(text: str) -> tuple[int, str]:
    """How many units ``text`` takes and in which encoding: GSM-7 septets
    (extension characters count two) or UCS-2 code units."""
    if is_gsm7(text):
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text), "gsm7"
    return len(text.encode("utf-16-le")) // 2, "ucs2"


def sms_segments(text: str) -> int:
    """The number of SMS a text is sent as: one up to 160 GSM-7 septets (70
    UCS-2 units), then 153 (67) per segment of a concatenated message."""
    units, encoding = sms_units(text)
    single, part = (160, 153) if encoding == "gsm7" else (70, 67)
    if units <= single:
        return 1
    return -(-units // part)


def fit_sms(text: str, max_segments: int = 1) -> str:
    """``text`` cut (at a word, with '...') to fit in ``max_segments`` SMS."""
    if sms_segments(text) <= max_segments:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(" ,.;:") + "..."
        if sms_segments(candidate) <= max_segments:
            return candidate
    cut = text  # one word longer than the limit
    while cut and sms_segments(cut + "...") > max_segments:
        cut = cut[:-1]
    return cut + "..."
