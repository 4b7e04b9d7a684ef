"""The working calendar (builder/process/calendar.py): working days from the
national holidays and the agency's own days, and due instants with exact
expected times, Vietnam local time."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest

from builder.errors import BadRequest
from builder.process.calendar import WorkingCalendar, national_days

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()


def vn(text: str) -> datetime:
    """``"2025-03-10 09:00"`` as an aware instant in Vietnam."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def days(*texts: str) -> list[date]:
    return [date.fromisoformat(t) for t in texts]


# Vietnam's days off as the holidays package gives them; the cases below rely on them.
@pytest.mark.parametrize("day, working, why", [
    ("2025-03-10", True, "an ordinary Monday"),
    ("2025-03-15", False, "an ordinary Saturday"),
    ("2014-12-27", True, "make-up Saturday in 2014 for the 2 January 2015 bridge"),
    ("2015-01-02", False, "bridge day after New Year 2015"),
    ("2025-01-01", False, "New Year's Day"),
    ("2025-01-27", False, "29 Tết 2025"),
    ("2025-01-31", False, "mùng 3 Tết 2025"),
    ("2025-02-03", True, "back to work after Tết 2025"),
    ("2025-04-26", True, "make-up Saturday for the 2 May 2025 bridge"),
    ("2025-05-02", False, "bridge day announced for 2025"),
    ("2025-09-01", False, "National Day 2025, first day"),
    ("2025-09-02", False, "National Day 2025"),
    ("2026-02-13", True, "last working day before Tết 2026"),
    ("2026-02-16", False, "Tết 2026 (Monday, lunar new year's eve)"),
    ("2026-02-20", False, "Tết 2026 (Friday, mùng 4)"),
    ("2026-02-23", True, "back to work after Tết 2026"),
    ("2026-04-27", False, "Hùng Kings' day 2026, on a Sunday, observed on Monday"),
    ("2026-08-31", False, "bridge day before National Day 2026"),
    ("2026-08-22", True, "make-up Saturday for the 2026 bridge"),
    ("2026-11-24", False, "Vietnam Culture Day, a holiday from 2026"),
    ("2027-02-03", True, "last working day before Tết 2027"),
    ("2027-02-04", False, "29 Tết 2027"),
    ("2027-02-10", False, "Tết 2027: mùng 1 and 2 on a weekend, so off to Wednesday"),
    ("2027-02-11", True, "back to work after Tết 2027"),
    ("2027-05-03", False, "Labour Day 2027, on a Saturday, observed on Monday"),
])
def test_national_working_days(day, working, why):
    assert CAL.is_working_day(date.fromisoformat(day)) is working, why


def test_tet_dates_come_from_the_holidays_package():
    national = holidays.country_holidays("VN", years=[2025, 2026, 2027], language="en_US")
    assert national.get(date(2025, 1, 29)) == "Lunar New Year"
    assert national.get(date(2026, 2, 17)) == "Lunar New Year"
    assert national.get(date(2027, 2, 6)) == "Lunar New Year"
    assert date(2027, 2, 4) in national_days(2027)[0]
    assert date(2025, 4, 26) in national_days(2025)[1]


def test_agency_days_off_and_makeup_days():
    calendar = WorkingCalendar(days_off={date(2025, 3, 12)},
                               makeup_days={date(2025, 3, 15), date(2025, 9, 1), date(2025, 3, 12)})
    assert not calendar.is_working_day(date(2025, 3, 12)), "a day both off and made up is off"
    assert calendar.is_working_day(date(2025, 3, 15)), "a declared Saturday works"
    assert calendar.is_working_day(date(2025, 9, 1)), "a make-up day overrides a national holiday"
    assert not calendar.is_working_day(date(2025, 3, 16))


