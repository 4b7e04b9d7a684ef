"""Small helpers the tests share: accounts, sign-in, a valid submission."""
from __future__ import annotations

import copy
import io

from builder.accounts import create_staff
from builder.extensions import db

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
BIRTH_CODE = "1.001193.000.00.00.H26"
BA_DINH = "000.01.01.H26"
HOAN_KIEM = "000.01.02.H26"


def register_citizen(client, id_number="001090012345", password="mat-khau-123", **extra):
    body = {"id_number": id_number, "full_name": "Nguyễn Văn Hùng", "phone": "0912345678",
            "email": f"{id_number}@example.vn", "password": password, **extra}
    return client.post("/api/v1/citizens", json=body)


def login(client, username, password) -> dict:
    response = client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": True})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def citizen(client, id_number="001090012345") -> dict:
    assert register_citizen(client, id_number).status_code == 201
    return login(client, id_number, "mat-khau-123")


def staff(client, username, role="Officer", agency=BA_DINH) -> dict:
    with client.application.app_context():
        create_staff(username, "mat-khau-can-bo", role, agency, f"Cán bộ {username}")
    return login(client, username, "mat-khau-can-bo")


def statements_of(app, action) -> tuple[object, list[str]]:
    """``action()``'s result and the SQL it sent, with "COMMIT" where a
    transaction committed."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    def commit(conn):
        seen.append("COMMIT")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        return action(), seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)


def handed_over(app, relay: bool = True) -> None:
    """Wait until the jobs of the requests made so far are posted (a request
    posts them in the background, after its answer), then, with ``relay``,
    relay them to RQ as a worker's relay thread does."""
    from builder.jobs.queue import redis_connection
    from builder.jobs.relay import relay_waiting

    assert app.extensions["motcua.handover"].drain(timeout=30), "the jobs were not handed over"
    if relay:
        with app.app_context():
            while relay_waiting(redis_connection()):
                pass


def example_data(package: dict) -> dict:
    return copy.deepcopy(package["form"]["schema"]["examples"][0])


def submit_birth(client, headers, package, agency=BA_DINH, data=None, procedure=BIRTH_CODE) -> dict:
    """Draft, attach the birth certificate, submit: the real path of a citizen
    (``procedure``: any procedure shaped like birth registration)."""
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": procedure, "data": data or example_data(package), "agency": agency,
        "delivery": {"method": "online"}, "submit": False})
    assert response.status_code == 201, response.get_json()
    draft_id = response.get_json()["id"]
    upload = client.post(f"/api/v1/dossiers/{draft_id}/attachments", headers=headers, data={
        "component": "birth_certificate", "file": (io.BytesIO(MINIMAL_PDF), "giay-chung-sinh.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    response = client.post(f"/api/v1/dossiers/{draft_id}/submit", headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()
