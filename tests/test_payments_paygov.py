"""Payment of a dossier's fees through the national payment platform, against
a fake platform served over HTTP by the test: INIT, the platform's notice,
QUERY by the periodic poll and GET_BILL for the e-receipt. The test computes
every maXacThuc itself from DOMAIN.md ("Payments"): hex SHA-256 of the
pipe-joined fields followed by the secret, never with the plugin's code."""
from __future__ import annotations

import copy
import hashlib
import json
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, Response, jsonify, request
from sqlalchemy import select
from werkzeug.serving import make_server

from builder.extensions import db
from builder.models import Dossier, HistoryEntry, Payment
from builder.models.types import utcnow
from tests.helpers import MINIMAL_PDF, citizen, submit_birth

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PARTNER = "000.00.00.H26"
SECRET = "bi-mat-nen-tang-thanh-toan-2026"
PUBLIC_URL = "https://dichvucong.example.vn"
PAID_CODE = "1.001193.000.00.00.H26.PAYGOV"
FEE = 50000
INIT = ("loaiBanTin", "phienBan", "maDoiTac", "maThamChieu", "soTien", "loaiHinhThanhToan", "maKenhThanhToan",
        "maThietBi", "ngonNgu", "maTienTe", "maNganHang", "thongTinGiaoDich", "thoiGianGD", "ip")
LOOKUP = ("loaiBanTin", "phienBan", "maDoiTac", "maThamChieu", "thoiGianGD")
NOTICE = ("loaiBanTin", "maLoi", "maDoiTac", "maThamChieu", "soTien", "maTienTe", "maGiaoDich", "maNganHang",
          "thoiGianGD", "thongTinGiaoDich")
RECEIPT = MINIMAL_PDF.replace(b"%%EOF", b"% bien lai dien tu\n%%EOF")


# --- the platform, as the tests understand it -------------------------------------------

def ma_xac_thuc(fields, values, secret=SECRET) -> str:
    text = "|".join([*(str(values[key]) for key in fields), secret])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notice(reference, amount=FEE, code="00", secret=SECRET, **changes) -> dict:
    body = {"loaiBanTin": "PAY", "maLoi": code, "maDoiTac": PARTNER, "maThamChieu": str(reference),
            "soTien": amount, "maTienTe": "VND", "maGiaoDich": "PG2611230001", "maNganHang": "VCB",
            "thoiGianGD": datetime.now(VIETNAM).strftime("%Y%m%d%H%M%S"),
            "thongTinGiaoDich": "THANH TOAN HO SO", **changes}
    body["maXacThuc"] = ma_xac_thuc(NOTICE, body, secret)
    return body


class FakePlatform:
    def __init__(self) -> None:
        self.inits: list[dict] = []
        self.queries: list[dict] = []
        self.bills: list[dict] = []
        self.states: dict[str, str] = {}  # maThamChieu -> trangThaiGD
        self.amounts: dict[str, int] = {}
        self.receipt_ready = True
        self.forge_answers = False
        self.down = False
        app = Flask("fake_paygov")

        @app.post("/init")
        def init():
            if self.down:
                return "Service Unavailable", 503
            body = request.get_json()
            self.inits.append(body)
            if body.get("maXacThuc") != ma_xac_thuc(INIT, body):
                return jsonify({"error_code": "97", "message": "Mã xác thực không chính xác"})
            url = f"https://thanhtoan.dichvucong.gov.vn/pay?ma={body['maThamChieu']}"
            return jsonify({"error_code": "0", "message": json.dumps({"UrlThanhToan": url})})

        @app.post("/query")
        def query():
            body = request.get_json()
            self.queries.append(body)
            if body.get("maXacThuc") != ma_xac_thuc(LOOKUP, body):
                return jsonify({"MaLoi": "97", "MoTaLoi": "Mã xác thực không chính xác"})
            reference = body["maThamChieu"]
            answer = {"LoaiBanTin": "QUERY", "MaLoi": "00", "MaDoiTac": PARTNER, "MaThamChieu": reference,
                      "SoTien": self.amounts.get(reference, FEE), "MaTienTe": "VND",
                      "MaGiaoDich": "PG2611230099", "MaNganHang": "BIDV", "ThoiGianGD": body["thoiGianGD"],
                      "ThongTinGiaoDich": "THANH TOAN HO SO", "TrangThaiGD": self.states.get(reference, "3")}
            signed = {k[0].lower() + k[1:]: v for k, v in answer.items()}
            answer["MaXacThuc"] = ma_xac_thuc(NOTICE, signed, "khac" if self.forge_answers else SECRET)
            return jsonify(answer)  # PascalCase, as the platform's .NET clients write it

        @app.post("/bill")
        def bill():
            body = request.get_json()
            self.bills.append(body)
            if body.get("maXacThuc") != ma_xac_thuc(LOOKUP, body) or not self.receipt_ready:
                return jsonify({"maLoi": "01", "moTaLoi": "Chưa có biên lai"})
            return Response(RECEIPT, content_type="application/pdf")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        for kept in (self.inits, self.queries, self.bills, self.states, self.amounts):
            kept.clear()
        self.receipt_ready, self.forge_answers, self.down = True, False, False


