"""Online payment of a dossier's fees through VNPay, end to end.

The tests sign and check VNPay's messages with their own implementation of
the protocol as DOMAIN.md describes it ("Payments"), never with the plugin's."""
from __future__ import annotations

import copy
import hashlib
import hmac
import threading
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote_plus, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from builder import create_app
from builder.extensions import db
from builder.models import Dossier, HistoryEntry, Payment
from builder.models.types import utcnow
from builder.plugins import payment_gateways
from tests.helpers import BA_DINH, citizen, staff, submit_birth

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TMN_CODE = "MOTCUA01"
SECRET = "KHOA-BI-MAT-THU-NGHIEM-0123456789"
PAYMENT_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
PUBLIC_URL = "https://dichvucong.example.vn"
PAID_CODE = "1.001193.000.00.00.H26.PAY"
FEE = 50000


# --- VNPay, as the tests understand it ---------------------------------------------

def vnpay_hash(secret: str, params: dict) -> str:
    """Sort by key, URL-encode keys and values (spaces as +), join k=v&...,
    hex HMAC-SHA512 with the hash secret; the hash fields are not signed."""
    pairs = sorted((k, v) for k, v in params.items() if k not in ("vnp_SecureHash", "vnp_SecureHashType"))
    text = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def notice(txn_ref, amount=FEE, response="00", status="00", secret=SECRET, **changes) -> dict:
    """What VNPay sends to the IPN and the return URL."""
    params = {
        "vnp_Amount": str(amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi le phi ho so",
        "vnp_PayDate": datetime.now(VIETNAM).strftime("%Y%m%d%H%M%S"),
        "vnp_ResponseCode": response,
        "vnp_TmnCode": TMN_CODE,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": str(txn_ref),
        **changes,
    }
    params["vnp_SecureHash"] = vnpay_hash(secret, params)
    params["vnp_SecureHashType"] = "HmacSHA512"
    return params


def ipn(client, params) -> dict:
    response = client.get("/payments/vnpay/ipn", query_string=params)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


CONFIRMED = {"RspCode": "00", "Message": "Confirm Success"}


# --- the service and the applicant ---------------------------------------------------

@pytest.fixture
def app_config(app_config):
    app_config["PLUGINS"] = {"vnpay": {"tmn_code": TMN_CODE, "hash_secret": SECRET,
                                       "payment_url": PAYMENT_URL}}
    app_config["PUBLIC_URL"] = PUBLIC_URL
    return app_config


def publish_paid(app, birth_package) -> dict:
    """Birth registration with a fee, paid through VNPay, published."""
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package.update(code=PAID_CODE, fees=[{"name": "Lệ phí", "amount": FEE}], fee_mode="before",
                   payment={"gateway": "vnpay"})
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    return package


@pytest.fixture
def paid_package(app, birth_package) -> dict:
    return publish_paid(app, birth_package)


def submit(client, headers, package) -> dict:
    return submit_birth(client, headers, package, procedure=package["code"])


@pytest.fixture
def submitted(client, paid_package) -> dict:
    headers = citizen(client)
    dossier = submit(client, headers, paid_package)
    return {"headers": headers, "code": dossier["code"], "dossier": dossier}


def start(client, submitted, gateway="vnpay"):
    return client.post(f"/api/v1/dossiers/{submitted['code']}/payments", headers=submitted["headers"],
                       json={"gateway": gateway})


@pytest.fixture
def started(client, submitted) -> dict:
    response = start(client, submitted)
    assert response.status_code == 201, response.get_json()
    return {**submitted, "payment": response.get_json()}


def dossier_payment(client, started) -> dict:
    body = client.get(f"/api/v1/dossiers/{started['code']}", headers=started["headers"]).get_json()
    return body["payment"]


def payment_row(app, payment_id) -> dict:
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        return {"status": payment.status, "paid_at": payment.paid_at, "reference": payment.reference,
                "raw": payment.raw}


def history(client, started) -> list[dict]:
    response = client.get(f"/api/v1/dossiers/{started['code']}/history", headers=started["headers"])
    return response.get_json()


# --- starting a payment ---------------------------------------------------------------

def test_start_payment_redirects_to_a_signed_vnpay_url(client, submitted):
    before = datetime.now(VIETNAM).replace(microsecond=0)
    response = start(client, submitted)
    after = datetime.now(VIETNAM)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["amount"] == FEE and body["status"] == "pending" and isinstance(body["id"], int)
    url = body["redirect_url"]
    assert url.startswith(PAYMENT_URL + "?")
    query = urlsplit(url).query
    params = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=True))
    assert params["vnp_SecureHash"] == vnpay_hash(SECRET, params)
    assert params["vnp_Amount"] == str(FEE * 100) == "5000000"
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay"
    assert params["vnp_TmnCode"] == TMN_CODE and params["vnp_CurrCode"] == "VND"
    assert params["vnp_Locale"] == "vn"
    assert params["vnp_TxnRef"] == str(body["id"])
    assert params["vnp_ReturnUrl"] == f"{PUBLIC_URL}/payments/vnpay/return"
    assert params["vnp_IpAddr"] and params["vnp_OrderType"]
    created = datetime.strptime(params["vnp_CreateDate"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    assert before <= created <= after, "vnp_CreateDate is Vietnam time"
    expires = datetime.strptime(params["vnp_ExpireDate"], "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    assert expires - created == timedelta(minutes=15)
    # VNPay wants the order text without diacritics; it names the dossier
    assert submitted["code"] in params["vnp_OrderInfo"] and params["vnp_OrderInfo"].isascii()
    assert "vnp_OrderInfo=Nop+phi" in query, "spaces are encoded as +"
    assert dossier_payment(client, submitted) == {"status": "pending", "amount": FEE, "gateway": "vnpay"}


def test_start_payment_in_english_asks_vnpay_for_english(client, submitted):
    response = client.post(f"/api/v1/dossiers/{submitted['code']}/payments", json={"gateway": "vnpay"},
                           headers={**submitted["headers"], "Accept-Language": "en"})
    params = dict(parse_qsl(urlsplit(response.get_json()["redirect_url"]).query))
    assert params["vnp_Locale"] == "en"


def test_a_second_payment_waits_for_the_open_one(app, client, started):
    response = start(client, started)
    assert response.status_code == 409
    assert "đang có một giao dịch thanh toán" in response.get_json()["message"]
    # once its link has long expired, the open payment is closed and a new one starts
    with app.app_context():
        payment = db.session.get(Payment, started["payment"]["id"])
        payment.created_at = utcnow() - timedelta(minutes=31)
        db.session.commit()
    response = start(client, started)
    assert response.status_code == 201
    assert response.get_json()["id"] != started["payment"]["id"]
    assert payment_row(app, started["payment"]["id"])["status"] == "cancelled"
    # the closed payment's late notice changes nothing
    assert ipn(client, notice(started["payment"]["id"]))["RspCode"] == "02"
    assert dossier_payment(client, started)["status"] == "pending"


def test_a_free_service_has_nothing_to_pay(app, client, submitted, birth_package):
    from builder.forms.package import import_package

    with app.app_context():
        import_package(db.session, birth_package, published_by="tests")
        db.session.commit()
    free = submit_birth(client, submitted["headers"], birth_package)
    response = client.post(f"/api/v1/dossiers/{free['code']}/payments", headers=submitted["headers"],
                           json={"gateway": "vnpay"})
    assert response.status_code == 409
    assert response.get_json()["message"] == f"Hồ sơ {free['code']} không có phí, lệ phí phải nộp."


@pytest.mark.parametrize("kwargs, status, message", [
    ({"data": "{not json", "content_type": "application/json"}, 400,
     "Nội dung yêu cầu không phải JSON hợp lệ."),
    ({"data": "gateway=vnpay", "content_type": "application/x-www-form-urlencoded"}, 415,
     "Vui lòng gửi nội dung dạng JSON (Content-Type: application/json)."),
    ({"json": ["vnpay"]}, 422, "Nội dung yêu cầu phải là một đối tượng JSON."),
    ({"json": {}}, 422, "Yêu cầu thanh toán không hợp lệ."),
    ({"json": {"gateway": 7}}, 422, "Yêu cầu thanh toán không hợp lệ."),
    ({"json": {"gateway": "momo"}}, 422, "Yêu cầu thanh toán không hợp lệ."),
    ({"json": {"gateway": "desk"}}, 422, "Yêu cầu thanh toán không hợp lệ."),
])
def test_bad_bodies_are_answered_in_vietnamese(client, submitted, kwargs, status, message):
    response = client.post(f"/api/v1/dossiers/{submitted['code']}/payments",
                           headers=submitted["headers"], **kwargs)
    assert response.status_code == status
    assert response.get_json()["message"] == message
    assert dossier_payment(client, submitted)["status"] == "unpaid"


def test_bad_gateways_are_named(client, submitted):
    errors = start(client, submitted, "nope").get_json()["errors"]
    assert errors == {"gateway": ["Không có cổng thanh toán nào tên nope."]}
    errors = start(client, submitted, "momo").get_json()["errors"]
    assert errors == {"gateway": ["Dịch vụ này nhận thanh toán qua vnpay."]}
    errors = start(client, submitted, "desk").get_json()["errors"]
    assert errors == {"gateway": ["Dịch vụ này nhận thanh toán qua vnpay."]}


def test_only_the_applicant_pays(client, submitted):
    url = f"/api/v1/dossiers/{submitted['code']}/payments"
    assert client.post(url, json={"gateway": "vnpay"}).status_code == 401
    stranger = citizen(client, "001090054321")
    assert client.post(url, headers=stranger, json={"gateway": "vnpay"}).status_code == 404
    desk = staff(client, "tiep_nhan", role="Desk", agency=BA_DINH)
    response = client.post(url, headers=desk, json={"gateway": "vnpay"})
    assert response.status_code == 403
    assert response.get_json()["message"] == "Chỉ người nộp hồ sơ được thực hiện thao tác này."


def test_a_withdrawn_dossier_is_not_paid(client, submitted):
    response = client.post(f"/api/v1/dossiers/{submitted['code']}/actions", headers=submitted["headers"],
                           json={"action": "withdraw"})
    assert response.status_code == 200, response.get_json()
    response = start(client, submitted)
    assert response.status_code == 409
    assert response.get_json()["message"].startswith("Không thể nộp phí, lệ phí")


def test_a_gateway_that_fails_to_start_leaves_no_open_payment(app, client, submitted, monkeypatch):
    def broken(self, request):
        raise ConnectionError("VNPay is down")

    monkeypatch.setattr("plugins.payment_gateways.vnpay.VNPayGateway.start_payment", broken)
    response = start(client, submitted)
    assert response.status_code == 502
    assert response.get_json()["message"] == (
        "Cổng thanh toán VNPay không khởi tạo được giao dịch; vui lòng thử lại sau.")
    assert dossier_payment(client, submitted)["status"] == "cancelled"
    monkeypatch.undo()
    assert start(client, submitted).status_code == 201, "the applicant may try again at once"


# --- the IPN ------------------------------------------------------------------------------

def test_a_paid_notice_confirms_the_payment_once(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id)) == CONFIRMED
    assert dossier_payment(client, started) == {"status": "paid", "amount": FEE, "gateway": "vnpay"}
    row = payment_row(app, payment_id)
    assert row["paid_at"] is not None and row["reference"] == "14226112"
    assert row["raw"]["vnp_TransactionNo"] == "14226112"
    entries = history(client, started)
    assert [e["action"] for e in entries] == ["submit", "payment"]
    assert entries[-1]["from_status"] == entries[-1]["to_status"] == 1, "the status is not the payment's"
    assert entries[-1]["actor"] == "VNPay"
    assert entries[-1]["comment"] == "Đã nộp 50.000 đồng qua VNPay."
    with app.app_context():
        from builder.process.history import broken_links

        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == started["code"]))
        assert broken_links(db.session, dossier_id) == []
    # the same notice again, and a contrary one: already confirmed, nothing changes
    assert ipn(client, notice(payment_id)) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert ipn(client, notice(payment_id, response="24", status="02"))["RspCode"] == "02"
    assert payment_row(app, payment_id) == row
    assert len(history(client, started)) == 2
    # paid: no second payment
    response = start(client, started)
    assert response.status_code == 409
    assert response.get_json()["message"] == f"Phí, lệ phí của hồ sơ {started['code']} đã được thanh toán."


