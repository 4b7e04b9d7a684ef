"""Digital signatures: PDF (PAdES/CMS) and XML (XMLDSig) verification through
POST /api/v1/signatures/verify, the check of every signed attachment shown to
the officer, and one-stop documents sealed with the agency's certificate.

The signatures under test are made here with pyHanko and signxml directly,
from the test's own PKI (tests/pki.py), never with the plugin's signer; the
sealed receipt is checked byte by byte by this file's own CMS check."""
from __future__ import annotations

import hashlib
import io
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import cms, x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from reportlab.pdfgen import canvas

from builder.extensions import db
from builder.plugins import signature_verifiers, signers
from builder.providers.signature import SigningError, SigningIdentity
from tests.conftest import pdf_fonts, pdf_text
from tests.helpers import BA_DINH, BIRTH_CODE, citizen, example_data, staff
from tests.pki import CRL_PATH, NOW, make_pki

VI_PROBLEMS = {
    "tampered": "Nội dung đã ký bị thay đổi sau khi ký: giá trị băm không khớp.",
    "untrusted": "Chứng thư số của người ký không thuộc chuỗi của một tổ chức chứng thực gốc được tin cậy.",
    "modified": "Văn bản đã bị sửa đổi sau khi ký.",
}


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture
def app_config(app_config, pki, tmp_path):
    roots = tmp_path / "roots"
    roots.mkdir()
    app_config["SIGNATURE_TRUST_ROOTS"] = pki.write_roots(roots)
    return app_config


def sample_pdf(text: str = "Giay chung sinh so 123/2026") -> bytes:
    """A one-page PDF whose content stream is not compressed, so a test can
    change a word of it in place."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pageCompression=0)
    page.drawString(72, 760, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def pdf_signed_by(identity, pdf: bytes | None = None, timestamper=None, field: str = "Signature1") -> bytes:
    """Sign with pyHanko directly: the way a citizen's signing tool would."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers as hanko_signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

    signer = hanko_signers.SimpleSigner.load_pkcs12_data(identity.pkcs12(b"pw"), other_certs=[],
                                                         passphrase=b"pw")
    out = io.BytesIO()
    hanko_signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf or sample_pdf())),
                           PdfSignatureMetadata(field_name=field, md_algorithm="sha256"),
                           signer=signer, output=out, timestamper=timestamper)
    return out.getvalue()


def xml_signed_by(identity) -> bytes:
    from signxml import XMLSigner, methods

    document = etree.fromstring("<HoSo><MaHoSo>000.01.01.H26-261123-0001</MaHoSo>"
                                "<HoTen>Nguyễn Văn Hùng</HoTen></HoSo>".encode("utf-8"))
    chain = [identity.cert_pem().decode()] + [
        c.public_bytes(serialization.Encoding.PEM).decode() for c in identity.chain]
    signed = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256",
                       digest_algorithm="sha256").sign(document, key=identity.key_pem(), cert=chain)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def verify(client, data: bytes, filename: str = "van-ban.pdf", **headers):
    return client.post("/api/v1/signatures/verify", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=headers)


def only_signature(response) -> dict:
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["signed"] is True and len(body["signatures"]) == 1
    return body["signatures"][0]


# --- the hooks ---------------------------------------------------------------

def test_register_signature_verifiers_offers_pdf_and_xml(app):
    verifiers = signature_verifiers(app)
    assert {"pades", "xmldsig"} <= set(verifiers)
    assert verifiers["pades"].accepts(sample_pdf()) and not verifiers["pades"].accepts(b"<a/>")
    assert verifiers["xmldsig"].accepts(b'<?xml version="1.0"?><a/>')
    assert not verifiers["xmldsig"].accepts(sample_pdf())
    assert verifiers["pades"].check_config() == [] and verifiers["xmldsig"].check_config() == []


def test_register_signers_seals_a_pdf_with_a_visible_box(app, pki, tmp_path):
    signer = signers(app)["pades"]
    identity = SigningIdentity("000.01.01.H26", "pades", pki.seal.pkcs12(b"mat-khau"), b"mat-khau")
    with app.test_request_context():
        sealed = signer.sign_pdf(sample_pdf(), identity)
        with pytest.raises(SigningError, match="cannot be opened"):
            signer.sign_pdf(sample_pdf(), SigningIdentity("X", "pades", pki.seal.pkcs12(b"mat-khau"), b"sai"))
    text = pdf_text(sealed, tmp_path)
    # the box, in Vietnamese, drawn with an embedded font
    assert "Ký bởi: Ủy ban nhân dân phường Ba Đình" in text and "Thời gian ký:" in text
    assert "DejaVuSans" in pdf_fonts(sealed, tmp_path)
    report = only_signature(verify(app.test_client(), sealed))
    assert report["valid"] and report["signer"] == "Ủy ban nhân dân phường Ba Đình"


