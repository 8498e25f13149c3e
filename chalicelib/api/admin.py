"""Company admin: halls, counters, staff, devices and users (SPEC §4.3)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import composition
from chalicelib.api.schemas import CounterOut, DeviceCreated, DeviceIn, DeviceOut, HallOut, StaffIn, StaffOut, UserOut
from chalicelib.domain.paging import Page
from chalicelib.inputs import CounterIn, HallIn, UserIn
from chalicelib.services import accounts, departments, device_health, organisation
from chalicelib.web.requests import page_args, parse_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, PAGING, PathParam, Routes
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="admin")
HALL = (PathParam("hall_code", HALL_CODE),)


def _page(page: Page[Any], out: type[Any]) -> Response:
    return json_response(
        {"items": [out(**i.model_dump()).model_dump(mode="json") for i in page.items], "next": page.next}
    )


def _created(model: Any) -> Response:
    return json_response(model.model_dump(mode="json"), status=201)


@routes(
    "/api/v1/admin/halls",
    "POST",
    summary="Create a hall",
    status=201,
    request=HallIn,
    response=HallOut,
    statuses=(409,),
)
def create_hall():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, HallIn)
    hall = organisation.create_hall(
        routes.principal(),
        composition.organisation(),
        composition.clock(),
        **body.model_dump(),
        auditor=composition.auditor(),
    )
    return _created(HallOut(**hall.model_dump()))


@routes(
    "/api/v1/admin/halls", "GET", summary="List halls (yours, unless admin)", response=ListOf[HallOut], query=PAGING
)
def list_halls():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    return _page(organisation.list_halls(routes.principal(), composition.organisation(), cursor, limit), HallOut)


@routes("/api/v1/admin/halls/{hall_code}", "GET", summary="One hall", response=HallOut, path_params=HALL)
def get_hall(hall_code: str):  # type: ignore[no-untyped-def]
    hall = organisation.get_hall(routes.principal(), composition.organisation(), hall_code)
    return json_response(HallOut(**hall.model_dump()).model_dump(mode="json"))


@routes(
    "/api/v1/admin/halls/{hall_code}/counters",
    "POST",
    summary="Add a counter to a hall",
    status=201,
    request=CounterIn,
    response=CounterOut,
    statuses=(409,),
    path_params=HALL,
)
def add_counter(hall_code: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, CounterIn)
    counter = organisation.add_counter(
        routes.principal(),
        composition.organisation(),
        composition.clock(),
        hall_code=hall_code,
        number=body.number,
        auditor=composition.auditor(),
    )
    return _created(CounterOut(**counter.model_dump()))


@routes(
    "/api/v1/admin/halls/{hall_code}/counters",
    "GET",
    summary="A hall's counters",
    response=ListOf[CounterOut],
    path_params=HALL,
)
def list_counters(hall_code: str):  # type: ignore[no-untyped-def]
    counters = organisation.list_counters(routes.principal(), composition.organisation(), hall_code)
    return _page(Page(items=counters), CounterOut)


@routes(
    "/api/v1/admin/staff",
    "POST",
    summary="Add a staff member; staff numbers are unique company-wide",
    status=201,
    request=StaffIn,
    response=StaffOut,
    statuses=(404, 409),
)
def add_staff():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, StaffIn)
    staff = organisation.add_staff(
        routes.principal(),
        composition.organisation(),
        composition.clock(),
        **body.model_dump(),
        auditor=composition.auditor(),
    )
    return _created(StaffOut(**staff.model_dump()))


@routes(
    "/api/v1/admin/halls/{hall_code}/staff",
    "GET",
    summary="A hall's staff",
    response=ListOf[StaffOut],
    query=PAGING,
    path_params=HALL,
)
def list_staff(hall_code: str):  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    page = organisation.list_staff(routes.principal(), composition.organisation(), hall_code, cursor, limit)
    return _page(page, StaffOut)


@routes(
    "/api/v1/admin/devices",
    "POST",
    summary="Register a counter device; its key is shown once",
    status=201,
    request=DeviceIn,
    response=DeviceCreated,
    statuses=(404,),
)
def register_device():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, DeviceIn)
    registered = organisation.register_device(
        routes.principal(),
        composition.organisation(),
        composition.clock(),
        **body.model_dump(),
        auditor=composition.auditor(),
    )
    device = registered.device
    return _created(
        DeviceCreated(
            device_id=device.device_id,
            key=registered.key,
            hall_code=device.hall_code,
            counter_number=device.counter_number,
        )
    )


@routes(
    "/api/v1/admin/halls/{hall_code}/devices",
    "GET",
    summary="A hall's devices with their health: last seen, clerk signed in, buffered, firmware, silent",
    response=ListOf[DeviceOut],
    path_params=HALL,
)
def list_devices(hall_code: str):  # type: ignore[no-untyped-def]
    found = device_health.hall_devices(
        routes.principal(),
        composition.organisation(),
        composition.shifts(),
        composition.alerts(),
        composition.clock(),
        hall_code,
    )
    items = [
        DeviceOut(**h.device.model_dump(exclude={"key_hash"}), signed_in=h.signed_in, silent=h.silent) for h in found
    ]
    return json_response({"items": [i.model_dump(mode="json") for i in items], "next": None})


@routes(
    "/api/v1/admin/devices/{device_id}", "DELETE", summary="Revoke a device; its key stops working at once", status=204
)
def revoke_device(device_id: str):  # type: ignore[no-untyped-def]
    organisation.revoke_device(
        routes.principal(), composition.organisation(), composition.clock(), device_id, composition.auditor()
    )
    return Response(body="", status_code=204)


@routes(
    "/api/v1/admin/users",
    "POST",
    summary="Create a user",
    status=201,
    request=UserIn,
    response=UserOut,
    statuses=(404, 409),
)
def create_user():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, UserIn)
    user = accounts.create_user(
        routes.principal(),
        composition.users(),
        composition.organisation(),
        composition.clock(),
        **body.model_dump(),
        department_known=departments.known(composition.departments()),
    )
    return _created(UserOut(**user.model_dump()))


@routes("/api/v1/admin/users", "GET", summary="List users", response=ListOf[UserOut], query=PAGING)
def list_users():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    return _page(accounts.list_users(routes.principal(), composition.users(), cursor, limit), UserOut)
