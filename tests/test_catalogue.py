"""The public catalogue."""
from __future__ import annotations

import pytest

from builder.extensions import db
from builder.forms.package import import_package
from tests.helpers import BIRTH_CODE


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "Đăng ký"])
def test_search_ignores_diacritics_and_case(client, library, query):
    body = client.get("/api/v1/procedures", query_string={"q": query}).get_json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "code": BIRTH_CODE, "name": "Đăng ký khai sinh", "level": 4, "agency_code": "000.00.00.H26",
        "agency_name": "Ủy ban nhân dân Thành phố Hà Nội", "field": "Hộ tịch", "online": "full"}


def test_filters_by_agency_and_level(client, library, app, birth_package):
    with app.app_context():
        import_package(db.session, dict(birth_package, code="TEST.HCM", name="Đăng ký kết hôn",
                                        agency_code="000.00.00.H29", level=2))
        db.session.commit()
    assert client.get("/api/v1/procedures?agency=000.00.00.H29").get_json()["count"] == 1
    assert client.get("/api/v1/procedures?level=4").get_json()["items"][0]["code"] == BIRTH_CODE
    assert client.get("/api/v1/procedures?q=khai+sinh&level=2").get_json()["count"] == 0
    assert client.get("/api/v1/procedures?q=100%25").get_json()["count"] == 0  # % is literal


def test_procedure_detail_carries_the_form(client, library, birth_package):
    body = client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()
    assert body["version"] == 1
    assert body["processing_time"] == {"value": 1, "unit": "working_days"}
    assert body["form"]["schema"]["title"] == "Tờ khai đăng ký khai sinh"
    assert [c["id"] for c in body["components"]][0] == "birth_certificate"
    assert client.get("/api/v1/procedures/NO.SUCH").status_code == 404


def test_drafts_are_not_in_the_catalogue(client, app, birth_package):
    from builder.forms.package import save_draft

    with app.app_context():
        save_draft(db.session, birth_package)
        db.session.commit()
    assert client.get("/api/v1/procedures").get_json()["count"] == 0
    assert client.get(f"/api/v1/procedures/{BIRTH_CODE}").status_code == 404


def test_publishing_freezes_a_version(client, library, app, birth_package):
    from builder.forms.package import publish, save_draft

    changed = dict(birth_package, name="Đăng ký khai sinh (sửa đổi)")
    with app.app_context():
        procedure = save_draft(db.session, changed)
        assert publish(db.session, procedure).number == 2
        assert publish(db.session, procedure).number == 2  # nothing new to publish
        db.session.commit()
        first = procedure.versions[0]
        assert first.package["name"] == "Đăng ký khai sinh"
    assert client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()["version"] == 2


def test_portal_pages(client, library):
    home = client.get("/?q=khai+sinh")
    assert home.status_code == 200
    assert "Đăng ký khai sinh" in home.get_data(as_text=True)
    page = client.get(f"/dich-vu/{BIRTH_CODE}").get_data(as_text=True)
    assert "Giấy chứng sinh" in page and "ngày làm việc" in page and "bản chính" in page
    assert client.get("/dich-vu/NO.SUCH").status_code == 404
    missing = client.get("/dich-vu/tra-cuu?code=nothing").get_data(as_text=True)
    assert "Không có hồ sơ nào mang mã này." in missing


def test_a_package_keeps_the_order_of_its_fields(client, library, birth_package):
    """PostgreSQL's JSONB would sort the keys: the form's fields would move."""
    schema = client.get(f"/api/v1/procedures/{BIRTH_CODE}").get_json()["form"]["schema"]
    assert list(schema["properties"]) == list(birth_package["form"]["schema"]["properties"])
    child = schema["properties"]["child"]["properties"]
    assert list(child) == list(birth_package["form"]["schema"]["properties"]["child"]["properties"])
