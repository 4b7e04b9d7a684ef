"""MoMo (the e-wallet's payment gateway, API v2): the host asks MoMo to create
a payment by a signed JSON POST and sends the payer to the ``payUrl`` MoMo
answers; MoMo sends the browser back to the return URL and tells us the
outcome by a signed JSON POST to the IPN address, which alone changes the
payment. A payment whose notice never came is settled by asking MoMo
(``/v2/gateway/api/query``) from the periodic poll.

Signatures are hex HMAC-SHA256 with the secret key over ``k=v&...`` in a fixed
order (DOMAIN.md, "Payments"). The order id and the request id of a create
are both our reference of the payment (``order_prefix`` + its id): MoMo treats
``requestId`` as the idempotency key, so creating the same payment twice
cannot make two transactions.

Settings, in ``PLUGINS["momo"]``:

``partner_code``, ``access_key``, ``secret_key``
    the merchant's credentials from MoMo's business portal (keep the secret
    in the environment, e.g. ``MOTCUA_PLUGINS='{"momo": {...}}'``).
``endpoint``
    MoMo's API, e.g. ``https://test-payment.momo.vn`` (test) or
    ``https://payment.momo.vn``.
``request_type`` (optional, ``captureWallet``), ``order_prefix`` (optional, empty),
``timeout`` (optional, 30 seconds)
    the payment method MoMo shows, a prefix of order ids (letters and digits,
    when several instances share one merchant account), and how long to wait
    for MoMo.

The IPN address is sent with every payment: ``<PUBLIC_URL>/payments/momo/ipn``.
MoMo expects the IPN to be answered with HTTP 204 and no body.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any

import requests
from flask_babel import gettext as _

from builder import hookimpl
from builder.errors import PluginError
from builder.plugins import plugin_settings
from builder.providers import (
    IPN_ALREADY_CONFIRMED,
    IPN_CONFIRMED,
    IPN_INVALID_AMOUNT,
    IPN_INVALID_SIGNATURE,
    IPN_NOT_FOUND,
    CallbackResult,
    PaymentRequest,
)
from builder.providers.payment import whole_number
from builder.providers.settings import missing, not_addresses, not_seconds

REQUIRED_SETTINGS = ("partner_code", "access_key", "secret_key", "endpoint")
CREATE_PATH = "/v2/gateway/api/create"
QUERY_PATH = "/v2/gateway/api/query"
DEFAULT_REQUEST_TYPE = "captureWallet"
DEFAULT_TIMEOUT = 30  # MoMo asks for at least 30 s
CREATE_FIELDS = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode",
                 "redirectUrl", "requestId", "requestType")
NOTICE_FIELDS = ("accessKey", "amount", "extraData", "message", "orderId", "orderInfo", "orderType",
                 "partnerCode", "payType", "requestId", "responseTime", "resultCode", "transId")
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
SUCCESS = 0
# Still under way: waiting for the payer, processing, authorised but not captured.
PENDING_CODES = frozenset({1000, 7000, 7002, 9000})
DECLINED_BY_PAYER = 1006
# MoMo's codes 1000-8999 are a transaction's own outcome; the others are
# errors of the request (bad signature, unknown order, system busy).
OUTCOME_CODES = range(1000, 9000)
# How we answer a notice MoMo could not be told to forget: 204 acknowledges it.
ANSWERS = {
    IPN_NOT_FOUND: (404, "Order not found"),
    IPN_INVALID_AMOUNT: (400, "Invalid amount"),
    IPN_INVALID_SIGNATURE: (400, "Invalid signature"),
}


def _text(value: Any) -> str:
    """A field as MoMo signs it: numbers in decimal, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def signed_text(fields: tuple[str, ...], values: dict[str, Any]) -> str:
    return "&".join(f"{key}={_text(values.get(key))}" for key in fields)


def signature(secret: str, fields: tuple[str, ...], values: dict[str, Any]) -> str:
    message = signed_text(fields, values).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _whole(value: Any) -> int | None:
    """An amount or a code: an integer, or digits (MoMo's return URL is text)."""
    return whole_number(value, negative=True)


