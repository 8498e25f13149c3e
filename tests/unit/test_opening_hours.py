"""Opening hours (SPEC §2): by ISO weekday, holidays closed, 调休 on a closed weekday takes Monday's."""

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.opening_hours import hours_on, is_open, open_throughout
from chalicelib.domain.organisation import Hall, Opening, default_hours
from chalicelib.domain.workdays import HolidayYear, WorkingDays


class Source:
    def year(self, year: int) -> HolidayYear:
        return HolidayYear(
            year,
            official=True,
            days_off=frozenset({date(2026, 10, 1)}),
            make_up_workdays=frozenset({date(2026, 10, 10)}),
        )


CALENDAR = WorkingDays(Source(), {date(2026, 11, 25): False})
HALL = Hall(code="A01", name="城东", branch="城区", grade="A", created_at=datetime(2026, 1, 1, tzinfo=UTC))


def shanghai(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_weekdays_open_at_the_default_hours_and_weekends_are_closed():
    tuesday = date(2026, 11, 24)
    assert is_open(HALL, shanghai(tuesday, 8, 30), CALENDAR)
    assert not is_open(HALL, shanghai(tuesday, 8, 29), CALENDAR)
    assert not is_open(HALL, shanghai(tuesday, 17, 30), CALENDAR)
    assert hours_on(HALL, date(2026, 11, 28), CALENDAR) is None  # Saturday


def test_holidays_and_days_off_are_closed_even_for_a_hall_open_every_day():
    every_day = HALL.model_copy(update={"hours": dict.fromkeys("1234567", Opening(opens="09:00", closes="18:00"))})
    assert hours_on(every_day, date(2026, 10, 1), CALENDAR) is None  # National Day, a Thursday
    assert hours_on(every_day, date(2026, 11, 25), CALENDAR) is None  # an admin's day off
    assert hours_on(every_day, date(2026, 11, 28), CALENDAR) == Opening(opens="09:00", closes="18:00")


def test_a_make_up_working_day_on_a_closed_weekday_takes_mondays_hours():
    hours = default_hours() | {"1": Opening(opens="08:00", closes="12:00")}
    hall = HALL.model_copy(update={"hours": hours})
    assert hours_on(hall, date(2026, 10, 10), CALENDAR) == Opening(opens="08:00", closes="12:00")  # a Saturday


def test_open_throughout_needs_the_whole_span_inside_one_opening():
    tuesday = date(2026, 11, 24)
    assert open_throughout(HALL, shanghai(tuesday, 9, 0), shanghai(tuesday, 9, 30), CALENDAR)
    assert not open_throughout(HALL, shanghai(tuesday, 8, 10), shanghai(tuesday, 8, 40), CALENDAR)
    assert not open_throughout(HALL, shanghai(tuesday, 17, 10), shanghai(tuesday, 17, 40), CALENDAR)
