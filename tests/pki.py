"""A small public-key infrastructure for the signature tests, made with
``cryptography``: a root CA and an intermediate under it (the "national" chain
the deployment trusts), a good signer, an expired signer, a revoked signer
whose certificate names a CRL, an agency's sealing identity, and an untrusted
signer under another root. Keys are made once per test session."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.now(timezone.utc).replace(microsecond=0)
CRL_PATH = "/crl/intermediate.crl"


@dataclass
class Identity:
    """A key and its certificate, with the chain above it (nearest first)."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)

    @property
    def common_name(self) -> str:
        return self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    def pkcs12(self, password: bytes | None) -> bytes:
        encryption = (serialization.BestAvailableEncryption(password) if password
                      else serialization.NoEncryption())
        return pkcs12.serialize_key_and_certificates(
            self.common_name.encode("utf-8"), self.key, self.cert, self.chain or None, encryption)

    def write_pkcs12(self, folder: Path, password: bytes | None, name: str = "identity.p12") -> Path:
        path = folder / name
        path.write_bytes(self.pkcs12(password))
        return path


def _name(common_name: str, organisation: str = "Cơ quan thử nghiệm") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


@functools.cache
def _key(label: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca(common_name: str, issuer: Identity | None, path_length: int | None) -> Identity:
    key = _key(common_name)
    subject = _name(common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=3650))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    chain = [issuer.cert, *issuer.chain] if issuer else []
    return Identity(key, cert, chain)


def _end_entity(common_name: str, issuer: Identity, *, not_before: datetime, not_after: datetime,
                organisation: str = "Cơ quan thử nghiệm", crl_url: str | None = None,
                timestamping: bool = False) -> Identity:
    key = _key(common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING] if timestamping else [
            ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=timestamping)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                       critical=False)
    )
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    cert = builder.sign(issuer.key, hashes.SHA256())
    return Identity(key, cert, [issuer.cert, *issuer.chain])


@dataclass
class Pki:
    root: Identity
    intermediate: Identity
    signer: Identity  # good, valid now
    expired: Identity  # expired a year ago
    seal: Identity  # an agency's sealing identity
    other_root: Identity
    untrusted: Identity  # under other_root, which nobody trusts
    tsa: Identity  # a timestamp authority under the intermediate

    def write_roots(self, folder: Path) -> list[str]:
        """The trust roots as PEM files, as SIGNATURE_TRUST_ROOTS lists them."""
        path = folder / "root.pem"
        path.write_bytes(self.root.cert_pem())
        return [str(path)]

    def revocable(self, crl_base: str) -> Identity:
        """A signer whose certificate says its CRL is at ``crl_base``."""
        return _end_entity("Trần Thị Thu Hồi", self.intermediate, not_before=NOW - timedelta(days=30),
                           not_after=NOW + timedelta(days=365), crl_url=crl_base + CRL_PATH)

    def crl(self, revoked: list[Identity]) -> bytes:
        """The intermediate's CRL (DER), listing ``revoked``."""
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(self.intermediate.cert.subject)
                   .last_update(NOW - timedelta(days=1))
                   .next_update(NOW + timedelta(days=7))
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self.intermediate.key.public_key()), critical=False)
                   .add_extension(x509.CRLNumber(1), critical=False))
        for identity in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(identity.cert.serial_number)
                .revocation_date(NOW - timedelta(days=10)).build())
        return builder.sign(self.intermediate.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@functools.cache
def make_pki() -> Pki:
    root = _ca("Root CA thử nghiệm", None, path_length=1)
    intermediate = _ca("CA trung gian thử nghiệm", root, path_length=0)
    other_root = _ca("Root CA không tin cậy", None, path_length=0)
    return Pki(
        root=root,
        intermediate=intermediate,
        signer=_end_entity("Nguyễn Văn Hùng", intermediate, not_before=NOW - timedelta(days=30),
                           not_after=NOW + timedelta(days=365)),
        expired=_end_entity("Lê Văn Hết Hạn", intermediate, not_before=NOW - timedelta(days=730),
                            not_after=NOW - timedelta(days=365)),
        seal=_end_entity("Ủy ban nhân dân phường Ba Đình", intermediate,
                         not_before=NOW - timedelta(days=30), not_after=NOW + timedelta(days=730),
                         organisation="Ủy ban nhân dân phường Ba Đình"),
        other_root=other_root,
        untrusted=_end_entity("Phạm Văn Lạ", other_root, not_before=NOW - timedelta(days=30),
                              not_after=NOW + timedelta(days=365)),
        tsa=_end_entity("Dịch vụ cấp dấu thời gian thử nghiệm", intermediate,
                        not_before=NOW - timedelta(days=3000), not_after=NOW + timedelta(days=3000),
                        timestamping=True),
    )
