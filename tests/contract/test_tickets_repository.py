"""Work orders' repository: the same behaviour in memory and in DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import callback_context
from chalicelib.domain import callbacks as callback_rules
from chalicelib.domain import tickets as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.callbacks import Clocks, SourceType, TaskType
from chalicelib.domain.departments import Department
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.stats import StatKind
from chalicelib.domain.suggestions import Suggestion, SuggestionKind
from chalicelib.domain.tickets import Flag, Kind, Status, TicketClocks
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services.ports import QueueOf

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))


def order(ticket_id: str, at: datetime = T0, department: str | None = "METER", number: str | None = None, **over):
    made = rules.new_ticket(
        ticket_id=ticket_id,
        ticket_no=number or rules.new_ticket_no(at),
        hall_code="A01",
        kind=Kind.consultation,
        subject="咨询",
        detail="",
        by="m",
        at=at,
        clocks=TicketClocks(),
        calendar=WorkingDays(),
        department=department,
        **over,
    )
    return made


def saved(before, after):
    return after.model_copy(update={"version": before.version + 1})


def test_an_order_is_stored_once_by_id_with_its_number_and_opened_count(repos):
    t = order("t1")
    assert repos.tickets.create(t, rules.tally(None, t))
    assert not repos.tickets.create(order("t1"), rules.tally(None, t))
    assert repos.tickets.get("t1") == t
    assert repos.tickets.get_by_no(t.ticket_no) == t
    assert repos.tickets.get_by_no("GD20261124-00000000") is None
    [(_key, counts)] = repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.tickets).items()
    assert dict(counts) == {"opened": 1}


def test_a_taken_number_is_a_conflict_and_stores_nothing(repos):
    t = order("t1")
    repos.tickets.create(t, rules.tally(None, t))
    with pytest.raises(Conflict):
        repos.tickets.create(order("t2", number=t.ticket_no), {})
    assert repos.tickets.get("t2") is None


def test_queues_list_unclosed_orders_earliest_due_first_by_hall_and_department(repos):
    later = order("t-late", T0 + timedelta(hours=2))
    sooner = order("t-soon", T0)
    elsewhere = order("t-repair", T0 + timedelta(hours=1), department="REPAIR")
    for t in (later, sooner, elsewhere):
        repos.tickets.create(t, {})
    by_hall = repos.tickets.queue(QueueOf(hall_code="A01"), None, None, None, 10)
    assert [t.id for t in by_hall.items] == ["t-soon", "t-repair", "t-late"]
    meter = repos.tickets.queue(QueueOf(department="METER"), None, None, None, 10)
    assert [t.id for t in meter.items] == ["t-soon", "t-late"]
    first = repos.tickets.queue(QueueOf(hall_code="A01"), None, None, None, 2)
    rest = repos.tickets.queue(QueueOf(hall_code="A01"), None, None, first.next, 2)
    assert [t.id for t in first.items + rest.items] == ["t-soon", "t-repair", "t-late"] and rest.next is None
    # Passed on: it leaves the first department's queue and joins the next one's.
    moved = saved(sooner, rules.assign(sooner, MANAGER, "REPAIR", "", T0))
    repos.tickets.save(moved)
    assert [t.id for t in repos.tickets.queue(QueueOf(department="METER"), None, None, None, 10).items] == ["t-late"]
    repair = repos.tickets.queue(QueueOf(department="REPAIR"), Status.assigned, None, None, 10)
    assert [t.id for t in repair.items] == ["t-soon", "t-repair"]
    # Closed: out of every queue, still in the month's ledger.
    answered = saved(moved, rules.answer(moved, MANAGER, "答复", T0))
    repos.tickets.save(answered)
    closed = saved(answered, rules.close(answered, MANAGER, "", T0))
    repos.tickets.save(closed)
    assert "t-soon" not in [t.id for t in repos.tickets.queue(QueueOf(hall_code="A01"), None, None, None, 10).items]
    assert [t.id for t in repos.tickets.ledger("A01", "2026-11")] == ["t-soon", "t-repair", "t-late"]
    assert repos.tickets.ledger("A01", "2026-12") == []


def test_a_stale_save_is_a_conflict(repos):
    t = order("t1")
    repos.tickets.create(t, {})
    repos.tickets.save(saved(t, rules.progress(t, MANAGER, "a", T0)))
    with pytest.raises(Conflict):
        repos.tickets.save(saved(t, rules.progress(t, MANAGER, "b", T0)))
    assert [e.note for e in repos.tickets.get("t1").history][-1] == "a"


def test_the_sparse_index_holds_the_next_flag_change_and_the_overdue_filter(repos):
    t = order("t1")
    repos.tickets.create(t, {})
    check = rules.next_check(t)
    assert repos.tickets.due_for_check(check - timedelta(seconds=1), 10) == []
    assert [x.id for x in repos.tickets.due_for_check(check, 10)] == ["t1"]
    notice = Notification(
        id="ticket-t1:overdue:1",
        kind="ticket_overdue",
        hall_code="A01",
        audiences=(Audience.hall_manager, Audience.department),
        subject="s",
        body="b",
        created_at=T0,
        department="METER",
    )
    overdue = saved(t, rules.went_overdue(t, t.due_at + timedelta(seconds=1)))
    repos.tickets.save(overdue, [notice], rules.tally(t, overdue))
    assert repos.tickets.due_for_check(overdue.due_at + timedelta(days=30), 10) == []
    flagged = repos.tickets.queue(QueueOf(hall_code="A01"), None, Flag.overdue, None, 10)
    assert [x.id for x in flagged.items] == ["t1"]
    assert not repos.outbox.put(notice)  # stored with the order
    [(_key, counts)] = repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.tickets).items()
    assert dict(counts) == {"overdue": 1}


def test_the_answer_and_its_callback_task_are_stored_together_once(repos):
    t = order("t1", phone="13812345678")
    repos.tickets.create(t, {})
    answered = saved(t, rules.answer(t, MANAGER, "答复", T0))
    task = callback_rules.new_task(
        source_type=SourceType.ticket,
        source_id="t1",
        hall_code="A01",
        task_type=TaskType.ticket_answer,
        phone="13812345678",
        created_at=T0,
        clocks=Clocks(),
        calendar=WorkingDays(),
        context=callback_context.of_ticket(t.ticket_no, t.subject, "答复"),
    )
    repos.tickets.save(answered, new_task=task)
    assert repos.callbacks.get("ticket-t1") == task
    again = saved(answered, answered)
    with pytest.raises(Conflict):
        repos.tickets.save(again, new_task=task)
    assert repos.tickets.get("t1") == answered


def test_an_order_from_a_suggestion_links_it_once(repos):
    suggestion = Suggestion(
        id="s1",
        tracking_no="TS20261124-7K3M9QXD",
        hall_code="A01",
        kind=SuggestionKind.inquiry,
        content="咨询内容五字",
        created_at=T0,
    )
    repos.suggestions.add(suggestion)
    first = order("t1", source=rules.Source.suggestion, suggestion_id="s1")
    assert repos.tickets.create(first, {})
    assert repos.suggestions.get("s1").ticket_id == "t1"
    assert not repos.tickets.create(order("t2", suggestion_id="s1"), {})
    assert repos.tickets.get("t2") is None
    assert not repos.tickets.create(order("t3", suggestion_id="gone"), {})


def test_departments_are_added_once_edited_and_listed_by_code(repos):
    repos.departments.add(Department(code="REPAIR", name="抢修班", created_at=T0))
    repos.departments.add(Department(code="METER", name="计量室", created_at=T0))
    with pytest.raises(Conflict):
        repos.departments.add(Department(code="METER", name="x", created_at=T0))
    repos.departments.save(Department(code="METER", name="计量中心", active=False, created_at=T0))
    assert repos.departments.get("METER").name == "计量中心"
    with pytest.raises(NotFound):
        repos.departments.save(Department(code="NOPE", name="x", created_at=T0))
    assert [d.code for d in repos.departments.list(None, 10).items] == ["METER", "REPAIR"]
