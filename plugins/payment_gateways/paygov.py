"""The national payment platform (Nền tảng thanh toán trên Cổng Dịch vụ công
quốc gia, "PayGov"): JSON messages ``INIT`` (open a payment and get the URL to
send the payer to), ``QUERY`` (how a payment stands) and ``GET_BILL`` (the
e-receipt, biên lai điện tử, of a paid payment). The platform tells us the
outcome by a JSON POST to the IPN address; a payment whose notice never came
is settled by polling ``QUERY``.

Every message carries ``maXacThuc``: hex SHA-256 of its fields joined by
``|`` followed by the secret key (DOMAIN.md, "Payments"), in these orders:

- INIT: loaiBanTin|phienBan|maDoiTac|maThamChieu|soTien|loaiHinhThanhToan|
  maKenhThanhToan|maThietBi|ngonNgu|maTienTe|maNganHang|thongTinGiaoDich|thoiGianGD|ip|secret
- QUERY and GET_BILL: loaiBanTin|phienBan|maDoiTac|maThamChieu|thoiGianGD|secret
- the platform's notice, and its answer to QUERY: loaiBanTin|maLoi|maDoiTac|
  maThamChieu|soTien|maTienTe|maGiaoDich|maNganHang|thoiGianGD|thongTinGiaoDich|secret

``maThamChieu`` is our reference of the payment, ``thoiGianGD`` the time it
was opened (yyyyMMddHHmmss, Vietnam time); QUERY and GET_BILL name both
again. ``maLoi`` ``00`` is success; QUERY's ``trangThaiGD`` is ``1`` paid,
``3`` not known yet, ``4`` failed. The platform's field names are read
whatever the case of their first letter (``maLoi`` or ``MaLoi``).

Settings, in ``PLUGINS["paygov"]``:

``partner_code``, ``secret_key``
    the agency's partner code (maDoiTac) and secret key on the platform.
``init_url``, ``query_url``, ``bill_url``
    the platform's addresses for INIT, QUERY and GET_BILL.
``access_token`` (optional)
    a bearer token the platform asks for, if any.
``version`` (optional, ``1.0.6``), ``channel`` (optional, ``1``), ``device`` (optional, ``1``),
``bank_code`` (optional, empty), ``timeout`` (optional, 30 seconds)
    phienBan, maKenhThanhToan, maThietBi, maNganHang, and how long to wait.

The IPN address to register with the platform is ``<PUBLIC_URL>/payments/paygov/ipn``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Any

import requests
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
    Receipt,
)
from builder.process.calendar import VIETNAM
from builder.providers.payment import whole_number
from builder.providers.settings import missing, not_addresses, not_seconds

TIME_FORMAT = "%Y%m%d%H%M%S"
REQUIRED_SETTINGS = ("partner_code", "secret_key", "init_url", "query_url", "bill_url")
URL_SETTINGS = ("init_url", "query_url", "bill_url")
DEFAULT_VERSION = "1.0.6"
DEFAULT_TIMEOUT = 30
INIT_FIELDS = ("loaiBanTin", "phienBan", "maDoiTac", "maThamChieu", "soTien", "loaiHinhThanhToan",
               "maKenhThanhToan", "maThietBi", "ngonNgu", "maTienTe", "maNganHang", "thongTinGiaoDich",
               "thoiGianGD", "ip")
LOOKUP_FIELDS = ("loaiBanTin", "phienBan", "maDoiTac", "maThamChieu", "thoiGianGD")
NOTICE_FIELDS = ("loaiBanTin", "maLoi", "maDoiTac", "maThamChieu", "soTien", "maTienTe", "maGiaoDich",
                 "maNganHang", "thoiGianGD", "thongTinGiaoDich")
SUCCESS = "00"
PAID, UNKNOWN_YET, FAILED = "1", "3", "4"  # trangThaiGD of QUERY's answer
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
ANSWERS = {  # our answer to the platform's notice: HTTP status, maLoi, moTaLoi
    IPN_CONFIRMED: (200, "00", "Confirm Success"),
    IPN_ALREADY_CONFIRMED: (200, "00", "Order already confirmed"),
    IPN_NOT_FOUND: (404, "01", "Order not found"),
    IPN_INVALID_AMOUNT: (400, "04", "Invalid amount"),
    IPN_INVALID_SIGNATURE: (400, "97", "Invalid signature"),
    IPN_ERROR: (500, "99", "Unknown error"),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def checksum(secret: str, fields: tuple[str, ...], values: dict[str, Any]) -> str:
    """Hex SHA-256 of the fields joined by ``|``, followed by the secret."""
    text = "|".join([*(_text(values.get(key)) for key in fields), secret])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def camel(message: dict[str, Any]) -> dict[str, Any]:
    """The platform's fields with a lower-case first letter (MaLoi -> maLoi)."""
    return {(key[:1].lower() + key[1:]) if isinstance(key, str) else key: value
            for key, value in message.items()}


