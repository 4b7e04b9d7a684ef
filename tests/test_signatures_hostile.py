"""Hostile input to signature verification (issue 5, "Bad input"): a
certificate chain that loops, a signature lifted from another document, and
a 50 MB "PDF" that is not one. Each gets a clear answer, never a 500, and
verification changes no state."""
from __future__ import annotations

import re
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tests.pki import NOW, Identity, _end_entity, _key, _name
from tests.test_signatures import (  # noqa: F401  (fixtures)
    app_config, only_signature, pdf_signed_by, pki, sample_pdf, verify,
)


def _looping_pair() -> tuple[Identity, Identity]:
    """Two CAs, each certified by the other: following issuers never ends."""
    key_a, key_b = _key("Vòng A"), _key("Vòng B")

    def ca(subject: str, key, issuer: str, issuer_key) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(_name(subject)).issuer_name(_name(issuer))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=10)).not_valid_after(NOW + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                           critical=False)
            .sign(issuer_key, hashes.SHA256())
        )

    cert_a = ca("Vòng A", key_a, "Vòng B", key_b)
    cert_b = ca("Vòng B", key_b, "Vòng A", key_a)
    return Identity(key_a, cert_a, [cert_b]), Identity(key_b, cert_b, [cert_a])


def test_a_certificate_chain_that_loops_is_untrusted_not_a_hang(client, pki):
    loop_a, _loop_b = _looping_pair()
    signer = _end_entity("Người ký vòng lặp", loop_a, not_before=NOW - timedelta(days=1),
                         not_after=NOW + timedelta(days=365))
    signature = only_signature(verify(client, pdf_signed_by(signer)))
    assert signature["intact"] is True  # the bytes are as signed
    assert signature["trusted"] is False  # but no chain reaches a configured root
    assert signature["problems"]
    assert verify(client, pdf_signed_by(signer)).get_json()["valid"] is False


def _contents(pdf: bytes) -> re.Match:
    match = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    assert match, "no signature contents"
    return match


def test_a_signature_lifted_from_another_document_is_not_intact(client, pki):
    genuine = pdf_signed_by(pki.signer, sample_pdf("Giay chung sinh so 123/2026"))
    other = pdf_signed_by(pki.signer, sample_pdf("Giay chung sinh so 999/2026"))
    lifted, target = _contents(genuine), _contents(other)
    assert len(lifted.group(1)) == len(target.group(1))  # same placeholder: offsets stay right
    forged = other[:target.start(1)] + lifted.group(1) + other[target.end(1):]
    signature = only_signature(verify(client, forged))
    assert signature["intact"] is False
    assert verify(client, forged).get_json()["valid"] is False
    # the genuine one still verifies: the check is on the document, not the signer
    assert only_signature(verify(client, genuine))["intact"] is True


def test_a_50_mb_file_that_is_not_a_pdf_is_refused_whole(client):
    huge = b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024)
    response = verify(client, huge, "to-khai.pdf")
    assert response.status_code == 413
    assert response.get_json()["message"]
    # the same size as plain bytes with a PDF name: refused the same way
    response = verify(client, b"\0" * (50 * 1024 * 1024), "to-khai.pdf")
    assert response.status_code == 413