DEFAULT_CASES = [
    # start, value, unit, due, working days counted, what it shows
    ("2025-03-10 09:00", 1, "working_days", "2025-03-11 09:00", ("2025-03-10", "2025-03-11"),
     "a weekday: one office day later"),
    ("2025-03-10 15:00", 1, "working_days", "2025-03-11 15:00", ("2025-03-10", "2025-03-11"),
     "15:00 sharp is not after the cut-off"),
    ("2025-03-10 16:00", 1, "working_days", "2025-03-11 17:00", ("2025-03-11",),
     "after 15:00: counts from Tuesday 07:30, due at Tuesday's close, not Wednesday 07:30"),
    ("2025-03-10 06:00", 1, "working_days", "2025-03-10 17:00", ("2025-03-10",),
     "before opening: counts from 07:30"),
    ("2025-03-10 12:00", 2, "hours", "2025-03-10 15:30", ("2025-03-10",),
     "at lunch: counts from 13:30"),
    ("2025-03-15 10:00", 1, "working_days", "2025-03-17 17:00", ("2025-03-17",),
     "a Saturday: counts from Monday 07:30"),
    ("2025-03-14 10:00", 2, "working_days", "2025-03-18 10:00",
     ("2025-03-14", "2025-03-17", "2025-03-18"),
     "a weekend crossing"),
    ("2025-03-10 07:30", 5, "working_days", "2025-03-14 17:00",
     ("2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13", "2025-03-14"),
     "a whole week from Monday's opening ends on Friday's close"),
    ("2027-02-03 10:00", 3, "working_days", "2027-02-15 10:00",
     ("2027-02-03", "2027-02-11", "2027-02-12", "2027-02-15"),
     "Tết 2027: received the last working day before, 4 to 10 February off"),
    ("2026-02-13 16:00", 1, "working_days", "2026-02-23 17:00", ("2026-02-23",),
     "Tết 2026: received after 15:00 the Friday before, counts from 23 February"),
    ("2025-08-29 14:00", 1, "working_days", "2025-09-03 14:00", ("2025-08-29", "2025-09-03"),
     "National Day 2025: 1 and 2 September off"),
    ("2027-09-01 09:00", 1, "working_days", "2027-09-06 09:00", ("2027-09-01", "2027-09-06"),
     "National Day 2027: Thursday 2 and Friday 3 September off"),
    ("2025-04-25 16:00", 1, "working_days", "2025-04-26 17:00", ("2025-04-26",),
     "the national make-up Saturday 26 April 2025 counts"),
    ("2025-04-29 09:00", 1, "working_days", "2025-05-05 09:00", ("2025-04-29", "2025-05-05"),
     "30 April, 1 May and the bridge day 2 May 2025 are off"),
    ("2025-03-10 09:00", 0.5, "working_days", "2025-03-10 14:45", ("2025-03-10",),
     "half a working day is 3 h 45 of office time"),
    ("2025-03-10 07:30", 1.5, "working_days", "2025-03-11 11:15", ("2025-03-10", "2025-03-11"),
     "a day and a half"),
    ("2025-03-10 10:00", 3, "hours", "2025-03-10 15:00", ("2025-03-10",),
     "hours cross the lunch break"),
    ("2025-03-10 13:00", 3.5, "hours", "2025-03-10 17:00", ("2025-03-10",),
     "hours ending with the afternoon end at the close"),
    ("2025-03-10 09:30", 2, "hours", "2025-03-10 11:30", ("2025-03-10",),
     "hours ending with the morning end at 11:30, not 13:30"),
    ("2025-03-10 16:00", 1, "hours", "2025-03-11 08:30", ("2025-03-11",),
     "the cut-off applies to hours too"),
    ("2025-03-14 16:30", 2, "hours", "2025-03-17 09:30", ("2025-03-17",),
     "Friday after the cut-off: counts from Monday"),
    ("2025-03-10 09:00", 1, "days", "2025-03-11 17:00", ("2025-03-10", "2025-03-11"),
     "calendar days end at the close of the last day"),
    ("2025-03-10 09:00", 0, "days", "2025-03-10 17:00", ("2025-03-10",),
     "0 days: the same day"),
    ("2025-03-10 16:00", 1, "days", "2025-03-12 17:00", ("2025-03-11", "2025-03-12"),
     "calendar days count from the moved start"),
    ("2025-03-14 09:00", 2, "days", "2025-03-17 17:00", ("2025-03-14", "2025-03-17"),
     "a last day on Sunday moves to Monday's close"),
    ("2025-03-14 09:00", 0.5, "days", "2025-03-17 17:00", ("2025-03-14", "2025-03-17"),
     "a fraction of a calendar day counts whole: Saturday, so Monday"),
    ("2025-03-10 09:00", 7, "days", "2025-03-17 17:00",
     ("2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13", "2025-03-14", "2025-03-17"),
     "a calendar week"),
    ("2027-02-01 09:00", 5, "days", "2027-02-11 17:00",
     ("2027-02-01", "2027-02-02", "2027-02-03", "2027-02-11"),
     "a last day in Tết moves to the first working day after it"),
    ("2025-03-15 10:00", 0, "working_days", "2025-03-14 17:00", (),
     "a zero budget on a Saturday: the office time left is already none"),
]


