"""Corrections (SPEC §2, §4.3): halls, counters, clerks and users are edited and
deactivated, never deleted; history keeps pointing at them (admin)."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.api.schemas import CounterOut, HallOut, StaffOut, UserOut
from chalicelib.domain.errors import NotFound
from chalicelib.domain.organisation import CODE_PATTERN
from chalicelib.inputs import CounterChanges, HallChanges, StaffChanges, UserChanges
from chalicelib.services import accounts, departments, organisation
from chalicelib.web.requests import parse_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, PathParam, Routes, schema

routes = Routes(__name__, tag="admin")
HALL = PathParam("hall_code", HALL_CODE)


@routes(
    "/api/v1/admin/halls/{hall_code}",
    "PATCH",
    summary="Edit a hall: name, branch, grade, opening hours, active (a deactivated hall takes no ratings)",
    request=HallChanges,
    response=HallOut,
    path_params=(HALL,),
)
def edit_hall(hall_code: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, HallChanges)
    hall = organisation.update_hall(
        routes.principal(), composition.organisation(), hall_code, body.changes(), composition.auditor()
    )
    return json_response(HallOut(**hall.model_dump()).model_dump(mode="json"))


@routes(
    "/api/v1/admin/halls/{hall_code}/counters/{number}",
    "PATCH",
    summary="Deactivate or reactivate a counter (a deactivated counter takes no ratings)",
    request=CounterChanges,
    response=CounterOut,
    path_params=(HALL, PathParam("number", schema(type="string", pattern=r"^[1-9][0-9]{0,2}$"))),
)
def edit_counter(hall_code: str, number: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, CounterChanges)
    if not (number.isascii() and number.isdigit()):
        raise NotFound(f"Hall {hall_code} has no counter {number}.", {"number": "unknown counter"})
    counter = organisation.update_counter(
        routes.principal(),
        composition.organisation(),
        hall_code,
        int(number),
        active=body.active,
        auditor=composition.auditor(),
    )
    return json_response(CounterOut(**counter.model_dump()).model_dump(mode="json"))


@routes(
    "/api/v1/admin/staff/{staff_no}",
    "PATCH",
    summary="Edit a clerk: name, hall (moving ends their shift; past ratings stay with their hall), active",
    request=StaffChanges,
    response=StaffOut,
    path_params=(PathParam("staff_no", schema(type="string", pattern=CODE_PATTERN)),),
)
def edit_staff(staff_no: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, StaffChanges)
    staff = organisation.update_staff(
        routes.principal(),
        composition.organisation(),
        composition.shifts(),
        composition.clock(),
        staff_no,
        body.changes(),
        composition.auditor(),
    )
    return json_response(StaffOut(**staff.model_dump()).model_dump(mode="json"))


@routes(
    "/api/v1/admin/users/{username}",
    "PATCH",
    summary="Edit a user: role, halls, departments, active (deactivating ends their sessions at once)",
    request=UserChanges,
    response=UserOut,
    statuses=(409,),
    path_params=(PathParam("username", schema(type="string", pattern=r"^[A-Za-z0-9_.@-]{3,64}$")),),
)
def edit_user(username: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, UserChanges)
    user = accounts.update_user(
        routes.principal(),
        composition.users(),
        composition.organisation(),
        username,
        **body.model_dump(exclude_unset=True),
        auditor=composition.auditor(),
        department_known=departments.known(composition.departments()),
    )
    return json_response(UserOut(**user.model_dump()).model_dump(mode="json"))
