"""Notifiers: e-mail, SMS, chat. Every configured notifier is told of each status change."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from builder.providers.base import Provider


@dataclass
class Notification:
    """A message to one applicant, in their language."""

    to_email: str | None
    to_phone: str | None
    subject: str
    body: str
    dossier_code: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Notifier(Provider, Protocol):
    channel: str  # "email", "sms", ...

    def send(self, notification: Notification) -> None:
        """Deliver the notification or raise; the job retries on failure."""
