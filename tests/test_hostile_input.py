"""Input that once made a 500, found by fuzzing the OpenAPI document with
schemathesis: digits ``int`` refuses ("²"), numbers no column holds, dates
and durations ``datetime`` cannot represent, bodies that are not objects,
the NUL character PostgreSQL refuses, the stock sign-in views. Each now
answers 4xx with a message in Vietnamese, and saves nothing."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

import builder.forms
from builder.extensions import db
from builder.inputs import MAX_ROW_ID, calendar_date, holds_nul, instant, whole_number
from builder.models import Dossier
from builder.process.calendar import MAX_DURATION
from tests.helpers import BIRTH_CODE, citizen, example_data, login, register_citizen, staff
from tests.test_admin import browser_login
from tests.test_api_errors import counts, is_vietnamese


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    payload = response.get_json()
    assert is_vietnamese(payload["message"]), payload
    return payload


# --- the helpers ------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("12", 12), (" 7 ", 7), ("0", 0), (str(MAX_ROW_ID), MAX_ROW_ID),
    ("²", None), ("¹2", None), ("٣", None), ("-1", None), ("1.5", None), ("", None), ("1e3", None),
    (str(MAX_ROW_ID + 1), None), ("9" * 40, None), (12, None), (None, None),
])
def test_whole_numbers_are_ascii_digits_within_a_column(text, number):
    assert whole_number(text) == number


def test_whole_numbers_obey_their_maximum():
    assert whole_number("10", maximum=10) == 10
    assert whole_number("11", maximum=10) is None


@pytest.mark.parametrize("text, ok", [
    ("2026-12-03", True), ("1900-01-01", True), ("2999-12-31", True),
    ("0001-01-01", False), ("1899-12-31", False), ("9999-12-31", False), ("2026-13-01", False), ("", False),
])
def test_calendar_dates_stay_within_the_years_the_product_deals_in(text, ok):
    assert (calendar_date(text) is not None) is ok
    assert (instant(f"{text}T08:00:00+07:00") is not None) is ok


def test_an_instant_needs_its_time_zone():
    assert instant("2026-12-03T08:00:00Z").utcoffset().total_seconds() == 0
    assert instant("2026-12-03T08:00:00") is None


def test_nul_is_found_anywhere_in_a_json_value():
    assert holds_nul({"a": [1, {"b": "x\x00"}]})
    assert holds_nul({"k\x00": 1})
    assert not holds_nul({"a": [1, {"b": "x\\u0000"}], "c": None})


# --- the API ------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"[null, null]", b"true", b'"001090012345"', b"null"])
def test_registering_with_a_body_that_is_no_object_is_422(app, client, body):
    before = counts(app)
    payload = refused(client.post("/api/v1/citizens", data=body, content_type="application/json"), 422)
    assert payload["errors"] == {"": ["Phải là một nhóm trường."]}
    assert counts(app) == before


@pytest.mark.parametrize("path, message", [
    ("/api/v1/dossiers/¹", "Không tìm thấy hồ sơ ¹."),
    ("/api/v1/dossiers/²/history", "Không tìm thấy hồ sơ ²."),
    ("/api/v1/dossiers/999999999999999999999999999999/documents",
     "Không tìm thấy hồ sơ 999999999999999999999999999999."),
    (f"/api/v1/dossiers/{MAX_ROW_ID + 1}", f"Không tìm thấy hồ sơ {MAX_ROW_ID + 1}."),
    ("/api/v1/dossiers/1/payments/189455309469231604119371776/receipt", "Không tìm thấy."),  # no route
    (f"/api/v1/dossiers/1/attachments/{MAX_ROW_ID + 1}", "Không tìm thấy."),
])
def test_dossier_keys_that_are_no_row_are_404(client, library, path, message):
    assert refused(client.get(path, headers=citizen(client)), 404)["message"] == message


def test_a_desk_payment_on_a_key_of_odd_digits_is_404(client, library):
    headers = staff(client, "thu_ngan", role="Desk")
    response = client.post("/api/v1/dossiers/²/payments/desk", headers=headers,
                           json={"method": "cash", "receipt_number": "BL-1", "amount": 1000})
    assert refused(response, 404)["message"] == "Không tìm thấy hồ sơ ²."


@pytest.mark.parametrize("query, message", [
    ("status=²", "Trạng thái phải là số từ 0 đến 10."),
    ("status=99999999999999999999", "Trạng thái phải là số từ 0 đến 10."),
    ("status=11", "Trạng thái phải là số từ 0 đến 10."),
    ("page=²", "Số trang phải là số nguyên dương."),
    ("page=99999999999999999999", "Số trang phải là số nguyên dương."),
])
def test_dossier_lists_with_odd_numbers_are_400(client, library, query, message):
    assert refused(client.get(f"/api/v1/dossiers?{query}", headers=citizen(client)), 400)["message"] == message


def test_a_register_of_a_year_out_of_range_is_404(client):
    headers = staff(client, "mot_cua", role="Desk")
    response = client.get("/api/v1/desk/register/99999999999999999999.pdf", headers=headers)
    assert refused(response, 404)["message"] == "Không tìm thấy."  # the route takes 2000-2100 only


START_OUT_OF_RANGE = "start phải là thời điểm theo ISO 8601, có múi giờ, từ năm 1900 đến năm 2999."


@pytest.mark.parametrize("query, message", [
    ("value=8.650332342133771e%2B236&start=1999-12-31T10%3A00%3A00%2B00%3A00",  # a duration no deadline has
     "Thời hạn 8.650332342133771e+236 không phải là số từ 0 đến 3650."),
    (f"value={MAX_DURATION + 1}&start=2026-12-03T08%3A00%3A00%2B07%3A00",
     f"Thời hạn {MAX_DURATION + 1}.0 không phải là số từ 0 đến {MAX_DURATION}."),
    ("value=1&start=0001-01-01T00%3A00%3A00%2B00%3A00", START_OUT_OF_RANGE),  # before the calendar's first year
    ("value=3650&start=9999-12-31T10%3A00%3A00%2B00%3A00", START_OUT_OF_RANGE),  # a due date past year 9999
])
def test_deadlines_out_of_range_are_400(client, query, message):
    assert refused(client.get(f"/api/v1/calendar/due?{query}"), 400)["message"] == message


def test_the_longest_duration_still_has_a_due_date(client):
    response = client.get(f"/api/v1/calendar/due?value={MAX_DURATION}&unit=working_days"
                          "&start=2026-12-03T08%3A00%3A00%2B07%3A00")
    assert response.status_code == 200
    assert response.get_json()["due_at"] > "2036"


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=2026-02-30"])
def test_statistics_of_dates_out_of_range_are_400(client, query):
    headers = staff(client, "lanh_dao", role="Leader")
    name = query.split("=")[0]
    assert refused(client.get(f"/api/v1/stats?{query}", headers=headers), 400)["message"] == \
        f"{name} phải là ngày (YYYY-MM-DD) từ năm 1900 đến năm 2999."


def test_the_package_schema_bounds_durations_as_the_calendar_does():
    schema = json.loads((Path(builder.forms.__file__).parent / "package.schema.json").read_text(encoding="utf-8"))
    processing_time = schema["properties"]["processing_time"]["properties"]["value"]
    text = json.dumps(schema)
    assert processing_time["maximum"] == MAX_DURATION
    assert text.count('"maximum": %d' % MAX_DURATION) == 2  # the service's and each step's


def test_a_package_with_a_duration_no_law_sets_is_refused(client, app, birth_package):
    headers = staff(client, "thiet_ke", role="Designer")
    package = copy.deepcopy(birth_package)
    package["process"]["steps"][1]["duration"] = {"value": MAX_DURATION + 1, "unit": "working_days"}
    payload = refused(client.post("/api/v1/procedures/import", headers=headers, json=package), 422)
    assert any("duration" in path for path in payload["errors"]), payload


# --- the NUL character --------------------------------------------------------------

NUL_REFUSED = "Yêu cầu có chứa ký tự NUL (\\u0000); không trường nào được chứa ký tự này."


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/lookup/000.01.01.H26-261203-0001%00"),
    ("get", "/api/v1/procedures?agency=%00"),
    ("get", "/api/v1/procedures?q=a%00b"),
    ("get", "/api/v1/stats?agency=%1A%C3%A9%00%001"),
])
def test_nul_in_a_url_is_400(client, method, path):
    assert refused(getattr(client, method)(path), 400)["message"] == NUL_REFUSED


def test_nul_in_a_page_url_is_400(client):
    response = client.get("/tra-cuu?ma=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_in_a_submission_saves_nothing(app, client, library, birth_package):
    headers = citizen(client)
    data = example_data(birth_package)
    data["child"]["full_name"] = "Nguyễn\x00An"
    before = counts(app)
    refused(client.post("/api/v1/dossiers", headers=headers, json={"procedure": BIRTH_CODE, "data": data}), 400)
    refused(client.post("/api/v1/dossiers", headers=headers, json={"procedure": "\x00" + BIRTH_CODE, "data": {}}), 400)
    assert counts(app) == before


def test_an_escaped_backslash_is_no_nul(client):
    body = json.dumps({"id_number": "001090012345", "full_name": "Nguyễn \\u0000 An", "password": "mat-khau-123"})
    assert client.post("/api/v1/citizens", data=body, content_type="application/json").status_code == 201


def test_a_value_the_database_refuses_is_400_not_500(app):
    def refuse():
        raise DataError("SELECT 1", {}, Exception("invalid input value"))

    app.add_url_rule("/api/v1/refused-by-the-database", "refused_by_the_database", refuse)
    assert refused(app.test_client().get("/api/v1/refused-by-the-database"), 400) == {
        "message": "Có giá trị gửi lên mà cơ sở dữ liệu không thể lưu."}


# --- signing in ---------------------------------------------------------------------

def test_signing_in_without_a_provider_takes_the_database(client):
    assert register_citizen(client).status_code == 201
    response = client.post("/api/v1/security/login", json={"username": "001090012345", "password": "mat-khau-123"})
    assert response.status_code == 200
    assert set(response.get_json()) == {"access_token"}


@pytest.mark.parametrize("body, fields", [
    ({"username": "t", "password": "x", "provider": "ldap"}, {"provider"}),
    ({"username": 5, "password": ["x"], "refresh": "yes"}, {"username", "password", "refresh"}),
    ({"password": "x"}, {"username"}),
    ({"username": "\u0000x", "password": "x"}, None),
])
def test_a_malformed_sign_in_is_refused_per_field(client, body, fields):
    response = client.post("/api/v1/security/login", json=body)
    if fields is None:
        refused(response, 400)
    else:
        assert set(refused(response, 422)["errors"]) == fields


def test_sign_in_errors_are_in_vietnamese(client):
    assert register_citizen(client).status_code == 201
    wrong = refused(client.post("/api/v1/security/login", json={"username": "001090012345", "password": "sai"}), 401)
    assert wrong["message"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    refused(client.post("/api/v1/security/login", data="username=x", content_type="text/plain"), 415)
    refused(client.post("/api/v1/security/login", data=b"[1]", content_type="application/json"), 422)
    refused(client.post("/api/v1/security/refresh"), 401)
    access = login(client, "001090012345", "mat-khau-123")
    refused(client.post("/api/v1/security/refresh", headers=access), 401)  # an access token is no refresh token


def test_a_refresh_token_gives_a_new_access_token(client):
    assert register_citizen(client).status_code == 201
    tokens = client.post("/api/v1/security/login", json={
        "username": "001090012345", "password": "mat-khau-123", "refresh": True}).get_json()
    response = client.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert response.status_code == 200
    fresh = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
    assert client.get("/api/v1/dossiers", headers=fresh).status_code == 200


def test_a_method_not_allowed_says_which_are(client):
    response = client.delete("/api/v1/security/login")
    refused(response, 405)
    assert "POST" in response.headers["Allow"]


# --- the back office ----------------------------------------------------------------

def test_the_office_queue_ignores_a_status_of_odd_digits(app, client, library):
    staff(client, "can_bo_hs")
    browser = browser_login(app, "can_bo_hs")
    for query in ("status=²", "status=99999999999999999999", "page=²"):
        assert browser.get(f"/mot-cua/ho-so?{query}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Dossier.id))) == 0


@pytest.mark.parametrize("reference, payment_id", [
    ("12", 12), (str(MAX_ROW_ID), MAX_ROW_ID), ("0", None), ("²", None), (" 12", None), ("12\n", None),
    (str(MAX_ROW_ID + 1), None), ("-3", None), (12, None),
])
def test_a_gateway_reference_names_a_payment_only_in_plain_digits(reference, payment_id):
    from builder.process.payments import _payment_id

    assert _payment_id(reference) == payment_id
