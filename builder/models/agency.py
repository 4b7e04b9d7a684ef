"""Agencies: a tree (province → department / commune), each with its code in
the national list, e.g. ``000.00.06.H56``."""
from __future__ import annotations

from flask_appbuilder import Model
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Agency(Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    # province, department, commune: the two tiers of local government since 2025
    level: Mapped[str] = mapped_column(String(20), nullable=False, default="commune")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))
    # its own office hours, e.g. "07:30-11:30, 13:30-17:00" (else its parent's,
    # else the national 07:30-11:30 and 13:30-17:00)
    office_hours: Mapped[str | None] = mapped_column(String(100))

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestors(self) -> list[Agency]:
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    @classmethod
    def subtree_ids(cls, session, root_id: int) -> set[int]:
        """The ids of an agency and every agency below it."""
        ids, frontier = {root_id}, {root_id}
        while frontier:
            frontier = set(
                session.scalars(select(cls.id).where(cls.parent_id.in_(frontier)))
            ) - ids
            ids |= frontier
        return ids


class AgencyCalendarDay(Model):
    """An agency's own exception to the national calendar: a day off
    (``off``) or a make-up working day (``work``). Applies to the agencies
    below it too."""

    __tablename__ = "agency_calendar_day"
    __table_args__ = (UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), nullable=False)  # indexed by the unique pair
    day: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(4), nullable=False)  # off | work
    note: Mapped[str | None] = mapped_column(String(255))