@pytest.mark.parametrize("start, value, unit, expected, counted, why", DEFAULT_CASES)
def test_due(start, value, unit, expected, counted, why):
    due = CAL.due(vn(start), value, unit)
    assert due.due_at == vn(expected), why
    assert due.due_at.utcoffset() == timedelta(0), "due instants are returned in UTC"
    assert due.working_days == days(*counted), why


def test_due_to_dict_is_what_the_api_returns():
    due = CAL.due(vn("2025-03-10 16:00"), 1, "working_days")
    assert due.to_dict() == {"due_at": "2025-03-11T10:00:00+00:00", "working_days": ["2025-03-11"]}


def test_start_in_another_zone_is_read_in_vietnam_time():
    # 08:30 UTC is 15:30 in Hanoi: after the cut-off.
    start = datetime(2025, 3, 10, 8, 30, tzinfo=timezone.utc)
    assert CAL.due(start, 1, "hours").due_at == vn("2025-03-11 08:30")


AGENCY = WorkingCalendar(days_off={date(2025, 3, 12)}, makeup_days={date(2025, 3, 15)})


@pytest.mark.parametrize("start, value, unit, expected, why", [
    ("2025-03-11 09:00", 1, "working_days", "2025-03-13 09:00", "the day off Wednesday is skipped"),
    ("2025-03-14 16:00", 1, "working_days", "2025-03-15 17:00", "the make-up Saturday counts"),
    ("2025-03-14 10:00", 2, "working_days", "2025-03-17 10:00", "Saturday counted in a crossing"),
    ("2025-03-10 09:00", 2, "days", "2025-03-13 17:00", "a period ending on the day off moves on"),
    ("2025-03-13 09:00", 2, "days", "2025-03-15 17:00", "a period may end on a make-up Saturday"),
])
def test_due_with_agency_days(start, value, unit, expected, why):
    assert AGENCY.due(vn(start), value, unit).due_at == vn(expected), why


def test_configured_office_hours_and_cutoff():
    calendar = WorkingCalendar(office_hours=[(time(8), time(12)), (time(13), time(17))],
                               cutoff=time(16))
    assert calendar.day_length == timedelta(hours=8)
    assert calendar.due(vn("2025-03-10 15:30"), 1, "working_days").due_at == vn("2025-03-11 15:30")
    assert calendar.due(vn("2025-03-10 16:30"), 1, "working_days").due_at == vn("2025-03-11 17:00")
    half_day = calendar.due(vn("2025-03-10 12:30"), 0.5, "working_days")
    assert half_day.due_at == vn("2025-03-10 17:00")


# Pauses (statuses 6 and 8) and supplements (status 5).

def test_pause_keeps_the_office_time_left():
    due_at = CAL.due(vn("2025-03-10 09:00"), 1, "working_days").due_at  # Tuesday 09:00
    left = CAL.remaining(vn("2025-03-10 14:00"), due_at)
    assert left == timedelta(hours=4, minutes=30)  # 14:00–17:00, then 07:30–09:00
    # 1 h on Thursday, 3 h 30 on Friday.
    assert CAL.resume(vn("2025-03-13 16:00"), left) == vn("2025-03-14 11:00")


