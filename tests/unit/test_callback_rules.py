from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.adapters.holiday_calendar import PackageHolidays
from chalicelib.domain import callbacks as rules
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.callbacks import (
    Attempt,
    AttemptResult,
    Clocks,
    Flag,
    Outcome,
    SourceType,
    Status,
    TaskType,
)
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.domain.workdays import WorkingDays

CALENDAR = WorkingDays(PackageHolidays())


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def task(created: datetime, clocks: Clocks | None = None):
    return rules.new_task(
        source_type=SourceType.rating,
        source_id="r1",
        hall_code="A01",
        task_type=TaskType.bad_rating,
        phone="13812345678",
        created_at=created,
        clocks=clocks or Clocks(),
        calendar=CALENDAR,
    )


def test_a_working_day_task_is_due_the_next_working_day_at_the_same_time():
    t = task(shanghai(2026, 11, 24, 10, 0))  # a Tuesday
    assert t.first_contact_due == shanghai(2026, 11, 25, 10, 0)
    assert t.resolution_due == shanghai(2026, 12, 3, 10, 0)


def test_the_clocks_skip_the_national_day_holiday_and_count_the_make_up_saturday():
    # 国庆 2026: 1-7 October off; Saturday 10 October is a make-up working day (调休).
    t = task(shanghai(2026, 9, 30, 16, 0))
    assert t.first_contact_due == shanghai(2026, 10, 8, 16, 0)
    # working days after 30 September: 8, 9, 10 (the make-up Saturday), 12, 13, 14, 15
    assert t.resolution_due == shanghai(2026, 10, 15, 16, 0)
    assert CALENDAR.is_working_day(date(2026, 10, 10))


def test_a_task_opened_on_a_day_off_starts_its_clock_on_the_next_working_morning():
    t = task(shanghai(2026, 10, 3, 11, 30))  # inside the holiday
    assert t.first_contact_due == shanghai(2026, 10, 9, 0, 0)  # the whole of 8 October


def test_flags_follow_the_running_clock_and_the_next_check_says_when_they_change():
    t = task(shanghai(2026, 11, 24, 10, 0))
    assert rules.flags_at(t, shanghai(2026, 11, 25, 4, 0)) == ()
    risk = rules.next_check(t)
    assert risk == t.created_at + (t.first_contact_due - t.created_at) * 0.8
    assert rules.flags_at(t, risk) == (Flag.at_risk,)
    assert rules.flags_at(t, t.first_contact_due + timedelta(seconds=1)) == (Flag.overdue,)
    contacted = rules.record_attempt(t, Attempt(at=shanghai(2026, 11, 24, 11, 0), by="a", result=AttemptResult.reached))
    assert contacted.status is Status.in_progress
    assert rules.flags_at(contacted, t.first_contact_due + timedelta(seconds=1)) == ()  # now the resolution clock


def test_unreachable_needs_three_failed_attempts_and_resolved_needs_a_reached_call():
    t = task(shanghai(2026, 11, 24, 10, 0))
    for i in range(2):
        t = rules.record_attempt(t, Attempt(at=shanghai(2026, 11, 24, 11, i), by="a", result=AttemptResult.no_answer))
    with pytest.raises(InvalidInput) as e:
        rules.close(t, Outcome.unreachable, "", "a", shanghai(2026, 11, 24, 12, 0))
    assert "outcome" in e.value.fields
    with pytest.raises(InvalidInput):
        rules.close(t, Outcome.resolved_satisfied, "", "a", shanghai(2026, 11, 24, 12, 0))
    t = rules.record_attempt(t, Attempt(at=shanghai(2026, 11, 24, 11, 5), by="a", result=AttemptResult.wrong_number))
    closed = rules.close(t, Outcome.unreachable, "", "a", shanghai(2026, 11, 24, 12, 0))
    assert (closed.status, closed.outcome, closed.flags) == (Status.closed, Outcome.unreachable, ())
    with pytest.raises(Conflict):
        rules.record_attempt(closed, Attempt(at=shanghai(2026, 11, 24, 13, 0), by="a", result=AttemptResult.reached))


def test_which_ratings_need_a_task():
    base = dict(
        id="r-00000001",
        channel=Channel.qr,
        hall_code="A01",
        counter_number=1,
        rated_at=shanghai(2026, 11, 24, 9),
        received_at=shanghai(2026, 11, 24, 9),
    )
    assert rules.task_type_of_rating(Rating(**base, level=2, phone="13812345678")) is TaskType.bad_rating
    assert rules.task_type_of_rating(Rating(**base, level=3, phone="13812345678")) is None
    assert rules.task_type_of_rating(Rating(**base, level=1)) is None
    assert rules.task_type_of_rating(Rating(**base, level=1, phone="13812345678", misuse=True)) is None


def test_clocks_are_configurable_per_task_type():
    clocks = rules.clocks_per_type({"complaint": {"resolution_days": 5}, "report": {"first_contact_days": 0}})
    assert clocks[TaskType.complaint] == Clocks(first_contact_days=1, resolution_days=5)
    assert clocks[TaskType.report] == Clocks(first_contact_days=0, resolution_days=7)
    assert clocks[TaskType.bad_rating] == Clocks()
    with pytest.raises(ValueError, match="unknown task type"):
        rules.clocks_per_type({"praise": {"resolution_days": 3}})
    with pytest.raises(ValueError, match="resolution_days"):
        rules.clocks_per_type({"complaint": {"resolution_days": 0}})
