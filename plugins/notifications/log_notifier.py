"""A notifier that writes every notification to the log (and keeps the last
ones in memory for the admin and the tests). It stands in for SMS where no
SMS gateway is contracted; it needs no settings."""
from __future__ import annotations

import logging
from collections import deque

from builder import hookimpl
from builder.providers import Notification

log = logging.getLogger("motcua.notifications")


class LogNotifier:
    name = "log"
    label = "Nhật ký (log)"
    channel = "log"

    def __init__(self, keep: int = 200) -> None:
        self.sent: deque[Notification] = deque(maxlen=keep)

    def check_config(self) -> list[str]:
        return []

    def send(self, notification: Notification) -> None:
        log.info("to %s / %s: %s", notification.to_email, notification.to_phone, notification.subject)
        self.sent.append(notification)


@hookimpl
def register_notifiers(app):
    notifier = app.extensions.setdefault("motcua.log_notifier", LogNotifier())
    return [notifier]
