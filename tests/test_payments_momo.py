"""Payment of a dossier's fees through MoMo, against a fake MoMo served over
HTTP by the test. The test signs and checks MoMo's messages with its own
implementation of the protocol as DOMAIN.md describes it ("Payments"):
hex HMAC-SHA256 over ``k=v&...`` in a fixed order, never the plugin's code."""
from __future__ import annotations

import copy
import hashlib
import hmac
import threading
from datetime import timedelta

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import select
from werkzeug.serving import make_server

from builder.extensions import db
from builder.models import Dossier, HistoryEntry, Payment
from builder.models.types import utcnow
from builder.plugins import payment_gateways
from tests.helpers import citizen, submit_birth

PARTNER = "MOMOMOTCUA2026"
ACCESS_KEY = "F8BBA842ECF85"
SECRET = "K951B6PE1waDMi640xX08PD3vg6EkVlz"
PUBLIC_URL = "https://dichvucong.example.vn"
PAID_CODE = "1.001193.000.00.00.H26.MOMO"
FEE = 50000
CREATE = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo", "partnerCode", "redirectUrl",
          "requestId", "requestType")
NOTICE = ("accessKey", "amount", "extraData", "message", "orderId", "orderInfo", "orderType", "partnerCode",
          "payType", "requestId", "responseTime", "resultCode", "transId")
QUERY = ("accessKey", "orderId", "partnerCode", "requestId")


# --- MoMo, as the tests understand it ---------------------------------------------

def momo_signature(fields, values, secret=SECRET) -> str:
    text = "&".join(f"{key}={values[key]}" for key in fields)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def notice(order_id, amount=FEE, result_code=0, secret=SECRET, **changes) -> dict:
    """MoMo's IPN body (JSON numbers where MoMo sends numbers)."""
    body = {
        "partnerCode": PARTNER, "orderId": str(order_id), "requestId": str(order_id), "amount": amount,
        "orderInfo": "Phí, lệ phí hồ sơ", "orderType": "momo_wallet", "transId": 4088878653,
        "resultCode": result_code, "message": "Thành công." if result_code == 0 else "Giao dịch thất bại.",
        "payType": "qr", "responseTime": 1721720663942, "extraData": "", **changes,
    }
    body["signature"] = momo_signature(NOTICE, {**body, "accessKey": ACCESS_KEY}, secret)
    return body


class FakeMoMo:
    """MoMo's create and query endpoints, checking our signatures."""

    def __init__(self) -> None:
        self.created: list[dict] = []
        self.queries: list[dict] = []
        self.status: dict[str, dict] = {}  # orderId -> what the query answers
        self.down = False
        self.refuse = False
        app = Flask("fake_momo")

        @app.post("/v2/gateway/api/create")
        def create():
            if self.down:
                return "<html>502 Bad Gateway</html>", 502
            body = request.get_json()
            self.created.append(body)
            expected = momo_signature(CREATE, {**body, "accessKey": ACCESS_KEY})
            if body.get("signature") != expected or self.refuse:
                return jsonify({"partnerCode": body.get("partnerCode"), "orderId": body.get("orderId"),
                                "resultCode": 11 if self.refuse else 20, "message": "Bad request."})
            return jsonify({"partnerCode": PARTNER, "orderId": body["orderId"], "requestId": body["requestId"],
                            "amount": body["amount"], "responseTime": 1721720620078, "message": "Thành công.",
                            "resultCode": 0, "payUrl": f"https://test-payment.momo.vn/v2/gateway/pay?t={body['orderId']}"})

        @app.post("/v2/gateway/api/query")
        def query():
            body = request.get_json()
            self.queries.append(body)
            if body.get("signature") != momo_signature(QUERY, {**body, "accessKey": ACCESS_KEY}):
                return jsonify({"resultCode": 20, "message": "Sai chữ ký."})
            answer = {"partnerCode": PARTNER, "orderId": body["orderId"], "requestId": body["requestId"],
                      "extraData": "", "amount": FEE, "transId": 0, "payType": "", "resultCode": 1000,
                      "message": "Giao dịch đã được khởi tạo, chờ người dùng xác nhận thanh toán.",
                      "responseTime": 1721720663942}
            answer.update(self.status.get(body["orderId"], {}))
            return jsonify(answer)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def fake_momo():
    fake = FakeMoMo()
    yield fake
    fake.stop()


@pytest.fixture
def momo(fake_momo):
    fake_momo.created.clear()
    fake_momo.queries.clear()
    fake_momo.status.clear()
    fake_momo.down = fake_momo.refuse = False
    return fake_momo


@pytest.fixture
def app_config(app_config, momo):
    app_config["PLUGINS"] = {"momo": {"partner_code": PARTNER, "access_key": ACCESS_KEY, "secret_key": SECRET,
                                      "endpoint": momo.url, "timeout": 5}}
    app_config["PUBLIC_URL"] = PUBLIC_URL
    return app_config


