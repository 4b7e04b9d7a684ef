"""The small protocols a provider plugin implements. ``builder`` never imports
``plugins``: a plugin returns objects of these shapes from its ``register_*`` hooks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Provider(Protocol):
    """What every provider has: a unique name, a label and a configuration check."""

    name: str
    label: str

    def check_config(self) -> list[str]:
        """Return what is wrong with this provider's settings (empty when ready)."""


@dataclass
class PaymentRequest:
    """What a gateway needs to start a payment for a dossier's fee."""

    payment_id: int
    dossier_code: str
    amount: int  # VND
    description: str
    return_url: str
    client_ip: str = "127.0.0.1"
    locale: str = "vn"


@runtime_checkable
class PaymentGateway(Provider, Protocol):
    def start_payment(self, request: PaymentRequest) -> str | None:
        """Return the URL to send the payer to, or None when the payment is
        made elsewhere (at the desk)."""


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
