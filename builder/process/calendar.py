"""The working calendar: which days are working days, and when a deadline falls due.

Working days are Monday to Friday, minus Vietnam's public holidays, plus the
Saturdays declared working. The national days come from the ``holidays``
package (``country_holidays("VN")``): the lunar Tết days, the compensatory
days off when a holiday falls on a weekend, and the bridge days the
government announced together with their make-up Saturdays (for the years the
package knows, e.g. Friday 2 May 2025 off and Saturday 26 April 2025 worked).
An agency adds what the package does not know through ``days_off`` (its own
days off, a bridge day announced after the package was released) and
``makeup_days`` (a date declared working whatever the national calendar says).
A date in both is a day off.

Every instant given must be timezone-aware; the calendar reasons in the
agency's local time (``Asia/Ho_Chi_Minh``) and returns instants in UTC.

How a deadline is counted (the product's rules; tests/test_calendar.py holds
the worked examples):

*Office time* runs only inside the office periods of working days (07:30–11:30
and 13:30–17:00 by default, 7.5 hours a day).

*Clock start.* A deadline counts from the reception instant, moved to the next
instant of office time: a reception at lunch counts from 13:30, on a Saturday
from Monday 07:30. A reception after the cut-off (strictly after 15:00) on a
working day counts from the next working day's opening ("a dossier received
after 15:00 moves on the next working morning").

``hours``: the due instant is the clock start plus that many hours of office
time. ``working_days``: N working days are N times the length of an office
day (7.5 hours by default) of office time, so fractions work (0.5 is half an
office day): received Monday 09:00 with 1 working day, due Tuesday 09:00.
For both, the due instant is the *earliest* instant at which the budget is
used up, so it is never an opening time: a budget that ends with a period is
due at that period's close (received Monday 16:00 with 1 working day, the
clock starts Tuesday 07:30 and the dossier is due Tuesday 17:00, not
Wednesday 07:30). Any result that would fall outside office time is reported
the same way, as the close of the last office period before it, which leaves
exactly the same office time.

``days`` (calendar days) counts whole days, as the Civil Code counts a period
in days (arts. 147–148): the day of the clock start is not counted, the
period ends at the close of office hours of its last day, and a last day that
is not a working day moves to the close of the next working day (a due date
never falls on a non-working day). Received Monday 09:00 with 1 day, due
Tuesday 17:00; with 0 days, due Monday 17:00; a fraction of a day counts as a
whole day. Counting whole days keeps a longer period from ever falling due
before a shorter one, which adding 24-hour steps to the reception instant
and rolling weekends forward would not.

*Pauses* (statuses 6 and 8): :meth:`WorkingCalendar.remaining` is the time
left at the pause (office time; whole calendar days for a ``days``
deadline), negative when the dossier is already late, and
:meth:`WorkingCalendar.resume` spends that time again from the resume
instant. The cut-off does not apply to a resume, so pausing and resuming at
the same instant leaves the due instant unchanged. A supplement (status 5)
restarts the clock from zero: :meth:`WorkingCalendar.restart` is a new
:meth:`WorkingCalendar.due` from the instant the dossier became complete,
cut-off included.

``Due.working_days`` lists the local dates of the working days on which office
time lies between the clock start and the due instant: the days counted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from numbers import Real
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

import holidays
from flask_babel import lazy_gettext as _

from builder.errors import BadRequest

UNITS = ("working_days", "days", "hours")
MAX_DURATION = 3650  # in any unit: no legal time limit is longer (the package schema says the same)
DEFAULT_OFFICE_HOURS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
DEFAULT_CUTOFF = time(15, 0)
DEFAULT_TZ = "Asia/Ho_Chi_Minh"
VIETNAM = ZoneInfo(DEFAULT_TZ)  # where every agency is: dates and hours shown are local
COUNTRY = "VN"
# A calendar with ten years in a row without a working day is misconfigured;
# searches stop there instead of running forever.
_SEARCH_DAYS = 3660
_ONE_DAY = timedelta(days=1)

Period = tuple[datetime, datetime]


@dataclass(frozen=True)
class Due:
    """A due instant (UTC) and the local dates of the working days counted."""

    due_at: datetime
    working_days: list[date]

    def to_dict(self) -> dict:
        return {"due_at": self.due_at.isoformat(),
                "working_days": [d.isoformat() for d in self.working_days]}


@lru_cache(maxsize=None)
def national_days(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Vietnam's days off in ``year`` (public holidays, compensatory days,
    announced bridge days) and its weekend days declared working."""
    # A substitution may pair a day off with a make-up day in another year
    # (2 January 2015 off, 27 December 2014 worked); the package files it
    # under the day off's year, so the neighbouring years are loaded too.
    national = holidays.country_holidays(COUNTRY, years=range(year - 1, year + 2))
    days_off = frozenset(d for d in national if d.year == year)
    makeup = frozenset(d for d in national.weekend_workdays if d.year == year)
    return days_off, makeup