@pytest.fixture
def submitted(app, client, birth_package) -> dict:
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package.update(code=PAID_CODE, fees=[{"name": "Lệ phí", "amount": FEE}], fee_mode="before",
                   payment={"gateway": "momo"})
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    headers = citizen(client)
    dossier = submit_birth(client, headers, package, procedure=PAID_CODE)
    return {"headers": headers, "code": dossier["code"]}


def start(client, submitted):
    return client.post(f"/api/v1/dossiers/{submitted['code']}/payments", headers=submitted["headers"],
                       json={"gateway": "momo"})


@pytest.fixture
def started(client, submitted) -> dict:
    response = start(client, submitted)
    assert response.status_code == 201, response.get_json()
    return {**submitted, "payment": response.get_json()}


def ipn(client, body):
    return client.post("/payments/momo/ipn", json=body)


def row(app, payment_id) -> dict:
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        return {"status": payment.status, "paid_at": payment.paid_at, "reference": payment.reference,
                "raw": payment.raw}


def actions(app, code) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(HistoryEntry.action).join(Dossier).where(Dossier.code == code)
                                  .order_by(HistoryEntry.id)).all()


def backdate(app, payment_id, minutes=2) -> None:
    with app.app_context():
        db.session.get(Payment, payment_id).created_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


def poll(app) -> dict:
    from builder.process.payments import poll_payments

    with app.app_context():
        try:
            return poll_payments()
        finally:
            db.session.remove()


# --- create ---------------------------------------------------------------------------

def test_start_payment_creates_a_signed_momo_order(client, started, momo):
    body = started["payment"]
    assert body["status"] == "pending" and body["amount"] == FEE
    [sent] = momo.created
    order_id = str(body["id"])
    assert body["redirect_url"] == f"https://test-payment.momo.vn/v2/gateway/pay?t={order_id}"
    assert sent["signature"] == momo_signature(CREATE, {**sent, "accessKey": ACCESS_KEY})
    assert "accessKey" not in sent, "the access key is signed, never sent"
    assert sent["partnerCode"] == PARTNER and sent["amount"] == FEE
    assert sent["orderId"] == sent["requestId"] == order_id, "the request id is the idempotency key"
    assert sent["ipnUrl"] == f"{PUBLIC_URL}/payments/momo/ipn"
    assert sent["redirectUrl"] == f"{PUBLIC_URL}/payments/momo/return"
    assert sent["requestType"] == "captureWallet" and sent["lang"] == "vi"
    assert started["code"] in sent["orderInfo"]
    dossier = client.get(f"/api/v1/dossiers/{started['code']}", headers=started["headers"]).get_json()
    assert dossier["payment"] == {"status": "pending", "amount": FEE, "gateway": "momo"}


@pytest.mark.parametrize("trouble", ["down", "refuse", "unreachable"])
def test_momo_failing_at_create_is_a_502_and_leaves_nothing_open(app, client, submitted, momo, trouble,
                                                                   monkeypatch):
    if trouble == "unreachable":
        monkeypatch.setitem(app.config["PLUGINS"]["momo"], "endpoint", "http://127.0.0.1:9")
    else:
        setattr(momo, trouble, True)
    response = start(client, submitted)
    assert response.status_code == 502
    assert response.get_json()["message"] == (
        "Cổng thanh toán MoMo không khởi tạo được giao dịch; vui lòng thử lại sau.")
    with app.app_context():
        statuses = db.session.scalars(select(Payment.status)).all()
    assert statuses == ["cancelled"], "no payment is left pending"
    assert actions(app, submitted["code"]) == ["submit"]
    momo.down = momo.refuse = False
    monkeypatch.undo()
    assert start(client, submitted).status_code == 201, "the applicant may try again at once"


# --- the IPN ----------------------------------------------------------------------------

def test_a_paid_ipn_confirms_the_payment_once(app, client, started):
    payment_id = started["payment"]["id"]
    response = ipn(client, notice(payment_id))
    assert response.status_code == 204 and response.get_data() == b"", "MoMo expects 204, no body"
    paid = row(app, payment_id)
    assert paid["status"] == "paid" and paid["reference"] == "4088878653" and paid["paid_at"]
    assert paid["raw"]["transId"] == 4088878653
    history = client.get(f"/api/v1/dossiers/{started['code']}/history", headers=started["headers"]).get_json()
    assert history[-1]["action"] == "payment" and history[-1]["actor"] == "MoMo"
    assert history[-1]["comment"] == "Đã nộp 50.000 đồng qua MoMo."
    # replayed, and out of order (a failure after the success): nothing changes
    assert ipn(client, notice(payment_id)).status_code == 204
    assert ipn(client, notice(payment_id, result_code=1006)).status_code == 204
    assert row(app, payment_id) == paid
    assert actions(app, started["code"]) == ["submit", "payment"]


def test_a_payment_declined_in_the_app_is_cancelled(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id, result_code=1006)).status_code == 204
    assert row(app, payment_id)["status"] == "cancelled"
    assert ipn(client, notice(payment_id)).status_code == 204, "a late success is acknowledged"
    assert row(app, payment_id)["status"] == "cancelled", "and changes nothing (it is logged to reconcile)"


