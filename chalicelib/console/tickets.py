"""Console: work orders (工单). A short form opens one at the counter in under a minute; the
queue of a hall or a department lists unclosed orders earliest due first with the clock
running; an order's page shows its history and the steps the user may take (assign,
progress, answer, close, urge). The same service calls as /api/v1/tickets, so who may
see and do what is the API's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from chalicelib import composition
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    DONE_QUERY,
    HALL_QUERY,
    ConsoleRoutes,
    Sent,
    form_of,
    lang_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain import tickets as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.business_time import local_minute, today_in_shanghai
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.labels import (
    ESCALATION_LEVEL,
    TICKET_ACTION,
    TICKET_FLAG,
    TICKET_KIND,
    TICKET_SOURCE,
    TICKET_STATUS,
    label,
)
from chalicelib.domain.tickets import Flag, Kind, Source, Ticket
from chalicelib.inputs import (
    DepartmentIn,
    TicketAnswerIn,
    TicketAssignIn,
    TicketCloseIn,
    TicketFromSuggestionIn,
    TicketIn,
    TicketNoteIn,
)
from chalicelib.services import departments, tickets
from chalicelib.services.tickets import Draft
from chalicelib.web.errors import invalid_input
from chalicelib.web.requests import form_fields, query
from chalicelib.web.routing import CURSOR, QueryParam, schema

routes = ConsoleRoutes(__name__)
PAGE_SIZE = 50
DEPARTMENT_QUERY = QueryParam("department", "the department's queue (handlers: yours)")
FLAG_QUERY = QueryParam("flag", "only overdue or at-risk orders", schema=schema(enum=[f.value for f in Flag]))
FORM_KEY = QueryParam(
    "k",
    "the short form's key (a UUID): missing or malformed, 303 to a new one",
    schema=schema(format="uuid"),
    checked=False,
)
QUEUE_QUERY = (HALL_QUERY, DEPARTMENT_QUERY, FLAG_QUERY, CURSOR, DONE_QUERY, FORM_KEY)
TABLES = {
    "kind": TICKET_KIND,
    "status": TICKET_STATUS,
    "flag": TICKET_FLAG,
    "source": TICKET_SOURCE,
    "action": TICKET_ACTION,
}


def _labels(lang: str) -> Any:
    def tl(table: str, key: Any) -> str:
        if table == "level":
            return label(ESCALATION_LEVEL, int(key), lang)
        return label(TABLES[table], getattr(key, "value", key), lang)

    return tl


def clock_text(ticket: Ticket, now: datetime, lang: str) -> str:
    """The clock as the queue shows it: time left, or how long past due ("—" once answered)."""
    if not ticket.open:
        return "—"
    seconds = int((ticket.due_at - now).total_seconds())
    hours, minutes = divmod(abs(seconds) // 60, 60)
    span = f"{hours}小时{minutes}分" if lang == "zh" else f"{hours} h {minutes:02d} min"
    if seconds >= 0:
        return f"剩余 {span}" if lang == "zh" else f"{span} left"
    return f"超时 {span}" if lang == "zh" else f"{span} overdue"


def _department_names() -> dict[str, str]:
    page = departments.list_departments(composition.departments(), None, 200)
    return {d.code: d.name for d in page.items if d.active}


def _queue_of(request: Any, actor: UserPrincipal) -> tuple[Any, str | None, str | None]:
    """Whose queue the page shows: a handler's department, else a hall (admins may pick a department)."""
    department = query(request, "department")
    if actor.role is Role.handler:
        if department is None and actor.departments:
            department = sorted(actor.departments)[0]
        return tickets.queue_of(actor, None, department), None, department
    if department is not None and actor.role is Role.admin:
        return tickets.queue_of(actor, None, department), None, department
    hall = hall_param(request, actor)
    return tickets.queue_of(actor, hall, None), hall, None


