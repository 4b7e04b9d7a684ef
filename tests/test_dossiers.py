"""Submitting a dossier through the API, and who may read it."""
from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from builder.extensions import db
from builder.models import Attachment, Dossier, HistoryEntry, JobRecord
from tests.helpers import (
    BA_DINH,
    BIRTH_CODE,
    HOAN_KIEM,
    MINIMAL_PDF,
    citizen,
    example_data,
    staff,
    submit_birth,
)

CODE = re.compile(r"^000\.01\.01\.H26-\d{6}-\d{4}$")


def test_citizen_submits_and_gets_a_code(client, library, birth_package, app):
    headers = citizen(client)
    body = submit_birth(client, headers, birth_package)
    assert CODE.match(body["code"])
    assert body["status"] == 1
    assert body["status_label"] == "Mới đăng ký, chờ tiếp nhận"
    assert body["procedure"] == BIRTH_CODE and body["version"] == 1
    assert body["submitted_at"] and body["received_at"] is None
    assert body["payment"] is None  # birth registration is free
    assert [a["component"] for a in body["attachments"]] == ["birth_certificate"]
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == body["code"]))
        assert dossier.data["child"]["full_name"] == "Nguyễn Minh Khôi"
        assert dossier.applicant_id_number == "001090012345"
        history = db.session.scalars(select(HistoryEntry)).all()
        assert [(h.action, h.from_status, h.to_status) for h in history] == [("submit", 0, 1)]
        jobs = {j.func: j.state for j in db.session.scalars(select(JobRecord))}
        # the filled form, the notices, and the check of the attached PDF's signatures
        assert jobs == {"builder.jobs.tasks.render_form_pdf": "done",
                        "builder.jobs.tasks.notify_submitted": "done",
                        "builder.jobs.tasks.send_notification": "done",
                        "builder.jobs.signature_tasks.verify_attachment": "done"}


def test_attachment_is_stored_by_its_sha256(client, library, birth_package, app):
    import hashlib

    headers = citizen(client)
    body = submit_birth(client, headers, birth_package)
    attachment = body["attachments"][0]
    assert attachment["sha256"] == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert attachment["content_type"] == "application/pdf"
    with app.app_context():
        from builder import storage

        assert storage.read_bytes(attachment["sha256"]) == MINIMAL_PDF


def test_one_call_submission_lists_missing_components(client, library, birth_package):
    headers = citizen(client)
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": example_data(birth_package), "agency": BA_DINH})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["components.birth_certificate"]


def test_submitting_a_draft_without_its_file_is_refused(client, library, birth_package, app):
    headers = citizen(client)
    draft = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": example_data(birth_package), "submit": False}).get_json()
    assert draft["code"] is None and draft["status"] == 0
    response = client.post(f"/api/v1/dossiers/{draft['id']}/submit", headers=headers)
    assert response.status_code == 422
    assert "components.birth_certificate" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.get(Dossier, draft["id"]).status == 0


def test_field_errors_point_at_nested_fields(client, library, birth_package):
    headers = citizen(client)
    data = example_data(birth_package)
    del data["child"]["full_name"]
    data["child"]["sex"] = "khac"
    data["mother"]["birth_year"] = "1993"
    data["requester"]["id_number"] = "999090012345"
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": data, "submit": False})
    # a draft is checked for shape only: the wrong type is refused, the rest waits
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["data.mother.birth_year"]
    data["mother"]["birth_year"] = 1993
    draft = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": data, "submit": False}).get_json()
    client.post(f"/api/v1/dossiers/{draft['id']}/attachments", headers=headers, data={
        "component": "birth_certificate", "file": (io.BytesIO(MINIMAL_PDF), "a.pdf")})
    errors = client.post(f"/api/v1/dossiers/{draft['id']}/submit", headers=headers).get_json()["errors"]
    assert errors == {
        "data.child.full_name": ["Trường này là bắt buộc."],
        "data.child.sex": ["Không nằm trong các lựa chọn cho phép."],
        "data.requester.id_number": ["Ba chữ số đầu của số định danh phải là mã tỉnh."],
    }


def test_father_is_required_only_when_known(client, library, birth_package):
    headers = citizen(client)
    data = example_data(birth_package)
    del data["father"]
    draft = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": data, "submit": False}).get_json()
    client.post(f"/api/v1/dossiers/{draft['id']}/attachments", headers=headers, data={
        "component": "birth_certificate", "file": (io.BytesIO(MINIMAL_PDF), "a.pdf")})
    response = client.post(f"/api/v1/dossiers/{draft['id']}/submit", headers=headers)
    assert response.get_json()["errors"] == {"data.father": ["Trường này là bắt buộc."]}
    data["father_known"] = False
    assert client.put(f"/api/v1/dossiers/{draft['id']}", headers=headers,
                      json={"data": data}).status_code == 200
    assert client.post(f"/api/v1/dossiers/{draft['id']}/submit", headers=headers).status_code == 201


