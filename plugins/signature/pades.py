"""PDF signatures (PAdES/CMS), with pyHanko: a verifier that reports on every
signature of a PDF, and a signer that seals a PDF with an agency's PKCS#12
identity, a visible signature box included.

The verifier checks, for each signature: integrity (the signed byte ranges
hash to the signed digest, and the signature value matches the certificate),
the chain to the configured trust roots at the signing time (an embedded
RFC 3161 timestamp if there is one, else the time the signer's clock
claimed), revocation where the certificate names a CRL or OCSP responder and
fetching is allowed, and whether the signature covers the whole file: an
incremental update after signing is reported, and is a problem unless it only
adds further signatures or fills form fields.

Settings, in ``PLUGINS["pades"]``: ``allow_fetching`` (false) and
``fetch_timeout`` (5 seconds), see :mod:`plugins.signature.chain`; ``font``,
a TrueType font for the signature box (default DejaVuSans.ttf from the app's
``PDF_FONT_DIRS``).
"""
from __future__ import annotations

import io
import logging
import os
from datetime import datetime, timezone
from typing import Any

from flask_babel import gettext as _

from builder import hookimpl
from builder.plugins import plugin_settings
from builder.providers.signature import (
    Problem,
    SealOptions,
    SignatureReport,
    SigningError,
    SigningIdentity,
    UnreadableDocument,
    VerificationReport,
)
from plugins.signature import chain
from builder.process.calendar import VIETNAM

log = logging.getLogger(__name__)
PDF_HEADER = b"%PDF-"
FONT_FILE = "DejaVuSans.ttf"


def _timestamp_time(embedded) -> datetime | None:
    """The time an embedded signature timestamp token states (it is checked
    by the validation; here we only need the instant to validate at)."""
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    try:
        token = next(extract_tst_data_iter(embedded.signer_info, signed=False), None)
        return token["encap_content_info"]["content"].parsed["gen_time"].native if token else None
    except Exception:  # noqa: BLE001  (a malformed token: the validation reports it)
        return None


def _claimed_time(embedded) -> datetime | None:
    """The signer's own clock: the CMS signingTime, else the PDF's /M."""
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    try:
        return extract_self_reported_ts(embedded.signer_info) or embedded.self_reported_timestamp
    except Exception:  # noqa: BLE001
        return None


class PadesVerifier:
    name = "pades"
    label = "Chữ ký số trên tệp PDF (PAdES/CMS)"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def check_config(self) -> list[str]:
        return chain.check_settings(self.name, self.settings)

    def accepts(self, data: bytes, filename: str | None = None) -> bool:
        # the header may follow a little junk (readers allow 1024 bytes)
        return PDF_HEADER in data[:1024]

    def verify(self, data: bytes, trust_roots: list[bytes]) -> VerificationReport:
        from pyhanko.pdf_utils.reader import PdfFileReader

        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            signatures = list(reader.embedded_regular_signatures)
        except Exception as exc:  # noqa: BLE001  (pyHanko raises many kinds on a broken file)
            log.info("unreadable PDF: %s", exc)
            raise UnreadableDocument(_("The file is not a readable PDF.")) from exc
        return VerificationReport(self.name, [self._verify_one(s, trust_roots) for s in signatures])

    def _verify_one(self, embedded, trust_roots: list[bytes]) -> SignatureReport:
        from pyhanko.sign.validation import validate_pdf_signature

        try:
            cert = embedded.signer_cert
        except Exception:  # noqa: BLE001
            return SignatureReport(None, None, None, False, False, False, problems=[Problem("unreadable")])
        timestamp = _timestamp_time(embedded)
        claimed = _claimed_time(embedded)
        moment = timestamp or claimed or datetime.now(timezone.utc)

        def run(hard: bool):
            context = chain.validation_context(self.settings, trust_roots, moment,
                                               embedded.other_embedded_certs, hard=hard)
            timestamps = chain.validation_context({}, trust_roots, None)
            return validate_pdf_signature(embedded, context, timestamps, key_usage_settings=chain.KEY_USAGE)

        try:
            status, checked = chain.with_revocation(self.settings, cert, run, lambda s: s.trusted,
                                                    lambda s: s.revoked)
        except Exception as exc:  # noqa: BLE001  (a malformed CMS blob)
            log.info("unreadable PDF signature %s: %s", embedded.field_name, exc)
            return SignatureReport(chain.person(cert.subject), chain.person(cert.issuer), claimed, False,
                                   False, False, problems=[Problem("unreadable")])
        intact = status.intact and status.valid
        problems = []
        if not status.intact:
            problems.append(Problem("tampered"))
        elif not status.valid:
            problems.append(Problem("bad_signature"))
        revoked_on = status.revocation_details.revocation_date if status.revocation_details else None
        trust = chain.verdict(cert, moment, status.trusted, status.trust_problem_indic,
                              revoked_on, checked)
        if intact:
            problems += trust.problems
        else:  # a broken signature proves nothing about its signer, and its chain is not checked
            trust.trusted = False
        stamp = status.timestamp_validity
        stamp_ok = stamp is not None and stamp.intact and stamp.valid and stamp.trusted
        if stamp is not None and not stamp_ok:
            problems.append(Problem("timestamp_invalid"))
        whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
        if not whole and not _later_changes_allowed(status):
            problems.append(Problem("modified_after_signing"))
        return SignatureReport(
            signer=chain.person(cert.subject), issuer=chain.person(cert.issuer),
            signed_at=timestamp or claimed, intact=intact, trusted=trust.trusted,
            covers_whole_document=whole, revocation=trust.revocation, problems=problems,
            timestamped=stamp_ok,
        )