def transaction_time(request: PaymentRequest) -> str:
    opened = request.created_at or datetime.now(timezone.utc)
    if opened.tzinfo is None:
        opened = opened.replace(tzinfo=timezone.utc)
    return opened.astimezone(VIETNAM).strftime(TIME_FORMAT)


class PayGovGateway:
    name = "paygov"
    label = "Nền tảng thanh toán quốc gia"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    # --- settings ------------------------------------------------------------

    def check_config(self) -> list[str]:
        problems = [*missing(self.name, self.settings, REQUIRED_SETTINGS),
                    *not_addresses(self.name, self.settings, URL_SETTINGS),
                    *not_seconds(self.name, self.settings, "timeout", DEFAULT_TIMEOUT)]
        return problems

    def _ready(self) -> None:
        problems = self.check_config()
        if problems:
            raise PluginError(f"Plugin 'paygov' is not configured: {'; '.join(problems)}")

    @property
    def _secret(self) -> str:
        return self.settings["secret_key"]

    def _post(self, url_key: str, body: dict[str, Any]) -> requests.Response:
        headers = {}
        if self.settings.get("access_token"):
            headers["Authorization"] = f"Bearer {self.settings['access_token']}"
        return requests.post(self.settings[url_key], json=body, headers=headers,
                             timeout=self.settings.get("timeout", DEFAULT_TIMEOUT))

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError as exc:
            raise PluginError(f"The payment platform answered HTTP {response.status_code} "
                              "without JSON") from exc
        if not isinstance(answer, dict):
            raise PluginError(f"The payment platform answered HTTP {response.status_code} with {answer!r}")
        return camel(answer)

    def _lookup(self, kind: str, request: PaymentRequest) -> dict[str, Any]:
        body = {
            "loaiBanTin": kind,
            "phienBan": self.settings.get("version") or DEFAULT_VERSION,
            "maDoiTac": self.settings["partner_code"],
            "maThamChieu": request.reference,
            "thoiGianGD": transaction_time(request),
        }
        body["maXacThuc"] = checksum(self._secret, LOOKUP_FIELDS, body)
        return body

    # --- INIT ----------------------------------------------------------------------

    def start_payment(self, request: PaymentRequest) -> str:
        self._ready()
        info = f"THANH TOAN HO SO {unidecode(request.dossier_code)}"
        body: dict[str, Any] = {
            "loaiBanTin": "INIT",
            "phienBan": self.settings.get("version") or DEFAULT_VERSION,
            "maDoiTac": self.settings["partner_code"],
            "maThamChieu": request.reference,
            "soTien": str(request.amount),
            "loaiHinhThanhToan": "PAY",
            "maKenhThanhToan": str(self.settings.get("channel", "1")),
            "maThietBi": str(self.settings.get("device", "1")),
            "ngonNgu": "en-US" if request.locale == "en" else "vi-VN",
            "maTienTe": "VND",
            "maNganHang": self.settings.get("bank_code", ""),
            "thongTinGiaoDich": info,
            "thoiGianGD": transaction_time(request),
            "ip": request.client_ip,
        }
        body["maXacThuc"] = checksum(self._secret, INIT_FIELDS, body)
        body["thongTinBienLai"] = {  # what the e-receipt shows; not signed
            "maHoSo": request.dossier_code,
            "noiDungThanhToan": request.description,
            "soTien": str(request.amount),
        }
        answer = self._json(self._post("init_url", body))
        if _text(answer.get("error_code")) != "0":
            raise PluginError(f"The payment platform refused INIT of payment {request.reference}: {answer!r}")
        message = answer.get("message")
        if isinstance(message, str):
            try:
                message = json.loads(message)
            except ValueError as exc:
                raise PluginError(f"INIT of payment {request.reference}: the message is not JSON") from exc
        url = camel(message).get("urlThanhToan") if isinstance(message, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise PluginError(f"INIT of payment {request.reference} gave no payment URL: {answer!r}")
        return url

    # --- the platform's notice ---------------------------------------------------

    def _verified(self, message: dict[str, Any]) -> bool:
        given = message.get("maXacThuc")
        secret = self.settings.get("secret_key")
        if not isinstance(secret, str) or not secret or not isinstance(given, str) or not given:
            return False
        expected = checksum(secret, NOTICE_FIELDS, message)
        return hmac.compare_digest(expected.encode("ascii"), given.lower().encode("utf-8")) \
            and message.get("maDoiTac") == self.settings.get("partner_code")

    def verify_callback(self, params: dict[str, Any]) -> CallbackResult:
        raw = camel({str(key): value for key, value in params.items()})
        if not self._verified(raw):
            return CallbackResult(valid_signature=False, raw=raw)
        reference = raw.get("maThamChieu")
        return CallbackResult(
            valid_signature=True,
            reference=reference if isinstance(reference, str) else None,
            amount=whole_number(raw.get("soTien")),
            paid=raw.get("maLoi") == SUCCESS,
            gateway_transaction=_text(raw.get("maGiaoDich")) or None,
            raw=raw,
        )

    def ipn_answer(self, outcome: str) -> tuple[str, int, str]:
        status, code, message = ANSWERS.get(outcome, ANSWERS[IPN_ERROR])
        return json.dumps({"maLoi": code, "moTaLoi": message}), status, "application/json"

    # --- QUERY ---------------------------------------------------------------------

    def query(self, request: PaymentRequest) -> CallbackResult:
        self._ready()
        answer = self._json(self._post("query_url", self._lookup("QUERY", request)))
        if not self._verified(answer):
            return CallbackResult(valid_signature=False, raw=answer)
        if answer.get("maLoi") != SUCCESS or answer.get("maThamChieu") != request.reference:
            raise PluginError(f"QUERY of payment {request.reference} failed: maLoi {answer.get('maLoi')!r}, "
                              f"{answer.get('moTaLoi')!r}")
        state = _text(answer.get("trangThaiGD"))
        if state not in (PAID, UNKNOWN_YET, FAILED):
            raise PluginError(f"QUERY of payment {request.reference}: unknown trangThaiGD {state!r}")
        return CallbackResult(
            valid_signature=True,
            reference=request.reference,
            amount=whole_number(answer.get("soTien")),
            paid=state == PAID,
            pending=state == UNKNOWN_YET,
            gateway_transaction=_text(answer.get("maGiaoDich")) or None,
            raw=answer,
        )

    # --- GET_BILL ------------------------------------------------------------------

    def fetch_receipt(self, request: PaymentRequest) -> Receipt | None:
        """The e-receipt as the platform gives it (a PDF); None while the
        platform has none yet (it answers JSON then)."""
        self._ready()
        response = self._post("bill_url", self._lookup("GET_BILL", request))
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            answer = self._json(response)
            if answer.get("maLoi") in (None, SUCCESS):
                raise PluginError(f"GET_BILL of payment {request.reference} answered JSON: {answer!r}")
            return None  # the platform says it has no receipt (yet)
        response.raise_for_status()
        content = response.content
        if len(content) > MAX_RECEIPT_BYTES or not content.startswith(b"%PDF-"):
            raise PluginError(f"GET_BILL of payment {request.reference} did not answer a PDF "
                              f"({content_type or 'no type'}, {len(content)} bytes)")
        return Receipt(content=content, content_type="application/pdf")


@hookimpl
def register_payment_gateways(app):
    return [PayGovGateway(plugin_settings("paygov", app))]
