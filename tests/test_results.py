"""Result documents: the leader attaches the result PDF(s) to the approval
that completes processing (status 9), or the service's result template is
rendered; a job stores them as documents of kind ``result``, the applicant
downloads them online, and plugins hear of it through ``dossier_result_issued``."""
from __future__ import annotations

import base64
import copy
import hashlib
import io
import os

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import select

from builder import create_app, hookimpl
from builder.extensions import db
from builder.models import Document, Dossier, HistoryEntry
from tests.conftest import fonts_drawing_text, pdf_text
from tests.helpers import BA_DINH, HOAN_KIEM, MINIMAL_PDF, citizen, handed_over, staff, submit_birth

TEMPLATE_CODE = "1.001193.000.00.00.H26.MAU-KQ"
RESULT_TEMPLATE = """{% extends "_base.html" %}
{% block body %}
<p>{{ agency.name|upper }}</p>
<h1>TRÍCH LỤC KHAI SINH</h1>
<p>Số: {{ code }}</p>
<p>Họ, chữ đệm, tên: <b>{{ data.child.full_name }}</b></p>
<p>Ngày sinh: {{ data.child.birth_date_words }}</p>
<p>Người yêu cầu: {{ applicant.name }}</p>
<p>{{ approved_on }} · {{ signer }}</p>
{% endblock %}"""


NOISE = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(40))  # hardly compresses


def result_pdf(text: str, pages: int = 1) -> bytes:
    """A real PDF of ``pages`` pages showing ``text`` (ASCII: the base font draws it)."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    for page in range(pages):
        sheet.drawString(72, 720, f"{text} - trang {page + 1}")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


class ResultRecorder:
    def __init__(self):
        self.calls = []

    @hookimpl
    def dossier_result_issued(self, app, dossier, documents):
        self.calls.append((dossier.code, dossier.status, [(d.kind, d.sha256, d.title) for d in documents]))


@pytest.fixture
def app_config(app_config):
    app_config["PLUGINS_EXTRA"] = [ResultRecorder()]
    return app_config


@pytest.fixture
def recorder(app_config) -> ResultRecorder:
    return app_config["PLUGINS_EXTRA"][0]


@pytest.fixture
def people(client, library):
    return {
        "owner": citizen(client),
        "stranger": citizen(client, "001190054321"),
        "desk": staff(client, "mot_cua", "Desk", BA_DINH),
        "officer": staff(client, "cong_chuc", "Officer", BA_DINH),
        "leader": staff(client, "lanh_dao", "Leader", BA_DINH),
        "other_desk": staff(client, "mot_cua_hk", "Desk", HOAN_KIEM),
    }


def act(client, headers, code, action, **body):
    return client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, json={"action": action, **body})


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def at_approval(client, people, package, procedure=None) -> str:
    """A dossier at the leader's approval step."""
    code = submit_birth(client, people["owner"], package, procedure=procedure or package["code"])["code"]
    ok(act(client, people["desk"], code, "receive"))
    ok(act(client, people["leader"], code, "assign", assignee="cong_chuc"))
    ok(act(client, people["officer"], code, "forward", comment="Đủ điều kiện"))
    return code


def approve_with_files(client, headers, code, files: list[tuple[bytes, str]], **fields):
    return client.post(f"/api/v1/dossiers/{code}/actions", headers=headers, data={
        "action": "approve", **fields,
        "results": [(io.BytesIO(data), name) for data, name in files]}, content_type="multipart/form-data")


def documents(client, headers, code) -> list[dict]:
    response = client.get(f"/api/v1/dossiers/{code}/documents", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_dossier_result_issued_reaches_plugins(app, client, people, birth_package, recorder, tmp_path):
    code = at_approval(client, people, birth_package)
    certificate = result_pdf("TRICH LUC KHAI SINH so 123/2026")
    copy_of_it = result_pdf("BAN SAO TRICH LUC KHAI SINH", pages=2)
    done = approve_with_files(client, people["leader"], code,
                              [(certificate, "trich-luc-khai-sinh.pdf"), (copy_of_it, "ban-sao.pdf")],
                              comment="Đồng ý cấp")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == 9

    results = [d for d in documents(client, people["owner"], code) if d["kind"] == "result"]
    assert [(d["title"], d["ready"]) for d in results] == [
        ("trich-luc-khai-sinh.pdf", True), ("ban-sao.pdf", True)]
    assert [d["url"] for d in results] == [f"/api/v1/dossiers/{code}/documents/result.pdf",
                                           f"/api/v1/dossiers/{code}/documents/result-2.pdf"]
    # the owner downloads them; the documents are what the leader signed
    for listed, sent, text in ((results[0], certificate, "TRICH LUC KHAI SINH so 123/2026"),
                               (results[1], copy_of_it, "BAN SAO TRICH LUC KHAI SINH")):
        download = client.get(listed["url"], headers=people["owner"])
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert hashlib.sha256(download.data).hexdigest() == listed["sha256"]
        assert download.data == sent  # no seal is configured here
        assert text in pdf_text(download.data, tmp_path)
    assert recorder.calls == [(code, 9, [("result", results[0]["sha256"], "trich-luc-khai-sinh.pdf"),
                                         ("result-2", results[1]["sha256"], "ban-sao.pdf")])]
    # nobody else gets them
    assert client.get(results[0]["url"], headers=people["stranger"]).status_code == 404
    assert client.get(results[0]["url"], headers=people["other_desk"]).status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}/documents/result-11.pdf",
                      headers=people["owner"]).status_code == 404
    with app.app_context():
        entry = db.session.scalar(select(HistoryEntry).where(HistoryEntry.action == "approve"))
        assert entry.details["result"] == "attached"
        assert [f["sha256"] for f in entry.details["results"]] == [
            hashlib.sha256(certificate).hexdigest(), hashlib.sha256(copy_of_it).hexdigest()]
    # the desk returns it; the results stay
    ok(act(client, people["desk"], code, "return_result", comment="Trả kết quả trực tuyến"))
    assert len([d for d in documents(client, people["owner"], code) if d["kind"] == "result"]) == 2


