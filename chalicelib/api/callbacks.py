"""Callback tasks (回访) for agents, managers and admins (SPEC §4.3)."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.api.schemas import CallbackOut
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.callbacks import CallbackTask, Status
from chalicelib.domain.errors import InvalidInput
from chalicelib.inputs import AttemptIn, CloseIn
from chalicelib.services import callbacks
from chalicelib.web.params import one_hall
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, PAGING, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="callbacks")


def render(task: CallbackTask, actor: UserPrincipal) -> dict[str, object]:
    out = CallbackOut.model_validate(
        task.model_dump() | {"phone": callbacks.shown_phone(task, actor)}, from_attributes=True
    )
    return out.model_dump(mode="json")


def _status() -> Status | None:
    raw = query(routes.request, "status")
    try:
        return Status(raw) if raw else None
    except ValueError:
        raise InvalidInput("Unknown status.", {"status": "open, in_progress or closed"}) from None


@routes(
    "/api/v1/callbacks",
    "GET",
    summary="A hall's callback tasks, earliest due first (active unless status=)",
    response=ListOf[CallbackOut],
    query=(
        QueryParam("hall", "hall code (optional with one hall)", schema=HALL_CODE),
        QueryParam(
            "status",
            "open, in_progress or closed; active ones when absent",
            schema=schema(enum=[s.value for s in Status]),
        ),
        *PAGING,
    ),
)
def list_callbacks():  # type: ignore[no-untyped-def]
    actor = routes.principal()
    cursor, limit = page_args(routes.request)
    page = callbacks.list_tasks(
        actor, composition.callback_ports(), one_hall(routes.request, actor.halls), _status(), cursor, limit
    )
    return json_response({"items": [render(t, actor) for t in page.items], "next": page.next})


@routes("/api/v1/callbacks/{task_id}", "GET", summary="One callback task", response=CallbackOut)
def get_callback(task_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    return json_response(render(callbacks.get_task(actor, composition.callback_ports(), task_id), actor))


@routes(
    "/api/v1/callbacks/{task_id}/claim",
    "POST",
    summary="Take the task: its agent sees the phone number",
    response=CallbackOut,
    statuses=(409,),
)
def claim_callback(task_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    return json_response(render(callbacks.claim(actor, composition.callback_ports(), task_id), actor))


@routes(
    "/api/v1/callbacks/{task_id}/attempts",
    "POST",
    summary="Record a call attempt",
    request=AttemptIn,
    response=CallbackOut,
    statuses=(409,),
)
def record_attempt(task_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, AttemptIn)
    task = callbacks.record_attempt(actor, composition.callback_ports(), task_id, body.result, body.note)
    return json_response(render(task, actor))


@routes(
    "/api/v1/callbacks/{task_id}/close",
    "POST",
    summary="Close with an outcome (unreachable after 3 failed attempts)",
    request=CloseIn,
    response=CallbackOut,
    statuses=(409,),
)
def close_callback(task_id: str):  # type: ignore[no-untyped-def]
    actor = routes.principal()
    body = parse_json(routes.request, CloseIn)
    task = callbacks.close_task(
        actor, composition.callback_ports(), task_id, body.outcome, body.note, body.verified, body.staff_no
    )
    return json_response(render(task, actor))
