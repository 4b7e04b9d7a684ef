"""The host's side of digital signatures: which verifier reads a file, the
trust roots it is checked against, and each agency's signing identity.

Settings (instance config or the environment):

``SIGNATURE_TRUST_ROOTS``
    PEM files of the roots to trust (a file may hold several certificates),
    e.g. the national root (NEAC) and the government CA.
``SIGNING_IDENTITIES``
    per agency code, how its documents are sealed::

        SIGNING_IDENTITIES = {
            "000.01.01.H26": {"pkcs12": "/etc/motcua/ba-dinh.p12",
                              "password_env": "MOTCUA_SIGN_PASSWORD_BA_DINH",
                              "signer": "pades"},
        }

    ``signer`` names a Signer (default ``pades``); ``pkcs12`` is read when
    sealing, its password from the environment variable ``password_env`` (a
    password is never written in the config); a remote signer reads its own
    keys from the same entry. An agency with no entry has its documents
    stored unsealed, and the log says so.
"""
from __future__ import annotations

import logging
import os
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Flask, current_app
from flask_babel import gettext as _

from builder.errors import BadRequest, TooLarge
from builder.plugins import signature_verifiers, signers
from builder.providers.signature import (
    SealOptions,
    SignatureVerifier,
    SigningError,
    SigningIdentity,
    VerificationReport,
)

log = logging.getLogger(__name__)
DEFAULT_SIGNER = "pades"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class UnsupportedDocument(BadRequest):
    """No verifier reads this kind of file."""