class MoMoGateway:
    name = "momo"
    label = "MoMo"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    # --- settings ------------------------------------------------------------

    def check_config(self) -> list[str]:
        problems = [*missing(self.name, self.settings, REQUIRED_SETTINGS),
                    *not_addresses(self.name, self.settings, ("endpoint",))]
        prefix = self.settings.get("order_prefix", "")
        if not isinstance(prefix, str) or not re.fullmatch(r"[A-Za-z0-9]{0,20}", prefix):
            problems.append(_("%(key)s of %(plugin)s may hold only letters and digits.", key="order_prefix",
                              plugin=self.name))
        return problems + not_seconds(self.name, self.settings, "timeout", DEFAULT_TIMEOUT)

    def _ready(self) -> None:
        problems = self.check_config()
        if problems:
            raise PluginError(f"Plugin 'momo' is not configured: {'; '.join(problems)}")

    def order_id(self, reference: str) -> str:
        return f"{self.settings.get('order_prefix', '')}{reference}"

    def _reference(self, order_id: Any) -> str | None:
        prefix = self.settings.get("order_prefix", "")
        if not isinstance(order_id, str) or not order_id.startswith(prefix):
            return None
        return order_id[len(prefix):] or None

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.settings["endpoint"].rstrip("/") + path
        response = requests.post(url, json=body, timeout=self.settings.get("timeout", DEFAULT_TIMEOUT))
        try:
            answer = response.json()
        except ValueError as exc:
            raise PluginError(f"MoMo answered HTTP {response.status_code} without JSON") from exc
        if not isinstance(answer, dict):
            raise PluginError(f"MoMo answered HTTP {response.status_code} with {answer!r}")
        return answer

    # --- create ------------------------------------------------------------------

    def start_payment(self, request: PaymentRequest) -> str:
        self._ready()
        order_id = self.order_id(request.reference)
        body: dict[str, Any] = {
            "partnerCode": self.settings["partner_code"],
            "accessKey": self.settings["access_key"],
            "requestId": order_id,
            "amount": request.amount,
            "orderId": order_id,
            "orderInfo": request.description,
            "redirectUrl": request.return_url,
            "ipnUrl": request.notify_url,
            "requestType": self.settings.get("request_type") or DEFAULT_REQUEST_TYPE,
            "extraData": "",
            "lang": "en" if request.locale == "en" else "vi",
        }
        body["signature"] = signature(self.settings["secret_key"], CREATE_FIELDS, body)
        del body["accessKey"]  # signed, never sent
        answer = self._post(CREATE_PATH, body)
        code = _whole(answer.get("resultCode"))
        if code != SUCCESS:
            raise PluginError(f"MoMo refused payment {order_id}: resultCode {answer.get('resultCode')!r}, "
                              f"{answer.get('message')!r}")
        pay_url = answer.get("payUrl")
        if answer.get("orderId") != order_id or not isinstance(pay_url, str) \
                or not pay_url.startswith(("https://", "http://")):
            raise PluginError(f"MoMo's answer for payment {order_id} has no usable payUrl: {answer!r}")
        return pay_url

    # --- notices -----------------------------------------------------------------

    def verify_callback(self, params: dict[str, Any]) -> CallbackResult:
        raw = {str(key): value for key, value in params.items()}
        given = raw.get("signature")
        secret = self.settings.get("secret_key")
        if not isinstance(secret, str) or not secret or not isinstance(given, str) or not given:
            return CallbackResult(valid_signature=False, raw=raw)
        values = {**raw, "accessKey": self.settings.get("access_key") or ""}
        expected = signature(secret, NOTICE_FIELDS, values)
        if not hmac.compare_digest(expected.encode("ascii"), given.lower().encode("utf-8")):
            return CallbackResult(valid_signature=False, raw=raw)
        if raw.get("partnerCode") != self.settings.get("partner_code"):
            return CallbackResult(valid_signature=False, raw=raw)  # signed, but another merchant's
        code = _whole(raw.get("resultCode"))
        # the notice of a create: its request id is its order id (see start_payment)
        reference = self._reference(raw.get("orderId")) if raw.get("requestId") == raw.get("orderId") else None
        return CallbackResult(
            valid_signature=True,
            reference=reference,
            amount=_whole(raw.get("amount")),
            paid=code == SUCCESS,
            cancelled=code == DECLINED_BY_PAYER,
            pending=code in PENDING_CODES,
            gateway_transaction=_text(raw.get("transId")) or None,
            raw=raw,
        )

    def ipn_answer(self, outcome: str) -> tuple[str, int, str]:
        if outcome in (IPN_CONFIRMED, IPN_ALREADY_CONFIRMED):
            return "", 204, "text/plain"
        status, message = ANSWERS.get(outcome, (500, "Unknown error"))
        return json.dumps({"message": message}), status, "application/json"

    # --- query -------------------------------------------------------------------

    def query(self, request: PaymentRequest) -> CallbackResult:
        """MoMo's transaction status. Its answer comes over our own HTTPS
        request to the configured endpoint and is read as MoMo's word."""
        self._ready()
        order_id = self.order_id(request.reference)
        body: dict[str, Any] = {
            "partnerCode": self.settings["partner_code"],
            "accessKey": self.settings["access_key"],
            "requestId": f"{order_id}Q{time.time_ns() // 1_000_000}",
            "orderId": order_id,
            "lang": "vi",
        }
        body["signature"] = signature(self.settings["secret_key"], QUERY_FIELDS, body)
        del body["accessKey"]
        answer = self._post(QUERY_PATH, body)
        code = _whole(answer.get("resultCode"))
        if answer.get("orderId") != order_id or answer.get("partnerCode") != self.settings["partner_code"]:
            raise PluginError(f"MoMo's status answer is not about payment {order_id}: {answer!r}")
        if code != SUCCESS and (code is None or code not in OUTCOME_CODES):
            raise PluginError(f"MoMo could not tell the status of payment {order_id}: "
                              f"resultCode {answer.get('resultCode')!r}, {answer.get('message')!r}")
        return CallbackResult(
            valid_signature=True,
            reference=request.reference,
            amount=_whole(answer.get("amount")),
            paid=code == SUCCESS,
            cancelled=code == DECLINED_BY_PAYER,
            pending=code in PENDING_CODES,
            gateway_transaction=_text(answer.get("transId")) or None,
            raw=answer,
        )


@hookimpl
def register_payment_gateways(app):
    return [MoMoGateway(plugin_settings("momo", app))]
