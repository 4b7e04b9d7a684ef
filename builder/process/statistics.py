"""Statistics of dossiers per agency, procedure and period (DOMAIN.md):
received by channel, resolved early / on time / late, in progress within and
past the deadline, refused, withdrawn, the on-time rate and satisfaction.
One aggregate query each for the dossiers and the evaluations."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from builder.models import Dossier, Evaluation
from builder.process import statuses as S
from builder.process.calendar import VIETNAM

IN_PROGRESS = (S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT, S.STOPPED)
RUNNING = (S.RECEIVED, S.PROCESSING)
CRITERIA = ("overall", "ease", "timeliness", "attitude")
LEVELS = {3: "very_satisfied", 2: "satisfied", 1: "unsatisfied"}


def _scope(query, agency_ids: set[int] | None, procedure_id: int | None,
           start: date | None, end: date | None, table=Dossier):
    """Dossiers (or their evaluations, which carry the same columns)
    submitted in the period, by the agencies, for the procedure."""
    conditions = [table.submitted_at.is_not(None)]
    if agency_ids is not None:
        conditions.append(table.agency_id.in_(agency_ids))
    if procedure_id is not None:
        conditions.append(table.procedure_id == procedure_id)
    if start is not None:
        conditions.append(table.submitted_at >= datetime.combine(start, time(0), VIETNAM))
    if end is not None:
        conditions.append(table.submitted_at < datetime.combine(end + timedelta(days=1), time(0), VIETNAM))
    return query.where(and_(*conditions))


def statistics(session: Session, *, agency_ids: set[int] | None = None, procedure_id: int | None = None,
               start: date | None = None, end: date | None = None, now: datetime) -> dict:
    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(_scope(select(
        func.count(),
        count(Dossier.channel == "online"),
        count(Dossier.channel == "desk"),
        count(Dossier.channel == "post"),
        count(Dossier.resolution == "early"),
        count(Dossier.resolution == "on_time"),
        count(Dossier.resolution == "late"),
        count(Dossier.status.in_(IN_PROGRESS)),
        count(and_(Dossier.status.in_(RUNNING), Dossier.due_at < now)),
        count(Dossier.status == S.REFUSED),
        count(Dossier.status == S.WITHDRAWN),
    ), agency_ids, procedure_id, start, end)).one()
    received, online, desk, post, early, on_time, late, in_progress, overdue, refused, withdrawn = map(int, row)
    resolved = early + on_time + late
    return {
        "received": received,
        "online": online,
        "desk": desk,
        "post": post,
        "online_share": round(online / received, 4) if received else None,
        "resolved": resolved,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "in_progress": in_progress,
        "in_progress_within_deadline": in_progress - overdue,
        "overdue": overdue,
        "refused": refused,
        "withdrawn": withdrawn,
        "on_time_rate": round((early + on_time) / resolved, 4) if resolved else None,
        "satisfaction": satisfaction(session, agency_ids, procedure_id, start, end),
    }


def satisfaction(session: Session, agency_ids, procedure_id, start, end) -> dict:
    columns = [func.count(Evaluation.id)]
    for criterion in CRITERIA:
        for level in LEVELS:
            columns.append(func.coalesce(func.sum(case((getattr(Evaluation, criterion) == level, 1), else_=0)), 0))
    query = _scope(select(*columns), agency_ids, procedure_id, start, end, table=Evaluation)
    values = [int(v) for v in session.execute(query).one()]
    result: dict = {"responses": values[0]}
    position = 1
    for criterion in CRITERIA:
        result[criterion] = {}
        for level in LEVELS.values():
            result[criterion][level] = values[position]
            position += 1
    return result
