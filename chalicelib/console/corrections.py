"""Console: corrections (admin). Editing a hall (name, branch, grade, opening
hours, active), switching a counter on or off, and a clerk's page (name, hall,
active, and their history). Records are edited and deactivated, never deleted
(SPEC §2). The same service calls as PATCH /api/v1/admin/..., logged alike."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, create_model

from chalicelib import composition
from chalicelib.console.audit import record_history
from chalicelib.console.layout import DONE_QUERY, ConsoleRoutes, form_of, principal, redirect, render
from chalicelib.domain.audit import RecordKind
from chalicelib.domain.errors import NotFound
from chalicelib.domain.organisation import CODE_PATTERN, Code, HallGrade, Name
from chalicelib.inputs import WEEKDAYS, HallChanges
from chalicelib.services import organisation
from chalicelib.web.errors import invalid_input
from chalicelib.web.requests import query
from chalicelib.web.routing import HALL_CODE, PathParam, schema
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)
HALL = PathParam("hall_code", HALL_CODE)
STAFF_NO = PathParam("staff_no", schema(type="string", pattern=CODE_PATTERN))


def _ticked(value: Any) -> bool:
    return value in ("on", "1", "true")


class _CounterForm(Strict):
    active: str = Field(default="", description="on: takes ratings; absent: deactivated")


class _StaffForm(Strict):
    name: Name
    hall_code: Code
    active: str = Field(default="", description="on: active; absent: deactivated")


# The hall form: its fields and, per ISO weekday, when it opens and closes (both blank: closed).
_HallForm = create_model(  # type: ignore[call-overload]
    "HallForm",
    __base__=Strict,
    name=(Name, ...),
    branch=(Name, ...),
    grade=(HallGrade, ...),
    active=(str, Field(default="", description="on: active; absent: deactivated")),
    **{f"{edge}_{day}": (str, "") for day in WEEKDAYS for edge in ("opens", "closes")},
)


def _hall_changes(form: Any) -> dict[str, Any]:
    sent = form.model_dump()
    hours: dict[str, list[str] | None] = {}
    for day in WEEKDAYS:
        opens, closes = sent[f"opens_{day}"].strip(), sent[f"closes_{day}"].strip()
        hours[day] = [opens, closes] if opens or closes else None
    fields = {k: sent[k] for k in ("name", "branch", "grade")}
    try:
        changes = HallChanges.model_validate({**fields, "active": _ticked(sent["active"]), "hours": hours})
    except ValidationError as e:
        raise invalid_input(e) from None
    return changes.changes()


@routes.action(
    "/console/admin/halls/{hall_code}/edit",
    summary="Edit a hall: name, branch, grade, opening hours, active (admin)",
    request=_HallForm,
    path_params=(HALL,),
)
def edit_hall(hall_code: str):  # type: ignore[no-untyped-def]
    changes = _hall_changes(form_of(routes.request, _HallForm))
    organisation.update_hall(
        principal(routes.request), composition.organisation(), hall_code, changes, composition.auditor()
    )
    return redirect(routes.request, f"/console/admin/halls/{hall_code}", done="edited")


@routes.action(
    "/console/admin/halls/{hall_code}/counters/{number}/active",
    summary="Switch a counter on or off (a deactivated counter takes no ratings; admin)",
    request=_CounterForm,
    path_params=(HALL, PathParam("number", schema(type="string", pattern=r"^[1-9][0-9]{0,2}$"))),
)
def switch_counter(hall_code: str, number: str):  # type: ignore[no-untyped-def]
    form = form_of(routes.request, _CounterForm)
    if not (number.isascii() and number.isdigit()):
        raise NotFound(f"Hall {hall_code} has no counter {number}.", {"number": "unknown counter"})
    organisation.update_counter(
        principal(routes.request),
        composition.organisation(),
        hall_code,
        int(number),
        active=_ticked(form.active),
        auditor=composition.auditor(),
    )
    return redirect(routes.request, f"/console/admin/halls/{hall_code}", done="counter_edited")


@routes.page(
    "/console/admin/staff/{staff_no}",
    summary="A clerk: name, hall, active, and their history (admin)",
    query=(DONE_QUERY,),
    path_params=(STAFF_NO,),
)
def staff_page(staff_no: str):  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    actor.require_admin()
    org = composition.organisation()
    clerk = org.get_staff(staff_no)
    if clerk is None:
        raise NotFound(f"No staff number {staff_no}.", {"staff_no": "unknown staff number"})
    history, more = record_history(request, RecordKind.staff, staff_no)
    return render(
        request,
        "admin_staff.html",
        section="admin",
        clerk=clerk,
        history=history,
        more_history=more,
        done=query(request, "done"),
    )


@routes.action(
    "/console/admin/staff/{staff_no}/edit",
    summary="Edit a clerk: name, hall (moving ends their shift), active (admin)",
    request=_StaffForm,
    path_params=(STAFF_NO,),
)
def edit_staff(staff_no: str):  # type: ignore[no-untyped-def]
    form = form_of(routes.request, _StaffForm)
    changes = {"name": form.name, "hall_code": form.hall_code, "active": _ticked(form.active)}
    organisation.update_staff(
        principal(routes.request),
        composition.organisation(),
        composition.shifts(),
        composition.clock(),
        staff_no,
        changes,
        composition.auditor(),
    )
    return redirect(routes.request, f"/console/admin/staff/{staff_no}", done="edited")
