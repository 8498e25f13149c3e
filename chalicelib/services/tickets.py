"""Work orders (工单): opened at the counter or from a suggestion, routed to departments, supervised
(督办) by the hall, watched by the hourly clock check, answered, called back and closed."""

from __future__ import annotations

import collections
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import callback_context
from chalicelib.domain import callbacks as callback_rules
from chalicelib.domain import tickets as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.callback_context import SuggestionContext
from chalicelib.domain.callbacks import CallbackTask, Clocks, SourceType, TaskType
from chalicelib.domain.callbacks import Status as TaskStatus
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.labels import TICKET_ACTION, label
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.privacy import mask_phone
from chalicelib.domain.stats import Ratio, StatKind
from chalicelib.domain.suggestions import (
    TRACKING_ATTEMPTS_PER_WINDOW,
    AttemptWindow,
    TooManyAttempts,
    check_consent,
    phone4_matches,
    require_phone4,
    wrong_phone4,
)
from chalicelib.domain.tickets import Flag, Kind, Source, Status, Ticket, TicketClocks
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import reports
from chalicelib.services.departments import active_department
from chalicelib.services.ports import (
    CallbackRepository,
    Clock,
    DepartmentRepository,
    OrganisationRepository,
    QueueOf,
    SuggestionRepository,
    TallyReader,
    TicketRepository,
)

CHECK_BATCH = 200
NUMBER_TRIES = 5  # 40 random bits a day: a second draw is already rare
SUBJECT_FROM_CONTENT = 60
# Orders made from suggestions have ids derived from the suggestion's: one order per suggestion.
SUGGESTION_ORDERS = uuid.UUID("6f1c0f5e-5b7a-4bb0-9d51-2f0a5e7c3d11")


@dataclass(frozen=True)
class TicketPorts:
    tickets: TicketRepository
    departments: DepartmentRepository
    org: OrganisationRepository
    suggestions: SuggestionRepository
    callbacks: CallbackRepository
    tallies: TallyReader
    clock: Clock
    calendar: WorkingDays
    clocks: TicketClocks
    callback_clocks: Mapping[TaskType, Clocks]


@dataclass(frozen=True)
class Draft:
    """What a manager types at the counter (SPEC §4.7 ``POST /api/v1/tickets``)."""

    hall_code: str
    kind: Kind
    subject: str
    detail: str = ""
    customer_name: str | None = None
    phone: str | None = None
    consent: bool = False
    key_account: bool = False
    account_no: str | None = None
    source: Source = Source.counter
    department: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Stored:
    ticket: Ticket
    created: bool  # False: the order was stored before (a retry), and is answered as it is


def _supervise(actor: UserPrincipal, hall_code: str) -> None:
    """Managers of the hall and admins open orders; nobody else."""
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall_code)


def _store(ports: TicketPorts, make: Callable[[str], Ticket]) -> tuple[Ticket, bool]:
    """Store a new order under a fresh number (drawn again when taken); False when its id was stored."""
    for _ in range(NUMBER_TRIES):
        ticket = make(rules.new_ticket_no(ports.clock.now()))
        # An order created with a department tells its handlers at once, as an assign does.
        notify = (
            [_notice(ticket, "assigned", [Audience.department], "", ticket.created_at)] if ticket.department else []
        )
        try:
            return ticket, ports.tickets.create(ticket, rules.tally(None, ticket), notify)
        except Conflict:
            continue
    raise Conflict("No free ticket number: retry.")


def _retried(actor: UserPrincipal, ports: TicketPorts, ticket_id: str) -> Stored:
    stored = ports.tickets.get(ticket_id)
    if stored is None:
        raise Conflict("The order is being stored: retry.")
    if not rules.may_see(actor, stored):
        raise Conflict(f"The id {ticket_id} is taken.", {"id": "taken"})
    return Stored(stored, created=False)