def test_a_forged_ipn_changes_nothing(app, client, started):
    payment_id = started["payment"]["id"]
    tampered = notice(payment_id, amount=1000)
    tampered["amount"] = FEE  # changed after signing
    another_merchant = notice(payment_id, partnerCode="MOMOKHAC")
    unsigned = {k: v for k, v in notice(payment_id).items() if k != "signature"}
    for body in (notice(payment_id, secret="khoa-cua-ke-gia-mao"), tampered, another_merchant, unsigned):
        response = ipn(client, body)
        assert response.status_code == 400 and response.get_json() == {"message": "Invalid signature"}
    assert row(app, payment_id)["status"] == "pending"


def test_an_ipn_for_another_amount_is_refused(app, client, started):
    payment_id = started["payment"]["id"]
    response = ipn(client, notice(payment_id, amount=FEE - 1000))
    assert response.status_code == 400 and response.get_json() == {"message": "Invalid amount"}
    assert row(app, payment_id)["status"] == "pending"


@pytest.mark.parametrize("changes", [{"orderId": "999999", "requestId": "999999"}, {"orderId": "abc", "requestId": "abc"},
                                     {"requestId": "another-request"}])
def test_an_ipn_for_an_unknown_order_is_not_found(app, client, started, changes):
    response = ipn(client, notice(started["payment"]["id"], **changes))
    assert response.status_code == 404 and response.get_json() == {"message": "Order not found"}
    assert row(app, started["payment"]["id"])["status"] == "pending"


def test_the_return_url_reads_momos_query_string(client, started):
    params = {k: str(v) for k, v in notice(started["payment"]["id"]).items()}  # all text in a URL
    answer = client.get("/payments/momo/return", query_string=params,
                        headers={"Accept": "application/json"}).get_json()
    assert answer["outcome"] == "paid" and answer["payment"]["status"] == "pending", "only the IPN settles"


# --- polling ---------------------------------------------------------------------------------

def test_polling_settles_a_payment_whose_ipn_never_came(app, client, started, momo):
    payment_id = started["payment"]["id"]
    order_id = str(payment_id)
    momo.status[order_id] = {"resultCode": 0, "message": "Thành công.", "transId": 4100000001, "payType": "qr"}
    assert poll(app)["paid"] == 0 and momo.queries == [], "a payment younger than a minute waits for its IPN"
    backdate(app, payment_id)
    counts = poll(app)
    assert counts["paid"] == 1 and counts["errors"] == 0
    [query] = momo.queries
    assert query["signature"] == momo_signature(QUERY, {**query, "accessKey": ACCESS_KEY})
    assert query["orderId"] == order_id and query["requestId"] != order_id, "each query has its own id"
    paid = row(app, payment_id)
    assert paid["status"] == "paid" and paid["reference"] == "4100000001"
    assert actions(app, started["code"]) == ["submit", "payment"]
    # the IPN coming late, and another poll: nothing more happens
    assert ipn(client, notice(payment_id)).status_code == 204
    assert poll(app)["paid"] == 0 and len(momo.queries) == 1
    assert row(app, payment_id) == paid


@pytest.mark.parametrize("answer, counted, status", [
    ({"resultCode": 1000}, "waiting", "pending"),  # the payer has not confirmed yet
    ({"resultCode": 99, "message": "Lỗi hệ thống."}, "errors", "pending"),  # MoMo cannot tell
    ({"resultCode": 0, "amount": FEE - 1}, "errors", "pending"),  # not the fee
    ({"resultCode": 1005, "message": "Giao dịch thất bại do url hoặc QR code đã hết hạn."}, "cancelled",
     "cancelled"),
])
def test_polling_settles_only_what_momo_knows(app, started, momo, answer, counted, status):
    payment_id = started["payment"]["id"]
    momo.status[str(payment_id)] = answer
    backdate(app, payment_id)
    assert poll(app)[counted] == 1
    assert row(app, payment_id)["status"] == status


def test_polling_survives_momo_being_down(app, started, momo, monkeypatch):
    backdate(app, started["payment"]["id"])
    monkeypatch.setitem(app.config["PLUGINS"]["momo"], "endpoint", "http://127.0.0.1:9")
    assert poll(app)["errors"] == 1
    assert row(app, started["payment"]["id"])["status"] == "pending"


# --- settings ---------------------------------------------------------------------------------

def test_momo_says_which_settings_are_missing(app):
    from plugins.payment_gateways.momo import MoMoGateway

    with app.app_context():
        assert payment_gateways(app)["momo"].check_config() == []
        problems = MoMoGateway({"partner_code": PARTNER, "endpoint": "ftp://momo.vn", "order_prefix": "a-b",
                                "timeout": 0}).check_config()
    assert problems[:2] == ['Chưa khai báo access_key trong PLUGINS["momo"].',
                            'Chưa khai báo secret_key trong PLUGINS["momo"].']
    assert ["endpoint" in problems[2], "order_prefix" in problems[3], "timeout" in problems[4]] == [True] * 3
    assert len(problems) == 5
