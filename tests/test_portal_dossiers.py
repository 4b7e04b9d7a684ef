"""The citizen's own pages: the list of their dossiers, and a dossier's page
with what happened to it and the documents they may download, the result
first among them (level 4: the result online)."""
from __future__ import annotations

import io

from tests.helpers import BA_DINH, login, staff, submit_birth
from tests.test_portal import PASSWORD, signed_in
from tests.test_results import result_pdf


def act(client, headers, code, action, **body):
    response = client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_citizen_lists_their_dossiers_and_downloads_the_result(app, client, library, birth_package):
    browser = signed_in(app)
    owner = login(client, "001090012345", PASSWORD)
    code = submit_birth(client, owner, birth_package)["code"]
    other = signed_in(app, "001190054321")

    assert "/dich-vu/ho-so" in browser.get("/").get_data(as_text=True)  # from the home page
    listing = browser.get("/dich-vu/ho-so")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "Hồ sơ của tôi" in page and code in page and "Mới đăng ký, chờ tiếp nhận" in page
    assert code not in other.get("/dich-vu/ho-so").get_data(as_text=True)

    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    leader = staff(client, "lanh_dao", "Leader", BA_DINH)
    officer = staff(client, "cong_chuc", "Officer", BA_DINH)
    act(client, desk, code, "receive")
    act(client, leader, code, "assign", assignee="cong_chuc")
    act(client, officer, code, "forward", comment="Đủ điều kiện")
    result = result_pdf("TRICH LUC KHAI SINH")
    approved = client.post(f"/api/v1/dossiers/{code}/actions", headers=leader, data={
        "action": "approve", "results": [(io.BytesIO(result), "trich-luc-khai-sinh.pdf")]},
        content_type="multipart/form-data")
    assert approved.status_code == 200, approved.get_json()

    page = browser.get(f"/dich-vu/ho-so/{code}").get_data(as_text=True)
    assert "Đã xử lý xong" in page
    # what happened, in the applicant's words, without who inside the agency acted
    for label in ("Nộp hồ sơ", "Tiếp nhận hồ sơ", "Phân công xử lý", "Phê duyệt kết quả"):
        assert label in page
    assert "mot_cua" not in page and "cong_chuc" not in page
    # the documents: the filled form, the receipt and the result, not the control sheet
    assert f"/api/v1/dossiers/{code}/documents/result.pdf" in page
    assert f"/api/v1/dossiers/{code}/documents/receipt.pdf" in page
    assert "control_sheet" not in page
    download = browser.get(f"/api/v1/dossiers/{code}/documents/result.pdf")
    assert download.status_code == 200 and download.data == result
    # another citizen sees neither the page nor the result
    assert other.get(f"/dich-vu/ho-so/{code}").status_code == 404
    assert other.get(f"/api/v1/dossiers/{code}/documents/result.pdf").status_code == 404


def test_the_submitted_banner_shows_only_right_after_submitting(app, client, library, birth_package):
    browser = signed_in(app)
    code = submit_birth(client, login(client, "001090012345", PASSWORD), birth_package)["code"]
    assert "Hồ sơ của bạn đã được nộp" not in browser.get(f"/dich-vu/ho-so/{code}").get_data(as_text=True)
    assert "Hồ sơ của bạn đã được nộp" in browser.get(f"/dich-vu/ho-so/{code}?moi=1").get_data(as_text=True)


def test_my_dossiers_needs_a_sign_in_and_pages(app, client, library, birth_package):
    response = app.test_client().get("/dich-vu/ho-so")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    browser = signed_in(app)
    owner = login(client, "001090012345", PASSWORD)
    codes = [submit_birth(client, owner, birth_package)["code"] for _ in range(21)]
    first = browser.get("/dich-vu/ho-so").get_data(as_text=True)
    second = browser.get("/dich-vu/ho-so?trang=2").get_data(as_text=True)
    assert codes[-1] in first and codes[0] not in first  # newest first, 20 a page
    assert codes[0] in second and codes[-1] not in second
    assert browser.get("/dich-vu/ho-so?trang=abc").status_code == 200
