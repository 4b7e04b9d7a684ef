"""The deadline watch: dossiers due within a working day, and dossiers past
their due date, are flagged once each and their handlers told. Workers run it
periodically (DEADLINE_WATCH_SECONDS); `motcua jobs watch` runs it from cron.
Several workers may run it at once: the flags are set under the rows' locks,
so each warning is sent once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from builder.database import write_transaction
from builder.jobs.queue import enqueue
from builder.models import Dossier
from builder.models.types import utcnow
from builder.process import deadlines, statuses as S

RUNNING = (S.RECEIVED, S.PROCESSING)


def _locked(session, query):
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()


def due_soon(dossier: Dossier, now: datetime) -> bool:
    """Less than one working day of office time is left."""
    calendar = deadlines.calendar_for(dossier.handling_agency or dossier.agency)
    return calendar.remaining(now, dossier.due_at) <= calendar.day_length


def watch_deadlines(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    with write_transaction() as session:
        overdue = _locked(session, select(Dossier).where(
            Dossier.status.in_(RUNNING), Dossier.due_at < now, Dossier.overdue_notified_at.is_(None)))
        for dossier in overdue:
            dossier.overdue_notified_at = now
            enqueue("builder.jobs.tasks.notify_deadline", dossier.id, "overdue")
        # a working day is at most a few calendar days away (weekends, Tết): look a week ahead
        candidates = _locked(session, select(Dossier).where(
            Dossier.status.in_(RUNNING), Dossier.due_at >= now, Dossier.due_at < now + timedelta(days=14),
            Dossier.due_soon_notified_at.is_(None)))
        soon = [d for d in candidates if due_soon(d, now)]
        for dossier in soon:
            dossier.due_soon_notified_at = now
            enqueue("builder.jobs.tasks.notify_deadline", dossier.id, "due_soon")
    return {"overdue": len(overdue), "due_soon": len(soon)}
