"""Working days in mainland China: public holidays off, make-up working days (调休) on.

Pure rules over data handed in. The official arrangement of each year comes
from a ``HolidaySource`` (the adapter reads the ``holidays`` package); admin
overrides (date → working or not) win over it. A year the source has no
official arrangement for never raises: the answer falls back to the overrides,
then to the statutory holidays the source can still compute, then to plain
weekends, and says it is a fallback so callers can flag what they derive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

SATURDAY = 5


@dataclass(frozen=True)
class HolidayYear:
    """What a source knows of one year.

    ``official`` is True when the State Council's arrangement for the year is
    known (its days off and its make-up working days). Otherwise ``days_off``
    holds at most the statutory holidays, and ``make_up_workdays`` is empty.
    """

    year: int
    official: bool
    days_off: frozenset[date] = frozenset()
    make_up_workdays: frozenset[date] = frozenset()


class HolidaySource(Protocol):
    def year(self, year: int) -> HolidayYear:
        """Never raises: a year it knows nothing of is ``HolidayYear(year, official=False)``."""
        ...


class NoHolidays:
    """A source that knows no year: every answer is the weekend fallback."""

    def year(self, year: int) -> HolidayYear:
        return HolidayYear(year=year, official=False)


class Basis(StrEnum):
    override = "override"  # an admin said so
    official = "official"  # the published arrangement of that year
    fallback = "fallback"  # year unknown: statutory holidays (if any) and weekends


@dataclass(frozen=True)
class DayAnswer:
    day: date
    working: bool
    basis: Basis

    @property
    def fallback(self) -> bool:
        return self.basis is Basis.fallback


@dataclass(frozen=True)
class Shifted:
    """A date some working days away, and whether any day counted was a fallback answer."""

    day: date
    fallback: bool


@dataclass
class WorkingDays:
    source: HolidaySource = field(default_factory=NoHolidays)
    overrides: Mapping[date, bool] = field(default_factory=dict)
    _years: dict[int, HolidayYear] = field(default_factory=dict, init=False, repr=False)

    def _year(self, year: int) -> HolidayYear:
        if year not in self._years:
            self._years[year] = self.source.year(year)
        return self._years[year]

    def answer(self, day: date) -> DayAnswer:
        if day in self.overrides:
            return DayAnswer(day, self.overrides[day], Basis.override)
        known = self._year(day.year)
        if day in known.make_up_workdays:
            return DayAnswer(day, True, Basis.official if known.official else Basis.fallback)
        working = day.weekday() < SATURDAY and day not in known.days_off
        return DayAnswer(day, working, Basis.official if known.official else Basis.fallback)

    def is_working_day(self, day: date) -> bool:
        return self.answer(day).working

    def is_holiday(self, day: date) -> bool:
        """A day off other than a plain weekend: a public holiday, or an admin's day off."""
        if day in self.overrides:
            return not self.overrides[day]
        return day in self._year(day.year).days_off

    def shift(self, start: date, n: int) -> Shifted:
        """The n-th working day after ``start`` (n ≥ 0; n = 0 is ``start`` itself)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day, fallback, left = start, False, n
        while left:
            day += timedelta(days=1)
            a = self.answer(day)
            fallback = fallback or a.fallback
            if a.working:
                left -= 1
        return Shifted(day, fallback)

    def add_working_days(self, start: date, n: int) -> date:
        return self.shift(start, n).day


def is_working_day(
    day: date, source: HolidaySource | None = None, overrides: Mapping[date, bool] | None = None
) -> bool:
    return WorkingDays(source or NoHolidays(), overrides or {}).is_working_day(day)


def add_working_days(
    start: date, n: int, source: HolidaySource | None = None, overrides: Mapping[date, bool] | None = None
) -> date:
    return WorkingDays(source or NoHolidays(), overrides or {}).add_working_days(start, n)
