"""Issue 5's whole path, as one citizen lives it (level 4): the fee paid
through VNPay (the gateway played by the test, its messages signed by the
test's own implementation), the result sealed with the agency's certificate
when the leader approves it, the signature verified by the citizen through
the API, and the result posted through VNPost (the simulator over HTTP) with
its tracking shown on the citizen's page."""
from __future__ import annotations

import copy
import io
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from builder.extensions import db
from tests.conftest import pdf_text
from tests.helpers import BA_DINH, MINIMAL_PDF, citizen, example_data, staff
from tests.pki import make_pki
from tests.test_delivery import ADDRESS, CUSTOMER, OFFICE, SECRET as VNPOST_SECRET, T0, TOKEN
from tests.test_payments import CONFIRMED, PAYMENT_URL, PUBLIC_URL, SECRET as VNPAY_SECRET, TMN_CODE
from tests.test_payments import ipn, notice
from tests.test_signatures import only_signature, sample_pdf, verify
from tests.vnpost_simulator import ServedApp, VNPostSimulator

CODE = "1.001193.000.00.00.H26.L4"
FEE = 8000


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture
def simulator():
    sim = VNPostSimulator(TOKEN, VNPOST_SECRET).start()
    yield sim
    sim.stop()


@pytest.fixture
def app_config(app_config, pki, simulator, tmp_path, monkeypatch):
    roots = tmp_path / "roots"
    roots.mkdir()
    seal = pki.seal.write_pkcs12(tmp_path, b"mat-khau-con-dau", "ba-dinh.p12")
    monkeypatch.setenv("MOTCUA_SIGN_PASSWORD_BA_DINH", "mat-khau-con-dau")
    app_config.update(
        PUBLIC_URL=PUBLIC_URL,
        SIGNATURE_TRUST_ROOTS=pki.write_roots(roots),
        SIGNING_IDENTITIES={BA_DINH: {"pkcs12": str(seal), "signer": "pades",
                                      "password_env": "MOTCUA_SIGN_PASSWORD_BA_DINH"}},
        PLUGINS={
            "vnpay": {"tmn_code": TMN_CODE, "hash_secret": VNPAY_SECRET, "payment_url": PAYMENT_URL},
            "vnpost": {"base_url": simulator.url, "customer_code": CUSTOMER, "token": TOKEN,
                       "callback_secret": VNPOST_SECRET, "sender": OFFICE, "timeout": 5},
        },
    )
    return app_config


@pytest.fixture
def package(app, birth_package) -> dict:
    from builder.forms.package import import_package

    level4 = copy.deepcopy(birth_package)
    level4.update(code=CODE, level=4, fees=[{"name": "Lệ phí cấp bản sao trích lục", "amount": FEE}],
                  fee_mode="before", payment={"gateway": "vnpay"},
                  delivery_methods=["online", "post"], delivery={"carrier": "vnpost"})
    with app.app_context():
        import_package(db.session, level4, published_by="tests")
        db.session.commit()
    return level4


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def act(client, headers, code, action, **body) -> dict:
    return ok(client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body}))


