import collections
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import callbacks as rules
from chalicelib.domain.callbacks import Attempt, AttemptResult, Clocks, Flag, Outcome, SourceType, Status, TaskType
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.domain.workdays import WorkingDays
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
OPENED = {StatKey("A01", "2026-11", StatKind.callbacks, "", None): collections.Counter(opened=1)}


def task(source_id: str, created: datetime = T0, hall: str = "A01"):
    return rules.new_task(
        source_type=SourceType.rating,
        source_id=source_id,
        hall_code=hall,
        task_type=TaskType.bad_rating,
        phone="13812345678",
        created_at=created,
        clocks=Clocks(),
        calendar=WorkingDays(),
    )


def saved(t, **changes):
    return t.model_copy(update={**changes, "version": t.version + 1})


def test_one_task_per_source_and_its_opened_count_once(repos):
    assert repos.callbacks.create(task("r1"), OPENED)
    assert not repos.callbacks.create(task("r1"), OPENED)
    assert repos.callbacks.get("rating-r1") == task("r1")
    assert every_tally(repos.ratings, "A01", "2026-11") == OPENED


def test_the_queue_lists_earliest_due_first_and_closed_tasks_apart(repos):
    for i, hours in enumerate((5, 1, 3)):
        repos.callbacks.create(task(f"r{i}", T0 + timedelta(hours=hours)), OPENED)
    repos.callbacks.create(task("other", hall="B02"), OPENED)
    queue = repos.callbacks.list_by_hall("A01", None, None, 50).items
    assert [t.source_id for t in queue] == ["r1", "r2", "r0"]
    first = queue[0]
    attempt = Attempt(at=T0 + timedelta(hours=2), by="a", result=AttemptResult.reached)
    worked = saved(rules.record_attempt(first, attempt))
    repos.callbacks.save(worked)
    assert [t.source_id for t in repos.callbacks.list_by_hall("A01", Status.open, None, 50).items] == ["r2", "r0"]
    assert [t.source_id for t in repos.callbacks.list_by_hall("A01", Status.in_progress, None, 50).items] == ["r1"]
    repos.callbacks.save(saved(rules.close(worked, Outcome.resolved_satisfied, "", "a", T0 + timedelta(hours=3))))
    assert [t.source_id for t in repos.callbacks.list_by_hall("A01", Status.closed, None, 50).items] == ["r1"]
    assert len(repos.callbacks.list_by_hall("A01", None, None, 50).items) == 2


def test_a_stale_save_is_a_conflict(repos):
    repos.callbacks.create(task("r1"), OPENED)
    stored = repos.callbacks.get("rating-r1")
    repos.callbacks.save(saved(stored, agent="a"))
    with pytest.raises(Conflict):
        repos.callbacks.save(saved(stored, agent="b"))
    assert repos.callbacks.get("rating-r1").agent == "a"


def test_due_for_check_finds_tasks_whose_flags_change_by_then(repos):
    repos.callbacks.create(task("early", T0), OPENED)
    repos.callbacks.create(task("late", T0 + timedelta(days=3)), OPENED)
    risk = rules.next_check(task("early", T0))
    assert repos.callbacks.due_for_check(risk - timedelta(seconds=1), 50) == []
    assert [t.source_id for t in repos.callbacks.due_for_check(risk, 50)] == ["early"]


def test_saving_with_notifications_stores_them_once(repos):
    repos.callbacks.create(task("r1"), OPENED)
    stored = repos.callbacks.get("rating-r1")
    note = Notification(
        id="rating-r1:first_contact:at_risk",
        kind="callback_at_risk",
        hall_code="A01",
        audiences=(Audience.hall_manager,),
        subject="s",
        body="b",
        created_at=T0,
    )
    repos.callbacks.save(saved(stored, flags=(Flag.at_risk,)), [note])
    assert repos.callbacks.get("rating-r1").flags == (Flag.at_risk,)
    assert not repos.outbox.put(note)  # stored with the task already


def test_closed_tasks_give_up_their_phone_after_retention(repos):
    repos.callbacks.create(task("r1"), OPENED)
    t = repos.callbacks.get("rating-r1")
    t = saved(rules.record_attempt(t, Attempt(at=T0, by="a", result=AttemptResult.reached)))
    repos.callbacks.save(t)
    closed = saved(rules.close(t, Outcome.resolved_satisfied, "", "a", T0 + timedelta(hours=1)))
    repos.callbacks.save(closed)
    assert repos.callbacks.phones_to_purge(T0, 50) == []
    [due] = repos.callbacks.phones_to_purge(T0 + timedelta(hours=2), 50)
    repos.callbacks.purge_phone(due)
    assert repos.callbacks.get("rating-r1").phone is None
    assert repos.callbacks.phones_to_purge(T0 + timedelta(hours=2), 50) == []


def test_the_outbox_keeps_one_notification_per_id(repos):
    note = Notification(
        id="digest:A01:2026-11-24",
        kind="suggestion_digest",
        hall_code="A01",
        audiences=(Audience.hall_manager,),
        subject="s",
        body="b",
        created_at=T0,
    )
    assert repos.outbox.put(note)
    assert not repos.outbox.put(note)
