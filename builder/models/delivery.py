"""Postal orders of a dossier (one per direction) and the events their carrier
reported."""
from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from builder.models.dossier import Dossier
from builder.models.types import JSONData, UTCDateTime, utcnow

# "requested": recorded, the carrier not yet asked (or its answer not yet
# had); then the carrier's states (builder.providers.delivery.EVENT_STATUSES).
ORDER_STATES = ("requested", "accepted", "in_transit", "delivered", "returned", "cancelled")


class DeliveryOrder(Model):
    __tablename__ = "delivery_order"
    __table_args__ = (
        UniqueConstraint("dossier_id", "direction", name="uq_delivery_order_direction"),
        UniqueConstraint("carrier", "waybill", name="uq_delivery_order_waybill"),
        Index("ix_delivery_order_open", "status", "carrier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), nullable=False)  # indexed by the unique pair
    direction: Mapped[str] = mapped_column(String(16), nullable=False)  # to_agency | to_applicant
    carrier: Mapped[str] = mapped_column(String(64), nullable=False)
    order_number: Mapped[str] = mapped_column(String(80), nullable=False)
    waybill: Mapped[str | None] = mapped_column(String(64))
    carrier_order_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="requested")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # of the event that set it
    cod_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # VND
    sender: Mapped[dict] = mapped_column(JSONData, nullable=False)  # builder.providers.delivery.Party
    receiver: Mapped[dict] = mapped_column(JSONData, nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the carrier gave the waybill
    last_error: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship()
    events: Mapped[list[DeliveryEvent]] = relationship(
        back_populates="order", order_by="(DeliveryEvent.at, DeliveryEvent.id)")


class DeliveryEvent(Model):
    __tablename__ = "delivery_event"
    __table_args__ = (
        # a callback or a poll that repeats an event records nothing new
        UniqueConstraint("order_id", "status", "at", name="uq_delivery_event"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("delivery_order.id"), nullable=False)  # uq_delivery_event's first
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))
    carrier_code: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # callback | poll
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    order: Mapped[DeliveryOrder] = relationship(back_populates="events")