def test_a_notice_for_another_amount_is_refused(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id, amount=FEE - 1000)) == {"RspCode": "04", "Message": "Invalid amount"}
    odd = notice(payment_id, vnp_Amount=str(FEE * 100 + 1))  # not a whole number of đồng
    assert ipn(client, odd)["RspCode"] == "04"
    assert payment_row(app, payment_id)["status"] == "pending"


@pytest.mark.parametrize("txn_ref", ["999999", "abc", "", "99999999999999999999", "0"])
def test_a_notice_for_an_unknown_order_is_not_found(client, started, txn_ref):
    assert ipn(client, notice(txn_ref)) == {"RspCode": "01", "Message": "Order not found"}
    assert dossier_payment(client, started)["status"] == "pending"


def test_a_notice_that_is_not_vnpays_is_refused(app, client, started):
    payment_id = started["payment"]["id"]
    tampered = notice(payment_id, amount=1000)
    tampered["vnp_Amount"] = str(FEE * 100)  # changed after signing
    forged = notice(payment_id, secret="khoa-cua-ke-gia-mao")
    unsigned = {k: v for k, v in notice(payment_id).items() if k != "vnp_SecureHash"}
    changed = notice(payment_id)
    changed["vnp_BankCode"] = "VCB"  # any signed parameter
    for params in (tampered, forged, unsigned, changed):
        assert ipn(client, params) == {"RspCode": "97", "Message": "Invalid signature"}
    assert payment_row(app, payment_id)["status"] == "pending"


