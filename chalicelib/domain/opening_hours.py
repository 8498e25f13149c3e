"""When a hall is open (SPEC §2): its hours by ISO weekday, with the working-day calendar.

Public holidays and an admin's days off are closed whatever the hours say; a
make-up working day (调休) on a weekday the hall keeps closed takes Monday's
hours; a hall that opens on weekends opens on an ordinary weekend day.
"""

from __future__ import annotations

from datetime import date, datetime, time

from .business_time import SHANGHAI
from .organisation import Hall, Opening
from .workdays import WorkingDays

MONDAY = "1"


def hours_on(hall: Hall, day: date, calendar: WorkingDays) -> Opening | None:
    """The hall's hours on a Shanghai date, or None: closed."""
    if calendar.is_holiday(day):
        return None
    hours: dict[str, Opening | None] = {str(k): v for k, v in hall.hours.items()}
    own = hours.get(str(day.isoweekday()))
    if own is None and calendar.is_working_day(day):
        return hours.get(MONDAY)  # a 调休 day on a weekday the hall keeps closed
    return own


def _bounds(opening: Opening, day: date) -> tuple[datetime, datetime]:
    def at(clock: str) -> datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        return datetime.combine(day, time(hour, minute), SHANGHAI)

    return at(opening.opens), at(opening.closes)


def is_open(hall: Hall, at: datetime, calendar: WorkingDays) -> bool:
    return open_throughout(hall, at, at, calendar)


def open_throughout(hall: Hall, first: datetime, last: datetime, calendar: WorkingDays) -> bool:
    """Whether the hall is open at every moment from ``first`` to ``last`` (within one opening)."""
    day = last.astimezone(SHANGHAI).date()
    opening = hours_on(hall, day, calendar)
    if opening is None:
        return False
    opens, closes = _bounds(opening, day)
    return opens <= first and last < closes