@pytest.fixture(scope="module")
def fake_platform():
    fake = FakePlatform()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def platform(fake_platform):
    fake_platform.reset()
    return fake_platform


@pytest.fixture
def app_config(app_config, platform, tmp_path):
    app_config["PLUGINS"] = {"paygov": {
        "partner_code": PARTNER, "secret_key": SECRET, "init_url": f"{platform.url}/init",
        "query_url": f"{platform.url}/query", "bill_url": f"{platform.url}/bill", "timeout": 5}}
    app_config["PUBLIC_URL"] = PUBLIC_URL
    app_config["STORAGE_PATH"] = str(tmp_path / "storage")
    return app_config


@pytest.fixture
def submitted(app, client, birth_package) -> dict:
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package.update(code=PAID_CODE, fees=[{"name": "Lệ phí", "amount": FEE}], fee_mode="before",
                   payment={"gateway": "paygov"})
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    headers = citizen(client)
    dossier = submit_birth(client, headers, package, procedure=PAID_CODE)
    return {"headers": headers, "code": dossier["code"]}


def start(client, submitted):
    return client.post(f"/api/v1/dossiers/{submitted['code']}/payments", headers=submitted["headers"],
                       json={"gateway": "paygov"})


@pytest.fixture
def started(client, submitted) -> dict:
    response = start(client, submitted)
    assert response.status_code == 201, response.get_json()
    return {**submitted, "payment": response.get_json()}


def ipn(client, body):
    response = client.post("/payments/paygov/ipn", json=body)
    return response.status_code, response.get_json()


def status_of(app, payment_id) -> str:
    with app.app_context():
        return db.session.get(Payment, payment_id).status


def actions(app, code) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(HistoryEntry.action).join(Dossier).where(Dossier.code == code)
                                  .order_by(HistoryEntry.id)).all()


def backdate(app, payment_id, minutes=2) -> None:
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        payment.created_at = payment.created_at - timedelta(minutes=minutes)
        db.session.commit()


def poll(app) -> dict:
    from builder.process.payments import poll_payments

    with app.app_context():
        try:
            return poll_payments()
        finally:
            db.session.remove()


def payments(client, started) -> list[dict]:
    response = client.get(f"/api/v1/dossiers/{started['code']}/payments", headers=started["headers"])
    assert response.status_code == 200
    return response.get_json()


# --- INIT ---------------------------------------------------------------------------------

