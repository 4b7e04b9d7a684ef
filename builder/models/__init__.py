"""The SQLAlchemy models. They share Flask-AppBuilder's declarative base, so one
metadata (and one Alembic history) holds the security tables and ours."""
from __future__ import annotations

from builder.models.account import UserProfile
from builder.models.agency import Agency, AgencyCalendarDay
from builder.models.dossier import (
    Attachment,
    Document,
    Dossier,
    DossierSequence,
    DossierTransfer,
    Evaluation,
    HistoryEntry,
)
from builder.models.delivery import DeliveryEvent, DeliveryOrder
from builder.models.identity import ExternalIdentity
from builder.models.job import JobRecord
from builder.models.payment import Payment
from builder.models.procedure import Procedure, ProcedureVersion
from builder.models.template import AgencyDocument, DocumentTemplate

__all__ = [
    "Agency",
    "AgencyDocument",
    "AgencyCalendarDay",
    "Attachment",
    "DeliveryEvent",
    "DeliveryOrder",
    "Document",
    "DocumentTemplate",
    "Dossier",
    "DossierSequence",
    "DossierTransfer",
    "Evaluation",
    "ExternalIdentity",
    "HistoryEntry",
    "JobRecord",
    "Payment",
    "Procedure",
    "ProcedureVersion",
    "UserProfile",
]
