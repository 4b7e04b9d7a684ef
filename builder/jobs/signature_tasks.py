"""Jobs of digital signatures: the verification of an uploaded attachment."""
from __future__ import annotations

import logging

from builder.extensions import db
from builder.models import Attachment
from builder.models.types import utcnow
from builder.providers.signature import UnreadableDocument, VerificationReport
from builder.signatures import load_trust_roots, verifier_for
from builder.storage import read_bytes

log = logging.getLogger(__name__)
# the kinds of attachment worth a verification job (the rest are images)
VERIFIABLE_TYPES = ("application/pdf", "application/xml", "text/xml")


def verify_attachment(attachment_id: int) -> None:
    """Verify an attachment's signatures and keep the report on it. Done
    once: a rerun finds it checked and does nothing."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.signature_checked_at is not None:
        return
    data = read_bytes(attachment.sha256)
    verifier = verifier_for(data, attachment.filename)
    if verifier is None:
        attachment.signature_report = None
    else:
        try:
            report = verifier.verify(data, load_trust_roots())
        except UnreadableDocument as exc:
            log.info("attachment %s cannot be read for signatures: %s", attachment_id, exc.message)
            report = VerificationReport(verifier.name, unreadable=True)
        attachment.signature_report = report.to_record()
    attachment.signature_checked_at = utcnow()
    db.session.commit()
