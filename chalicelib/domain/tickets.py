"""Work orders (工单) and their supervision (跟踪督办), SPEC §3.2 and §4.7.

An order records what the counter could not settle at once. Its life is
``new`` → ``assigned`` (to a department) → ``in_progress`` → ``answered`` →
``closed``; reassigning (流转) is allowed while ``assigned`` or ``in_progress``.
Its clock runs from creation to the answer: working days per kind (the
calendar of ``workdays``), or hours for key accounts (大客户, days off
included). Past 80 % of it the order is ``at_risk``, past it ``overdue``.
Every urge (督办) and every overdue escalates one level: hall manager →
branch → company admins. Each step goes into the order's history.
"""

from __future__ import annotations

import collections
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .accounts import Role, UserPrincipal
from .business_time import SHANGHAI
from .callbacks import deadline
from .errors import Conflict, Forbidden, InvalidInput, Reason
from .notifications import Audience
from .stats import StatKey, StatKind
from .suggestions import CROCKFORD, SuggestionKind
from .workdays import WorkingDays

AT_RISK_FRACTION = 0.8
TICKET_NO_PATTERN = rf"^GD\d{{8}}-[{CROCKFORD}]{{8}}$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class Kind(StrEnum):
    consultation = "consultation"
    complaint = "complaint"
    report = "report"
    opinion = "opinion"
    request = "request"


class Status(StrEnum):
    new = "new"
    assigned = "assigned"
    in_progress = "in_progress"
    answered = "answered"
    closed = "closed"


class Flag(StrEnum):
    at_risk = "at_risk"
    overdue = "overdue"


class Source(StrEnum):
    counter = "counter"
    phone = "phone"
    web = "web"
    suggestion = "suggestion"


class Action(StrEnum):
    created = "created"
    assigned = "assigned"
    reassigned = "reassigned"
    progress = "progress"
    answered = "answered"
    closed = "closed"
    urged = "urged"
    overdue = "overdue"


class Level(IntEnum):
    """How far up an order has been escalated (each urge and each overdue: one more)."""

    none = 0
    hall_manager = 1
    branch = 2
    company = 3


ESCALATION_AUDIENCE = {
    Level.hall_manager: Audience.hall_manager,
    Level.branch: Audience.branch,
    Level.company: Audience.company,
}

ACTIVE = (Status.new, Status.assigned, Status.in_progress)
MOVABLE = (Status.assigned, Status.in_progress)
VERIFIABLE = (Kind.complaint, Kind.report)


