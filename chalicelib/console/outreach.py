"""Console: 五进 outreach. A quarter's coverage per hall; a hall's events of a quarter,
each to edit or delete; recording an event (managers for their halls, admins); and
publishing the quarter (admins).

The event form's idempotency key lives in the form page's address. ``/console/outreach/new``
without a ``key`` answers 303 to itself with a fresh one, and the page puts that key in
the hidden ``id``. Reloading the form, or coming Back to it after submitting, asks for the
same address, so it carries the same ``id`` (console pages are ``no-store``: the browser
fetches them again, which is why a key minted on every GET changed and stored the event
twice). Submitting the same ``id`` again records nothing and sends the browser (303) to the
event it recorded; and an address whose key was used leads there too, instead of an empty
form. The links that open the form carry no key, so each new event gets its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib import composition
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    DONE_QUERY,
    HALL_QUERY,
    ConsoleRoutes,
    form_of,
    lang_of,
    principal,
    redirect,
    render,
)
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.outreach import Category, OutreachEvent, event_id_of, is_quarter, quarter_bounds, quarter_of
from chalicelib.inputs import EventChanges, EventIn, event_fields
from chalicelib.services import outreach
from chalicelib.web import params
from chalicelib.web.errors import invalid_input
from chalicelib.web.requests import form_fields, query
from chalicelib.web.routing import CURSOR, QUARTER, PathParam, QueryParam, schema

routes = ConsoleRoutes(__name__)
COUNTS = ("participants", "households_visited", "safety_checks", "materials")
FIELDS = ("hall_code", "category", "date", "place", "title", *COUNTS, "notes")
PAGE_SIZE = 50
QUARTER_QUERY = QueryParam("quarter", "default: this quarter", schema=QUARTER)
EVENT = PathParam("event_id", schema(type="string"), "the event's id")

# Why a field was refused, as the form says it beside the field: never pydantic's text.
_COUNT = ("请填写 0 到 1000000 之间的整数。", "Enter a whole number from 0 to 1,000,000.")
PROBLEMS: dict[str, tuple[str, str]] = {
    "hall_code": ("请选择您负责的营业厅。", "Choose one of your halls."),
    "category": ("请选择活动类别。", "Choose a category."),
    "date": (
        "请填写 {first} 至 {last} 之间、不晚于今天的日期。",
        "Enter a date from {first} to {last}, not after today.",
    ),
    "place": ("请填写地点（1 至 200 字）。", "Enter the place (1 to 200 characters)."),
    "title": ("请填写主题（1 至 200 字）。", "Enter the title (1 to 200 characters)."),
    **dict.fromkeys(COUNTS, _COUNT),
    "notes": ("备注最多 2000 字。", "Notes take at most 2,000 characters."),
}
FIX_MARKED = ("请按提示修改标出的项目后再提交。", "Correct the fields marked below and submit again.")
OUT_OF_DATE = ("表单已过期或不完整，请重新打开后再填写。", "The form is out of date or incomplete: open it again.")


def _this_quarter() -> str:
    return quarter_of(today_in_shanghai(composition.clock().now()))


def _stored_id(event_id: str) -> str:
    found = event_id_of(event_id)
    if found is None:
        raise NotFound(f"No 五进 event {event_id}.", {"id": "unknown event"})
    return found


def _problems(error: InvalidInput, lang: str, quarter: str) -> tuple[dict[str, str], str]:
    """Each refused field's message in the page's language, and the notice above the form."""
    i = 0 if lang == "zh" else 1
    first, last = quarter_bounds(quarter)
    beside = {}
    for path in error.fields:
        name = path.split(".")[0]
        if name in PROBLEMS:
            beside[name] = PROBLEMS[name][i].format(first=first, last=last)
    # A field the form does not show (the quarter, the id, the revision) means the form itself is stale.
    unshown = any(path.split(".")[0] not in PROBLEMS for path in error.fields)
    return beside, (OUT_OF_DATE if unshown or not beside else FIX_MARKED)[i]


def _sent(request: Any) -> dict[str, Any]:
    """What the form carried, to fill it in again."""
    try:
        return form_fields(request)
    except InvalidInput:  # not UTF-8, or a control character: nothing can be shown again
        return {}


def _typed(sent: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sent.items() if k in FIELDS}


def _values_of(event: OutreachEvent) -> dict[str, Any]:
    return {name: str(getattr(event, name)) for name in FIELDS}


def _event_form(
    request: Any,
    actor: UserPrincipal,
    quarter: str,
    values: Mapping[str, Any],
    *,
    event: OutreachEvent | None = None,
    key: str = "",
    refused: InvalidInput | None = None,
    status: int = 200,
    **notices: Any,
) -> Response:
    """The event form: a new event's (``key`` its id) or ``event``'s, filled in with ``values``."""
    errors, summary = _problems(refused, lang_of(request), quarter) if refused else ({}, "")
    today = today_in_shanghai(composition.clock().now())
    first, last = quarter_bounds(quarter)
    return render(
        request,
        "outreach_event.html",
        status=400 if refused else status,
        section="outreach",
        quarter=quarter,
        event=event,
        key=key,
        values=values,
        errors=errors,
        summary=summary,
        halls=halls_of(actor),
        categories=[c.value for c in Category],
        first_day=first.isoformat(),
        last_day=min(last, today).isoformat(),
        **notices,
    )


@routes.page(
    "/console/outreach",
    summary="五进 coverage of a quarter, with each hall's events and publishing",
    query=(
        QUARTER_QUERY,
        DONE_QUERY,
        QueryParam("version", "the version just published, for the page's notice", checked=False),
    ),
)
def coverage_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    quarter = params.quarter(query(request, "quarter") or _this_quarter())
    cov = outreach.quarter_coverage(actor, composition.organisation(), composition.outreach(), quarter)
    return render(
        request,
        "outreach.html",
        section="outreach",
        quarter=quarter,
        coverage=cov,
        categories=[c.value for c in Category],
        done=query(request, "done"),
        version=query(request, "version"),
    )


@routes.page(
    "/console/outreach/events",
    summary="A hall's 五进 events of a quarter, each to edit or delete",
    query=(QUARTER_QUERY, HALL_QUERY, CURSOR, DONE_QUERY),
    statuses=(404,),
)
def events_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    outreach.require_outreach_role(actor)
    quarter = params.quarter(query(request, "quarter") or _this_quarter())
    hall = hall_param(request, actor)
    listed = None
    if hall is not None:
        listed = outreach.list_events(
            actor,
            composition.organisation(),
            composition.outreach(),
            quarter=quarter,
            hall_code=hall,
            cursor=query(request, "cursor"),
            limit=PAGE_SIZE,
        )
    return render(
        request,
        "outreach_events.html",
        section="outreach",
        quarter=quarter,
        hall=hall,
        halls=halls_of(actor),
        events=listed,
        done=query(request, "done"),
    )


@routes.page(
    "/console/outreach/new",
    summary="The form that records a 五进 event; without a key, 303 to itself with a new one",
    query=(
        QUARTER_QUERY,
        HALL_QUERY,
        QueryParam("key", "the form's idempotency key (a UUID): the recorded event's id", checked=False),
    ),
)
def new_event_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    outreach.require_outreach_role(actor)
    quarter = params.quarter(query(request, "quarter") or _this_quarter())
    hall = query(request, "hall")
    key = event_id_of(query(request, "key") or "")
    if key is None:
        return redirect(request, "/console/outreach/new", quarter=quarter, hall=hall, key=str(uuid.uuid4()))
    if outreach.recorded_with(actor, composition.outreach(), key) is not None:
        return redirect(request, f"/console/outreach/events/{key}", done="already")
    today = today_in_shanghai(composition.clock().now())
    first, last = quarter_bounds(quarter)
    values = {"hall_code": hall or "", "date": max(first, min(last, today)).isoformat(), **dict.fromkeys(COUNTS, "0")}
    return _event_form(request, actor, quarter, values, key=str(uuid.UUID(key)))


@routes.action("/console/outreach/events", summary="Record a 五进 event", request=EventIn, statuses=(404, 409))
def record_event():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    try:
        body = form_of(request, EventIn, counts=COUNTS)
        recorded = outreach.record_event(
            actor, composition.organisation(), composition.outreach(), composition.clock(), **event_fields(body)
        )
    except (InvalidInput, ValidationError) as e:
        sent = _sent(request)
        quarter = str(sent.get("quarter", ""))
        key = event_id_of(str(sent.get("id", ""))) or uuid.uuid4().hex  # the same key, when the form had one
        refused = invalid_input(e) if isinstance(e, ValidationError) else e
        return _event_form(
            request,
            actor,
            quarter if is_quarter(quarter) else _this_quarter(),
            _typed(sent),
            key=str(uuid.UUID(key)),
            refused=refused,
        )
    done = "recorded" if recorded.created else "already"
    return redirect(request, f"/console/outreach/events/{recorded.event.event_id}", done=done)


@routes.page(
    "/console/outreach/events/{event_id}",
    summary="A 五进 event, to edit or delete",
    query=(DONE_QUERY,),
    path_params=(EVENT,),
)
def event_page(event_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    event = outreach.get_event(actor, composition.outreach(), _stored_id(event_id))
    return _event_form(request, actor, event.quarter, _values_of(event), event=event, done=query(request, "done"))


@routes.action(
    "/console/outreach/events/{event_id}",
    summary="Correct a 五进 event (409 with the event as it is now when it changed since the form was opened)",
    request=EventChanges,
    statuses=(404, 409),
    path_params=(EVENT,),
)
def edit_event(event_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    stored_id = _stored_id(event_id)
    try:
        body = form_of(request, EventChanges, counts=(*COUNTS, "revision"))
        event = outreach.edit_event(
            actor,
            composition.organisation(),
            composition.outreach(),
            composition.clock(),
            stored_id,
            body.changes(),
            revision=body.revision,
        )
    except (InvalidInput, ValidationError) as e:
        current = outreach.get_event(actor, composition.outreach(), stored_id)
        refused = invalid_input(e) if isinstance(e, ValidationError) else e
        return _event_form(request, actor, current.quarter, _typed(_sent(request)), event=current, refused=refused)
    except Conflict:  # changed since the form was opened: show it as it is now
        current = outreach.get_event(actor, composition.outreach(), stored_id)
        return _event_form(request, actor, current.quarter, _values_of(current), event=current, status=409, stale=True)
    return redirect(request, "/console/outreach/events", quarter=event.quarter, hall=event.hall_code, done="saved")


@routes.action(
    "/console/outreach/events/{event_id}/delete",
    summary="Delete a 五进 event (published versions keep it)",
    statuses=(404, 409),
    path_params=(EVENT,),
)
def delete_event(event_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    event = outreach.delete_event(principal(request), composition.outreach(), composition.clock(), _stored_id(event_id))
    return redirect(request, "/console/outreach/events", quarter=event.quarter, hall=event.hall_code, done="deleted")


@routes.action(
    "/console/outreach/{quarter}/publish",
    summary="Publish a quarter's 五进 results (admin)",
    statuses=(409, 413),
    path_params=(PathParam("quarter", QUARTER, "e.g. 2026Q4", checked=True),),
)
def publish(quarter: str):  # type: ignore[no-untyped-def]
    snapshot = outreach.publish_quarter(
        principal(routes.request),
        composition.organisation(),
        composition.outreach(),
        composition.clock(),
        params.quarter(quarter),
        composition.auditor(),
    )
    return redirect(
        routes.request, "/console/outreach", quarter=snapshot.quarter, done="published", version=str(snapshot.version)
    )
