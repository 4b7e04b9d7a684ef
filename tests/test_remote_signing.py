"""Remote signing (ký số từ xa) through a CA's gateway: the ``remote_ca``
signer against tests/remote_ca_simulator.py over HTTP.

The sealed documents are checked by the verify API and by this file's own
reading of the CMS: the digest the gateway was sent is the SHA-256 of the
signature's signed attributes, and the signature verifies with the
certificate the gateway gave for the user."""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
from datetime import timedelta

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from sqlalchemy import select

from builder.extensions import db
from builder.plugins import signers
from builder.providers.signature import Signer, SigningError
from tests.conftest import pdf_text
from tests.helpers import BA_DINH, BIRTH_CODE, handed_over, staff
from tests.pki import NOW, _end_entity, make_pki
from tests.remote_ca_simulator import RemoteCaSimulator

CLIENT_ID, CLIENT_SECRET, SECRET_ENV = "MOTCUA_BA_DINH", "bi-mat-cua-ung-dung", "MOTCUA_TEST_MYSIGN_SECRET"
USER = "MST_0101234567-001"
REMOTE_NAME = "Văn thư Ủy ban nhân dân phường Ba Đình"
PAPER = {"procedure": BIRTH_CODE,
         "applicant": {"name": "Lê Thị Mai", "id_number": "001185000321", "phone": "0987654321"},
         "components": ["birth_certificate"], "delivery": {"method": "desk"}}
WHERE = "(trong SIGNING_IDENTITIES hoặc PLUGINS[\"remote_ca\"])."


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture(scope="module")
def remote_identity(pki):
    """The certificate the CA keeps for the agency's clerk, under the trusted chain."""
    return _end_entity(REMOTE_NAME, pki.intermediate, not_before=NOW - timedelta(days=30),
                       not_after=NOW + timedelta(days=365), organisation="Ủy ban nhân dân phường Ba Đình")


@pytest.fixture
def gateway(remote_identity):
    simulator = RemoteCaSimulator(CLIENT_ID, CLIENT_SECRET).start()
    simulator.add_user(USER, remote_identity)
    yield simulator
    simulator.stop()


@pytest.fixture
def app_config(app_config, pki, gateway, tmp_path, monkeypatch):
    roots = tmp_path / "roots"
    roots.mkdir()
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    app_config["SIGNATURE_TRUST_ROOTS"] = pki.write_roots(roots)
    app_config["PLUGINS"] = {"remote_ca": {"base_url": gateway.url, "client_id": CLIENT_ID,
                                           "client_secret_env": SECRET_ENV, "poll_interval": 0.05,
                                           "timeout": 5, "request_timeout": 5}}
    app_config["SIGNING_IDENTITIES"] = {BA_DINH: {"signer": "remote_ca", "user_id": USER}}
    return app_config