# --- PDF ---------------------------------------------------------------------

def test_a_good_pdf_signature(client, pki):
    response = verify(client, pdf_signed_by(pki.signer))
    body = response.get_json()
    assert body["valid"] is True and body["format"] == "pades"
    signature = body["signatures"][0]
    assert signature["signer"] == "Nguyễn Văn Hùng"
    assert signature["issuer"] == "CA trung gian thử nghiệm"
    assert (signature["intact"], signature["trusted"], signature["covers_whole_document"]) == (True, True, True)
    assert signature["revocation"] == "unknown"  # the certificate names no CRL, and fetching is off
    assert signature["problems"] == []
    # signed just now (the PKI's NOW is when the module was loaded: the suite may run long)
    assert abs((datetime.now(timezone.utc) - _instant(signature["signed_at"])).total_seconds()) < 120


def _instant(text):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_a_tampered_pdf(client, pki):
    signed = pdf_signed_by(pki.signer)
    assert signed.count(b"Giay chung sinh so 123/2026") == 1
    forged = signed.replace(b"Giay chung sinh so 123/2026", b"Giay chung sinh so 923/2026")
    signature = only_signature(verify(client, forged))
    assert signature["intact"] is False and signature["trusted"] is False
    assert signature["problems"] == [VI_PROBLEMS["tampered"]]
    english = only_signature(verify(client, forged, **{"Accept-Language": "en"}))
    assert english["problems"] == ["The signed content was changed after signing: its hash does not match."]


def test_an_untrusted_chain(client, pki):
    response = verify(client, pdf_signed_by(pki.untrusted))
    signature = only_signature(response)
    assert response.get_json()["valid"] is False
    assert signature["intact"] is True and signature["trusted"] is False
    assert signature["issuer"] == "Root CA không tin cậy"
    assert signature["problems"] == [VI_PROBLEMS["untrusted"]]


def test_no_trust_roots_configured_trusts_nothing(app_config, pki):
    from builder import create_app

    app_config["SIGNATURE_TRUST_ROOTS"] = []
    app = create_app(app_config)
    signature = only_signature(verify(app.test_client(), pdf_signed_by(pki.signer)))
    assert signature["intact"] is True and signature["trusted"] is False
    with app.app_context():
        db.engine.dispose()


def test_an_expired_certificate(client, pki):
    signature = only_signature(verify(client, pdf_signed_by(pki.expired)))
    assert signature["intact"] is True and signature["trusted"] is False
    expired_on = pki.expired.cert.not_valid_after_utc.strftime("%d/%m/%Y")
    assert signature["problems"] == [
        f"Chứng thư số của người ký đã hết hạn tại thời điểm ký (hiệu lực đến {expired_on})."]


def test_validity_is_judged_at_the_timestamp(client, pki):
    """Signed with a timestamp from when the certificate was valid: the
    certificate has expired since, and the signature is still good."""
    from asn1crypto import keys
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    signed_then = NOW - timedelta(days=500)  # the expired certificate ran from -730 to -365 days
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa.cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(pki.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                        for c in pki.tsa.chain],
        fixed_dt=signed_then)
    signature = only_signature(verify(client, pdf_signed_by(pki.expired, timestamper=tsa)))
    assert signature["timestamped"] is True
    assert _instant(signature["signed_at"]) == signed_then
    assert signature["trusted"] is True and signature["problems"] == []


