"""Document templates an admin has edited: they replace the shipped template
of the same name (receipt.html, refusal.html, ...)."""
from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Integer, String, Text
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