def test_init_is_signed_and_gives_the_payment_url(app, client, started, platform):
    [sent] = platform.inits
    body = started["payment"]
    assert body["redirect_url"] == f"https://thanhtoan.dichvucong.gov.vn/pay?ma={body['id']}"
    assert sent["maXacThuc"] == ma_xac_thuc(INIT, sent)
    assert (sent["loaiBanTin"], sent["maDoiTac"], sent["maThamChieu"], sent["soTien"], sent["maTienTe"]) == (
        "INIT", PARTNER, str(body["id"]), str(FEE), "VND")
    with app.app_context():
        opened = db.session.get(Payment, body["id"]).created_at
    assert sent["thoiGianGD"] == opened.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S"), "Vietnam time"
    assert started["code"] in sent["thongTinGiaoDich"] and sent["thongTinBienLai"]["maHoSo"] == started["code"]


def test_the_platform_down_at_init_is_a_502_and_leaves_nothing_open(app, client, submitted, platform):
    platform.down = True
    response = start(client, submitted)
    assert response.status_code == 502
    assert response.get_json()["message"] == (
        "Cổng thanh toán Nền tảng thanh toán quốc gia không khởi tạo được giao dịch; vui lòng thử lại sau.")
    with app.app_context():
        assert db.session.scalars(select(Payment.status)).all() == ["cancelled"]
    platform.down = False
    assert start(client, submitted).status_code == 201


# --- the platform's notice, and the e-receipt -----------------------------------------------

def test_a_paid_notice_settles_once_and_brings_the_receipt(app, client, started, platform):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id)) == (200, {"maLoi": "00", "moTaLoi": "Confirm Success"})
    assert status_of(app, payment_id) == "paid"
    # GET_BILL, signed, names the transaction by INIT's reference and time
    [bill] = platform.bills
    assert bill["loaiBanTin"] == "GET_BILL" and bill["maXacThuc"] == ma_xac_thuc(LOOKUP, bill)
    assert (bill["maThamChieu"], bill["thoiGianGD"]) == (platform.inits[0]["maThamChieu"],
                                                        platform.inits[0]["thoiGianGD"])
    [listed] = payments(client, started)
    assert listed["status"] == "paid" and listed["status_label"] == "Đã thanh toán"
    assert listed["receipt_url"] == f"/api/v1/dossiers/{started['code']}/payments/{payment_id}/receipt"
    receipt = client.get(listed["receipt_url"], headers=started["headers"])
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf" and receipt.data == RECEIPT
    assert client.get(listed["receipt_url"]).status_code == 401
    stranger = citizen(client, "001090054321")
    assert client.get(listed["receipt_url"], headers=stranger).status_code == 404
    # replayed, and a failure after the success: nothing changes
    assert ipn(client, notice(payment_id))[1]["moTaLoi"] == "Order already confirmed"
    assert ipn(client, notice(payment_id, code="01"))[0] == 200
    assert status_of(app, payment_id) == "paid"
    assert actions(app, started["code"]) == ["submit", "payment"]
    assert len(platform.bills) == 1


def test_a_receipt_not_ready_yet_is_fetched_by_the_poll(app, client, started, platform):
    platform.receipt_ready = False
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id))[0] == 200
    assert payments(client, started)[0]["receipt_url"] is None
    no_receipt = client.get(f"/api/v1/dossiers/{started['code']}/payments/{payment_id}/receipt",
                            headers=started["headers"])
    assert no_receipt.status_code == 404
    assert no_receipt.get_json()["message"] == f"Giao dịch thanh toán {payment_id} chưa có biên lai điện tử."
    platform.receipt_ready = True
    assert poll(app)["receipts"] == 1
    assert client.get(payments(client, started)[0]["receipt_url"], headers=started["headers"]).data == RECEIPT
    assert poll(app)["receipts"] == 0, "kept: not fetched again"


def test_a_forged_notice_changes_nothing(app, client, started):
    payment_id = started["payment"]["id"]
    tampered = notice(payment_id, amount=1000)
    tampered["soTien"] = FEE
    for body in (notice(payment_id, secret="khoa-gia-mao"), tampered, notice(payment_id, maDoiTac="KHAC"), {}):
        assert ipn(client, body) == (400, {"maLoi": "97", "moTaLoi": "Invalid signature"})
    assert status_of(app, payment_id) == "pending"


