"""Fees paid at the one-stop desk (cash or bank transfer, with a receipt
number), and refunds: every payment state of API.md is reachable."""
from __future__ import annotations

import copy

import pytest

from builder.extensions import db
from tests.helpers import HOAN_KIEM, citizen, staff, submit_birth

PAID_CODE = "1.001193.000.00.00.H26.DESK"
FEE = 50000


@pytest.fixture
def submitted(app, client, birth_package) -> dict:
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package.update(code=PAID_CODE, fees=[{"name": "Lệ phí", "amount": FEE}], fee_mode="after")
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    headers = citizen(client)
    dossier = submit_birth(client, headers, package, procedure=PAID_CODE)
    return {"headers": headers, "code": dossier["code"], "desk": staff(client, "mot_cua", role="Desk")}


def record(client, submitted, headers=None, **body):
    body = {"method": "cash", "receipt_number": "BL-2026-0001", **body}
    return client.post(f"/api/v1/dossiers/{submitted['code']}/payments/desk",
                       headers=headers or submitted["desk"], json=body)


def summary(client, submitted) -> dict:
    return client.get(f"/api/v1/dossiers/{submitted['code']}", headers=submitted["headers"]).get_json()["payment"]


def history(client, submitted) -> list[dict]:
    return client.get(f"/api/v1/dossiers/{submitted['code']}/history", headers=submitted["headers"]).get_json()


def test_the_desk_records_a_cash_payment_with_its_receipt_number(client, submitted):
    assert summary(client, submitted) == {"status": "unpaid", "amount": FEE, "gateway": None}
    response = record(client, submitted, amount=FEE)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["gateway"], body["amount"], body["receipt_number"]) == (
        "paid", "desk", FEE, "BL-2026-0001")
    assert body["paid_at"] and body["receipt_url"] is None
    assert summary(client, submitted) == {"status": "paid", "amount": FEE, "gateway": "desk"}
    entry = history(client, submitted)[-1]
    assert entry["action"] == "payment" and entry["actor"] == "Cán bộ mot_cua"
    assert entry["comment"] == ("Đã nộp 50.000 đồng tại Bộ phận Một cửa bằng tiền mặt, "
                                "biên lai số BL-2026-0001.")
    again = record(client, submitted, method="transfer", receipt_number="BL-2026-0002")
    assert again.status_code == 409
    assert again.get_json()["message"] == f"Phí, lệ phí của hồ sơ {submitted['code']} đã được thanh toán."


def test_a_transfer_is_named_in_the_history(client, submitted):
    assert record(client, submitted, method="transfer", receipt_number="  UNC   123  ").status_code == 201
    assert history(client, submitted)[-1]["comment"].endswith("bằng chuyển khoản, biên lai số UNC 123.")


@pytest.mark.parametrize("body, errors", [
    ({"method": "card"}, {"method": ["Không nằm trong các lựa chọn cho phép."]}),
    ({"receipt_number": "  "}, {"receipt_number": ["Vui lòng nhập số biên lai."]}),
    ({"receipt_number": "x" * 65}, {"receipt_number": ["Tối đa 64 ký tự."]}),
    ({"amount": FEE - 1}, {"amount": ["Phí, lệ phí của hồ sơ này là 50.000 đồng."]}),
])
def test_bad_desk_payments_are_refused_in_vietnamese(client, submitted, body, errors):
    response = record(client, submitted, **body)
    assert response.status_code == 422
    assert response.get_json()["message"] == "Yêu cầu thanh toán không hợp lệ."
    assert response.get_json()["errors"] == errors
    assert summary(client, submitted)["status"] == "unpaid"


def test_only_the_desk_of_the_agency_records_payments(client, submitted):
    officer = staff(client, "chuyen_vien", role="Officer")
    response = record(client, submitted, headers=officer)
    assert response.status_code == 403
    assert response.get_json()["message"] == ("Chỉ Bộ phận Một cửa của cơ quan tiếp nhận hồ sơ "
                                              "được ghi nhận thanh toán.")
    assert record(client, submitted, headers=submitted["headers"]).status_code == 403, "not the applicant"
    other_desk = staff(client, "mot_cua_hk", role="Desk", agency=HOAN_KIEM)
    assert record(client, submitted, headers=other_desk).status_code == 404, "another agency's dossier"
    assert summary(client, submitted)["status"] == "unpaid"


def test_a_refund_makes_a_paid_payment_refunded(client, submitted):
    payment_id = record(client, submitted).get_json()["id"]
    url = f"/api/v1/dossiers/{submitted['code']}/payments/{payment_id}/refund"
    missing = client.post(url, headers=submitted["desk"], json={"reason": ""})
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == {"reason": ["Vui lòng nêu lý do hoàn trả."]}
    assert client.post(url, headers=submitted["headers"], json={"reason": "x"}).status_code == 403
    response = client.post(url, headers=submitted["desk"], json={"reason": "Hồ sơ bị từ chối tiếp nhận"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "refunded" and body["status_label"] == "Đã hoàn trả" and body["refunded_at"]
    assert summary(client, submitted)["status"] == "refunded"
    entry = history(client, submitted)[-1]
    assert entry["action"] == "refund" and entry["comment"] == "Đã hoàn trả 50.000 đồng: Hồ sơ bị từ chối tiếp nhận"
    twice = client.post(url, headers=submitted["desk"], json={"reason": "lần nữa"})
    assert twice.status_code == 409
    assert twice.get_json()["message"] == ("Chỉ hoàn trả được phí, lệ phí đã thanh toán; "
                                           "giao dịch này: Đã hoàn trả.")
    unknown = client.post(f"/api/v1/dossiers/{submitted['code']}/payments/999/refund",
                          headers=submitted["desk"], json={"reason": "x"})
    assert unknown.status_code == 404
    listed = client.get(f"/api/v1/dossiers/{submitted['code']}/payments", headers=submitted["headers"])
    assert [p["status"] for p in listed.get_json()] == ["refunded"]


def test_an_admin_records_refunds_too(client, submitted):
    payment_id = record(client, submitted).get_json()["id"]
    admin = staff(client, "quan_tri", role="Admin", agency=None)
    url = f"/api/v1/dossiers/{submitted['code']}/payments/{payment_id}/refund"
    assert client.post(url, headers=admin, json={"reason": "Thu trùng"}).status_code == 200