def test_who_may_read_a_dossier(client, library, birth_package):
    owner = citizen(client)
    code = submit_birth(client, owner, birth_package)["code"]
    officer = staff(client, "cong_chuc_ba_dinh", "Officer", BA_DINH)
    other_officer = staff(client, "cong_chuc_hoan_kiem", "Officer", HOAN_KIEM)
    other_citizen = citizen(client, "079193000001")
    assert client.get(f"/api/v1/dossiers/{code}", headers=owner).status_code == 200
    assert client.get(f"/api/v1/dossiers/{code}", headers=officer).status_code == 200
    assert client.get(f"/api/v1/dossiers/{code}", headers=other_officer).status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}", headers=other_citizen).status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}").status_code == 401
    assert client.get("/api/v1/dossiers", headers=officer).get_json()["count"] == 1
    assert client.get("/api/v1/dossiers", headers=other_officer).get_json()["count"] == 0
    assert client.get("/api/v1/dossiers?status=1", headers=owner).get_json()["count"] == 1
    assert client.get("/api/v1/dossiers?status=2", headers=owner).get_json()["count"] == 0


def test_history_and_documents(client, library, birth_package):
    owner = citizen(client)
    code = submit_birth(client, owner, birth_package)["code"]
    history = client.get(f"/api/v1/dossiers/{code}/history", headers=owner).get_json()
    assert [(h["action"], h["from_status"], h["to_status"], h["actor"]) for h in history] == [
        ("submit", 0, 1, "Nguyễn Văn Hùng")]
    documents = client.get(f"/api/v1/dossiers/{code}/documents", headers=owner).get_json()
    assert [(d["kind"], d["ready"]) for d in documents] == [("form", True)]
    pdf = client.get(documents[0]["url"], headers=owner)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_lookup_shows_nothing_personal(client, library, birth_package):
    code = submit_birth(client, citizen(client), birth_package)["code"]
    response = client.get(f"/api/v1/lookup/{code}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == code and body["status"] == 1
    text = response.get_data(as_text=True)
    for personal in ("Nguyễn Văn Hùng", "001090012345", "Khôi", "0912345678", "Đội Cấn"):
        assert personal not in text
    assert client.get("/api/v1/lookup/000.01.01.H26-000101-9999").status_code == 404


def test_a_submitted_dossier_cannot_change(client, library, birth_package, app):
    owner = citizen(client)
    body = submit_birth(client, owner, birth_package)
    response = client.put(f"/api/v1/dossiers/{body['code']}", headers=owner,
                          json={"data": {"copies": 5}})
    assert response.status_code == 409
    assert client.post(f"/api/v1/dossiers/{body['code']}/submit", headers=owner).status_code == 409
    upload = client.post(f"/api/v1/dossiers/{body['code']}/attachments", headers=owner, data={
        "component": "authorization", "file": (io.BytesIO(MINIMAL_PDF), "b.pdf")})
    assert upload.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Attachment.id))) == 1


def test_receiving_agency_must_be_under_the_procedures_agency(client, library, birth_package):
    headers = citizen(client)
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": example_data(birth_package), "agency": "000.01.01.H29",
        "submit": False})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["agency"]


def test_delivery_must_be_offered_by_the_service(client, library, birth_package, app):
    from builder.forms.package import import_package

    package = dict(birth_package, code="TEST.DESK-ONLY", delivery_methods=["desk"])
    with app.app_context():
        import_package(db.session, package)
        db.session.commit()
    headers = citizen(client)
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": "TEST.DESK-ONLY", "data": example_data(birth_package),
        "delivery": {"method": "post", "address": {}}, "submit": False})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["delivery.method"]


def test_every_attachment_is_in_the_answer_of_a_read_and_of_an_action(client, library, birth_package):
    """The dossier and its attachments are read in one query (the dossier's
    row alone locked on PostgreSQL): none of them is lost on the way."""
    headers = citizen(client)
    draft = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": example_data(birth_package), "agency": BA_DINH,
        "delivery": {"method": "online"}, "submit": False}).get_json()
    for component in ("birth_certificate", "marriage_certificate", "authorization"):
        upload = client.post(f"/api/v1/dossiers/{draft['id']}/attachments", headers=headers, data={
            "component": component, "file": (io.BytesIO(MINIMAL_PDF), f"{component}.pdf")},
            content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
    submitted = client.post(f"/api/v1/dossiers/{draft['id']}/submit", headers=headers).get_json()
    expected = ["birth_certificate", "marriage_certificate", "authorization"]
    read = client.get(f"/api/v1/dossiers/{submitted['code']}", headers=headers).get_json()
    assert [a["component"] for a in read["attachments"]] == expected
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    received = client.post(f"/api/v1/dossiers/{submitted['code']}/actions", headers=desk,
                           json={"action": "receive"})
    assert received.status_code == 200, received.get_json()
    assert received.get_json()["status"] == 2
    assert [a["component"] for a in received.get_json()["attachments"]] == expected
