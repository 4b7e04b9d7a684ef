"""Deadlines of dossiers from the working calendar of their agency."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import g, has_request_context
from sqlalchemy import select

from builder.extensions import db
from builder.models import Agency, AgencyCalendarDay
from builder.process.calendar import WorkingCalendar
from builder.process.published import cached_value


def calendar_for(agency: Agency | None) -> WorkingCalendar:
    """The national calendar with the days off and make-up days of the agency
    and of the agencies above it; kept per process like the catalogue
    (builder/process/published.py: a change of a calendar day or an agency
    in this process drops it at once)."""
    if agency is None:
        return WorkingCalendar()
    cache = g.setdefault("motcua_calendars", {}) if has_request_context() else None
    if cache is not None and agency.id in cache:
        return cache[agency.id]
    calendar = cached_value("calendar", agency.id, lambda: _calendar_for(agency))
    if cache is not None:
        cache[agency.id] = calendar
    return calendar


def parse_office_hours(text: str) -> tuple[tuple[time, time], ...]:
    """"07:30-11:30, 13:30-17:00" → ((07:30, 11:30), (13:30, 17:00)); ValueError if malformed."""
    periods = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        periods.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    if not periods or any(a >= b for a, b in periods) or any(
            periods[i][1] > periods[i + 1][0] for i in range(len(periods) - 1)):
        raise ValueError(text)
    return tuple(periods)


def office_hours_of(agency: Agency) -> tuple[tuple[time, time], ...] | None:
    for node in [agency, *agency.ancestors()]:
        if node.office_hours:
            return parse_office_hours(node.office_hours)
    return None


def _calendar_for(agency: Agency) -> WorkingCalendar:
    ids = [agency.id] + [a.id for a in agency.ancestors()]
    days = db.session.scalars(select(AgencyCalendarDay).where(AgencyCalendarDay.agency_id.in_(ids)))
    off, work = set(), set()
    for day in days:
        (off if day.kind == "off" else work).add(day.day)
    hours = office_hours_of(agency)
    if hours is None:
        return WorkingCalendar(days_off=off, makeup_days=work)
    return WorkingCalendar(days_off=off, makeup_days=work, office_hours=hours)


def due(agency: Agency | None, start: datetime, duration: dict | None) -> datetime | None:
    if not duration:
        return None
    return calendar_for(agency).due(start, duration["value"], duration.get("unit", "working_days")).due_at


def office_time_left(agency: Agency | None, at: datetime, due_at: datetime) -> timedelta:
    return calendar_for(agency).remaining(at, due_at)


def resume(agency: Agency | None, at: datetime, left: timedelta) -> datetime:
    return calendar_for(agency).resume(at, left)
