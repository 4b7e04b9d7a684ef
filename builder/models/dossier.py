"""Dossiers, their attachments, their history, their generated documents and
the per-agency, per-day counters behind their codes."""
from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from builder.models.agency import Agency
from builder.models.procedure import Procedure, ProcedureVersion
from builder.models.types import JSONData, UTCDateTime, utcnow


class Dossier(Model):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_agency_status", "agency_id", "status"),
        Index("ix_dossier_applicant", "applicant_id", "status"),
        Index("ix_dossier_handling_status", "handling_agency_id", "status", "due_at"),
        Index("ix_dossier_submitted", "submitted_at"),
        Index("ix_dossier_watch", "status", "due_at"),
        # the statistics of an agency and period read only this index on PostgreSQL
        Index("ix_dossier_stats", "agency_id", "submitted_at",
              postgresql_include=["procedure_id", "status", "channel", "resolution", "due_at"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(80), unique=True)  # given at submission
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), nullable=False)
    version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"), nullable=False)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    applicant_name: Mapped[str] = mapped_column(String(255), nullable=False)
    applicant_id_number: Mapped[str | None] = mapped_column(String(13))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    applicant_email: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict] = mapped_column(JSONData, nullable=False, default=dict)
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    current_step: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="online")
    delivery: Mapped[dict | None] = mapped_column(JSONData)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the agency handling it now (another one after an inter-agency transfer)
    # looked up through ix_dossier_handling_status, whose first column it is
    handling_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the clock: paused in statuses 5, 6 and 8, with the office time left
    clock_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_remaining_seconds: Mapped[int | None] = mapped_column(Integer)
    apologized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when it was processed (status 9), and how that stood against its due date
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(8))  # early | on_time | late
    # the deadline watch: each warning is sent once
    due_soon_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the hash of the last history entry: the head of the chain, read under
    # the dossier's lock when the next entry is appended
    history_head: Mapped[str | None] = mapped_column(String(64))
    # the status and step before a pause, to come back to
    paused_status: Mapped[int | None] = mapped_column(Integer)
    # what an officer asked the applicant to pay (request_payment, status 6),
    # in VND, and when: the amount due from then on, settled by a later payment
    payment_requested: Mapped[int | None] = mapped_column(Integer)
    payment_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # optimistic locking: two officers acting at once, one wins
    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # The catalogue a dossier points to is never saved through it (no
    # "save-update" cascade): a submission gives a new dossier the process's
    # shared read-only copies (builder.process.published, ``read_only``),
    # and adding the dossier, or anything linked to it, to a session must not
    # take them into that session.
    procedure: Mapped[Procedure] = relationship(cascade="merge")
    version: Mapped[ProcedureVersion] = relationship(cascade="merge")
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], cascade="merge")
    handling_agency: Mapped[Agency | None] = relationship(foreign_keys=[handling_agency_id], cascade="merge")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="dossier", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    history: Mapped[list[HistoryEntry]] = relationship(
        back_populates="dossier", order_by="HistoryEntry.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="dossier", order_by="Document.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}

    def __repr__(self) -> str:
        return self.code or f"draft #{self.id}"

    def status_text(self) -> str:
        from builder.process.statuses import status_label

        return f"{self.status} · {status_label(self.status)}"

    def data_text(self) -> str:
        """The form data as labelled lines, for the back office."""
        from builder.forms.display import sections

        form = self.version.package["form"]
        lines = []
        for section in sections(form["schema"], self.data, form.get("ui")):
            if section.title:
                lines.append(f"[{section.title}]")
            for item in section.items:
                if hasattr(item, "value"):
                    lines.append(f"{item.label}: {item.value}")
                else:
                    lines.append(f"{item.label}: " + "; ".join(" | ".join(r) for r in item.rows))
        return "\n".join(lines)


class Attachment(Model):
    """A file attached to a dossier for one component; the bytes live in the
    content-addressed store under their SHA-256."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False, index=True)
    component: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # the verification of its digital signatures (builder.providers.signature
    # VerificationReport.to_record), made by a job after the upload; null
    # until checked, and for a kind of file no verifier reads
    signature_report: Mapped[dict | None] = mapped_column(JSONData)
    signature_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")


class HistoryEntry(Model):
    """One action on a dossier: who, from which agency, when, and the statuses."""

    __tablename__ = "dossier_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor_name: Mapped[str] = mapped_column(String(255), nullable=False)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    from_status: Mapped[int | None] = mapped_column(Integer)
    to_status: Mapped[int] = mapped_column(Integer, nullable=False)
    step: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    step_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    details: Mapped[dict | None] = mapped_column(JSONData)
    # append-only, each entry chained to the one before by its hash
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), nullable=False, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="history")
    agency: Mapped[Agency | None] = relationship()


class Document(Model):
    """A PDF generated for a dossier (the filled form, the receipt, ...). One per
    kind, so a retried job replaces nothing and makes no second copy."""

    __tablename__ = "dossier_document"
    __table_args__ = (UniqueConstraint("dossier_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # a result's name as the applicant sees it (the file the leader attached)
    title: Mapped[str | None] = mapped_column(String(255))

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


class Evaluation(Model):
    """The applicant's satisfaction with a resolved dossier: each criterion
    3 (rất hài lòng), 2 (hài lòng) or 1 (chưa hài lòng)."""

    __tablename__ = "dossier_evaluation"
    __table_args__ = (Index("ix_dossier_evaluation_scope", "agency_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False, unique=True)
    # copied from the dossier (they never change after submission), so the
    # statistics filter evaluations without joining a million dossiers
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    overall: Mapped[int] = mapped_column(Integer, nullable=False)
    ease: Mapped[int] = mapped_column(Integer, nullable=False)
    timeliness: Mapped[int] = mapped_column(Integer, nullable=False)
    attitude: Mapped[int] = mapped_column(Integer, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DossierTransfer(Model):
    """A hand-over to another agency (liên thông): its task, its deadline, and
    which agency leads. The result comes back to the receiving desk."""

    __tablename__ = "dossier_transfer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False, index=True)
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False)
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False)
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    task: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id])
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id])


class DossierSequence(Model):
    """The last sequence number given for an agency on a day (Vietnam time)."""

    __tablename__ = "dossier_sequence"

    agency_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False)
