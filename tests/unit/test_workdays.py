"""Working days: the official 2026 arrangement, 调休, admin overrides and the fallback."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.adapters.holiday_calendar import PackageHolidays
from chalicelib.domain.workdays import Basis, WorkingDays, add_working_days, is_working_day


@pytest.fixture(scope="module")
def calendar() -> WorkingDays:
    return WorkingDays(PackageHolidays())


@pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)])
def test_national_day_2026_is_off_from_the_1st_to_the_7th(calendar, day):
    answer = calendar.answer(day)
    assert (answer.working, answer.basis) == (False, Basis.official)


def test_the_make_up_saturdays_around_national_day_2026_are_working_days(calendar):
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday, 调休
    assert calendar.is_working_day(date(2026, 9, 20))  # a Sunday, 调休
    assert not calendar.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert calendar.is_working_day(date(2026, 10, 8))


def test_adding_working_days_skips_the_holiday_and_counts_the_make_up_saturday(calendar):
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 10, 9), 0) == date(2026, 10, 9)
    shifted = calendar.shift(date(2026, 9, 30), 7)
    assert (shifted.day, shifted.fallback) == (date(2026, 10, 15), False)  # 8, 9, 10 (调休), 12, 13, 14, 15


def test_a_year_without_an_official_arrangement_never_raises_and_says_it_is_a_fallback(calendar):
    national_day = calendar.answer(date(2027, 10, 1))
    assert (national_day.working, national_day.fallback) == (False, True)  # statutory: known by law
    saturday = calendar.answer(date(2027, 10, 9))
    assert (saturday.working, saturday.fallback) == (False, True)
    assert calendar.answer(date(2091, 3, 6)).fallback
    assert calendar.shift(date(2026, 12, 30), 3).fallback


def test_admin_overrides_win_over_the_package_and_fill_unknown_years(calendar):
    overrides = {date(2027, 9, 26): True, date(2027, 10, 4): False, date(2026, 10, 10): False}
    with_overrides = WorkingDays(PackageHolidays(), overrides)
    assert with_overrides.answer(date(2027, 9, 26)).basis is Basis.override
    assert with_overrides.is_working_day(date(2027, 9, 26))  # a Sunday made working
    assert not with_overrides.is_working_day(date(2027, 10, 4))
    assert not with_overrides.is_working_day(date(2026, 10, 10))
    assert calendar.is_working_day(date(2027, 10, 4))  # without the override: a plain Monday


def test_without_any_source_it_is_plain_weekends():
    assert is_working_day(date(2026, 10, 1))  # a Thursday: nothing says it is a holiday
    assert not is_working_day(date(2026, 10, 10))
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 27), 1, overrides={date(2026, 11, 30): False}) == date(2026, 12, 1)


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 1), -1)