def test_pause_over_a_holiday():
    due_at = CAL.due(vn("2027-02-01 09:00"), 3, "working_days").due_at
    assert due_at == vn("2027-02-11 09:00")
    left = CAL.remaining(vn("2027-02-02 09:00"), due_at)
    assert left == timedelta(hours=15)
    # Resumed during Tết: the 15 hours are the first two working days after it.
    assert CAL.resume(vn("2027-02-05 10:00"), left) == vn("2027-02-12 17:00")


def test_resume_ignores_the_cutoff():
    due_at = vn("2025-03-11 09:00")
    left = CAL.remaining(vn("2025-03-10 16:00"), due_at)
    assert left == timedelta(hours=2, minutes=30)
    assert CAL.resume(vn("2025-03-10 16:00"), left) == due_at


def test_a_late_dossier_stays_late_after_a_pause():
    due_at = vn("2025-03-11 09:00")
    left = CAL.remaining(vn("2025-03-11 14:00"), due_at)
    assert left == -timedelta(hours=3)  # 09:00–11:30, 13:30–14:00
    # 30 min back on Thursday morning, 2 h 30 on Wednesday afternoon.
    assert CAL.resume(vn("2025-03-13 08:00"), left) == vn("2025-03-12 14:30")
    assert CAL.resume(vn("2025-03-13 10:30"), left) == vn("2025-03-12 17:00"), "not 13 March 07:30"


def test_pause_of_a_calendar_day_deadline_counts_whole_days():
    due_at = CAL.due(vn("2025-03-10 09:00"), 3, "days").due_at
    assert due_at == vn("2025-03-13 17:00")
    left = CAL.remaining(vn("2025-03-11 10:00"), due_at, "days")
    assert left == timedelta(days=2)
    same_day = CAL.resume(vn("2025-03-11 16:00"), left, "days")
    assert same_day == due_at, "a pause within a day is free"
    assert CAL.resume(vn("2025-03-17 10:00"), left, "days") == vn("2025-03-19 17:00")
    saturday = CAL.resume(vn("2025-03-13 10:00"), left, "days")
    assert saturday == vn("2025-03-17 17:00"), "ends on Saturday, so Monday"


def test_supplement_restarts_the_clock_from_zero():
    received = CAL.due(vn("2025-03-10 09:00"), 3, "working_days")
    assert received.due_at == vn("2025-03-13 09:00")
    # Supplement requested Tuesday; the dossier is complete on Thursday after the cut-off.
    restarted = CAL.restart(vn("2025-03-13 16:00"), 3, "working_days")
    assert restarted.due_at == vn("2025-03-18 17:00")
    assert restarted.working_days == days("2025-03-14", "2025-03-17", "2025-03-18")


@pytest.mark.parametrize("a, b, expected, why", [
    ("2025-03-10", "2025-03-11", 1, "Monday to Tuesday"),
    ("2025-03-14", "2025-03-17", 1, "Friday to Monday"),
    ("2025-03-10", "2025-03-10", 0, "the same day"),
    ("2025-03-11", "2025-03-10", -1, "backwards"),
    ("2025-03-10", "2025-03-13", 3, "received Monday: Thursday is the last day for a supplement"),
    ("2025-03-10", "2025-03-14", 4, "Friday is too late"),
    ("2025-03-15", "2025-03-17", 1, "from a Saturday"),
    ("2027-02-03", "2027-02-11", 1, "across Tết 2027"),
    ("2025-04-25", "2025-05-05", 4, "Saturday 26 April worked, 30 April to 2 May off"),
    ("2025-01-01", "2025-12-31", 250, "2025: 261 weekdays, 12 of them off, 1 make-up Saturday"),
])
def test_working_days_between(a, b, expected, why):
    assert CAL.working_days_between(date.fromisoformat(a), date.fromisoformat(b)) == expected, why


def test_working_days_between_with_agency_days():
    # Without Wednesday 12, with Saturday 15.
    assert AGENCY.working_days_between(date(2025, 3, 10), date(2025, 3, 17)) == 5


