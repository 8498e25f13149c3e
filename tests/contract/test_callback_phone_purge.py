"""Purging a closed task's phone removes it from the task's source too, in memory as on DynamoDB."""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta

from chalicelib.domain import callbacks as rules
from chalicelib.domain.callbacks import Attempt, AttemptResult, CallbackTask, Clocks, Outcome, SourceType, TaskType
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.domain.suggestions import Suggestion, SuggestionKind
from chalicelib.domain.workdays import WorkingDays

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
PHONE = "13812345678"
OPENED = {StatKey("A01", "2026-11", StatKind.callbacks, "", None): collections.Counter(opened=1)}


def closed_task(repos, source_type: SourceType, source_id: str, task_type: TaskType) -> CallbackTask:
    task = rules.new_task(
        source_type=source_type,
        source_id=source_id,
        hall_code="A01",
        task_type=task_type,
        phone=PHONE,
        created_at=T0,
        clocks=Clocks(),
        calendar=WorkingDays(),
    )
    assert repos.callbacks.create(task, OPENED)
    worked = rules.record_attempt(task, Attempt(at=T0, by="a", result=AttemptResult.reached))
    worked = worked.model_copy(update={"version": worked.version + 1})
    repos.callbacks.save(worked)
    done = rules.close(worked, Outcome.resolved_satisfied, "", "a", T0 + timedelta(hours=1))
    repos.callbacks.save(done.model_copy(update={"version": done.version + 1}))
    [due] = repos.callbacks.phones_to_purge(T0 + timedelta(hours=2), 50)
    return due


def test_a_rating_s_phone_goes_with_its_task_s(repos):
    rating = Rating(
        id="00000000-0000-4000-8000-000000000001",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1,
        staff_no="A0123",
        level=1,
        business=Business.invoice,
        reasons=(Reason.attitude,),
        phone=PHONE,
        rated_at=T0,
        received_at=T0,
    )
    repos.ratings.save_batch([rating])
    due = closed_task(repos, SourceType.rating, rating.id, TaskType.bad_rating)
    repos.callbacks.purge_phone(due)
    assert repos.callbacks.get(due.id).phone is None
    assert repos.ratings.get_rating(rating.id).phone is None
    assert repos.ratings.get_rating(rating.id).level == 1  # the rating itself stays


def test_a_suggestion_s_phone_goes_with_its_task_s_and_its_name_stays(repos):
    suggestion = Suggestion(
        id="s-1",
        tracking_no="TS20261124-ABCDEFG1",
        hall_code="A01",
        kind=SuggestionKind.complaint,
        content="等了一个小时没人管",
        name="王女士",
        phone=PHONE,
        wants_reply=True,
        created_at=T0,
    )
    repos.suggestions.add(suggestion)
    due = closed_task(repos, SourceType.suggestion, suggestion.id, TaskType.complaint)
    repos.callbacks.purge_phone(due)
    stored = repos.suggestions.get(suggestion.id)
    assert (stored.phone, stored.name) == (None, "王女士")


def test_a_source_that_is_gone_is_left_alone(repos):
    due = closed_task(repos, SourceType.rating, "00000000-0000-4000-8000-000000000404", TaskType.bad_rating)
    repos.callbacks.purge_phone(due)
    assert repos.callbacks.get(due.id).phone is None
    assert repos.ratings.get_rating("00000000-0000-4000-8000-000000000404") is None


def test_a_work_order_s_phone_goes_with_its_task_s(repos):
    from chalicelib.domain import tickets
    from chalicelib.domain.tickets import Kind, TicketClocks

    order = tickets.new_ticket(
        ticket_id="t1",
        ticket_no="GD20261124-7K3M9QXD",
        hall_code="A01",
        kind=Kind.consultation,
        subject="咨询",
        detail="",
        by="m",
        at=T0,
        clocks=TicketClocks(),
        calendar=WorkingDays(),
        phone=PHONE,
    )
    repos.tickets.create(order, {})
    due = closed_task(repos, SourceType.ticket, "t1", TaskType.ticket_answer)
    repos.callbacks.purge_phone(due)
    assert repos.callbacks.get("ticket-t1").phone is None
    assert repos.tickets.get("t1").phone is None