def create_ticket(actor: UserPrincipal, ports: TicketPorts, draft: Draft) -> Stored:
    """Open an order (idempotent by the client's id: a retry answers the stored order)."""
    _supervise(actor, draft.hall_code)
    if draft.id is not None and ports.tickets.get(draft.id) is not None:
        return _retried(actor, ports, draft.id)
    if ports.org.get_hall(draft.hall_code) is None:
        raise NotFound(f"No hall {draft.hall_code}.", {"hall_code": "unknown hall"})
    if draft.department:
        active_department(ports.departments, draft.department)
    check_consent(consent=draft.consent, name=draft.customer_name, phone=draft.phone)
    ticket_id = draft.id or str(uuid.uuid4())
    now = ports.clock.now()

    def make(number: str) -> Ticket:
        return rules.new_ticket(
            ticket_id=ticket_id,
            ticket_no=number,
            hall_code=draft.hall_code,
            kind=draft.kind,
            subject=draft.subject,
            detail=draft.detail,
            by=actor.username,
            at=now,
            clocks=ports.clocks,
            calendar=ports.calendar,
            key_account=draft.key_account,
            account_no=draft.account_no,
            department=draft.department,
            source=draft.source,
            customer_name=draft.customer_name,
            phone=draft.phone,
        )

    ticket, created = _store(ports, make)
    return Stored(ticket, created=True) if created else _retried(actor, ports, ticket_id)


def ticket_from_suggestion(
    actor: UserPrincipal, ports: TicketPorts, suggestion_id: str, kind: Kind | None, department: str | None
) -> Stored:
    """Turn a suggestion into an order, exactly once: asked again, the same order."""
    actor.require_role(Role.admin, Role.manager)
    suggestion = ports.suggestions.get(suggestion_id)
    if suggestion is None or not actor.can_see_hall(suggestion.hall_code):
        raise NotFound(f"No suggestion {suggestion_id}.")
    ticket_id = str(uuid.uuid5(SUGGESTION_ORDERS, suggestion.id))
    if suggestion.ticket_id is not None or ports.tickets.get(ticket_id) is not None:
        return _retried(actor, ports, suggestion.ticket_id or ticket_id)
    if department:
        active_department(ports.departments, department)
    now = ports.clock.now()
    content = suggestion.content

    def make(number: str) -> Ticket:
        return rules.new_ticket(
            ticket_id=ticket_id,
            ticket_no=number,
            hall_code=suggestion.hall_code,
            kind=kind or rules.kind_of_suggestion(suggestion.kind),
            subject=content[:SUBJECT_FROM_CONTENT],
            detail=content,
            by=actor.username,
            at=now,
            clocks=ports.clocks,
            calendar=ports.calendar,
            department=department,
            source=Source.suggestion,
            suggestion_id=suggestion.id,
            customer_name=suggestion.name,
            phone=suggestion.phone,
        )

    ticket, created = _store(ports, make)
    return Stored(ticket, created=True) if created else _retried(actor, ports, ticket_id)


def get_ticket(actor: UserPrincipal, ports: TicketPorts, ticket_id: str) -> Ticket:
    """NotFound for no such order; Forbidden for one that is not the actor's hall's or department's."""
    ticket = ports.tickets.get(ticket_id)
    if ticket is None:
        raise NotFound(f"No work order {ticket_id}.")
    if not rules.may_see(actor, ticket):
        raise Forbidden("This work order is not one of yours.")
    return ticket


def shown_phone(ticket: Ticket, actor: UserPrincipal) -> str | None:
    """Masked as for callback tasks: in full for admins only."""
    if ticket.phone is None:
        return None
    return ticket.phone if actor.role is Role.admin else mask_phone(ticket.phone)


def queue_of(actor: UserPrincipal, hall_code: str | None, department: str | None) -> QueueOf:
    """Whose queue the actor asks for: handlers their departments', managers their halls'."""
    if actor.role is Role.handler:
        if department is None and len(actor.departments) == 1:
            (department,) = actor.departments
        if department is None:
            raise InvalidInput("Say which department.", {"department": "required"})
        if department not in actor.departments:
            raise Forbidden(f"Department {department} is not one of yours.")
        return QueueOf(department=department)
    actor.require_role(Role.admin, Role.manager)
    if department is not None and hall_code is None:
        actor.require_admin()  # a department's queue spans halls
        return QueueOf(department=department)
    if hall_code is None and len(actor.halls) == 1:
        (hall_code,) = actor.halls
    if hall_code is None:
        raise InvalidInput("Say which hall.", {"hall": "required"})
    actor.require_hall(hall_code)
    return QueueOf(hall_code=hall_code)


