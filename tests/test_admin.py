"""The back office (Flask-AppBuilder): officers see their agency's dossiers."""
from __future__ import annotations

from tests.helpers import BA_DINH, HOAN_KIEM, citizen, staff, submit_birth


def browser_login(app, username, password="mat-khau-can-bo"):
    browser = app.test_client()
    response = browser.post("/login/", data={"username": username, "password": password},
                            follow_redirects=True)
    assert response.status_code == 200
    return browser


def test_officer_sees_the_dossier_in_the_admin(app, client, library, birth_package):
    code = submit_birth(client, citizen(client), birth_package)["code"]
    staff(client, "cb_ba_dinh", "Officer", BA_DINH)
    staff(client, "cb_hoan_kiem", "Officer", HOAN_KIEM)
    officer = browser_login(app, "cb_ba_dinh")
    listing = officer.get("/dossierview/list/").get_data(as_text=True)
    assert code in listing and "Nguyễn Văn Hùng" in listing
    assert "Mới đăng ký, chờ tiếp nhận" in listing
    show = officer.get("/dossierview/show/1").get_data(as_text=True)
    assert "Nguyễn Minh Khôi" in show  # the form data, labelled
    assert "Họ, chữ đệm, tên" in show
    other = browser_login(app, "cb_hoan_kiem")
    assert code not in other.get("/dossierview/list/").get_data(as_text=True)
    assert other.get("/dossierview/show/1").status_code in (302, 404)


def test_a_citizen_cannot_open_the_back_office(app, client, library):
    citizen(client)
    browser = app.test_client()
    browser.post("/login/", data={"username": "001090012345", "password": "mat-khau-123"})
    response = browser.get("/dossierview/list/")
    assert response.status_code == 403  # no permission on the view