def test_pay_seal_verify_and_post_the_result(app, client, simulator, package, tmp_path):
    served = ServedApp(app)  # our app on a port, where VNPost's callbacks arrive
    simulator.callback_url = f"{served.url}/delivery/vnpost/callback"
    try:
        owner = citizen(client)
        desk, officer, leader = (staff(client, "mot_cua", "Desk", BA_DINH),
                                 staff(client, "cong_chuc", "Officer", BA_DINH),
                                 staff(client, "lanh_dao", "Leader", BA_DINH))

        # 1. the citizen files online, asking for the result by post
        draft = ok(client.post("/api/v1/dossiers", headers=owner, json={
            "procedure": CODE, "data": example_data(package), "agency": BA_DINH,
            "delivery": {"method": "post", "address": ADDRESS}, "submit": False}), 201)
        ok(client.post(f"/api/v1/dossiers/{draft['id']}/attachments", headers=owner, data={
            "component": "birth_certificate", "file": (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")},
            content_type="multipart/form-data"), 201)
        code = ok(client.post(f"/api/v1/dossiers/{draft['id']}/submit", headers=owner), 201)["code"]
        assert ok(client.get(f"/api/v1/dossiers/{code}", headers=owner))["payment"]["status"] == "unpaid"

        # 2. pays the fee through VNPay; only VNPay's signed notice settles it
        payment = ok(client.post(f"/api/v1/dossiers/{code}/payments", headers=owner,
                                 json={"gateway": "vnpay"}), 201)
        sent = dict(parse_qsl(urlsplit(payment["redirect_url"]).query))
        assert sent["vnp_Amount"] == str(FEE * 100) and sent["vnp_TmnCode"] == TMN_CODE
        forged = notice(sent["vnp_TxnRef"], amount=FEE, secret="khong-phai-khoa-that")
        assert ipn(client, forged)["RspCode"] == "97"
        assert ok(client.get(f"/api/v1/dossiers/{code}", headers=owner))["payment"]["status"] == "pending"
        assert ipn(client, notice(sent["vnp_TxnRef"], amount=FEE)) == CONFIRMED
        assert ok(client.get(f"/api/v1/dossiers/{code}", headers=owner))["payment"]["status"] == "paid"

        # 3. the office processes it; the leader approves with the result
        act(client, desk, code, "receive")
        act(client, leader, code, "assign", assignee="cong_chuc")
        act(client, officer, code, "forward", comment="Đủ điều kiện cấp")
        certificate = sample_pdf("TRICH LUC KHAI SINH - BAN SAO")  # uncompressed: a word can be changed
        approved = ok(client.post(f"/api/v1/dossiers/{code}/actions", headers=leader, data={
            "action": "approve", "results": [(io.BytesIO(certificate), "trich-luc-khai-sinh.pdf")]},
            content_type="multipart/form-data"))
        assert approved["status"] == 9

        # 4. the citizen downloads the result: sealed by the agency, and says so through the API
        documents = ok(client.get(f"/api/v1/dossiers/{code}/documents", headers=owner))
        result = next(d for d in documents if d["kind"] == "result")
        sealed = client.get(result["url"], headers=owner).data
        assert sealed != certificate and sealed.startswith(certificate[:5])
        report = verify(client, sealed, "trich-luc-khai-sinh.pdf")
        assert report.get_json()["valid"] is True
        signature = only_signature(report)
        assert signature["signer"] == "Ủy ban nhân dân phường Ba Đình"
        assert (signature["intact"], signature["trusted"], signature["covers_whole_document"]) == (
            True, True, True)
        assert "TRICH LUC KHAI SINH - BAN SAO" in pdf_text(sealed, tmp_path)
        tampered = sealed.replace(b"BAN SAO", b"BAN GOC")
        assert tampered != sealed
        assert only_signature(verify(client, tampered))["intact"] is False

        # 5. the result goes by post: VNPost's waybill is kept, its callbacks shown to the citizen
        delivery = ok(client.get(f"/api/v1/dossiers/{code}", headers=owner))["delivery"]
        waybill = delivery["waybill"]
        assert waybill and simulator.order_by_waybill(waybill)["OrderCode"] == code
        act(client, desk, code, "return_result", comment="Đã gửi qua bưu điện")
        for status_id, minutes in ((70, 0), (100, 240)):
            pushed = simulator.advance(waybill, status_id, T0 + timedelta(minutes=minutes))
            assert pushed.status_code == 200, pushed.text
        body = ok(client.get(f"/api/v1/dossiers/{code}", headers=owner))
        assert body["status"] == 10 and body["delivery"]["status"] == "delivered"
        browser = app.test_client()
        assert browser.post("/login/", data={"username": "001090012345", "password": "mat-khau-123"},
                            follow_redirects=True).status_code == 200
        page = browser.get(f"/dich-vu/ho-so/{code}").get_data(as_text=True)
        assert waybill in page and "Đã phát thành công" in page
        assert f"/api/v1/dossiers/{code}/documents/result.pdf" in page
    finally:
        served.stop()