def test_a_result_in_json_as_base64(client, people, birth_package, recorder):
    code = at_approval(client, people, birth_package)
    certificate = result_pdf("TRICH LUC KHAI SINH so 7")
    done = ok(act(client, people["leader"], code, "approve", results=[
        {"filename": "trich-luc.pdf", "content": base64.b64encode(certificate).decode()}]))
    assert done["status"] == 9
    listed = [d for d in documents(client, people["owner"], code) if d["kind"] == "result"]
    assert [(d["title"], d["sha256"]) for d in listed] == [("trich-luc.pdf", hashlib.sha256(certificate).hexdigest())]
    assert len(recorder.calls) == 1


def test_an_approval_without_a_result_issues_none(client, people, birth_package, recorder):
    code = at_approval(client, people, birth_package)
    assert ok(act(client, people["leader"], code, "approve"))["status"] == 9
    assert [d["kind"] for d in documents(client, people["owner"], code) if d["kind"] == "result"] == []
    assert recorder.calls == []


def _two_step_approval(package: dict) -> dict:
    """The unit head approves, then the leader signs: only the second approval completes it."""
    package = copy.deepcopy(package)
    package["code"] = package["code"] + ".HAI-CAP"
    steps = package["process"]["steps"]
    approval = next(s for s in steps if s["id"] == "approval")
    signing = copy.deepcopy(approval)
    signing.update(id="signing", name="Lãnh đạo ký")
    approval["actions"] = [{"action": "approve", "to": "signing"}]
    steps.insert(steps.index(approval) + 1, signing)
    return package


@pytest.mark.parametrize("send, status, error", [
    (lambda c, h, k: approve_with_files(c, h, k, [(b"\x89PNG\r\n\x1a\n" + b"0" * 64, "anh.png")]), 415, None),
    (lambda c, h, k: approve_with_files(c, h, k, [(b"%PDF-1.7\n not really a pdf", "hong.pdf")]), 422,
     "results.0"),
    (lambda c, h, k: approve_with_files(c, h, k, [(result_pdf("A"), "a.pdf"), (MINIMAL_PDF, "trang.pdf")]), 422,
     "results.1"),  # no page
    (lambda c, h, k: approve_with_files(c, h, k, [(result_pdf(NOISE, pages=40), "lon.pdf")]), 413, None),
    (lambda c, h, k: approve_with_files(c, h, k, [(result_pdf(str(n)), f"{n}.pdf") for n in range(11)]), 422,
     "results"),
    (lambda c, h, k: act(c, h, k, "approve", results=[{"filename": "x.pdf", "content": "không phải base64"}]),
     422, "results.0.content"),
    (lambda c, h, k: act(c, h, k, "approve", results="x.pdf"), 422, "results"),
    (lambda c, h, k: c.post(f"/api/v1/dossiers/{k}/actions", headers=h, data={
        "action": "forward", "results": [(io.BytesIO(result_pdf("A")), "a.pdf")]},
        content_type="multipart/form-data"), 422, "results"),  # only an approval carries a result
])
def test_a_bad_result_changes_nothing(app_config, people, birth_package, send, status, error):
    app_config["ATTACHMENT_MAX_BYTES"] = 40_000
    app = create_app(app_config)
    client = app.test_client()
    code = at_approval(client, people, birth_package)
    response = send(client, people["leader"], code)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["message"]
    if error:
        assert list(response.get_json()["errors"]) == [error]
    body = client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()
    assert body["status"] == 4 and body["current_step"] == "approval"
    with app.app_context():
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
        assert db.session.scalar(select(HistoryEntry.action).where(HistoryEntry.dossier_id == dossier_id)
                                 .order_by(HistoryEntry.id.desc()).limit(1)) == "forward"
        assert db.session.scalars(select(Document.kind).where(Document.dossier_id == dossier_id,
                                                              Document.kind.like("result%"))).all() == []
        db.engine.dispose()


