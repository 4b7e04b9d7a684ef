"""VNPay (payment API 2.1.0): the payer is sent to VNPay with a signed URL;
VNPay sends the browser back to the return URL and tells us the outcome by a
server-to-server notice (IPN), which alone changes the payment's state.

Settings, in ``PLUGINS["vnpay"]``:

``tmn_code``
    the merchant's terminal code (vnp_TmnCode).
``hash_secret``
    the secret of the HMAC-SHA512 signatures (vnp_HashSecret); keep it in the
    environment, e.g. ``MOTCUA_PLUGINS='{"vnpay": {...}}'``.
``payment_url``
    VNPay's payment page, e.g. ``https://sandbox.vnpayment.vn/paymentv2/vpcpay.html``.
``order_type`` (optional, ``other``), ``expire_minutes`` (optional, 15), ``bank_code`` (optional)
    vnp_OrderType, how long the payment link is valid, and vnp_BankCode to skip
    VNPay's choice of bank.

The IPN address to register with VNPay is ``<PUBLIC_URL>/payments/vnpay/ipn``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus

from flask_babel import gettext as _
from unidecode import unidecode

from builder import hookimpl
from builder.errors import PluginError
from builder.plugins import plugin_settings
from builder.providers import (
    IPN_ALREADY_CONFIRMED,
    IPN_CONFIRMED,
    IPN_ERROR,
    IPN_INVALID_AMOUNT,
    IPN_INVALID_SIGNATURE,
    IPN_NOT_FOUND,
    CallbackResult,
    PaymentRequest,
)
from builder.process.calendar import VIETNAM
from builder.providers.settings import missing, not_addresses

VERSION = "2.1.0"
REQUIRED_SETTINGS = ("tmn_code", "hash_secret", "payment_url")
DEFAULT_EXPIRE_MINUTES = 15
TIME_FORMAT = "%Y%m%d%H%M%S"
SUCCESS = "00"  # vnp_ResponseCode and vnp_TransactionStatus of a paid transaction
CANCELLED_BY_PAYER = "24"
UNSIGNED = ("vnp_SecureHash", "vnp_SecureHashType")
# What VNPay expects back from an IPN, by the host's outcome.
ANSWERS = {
    IPN_CONFIRMED: ("00", "Confirm Success"),
    IPN_NOT_FOUND: ("01", "Order not found"),
    IPN_ALREADY_CONFIRMED: ("02", "Order already confirmed"),
    IPN_INVALID_AMOUNT: ("04", "Invalid amount"),
    IPN_INVALID_SIGNATURE: ("97", "Invalid signature"),
    IPN_ERROR: ("99", "Unknown error"),
}


def canonical(params: dict[str, Any]) -> str:
    """The signed text: parameters sorted by key, keys and values URL-encoded
    with spaces as ``+``, joined as ``k=v&...``."""
    return "&".join(f"{quote_plus(str(k))}={quote_plus(str(v))}" for k, v in sorted(params.items()))


def signature(secret: str, params: dict[str, Any]) -> str:
    message = canonical(params).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def order_info(description: str) -> str:
    """VNPay takes Vietnamese without diacritics and no special characters."""
    text = re.sub(r"[^A-Za-z0-9 .,_-]+", " ", unidecode(description))
    return " ".join(text.split())[:255]


def _vnd(amount: str) -> int | None:
    """vnp_Amount is the amount in VND times 100."""
    if not re.fullmatch(r"[0-9]{1,18}", amount) or int(amount) % 100:
        return None
    return int(amount) // 100


class VNPayGateway:
    name = "vnpay"
    label = "VNPay"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def check_config(self) -> list[str]:
        problems = [*missing(self.name, self.settings, REQUIRED_SETTINGS),
                    *not_addresses(self.name, self.settings, ("payment_url",))]
        expire = self.settings.get("expire_minutes", DEFAULT_EXPIRE_MINUTES)
        if not isinstance(expire, int) or isinstance(expire, bool) or expire < 1:
            problems.append(_("%(key)s of %(plugin)s must be a whole number of 1 or more.",
                              key="expire_minutes", plugin=self.name))
        return problems

    def start_payment(self, request: PaymentRequest) -> str:
        problems = self.check_config()
        if problems:
            raise PluginError(f"Plugin 'vnpay' is not configured: {'; '.join(problems)}")
        created = datetime.now(VIETNAM)
        minutes = self.settings.get("expire_minutes", DEFAULT_EXPIRE_MINUTES)
        expires = created + timedelta(minutes=minutes)
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.settings["tmn_code"],
            "vnp_Amount": str(request.amount * 100),
            "vnp_CreateDate": created.strftime(TIME_FORMAT),
            "vnp_ExpireDate": expires.strftime(TIME_FORMAT),
            "vnp_CurrCode": "VND",
            "vnp_IpAddr": request.client_ip,
            "vnp_Locale": "en" if request.locale == "en" else "vn",
            "vnp_OrderInfo": order_info(request.description) or request.reference,
            "vnp_OrderType": self.settings.get("order_type") or "other",
            "vnp_ReturnUrl": request.return_url,
            "vnp_TxnRef": request.reference,
        }
        if self.settings.get("bank_code"):
            params["vnp_BankCode"] = self.settings["bank_code"]
        url = self.settings["payment_url"]
        joiner = "&" if "?" in url else "?"
        return (f"{url}{joiner}{canonical(params)}"
                f"&vnp_SecureHash={signature(self.settings['hash_secret'], params)}")

    def verify_callback(self, params: dict[str, Any]) -> CallbackResult:
        raw = {str(key): str(value) for key, value in params.items()}
        given = raw.get("vnp_SecureHash", "")
        secret = self.settings.get("hash_secret")
        if not isinstance(secret, str) or not secret or not given:
            return CallbackResult(valid_signature=False, raw=raw)
        # VNPay signs its own vnp_* parameters; anything a proxy adds is not signed
        signed = {k: v for k, v in raw.items() if k.startswith("vnp_") and k not in UNSIGNED}
        expected = signature(secret, signed)
        if not hmac.compare_digest(expected.encode("ascii"), given.lower().encode("utf-8")):
            return CallbackResult(valid_signature=False, raw=raw)
        response_code = raw.get("vnp_ResponseCode")
        return CallbackResult(
            valid_signature=True,
            reference=raw.get("vnp_TxnRef"),
            amount=_vnd(raw.get("vnp_Amount", "")),
            paid=response_code == SUCCESS and raw.get("vnp_TransactionStatus") == SUCCESS,
            cancelled=response_code == CANCELLED_BY_PAYER,
            gateway_transaction=raw.get("vnp_TransactionNo") or None,
            raw=raw,
        )

    def ipn_answer(self, outcome: str) -> tuple[str, int, str]:
        code, message = ANSWERS.get(outcome, ANSWERS[IPN_ERROR])
        return json.dumps({"RspCode": code, "Message": message}), 200, "application/json"


@hookimpl
def register_payment_gateways(app):
    return [VNPayGateway(plugin_settings("vnpay", app))]