def _form_key(request: Any) -> str | None:
    raw = query(request, "k")
    try:
        return str(uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


@routes.page(
    "/console/tickets",
    summary="Work orders: open one; a hall's or department's queue (303 to itself with a form key for those who open)",
    query=QUEUE_QUERY,
    statuses=(303,),
)
def queue():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    if actor.role in (Role.admin, Role.manager) and _form_key(request) is None:
        # The short form's key lives in the page's address (the order's id): reloading the page,
        # or coming Back to it after sending, sends the same key, and the order is stored once.
        kept = {k: v for k, v in (request.query_params or {}).items() if k not in ("k", "lang")}
        return redirect(request, "/console/tickets", **kept, k=str(uuid.uuid4()))
    return _queue(request, actor)


def _queue(request: Any, actor: UserPrincipal, sent: Sent | None = None) -> Any:
    lang = lang_of(request)
    of, hall, department = _queue_of(request, actor)
    raw_flag = query(request, "flag")
    try:
        flag = Flag(raw_flag) if raw_flag else None
    except ValueError:
        raise InvalidInput("Unknown flag.", {"flag": "overdue or at_risk"}) from None
    page = tickets.list_tickets(actor, composition.ticket_ports(), of, None, flag, query(request, "cursor"), PAGE_SIZE)
    names = _department_names()
    month = today_in_shanghai(composition.clock().now()).strftime("%Y-%m")
    figures = tickets.hall_timeliness(actor, composition.ticket_ports(), hall, month) if hall else None
    return render(
        request,
        "tickets.html",
        figures=figures,
        sent=sent,
        page="/console/tickets",
        section="tickets",
        halls=halls_of(actor) if actor.role is not Role.handler else [],
        hall=hall,
        department=department,
        my_departments=sorted(actor.departments),
        departments=names,
        flag=raw_flag,
        rows=page.items,
        next=page.next,
        cursor=query(request, "cursor"),
        now=composition.clock().now(),
        month=month,  # the ledger's month
        clock_text=lambda t: clock_text(t, composition.clock().now(), lang),
        local=local_minute,
        tl=_labels(lang),
        kinds=[k.value for k in Kind],
        may_open=actor.role in (Role.admin, Role.manager) and hall is not None,
        form_id=_form_key(request) or str(uuid.uuid4()),  # the new order's id: sent again, one order
        done=query(request, "done"),
    )


def _order_page(request: Any, actor: UserPrincipal, ticket: Ticket, sent: Sent | None = None) -> Any:
    lang = lang_of(request)
    return render(
        request,
        "ticket.html",
        sent=sent,
        page=f"/console/tickets/{ticket.id}",
        section="tickets",
        t=ticket,
        phone=tickets.shown_phone(ticket, actor),
        departments=_department_names(),
        local=local_minute,
        tl=_labels(lang),
        clock=clock_text(ticket, composition.clock().now(), lang),
        supervisor=rules.is_supervisor(actor, ticket),
        verifiable=ticket.kind in rules.VERIFIABLE,
        done=query(request, "done"),
    )


@routes.page(
    "/console/tickets/{ticket_id}", summary="One work order: its clock, history and steps", query=(DONE_QUERY,)
)
def order(ticket_id: str):  # type: ignore[no-untyped-def]
    actor = principal(routes.request)
    return _order_page(routes.request, actor, tickets.get_ticket(actor, composition.ticket_ports(), ticket_id))


@routes.action(
    "/console/tickets",
    summary="Open a work order (refused: the queue again, the form as typed); 303 to the order",
    request=TicketIn,
    query=(HALL_QUERY, FORM_KEY),
    statuses=(404, 409),
)
def create():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)

    def act() -> Any:
        body = _form(request, TicketIn, boxes=("consent", "key_account"))
        values = body.model_dump(exclude={"id", "source"})
        draft = Draft(**values, source=Source(body.source), id=str(body.id) if body.id else None)
        stored = tickets.create_ticket(actor, composition.ticket_ports(), draft)
        return redirect(
            request, f"/console/tickets/{stored.ticket.id}", done="created" if stored.created else "already"
        )

    return submit(request, "new-ticket", act, lambda sent: _queue(request, actor, sent))