class TicketClocks(BaseModel):
    """Working days per kind, and the key-account clock in hours (whatever the kind)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    consultation: Annotated[int, Field(ge=1, le=60)] = 1
    complaint: Annotated[int, Field(ge=1, le=60)] = 5
    report: Annotated[int, Field(ge=1, le=60)] = 5
    opinion: Annotated[int, Field(ge=1, le=60)] = 5
    request: Annotated[int, Field(ge=1, le=60)] = 5
    key_account_hours: Annotated[int, Field(ge=1, le=720)] = 24

    def working_days(self, kind: Kind) -> int:
        return int(getattr(self, kind.value))


def ticket_clocks(overrides: Mapping[str, int]) -> TicketClocks:
    """The default clocks with overrides, e.g. ``{"complaint": 3, "key_account_hours": 12}``;
    ValueError (pydantic's) naming an unknown kind or a bad number."""
    return TicketClocks.model_validate(TicketClocks().model_dump() | dict(overrides), strict=False)


def due_at(
    kind: Kind, key_account: bool, created_at: datetime, clocks: TicketClocks, calendar: WorkingDays
) -> datetime:
    """When the answer is due: hours after creation for key accounts (days off included), else
    the kind's working days (a clock started on a day off starts at 00:00 of the next working day)."""
    if key_account:
        return created_at + timedelta(hours=clocks.key_account_hours)
    return deadline(created_at, clocks.working_days(kind), calendar)


class HistoryEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    by: str
    action: Action
    note: str = ""
    department: str | None = None  # where an assign sent the order


class Ticket(BaseModel):
    """As stored. ``phone`` and ``customer_name`` are kept only with the customer's consent."""

    model_config = ConfigDict(frozen=True)

    id: str
    ticket_no: str
    hall_code: str
    kind: Kind
    key_account: bool = False
    account_no: str | None = None
    subject: str
    detail: str = ""
    department: str | None = None
    status: Status = Status.new
    flags: tuple[Flag, ...] = ()
    source: Source = Source.counter
    suggestion_id: str | None = None
    customer_name: str | None = None
    phone: str | None = None
    created_at: datetime
    created_by: str
    due_at: datetime
    history: tuple[HistoryEntry, ...] = ()
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    verified: bool | None = None  # complaints and reports: 属实 on close
    staff_no: str | None = None  # the clerk a verified complaint is against
    urged: int = 0
    escalation: Level = Level.none
    was_overdue: bool = False
    version: int = 0  # bumped on every save: two concurrent steps cannot both win

    @property
    def month(self) -> str:
        """The ledger's month: the Asia/Shanghai month of creation."""
        return self.created_at.astimezone(SHANGHAI).strftime("%Y-%m")

    @property
    def in_time(self) -> bool | None:
        """Answered by the due time (None while unanswered)."""
        return None if self.answered_at is None else self.answered_at <= self.due_at

    @property
    def open(self) -> bool:
        return self.status in ACTIVE


def new_ticket_no(now: datetime) -> str:
    """``GD`` + the Shanghai date + ``-`` + 8 random Crockford base-32 characters."""
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    return f"GD{day}-{''.join(secrets.choice(CROCKFORD) for _ in range(8))}"


def kind_of_suggestion(kind: SuggestionKind) -> Kind:
    """The order kind a suggestion of ``kind`` becomes when none is chosen."""
    return {
        SuggestionKind.complaint: Kind.complaint,
        SuggestionKind.report: Kind.report,
        SuggestionKind.inquiry: Kind.consultation,
    }.get(kind, Kind.opinion)


def new_ticket(
    *,
    ticket_id: str,
    ticket_no: str,
    hall_code: str,
    kind: Kind,
    subject: str,
    detail: str,
    by: str,
    at: datetime,
    clocks: TicketClocks,
    calendar: WorkingDays,
    key_account: bool = False,
    account_no: str | None = None,
    department: str | None = None,
    source: Source = Source.counter,
    suggestion_id: str | None = None,
    customer_name: str | None = None,
    phone: str | None = None,
) -> Ticket:
    """A new order; one created with a department starts ``assigned`` there."""
    if key_account and not account_no:
        raise InvalidInput("A key-account order needs the account number.", {"account_no": "required for key_account"})
    history = [HistoryEntry(at=at, by=by, action=Action.created)]
    if department:
        history.append(HistoryEntry(at=at, by=by, action=Action.assigned, department=department))
    return Ticket(
        id=ticket_id,
        ticket_no=ticket_no,
        hall_code=hall_code,
        kind=kind,
        key_account=key_account,
        account_no=account_no or None,
        subject=subject,
        detail=detail,
        department=department,
        status=Status.assigned if department else Status.new,
        source=source,
        suggestion_id=suggestion_id,
        customer_name=customer_name,
        phone=phone,
        created_at=at,
        created_by=by,
        due_at=due_at(kind, key_account, at, clocks, calendar),
        history=tuple(history),
    )


# ---- who may do what --------------------------------------------------------------
def is_supervisor(actor: UserPrincipal, ticket: Ticket) -> bool:
    """Admins, and managers of the order's hall."""
    return actor.role is Role.admin or (actor.role is Role.manager and ticket.hall_code in actor.halls)


def is_handler(actor: UserPrincipal, ticket: Ticket) -> bool:
    """A handler of the department the order is with."""
    return actor.role is Role.handler and ticket.department is not None and ticket.department in actor.departments


def may_see(actor: UserPrincipal, ticket: Ticket) -> bool:
    return is_supervisor(actor, ticket) or is_handler(actor, ticket)


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden(f"You may not {what} this order.", reason=Reason("not_your_order"))


def _refuse(ticket: Ticket, what: str) -> Conflict:
    return Conflict(
        f"An order that is {ticket.status.value} cannot be {what}.",
        {"status": ticket.status.value},
        reason=Reason("ticket_state", {"status": ticket.status.value}),
    )


def _step(ticket: Ticket, entry: HistoryEntry, **changes: object) -> Ticket:
    return ticket.model_copy(update={"history": (*ticket.history, entry), **changes})


def assign(ticket: Ticket, actor: UserPrincipal, department: str, note: str, at: datetime) -> Ticket:
    """Send a new order to a department, or pass an assigned one on (流转): supervisors, and
    handlers of the department that has it."""
    _require(is_supervisor(actor, ticket) or is_handler(actor, ticket), "assign")
    if ticket.status not in (Status.new, *MOVABLE):
        raise _refuse(ticket, "assigned")
    if department == ticket.department:
        raise Conflict(f"The order is with {department} already.", {"department": "the order's department now"})
    action = Action.assigned if ticket.status is Status.new else Action.reassigned
    entry = HistoryEntry(at=at, by=actor.username, action=action, note=note, department=department)
    return _step(ticket, entry, department=department, status=Status.assigned)


def progress(ticket: Ticket, actor: UserPrincipal, note: str, at: datetime) -> Ticket:
    """A progress note: the first starts the work (``in_progress``), later ones only add history."""
    _require(is_supervisor(actor, ticket) or is_handler(actor, ticket), "work on")
    if ticket.status not in MOVABLE:
        raise _refuse(ticket, "worked on")
    if not note:
        raise InvalidInput("Say what was done.", {"note": "required"})
    entry = HistoryEntry(at=at, by=actor.username, action=Action.progress, note=note)
    return _step(ticket, entry, status=Status.in_progress)


def answer(ticket: Ticket, actor: UserPrincipal, text: str, at: datetime) -> Ticket:
    """Record the answer: the clock stops, its flags go."""
    _require(is_supervisor(actor, ticket) or is_handler(actor, ticket), "answer")
    if ticket.status not in MOVABLE:
        raise _refuse(ticket, "answered")
    if not text:
        raise InvalidInput("Write the answer.", {"answer": "required"})
    entry = HistoryEntry(at=at, by=actor.username, action=Action.answered, note=text)
    return _step(
        ticket, entry, status=Status.answered, answer=text, answered_at=at, answered_by=actor.username, flags=()
    )


def close(
    ticket: Ticket,
    actor: UserPrincipal,
    note: str,
    at: datetime,
    verified: bool | None = None,
    staff_no: str | None = None,
) -> Ticket:
    """办结 by the hall manager or an admin, without waiting for the callback. A complaint or report
    records whether it was verified (属实) and, if so, against which clerk."""
    _require(is_supervisor(actor, ticket), "close")
    if ticket.status is not Status.answered:
        raise _refuse(ticket, "closed")
    if verified is not None and ticket.kind not in VERIFIABLE:
        raise InvalidInput("Only a complaint or a report is verified.", {"verified": "complaints and reports only"})
    if staff_no and not verified:
        raise InvalidInput("A clerk is named only for a verified complaint.", {"staff_no": "needs verified: true"})
    if verified and not staff_no:
        raise InvalidInput("Name the clerk the verified complaint is against.", {"staff_no": "required when verified"})
    entry = HistoryEntry(at=at, by=actor.username, action=Action.closed, note=note)
    return _step(
        ticket,
        entry,
        status=Status.closed,
        closed_at=at,
        closed_by=actor.username,
        verified=verified,
        staff_no=staff_no if verified else None,
    )


def escalated(ticket: Ticket) -> Level:
    """The level an urge or an overdue reaches: one above the last, at most company admins."""
    return Level(min(ticket.escalation + 1, Level.company))


def urge(ticket: Ticket, actor: UserPrincipal, note: str, at: datetime) -> Ticket:
    """督办: a supervisor presses an unanswered order; it escalates one level."""
    _require(is_supervisor(actor, ticket), "urge")
    if not ticket.open:
        raise _refuse(ticket, "urged")
    entry = HistoryEntry(at=at, by=actor.username, action=Action.urged, note=note)
    return _step(ticket, entry, urged=ticket.urged + 1, escalation=escalated(ticket))


def went_overdue(ticket: Ticket, at: datetime) -> Ticket:
    """The clock ran out: flagged, one level up, once."""
    entry = HistoryEntry(at=at, by="system", action=Action.overdue, note=f"due {ticket.due_at.isoformat()}")
    return _step(ticket, entry, flags=(Flag.overdue,), escalation=escalated(ticket), was_overdue=True)


# ---- the clock ------------------------------------------------------------------
def flags_at(ticket: Ticket, now: datetime) -> tuple[Flag, ...]:
    if not ticket.open:
        return ()
    if now > ticket.due_at:
        return (Flag.overdue,)
    if now >= ticket.created_at + (ticket.due_at - ticket.created_at) * AT_RISK_FRACTION:
        return (Flag.at_risk,)
    return ()


def next_check(ticket: Ticket) -> datetime | None:
    """When the order's flags next change on their own (None: never), the sparse index's sort key."""
    if not ticket.open or Flag.overdue in ticket.flags:
        return None
    if Flag.at_risk in ticket.flags:
        return ticket.due_at + timedelta(microseconds=1)
    return ticket.created_at + (ticket.due_at - ticket.created_at) * AT_RISK_FRACTION


# ---- tallies ----------------------------------------------------------------------
# Parts of the hall-month ``tickets`` tallies: "" the hall, ``D-<code>`` a department,
# ``S-<staff_no>`` a clerk's verified complaints.
def department_part(code: str) -> str:
    return f"D-{code}"


def clerk_part(staff_no: str) -> str:
    return f"S-{staff_no}"


def _key(ticket: Ticket, at: datetime, part: str = "") -> StatKey:
    return StatKey(ticket.hall_code, at.astimezone(SHANGHAI).strftime("%Y-%m"), StatKind.tickets, part, None)


def tally(before: Ticket | None, after: Ticket) -> dict[StatKey, collections.Counter[str]]:
    """What a step adds to the tallies. In the month of creation (the ledger's): ``opened``; on the
    answer ``answered`` and ``in_time``, for the hall and for the department that answered;
    ``overdue`` once. In the month of closing: ``verified`` for the hall and for the clerk."""
    found: dict[StatKey, collections.Counter[str]] = {}

    def add(key: StatKey, **counts: int) -> None:
        found.setdefault(key, collections.Counter()).update(counts)

    if before is None:
        add(_key(after, after.created_at), opened=1)
        return found
    if before.answered_at is None and after.answered_at is not None:
        timely = int(bool(after.in_time))
        add(_key(after, after.created_at), answered=1, in_time=timely)
        if after.department:
            add(_key(after, after.created_at, department_part(after.department)), answered=1, in_time=timely)
    if not before.was_overdue and after.was_overdue:
        add(_key(after, after.created_at), overdue=1)
    if before.status is not Status.closed and after.status is Status.closed and after.verified and after.closed_at:
        add(_key(after, after.closed_at), verified=1)
        if after.staff_no:
            add(_key(after, after.closed_at, clerk_part(after.staff_no)), verified=1)
    return found