def test_next_working_day():
    assert CAL.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert CAL.next_working_day(date(2025, 3, 10), inclusive=True) == date(2025, 3, 10)


# Properties over many random receptions.

def _is_office_instant(calendar: WorkingCalendar, instant: datetime) -> bool:
    """Inside an office period of a working day, its close included, its opening excluded."""
    local = instant.astimezone(VN)
    if not calendar.is_working_day(local.date()):
        return False
    return any(opens < local.time() <= closes for opens, closes in calendar.office_hours)


def _random_starts(seed: int, count: int):
    rng = random.Random(seed)
    origin = vn("2024-12-20 00:00")
    for _ in range(count):
        start = origin + timedelta(minutes=rng.randrange(0, 3 * 366 * 24 * 60))
        unit = rng.choice(["working_days", "days", "hours"])
        hours, days_ = [1, 2, 4, 8, 16, 40], [0.25, 0.5, 1, 1.5, 2, 3, 5, 7, 10, 15, 20]
        choices = hours if unit == "hours" else days_
        value = rng.choice(choices)
        yield start, value, unit


@pytest.mark.parametrize("calendar", [CAL, AGENCY], ids=["national", "agency"])
def test_due_is_always_an_office_instant_of_a_working_day(calendar):
    for start, value, unit in _random_starts(seed=2025, count=1500):
        due = calendar.due(start, value, unit)
        context = f"{start.isoformat()} + {value} {unit} -> {due.due_at.astimezone(VN).isoformat()}"
        assert due.due_at > start, context
        assert _is_office_instant(calendar, due.due_at), context
        assert all(calendar.is_working_day(d) for d in due.working_days), context
        if unit == "days":
            assert due.due_at.astimezone(VN).time() == time(17, 0), context
        else:
            budget = (calendar.day_length * value if unit == "working_days"
                      else timedelta(hours=value))
            clock_start = calendar.due(start, 0, "hours").due_at
            assert calendar.remaining(clock_start, due.due_at) == budget, context


def test_a_longer_budget_is_never_due_earlier():
    for start, _value, unit in _random_starts(seed=7, count=300):
        dues = [CAL.due(start, value, unit).due_at for value in (0.5, 1, 2, 3, 4, 5, 6, 7, 8)]
        assert dues == sorted(dues), f"{start.isoformat()} {unit}"


def test_pausing_and_resuming_at_once_changes_nothing():
    rng = random.Random(61)
    for start, value, unit in _random_starts(seed=118, count=500):
        due_at = CAL.due(start, value, unit).due_at
        pause = start + (due_at - start) * rng.uniform(-0.2, 1.5)
        kind = "days" if unit == "days" else "working_days"
        assert CAL.resume(pause, CAL.remaining(pause, due_at, kind), kind) == due_at, (
            f"{start.isoformat()} + {value} {unit}, paused {pause.isoformat()}")


@pytest.mark.parametrize("call, why", [
    (lambda: CAL.due(vn("2025-03-10 09:00"), 1, "weeks"), "unknown unit"),
    (lambda: CAL.due(vn("2025-03-10 09:00"), -1, "days"), "negative value"),
    (lambda: CAL.due(vn("2025-03-10 09:00"), float("nan"), "hours"), "not a number"),
    (lambda: CAL.due(vn("2025-03-10 09:00"), True, "hours"), "a boolean is not a duration"),
    (lambda: CAL.due(datetime(2025, 3, 10, 9), 1, "hours"), "naive instant"),
    (lambda: WorkingCalendar(office_hours=[(time(13), time(17)), (time(8), time(12))]),
     "hours out of order"),
    (lambda: WorkingCalendar(office_hours=[]), "no office hours"),
    (lambda: WorkingCalendar(days_off={date(2025, 1, 1) + timedelta(d) for d in range(3700)})
     .next_working_day(date(2025, 1, 1)), "no working day for ten years"),
])
def test_invalid_input_is_refused(call, why):
    with pytest.raises(BadRequest):
        call()
