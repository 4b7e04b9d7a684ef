"""What the product knows of a person beyond Flask-AppBuilder's user: a citizen's
ID number and phone, a staff member's agency."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from builder.models.agency import Agency


class UserProfile(Model):
    __tablename__ = "user_profile"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # citizen | staff
    full_name: Mapped[str] = mapped_column(String(255), nullable=False)
    id_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(255))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)

    agency: Mapped[Agency | None] = relationship()
