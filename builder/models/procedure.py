"""Procedures (service packages) and their published, immutable versions."""
from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from builder.models.agency import Agency
from builder.models.types import JSONDocument, UTCDateTime, utcnow


class Procedure(Model):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    # the name folded to ASCII lower case, so "dang ky khai sinh" finds it
    search_name: Mapped[str] = mapped_column(String(500), nullable=False, index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False, index=True)
    field: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    online: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    draft: Mapped[dict | None] = mapped_column(JSONDocument)  # the package being edited
    draft_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_version.id", use_alter=True, name="fk_procedure_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    agency: Mapped[Agency] = relationship()
    current_version: Mapped[ProcedureVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[ProcedureVersion]] = relationship(
        back_populates="procedure",
        foreign_keys="ProcedureVersion.procedure_id",
        order_by="ProcedureVersion.number",
    )

    def __repr__(self) -> str:
        return f"{self.name} ({self.code})"


class ProcedureVersion(Model):
    """A published package, frozen: dossiers point at the version they were filed under."""

    __tablename__ = "procedure_version"
    __table_args__ = (UniqueConstraint("procedure_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    package: Mapped[dict] = mapped_column(JSONDocument, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_by: Mapped[str | None] = mapped_column(String(255))

    procedure: Mapped[Procedure] = relationship(
        back_populates="versions", foreign_keys=[procedure_id]
    )

    def __repr__(self) -> str:
        return f"{self.procedure.code} v{self.number}"
