"""Payment gateways: start a payment, verify its callbacks, answer its notices."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import re
from typing import Any, Protocol, runtime_checkable

from builder.providers.base import Provider


@dataclass
class PaymentRequest:
    """What a gateway needs to start a payment for a dossier's fee."""

    payment_id: int
    dossier_code: str
    amount: int  # VND
    description: str
    return_url: str
    notify_url: str = ""  # where the gateway sends its server-to-server notice (the IPN)
    client_ip: str = "127.0.0.1"
    locale: str = "vn"
    # when the payment was opened (UTC); a gateway that must name the
    # transaction's time again (the national platform's QUERY) reads it here
    created_at: datetime | None = None

    @property
    def reference(self) -> str:
        """Our reference of the payment, which the gateway sends as its order
        reference and gives back as :attr:`CallbackResult.reference`."""
        return str(self.payment_id)


@dataclass
class CallbackResult:
    """What a gateway read from a callback (the browser's return, or its
    server-to-server notice). Nothing in it may be trusted unless
    ``valid_signature`` is true."""

    valid_signature: bool
    reference: str | None = None  # our PaymentRequest.reference
    amount: int | None = None  # VND; None when the callback's amount is unreadable
    paid: bool = False
    cancelled: bool = False  # by the payer; neither paid nor cancelled: failed
    pending: bool = False  # the gateway does not know the outcome yet (a query's answer)
    gateway_transaction: str | None = None  # the gateway's own transaction number
    raw: dict[str, Any] = field(default_factory=dict)


# How the host settled a server-to-server notice; a gateway turns each into
# its own answer (VNPay: RspCode 00, 02, 01, 04, 97, 99).
IPN_CONFIRMED = "confirmed"
IPN_ALREADY_CONFIRMED = "already_confirmed"
IPN_NOT_FOUND = "not_found"
IPN_INVALID_AMOUNT = "invalid_amount"
IPN_INVALID_SIGNATURE = "invalid_signature"
IPN_ERROR = "error"
IPN_OUTCOMES = (IPN_CONFIRMED, IPN_ALREADY_CONFIRMED, IPN_NOT_FOUND, IPN_INVALID_AMOUNT,
                IPN_INVALID_SIGNATURE, IPN_ERROR)


@dataclass
class Receipt:
    """An e-receipt (biên lai điện tử) the gateway issued for a paid payment."""

    content: bytes
    content_type: str = "application/pdf"


@runtime_checkable
class PaymentGateway(Provider, Protocol):
    def start_payment(self, request: PaymentRequest) -> str | None:
        """Return the URL to send the payer to, or None when the payment is
        made elsewhere (at the desk)."""

    def verify_callback(self, params: dict[str, Any]) -> CallbackResult:
        """Check the signature of a callback's parameters (its query string,
        form or JSON body, merged) and read them. Never raises on bad input:
        a callback that cannot be verified has ``valid_signature`` false."""

    def ipn_answer(self, outcome: str) -> tuple[str, int, str]:
        """The answer to a server-to-server notice, in the gateway's own format:
        ``(body, HTTP status, content type)`` for one of ``IPN_OUTCOMES``."""


@runtime_checkable
class QueryableGateway(PaymentGateway, Protocol):
    """A gateway the host can ask how a payment stands: a pending payment
    whose notice never came is settled by polling (``PAYMENT_POLL_SECONDS``)."""

    def query(self, request: PaymentRequest) -> CallbackResult:
        """Ask the gateway about the payment ``request`` started (the same
        request, rebuilt from the payment). A verified answer has
        ``valid_signature`` true and is settled exactly like a notice;
        ``pending`` true changes nothing. Raises when the gateway cannot be
        reached or answers nonsense."""


@runtime_checkable
class ReceiptIssuer(PaymentGateway, Protocol):
    """A gateway that issues e-receipts (biên lai điện tử) for paid payments."""

    def fetch_receipt(self, request: PaymentRequest) -> Receipt | None:
        """The receipt of a paid payment, or None when none is ready yet.
        Raises when the gateway cannot be reached."""


def whole_number(value: Any, negative: bool = False) -> int | None:
    """An amount or a result code read from a gateway's message: an integer,
    or its digits as text (query strings and some JSON carry numbers as
    text); None for anything else (a bool, a float, words, 19 digits or more)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if negative or value >= 0 else None
    pattern = r"-?[0-9]{1,18}" if negative else r"[0-9]{1,18}"
    if isinstance(value, str) and re.fullmatch(pattern, value):
        return int(value)
    return None
