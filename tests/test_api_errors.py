"""Bad input: a clear 4xx JSON answer in Vietnamese, and nothing half-saved."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from builder.extensions import db
from builder.models import Dossier, JobRecord, UserProfile
from tests.helpers import BIRTH_CODE, citizen, example_data, register_citizen

VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


def is_vietnamese(text: str) -> bool:
    return bool(set(text.lower()) & VIETNAMESE)


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Dossier.id))),
                db.session.scalar(select(func.count(JobRecord.id))),
                db.session.scalar(select(func.count(UserProfile.user_id))))


def post_raw(client, headers, body: bytes, content_type="application/json"):
    return client.post("/api/v1/dossiers", headers=headers, data=body, content_type=content_type)


@pytest.mark.parametrize("body, status", [
    (b'{"procedure": "1.001193.000.00.00.H26", "data": {', 400),     # malformed JSON
    (b"", 400),                                                       # empty
    (b"\xff\xfe not utf-8", 400),
    (b"[1, 2, 3]", 422),                                              # not an object
    (b'"just a string"', 422),
    (b"[" * 100000 + b"]" * 100000, 400),                             # a nesting bomb
    (b'{"procedure": 42, "data": {}}', 422),                          # wrong types
    (b'{"procedure": "1.001193.000.00.00.H26", "data": [1]}', 422),
    (b'{"procedure": "1.001193.000.00.00.H26", "data": {}, "submit": "yes"}', 422),
    (b'{"procedure": "NO.SUCH.CODE", "data": {}}', 422),              # unknown procedure
    (b'{"procedure": "1.001193.000.00.00.H26", "data": {}, "delivery": {"method": "pigeon"}}', 422),
])
def test_bad_bodies_are_refused_in_vietnamese(client, library, app, body, status):
    headers = citizen(client)
    before = counts(app)
    response = post_raw(client, headers, body)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    payload = response.get_json()
    assert is_vietnamese(payload["message"]), payload
    assert counts(app) == before


def test_a_ten_megabyte_body_is_413(client, library, app, birth_package):
    headers = citizen(client)
    before = counts(app)
    data = example_data(birth_package)
    data["child"]["birth_place"] = "x" * (10 * 1024 * 1024)
    response = client.post("/api/v1/dossiers", headers=headers, json={"procedure": BIRTH_CODE, "data": data})
    assert response.status_code == 413
    assert is_vietnamese(response.get_json()["message"])
    assert counts(app) == before


def test_wrong_content_type_is_415(client, library):
    headers = citizen(client)
    response = post_raw(client, headers, b"procedure=x", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert is_vietnamese(response.get_json()["message"])


def test_english_when_asked(client, library):
    headers = citizen(client)
    response = client.post("/api/v1/dossiers", headers={**headers, "Accept-Language": "en"},
                           data=b"{", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize("id_number, message", [
    ("12345", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    ("00109001234a", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    (1090012345, "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    ("0010900123456", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    ("003090012345", "Ba chữ số đầu của số định danh phải là mã tỉnh."),
    ("001299012345", "Năm sinh trong số định danh này nằm ở tương lai."),
])
def test_citizen_id_must_be_valid(client, app, id_number, message):
    before = counts(app)
    response = register_citizen(client, id_number)
    assert response.status_code == 422
    assert response.get_json()["errors"]["id_number"] == [message]
    assert counts(app) == before


def test_registration_errors_name_every_field(client, app):
    response = client.post("/api/v1/citizens", json={
        "id_number": "001090012345", "full_name": "", "phone": "12", "email": "no-at-sign",
        "password": "short"})
    assert response.status_code == 422
    assert sorted(response.get_json()["errors"]) == ["email", "full_name", "password", "phone"]


def test_registering_twice_is_a_conflict(client, app):
    assert register_citizen(client).status_code == 201
    response = register_citizen(client)
    assert response.status_code == 409
    assert is_vietnamese(response.get_json()["message"])


def test_not_signed_in_and_bad_token(client, library):
    assert client.post("/api/v1/dossiers", json={}).status_code == 401
    response = client.get("/api/v1/dossiers", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert is_vietnamese(response.get_json()["message"])


def test_unknown_routes_and_methods_answer_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and is_vietnamese(response.get_json()["message"])
    response = client.delete("/api/v1/procedures")
    assert response.status_code == 405 and is_vietnamese(response.get_json()["message"])


@pytest.mark.parametrize("query", ["level=5", "level=abc", "page=0", "page=-1", "page=x"])
def test_bad_catalogue_queries_are_400(client, query):
    response = client.get(f"/api/v1/procedures?{query}")
    assert response.status_code == 400
    assert is_vietnamese(response.get_json()["message"])


def test_attachments_are_judged_by_content_and_size(client, library, app, birth_package):
    import io

    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    headers = citizen(client)
    draft = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": example_data(birth_package), "submit": False}).get_json()
    url = f"/api/v1/dossiers/{draft['id']}/attachments"
    fake = client.post(url, headers=headers, data={
        "component": "birth_certificate", "file": (io.BytesIO(b"MZ\x90\x00 an exe"), "scan.pdf")})
    assert fake.status_code == 415 and is_vietnamese(fake.get_json()["message"])
    big = client.post(url, headers=headers, data={
        "component": "birth_certificate", "file": (io.BytesIO(b"%PDF-1.4" + b"0" * 2048), "big.pdf")})
    assert big.status_code == 413 and is_vietnamese(big.get_json()["message"])
    unknown = client.post(url, headers=headers, data={
        "component": "passport", "file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")})
    assert unknown.status_code == 422 and list(unknown.get_json()["errors"]) == ["component"]
    missing = client.post(url, headers=headers, data={"component": "birth_certificate"})
    assert missing.status_code == 422 and list(missing.get_json()["errors"]) == ["file"]
    dossier = client.get(f"/api/v1/dossiers/{draft['id']}", headers=headers).get_json()
    assert dossier["attachments"] == []
