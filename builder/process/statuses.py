"""The national status codes of a dossier (DOMAIN.md); ``0`` is our draft."""
from __future__ import annotations

from flask_babel import lazy_gettext as _

DRAFT = 0
SUBMITTED = 1
RECEIVED = 2
REFUSED = 3
PROCESSING = 4
SUPPLEMENT_REQUESTED = 5
AWAITING_PAYMENT = 6
WITHDRAWN = 7
STOPPED = 8
PROCESSED = 9
RETURNED = 10

STATUS_LABELS = {
    DRAFT: _("Draft"),
    SUBMITTED: _("Submitted, awaiting reception"),
    RECEIVED: _("Received"),
    REFUSED: _("Refused at reception"),
    PROCESSING: _("In processing"),
    SUPPLEMENT_REQUESTED: _("Waiting for a supplement"),
    AWAITING_PAYMENT: _("Waiting for payment"),
    WITHDRAWN: _("Withdrawn by the applicant"),
    STOPPED: _("Processing stopped"),
    PROCESSED: _("Processed, result ready"),
    RETURNED: _("Result returned"),
}


def status_label(status: int) -> str:
    return str(STATUS_LABELS.get(status, status))
