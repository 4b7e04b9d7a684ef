"""Deadlines of dossiers from the working calendar of their agency."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import select

from builder.extensions import db
from builder.models import Agency, AgencyCalendarDay
from builder.process.calendar import WorkingCalendar


def calendar_for(agency: Agency | None) -> WorkingCalendar:
    """The national calendar with the days off and make-up days of the agency
    and of the agencies above it; built once per request and agency."""
    if agency is None:
        return WorkingCalendar()
    cache = g.setdefault("motcua_calendars", {}) if has_request_context() else None
    if cache is not None and agency.id in cache:
        return cache[agency.id]
    calendar = _calendar_for(agency)
    if cache is not None:
        cache[agency.id] = calendar
    return calendar


def _calendar_for(agency: Agency) -> WorkingCalendar:
    ids = [agency.id] + [a.id for a in agency.ancestors()]
    days = db.session.scalars(select(AgencyCalendarDay).where(AgencyCalendarDay.agency_id.in_(ids)))
    off, work = set(), set()
    for day in days:
        (off if day.kind == "off" else work).add(day.day)
    return WorkingCalendar(days_off=off, makeup_days=work)


def due(agency: Agency | None, start: datetime, duration: dict | None) -> datetime | None:
    if not duration:
        return None
    return calendar_for(agency).due(start, duration["value"], duration.get("unit", "working_days")).due_at


def office_time_left(agency: Agency | None, at: datetime, due_at: datetime) -> timedelta:
    return calendar_for(agency).remaining(at, due_at)


def resume(agency: Agency | None, at: datetime, left: timedelta) -> datetime:
    return calendar_for(agency).resume(at, left)