def _later_changes_allowed(status) -> bool:
    """After a signature, a later revision may only add signatures, fill
    forms or add validation data (pyHanko's difference analysis)."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    if status.coverage is None or status.coverage.name != "ENTIRE_REVISION":
        return False
    level = status.modification_level
    return bool(status.docmdp_ok) and level is not None and level <= ModificationLevel.FORM_FILLING


class PadesSigner:
    name = "pades"
    label = "Ký số PAdES bằng chứng thư số PKCS#12 của cơ quan"

    def __init__(self, settings: dict[str, Any], font_dirs: list[str]) -> None:
        self.settings = settings
        self.font_dirs = font_dirs

    def font_path(self) -> str | None:
        if self.settings.get("font"):
            return self.settings["font"] if os.path.isfile(self.settings["font"]) else None
        for folder in self.font_dirs:
            path = os.path.join(folder, FONT_FILE)
            if os.path.isfile(path):
                return path
        return None

    def check_config(self) -> list[str]:
        if self.font_path() is None:
            return [_("No font for the signature box: set %(key)s of %(plugin)s or install DejaVu fonts.",
                      key="font", plugin=self.name)]
        return []

    def sign_pdf(self, pdf: bytes, identity: SigningIdentity, options: SealOptions | None = None) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

        options = options or SealOptions()
        simple = self._load(identity)
        font = self.font_path()
        if font is None:
            raise SigningError(f"Signer 'pades': no font for the signature box ({FONT_FILE})")
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            page_count = int(writer.root["/Pages"]["/Count"])
            existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer)}
        except Exception as exc:  # noqa: BLE001
            raise SigningError(f"Signer 'pades': the document is not a readable PDF: {exc}") from exc
        field_name = options.field_name
        suffix = 1
        while field_name in existing:  # a document sealed again keeps its first seal
            suffix += 1
            field_name = f"{options.field_name}{suffix}"
        page = options.page if options.page >= 0 else page_count + options.page
        metadata = PdfSignatureMetadata(
            field_name=field_name, reason=options.reason, location=options.location,
            subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256",
        )
        pdf_signer = PdfSigner(
            metadata, signer=simple, stamp_style=self._stamp_style(simple, font),
            new_field_spec=fields.SigFieldSpec(field_name, on_page=max(0, min(page, page_count - 1)),
                                               box=options.box),
        )
        out = io.BytesIO()
        try:
            pdf_signer.sign_pdf(writer, output=out)
        except Exception as exc:  # noqa: BLE001
            raise SigningError(f"Signer 'pades' could not seal the document: {exc}") from exc
        return out.getvalue()

    def _load(self, identity: SigningIdentity):
        from pyhanko.sign import signers

        if not identity.pkcs12:
            raise SigningError(f"Signer 'pades': agency {identity.agency_code} has no PKCS#12 identity")
        try:
            simple = signers.SimpleSigner.load_pkcs12_data(identity.pkcs12, other_certs=[],
                                                           passphrase=identity.password)
        except Exception as exc:  # noqa: BLE001  (a wrong password, a damaged file)
            raise SigningError(f"Signer 'pades': the PKCS#12 of agency {identity.agency_code} "
                               f"cannot be opened (wrong password?): {exc}") from exc
        if simple is None or simple.signing_cert is None:
            raise SigningError(f"Signer 'pades': the PKCS#12 of agency {identity.agency_code} "
                               "holds no certificate and key")
        validity = simple.signing_cert["tbs_certificate"]["validity"]
        now = datetime.now(timezone.utc)
        if not validity["not_before"].native <= now <= validity["not_after"].native:
            raise SigningError(f"Signer 'pades': the certificate of agency {identity.agency_code} "
                               f"is not valid now (valid until {validity['not_after'].native:%Y-%m-%d})")
        return simple

    def _stamp_style(self, simple, font: str):
        from pyhanko import stamp
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle

        subject = simple.signing_cert.subject.native
        when = datetime.now(VIETNAM)
        lines = [f"Ký bởi: {subject.get('common_name', '')}"]
        if subject.get("organization_name") and subject.get("organization_name") != subject.get("common_name"):
            lines.append(f"Cơ quan: {subject['organization_name']}")
        lines.append(f"Thời gian ký: {when:%H:%M, %d/%m/%Y}")
        text = "\n".join(lines).replace("%", "%%")  # the stamp formats its text with %
        return stamp.TextStampStyle(
            stamp_text=text, border_width=1,
            text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(font), font_size=8),
        )


@hookimpl
def register_signature_verifiers(app):
    return [PadesVerifier(plugin_settings("pades", app))]


@hookimpl
def register_signers(app):
    return [PadesSigner(plugin_settings("pades", app), list(app.config.get("PDF_FONT_DIRS", [])))]
