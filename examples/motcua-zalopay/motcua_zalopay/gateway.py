"""ZaloPay (Open API v2) as a payment gateway of Một Cửa Builder.

The payment starts with a server-to-server "create order" request to ZaloPay,
signed with ``key1``; ZaloPay answers with ``order_url``, where the payer is
sent. When the payer has paid, ZaloPay POSTs ``{"data": "<JSON text>", "mac":
..., "type": 1}`` to our callback URL, signed with ``key2``: that notice alone
changes the payment (the host's ``/payments/zalopay/ipn``). The browser comes
back to the return URL with a query string signed with ``key2`` as well
(``checksum``), which only shows the outcome.

The signatures are hex HMAC-SHA256:

* create order, with key1, of
  ``app_id|app_trans_id|app_user|amount|app_time|embed_data|item``;
* callback, with key2, of the ``data`` text exactly as received;
* redirect, with key2, of
  ``appid|apptransid|pmcid|bankcode|amount|discountamount|status``.

``app_trans_id`` starts with the date in Vietnam (``yymmdd_``), as ZaloPay
requires; here it is followed by the host's payment number.

Settings, in ``PLUGINS["zalopay"]`` of the host's configuration: ``app_id``,
``key1``, ``key2`` (secrets: set them from the environment), ``create_url``
(default: the sandbox), and optionally ``callback_url`` (default
``<PUBLIC_URL>/payments/zalopay/ipn``), ``bank_code`` (default empty: ZaloPay's
page lets the payer choose), ``expire_minutes`` (15) and ``timeout`` (10 s).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from builder import hookimpl
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

NAME = "zalopay"
SANDBOX_CREATE_URL = "https://sb-openapi.zalopay.vn/v2/create"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_EXPIRE_MINUTES = 15
DEFAULT_TIMEOUT = 10
TRANS_ID = re.compile(r"[0-9]{6}_([0-9]{1,30})")
REDIRECT_FIELDS = ("appid", "apptransid", "pmcid", "bankcode", "amount", "discountamount", "status")
# ZaloPay's callback answer: 1 done, 2 already done; 0 makes ZaloPay call again
# (up to three times); any other code is a refusal it does not retry.
ANSWERS = {
    IPN_CONFIRMED: (1, "success"),
    IPN_ALREADY_CONFIRMED: (2, "already confirmed"),
    IPN_NOT_FOUND: (-1, "order not found"),
    IPN_INVALID_AMOUNT: (-1, "invalid amount"),
    IPN_INVALID_SIGNATURE: (-1, "mac not equal"),
    IPN_ERROR: (0, "error, please retry"),
}


class ZaloPayError(Exception):
    """ZaloPay could not be reached, or refused to create the order."""


def hmac_sha256(key: str, text: str) -> str:
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def order_mac(key1: str, order: dict[str, Any]) -> str:
    fields = ("app_id", "app_trans_id", "app_user", "amount", "app_time", "embed_data", "item")
    return hmac_sha256(key1, "|".join(str(order[field]) for field in fields))


def _whole(value: Any) -> int | None:
    """A whole number from JSON or a query string; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value):
        return int(value)
    return None