def vietnamese_pdf(app) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    folder = next(f for f in app.config["PDF_FONT_DIRS"] if os.path.isdir(f))
    pdfmetrics.registerFont(TTFont("DejaVuSans", f"{folder}/DejaVuSans.ttf"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("DejaVuSans", 12)
    page.drawString(72, 760, "Giấy xác nhận tình trạng hôn nhân số 123/2026")
    page.drawString(72, 740, "Ông Nguyễn Văn Hùng, cư trú tại phường Ba Đình")
    page.showPage()
    page.save()
    return buffer.getvalue()


def last_signature(pdf: bytes):
    """Our own reading of the last PAdES signature: the signed bytes, the
    signer info and the DER of its signed attributes."""
    ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)[-1]
    start, length, start2, length2 = (int(n) for n in ranges)
    assert start == 0 and start2 + length2 == len(pdf)  # it covers the file to its end
    contents = pdf[start + length:start2].strip(b"<> \n")
    content_info = cms.ContentInfo.load(bytes.fromhex(contents.decode()).rstrip(b"\0"))
    signer_info = content_info["content"]["signer_infos"][0]
    signed_bytes = pdf[start:start + length] + pdf[start2:start2 + length2]
    return signed_bytes, signer_info, signer_info["signed_attrs"].untag().dump()


def verify(client, data: bytes):
    response = client.post("/api/v1/signatures/verify", data={"file": (io.BytesIO(data), "van-ban.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["signed"] is True
    return body


def seal(app, pdf: bytes) -> bytes:
    from builder.signatures import seal_document

    with app.app_context():
        return seal_document(BA_DINH, pdf)


# --- the hook ------------------------------------------------------------------

def test_register_signers_offers_the_remote_ca_signer(app):
    signer = signers(app)["remote_ca"]
    assert isinstance(signer, Signer)
    assert "Ký số từ xa" in signer.label
    with app.app_context():
        assert signer.check_config() == []


# --- sealing through the gateway ---------------------------------------------------

def test_a_document_sealed_through_the_gateway_is_valid_and_trusted(app, gateway, remote_identity, tmp_path):
    original = vietnamese_pdf(app)
    sealed = seal(app, original)
    assert sealed.startswith(original)  # an incremental update: the document itself is untouched

    # the gateway's API, in order: a token, the user's certificates, one
    # signing request, polled until the user confirmed on their phone
    assert [path.rsplit("/service/", 1)[1] for path, _body in gateway.requests] == [
        "ras/v1/login", "certificates/info", "signHash", "requests/status", "requests/status"]
    login = gateway.calls("/ras/v1/login")[0]
    assert (login["client_id"], login["client_secret"], login["user_id"], login["profile_id"]) == (
        CLIENT_ID, CLIENT_SECRET, USER, "adss:ras:profile:001")
    request = gateway.calls("/signHash")[0]
    assert request["credentialID"] == gateway.users[USER].credential_id
    assert (request["hashAlgo"], request["signAlgo"], request["async"]) == (
        "2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.1", 1)
    assert base64.b64decode(request["description"]).decode() == "Đóng dấu điện tử của cơ quan"
    assert base64.b64decode(request["documents"][0]["document_name"]).decode() == BA_DINH

    # what was signed: the digest of the signed attributes, which hold the
    # digest of the document's byte ranges; the signature is the CA's key's
    signed_bytes, signer_info, signed_attrs = last_signature(sealed)
    assert base64.b64decode(request["hash"][0]) == hashlib.sha256(signed_attrs).digest()
    attributes = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
    assert attributes["message_digest"].native == hashlib.sha256(signed_bytes).digest()
    remote_identity.cert.public_key().verify(signer_info["signature"].native, signed_attrs,
                                             padding.PKCS1v15(), hashes.SHA256())

    # the same API a citizen uses says it is valid and trusted
    body = verify(app.test_client(), sealed)
    assert body["valid"] is True and body["format"] == "pades"
    signature = body["signatures"][0]
    assert (signature["signer"], signature["issuer"]) == (REMOTE_NAME, "CA trung gian thử nghiệm")
    assert (signature["intact"], signature["trusted"]) == (True, True)
    assert signature["covers_whole_document"] is True
    assert signature["problems"] == []

    # the Vietnamese of the document and of the box still reads back as text
    text = pdf_text(sealed, tmp_path)
    assert "Giấy xác nhận tình trạng hôn nhân số 123/2026" in text
    assert "Ông Nguyễn Văn Hùng, cư trú tại phường Ba Đình" in text
    assert f"Ký bởi: {REMOTE_NAME}" in text and "Cơ quan: Ủy ban nhân dân phường Ba Đình" in text


@pytest.mark.parametrize("behaviour, expected", [
    ("reject", r"Người ký đã từ chối ký trên điện thoại "
               r"\(tài khoản MST_0101234567-001, giao dịch [0-9a-f-]{36}\)\."),
    ("expire", r"Yêu cầu ký đã hết hạn tại cổng ký số trước khi người ký xác nhận"),
    ("never", r"Người ký không xác nhận ký trong 0.5 giây \(tài khoản MST_0101234567-001"),
    ("wrong", r"Chữ ký do cổng ký số từ xa trả về không khớp với chứng thư số "
              r"của tài khoản MST_0101234567-001\."),
])
def test_a_signing_not_confirmed_raises_a_clear_error(app, gateway, behaviour, expected):
    gateway.users[USER].behaviour = behaviour
    app.config["PLUGINS"]["remote_ca"]["timeout"] = 0.5
    with pytest.raises(SigningError, match=expected):
        seal(app, vietnamese_pdf(app))
    assert len(gateway.calls("/signHash")) == 1  # the user is asked once, never again behind their back
    polls = len(gateway.calls("/requests/status"))
    assert polls >= 8 if behaviour == "never" else polls == 2


def test_gateway_failures_raise_clear_errors(app, gateway, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "bi-mat-sai")
    with pytest.raises(SigningError, match="Cổng ký số từ xa trả lời 401 cho /vtss/service/ras/v1/login: "
                                           "Client secret is invalid"):
        seal(app, vietnamese_pdf(app))
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    app.config["SIGNING_IDENTITIES"][BA_DINH]["user_id"] = "CMT_khong_co"
    with pytest.raises(SigningError, match="User ID does not exist"):
        seal(app, vietnamese_pdf(app))
    app.config["SIGNING_IDENTITIES"][BA_DINH]["user_id"] = USER
    app.config["PLUGINS"]["remote_ca"]["base_url"] = "http://127.0.0.1:1"  # nothing listens there
    with pytest.raises(SigningError, match=r"Không kết nối được cổng ký số từ xa \(http://127.0.0.1:1/"):
        seal(app, vietnamese_pdf(app))
    assert gateway.calls("/signHash") == []  # nobody was asked to sign


def test_no_one_is_asked_to_sign_a_broken_pdf_or_with_an_expired_certificate(app, gateway, pki):
    with pytest.raises(SigningError, match="Văn bản cần ký số không phải là tệp PDF đọc được"):
        seal(app, b"%PDF-1.7\n" + b"x" * 200)
    assert gateway.requests == []  # found before the gateway is called
    gateway.add_user("CMT_het_han", pki.expired)
    app.config["SIGNING_IDENTITIES"][BA_DINH]["user_id"] = "CMT_het_han"
    expired_on = pki.expired.cert.not_valid_after_utc.strftime("%d/%m/%Y")
    with pytest.raises(SigningError, match=f"Chứng thư số của tài khoản CMT_het_han tại cổng ký số từ xa "
                                           f"hiện không có hiệu lực \\(.* đến {expired_on}\\)"):
        seal(app, vietnamese_pdf(app))
    assert gateway.calls("/signHash") == []


def test_check_config_lists_missing_settings(app, gateway, monkeypatch):
    monkeypatch.delenv(SECRET_ENV)
    app.config["PLUGINS"]["remote_ca"] = {"base_url": "ftp://gateway", "poll_interval": "soon"}
    app.config["SIGNING_IDENTITIES"] = {
        BA_DINH: {"signer": "remote_ca", "client_secret_env": SECRET_ENV},
        "000.01.02.H26": {"signer": "remote_ca", "user_id": "CMT_002", "client_id": "KHAC",
                          "client_secret_env": "MOTCUA_TEST_OTHER_SECRET"},
        "000.01.03.H26": {"signer": "pades", "pkcs12": "/nowhere.p12"},
    }
    monkeypatch.setenv("MOTCUA_TEST_OTHER_SECRET", "x")
    with app.app_context():
        problems = signers(app)["remote_ca"].check_config()
    assert problems == [
        "poll_interval của remote_ca phải là số giây.",
        f"Chưa khai báo client_id của cơ quan {BA_DINH} {WHERE}",
        f"Chưa khai báo user_id của cơ quan {BA_DINH} {WHERE}",
        "base_url của remote_ca phải là một địa chỉ http(s).",
        f"Chưa đặt biến môi trường {SECRET_ENV} (client_secret_env của remote_ca).",
    ]  # the second agency has all it needs; the base_url it shares is said once
    # no agency uses it: the plugin's own settings are what is missing
    app.config["PLUGINS"]["remote_ca"] = {}
    app.config["SIGNING_IDENTITIES"] = {}
    with app.app_context():
        assert signers(app)["remote_ca"].check_config() == [
            "Chưa khai báo base_url trong PLUGINS[\"remote_ca\"].",
            "Chưa khai báo client_id trong PLUGINS[\"remote_ca\"].",
            "Chưa khai báo client_secret_env trong PLUGINS[\"remote_ca\"].",
        ]
        # and sealing with what is missing fails before any call
        app.config["SIGNING_IDENTITIES"] = {BA_DINH: {"signer": "remote_ca"}}
        with pytest.raises(SigningError, match="Chưa khai báo base_url của cơ quan 000.01.01.H26"):
            seal(app, vietnamese_pdf(app))
    assert gateway.requests == []


# --- the one-stop documents, sealed by the jobs ---------------------------------------

def _publish(app, birth_package) -> None:
    from builder.forms.package import import_package

    with app.app_context():
        import_package(db.session, birth_package, published_by="tests")
        db.session.commit()


def _receipt(app, code: str):
    from builder.models import Document, Dossier

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        return db.session.scalar(select(Document).where(Document.dossier_id == dossier.id,
                                                        Document.kind == "receipt"))


def _stored_files(app) -> set[str]:
    from builder.storage import blob_path

    with app.app_context():
        root = os.path.dirname(os.path.dirname(blob_path("0" * 64)))
    return {name for _dirs, _sub, files in os.walk(root) for name in files} if os.path.isdir(root) else set()


def test_a_refused_receipt_is_not_stored_and_the_retry_seals_it(app, gateway, birth_package, tmp_path):
    from builder.jobs.runner import run_job
    from builder.models import Document, JobRecord

    _publish(app, birth_package)
    gateway.users[USER].behaviour = "reject"
    client = app.test_client()
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    before = _stored_files(app)
    response = client.post("/api/v1/desk/dossiers", headers=desk, json=PAPER)
    assert response.status_code == 201, response.get_json()  # the desk's work is not lost
    code = response.get_json()["code"]
    assert _receipt(app, code) is None
    assert _stored_files(app) == before  # nothing unsealed was written
    with app.app_context():
        job = db.session.scalar(select(JobRecord).where(
            JobRecord.func == "builder.jobs.tasks.render_receipt"))
        assert job.state == "pending" and job.attempts == 1
        assert "Người ký đã từ chối ký trên điện thoại (tài khoản MST_0101234567-001" in job.last_error
        assert db.session.scalar(select(db.func.count(Document.id))) == 0
    # the clerk confirms this time: the retry seals the receipt and stores it
    gateway.users[USER].behaviour = "confirm"
    with app.app_context():
        assert run_job(job.id) == "done"
    document = _receipt(app, code)
    assert document is not None
    receipt = client.get(f"/api/v1/dossiers/{code}/documents", headers=desk).get_json()
    url = next(d["url"] for d in receipt if d["kind"] == "receipt")
    data = client.get(url, headers=desk).data
    assert hashlib.sha256(data).hexdigest() == document.sha256
    signature = verify(client, data)["signatures"][0]
    assert signature["signer"] == REMOTE_NAME and signature["valid"] is True
    assert "Lê Thị Mai" in pdf_text(data, tmp_path)


def test_the_receipt_is_sealed_by_the_worker_through_the_gateway(app_config, gateway, birth_package,
                                                                 redis_url, tmp_path):
    from redis import Redis
    from rq import SimpleWorker

    from builder import create_app
    from builder.models import JobRecord

    app_config["REDIS_URL"] = redis_url
    app = create_app(app_config)
    _publish(app, birth_package)
    client = app.test_client()
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    response = client.post("/api/v1/desk/dossiers", headers=desk, json=PAPER)
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    assert _receipt(app, code) is None and gateway.calls("/signHash") == []  # not in the request
    handed_over(app)
    connection = Redis.from_url(redis_url)
    with app.app_context():
        SimpleWorker(["pdf", "default"], connection=connection).work(burst=True)
        states = {j.func.rsplit(".", 1)[1]: j.state for j in db.session.scalars(select(JobRecord))}
    assert states["render_receipt"] == "done" and states["render_control_sheet"] == "done"
    # the receipt and the control sheet: one signing request each
    assert len(gateway.calls("/signHash")) == 2
    listed = client.get(f"/api/v1/dossiers/{code}/documents", headers=desk).get_json()
    documents = {d["kind"]: d for d in listed}
    receipt = client.get(documents["receipt"]["url"], headers=desk).data
    signature = verify(client, receipt)["signatures"][0]
    assert (signature["signer"], signature["valid"], signature["trusted"]) == (REMOTE_NAME, True, True)
    text = pdf_text(receipt, tmp_path)
    assert "Lê Thị Mai" in text and f"Ký bởi: {REMOTE_NAME}" in text
    connection.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