def test_an_incremental_update_after_signing(client, pki):
    """A page's content replaced in a revision added after the signature:
    the signature is intact but no longer covers the document."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = pdf_signed_by(pki.signer)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 12 Tf 72 760 Td (Giay chung sinh so 999/2026) Tj ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(signed)  # the signed bytes are all still there
    response = verify(client, out.getvalue())
    signature = only_signature(response)
    assert signature["intact"] is True and signature["trusted"] is True
    assert signature["covers_whole_document"] is False
    assert signature["problems"] == [VI_PROBLEMS["modified"]]
    assert response.get_json()["valid"] is False


def test_a_second_signature_is_an_allowed_update(client, pki):
    twice = pdf_signed_by(pki.seal, pdf_signed_by(pki.signer), field="Signature2")
    body = verify(client, twice).get_json()
    first, second = body["signatures"]
    assert (first["signer"], first["covers_whole_document"], first["valid"]) == ("Nguyễn Văn Hùng", False, True)
    assert (second["signer"], second["covers_whole_document"], second["valid"]) == (
        "Ủy ban nhân dân phường Ba Đình", True, True)
    assert body["valid"] is True


def test_an_unsigned_pdf(client):
    assert verify(client, sample_pdf()).get_json() == {
        "signed": False, "valid": False, "format": "pades", "signatures": []}


class CrlServer:
    """Serves the intermediate's CRL over HTTP, as a CA publishes it."""

    def __init__(self):
        self.crl = b""
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests += 1
                if self.path != CRL_PATH:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(server.crl)))
                self.end_headers()
                self.wfile.write(server.crl)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def crl_server():
    server = CrlServer()
    yield server
    server.close()


@pytest.mark.parametrize("listed, fetching, expected", [
    (True, True, "revoked"), (False, True, "good"), (True, False, "unknown")])
def test_revocation_from_the_certificates_crl(app_config, pki, crl_server, listed, fetching, expected):
    from builder import create_app

    app_config["PLUGINS"] = {"pades": {"allow_fetching": fetching, "fetch_timeout": 3}}
    app = create_app(app_config)
    signer = pki.revocable(crl_server.base)
    crl_server.crl = pki.crl([signer] if listed else [])
    signature = only_signature(verify(app.test_client(), pdf_signed_by(signer)))
    assert signature["revocation"] == expected
    assert crl_server.requests == (1 if fetching else 0)  # no network unless allowed
    if expected == "revoked":
        revoked_on = (NOW - timedelta(days=10)).strftime("%d/%m/%Y")
        assert signature["trusted"] is False and signature["valid"] is False
        assert f"Chứng thư số của người ký đã bị thu hồi ngày {revoked_on}." in signature["problems"]
    else:
        assert signature["trusted"] is True and signature["valid"] is True
    with app.app_context():
        db.engine.dispose()


def test_an_unreachable_crl_is_unknown_and_quick(app_config, pki):
    """The CRL's server is down: revocation unknown, no hang, still trusted."""
    import socket
    import time

    from builder import create_app

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app_config["PLUGINS"] = {"pades": {"allow_fetching": True, "fetch_timeout": 2}}
    app = create_app(app_config)
    started = time.monotonic()
    signature = only_signature(verify(app.test_client(), pdf_signed_by(pki.revocable(f"http://127.0.0.1:{port}"))))
    assert time.monotonic() - started < 15
    assert (signature["revocation"], signature["trusted"]) == ("unknown", True)
    with app.app_context():
        db.engine.dispose()


# --- XML ---------------------------------------------------------------------

def test_a_good_xml_signature(client, pki):
    response = verify(client, xml_signed_by(pki.signer), "ho-so.xml")
    signature = only_signature(response)
    assert response.get_json()["format"] == "xmldsig" and response.get_json()["valid"] is True
    assert (signature["signer"], signature["issuer"]) == ("Nguyễn Văn Hùng", "CA trung gian thử nghiệm")
    assert signature["intact"] and signature["trusted"] and signature["covers_whole_document"]


def test_a_tampered_xml_signature(client, pki):
    forged = xml_signed_by(pki.signer).replace("Nguyễn Văn Hùng".encode(), "Nguyễn Văn Hưng".encode())
    signature = only_signature(verify(client, forged, "ho-so.xml"))
    assert signature["intact"] is False and signature["trusted"] is False
    assert signature["problems"] == [VI_PROBLEMS["tampered"]]


def test_an_untrusted_and_an_expired_xml_signature(client, pki):
    untrusted = only_signature(verify(client, xml_signed_by(pki.untrusted), "a.xml"))
    assert untrusted["intact"] is True and untrusted["problems"] == [VI_PROBLEMS["untrusted"]]
    expired = only_signature(verify(client, xml_signed_by(pki.expired), "b.xml"))
    assert expired["intact"] is True and expired["trusted"] is False
    assert expired["problems"][0].startswith("Chứng thư số của người ký đã hết hạn")


def test_xml_entities_are_refused(client):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><a>&lol2;</a>')
    xxe = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    for document in (bomb, xxe):
        response = verify(client, document, "bom.xml")
        assert response.status_code == 400
        assert response.get_json()["message"] == "Không chấp nhận tệp XML có khai báo kiểu tài liệu (DTD)."


