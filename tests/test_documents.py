"""The one-stop documents an action issues, printed by the workers."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.conftest import fonts_drawing_text, pdf_text
from tests.helpers import BA_DINH, citizen, staff, submit_birth

MONDAY_9 = datetime(2026, 11, 16, 2, 0, tzinfo=timezone.utc)


def act(client, headers, code, action, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})


def document(client, headers, code, kind, tmp_path) -> str:
    listing = {d["kind"]: d for d in client.get(f"/api/v1/dossiers/{code}/documents", headers=headers).get_json()}
    assert listing[kind]["ready"], listing
    pdf = client.get(listing[kind]["url"], headers=headers).data
    assert fonts_drawing_text(pdf) <= {"DejaVuSans", "DejaVuSans-Bold"}
    return " ".join(pdf_text(pdf, tmp_path).split())


def test_supplement_refusal_apology_and_control_sheet(client, library, birth_package, monkeypatch, tmp_path):
    owner = citizen(client)
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    leader = staff(client, "lanh_dao", "Leader", BA_DINH)
    staff(client, "cong_chuc", "Officer", BA_DINH)
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9)

    first = submit_birth(client, owner, birth_package)["code"]
    assert act(client, desk, first, "request_supplement",
               comment="Bản chính Giấy chứng sinh do cơ sở y tế cấp").status_code == 200
    text = document(client, owner, first, "supplement_request", tmp_path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Bản chính Giấy chứng sinh do cơ sở y tế cấp" in text and first in text

    second = submit_birth(client, owner, birth_package)["code"]
    assert act(client, desk, second, "refuse", comment="Trẻ đã được đăng ký khai sinh tại nơi khác").status_code == 200
    text = document(client, owner, second, "refusal", tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Trẻ đã được đăng ký khai sinh tại nơi khác" in text

    third = submit_birth(client, owner, birth_package)["code"]
    assert act(client, desk, third, "receive").status_code == 200  # due Tuesday 17/11 09:00
    assert act(client, leader, third, "assign", assignee="cong_chuc").status_code == 200
    officer = client.post("/api/v1/security/login", json={
        "username": "cong_chuc", "password": "mat-khau-can-bo", "provider": "db"}).get_json()["access_token"]
    officer = {"Authorization": f"Bearer {officer}"}
    too_early = act(client, officer, third, "apologize", new_due_date="2026-11-17", comment="x")
    assert too_early.status_code == 422  # not after the current due date
    sorry = act(client, officer, third, "apologize", new_due_date="2026-11-20",
                comment="Cần xác minh thông tin nơi sinh với bệnh viện")
    assert sorry.status_code == 200, sorry.get_json()
    assert sorry.get_json()["due_at"] == "2026-11-20T10:00:00+00:00"  # 17:00 in Hà Nội
    again = act(client, officer, third, "apologize", new_due_date="2026-11-23", comment="y")
    assert again.status_code == 409  # only once
    text = document(client, owner, third, "apology", tmp_path)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "09 giờ 00 phút, ngày 17/11/2026" in text and "17 giờ 00 phút, ngày 20/11/2026" in text
    assert "Cần xác minh thông tin nơi sinh với bệnh viện" in text

    sheet = document(client, owner, third, "control_sheet", tmp_path)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in sheet
    for step in ("Nộp hồ sơ", "Tiếp nhận hồ sơ", "Phân công xử lý", "Xin lỗi, hẹn lại"):
        assert step in sheet, step


def test_an_apology_must_come_a_working_day_early(client, library, birth_package, monkeypatch):
    owner = citizen(client)
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    officer = staff(client, "cong_chuc", "Officer", BA_DINH)
    code = submit_birth(client, owner, birth_package)["code"]
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: MONDAY_9)
    act(client, desk, code, "receive")  # due Tuesday 17/11
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: datetime(2026, 11, 17, 1, 0, tzinfo=timezone.utc))
    late = act(client, officer, code, "apologize", new_due_date="2026-11-20", comment="Chậm")
    assert late.status_code == 409
    assert "một ngày làm việc" in late.get_json()["message"]


def test_an_admin_edits_a_document_template(client, app, library, birth_package, tmp_path):
    from sqlalchemy import func, select

    from builder.documents.render import TEMPLATE_DIR
    from builder.extensions import db
    from builder.models import DocumentTemplate
    from tests.test_admin import browser_login

    staff(client, "quan_tri", "Admin", None)
    admin = browser_login(app, "quan_tri")
    broken = admin.post("/documenttemplateview/add", data={"name": "refusal.html", "html": "{% if %}"},
                        follow_redirects=True)
    assert "TemplateSyntaxError" in broken.get_data(as_text=True)
    unknown = admin.post("/documenttemplateview/add", data={"name": "../../etc/passwd", "html": "x"},
                         follow_redirects=True)
    assert "Không có mẫu nào mang tên này." in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(DocumentTemplate.id))) == 0
    edited = (TEMPLATE_DIR / "refusal.html").read_text("utf-8").replace(
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ (MẪU CỦA PHƯỜNG)")
    saved = admin.post("/documenttemplateview/add", data={"name": "refusal.html", "html": edited},
                       follow_redirects=True)
    assert saved.status_code == 200
    owner = citizen(client)
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    code = submit_birth(client, owner, birth_package)["code"]
    act(client, desk, code, "refuse", comment="Sai thẩm quyền")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ (MẪU CỦA PHƯỜNG)" in document(client, owner, code, "refusal", tmp_path)
    # the sandbox: a template cannot reach Python's internals
    from builder.documents.render import _sandbox
    import jinja2.exceptions
    import pytest

    with pytest.raises(jinja2.exceptions.SecurityError):
        _sandbox().from_string("{{ ''.__class__.__mro__ }}").render()
