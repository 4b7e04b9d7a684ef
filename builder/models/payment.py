"""Payments of a dossier's fees through a gateway plugin."""
from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from builder.models.dossier import Dossier
from builder.models.types import JSONData, UTCDateTime, utcnow

PAYMENT_STATES = ("unpaid", "pending", "paid", "cancelled", "refunded")


class Payment(Model):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False, index=True)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)  # VND
    gateway: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="unpaid", index=True)
    reference: Mapped[str | None] = mapped_column(String(128), index=True)  # gateway's transaction
    receipt_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    raw: Mapped[dict | None] = mapped_column(JSONData)  # the last verified notice, for audit
    # the gateway's e-receipt (biên lai điện tử), in builder.storage
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    receipt_content_type: Mapped[str | None] = mapped_column(String(100))
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship()