# --- bad input ---------------------------------------------------------------

def test_verify_rejects_bad_input(app_config, pki):
    from builder import create_app

    app_config["SIGNATURE_MAX_BYTES"] = 64 * 1024
    app = create_app(app_config)
    client = app.test_client()
    no_file = client.post("/api/v1/signatures/verify", data={}, content_type="multipart/form-data")
    assert no_file.status_code == 400
    assert no_file.get_json()["message"] == "Vui lòng gửi tệp cần kiểm tra trong trường file."
    image = verify(client, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "anh.png")
    assert image.status_code == 400
    assert image.get_json()["message"] == "Chỉ kiểm tra được chữ ký số trên tệp PDF và XML."
    for broken in (b"%PDF-1.7\n" + b"\xff" * 2000, pdf_signed_by(pki.signer)[:3000], b"<a><b></a>"):
        response = verify(client, broken)
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["message"]
    huge = verify(client, b"%PDF-1.7\n" + b"0" * (64 * 1024))
    assert huge.status_code == 413 and huge.get_json()["message"]
    assert verify(client, b"", "rong.pdf").status_code == 400
    with app.app_context():
        db.engine.dispose()


def test_verify_is_in_the_openapi_document(client):
    assert "post" in client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/signatures/verify"]


# --- attachments -------------------------------------------------------------