def list_tickets(
    actor: UserPrincipal,
    ports: TicketPorts,
    of: QueueOf,
    status: Status | None,
    flag: Flag | None,
    cursor: str | None,
    limit: int,
) -> Page[Ticket]:
    """Unclosed orders of a hall or a department, earliest due first (``queue_of`` says whose)."""
    if status is Status.closed:
        raise InvalidInput("Closed orders are in the ledger.", {"status": "closed orders: ?month= or tickets.csv"})
    return ports.tickets.queue(of, status, flag, cursor, limit)


def ledger(actor: UserPrincipal, ports: TicketPorts, hall_code: str, month: str) -> list[Ticket]:
    """Every order a hall created in a month (工单台账), by creation time."""
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall_code)
    return ports.tickets.ledger(hall_code, month)


# ---- steps ------------------------------------------------------------------------
def _notice(ticket: Ticket, event: str, audiences: Sequence[Audience], note: str, now: datetime) -> Notification:
    zh, en = label(TICKET_ACTION, event, "zh"), label(TICKET_ACTION, event, "en").lower()
    return Notification(
        id=f"ticket-{ticket.id}:{event}:{ticket.version}",
        kind=f"ticket_{event}",
        hall_code=ticket.hall_code,
        audiences=tuple(audiences),
        subject=f"工单{zh} / Work order {en}: {ticket.ticket_no}",
        body=f"{ticket.hall_code} {ticket.kind.value} {ticket.subject[:80]} due {ticket.due_at.isoformat()} {note}",
        created_at=now,
        department=ticket.department,
    )


def _escalation(ticket: Ticket) -> list[Audience]:
    """The level the order reached, and its department (who must act)."""
    found = [rules.ESCALATION_AUDIENCE[ticket.escalation]] if ticket.escalation else []
    return found + ([Audience.department] if ticket.department else [])


def _save(
    ports: TicketPorts,
    before: Ticket,
    after: Ticket,
    notify: Sequence[Notification] = (),
    new_task: CallbackTask | None = None,
    changed_task: CallbackTask | None = None,
) -> Ticket:
    saved = after.model_copy(update={"version": before.version + 1})
    tallies = rules.tally(before, saved)
    if new_task is not None:
        for key, more in callback_rules.tally(new_task, "opened", new_task.created_at).items():
            tallies.setdefault(key, collections.Counter()).update(more)
    ports.tickets.save(saved, notify, tallies, new_task, changed_task)
    return saved


def assign(actor: UserPrincipal, ports: TicketPorts, ticket_id: str, department: str, note: str = "") -> Ticket:
    ticket = get_ticket(actor, ports, ticket_id)
    active_department(ports.departments, department)
    now = ports.clock.now()
    after = rules.assign(ticket, actor, department, note, now).model_copy(update={"version": ticket.version + 1})
    return _save(ports, ticket, after, [_notice(after, "assigned", [Audience.department], note, now)])


def progress(actor: UserPrincipal, ports: TicketPorts, ticket_id: str, note: str) -> Ticket:
    ticket = get_ticket(actor, ports, ticket_id)
    return _save(ports, ticket, rules.progress(ticket, actor, note, ports.clock.now()))


