"""Work orders through their services, over the in-memory fakes (SPEC §3.2)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.callback_context import SuggestionContext, TicketContext
from chalicelib.domain.callbacks import DEFAULT_CLOCKS, SourceType, TaskType, task_id
from chalicelib.domain.departments import Department
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.notifications import Audience
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.suggestions import Suggestion, SuggestionKind
from chalicelib.domain.tickets import Flag, Kind, Level, Status, TicketClocks
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import callbacks, tickets
from chalicelib.services.callbacks import CallbackPorts
from chalicelib.services.tickets import Draft, TicketPorts
from tests.fakes.callbacks import InMemoryCallbackRepository
from tests.fakes.clock import FixedClock
from tests.fakes.departments import InMemoryDepartmentRepository
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.suggestions import InMemorySuggestionRepository
from tests.fakes.tickets import InMemoryTicketRepository

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
OTHER_MANAGER = UserPrincipal(username="mb", role=Role.manager, halls=frozenset({"B02"}))
HANDLER = UserPrincipal(username="h", role=Role.handler, departments=frozenset({"METER"}))


@pytest.fixture
def ports() -> TicketPorts:
    org = InMemoryOrganisationRepository()
    org.add_hall(Hall(code="A01", name="城东营业厅", branch="城东分中心", grade=HallGrade.A, created_at=NOW))
    departments = InMemoryDepartmentRepository()
    for code in ("METER", "REPAIR"):
        departments.add(Department(code=code, name=code, created_at=NOW))
    suggestions = InMemorySuggestionRepository()
    callback_repo = InMemoryCallbackRepository(suggestions=suggestions)
    repo = InMemoryTicketRepository(callback_repo, suggestions)
    return TicketPorts(
        tickets=repo,
        departments=departments,
        org=org,
        suggestions=suggestions,
        callbacks=callback_repo,
        tallies=repo,
        clock=FixedClock(NOW),
        calendar=WorkingDays(),
        clocks=TicketClocks(),
        callback_clocks=DEFAULT_CLOCKS,
    )


def draft(**over) -> Draft:
    values = {"hall_code": "A01", "kind": Kind.consultation, "subject": "电费为何上涨"} | over
    return Draft(**values)


def test_the_same_create_retried_stores_one_order(ports):
    client_id = str(uuid.uuid4())
    first = tickets.create_ticket(MANAGER, ports, draft(id=client_id))
    again = tickets.create_ticket(MANAGER, ports, draft(id=client_id))
    assert first.created and not again.created
    assert again.ticket == first.ticket
    assert len(ports.tickets.tickets) == 1  # type: ignore[attr-defined]
    assert tickets.timeliness(ports.tallies, "A01", "2026-11").opened == 1


def test_only_the_halls_managers_and_admins_open_orders(ports):
    for actor in (OTHER_MANAGER, HANDLER):
        with pytest.raises(Forbidden):
            tickets.create_ticket(actor, ports, draft())
    with pytest.raises(NotFound):
        tickets.create_ticket(MANAGER, ports, draft(department="NOPE"))
    with pytest.raises(InvalidInput):
        tickets.create_ticket(MANAGER, ports, draft(phone="13812345678"))  # no consent


def test_answering_with_a_phone_opens_one_callback_task_whose_follow_up_closes_the_loop(ports):
    stored = tickets.create_ticket(MANAGER, ports, draft(phone="13812345678", consent=True, department="METER"))
    order = tickets.progress(HANDLER, ports, stored.ticket.id, "已核实表计")
    order = tickets.answer(HANDLER, ports, order.id, "表计正常，电价调整所致，联系 13812345678")
    task = ports.callbacks.get(task_id(SourceType.ticket, order.id))
    assert task is not None and task.task_type is TaskType.ticket_answer and task.phone == "13812345678"
    assert isinstance(task.context, TicketContext)
    assert task.context.ticket_no == order.ticket_no and "138****5678" in task.context.answer
    with pytest.raises(Conflict):
        tickets.answer(HANDLER, ports, order.id, "again")
    assert len(ports.callbacks.tasks) == 1  # type: ignore[attr-defined]
    # The agent calls and closes; the customer's 追评 closes the loop.
    cports = CallbackPorts(ports.callbacks, ports.org, ports.clock, ports.calendar, DEFAULT_CLOCKS)
    callbacks.record_attempt(ADMIN, cports, task.id, callbacks.AttemptResult.reached, "")
    callbacks.close_task(ADMIN, cports, task.id, callbacks.Outcome.resolved_satisfied, "")
    key = b"k" * 32
    link = callbacks.follow_up_link(cports, key, SourceType.ticket, order.id)
    assert link is not None
    assert callbacks.give_follow_up(cports, key, link, 5, "满意").follow_up is not None


def test_a_suggestion_becomes_one_order_and_its_open_task_takes_the_answer(ports):
    suggestion = Suggestion(
        id="s1",
        tracking_no="TS20261124-7K3M9QXD",
        hall_code="A01",
        kind=SuggestionKind.complaint,
        content="营业厅排队太久，没人管",
        phone="13912345678",
        created_at=NOW,
    )
    ports.suggestions.add(suggestion)
    cports = CallbackPorts(ports.callbacks, ports.org, ports.clock, ports.calendar, DEFAULT_CLOCKS)
    assert callbacks.open_for_suggestion(cports, suggestion) is not None
    first = tickets.ticket_from_suggestion(MANAGER, ports, "s1", None, "METER")
    again = tickets.ticket_from_suggestion(MANAGER, ports, "s1", Kind.opinion, None)
    assert first.created and not again.created and again.ticket.id == first.ticket.id
    assert first.ticket.kind is Kind.complaint and first.ticket.phone == "13912345678"
    assert ports.suggestions.get("s1").ticket_id == first.ticket.id
    tickets.answer(HANDLER, ports, first.ticket.id, "已加开窗口")
    assert len(ports.callbacks.tasks) == 1  # type: ignore[attr-defined]  # no second call
    context = ports.callbacks.get(task_id(SourceType.suggestion, "s1")).context
    assert isinstance(context, SuggestionContext) and context.answer == "已加开窗口"


def test_urges_and_the_overdue_escalate_one_level_each_through_the_outbox(ports):
    order = tickets.create_ticket(MANAGER, ports, draft(department="METER")).ticket
    order = tickets.urge(MANAGER, ports, order.id, "客户再次来电")
    assert order.escalation is Level.hall_manager
    outbox = ports.tickets.outbox.sent  # type: ignore[attr-defined]
    assert [n.audiences for n in outbox.values() if n.kind == "ticket_urged"] == [
        (Audience.hall_manager, Audience.department)
    ]
    ports.clock.current = NOW + timedelta(hours=20)  # type: ignore[attr-defined]
    assert tickets.check_clocks(ports) == 1  # at risk: 80 % of one working day
    assert tickets.check_clocks(ports) == 0  # nothing more until due
    ports.clock.current = NOW + timedelta(days=1, seconds=1)  # type: ignore[attr-defined]
    assert tickets.check_clocks(ports) == 1
    order = ports.tickets.get(order.id)
    assert order.flags == (Flag.overdue,) and order.escalation is Level.branch
    assert tickets.check_clocks(ports) == 0  # overdue once
    assert [t.id for t in tickets.overdue_orders(ports, "A01")] == [order.id]
    kinds = sorted(n.kind for n in outbox.values())
    assert kinds == ["ticket_assigned", "ticket_at_risk", "ticket_overdue", "ticket_urged"]  # assigned: on creation
    overdue = next(n for n in outbox.values() if n.kind == "ticket_overdue")
    assert overdue.audiences == (Audience.branch, Audience.department) and overdue.department == "METER"
    order = tickets.urge(ADMIN, ports, order.id, "")
    assert order.escalation is Level.company
    assert tickets.timeliness(ports.tallies, "A01", "2026-11").opened == 1


def test_handlers_list_and_act_on_their_departments_orders_only(ports):
    mine = tickets.create_ticket(MANAGER, ports, draft(department="METER")).ticket
    other = tickets.create_ticket(MANAGER, ports, draft(department="REPAIR", kind=Kind.complaint)).ticket
    queue = tickets.list_tickets(HANDLER, ports, tickets.queue_of(HANDLER, None, None), None, None, None, 50)
    assert [t.id for t in queue.items] == [mine.id]
    with pytest.raises(Forbidden):
        tickets.queue_of(HANDLER, None, "REPAIR")
    with pytest.raises(Forbidden):
        tickets.get_ticket(HANDLER, ports, other.id)
    hall = tickets.list_tickets(MANAGER, ports, tickets.queue_of(MANAGER, None, None), None, None, None, 50)
    assert [t.id for t in hall.items] == [mine.id, other.id]  # earliest due first


def test_timeliness_per_hall_and_department_and_verified_complaints_per_clerk(ports):
    from chalicelib.domain.organisation import Staff

    ports.org.add_staff(Staff(staff_no="A0123", name="王芳", hall_code="A01", created_at=NOW))
    quick = tickets.create_ticket(MANAGER, ports, draft(department="METER", kind=Kind.complaint)).ticket
    late = tickets.create_ticket(MANAGER, ports, draft(department="REPAIR")).ticket
    tickets.answer(HANDLER, ports, quick.id, "已处理")
    ports.clock.current = NOW + timedelta(days=3)  # type: ignore[attr-defined]
    tickets.answer(ADMIN, ports, late.id, "已处理")
    tickets.close(MANAGER, ports, quick.id, "属实", verified=True, staff_no="A0123")
    figures = tickets.timeliness(ports.tallies, "A01", "2026-11")
    assert (figures.opened, figures.hall.top, figures.hall.bottom) == (2, 1, 2)
    assert {d: (r.top, r.bottom) for d, r in figures.departments.items()} == {"METER": (1, 1), "REPAIR": (0, 1)}
    assert tickets.verified_complaints(ports.tallies, "A01", "2026-11") == {"A0123": 1}
    with pytest.raises(NotFound):
        tickets.close(MANAGER, ports, late.id, "", verified=None, staff_no="Z9999")


def test_the_customer_tracks_an_order_with_the_last_four_digits(ports):
    order = tickets.create_ticket(MANAGER, ports, draft(phone="13812345678", consent=True)).ticket
    with pytest.raises(InvalidInput):
        tickets.track_ticket(ports, order.ticket_no, None)
    with pytest.raises(Forbidden):
        tickets.track_ticket(ports, order.ticket_no, "0000")
    tracked = tickets.track_ticket(ports, order.ticket_no.lower(), "5678")
    assert tracked.status is Status.new and tracked.answer is None
