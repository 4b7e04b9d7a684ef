"""Postal carriers (bưu chính công ích): create an order for a dossier sent by
post or for a result posted to the applicant, follow its waybill by polling,
and read the carrier's signed status callbacks.

The host (builder/delivery.py) keeps one order per dossier and direction,
creates it in a job (a retry sends the same order number, so a carrier that
already took it answers with the same waybill), and records the events a
carrier reports, never letting an older event overwrite a newer state."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Protocol, runtime_checkable

from builder.providers.base import Provider

TO_AGENCY = "to_agency"  # a paper dossier the applicant sends by post
TO_APPLICANT = "to_applicant"  # the result posted to the applicant
DIRECTIONS = (TO_AGENCY, TO_APPLICANT)

# The states a carrier reports, in the order a parcel goes through them; a
# later state wins over an earlier one reported for the same instant.
ACCEPTED = "accepted"
IN_TRANSIT = "in_transit"
DELIVERED = "delivered"
RETURNED = "returned"
CANCELLED = "cancelled"
EVENT_STATUSES = (ACCEPTED, IN_TRANSIT, DELIVERED, RETURNED, CANCELLED)
FINAL_STATUSES = frozenset({DELIVERED, RETURNED, CANCELLED})


@dataclass
class Party:
    """A sender or a receiver. Province and commune codes are the statistics
    office's (2 and 5 digits, builder/forms/addresses.py)."""

    name: str
    address: str  # house number, street, hamlet
    phone: str | None = None
    email: str | None = None
    province_code: str | None = None
    commune_code: str | None = None


@dataclass
class ShippingOrder:
    """What a carrier needs to take a parcel. ``order_number`` is the
    dossier's code (with ``-HS`` for a dossier sent to the agency), unique per
    customer: the carrier's idempotency key."""

    customer_code: str
    order_number: str
    dossier_code: str
    direction: str  # one of DIRECTIONS
    sender: Party
    receiver: Party
    description: str
    cod_amount: int = 0  # VND the carrier collects from the receiver


@dataclass
class OrderReceipt:
    """The carrier's answer to an order."""

    waybill: str
    carrier_order_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrackingEvent:
    """One state of a parcel, as the carrier reports it."""

    waybill: str
    status: str  # one of EVENT_STATUSES
    at: datetime  # aware
    note: str | None = None
    carrier_code: str | None = None  # the carrier's own status code
    order_number: str | None = None


@dataclass
class DeliveryCallback:
    """What a carrier read from a status callback. Nothing in it may be
    trusted unless ``valid_signature`` is true; ``malformed`` says the body
    could not be read at all."""

    valid_signature: bool
    events: list[TrackingEvent] = field(default_factory=list)
    malformed: bool = False


class CarrierUnavailable(Exception):
    """The carrier's service could not be reached or refused the request; the
    job that asked retries later."""


@runtime_checkable
class Carrier(Provider, Protocol):
    def create_order(self, order: ShippingOrder) -> OrderReceipt:
        """Create the carrier's order and return its waybill, or raise
        :class:`CarrierUnavailable`. Sending the same ``order_number`` again
        must not make a second parcel."""

    def track(self, waybill: str) -> list[TrackingEvent]:
        """The parcel's events the carrier reports now (polling); raise
        :class:`CarrierUnavailable` when it cannot say."""

    def verify_callback(self, headers: Mapping[str, str], body: bytes) -> DeliveryCallback:
        """Check a status callback's signature and read its events. Never
        raises on bad input."""