def _draft_with(client, headers, package, files) -> int:
    response = client.post("/api/v1/dossiers", headers=headers, json={
        "procedure": BIRTH_CODE, "data": example_data(package), "agency": BA_DINH,
        "delivery": {"method": "online"}, "submit": False})
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()["id"]
    for component, data, name in files:
        upload = client.post(f"/api/v1/dossiers/{draft}/attachments", headers=headers, data={
            "component": component, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
    return draft


def test_signed_attachments_are_verified_and_shown_to_the_officer(app, client, library, birth_package, pki):
    from tests.test_admin import browser_login

    owner = citizen(client)
    draft = _draft_with(client, owner, birth_package, [
        ("birth_certificate", pdf_signed_by(pki.signer), "giay-chung-sinh-ky-so.pdf"),
        ("marriage_certificate", pdf_signed_by(pki.untrusted), "giay-ket-hon.pdf"),
    ])
    submitted = client.post(f"/api/v1/dossiers/{draft}/submit", headers=owner)
    assert submitted.status_code == 201, submitted.get_json()
    code = submitted.get_json()["code"]
    # the jobs ran after the upload's commit (no Redis here: in the process)
    attachments = client.get(f"/api/v1/dossiers/{code}", headers=owner).get_json()["attachments"]
    good, bad = attachments
    assert good["signature"]["checked"] is True and good["signature"]["valid"] is True
    assert good["signature"]["signatures"][0]["signer"] == "Nguyễn Văn Hùng"
    assert bad["signature"]["valid"] is False
    assert bad["signature"]["signatures"][0]["problems"] == [VI_PROBLEMS["untrusted"]]
    staff(client, "can_bo_ba_dinh", "Officer", BA_DINH)
    page = browser_login(app, "can_bo_ba_dinh").get(f"/mot-cua/ho-so/{code}").get_data(as_text=True)
    assert "Có chữ ký số hợp lệ của Nguyễn Văn Hùng" in page
    assert f"Chữ ký số của Phạm Văn Lạ không hợp lệ: {VI_PROBLEMS['untrusted']}" in page


def test_an_attachment_is_verified_once(app, client, library, birth_package, pki):
    from builder.jobs.signature_tasks import verify_attachment
    from builder.models import Attachment, JobRecord

    owner = citizen(client)
    _draft_with(client, owner, birth_package, [("birth_certificate", pdf_signed_by(pki.signer), "a.pdf")])
    with app.app_context():
        attachment = db.session.scalars(db.select(Attachment)).one()
        jobs = db.session.scalars(db.select(JobRecord).where(
            JobRecord.func == "builder.jobs.signature_tasks.verify_attachment")).all()
        assert [(j.args, j.state) for j in jobs] == [([attachment.id], "done")]
        checked_at = attachment.signature_checked_at
        verify_attachment(attachment.id)  # a retry changes nothing
        db.session.expire_all()
        assert db.session.get(Attachment, attachment.id).signature_checked_at == checked_at


# --- sealing -----------------------------------------------------------------

PAPER = {"procedure": BIRTH_CODE,
         "applicant": {"name": "Lê Thị Mai", "id_number": "001185000321", "phone": "0987654321"},
         "components": ["birth_certificate"], "delivery": {"method": "desk"}}


def _cms_check(pdf: bytes, cert) -> None:
    """Our own reading of the last PAdES signature: the digest of the byte
    ranges is the signed messageDigest, and the signature over the signed
    attributes verifies with the certificate's public key."""
    ranges = [int(n) for n in re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)[-1]]
    start, length, start2, length2 = ranges
    assert start == 0 and start2 + length2 == len(pdf)  # the signature covers the file to its end
    signed_bytes = pdf[start:start + length] + pdf[start2:start2 + length2]
    contents = pdf[start + length:start2].strip(b"<> \n")
    content_info = cms.ContentInfo.load(bytes.fromhex(contents.decode()).rstrip(b"\0"))
    signer_info = content_info["content"]["signer_infos"][0]
    attributes = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
    assert attributes["message_digest"].native == hashlib.sha256(signed_bytes).digest()
    cert.public_key().verify(signer_info["signature"].native, signer_info["signed_attrs"].untag().dump(),
                             padding.PKCS1v15(), hashes.SHA256())


def test_one_stop_documents_are_sealed_by_the_agency(app_config, pki, tmp_path, monkeypatch, birth_package):
    from builder import create_app
    from builder.forms.package import import_package

    p12 = pki.seal.write_pkcs12(tmp_path, b"mat-khau-con-dau", "ba-dinh.p12")
    monkeypatch.setenv("MOTCUA_SIGN_PASSWORD_BA_DINH", "mat-khau-con-dau")
    app_config["SIGNING_IDENTITIES"] = {BA_DINH: {"pkcs12": str(p12), "signer": "pades",
                                                  "password_env": "MOTCUA_SIGN_PASSWORD_BA_DINH"}}
    app = create_app(app_config)
    with app.app_context():
        import_package(db.session, birth_package, published_by="tests")
        db.session.commit()
    client = app.test_client()
    desk = staff(client, "mot_cua", "Desk", BA_DINH)
    response = client.post("/api/v1/desk/dossiers", headers=desk, json=PAPER)
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    documents = {d["kind"]: d for d in client.get(f"/api/v1/dossiers/{code}/documents", headers=desk).get_json()}
    receipt = client.get(documents["receipt"]["url"], headers=desk).data
    assert documents["receipt"]["sha256"] == hashlib.sha256(receipt).hexdigest()
    # the same API a citizen uses says it is the agency's, valid and trusted
    signature = only_signature(verify(client, receipt, "giay-tiep-nhan.pdf"))
    assert signature["signer"] == "Ủy ban nhân dân phường Ba Đình"
    assert (signature["intact"], signature["trusted"], signature["covers_whole_document"]) == (True, True, True)
    _cms_check(receipt, pki.seal.cert)
    # and its Vietnamese still reads back as text, the seal's box too
    text = pdf_text(receipt, tmp_path)
    assert "Lê Thị Mai" in text and "Tại Bộ phận Một cửa" in text
    assert "Ký bởi: Ủy ban nhân dân phường Ba Đình" in text
    with app.app_context():
        db.engine.dispose()


def test_without_an_identity_documents_are_stored_unsealed(app, pki, caplog):
    from builder.signatures import seal_document

    pdf = sample_pdf()
    with app.app_context(), caplog.at_level("INFO", logger="builder.signatures"):
        assert seal_document(BA_DINH, pdf) == pdf
    assert f"agency {BA_DINH} has no signing identity" in caplog.text


def test_a_broken_identity_fails_loudly(app_config, pki, tmp_path, monkeypatch):
    from builder import create_app
    from builder.signatures import seal_document

    p12 = pki.seal.write_pkcs12(tmp_path, b"dung", "ba-dinh.p12")
    monkeypatch.setenv("MOTCUA_SIGN_PASSWORD_BA_DINH", "sai")
    app_config["SIGNING_IDENTITIES"] = {BA_DINH: {"pkcs12": str(p12),
                                                  "password_env": "MOTCUA_SIGN_PASSWORD_BA_DINH"}}
    app = create_app(app_config)
    with app.app_context():
        with pytest.raises(SigningError, match="wrong password"):
            seal_document(BA_DINH, sample_pdf())
        monkeypatch.delenv("MOTCUA_SIGN_PASSWORD_BA_DINH")
        with pytest.raises(SigningError, match="MOTCUA_SIGN_PASSWORD_BA_DINH is not set"):
            seal_document(BA_DINH, sample_pdf())
        db.engine.dispose()
