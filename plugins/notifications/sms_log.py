"""SMS notifications, with a logging implementation: the SMS channel as a
vendor's SMS gateway plugin would offer it, writing each message to the log
(and keeping the last ones in memory for the admin and the tests) instead of
handing it to a carrier.

The text is the notification's short form. Brandname SMS in Vietnam are sent
without diacritics: one accented letter makes the whole message UCS-2, 70
characters a segment instead of 160. So by default the text loses its
diacritics (đ becomes d) and is cut to fit in one segment.

Settings, in ``PLUGINS["sms_log"]`` (all optional):

``sender``
    the brandname shown as the sender (at most 11 letters and digits), default ``MOTCUA``.
``unaccented``
    ``true`` (default) to send Vietnamese without diacritics.
``max_segments``
    how many segments a message may take (default 1).
"""
from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass

from flask_babel import gettext as _

from builder import hookimpl
from builder.plugins import plugin_settings
from builder.providers.notification import CHANNEL_SMS, Notification, fit_sms, unaccented

log = logging.getLogger("motcua.notifications.sms")
PLUGIN = "sms_log"
_SENDER = re.compile(r"^[A-Za-z0-9 .-]{1,11}$")


@dataclass
class SentSMS:
    to: str
    sender: str
    text: str
    dossier_code: str | None


class LogSMS:
    name = "sms_log"
    label = "SMS (ghi nhật ký)"
    channel = CHANNEL_SMS

    def __init__(self, settings: dict, sent: deque) -> None:
        self.settings = settings
        self.sent = sent

    def check_config(self) -> list[str]:
        problems = []
        sender = self.settings.get("sender", "MOTCUA")
        if not isinstance(sender, str) or not _SENDER.match(sender):
            problems.append(_("%(key)s of %(plugin)s must be 1 to 11 letters or digits.",
                              key="sender", plugin=PLUGIN))
        segments = self.settings.get("max_segments", 1)
        if not isinstance(segments, int) or isinstance(segments, bool) or not 1 <= segments <= 5:
            problems.append(_("%(key)s of %(plugin)s must be a whole number from 1 to 5.",
                              key="max_segments", plugin=PLUGIN))
        if not isinstance(self.settings.get("unaccented", True), bool):
            problems.append(_("%(key)s of %(plugin)s must be true or false.",
                              key="unaccented", plugin=PLUGIN))
        return problems

    def text_of(self, notification: Notification) -> str:
        text = " ".join(notification.short_text.split())
        if self.settings.get("unaccented", True):
            text = unaccented(text)
        return fit_sms(text, self.settings.get("max_segments", 1))

    def send(self, notification: Notification) -> None:
        if not notification.to_phone:
            return
        message = SentSMS(to=notification.to_phone, sender=self.settings.get("sender", "MOTCUA"),
                          text=self.text_of(notification), dossier_code=notification.dossier_code)
        log.info("SMS from %s to %s: %s", message.sender, message.to, message.text)
        self.sent.append(message)


@hookimpl
def register_notifiers(app):
    sent = app.extensions.setdefault("motcua.sms_log", deque(maxlen=200))
    return [LogSMS(plugin_settings(PLUGIN, app), sent)]
