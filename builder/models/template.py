"""Document templates an admin has edited (they replace the shipped template
of the same name), and documents of an agency (the register of dossiers)."""
from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from builder.models.types import UTCDateTime, utcnow


class DocumentTemplate(Model):
    __tablename__ = "document_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    html: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    updated_by: Mapped[str | None] = mapped_column(String(255))

    def __repr__(self) -> str:
        return self.name


class AgencyDocument(Model):
    """A document of an agency rather than of one dossier: the register of
    dossiers (Sổ theo dõi hồ sơ) of a desk for a year. One per period; a new
    rendering replaces the record."""

    __tablename__ = "agency_document"
    __table_args__ = (UniqueConstraint("agency_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(16), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