def test_only_the_leader_issues_a_result_and_nothing_is_kept_otherwise(app, client, people, birth_package):
    from builder.storage import blob_path

    code = at_approval(client, people, birth_package)
    certificate = result_pdf("KET QUA GIA MAO")
    for who, status in (("officer", 403), ("owner", 403), ("other_desk", 404)):
        response = approve_with_files(client, people[who], code, [(certificate, "kq.pdf")])
        assert response.status_code == status, (who, response.get_json())
    with app.app_context():
        assert not os.path.exists(blob_path(hashlib.sha256(certificate).hexdigest()))
    assert client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()["status"] == 4


def test_the_result_comes_with_the_approval_that_completes_processing(app, client, people, birth_package):
    from builder.forms.package import import_package

    package = _two_step_approval(birth_package)
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    code = at_approval(client, people, package)
    early = approve_with_files(client, people["leader"], code, [(result_pdf("A"), "a.pdf")])
    assert early.status_code == 422 and list(early.get_json()["errors"]) == ["results"]
    assert ok(act(client, people["leader"], code, "approve"))["current_step"] == "signing"
    done = approve_with_files(client, people["leader"], code, [(result_pdf("A"), "a.pdf")])
    assert done.status_code == 200 and done.get_json()["status"] == 9
    assert [d["title"] for d in documents(client, people["owner"], code) if d["kind"] == "result"] == ["a.pdf"]


def _with_template(app, birth_package, template) -> dict:
    from builder.forms.package import import_package

    package = copy.deepcopy(birth_package)
    package.update(code=TEMPLATE_CODE, templates={"result": template})
    with app.app_context():
        import_package(db.session, package, published_by="tests")
        db.session.commit()
    return package


def test_the_services_result_template_is_rendered(app, client, people, birth_package, recorder, tmp_path):
    package = _with_template(app, birth_package, RESULT_TEMPLATE)
    code = at_approval(client, people, package)
    assert ok(act(client, people["leader"], code, "approve", comment="Đồng ý"))["status"] == 9
    (result,) = [d for d in documents(client, people["owner"], code) if d["kind"] == "result"]
    assert result["ready"] and result["title"] == f"Đăng ký khai sinh - {code}.pdf"
    pdf = client.get(result["url"], headers=people["owner"]).data
    text = pdf_text(pdf, tmp_path)
    for expected in ("ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH", "TRÍCH LỤC KHAI SINH", f"Số: {code}",
                     "Nguyễn Minh Khôi", "Ngày hai, tháng mười một", "Người yêu cầu: Nguyễn Văn Hùng",
                     "Cán bộ lanh_dao"):
        assert expected in text, expected
    assert fonts_drawing_text(pdf) == {"DejaVuSans", "DejaVuSans-Bold"}
    assert recorder.calls == [(code, 9, [("result", result["sha256"], result["title"])])]


def test_a_broken_result_template_asks_for_the_file(app, client, people, birth_package):
    package = _with_template(app, birth_package, "{% block body %}{{ data.child.full_name }")
    code = at_approval(client, people, package)
    refused = act(client, people["leader"], code, "approve")
    assert refused.status_code == 409 and "đính kèm kết quả" in refused.get_json()["message"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=people["owner"]).get_json()["status"] == 4
    # the attached file wins over the template
    done = approve_with_files(client, people["leader"], code, [(result_pdf("KET QUA"), "ket-qua.pdf")])
    assert done.status_code == 200 and done.get_json()["status"] == 9


def test_the_result_is_issued_by_a_worker(app_config, redis_url, people, birth_package, recorder):
    app_config["REDIS_URL"] = redis_url
    app = create_app(app_config)
    client = app.test_client()
    code = at_approval(client, people, birth_package)
    certificate = result_pdf("TRICH LUC KHAI SINH")
    assert approve_with_files(client, people["leader"], code, [(certificate, "kq.pdf")]).status_code == 200
    assert recorder.calls == []  # queued, not run in the request
    assert [d["ready"] for d in documents(client, people["owner"], code) if d["kind"] == "result"] == []
    handed_over(app)
    with app.app_context():
        SimpleWorker(["pdf", "default"], connection=Redis.from_url(redis_url)).work(burst=True)
    (listed,) = [d for d in documents(client, people["owner"], code) if d["kind"] == "result"]
    assert listed["sha256"] == hashlib.sha256(certificate).hexdigest()
    assert [c[0] for c in recorder.calls] == [code]
    with app.app_context():
        db.engine.dispose()


def test_the_leader_attaches_the_result_on_the_dossier_page(app, client, people, birth_package):
    from tests.test_admin import browser_login

    code = at_approval(client, people, birth_package)
    leader = browser_login(app, "lanh_dao")
    page = leader.get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="results"' in page
    done = leader.post(f"/mot-cua/ho-so/{code}", data={
        "action": "approve", "comment": "Đồng ý",
        "results": [(io.BytesIO(result_pdf("TRICH LUC")), "trich-luc.pdf")]},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Đã thực hiện: Phê duyệt" in done and "trich-luc.pdf" in done
    assert [d["title"] for d in documents(client, people["owner"], code) if d["kind"] == "result"] == [
        "trich-luc.pdf"]