def _callback_of(ports: TicketPorts, ticket: Ticket, now: datetime) -> tuple[CallbackTask | None, CallbackTask | None]:
    """Loop closing on the answer: the order's suggestion's own task, still open, takes the answer
    into its context; else a phone left with consent gets a callback task of its own."""
    if ticket.suggestion_id is not None and ticket.answer is not None:
        task = ports.callbacks.get(callback_rules.task_id(SourceType.suggestion, ticket.suggestion_id))
        if task is not None and task.status is not TaskStatus.closed and isinstance(task.context, SuggestionContext):
            context = callback_context.with_ticket_answer(task.context, ticket.ticket_no, ticket.answer)
            return None, task.model_copy(update={"context": context, "version": task.version + 1})
    if ticket.phone is None or ticket.answer is None:
        return None, None
    task = callback_rules.new_task(
        source_type=SourceType.ticket,
        source_id=ticket.id,
        hall_code=ticket.hall_code,
        task_type=TaskType.ticket_answer,
        phone=ticket.phone,
        created_at=now,
        clocks=ports.callback_clocks.get(TaskType.ticket_answer, Clocks()),
        calendar=ports.calendar,
        context=callback_context.of_ticket(ticket.ticket_no, ticket.subject, ticket.answer),
    )
    return task, None


def answer(actor: UserPrincipal, ports: TicketPorts, ticket_id: str, text: str) -> Ticket:
    """Record the answer; the customer who left a phone with consent is called back (exactly one task)."""
    ticket = get_ticket(actor, ports, ticket_id)
    now = ports.clock.now()
    after = rules.answer(ticket, actor, text, now)
    new_task, changed_task = _callback_of(ports, after, now)
    return _save(ports, ticket, after, new_task=new_task, changed_task=changed_task)


def close(
    actor: UserPrincipal,
    ports: TicketPorts,
    ticket_id: str,
    note: str,
    verified: bool | None = None,
    staff_no: str | None = None,
) -> Ticket:
    ticket = get_ticket(actor, ports, ticket_id)
    if staff_no and ports.org.get_staff(staff_no) is None:
        raise NotFound(f"No clerk {staff_no}.", {"staff_no": "unknown staff number"})
    return _save(ports, ticket, rules.close(ticket, actor, note, ports.clock.now(), verified, staff_no))


def urge(actor: UserPrincipal, ports: TicketPorts, ticket_id: str, note: str) -> Ticket:
    """督办: one level up each time, through the outbox."""
    ticket = get_ticket(actor, ports, ticket_id)
    now = ports.clock.now()
    after = rules.urge(ticket, actor, note, now).model_copy(update={"version": ticket.version + 1})
    return _save(ports, ticket, after, [_notice(after, "urged", _escalation(after), note, now)])


def check_clocks(ports: TicketPorts, went_overdue: Callable[[Ticket], object] = lambda ticket: None) -> int:
    """The hourly job: re-flag the orders whose clocks moved on (read from the sparse index); an
    at-risk order tells its department and hall manager, an overdue one escalates one level and
    is handed to ``went_overdue`` once stored (the alerts list it)."""
    now = ports.clock.now()
    changed = 0
    for ticket in ports.tickets.due_for_check(now, CHECK_BATCH):
        flags = rules.flags_at(ticket, now)
        if flags == ticket.flags:
            continue
        overdue = Flag.overdue in flags and not ticket.was_overdue
        if overdue:
            after = rules.went_overdue(ticket, now).model_copy(update={"version": ticket.version + 1})
            notice = _notice(after, "overdue", _escalation(after), "", now)
        else:
            after = ticket.model_copy(update={"flags": flags, "version": ticket.version + 1})
            audiences = [Audience.hall_manager] + ([Audience.department] if ticket.department else [])
            notice = _notice(after, "at_risk", audiences, "", now)
        try:
            _save(ports, ticket, after, [notice])
        except Conflict:
            continue  # a handler changed it meanwhile; the next run looks again
        if overdue:
            went_overdue(after)
        changed += 1
    return changed


# ---- for other features and the customer ---------------------------------------------
def overdue_orders(ports: TicketPorts, hall_code: str) -> list[Ticket]:
    """A hall's unanswered orders past their due time (one Query of the hall's queue, no scan)."""
    found: list[Ticket] = []
    cursor: str | None = None
    while True:
        page = ports.tickets.queue(QueueOf(hall_code=hall_code), None, Flag.overdue, cursor, 100)
        found += page.items
        if page.next is None:
            return found
        cursor = page.next