class ZaloPayGateway:
    name = NAME
    label = "ZaloPay"

    def __init__(self, settings: dict[str, Any], public_url: str = "") -> None:
        self.settings = settings
        self.public_url = public_url.rstrip("/")

    # --- settings ------------------------------------------------------------

    def check_config(self) -> list[str]:
        problems = []
        app_id = _whole(self.settings.get("app_id"))
        if app_id is None or app_id <= 0:
            problems.append(f'app_id trong PLUGINS["{NAME}"] phải là mã ứng dụng ZaloPay (số nguyên dương).')
        for key in ("key1", "key2"):
            value = self.settings.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f'Chưa khai báo {key} trong PLUGINS["{NAME}"].')
        for key in ("create_url", "callback_url"):
            url = self.settings.get(key)
            if url is not None and (not isinstance(url, str) or not url.startswith(("https://", "http://"))):
                problems.append(f"{key} của {NAME} phải là một địa chỉ http(s).")
        for key, low in (("expire_minutes", 5), ("timeout", 1)):
            value = self.settings.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < low):
                problems.append(f"{key} của {NAME} phải là số nguyên từ {low} trở lên.")
        return problems

    @property
    def app_id(self) -> int:
        return int(self.settings["app_id"])

    # --- starting a payment ----------------------------------------------------

    def order(self, request: PaymentRequest, now: datetime | None = None) -> dict[str, Any]:
        """The signed "create order" request for a payment."""
        now = now or datetime.now(VIETNAM)
        callback_url = self.settings.get("callback_url") or f"{self.public_url}/payments/{NAME}/ipn"
        order = {
            "app_id": self.app_id,
            "app_user": request.dossier_code[:50],
            "app_trans_id": f"{now.astimezone(VIETNAM):%y%m%d}_{request.reference}",
            "app_time": int(now.timestamp() * 1000),
            "amount": request.amount,
            "item": "[]",
            "embed_data": json.dumps({"redirecturl": request.return_url}, separators=(",", ":")),
            "description": request.description[:256],
            "bank_code": self.settings.get("bank_code", ""),
            "callback_url": callback_url,
            "expire_duration_seconds": 60 * int(self.settings.get("expire_minutes", DEFAULT_EXPIRE_MINUTES)),
        }
        order["mac"] = order_mac(self.settings["key1"], order)
        return order

    def start_payment(self, request: PaymentRequest) -> str:
        problems = self.check_config()
        if problems:
            raise ZaloPayError(f"Plugin {NAME} is not configured: {'; '.join(problems)}")
        answer = self._post(self.settings.get("create_url") or SANDBOX_CREATE_URL, self.order(request))
        if answer.get("return_code") != 1 or not isinstance(answer.get("order_url"), str):
            raise ZaloPayError(
                f"ZaloPay refused the order: {answer.get('return_code')} {answer.get('return_message')} "
                f"({answer.get('sub_return_code')} {answer.get('sub_return_message')})")
        return answer["order_url"]

    def _post(self, url: str, form: dict[str, Any]) -> dict[str, Any]:
        body = urlencode(form).encode("utf-8")
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        timeout = int(self.settings.get("timeout", DEFAULT_TIMEOUT))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
                answer = json.loads(response.read(1024 * 1024))
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ZaloPayError(f"ZaloPay did not answer the order: {exc}") from exc
        if not isinstance(answer, dict):
            raise ZaloPayError("ZaloPay's answer is not a JSON object")
        return answer

    # --- what ZaloPay sends back -----------------------------------------------

    def verify_callback(self, params: dict[str, Any]) -> CallbackResult:
        """The server-to-server callback (``data`` and ``mac``) or the
        browser's return (``checksum``); never raises on bad input."""
        raw = {str(k): v for k, v in params.items()}
        key2 = self.settings.get("key2")
        if not isinstance(key2, str) or not key2:
            return CallbackResult(valid_signature=False, raw=raw)
        if "data" in raw and "mac" in raw:
            return self._callback(key2, raw)
        if "checksum" in raw:
            return self._redirect(key2, raw)
        return CallbackResult(valid_signature=False, raw=raw)

    def _callback(self, key2: str, raw: dict[str, Any]) -> CallbackResult:
        data, mac = raw["data"], raw["mac"]
        if not isinstance(data, str) or not isinstance(mac, str):
            return CallbackResult(valid_signature=False, raw=raw)
        if not hmac.compare_digest(hmac_sha256(key2, data), mac.lower()):
            return CallbackResult(valid_signature=False, raw=raw)
        try:
            fields = json.loads(data)
        except ValueError:
            fields = None
        if not isinstance(fields, dict) or _whole(fields.get("app_id")) != self.app_id:
            return CallbackResult(valid_signature=False, raw=raw)  # signed, but not for this app
        # ZaloPay calls back only when the payer has paid
        return CallbackResult(
            valid_signature=True, reference=self._reference(fields.get("app_trans_id")),
            amount=_whole(fields.get("amount")), paid=True,
            gateway_transaction=str(fields.get("zp_trans_id")) if fields.get("zp_trans_id") else None,
            raw=fields,
        )

    def _redirect(self, key2: str, raw: dict[str, Any]) -> CallbackResult:
        values = [raw.get(field, "") for field in REDIRECT_FIELDS]
        checksum = raw.get("checksum")
        if not all(isinstance(v, str) for v in values) or not isinstance(checksum, str):
            return CallbackResult(valid_signature=False, raw=raw)
        if not hmac.compare_digest(hmac_sha256(key2, "|".join(values)), checksum.lower()):
            return CallbackResult(valid_signature=False, raw=raw)
        if _whole(raw.get("appid")) != self.app_id:
            return CallbackResult(valid_signature=False, raw=raw)
        return CallbackResult(valid_signature=True, reference=self._reference(raw.get("apptransid")),
                              amount=_whole(raw.get("amount")), paid=raw.get("status") == "1", raw=raw)

    @staticmethod
    def _reference(app_trans_id: Any) -> str | None:
        match = TRANS_ID.fullmatch(app_trans_id) if isinstance(app_trans_id, str) else None
        return match.group(1) if match else None

    def ipn_answer(self, outcome: str) -> tuple[str, int, str]:
        code, message = ANSWERS.get(outcome, ANSWERS[IPN_ERROR])
        return json.dumps({"return_code": code, "return_message": message}), 200, "application/json"


@hookimpl
def register_payment_gateways(app):
    return [ZaloPayGateway(plugin_settings(NAME, app), app.config.get("PUBLIC_URL", ""))]
