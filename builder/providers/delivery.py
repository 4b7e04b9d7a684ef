"""Postal carriers: create an order for a dossier or a result, follow its waybill.

Skeleton laid down with the hook specs; the delivery work fills in the order
and event shapes."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from builder.providers.base import Provider


@runtime_checkable
class Carrier(Provider, Protocol):
    def create_order(self, order):
        """Create the carrier's order; return what it answered (the waybill)."""

    def track(self, waybill: str):
        """Return the carrier's status events for a waybill (polling)."""
