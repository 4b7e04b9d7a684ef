"""Paid at the desk: cash or bank transfer recorded by the desk with a receipt
number. There is nowhere to send the payer, so ``start_payment`` returns None,
and no gateway calls back: every callback is refused."""
from __future__ import annotations

import json
from typing import Any

from builder import hookimpl
from builder.providers import IPN_ALREADY_CONFIRMED, IPN_CONFIRMED, CallbackResult, PaymentRequest


class DeskGateway:
    name = "desk"
    label = "Nộp tại Bộ phận Một cửa"

    def check_config(self) -> list[str]:
        return []

    def start_payment(self, request: PaymentRequest) -> str | None:
        return None

    def verify_callback(self, params: dict[str, Any]) -> CallbackResult:
        return CallbackResult(valid_signature=False, raw=dict(params))

    def ipn_answer(self, outcome: str) -> tuple[str, int, str]:
        status = 200 if outcome in (IPN_CONFIRMED, IPN_ALREADY_CONFIRMED) else 400
        return json.dumps({"outcome": outcome}), status, "application/json"


@hookimpl
def register_payment_gateways(app):
    return [DeskGateway()]