def _form[M: BaseModel](request: Any, model: type[M], boxes: tuple[str, ...] = ()) -> M:
    """A form as ``model``: a ticked box sends "on" (unticked, nothing); a yes/no select sends
    "true" or "false"; a blank field means "not given"."""
    data: dict[str, Any] = {k: v for k, v in form_fields(request).items() if k != "csrf" and v != ""}
    for box in boxes:
        data[box] = data.get(box) == "on"
    if data.get("verified") in ("true", "false"):  # the close form's yes/no select
        data["verified"] = data["verified"] == "true"
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise invalid_input(e) from None


def _step(ticket_id: str, form: str, act: Any) -> Any:
    request = routes.request
    actor = principal(request)

    def run() -> Any:
        act(actor)
        return redirect(request, f"/console/tickets/{ticket_id}", done=form)

    def show(sent: Sent) -> Any:
        return _order_page(request, actor, tickets.get_ticket(actor, composition.ticket_ports(), ticket_id), sent)

    return submit(request, form, run, show)


@routes.action(
    "/console/tickets/{ticket_id}/assign",
    summary="Send to a department, or pass on",
    request=TicketAssignIn,
    statuses=(404, 409),
)
def assign(ticket_id: str):  # type: ignore[no-untyped-def]
    def act(actor: UserPrincipal) -> None:
        body = form_of(routes.request, TicketAssignIn)
        tickets.assign(actor, composition.ticket_ports(), ticket_id, body.department, body.note)

    return _step(ticket_id, "assign", act)


@routes.action(
    "/console/tickets/{ticket_id}/progress", summary="Add a progress note", request=TicketNoteIn, statuses=(409,)
)
def progress(ticket_id: str):  # type: ignore[no-untyped-def]
    def act(actor: UserPrincipal) -> None:
        tickets.progress(actor, composition.ticket_ports(), ticket_id, form_of(routes.request, TicketNoteIn).note)

    return _step(ticket_id, "progress", act)


@routes.action(
    "/console/tickets/{ticket_id}/answer", summary="Record the answer", request=TicketAnswerIn, statuses=(409,)
)
def answer(ticket_id: str):  # type: ignore[no-untyped-def]
    def act(actor: UserPrincipal) -> None:
        tickets.answer(actor, composition.ticket_ports(), ticket_id, form_of(routes.request, TicketAnswerIn).answer)

    return _step(ticket_id, "answer", act)


@routes.action("/console/tickets/{ticket_id}/close", summary="办结", request=TicketCloseIn, statuses=(404, 409))
def close(ticket_id: str):  # type: ignore[no-untyped-def]
    def act(actor: UserPrincipal) -> None:
        body = _form(routes.request, TicketCloseIn)
        tickets.close(actor, composition.ticket_ports(), ticket_id, body.note, body.verified, body.staff_no)

    return _step(ticket_id, "close", act)


@routes.action("/console/tickets/{ticket_id}/urge", summary="督办", request=TicketNoteIn, statuses=(409,))
def urge(ticket_id: str):  # type: ignore[no-untyped-def]
    def act(actor: UserPrincipal) -> None:
        tickets.urge(actor, composition.ticket_ports(), ticket_id, form_of(routes.request, TicketNoteIn).note)

    return _step(ticket_id, "urge", act)


@routes.action(
    "/console/suggestions/{suggestion_id}/ticket",
    summary="Turn a suggestion into a work order (once); 303 to the order",
    request=TicketFromSuggestionIn,
    statuses=(404,),
)
def from_suggestion(suggestion_id: str):  # type: ignore[no-untyped-def]
    actor = principal(routes.request)
    data = _form(routes.request, TicketFromSuggestionIn)
    stored = tickets.ticket_from_suggestion(
        actor, composition.ticket_ports(), suggestion_id, data.kind, data.department
    )
    return redirect(routes.request, f"/console/tickets/{stored.ticket.id}", done="created")


@routes.action(
    "/console/admin/departments",
    summary="Add a department (admin); 303 to the admin page",
    request=DepartmentIn,
    statuses=(409,),
)
def add_department():  # type: ignore[no-untyped-def]
    body = form_of(routes.request, DepartmentIn)
    departments.create_department(
        principal(routes.request), composition.departments(), composition.clock(), body.code, body.name
    )
    return redirect(routes.request, "/console/admin", done="department")