@dataclass(frozen=True)
class Timeliness:
    """及时率 of a hall-month: answered by the due time / answered, for the hall and each department."""

    opened: int
    hall: Ratio
    departments: dict[str, Ratio]


def timeliness(tallies: TallyReader, hall_code: str, month: str) -> Timeliness:
    counts = tallies.tallies_of_kind(hall_code, month, StatKind.tickets)
    hall = Ratio(0, 0)
    opened = 0
    departments: dict[str, Ratio] = {}
    for key, found in counts.items():
        ratio = Ratio(int(found.get("in_time", 0)), int(found.get("answered", 0)))
        if key.part == "":
            hall, opened = ratio, int(found.get("opened", 0))
        elif key.part.startswith("D-"):
            departments[key.part.removeprefix("D-")] = ratio
    return Timeliness(opened=opened, hall=hall, departments=departments)


def hall_timeliness(actor: UserPrincipal, ports: TicketPorts, hall_code: str, month: str) -> Timeliness:
    """及时率 of a hall-month for its managers and admins (one Query of the month's tallies)."""
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall_code)
    return timeliness(ports.tallies, hall_code, month)


def verified_complaints(tallies: TallyReader, hall_code: str, month: str) -> dict[str, int]:
    """Verified (属实) complaints and reports closed in a hall-month, per clerk (staff number)."""
    counts = tallies.tallies_of_kind(hall_code, month, StatKind.tickets)
    return {
        key.part.removeprefix("S-"): int(found.get("verified", 0))
        for key, found in counts.items()
        if key.part.startswith("S-") and found.get("verified", 0)
    }


@dataclass(frozen=True)
class TrackedTicket:
    """What the customer's tracking page may show: never the name, phone or account number."""

    ticket_no: str
    hall_code: str
    hall_name: str
    kind: Kind
    status: Status
    created_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    ticket_id: str


def track_ticket(ports: TicketPorts, ticket_no: str, phone4: str | None) -> TrackedTicket:
    """The same rule as a suggestion's /track: with a phone given, its last four digits, with the
    same limit on wrong guesses."""
    ticket = ports.tickets.get_by_no(ticket_no.strip().upper())
    if ticket is None:
        raise NotFound("No work order has this number.", {"ticket_no": "unknown"})
    given = require_phone4(ticket, phone4)
    if given is not None:
        now = ports.clock.now()
        window = AttemptWindow.at(now)
        if ports.suggestions.tracking_failures(ticket.ticket_no, window, now) >= TRACKING_ATTEMPTS_PER_WINDOW:
            raise TooManyAttempts("Too many wrong tries: try again in an hour.", {"phone4": "too many wrong tries"})
        if not phone4_matches(ticket, given):
            ports.suggestions.add_tracking_failure(ticket.ticket_no, window)
            raise wrong_phone4()
    hall = ports.org.get_hall(ticket.hall_code)
    return TrackedTicket(
        ticket_no=ticket.ticket_no,
        hall_code=ticket.hall_code,
        hall_name=hall.name if hall else ticket.hall_code,
        kind=ticket.kind,
        status=ticket.status,
        created_at=ticket.created_at,
        due_at=ticket.due_at,
        answer=ticket.answer if ticket.status in (Status.answered, Status.closed) else None,
        answered_at=ticket.answered_at,
        ticket_id=ticket.id,
    )


def ledger_rows(
    actor: UserPrincipal, ports: TicketPorts, month: str, hall_code: str | None
) -> Iterator[tuple[Ticket, CallbackTask | None]]:
    """The ledger of a month, hall by hall (the named one, else the actor's), each order with its
    callback task (one keyed read each: the task's id is derived from the order's)."""
    for hall in reports.readable_halls(actor, ports.org, hall_code):
        for ticket in ports.tickets.ledger(hall.code, month):
            task = ports.callbacks.get(callback_rules.task_id(SourceType.ticket, ticket.id))
            if task is None and ticket.suggestion_id is not None:
                task = ports.callbacks.get(callback_rules.task_id(SourceType.suggestion, ticket.suggestion_id))
            yield ticket, task
