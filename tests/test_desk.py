"""The desk registers a paper dossier, scans it in and prints the receipt."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from tests.conftest import pdf_text
from tests.helpers import BA_DINH, BIRTH_CODE, MINIMAL_PDF, citizen, staff

PAPER = {"procedure": BIRTH_CODE,
         "applicant": {"name": "Lê Thị Mai", "id_number": "001185000321", "phone": "0987654321"},
         "components": ["birth_certificate", "marriage_certificate"], "delivery": {"method": "desk"}}
# Monday 16 Nov 2026, 16:00 in Hà Nội: after the 15:00 cut-off
AFTER_CUTOFF = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


def test_the_desk_registers_a_paper_dossier(client, library, monkeypatch, tmp_path):
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    monkeypatch.setattr("builder.process.desk.utcnow", lambda: AFTER_CUTOFF)
    response = client.post("/api/v1/desk/dossiers", headers=desk, json=PAPER)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == 2 and body["channel"] == "desk" and body["code"].startswith(BA_DINH)
    # received after 15:00: the clock starts Tuesday 07:30; 1 working day → due Tuesday 17:00
    assert body["due_at"] == "2026-11-17T10:00:00+00:00"
    scan = client.post(f"/api/v1/dossiers/{body['code']}/attachments", headers=desk, data={
        "component": "birth_certificate", "file": (io.BytesIO(MINIMAL_PDF), "scan-giay-chung-sinh.pdf")})
    assert scan.status_code == 201, scan.get_json()
    documents = {d["kind"]: d for d in client.get(f"/api/v1/dossiers/{body['code']}/documents",
                                                  headers=desk).get_json()}
    text = pdf_text(client.get(documents["receipt"]["url"], headers=desk).data, tmp_path)
    assert "Lê Thị Mai" in text and "Giấy chứng nhận kết hôn" in text
    assert "Tại Bộ phận Một cửa" in text
    history = client.get(f"/api/v1/dossiers/{body['code']}/history", headers=desk).get_json()
    assert [(h["action"], h["to_status"]) for h in history] == [("submit", 1), ("receive", 2)]
    assert client.get(f"/api/v1/lookup/{body['code']}").get_json()["status"] == 2


def test_paper_dossiers_need_their_components_and_the_desk(client, library):
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    missing = client.post("/api/v1/desk/dossiers", headers=desk, json={**PAPER, "components": []})
    assert missing.status_code == 422
    assert list(missing.get_json()["errors"]) == ["components.birth_certificate"]
    bad = client.post("/api/v1/desk/dossiers", headers=desk, json={
        **PAPER, "applicant": {"name": "", "id_number": "12"}, "data": {"child": {}}})
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert {"applicant.name", "applicant.id_number", "data.child.full_name"} <= set(errors)
    officer = staff(client, "cong_chuc", "Officer", BA_DINH)
    assert client.post("/api/v1/desk/dossiers", headers=officer, json=PAPER).status_code == 403
    assert client.post("/api/v1/desk/dossiers", headers=citizen(client), json=PAPER).status_code == 403


def test_the_register_of_the_year(client, library, birth_package, tmp_path):
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    code = client.post("/api/v1/desk/dossiers", headers=desk, json=PAPER).get_json()["code"]
    year = int("20" + code.split("-")[1][:2])
    assert client.get(f"/api/v1/desk/register/{year}.pdf", headers=desk).status_code == 404
    asked = client.post("/api/v1/desk/register", headers=desk, json={"year": year})
    assert asked.status_code == 202  # printed by a worker (here, in the process)
    pdf = client.get(asked.get_json()["url"], headers=desk)
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    assert f"SỔ THEO DÕI HỒ SƠ NĂM {year}" in text and code in text and "Lê Thị Mai" in text
    assert client.post("/api/v1/desk/register", headers=desk, json={"year": "2026"}).status_code == 422


def test_the_desk_page_registers_and_scans(client, app, library, tmp_path):
    from tests.test_admin import browser_login

    staff(client, "mot_cua", "Desk", BA_DINH)
    browser = browser_login(app, "mot_cua")
    page = browser.get(f"/mot-cua/tiep-nhan?procedure={BIRTH_CODE}").get_data(as_text=True)
    assert "Giấy chứng sinh" in page and 'type="file"' in page
    missing = browser.post("/mot-cua/tiep-nhan", data={
        "procedure": BIRTH_CODE, "register": "1", "name": "Lê Thị Mai"}, follow_redirects=True)
    assert "components.birth_certificate" in missing.get_data(as_text=True)
    done = browser.post("/mot-cua/tiep-nhan", data={
        "procedure": BIRTH_CODE, "register": "1", "name": "Lê Thị Mai", "id_number": "001185000321",
        "components": ["birth_certificate"], "delivery": "desk",
        "scan-birth_certificate": (io.BytesIO(MINIMAL_PDF), "scan.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Đã tiếp nhận" in text and "scan.pdf" in text and "Được tiếp nhận" in text


# --- a result sent by post: the postal address -----------------------------------

POSTAL = {"province": "01", "commune": "00025", "street": "Số 7 phố Giảng Võ", "phone": "0987654321"}


def test_a_paper_dossier_whose_result_goes_by_post_needs_its_address(app, client, library):
    from sqlalchemy import select

    from builder.delivery import request_order
    from builder.extensions import db
    from builder.models import Dossier
    from builder.providers.delivery import TO_APPLICANT

    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    missing = client.post("/api/v1/desk/dossiers", headers=desk, json={**PAPER, "delivery": {"method": "post"}})
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == {"delivery.address": ["Hãy nhập địa chỉ nhận bưu gửi."]}
    elsewhere = client.post("/api/v1/desk/dossiers", headers=desk, json={
        **PAPER, "delivery": {"method": "post", "address": {**POSTAL, "commune": "26734"}}})  # in HCMC
    assert elsewhere.status_code == 422
    assert list(elsewhere.get_json()["errors"]) == ["delivery.address.commune"]
    collected = client.post("/api/v1/desk/dossiers", headers=desk, json={
        **PAPER, "delivery": {"method": "desk", "address": POSTAL, "dossier_by_post": True}})
    assert collected.status_code == 422  # the paper dossier is at the desk already
    assert list(collected.get_json()["errors"]) == ["delivery.dossier_by_post"]
    with app.app_context():
        assert db.session.scalar(select(Dossier)) is None  # nothing half-saved

    response = client.post("/api/v1/desk/dossiers", headers=desk, json={
        **PAPER, "delivery": {"method": "post", "address": POSTAL}})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["delivery"]["address"] == POSTAL
    with app.app_context():  # the result's postal order goes to that address, to the applicant
        dossier_id = db.session.scalar(select(Dossier.id))
        order = request_order(dossier_id, TO_APPLICANT)
        assert order.receiver["address"] == "Số 7 phố Giảng Võ, Phường Giảng Võ, Thành phố Hà Nội"
        assert order.receiver["name"] == "Lê Thị Mai" and order.receiver["phone"] == "0987654321"
        assert (order.receiver["province_code"], order.receiver["commune_code"]) == ("01", "00025")


def test_the_desk_page_takes_the_postal_address(client, app, library):
    from tests.test_admin import browser_login
    from sqlalchemy import select

    from builder.extensions import db
    from builder.models import Dossier

    staff(client, "mot_cua", "Desk", BA_DINH)
    browser = browser_login(app, "mot_cua")
    page = browser.get(f"/mot-cua/tiep-nhan?procedure={BIRTH_CODE}").get_data(as_text=True)
    box = page[page.index('<fieldset id="delivery-address"'):]
    assert 'id="delivery-address-province"' in box and 'name="delivery-address-street"' in box
    assert "Chỉ dùng khi trả kết quả qua bưu chính" in box  # always there without JavaScript
    assert """data-show-if='[["delivery", "post"]]'""" in box.replace("&#34;", '"')
    assert "/dich-vu/don-vi-hanh-chinh.json" in page

    paper = {"procedure": BIRTH_CODE, "name": "Lê Thị Mai", "components": ["birth_certificate"],
             "delivery": "post", "delivery-address-province": "01", "delivery-address-street": "Số 7 phố Giảng Võ"}
    # without JavaScript: "Chọn" lists the province's communes and keeps what was typed
    chosen = browser.post("/mot-cua/tiep-nhan", data={**paper, "choose_province": "delivery-address"})
    html = chosen.get_data(as_text=True)
    commune = html[html.index('id="delivery-address-commune"'):]
    assert "Phường Giảng Võ" in commune[:commune.index("</select>")]
    assert 'value="Số 7 phố Giảng Võ"' in html and 'value="post" selected' in html
    # a commune of another province: said at the commune, nothing registered
    wrong = browser.post("/mot-cua/tiep-nhan", data={**paper, "register": "1",
                                                       "delivery-address-commune": "26734"})
    html = wrong.get_data(as_text=True)
    commune = html[html.index('id="delivery-address-commune"'):]
    assert "Xã/phường không thuộc tỉnh/thành phố đã chọn." in commune[:commune.index("</div>")]
    assert 'value="Số 7 phố Giảng Võ"' in html
    with app.app_context():
        assert db.session.scalar(select(Dossier)) is None

    done = browser.post("/mot-cua/tiep-nhan", data={**paper, "register": "1",
                                                      "delivery-address-commune": "00025",
                                                      "delivery-address-name": "Nguyễn Văn An"})
    assert done.status_code == 302, done.get_data(as_text=True)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert dossier.delivery == {"method": "post", "address": {
            "province": "01", "commune": "00025", "street": "Số 7 phố Giảng Võ", "name": "Nguyễn Văn An"}}