class WorkingCalendar:
    """One agency's working days and office hours, and the deadlines they give."""

    def __init__(
        self,
        days_off: Iterable[date] = (),
        makeup_days: Iterable[date] = (),
        office_hours: Iterable[tuple[time, time]] = DEFAULT_OFFICE_HOURS,
        cutoff: time = DEFAULT_CUTOFF,
        tz: str = DEFAULT_TZ,
    ) -> None:
        self.days_off = frozenset(days_off)
        self.makeup_days = frozenset(makeup_days) - self.days_off
        self.office_hours = tuple((opens, closes) for opens, closes in office_hours)
        _check_office_hours(self.office_hours)
        self.cutoff = cutoff
        self.tz = ZoneInfo(tz)
        self.day_length = sum(
            (_clock(closes) - _clock(opens) for opens, closes in self.office_hours), timedelta()
        )

    # Days ---------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        day = self._as_date(day)
        if day in self.days_off:
            return False
        if day in self.makeup_days:
            return True
        national_off, national_makeup = national_days(day.year)
        if day.weekday() >= 5:
            return day in national_makeup
        return day not in national_off

    def next_working_day(self, day: date, *, inclusive: bool = False) -> date:
        """The first working day after ``day`` (or from it, if ``inclusive``)."""
        day = self._as_date(day)
        if not inclusive:
            day += _ONE_DAY
        return next(d for d, periods in self._walk(day) if periods)

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days after ``a`` up to and including ``b``
        (negative when ``b`` is before ``a``): Monday to Tuesday is 1, Friday to
        Monday is 1, a day to itself is 0. "At least 1 working day before the
        due date" is ``working_days_between(today, due) >= 1``; "within 3 working
        days of reception" is ``working_days_between(received, today) <= 3``."""
        a, b = self._as_date(a), self._as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a + _ONE_DAY
        while day <= b:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    # Deadlines ------------------------------------------------------------

    def due(self, start: datetime, value: float, unit: str = "working_days") -> Due:
        """The due instant of a budget of ``value`` ``unit`` received at ``start``."""
        value = _check_value(value)
        _check_unit(unit)
        clock_start = self._clock_start(self._local(start))
        if unit == "days":
            last_day = clock_start.date() + timedelta(days=math.ceil(value))
            due_at = self._end_of_day(last_day)
        else:
            due_at = self._canonical(self._advance(clock_start, self._office_budget(value, unit)))
        return Due(due_at.astimezone(timezone.utc), self._counted_days(clock_start, due_at))

    def restart(self, complete_at: datetime, value: float, unit: str = "working_days") -> Due:
        """A new deadline after a supplement (status 5): the full budget again
        from the instant the dossier became complete, as at reception."""
        return self.due(complete_at, value, unit)

    def remaining(self, at: datetime, due_at: datetime, unit: str = "working_days") -> timedelta:
        """The time left at ``at`` before ``due_at``, negative when late: office
        time, or whole calendar days for a ``days`` deadline."""
        _check_unit(unit)
        at, due_at = self._local(at), self._local(due_at)
        if unit == "days":
            return timedelta(days=(due_at.date() - at.date()).days)
        if at <= due_at:
            return self._office_between(at, due_at)
        return -self._office_between(due_at, at)

    def resume(self, at: datetime, left: timedelta, unit: str = "working_days") -> datetime:
        """The new due instant (UTC) when the clock resumes at ``at`` with
        ``left`` as :meth:`remaining` measured it at the pause."""
        _check_unit(unit)
        at = self._local(at)
        if unit == "days":
            due_at = self._end_of_day(at.date() + timedelta(days=left.days))
        elif left >= timedelta():
            due_at = self._canonical(self._advance(at, left))
        else:
            due_at = self._canonical(self._retreat(at, -left))
        return due_at.astimezone(timezone.utc)

    # Office time ----------------------------------------------------------

    def _office_budget(self, value: float, unit: str) -> timedelta:
        return timedelta(hours=value) if unit == "hours" else self.day_length * value

    def _periods(self, day: date) -> list[Period]:
        if not self.is_working_day(day):
            return []
        return [(datetime.combine(day, opens, self.tz), datetime.combine(day, closes, self.tz))
                for opens, closes in self.office_hours]

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.office_hours[0][0], self.tz)

    def _end_of_day(self, day: date) -> datetime:
        """The close of office hours on ``day``, or on the next working day."""
        last_close = self.office_hours[-1][1]
        return datetime.combine(self.next_working_day(day, inclusive=True), last_close, self.tz)

    def _clock_start(self, start: datetime) -> datetime:
        day = start.date()
        if self.is_working_day(day) and start.time() > self.cutoff:
            return self._opening(self.next_working_day(day))
        for opens, closes in self._periods(day):
            if start < closes:
                return max(start, opens)
        return self._opening(self.next_working_day(day))

    def _walk(self, day: date, step: timedelta = _ONE_DAY) -> Iterator[tuple[date, list[Period]]]:
        """Days from ``day`` on (or back, with a negative step), with their office periods."""
        idle = 0
        while True:
            periods = self._periods(day)
            idle = 0 if periods else idle + 1
            if idle > _SEARCH_DAYS:
                raise BadRequest(_("The working calendar has no working day near %(day)s.",
                                   day=day.isoformat()))
            yield day, periods
            day += step

    def _advance(self, t: datetime, budget: timedelta) -> datetime:
        """The earliest instant with ``budget`` of office time since ``t``."""
        for _day, periods in self._walk(t.date()):
            # Whole working days are spent at once.
            if periods and periods[0][0] >= t and budget > self.day_length:
                budget -= self.day_length
                continue
            for opens, closes in periods:
                if closes <= t:
                    continue
                begin = max(opens, t)
                if budget <= closes - begin:
                    return begin + budget
                budget -= closes - begin
        raise AssertionError("unreachable")

    def _retreat(self, t: datetime, budget: timedelta) -> datetime:
        """The instant ``budget`` of office time before ``t``."""
        for _day, periods in self._walk(t.date(), -_ONE_DAY):
            for opens, closes in reversed(periods):
                if opens >= t:
                    continue
                end = min(closes, t)
                if budget <= end - opens:
                    return end - budget
                budget -= end - opens
        raise AssertionError("unreachable")

    def _canonical(self, t: datetime) -> datetime:
        """``t`` if it lies inside an office period (its close included), else
        the close of the last office period before it: the same office time,
        and never an opening time or a non-working day."""
        for _day, periods in self._walk(t.date(), -_ONE_DAY):
            for opens, closes in reversed(periods):
                if closes <= t:
                    return closes
                if opens < t:
                    return t
        raise AssertionError("unreachable")

    def _office_between(self, a: datetime, b: datetime) -> timedelta:
        total, day = timedelta(), a.date()
        while day <= b.date():
            for opens, closes in self._periods(day):
                total += max(timedelta(), min(closes, b) - max(opens, a))
            day += _ONE_DAY
        return total

    def _counted_days(self, a: datetime, b: datetime) -> list[date]:
        counted, day = [], a.date()
        while day <= b.date():
            if any(min(closes, b) > max(opens, a) for opens, closes in self._periods(day)):
                counted.append(day)
            day += _ONE_DAY
        return counted

    # Conversions ----------------------------------------------------------

    def _local(self, instant: datetime) -> datetime:
        if not isinstance(instant, datetime) or instant.utcoffset() is None:
            raise BadRequest(_("The instant %(value)s has no time zone.", value=str(instant)))
        return instant.astimezone(self.tz)

    def _as_date(self, day: date) -> date:
        return self._local(day).date() if isinstance(day, datetime) else day


def _clock(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _check_office_hours(office_hours: tuple[tuple[time, time], ...]) -> None:
    previous_close = None
    for opens, closes in office_hours:
        if opens >= closes or (previous_close is not None and opens < previous_close):
            raise BadRequest(_("The office hours %(hours)s are not in order.",
                               hours=", ".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in office_hours)))
        previous_close = closes
    if not office_hours:
        raise BadRequest(_("The office hours are empty."))


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise BadRequest(_("Unknown duration unit %(unit)s; use one of %(units)s.",
                           unit=unit, units=", ".join(UNITS)))


def _check_value(value: float) -> float:
    is_number = isinstance(value, Real) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or not 0 <= value <= MAX_DURATION:
        raise BadRequest(_("The duration %(value)s is not a number from 0 to %(max)s.",
                           value=value, max=MAX_DURATION))
    return float(value)