def test_a_notice_for_another_amount_or_order_is_refused(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id, amount=FEE + 1000)) == (400, {"maLoi": "04", "moTaLoi": "Invalid amount"})
    assert ipn(client, notice("987654")) == (404, {"maLoi": "01", "moTaLoi": "Order not found"})
    assert status_of(app, payment_id) == "pending"


def test_a_failed_notice_ends_the_attempt(app, client, started):
    payment_id = started["payment"]["id"]
    assert ipn(client, notice(payment_id, code="24"))[0] == 200
    assert status_of(app, payment_id) == "cancelled"
    assert actions(app, started["code"]) == ["submit"]


# --- polling QUERY ----------------------------------------------------------------------------

def test_polling_settles_a_payment_whose_notice_never_came(app, client, started, platform):
    payment_id = started["payment"]["id"]
    platform.states[str(payment_id)] = "1"
    assert poll(app)["paid"] == 0 and platform.queries == [], "younger than a minute: not yet"
    backdate(app, payment_id)
    counts = poll(app)
    assert counts["paid"] == 1 and counts["errors"] == 0
    [query] = platform.queries
    assert query["loaiBanTin"] == "QUERY" and query["maXacThuc"] == ma_xac_thuc(LOOKUP, query)
    with app.app_context():
        payment = db.session.get(Payment, payment_id)
        assert payment.status == "paid" and payment.reference == "PG2611230099"
        assert query["thoiGianGD"] == payment.created_at.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")
    assert payments(client, started)[0]["receipt_url"], "the receipt comes with the payment"
    assert actions(app, started["code"]) == ["submit", "payment"]
    # the notice arriving late changes nothing
    assert ipn(client, notice(payment_id))[1]["moTaLoi"] == "Order already confirmed"
    assert poll(app)["paid"] == 0 and len(platform.queries) == 1


@pytest.mark.parametrize("state, forge, amount, counted, status", [
    ("3", False, FEE, "waiting", "pending"),  # the platform does not know yet
    ("4", False, FEE, "cancelled", "cancelled"),  # failed
    ("1", True, FEE, "errors", "pending"),  # an answer not signed with our secret
    ("1", False, FEE - 1, "errors", "pending"),  # paid, but not the fee
])
def test_polling_settles_only_verified_final_answers(app, started, platform, state, forge, amount, counted,
                                                     status):
    payment_id = started["payment"]["id"]
    platform.states[str(payment_id)], platform.amounts[str(payment_id)] = state, amount
    platform.forge_answers = forge
    backdate(app, payment_id)
    assert poll(app)[counted] == 1
    assert status_of(app, payment_id) == status


def test_polling_skips_old_payments_and_other_gateways(app, started, platform):
    payment_id = started["payment"]["id"]
    platform.states[str(payment_id)] = "1"
    backdate(app, payment_id, minutes=4 * 24 * 60)  # past the three days a person reconciles
    assert poll(app)["paid"] == 0 and platform.queries == []
    assert status_of(app, payment_id) == "pending"


def test_the_cli_polls_the_payments(app, started, platform, monkeypatch):
    from click.testing import CliRunner

    from builder import cli

    payment_id = started["payment"]["id"]
    platform.states[str(payment_id)] = "1"
    backdate(app, payment_id)
    monkeypatch.setattr(cli, "_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["jobs", "poll-payments"])
    assert result.exit_code == 0, result.output
    assert "paid: 1" in result.output and "receipts: 0" in result.output
    assert status_of(app, payment_id) == "paid"


def test_paygov_says_which_settings_are_missing(app):
    from plugins.payment_gateways.paygov import PayGovGateway

    with app.app_context():
        problems = PayGovGateway({"partner_code": PARTNER, "init_url": "ftp://x"}).check_config()
    assert problems[:4] == [f'Chưa khai báo {key} trong PLUGINS["paygov"].'
                            for key in ("secret_key", "query_url", "bill_url")] + [problems[3]]
    assert "init_url" in problems[3] and len(problems) == 4
