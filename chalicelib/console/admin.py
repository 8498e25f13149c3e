"""Console: the company admin's pages. Halls, a hall's counters, staff and
devices (a new device's key is shown once, on the answer to the form that
registered it, and never again), and users; editing a hall, a counter or a
clerk, and each record's history from the audit log on its page. The same
service calls as /api/v1/admin, so only admins get past them.

The device form's idempotency key lives in the hall page's address, as the 五进 event
form's does (console/outreach.py): the hall page without a valid ``key`` answers 303 to
itself with a fresh one, and its device form carries that key. Back and reload ask for
the same address, so they send the same key; the device is stored under an id derived
from the hall and the key, so a second submit registers nothing and answers 303 to the
hall page saying the device is already registered, without its key (shown only once).
The page that shows a new key carries a fresh one for the next device."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import composition
from chalicelib.console.audit import record_history
from chalicelib.console.layout import DONE_QUERY, ConsoleRoutes, form_of, principal, redirect, render
from chalicelib.domain.accounts import Role
from chalicelib.domain.audit import RecordKind
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.errors import Conflict
from chalicelib.domain.form_keys import FORM_KEY_PATTERN, FormKey, is_form_key, new_form_key
from chalicelib.domain.organisation import CounterNumber, HallGrade, Name, StaffNo
from chalicelib.inputs import CounterIn, HallIn, UserIn
from chalicelib.services import accounts, departments, device_health, organisation
from chalicelib.web.requests import query
from chalicelib.web.routing import HALL_CODE, PathParam, QueryParam, schema
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)
MAX_LISTED = 200
HALL = (PathParam("hall_code", HALL_CODE),)


DEVICE_FORM_KEY = QueryParam(
    "key",
    "the device form's idempotency key (22-64 of A-Z a-z 0-9 _ -); missing or malformed: 303 to a new one",
    schema=schema(type="string", pattern=FORM_KEY_PATTERN),
    checked=False,
)


class _DeviceForm(Strict):
    number: CounterNumber
    key: FormKey | None = None  # the hall page's; without one (an older page), a device per submit


class _StaffForm(Strict):
    staff_no: StaffNo
    name: Name


@routes.page("/console/admin", summary="Halls and users (admin)", query=(DONE_QUERY,))
def overview():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    actor.require_admin()
    halls = organisation.list_halls(actor, composition.organisation(), None, MAX_LISTED).items
    users = accounts.list_users(actor, composition.users(), None, MAX_LISTED).items
    return render(
        request,
        "admin.html",
        section="admin",
        halls=halls,
        users=users,
        grades=[g.value for g in HallGrade],
        roles=[r.value for r in Role],
        done=query(request, "done"),
        departments=departments.list_departments(composition.departments(), None, MAX_LISTED).items,
    )


def _hall_page(
    hall_code: str,
    form_key: str,
    new_key: str | None = None,
    new_device: str | None = None,
    status: int = 200,
) -> Any:
    request = routes.request
    actor = principal(request)
    actor.require_admin()
    org = composition.organisation()
    found = organisation.get_hall(actor, org, hall_code)  # an unknown hall is a 404 before anything is read
    history, more = record_history(request, RecordKind.hall, hall_code)
    already = None if new_key else organisation.registered_with(actor, org, hall_code, form_key)
    return render(
        request,
        "admin_hall.html",
        status=status,
        section="admin",
        hall=found,
        counters=organisation.list_counters(actor, org, hall_code),
        staff=organisation.list_staff(actor, org, hall_code, None, MAX_LISTED).items,
        devices=device_health.hall_devices(
            actor, org, composition.shifts(), composition.alerts(), composition.clock(), hall_code
        ),
        local=local_minute,
        grades=[g.value for g in HallGrade],
        new_key=new_key,
        new_device=new_device,
        form_key=form_key,
        already_registered=already.device_id if already else None,
        history=history,
        more_history=more,
        done=query(request, "done"),
    )


@routes.page(
    "/console/admin/halls/{hall_code}",
    summary="A hall's counters, staff and devices (admin); without a key, 303 to itself with a new one",
    query=(DONE_QUERY, DEVICE_FORM_KEY),
    path_params=HALL,
)
def hall(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    key = query(request, "key")
    if key is None or not is_form_key(key):
        actor = principal(request)
        actor.require_admin()
        organisation.get_hall(actor, composition.organisation(), hall_code)  # 403 or 404 before any redirect
        return redirect(request, f"/console/admin/halls/{hall_code}", done=query(request, "done"), key=new_form_key())
    return _hall_page(hall_code, key)


@routes.action("/console/admin/halls", summary="Create a hall (admin)", request=HallIn, statuses=(409,))
def create_hall():  # type: ignore[no-untyped-def]
    body = form_of(routes.request, HallIn)
    created = organisation.create_hall(
        principal(routes.request),
        composition.organisation(),
        composition.clock(),
        **body.model_dump(),
        auditor=composition.auditor(),
    )
    return redirect(routes.request, f"/console/admin/halls/{created.code}", done="hall")


@routes.action(
    "/console/admin/halls/{hall_code}/counters", summary="Add a counter (admin)", request=CounterIn, statuses=(409,)
)
def add_counter(hall_code: str):  # type: ignore[no-untyped-def]
    body = form_of(routes.request, CounterIn)
    organisation.add_counter(
        principal(routes.request),
        composition.organisation(),
        composition.clock(),
        hall_code=hall_code,
        number=body.number,
        auditor=composition.auditor(),
    )
    return redirect(routes.request, f"/console/admin/halls/{hall_code}", done="counter")


@routes.action(
    "/console/admin/halls/{hall_code}/staff", summary="Add a staff member (admin)", request=_StaffForm, statuses=(409,)
)
def add_staff(hall_code: str):  # type: ignore[no-untyped-def]
    form = form_of(routes.request, _StaffForm)
    organisation.add_staff(
        principal(routes.request),
        composition.organisation(),
        composition.clock(),
        staff_no=form.staff_no,
        name=form.name,
        hall_code=hall_code,
        auditor=composition.auditor(),
    )
    return redirect(routes.request, f"/console/admin/halls/{hall_code}", done="staff")


@routes.action(
    "/console/admin/halls/{hall_code}/devices",
    summary="Register a device: the hall's page showing its key, once (admin)",
    request=_DeviceForm,
    status=201,
    statuses=(303,),  # the form's key registered a device already: to the hall page saying so
)
def register_device(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    body = form_of(request, _DeviceForm)
    org = composition.organisation()
    if body.key is not None and organisation.registered_with(actor, org, hall_code, body.key) is not None:
        return _already_registered(hall_code, body.key)
    try:
        registered = organisation.register_device(
            actor,
            org,
            composition.clock(),
            hall_code=hall_code,
            counter_number=body.number,
            auditor=composition.auditor(),
            form_key=body.key,
        )
    except Conflict:
        if body.key is not None and organisation.registered_with(actor, org, hall_code, body.key) is not None:
            return _already_registered(hall_code, body.key)  # the same key, submitted twice at once
        raise
    # Answered here, not redirected: the key must not travel in a URL or be shown again.
    return _hall_page(
        hall_code, new_form_key(), new_key=registered.key, new_device=registered.device.device_id, status=201
    )


def _already_registered(hall_code: str, form_key: str) -> Response:
    """To the hall page of this key, which says its device is registered (and shows no device key)."""
    return redirect(routes.request, f"/console/admin/halls/{hall_code}", key=form_key)


@routes.action("/console/admin/devices/{device_id}/revoke", summary="Revoke a device (admin)")
def revoke_device(device_id: str):  # type: ignore[no-untyped-def]
    device = organisation.revoke_device(
        principal(routes.request), composition.organisation(), composition.clock(), device_id, composition.auditor()
    )
    return redirect(routes.request, f"/console/admin/halls/{device.hall_code}", done="revoked")


@routes.action("/console/admin/users", summary="Create a user (admin)", request=UserIn, statuses=(404, 409))
def create_user():  # type: ignore[no-untyped-def]
    body = form_of(routes.request, UserIn, repeatable=("halls", "departments"))
    accounts.create_user(
        principal(routes.request),
        composition.users(),
        composition.organisation(),
        composition.clock(),
        **body.model_dump(),
        department_known=departments.known(composition.departments()),
    )
    return redirect(routes.request, "/console/admin", done="user")
