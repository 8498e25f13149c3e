"""Work orders (工单, SPEC §4.7): opened by managers, worked by department handlers, supervised
(督办) by the hall; and the departments admins manage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from chalicelib import composition
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.departments import Department
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.stats import Ratio
from chalicelib.domain.tickets import Action, Flag, Kind, Source, Status, Ticket
from chalicelib.inputs import (
    DepartmentChanges,
    DepartmentIn,
    TicketAnswerIn,
    TicketAssignIn,
    TicketCloseIn,
    TicketFromSuggestionIn,
    TicketIn,
    TicketNoteIn,
)
from chalicelib.services import departments, tickets
from chalicelib.services.tickets import Draft, Stored
from chalicelib.web import params
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, MONTH, PAGING, PathParam, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="tickets")
CODE_PATH = (PathParam("code", schema(type="string", pattern=r"^[A-Za-z0-9_-]{1,32}$")),)


class HistoryOut(BaseModel):
    at: datetime
    by: str
    action: Action
    note: str
    department: str | None = Field(default=None, description="where an assign sent the order")


class TicketOut(BaseModel):
    id: str
    ticket_no: str
    hall_code: str
    kind: Kind
    key_account: bool
    account_no: str | None
    subject: str
    detail: str
    department: str | None
    status: Status
    flags: list[Flag]
    due_at: datetime
    history: list[HistoryOut]
    answer: str | None
    answered_at: datetime | None
    closed_at: datetime | None
    phone: str | None = Field(description="masked unless you are an admin")
    created_at: datetime
    source: Source
    suggestion_id: str | None
    urged: int = Field(description="督办: how often the order was urged")
    escalation: int = Field(description="0 none, 1 hall manager, 2 branch, 3 company admins")
    in_time: bool | None = Field(description="answered by the due time; null while unanswered")
    verified: bool | None
    staff_no: str | None


class DepartmentOut(BaseModel):
    code: str
    name: str
    active: bool
    created_at: datetime


def render(ticket: Ticket, actor: UserPrincipal) -> dict[str, Any]:
    values = ticket.model_dump() | {"phone": tickets.shown_phone(ticket, actor), "in_time": ticket.in_time}
    return TicketOut.model_validate(values).model_dump(mode="json")


def _answer(stored: Stored, actor: UserPrincipal) -> Any:
    return json_response(render(stored.ticket, actor), status=201 if stored.created else 200)


def _enum[E: (Status, Flag)](name: str, enum: type[E]) -> E | None:
    raw = query(routes.request, name)
    try:
        return enum(raw) if raw else None
    except ValueError:
        raise InvalidInput(f"Unknown {name}.", {name: f"one of {', '.join(enum)}"}) from None


@routes(
    "/api/v1/tickets",
    "POST",
    summary="Open a work order (a retry with the same id answers the stored order, 200)",
    status=201,
    request=TicketIn,
    response=TicketOut,
    statuses=(404, 409),
    answers=((200, TicketOut),),
)
def create_ticket():  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, TicketIn)
    values = body.model_dump(exclude={"id", "source"})
    draft = Draft(**values, source=Source(body.source), id=str(body.id) if body.id else None)
    return _answer(tickets.create_ticket(actor, composition.ticket_ports(), draft), actor)


@routes(
    "/api/v1/suggestions/{suggestion_id}/ticket",
    "POST",
    summary="Turn a suggestion into a work order, once (asked again: the same order, 200)",
    status=201,
    request=TicketFromSuggestionIn,
    response=TicketOut,
    statuses=(404,),
    answers=((200, TicketOut),),
    body_required=False,
)
def ticket_from_suggestion(suggestion_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    raw = routes.request.raw_body
    body = parse_json(routes.request, TicketFromSuggestionIn) if raw else TicketFromSuggestionIn()
    stored = tickets.ticket_from_suggestion(
        actor, composition.ticket_ports(), suggestion_id, body.kind, body.department
    )
    return _answer(stored, actor)


@routes(
    "/api/v1/tickets",
    "GET",
    summary="Unclosed work orders of a hall or a department, earliest due first (handlers: their departments); "
    "with month=, the hall's ledger of that month",
    response=ListOf[TicketOut],
    query=(
        QueryParam("hall", "hall code (optional with one hall)", schema=HALL_CODE),
        QueryParam("department", "department code (handlers: optional with one department)"),
        QueryParam("status", "only orders in this status", schema=schema(enum=[s.value for s in Status])),
        QueryParam("flag", "only flagged orders", schema=schema(enum=[f.value for f in Flag])),
        QueryParam("month", "the hall's ledger of a month (every order created in it)", schema=MONTH),
        *PAGING,
    ),
)
def list_tickets():  # type: ignore[no-untyped-def]
    actor = routes.principal()
    ports = composition.ticket_ports()
    of = tickets.queue_of(actor, query(routes.request, "hall"), query(routes.request, "department"))
    month = query(routes.request, "month")
    if month is not None:
        if of.hall_code is None:
            raise InvalidInput("The ledger is a hall's.", {"hall": "required with month"})
        return json_response(
            {"items": [render(t, actor) for t in tickets.ledger(actor, ports, of.hall_code, month)], "next": None}
        )
    cursor, limit = page_args(routes.request)
    page = tickets.list_tickets(actor, ports, of, _enum("status", Status), _enum("flag", Flag), cursor, limit)
    return json_response({"items": [render(t, actor) for t in page.items], "next": page.next})


@routes("/api/v1/tickets/{ticket_id}", "GET", summary="One work order, with its history", response=TicketOut)
def get_ticket(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    return json_response(render(tickets.get_ticket(actor, composition.ticket_ports(), ticket_id), actor))


@routes(
    "/api/v1/tickets/{ticket_id}/assign",
    "POST",
    summary="Send the order to a department, or pass it on (流转)",
    request=TicketAssignIn,
    response=TicketOut,
    statuses=(404, 409),
)
def assign(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, TicketAssignIn)
    return json_response(
        render(tickets.assign(actor, composition.ticket_ports(), ticket_id, body.department, body.note), actor)
    )


@routes(
    "/api/v1/tickets/{ticket_id}/progress",
    "POST",
    summary="Add a progress note (the first starts the work)",
    request=TicketNoteIn,
    response=TicketOut,
    statuses=(409,),
)
def progress(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, TicketNoteIn)
    return json_response(render(tickets.progress(actor, composition.ticket_ports(), ticket_id, body.note), actor))


@routes(
    "/api/v1/tickets/{ticket_id}/answer",
    "POST",
    summary="Record the answer; a phone left with consent gets one callback task",
    request=TicketAnswerIn,
    response=TicketOut,
    statuses=(409,),
)
def answer(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, TicketAnswerIn)
    return json_response(render(tickets.answer(actor, composition.ticket_ports(), ticket_id, body.answer), actor))


@routes(
    "/api/v1/tickets/{ticket_id}/close",
    "POST",
    summary="办结 (hall manager or admin); complaints and reports say whether verified and against whom",
    request=TicketCloseIn,
    response=TicketOut,
    statuses=(404, 409),
)
def close(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, TicketCloseIn)
    closed = tickets.close(actor, composition.ticket_ports(), ticket_id, body.note, body.verified, body.staff_no)
    return json_response(render(closed, actor))


@routes(
    "/api/v1/tickets/{ticket_id}/urge",
    "POST",
    summary="督办: press an unanswered order; it escalates one level (hall manager, branch, company admins)",
    request=TicketNoteIn,
    response=TicketOut,
    statuses=(409,),
)
def urge(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, TicketNoteIn)
    return json_response(render(tickets.urge(actor, composition.ticket_ports(), ticket_id, body.note), actor))


# ---- departments (admin) ---------------------------------------------------------------
def _department(department: Department) -> dict[str, Any]:
    return DepartmentOut.model_validate(department.model_dump()).model_dump(mode="json")


@routes(
    "/api/v1/admin/departments",
    "POST",
    summary="Create a department (admin)",
    status=201,
    request=DepartmentIn,
    response=DepartmentOut,
    statuses=(409,),
)
def create_department():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, DepartmentIn)
    created = departments.create_department(
        routes.principal(), composition.departments(), composition.clock(), body.code, body.name
    )
    return json_response(_department(created), status=201)


@routes("/api/v1/admin/departments", "GET", summary="List departments", response=ListOf[DepartmentOut], query=PAGING)
def list_departments():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    page = departments.list_departments(composition.departments(), cursor, limit)
    return json_response({"items": [_department(d) for d in page.items], "next": page.next})


@routes(
    "/api/v1/admin/departments/{code}",
    "PATCH",
    summary="Rename or deactivate a department (admin)",
    request=DepartmentChanges,
    response=DepartmentOut,
    path_params=CODE_PATH,
)
def edit_department(code: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, DepartmentChanges)
    changed = departments.update_department(routes.principal(), composition.departments(), code, body.name, body.active)
    return json_response(_department(changed))


class RatioOut(BaseModel):
    answered: int
    in_time: int
    rate: float | None = Field(description="in_time / answered, 4 decimals; null with nothing answered")


class DepartmentTimelinessOut(RatioOut):
    department: str


class TimelinessOut(RatioOut):
    month: str
    hall_code: str
    opened: int = Field(description="work orders created in the month")
    departments: list[DepartmentTimelinessOut]


def _ratio(ratio: Ratio) -> dict[str, Any]:
    value = ratio.value
    return {"answered": ratio.bottom, "in_time": ratio.top, "rate": None if value is None else round(value, 4)}


@routes(
    "/api/v1/reports/ticket-timeliness",
    "GET",
    summary="及时率 of a hall-month's work orders (answered by the due time / answered), for the hall and "
    "each department that answered, from tallies",
    response=TimelinessOut,
    query=(
        QueryParam("month", "YYYY-MM (Asia/Shanghai): the orders created in it", required=True, schema=MONTH),
        QueryParam("hall", "hall code (optional with one hall)", schema=HALL_CODE),
    ),
)
def ticket_timeliness():  # type: ignore[no-untyped-def]
    actor = routes.principal()
    month = params.month(routes.request)
    of = tickets.queue_of(actor, query(routes.request, "hall"), None)
    hall = of.hall_code or ""
    figures = tickets.hall_timeliness(actor, composition.ticket_ports(), hall, month)
    out = {
        "month": month,
        "hall_code": hall,
        "opened": figures.opened,
        **_ratio(figures.hall),
        "departments": [{"department": d, **_ratio(r)} for d, r in sorted(figures.departments.items())],
    }
    return json_response(TimelinessOut.model_validate(out).model_dump(mode="json"))
