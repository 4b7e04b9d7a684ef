"""Jobs of payments. Each takes ids, reloads its state and is idempotent."""
from __future__ import annotations

from builder.process import payments


def fetch_receipt(payment_id: int) -> None:
    """The e-receipt of a payment that has just been paid, from its gateway."""
    payments.fetch_receipt(payment_id)