def test_a_notice_cancelled_by_the_payer_cancels_the_payment(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id, response="24", status="02")) == CONFIRMED
    assert dossier_payment(client, started) == {"status": "cancelled", "amount": FEE, "gateway": "vnpay"}
    assert payment_row(app, payment_id)["paid_at"] is None
    assert [e["action"] for e in history(client, started)] == ["submit"]
    # and the applicant may try again at once
    response = start(client, started)
    assert response.status_code == 201 and response.get_json()["id"] != payment_id


def test_a_failed_payment_ends_the_attempt(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id, response="51", status="02")) == CONFIRMED  # insufficient funds
    assert payment_row(app, payment_id)["status"] == "cancelled"
    assert payment_row(app, payment_id)["raw"]["vnp_ResponseCode"] == "51"


def test_the_ipn_also_takes_a_posted_form(client, started):
    response = client.post("/payments/vnpay/ipn", data=notice(started["payment"]["id"]))
    assert response.get_json() == CONFIRMED
    assert dossier_payment(client, started)["status"] == "paid"


def test_an_unexpected_error_answers_99_and_changes_nothing(app, client, started, monkeypatch):
    from builder.process import payments

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(payments.history, "append", broken)
    assert ipn(client, notice(started["payment"]["id"])) == {"RspCode": "99", "Message": "Unknown error"}
    assert payment_row(app, started["payment"]["id"])["status"] == "pending"


