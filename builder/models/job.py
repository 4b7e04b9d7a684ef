"""The job outbox: every job is recorded in the transaction that asks for it,
and handed to RQ only after that transaction commits. A record is ``pending``
until a worker ran it (``done``), or ``failed`` after its retries; a pending
job that never reached Redis is handed over later (builder.jobs.queue)."""
from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from builder.models.types import JSONData, UTCDateTime, utcnow

JOB_STATES = ("pending", "done", "failed")


class JobRecord(Model):
    __tablename__ = "job_outbox"
    __table_args__ = (Index("ix_job_outbox_state", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    func: Mapped[str] = mapped_column(String(200), nullable=False)  # dotted path of the job
    args: Mapped[list] = mapped_column(JSONData, nullable=False, default=list)
    queue: Mapped[str] = mapped_column(String(40), nullable=False, default="default")
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
