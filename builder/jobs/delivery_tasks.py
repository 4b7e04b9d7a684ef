"""The postal delivery jobs (builder/delivery.py). Each takes ids and is idempotent."""
from __future__ import annotations

from builder.delivery import place_order


def place_delivery_order(order_id: int) -> None:
    """Send a recorded postal order to its carrier and keep its waybill; a
    failure raises, so the job retries (the same order number each time)."""
    place_order(order_id)