def test_two_notices_at_once_confirm_once(app, started):
    params = notice(started["payment"]["id"])
    answers, barrier = [], threading.Barrier(2)

    def send():
        client = app.test_client()
        barrier.wait()
        answers.append(client.get("/payments/vnpay/ipn", query_string=params).get_json()["RspCode"])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == ["00", "02"]
    with app.app_context():
        entries = db.session.scalars(select(HistoryEntry.action).join(Dossier)
                                     .where(Dossier.code == started["code"])).all()
        assert entries == ["submit", "payment"]


def test_a_dossier_waiting_for_payment_goes_back_to_work(app, client, started):
    """Status 6 pauses the clock; the payment resumes it from where it stopped."""
    paused_at = utcnow() - timedelta(days=30)
    due_before = paused_at + timedelta(days=10)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == started["code"]))
        dossier.status, dossier.paused_status = 6, 4
        dossier.clock_paused_at, dossier.due_at, dossier.received_at = paused_at, due_before, paused_at
        db.session.commit()
    assert ipn(client, notice(started["payment"]["id"])) == CONFIRMED
    body = client.get(f"/api/v1/dossiers/{started['code']}", headers=started["headers"]).get_json()
    assert body["status"] == 4 and body["payment"]["status"] == "paid"
    assert datetime.fromisoformat(body["due_at"]) > utcnow(), "the paused office time is given back"
    entry = history(client, started)[-1]
    assert (entry["action"], entry["from_status"], entry["to_status"]) == ("payment", 6, 4)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == started["code"]))
        assert dossier.paused_status is None and dossier.clock_paused_at is None
    sent = [n.subject for n in app.extensions["motcua.log_notifier"].sent]
    assert sent[-1] == f"Hồ sơ {started['code']}: Đang xử lý", "the applicant is told"


# --- the return URL -------------------------------------------------------------------------