def max_bytes(app: Flask | None = None) -> int:
    config = (app or current_app).config
    return int(config.get("SIGNATURE_MAX_BYTES") or config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def load_trust_roots(app: Flask | None = None) -> list[bytes]:
    """The configured roots as DER certificates. A missing or unreadable file
    is logged and left out: nothing is trusted by accident."""
    roots: list[bytes] = []
    for path in (app or current_app).config.get("SIGNATURE_TRUST_ROOTS") or []:
        try:
            with open(path, "rb") as source:
                certificates = x509.load_pem_x509_certificates(source.read())
        except (OSError, ValueError) as exc:
            log.error("SIGNATURE_TRUST_ROOTS: cannot read %s: %s", path, exc)
            continue
        roots.extend(cert.public_bytes(Encoding.DER) for cert in certificates)
    return roots


def trust_root_problems(app: Flask | None = None) -> list[str]:
    """What is wrong with SIGNATURE_TRUST_ROOTS, for the admin."""
    problems = []
    paths = (app or current_app).config.get("SIGNATURE_TRUST_ROOTS") or []
    if not paths:
        problems.append(_("No trust roots are configured (SIGNATURE_TRUST_ROOTS)."))
    for path in paths:
        try:
            with open(path, "rb") as source:
                x509.load_pem_x509_certificates(source.read())
        except (OSError, ValueError):
            problems.append(_("The trust root %(path)s cannot be read as PEM certificates.", path=path))
    return problems


def verifier_for(data: bytes, filename: str | None = None) -> SignatureVerifier | None:
    for verifier in signature_verifiers().values():
        if verifier.accepts(data, filename):
            return verifier
    return None


def verify_document(data: bytes, filename: str | None = None) -> VerificationReport:
    """Every signature of a PDF or XML file, checked against the trust roots.
    Raises :class:`UnsupportedDocument` (400) for another kind of file,
    :class:`TooLarge` (413) over the size limit, and the verifier's
    ``UnreadableDocument`` (400) for a file it cannot parse."""
    limit = max_bytes()
    if len(data) > limit:
        raise TooLarge(_("A file may be at most %(mb)s MB.", mb=limit // (1024 * 1024)))
    verifier = verifier_for(data, filename)
    if verifier is None:
        raise UnsupportedDocument(_("Only PDF and XML files can be checked for signatures."))
    return verifier.verify(data, load_trust_roots())


def identity_settings(agency_code: str, app: Flask | None = None) -> dict[str, Any] | None:
    entry = ((app or current_app).config.get("SIGNING_IDENTITIES") or {}).get(agency_code)
    return dict(entry) if entry else None


def signing_identity(agency_code: str, app: Flask | None = None) -> SigningIdentity | None:
    """The agency's identity, its PKCS#12 read now; None when it has none."""
    settings = identity_settings(agency_code, app)
    if settings is None:
        return None
    pkcs12 = None
    if settings.get("pkcs12"):
        try:
            with open(settings["pkcs12"], "rb") as source:
                pkcs12 = source.read()
        except OSError as exc:
            raise SigningError(f"SIGNING_IDENTITIES[{agency_code!r}]: cannot read "
                               f"{settings['pkcs12']}: {exc.strerror}") from exc
    password = None
    if settings.get("password_env"):
        value = os.environ.get(settings["password_env"])
        if value is None:
            raise SigningError(f"SIGNING_IDENTITIES[{agency_code!r}]: the environment variable "
                               f"{settings['password_env']} is not set")
        password = value.encode("utf-8")
    return SigningIdentity(agency_code=agency_code, signer=settings.get("signer") or DEFAULT_SIGNER,
                           pkcs12=pkcs12, password=password, settings=settings)


def seal_document(agency, pdf: bytes, options: SealOptions | None = None) -> bytes:
    """``pdf`` sealed with the agency's identity (``agency``: an Agency or
    its code); unchanged, and logged, when the agency has none. A configured
    identity that fails raises :class:`SigningError`: never a silent
    unsealed document."""
    code = agency if isinstance(agency, str) else agency.code
    identity = signing_identity(code)
    if identity is None:
        log.info("agency %s has no signing identity (SIGNING_IDENTITIES): document not sealed", code)
        return pdf
    signer = signers().get(identity.signer)
    if signer is None:
        raise SigningError(f"SIGNING_IDENTITIES[{code!r}] names the signer {identity.signer!r}, "
                           "which no installed plugin offers")
    if options is None and not isinstance(agency, str):
        options = SealOptions(location=getattr(agency, "name", None))
    return signer.sign_pdf(pdf, identity, options)


def attachment_signature(attachment) -> dict[str, Any] | None:
    """The ``signature`` of an attachment in the dossier's JSON: null for a
    kind of file that carries none (images), ``{"checked": false}`` until
    the job has run, else the report (the API's shape) with ``checked``."""
    from builder.jobs.signature_tasks import VERIFIABLE_TYPES

    if attachment.signature_checked_at is None:
        return {"checked": False} if attachment.content_type in VERIFIABLE_TYPES else None
    if attachment.signature_report is None:
        return None
    report = VerificationReport.from_record(attachment.signature_report)
    return {"checked": True, "unreadable": report.unreadable, **report.to_dict()}


def signature_summary(attachment) -> tuple[str, str] | None:
    """One line for the officer about an attachment's signatures, and its
    tone (success, danger, muted); None for a file that carries none."""
    from builder.jobs.signature_tasks import VERIFIABLE_TYPES

    if attachment.signature_checked_at is None:
        if attachment.content_type in VERIFIABLE_TYPES:
            return _("Checking the digital signatures…"), "muted"
        return None
    if attachment.signature_report is None:
        return None
    report = VerificationReport.from_record(attachment.signature_report)
    if report.unreadable:
        return _("The file cannot be read to check its digital signatures."), "danger"
    if not report.signed:
        return _("No digital signature."), "muted"
    if report.valid:
        signers_ = ", ".join(s.signer or "?" for s in report.signatures)
        return _("Valid digital signature of %(signer)s", signer=signers_), "success"
    lines = []
    for signature in report.signatures:
        if signature.valid:
            lines.append(_("Valid digital signature of %(signer)s", signer=signature.signer or "?"))
        else:
            lines.append(_("The digital signature of %(signer)s is not valid: %(problems)s",
                           signer=signature.signer or "?",
                           problems=" ".join(p.message() for p in signature.problems)
                           or _("see the details.")))
    return "; ".join(lines), "danger"
