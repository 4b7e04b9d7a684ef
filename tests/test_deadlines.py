"""Due dates in the engine and through the API come from the agency's calendar."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from builder.extensions import db
from builder.models import Agency, AgencyCalendarDay
from tests.helpers import BA_DINH, citizen, staff, submit_birth

# Wednesday 3 February 2027, 10:00 in Hà Nội; Tết 2027 closes offices Thu 4 – Wed 10 Feb
BEFORE_TET = datetime(2027, 2, 3, 3, 0, tzinfo=timezone.utc)


def test_calendar_api_crosses_tet(client):
    response = client.get("/api/v1/calendar/due", query_string={
        "agency": BA_DINH, "start": "2027-02-03T03:00:00Z", "value": 1, "unit": "working_days"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"due_at": "2027-02-11T03:00:00+00:00",
                                   "working_days": ["2027-02-03", "2027-02-11"]}


def test_an_agency_day_off_moves_the_due_date(client, app):
    with app.app_context():
        agency = db.session.query(Agency).filter_by(code=BA_DINH).one()
        db.session.add(AgencyCalendarDay(agency_id=agency.id, day=date(2027, 2, 11), kind="off",
                                         note="Nghỉ bù theo quyết định của UBND phường"))
        db.session.commit()
    body = client.get("/api/v1/calendar/due", query_string={
        "agency": BA_DINH, "start": "2027-02-03T03:00:00Z", "value": 1}).get_json()
    assert body["due_at"] == "2027-02-12T03:00:00+00:00"
    # the agency's own day off does not touch another commune
    other = client.get("/api/v1/calendar/due", query_string={
        "agency": "000.01.02.H26", "start": "2027-02-03T03:00:00Z", "value": 1}).get_json()
    assert other["due_at"] == "2027-02-11T03:00:00+00:00"


@pytest.mark.parametrize("query, status", [
    ({"start": "yesterday", "value": 1}, 400),
    ({"start": "2027-02-03T10:00:00", "value": 1}, 400),  # no time zone
    ({"start": "2027-02-03T03:00:00Z", "value": "x"}, 400),
    ({"start": "2027-02-03T03:00:00Z", "value": 1, "unit": "weeks"}, 400),
    ({"start": "2027-02-03T03:00:00Z", "value": -1}, 400),
    ({"start": "2027-02-03T03:00:00Z", "value": 1, "agency": "000.99.99.H99"}, 404),
])
def test_calendar_api_refuses_bad_queries(client, query, status):
    response = client.get("/api/v1/calendar/due", query_string=query)
    assert response.status_code == status
    assert response.get_json()["message"]


def test_receiving_sets_the_due_dates(client, library, birth_package, monkeypatch):
    owner = citizen(client)
    code = submit_birth(client, owner, birth_package)["code"]
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: BEFORE_TET)
    body = client.post(f"/api/v1/dossiers/{code}/actions", headers=desk,
                       json={"action": "receive"}).get_json()
    assert body["received_at"] == "2027-02-03T03:00:00+00:00"
    # the procedure: 1 working day; the processing step: half a day
    assert body["due_at"] == "2027-02-11T03:00:00+00:00"
    assert body["step_due_at"] == "2027-02-03T08:45:00+00:00"  # 15:45 the same day


def test_the_receipt_is_printed_with_codes_and_the_promised_date(client, library, birth_package,
                                                                 monkeypatch, tmp_path):
    from tests.conftest import fonts_drawing_text, pdf_text

    owner = citizen(client)
    code = submit_birth(client, owner, birth_package)["code"]
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: BEFORE_TET)
    client.post(f"/api/v1/dossiers/{code}/actions", headers=desk, json={"action": "receive"})
    documents = client.get(f"/api/v1/dossiers/{code}/documents", headers=owner).get_json()
    assert [(d["kind"], d["ready"]) for d in documents] == [
        ("form", True), ("receipt", True), ("control_sheet", True)]
    pdf = client.get(documents[1]["url"], headers=owner).data
    text = pdf_text(pdf, tmp_path)
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {code}",
                     "Nguyễn Văn Hùng", "001090012345", "Đăng ký khai sinh",
                     "Giấy chứng sinh", "Bản chính", "Không thu phí, lệ phí", "1 ngày làm việc",
                     "10 giờ 00 phút, ngày 03/02/2027", "10 giờ 00 phút, ngày 11/02/2027",
                     "Trả kết quả trực tuyến", "Cán bộ mot_cua"):
        assert expected in text, expected
    assert fonts_drawing_text(pdf) == {"DejaVuSans", "DejaVuSans-Bold"}
    from pypdf import PdfReader
    import io

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert round(float(page.mediabox.width)) == 420  # A5: 148 mm
    assert len(page.images) == 2  # the barcode and the QR code


def test_a_supplement_restarts_the_clock_from_zero(client, library, birth_package, monkeypatch):
    owner = citizen(client)
    code = submit_birth(client, owner, birth_package)["code"]
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    officer = staff(client, "cong_chuc", "Officer", BA_DINH)
    clock = {"now": datetime(2026, 11, 16, 2, 0, tzinfo=timezone.utc)}  # Monday 09:00
    monkeypatch.setattr("builder.process.engine.utcnow", lambda: clock["now"])

    def act(headers, action, **body):
        response = client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert act(desk, "receive")["due_at"] == "2026-11-17T02:00:00+00:00"  # Tuesday 09:00
    clock["now"] = datetime(2026, 11, 16, 3, 0, tzinfo=timezone.utc)  # Monday 10:00
    act(officer, "request_supplement", comment="Bổ sung giấy chứng sinh bản chính")
    clock["now"] = datetime(2026, 11, 18, 7, 0, tzinfo=timezone.utc)  # Wednesday 14:00
    # complete again: a whole working day from Wednesday 14:00 is Thursday 14:00
    assert act(owner, "supplement")["due_at"] == "2026-11-19T07:00:00+00:00"


def test_office_hours_per_agency(client, app):
    from builder.extensions import db as _db
    from builder.models import Agency as _Agency

    def due(agency):
        return client.get("/api/v1/calendar/due", query_string={
            "agency": agency, "start": "2026-11-16T02:00:00Z", "value": 4, "unit": "hours"}).get_json()["due_at"]

    # national hours 07:30-11:30 and 13:30-17:00: Monday 09:00 + 4 office hours = 15:00
    assert due(BA_DINH) == "2026-11-16T08:00:00+00:00"
    with app.app_context():
        province = _db.session.query(_Agency).filter_by(code="000.00.00.H26").one()
        province.office_hours = "08:00-12:00, 13:00-17:00"
        _db.session.commit()
    # the communes follow their province: 09:00-12:00 then 13:00-14:00
    assert due(BA_DINH) == "2026-11-16T07:00:00+00:00"
    assert due("000.01.02.H26") == "2026-11-16T07:00:00+00:00"
    assert due("000.00.00.H29") == "2026-11-16T08:00:00+00:00"  # another province keeps the national hours


def test_office_hours_are_checked_in_the_admin(client, app):
    from tests.test_admin import browser_login

    staff(client, "quan_tri", "Admin", None)
    admin = browser_login(app, "quan_tri")
    page = admin.post("/agencyview/edit/3", data={"code": BA_DINH, "name": "Ủy ban nhân dân Phường Ba Đình",
                                                  "level": "commune", "office_hours": "17:00-08:00"},
                      follow_redirects=True)
    assert "Giờ làm việc phải có dạng" in page.get_data(as_text=True)
