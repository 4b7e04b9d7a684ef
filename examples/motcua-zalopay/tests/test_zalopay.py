"""The ZaloPay gateway on its own, against a local stand-in for ZaloPay's
"create order" endpoint. The signatures are computed here from ZaloPay's
description (see the module's docstring), never with the plugin's code."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest

from builder.providers import (IPN_ALREADY_CONFIRMED, IPN_CONFIRMED, IPN_ERROR, IPN_INVALID_SIGNATURE,
                               PaymentRequest)
from motcua_zalopay.gateway import ZaloPayError, ZaloPayGateway

APP_ID, KEY1, KEY2 = 2553, "khoa-mot-thu-nghiem", "khoa-hai-thu-nghiem"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def sign(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


class ZaloPayStandIn(BaseHTTPRequestHandler):
    """Checks the order's mac with key1 and answers as ZaloPay does."""

    orders: list[dict] = []

    def do_POST(self):  # noqa: N802
        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        self.orders.append(form)
        text = "|".join(form[k] for k in ("app_id", "app_trans_id", "app_user", "amount", "app_time",
                                           "embed_data", "item"))
        if form.get("mac") == sign(KEY1, text):
            answer = {"return_code": 1, "return_message": "Giao dịch thành công", "sub_return_code": 1,
                      "order_url": "https://qcgateway.zalopay.vn/openinapp?order=abc", "zp_trans_token": "abc"}
        else:
            answer = {"return_code": 2, "return_message": "Giao dịch thất bại", "sub_return_code": -402,
                      "sub_return_message": "Mac không hợp lệ"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def zalopay():
    ZaloPayStandIn.orders = []
    server = HTTPServer(("127.0.0.1", 0), ZaloPayStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v2/create"
    server.shutdown()


def gateway(create_url="http://127.0.0.1:9/v2/create", **changes):
    settings = {"app_id": APP_ID, "key1": KEY1, "key2": KEY2, "create_url": create_url, **changes}
    return ZaloPayGateway(settings, "https://dichvucong.example.vn")


REQUEST = PaymentRequest(payment_id=42, dossier_code="000.01.01.H26-250301-0007", amount=50000,
                         description="Lệ phí hồ sơ 000.01.01.H26-250301-0007",
                         return_url="https://dichvucong.example.vn/payments/zalopay/return")


def test_a_payment_is_created_with_a_signed_order(zalopay):
    url = gateway(zalopay).start_payment(REQUEST)
    assert url == "https://qcgateway.zalopay.vn/openinapp?order=abc"
    order = ZaloPayStandIn.orders[0]
    assert order["app_id"] == "2553" and order["amount"] == "50000"
    assert order["app_trans_id"] == f"{datetime.now(VIETNAM):%y%m%d}_42"
    assert json.loads(order["embed_data"]) == {"redirecturl": REQUEST.return_url}
    assert order["callback_url"] == "https://dichvucong.example.vn/payments/zalopay/ipn"
    assert order["expire_duration_seconds"] == "900"


def test_a_refused_or_unreachable_order_is_an_error(zalopay):
    with pytest.raises(ZaloPayError, match="Mac không hợp lệ"):
        gateway(zalopay, key1="khoa-sai").start_payment(REQUEST)
    with pytest.raises(ZaloPayError, match="did not answer"):
        gateway("http://127.0.0.1:9/v2/create", timeout=1).start_payment(REQUEST)


def callback(amount=50000, app_id=APP_ID, key=KEY2, trans="250301_42"):
    data = json.dumps({"app_id": app_id, "app_trans_id": trans, "app_time": 1740800000000,
                       "app_user": "000.01.01.H26-250301-0007", "amount": amount, "embed_data": "{}",
                       "item": "[]", "zp_trans_id": 250301000012345, "server_time": 1740800060000,
                       "channel": 38, "merchant_user_id": "abc", "user_fee_amount": 0, "discount_amount": 0})
    return {"data": data, "mac": sign(key, data), "type": 1}


def test_the_callback_is_verified_with_key2():
    result = gateway().verify_callback(callback())
    assert result.valid_signature and result.paid
    assert (result.reference, result.amount, result.gateway_transaction) == ("42", 50000, "250301000012345")
    assert not gateway().verify_callback(callback(key=KEY1)).valid_signature
    forged = callback()
    forged["data"] = forged["data"].replace("50000", "5000")
    assert not gateway().verify_callback(forged).valid_signature
    assert not gateway().verify_callback(callback(app_id=9999)).valid_signature  # another app's
    assert gateway().verify_callback(callback(trans="khong-hop-le")).reference is None
    assert not gateway().verify_callback({"data": ["x"], "mac": None}).valid_signature
    assert not gateway(key2="").verify_callback(callback()).valid_signature


def test_the_redirect_is_verified_with_its_checksum():
    values = {"appid": str(APP_ID), "apptransid": "250301_42", "pmcid": "38", "bankcode": "",
              "amount": "50000", "discountamount": "0", "status": "1"}
    text = "|".join(values[k] for k in ("appid", "apptransid", "pmcid", "bankcode", "amount",
                                        "discountamount", "status"))
    result = gateway().verify_callback({**values, "checksum": sign(KEY2, text)})
    assert result.valid_signature and result.paid and result.reference == "42" and result.amount == 50000
    failed = {**values, "status": "-49"}
    assert not gateway().verify_callback({**failed, "checksum": sign(KEY2, text)}).valid_signature
    unpaid = gateway().verify_callback({**failed, "checksum": sign(KEY2, text.replace("|1", "|-49"))})
    assert unpaid.valid_signature and not unpaid.paid


def test_the_answers_are_zalopays():
    answers = {o: json.loads(gateway().ipn_answer(o)[0])["return_code"]
               for o in (IPN_CONFIRMED, IPN_ALREADY_CONFIRMED, IPN_INVALID_SIGNATURE, IPN_ERROR)}
    assert answers == {IPN_CONFIRMED: 1, IPN_ALREADY_CONFIRMED: 2, IPN_INVALID_SIGNATURE: -1, IPN_ERROR: 0}


def test_check_config_names_what_is_missing():
    assert gateway().check_config() == []
    problems = ZaloPayGateway({"app_id": "abc", "create_url": "ftp://x"}).check_config()
    assert len(problems) == 4 and any("key2" in p for p in problems) and any("create_url" in p for p in problems)