def test_the_return_url_shows_the_outcome_and_changes_nothing(app, client, started):
    payment_id = started["payment"]["id"]
    params = notice(payment_id)
    page = client.get("/payments/vnpay/return", query_string=params)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Thanh toán phí, lệ phí" in text and started["code"] in text
    assert "khi cổng thanh toán xác nhận" in text, "not paid until the IPN says so"
    answer = client.get("/payments/vnpay/return", query_string=params,
                        headers={"Accept": "application/json"}).get_json()
    assert answer["outcome"] == "paid" and answer["dossier"] == started["code"]
    assert answer["payment"]["status"] == "pending"
    assert payment_row(app, payment_id)["status"] == "pending"
    assert [e["action"] for e in history(client, started)] == ["submit"]
    # after the IPN, the same return says paid
    assert ipn(client, params) == CONFIRMED
    text = client.get("/payments/vnpay/return", query_string=params).get_data(as_text=True)
    assert f"Đã thanh toán xong phí, lệ phí của hồ sơ {started['code']}." in text


def test_the_return_url_of_a_cancelled_payment(client, started):
    params = notice(started["payment"]["id"], response="24", status="02")
    answer = client.get("/payments/vnpay/return", query_string=params,
                        headers={"Accept": "application/json"}).get_json()
    assert answer["outcome"] == "cancelled"
    assert answer["message"] == f"Bạn đã hủy giao dịch thanh toán của hồ sơ {started['code']}."
    assert dossier_payment(client, started)["status"] == "pending"


def test_the_return_url_refuses_what_it_cannot_verify(client, started):
    params = notice(started["payment"]["id"], secret="khoa-cua-ke-gia-mao")
    page = client.get("/payments/vnpay/return", query_string=params)
    assert page.status_code == 400
    assert started["code"] not in page.get_data(as_text=True)
    answer = client.get("/payments/vnpay/return", query_string=params, headers={"Accept": "application/json"})
    assert answer.status_code == 400
    assert answer.get_json()["message"] == "Không xác thực được phản hồi của cổng thanh toán."
    assert answer.get_json()["payment"] is None


def test_unknown_gateways_are_404_json(client):
    for path in ("/payments/nope/ipn", "/payments/nope/return"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json()["message"] == "Không có cổng thanh toán nào tên nope."


# --- configuration and plugins -----------------------------------------------------------------

def test_register_payment_gateways_offers_vnpay_and_the_desk(app):
    gateways = payment_gateways(app)
    assert gateways["vnpay"].label == "VNPay" and gateways["vnpay"].check_config() == []
    desk = gateways["desk"]
    assert desk.verify_callback(notice(1)).valid_signature is False, "nobody calls the desk back"
    body, status, _ = desk.ipn_answer("invalid_signature")
    assert status == 400


def test_a_vnpay_without_settings_says_what_is_missing(app_config, client_factory, birth_package):
    app_config["PLUGINS"] = {"vnpay": {"tmn_code": TMN_CODE}}
    app, client = client_factory(app_config)
    with app.app_context():
        problems = payment_gateways(app)["vnpay"].check_config()
    assert any("hash_secret" in p for p in problems) and any("payment_url" in p for p in problems)
    assert not any("tmn_code" in p for p in problems)
    admin = staff(client, "quan_tri", role="Admin", agency=None)
    vnpay = next(p for p in client.get("/api/v1/plugins", headers=admin).get_json() if p["name"] == "vnpay")
    assert vnpay["kind"] == "payment" and vnpay["providers"] == ["vnpay"]
    assert vnpay["configured"] is False
    assert vnpay["problems"] == problems
    # a citizen finds a clear answer, and no notice can be verified without the secret
    package = publish_paid(app, birth_package)
    headers = citizen(client)
    code = submit(client, headers, package)["code"]
    response = client.post(f"/api/v1/dossiers/{code}/payments", headers=headers, json={"gateway": "vnpay"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"gateway": ["Cổng thanh toán VNPay chưa được cấu hình."]}
    assert client.get("/payments/vnpay/ipn", query_string=notice(1)).get_json()["RspCode"] == "97"


def test_vnpay_checks_the_shape_of_its_settings(app):
    from plugins.payment_gateways.vnpay import VNPayGateway

    settings = {"tmn_code": TMN_CODE, "hash_secret": SECRET, "payment_url": "ftp://vnpay.vn",
                "expire_minutes": 0}
    with app.app_context():
        problems = VNPayGateway(settings).check_config()
    assert len(problems) == 2
    assert "payment_url" in problems[0] and "expire_minutes" in problems[1]


@pytest.fixture
def client_factory():
    made = []

    def make(config):
        app = create_app(config)
        made.append(app)
        return app, app.test_client()

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_openapi_lists_the_payment_route(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/dossiers/{key}/payments"]
