"""Paid at the desk: cash or bank transfer recorded by the desk with a receipt
number. There is nowhere to send the payer, so ``start_payment`` returns None."""
from __future__ import annotations

from builder import hookimpl
from builder.providers import PaymentRequest


class DeskGateway:
    name = "desk"
    label = "Nộp tại Bộ phận Một cửa"

    def check_config(self) -> list[str]:
        return []

    def start_payment(self, request: PaymentRequest) -> str | None:
        return None


@hookimpl
def register_payment_gateways(app):
    return [DeskGateway()]
