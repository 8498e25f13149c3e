"""Managers and admins: the suggestion list, the daily opening of the box,
reply and close (SPEC §4.3). Content is shown with personal data masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from chalicelib import composition
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.suggestions import Suggestion, SuggestionKind, SuggestionStatus
from chalicelib.inputs import ReplyIn
from chalicelib.services import suggestions
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, PAGING, PathParam, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="suggestions")
HALL_PATH = (PathParam("hall_code", HALL_CODE),)


class SuggestionOut(BaseModel):
    id: str
    tracking_no: str
    hall_code: str
    kind: SuggestionKind
    content: str
    status: SuggestionStatus
    wants_reply: bool
    created_at: datetime
    opened_at: datetime | None
    reply: str | None
    replied_at: datetime | None


class BoxOpenedOut(BaseModel):
    items: list[SuggestionOut]
    more: bool


class BoxStateOut(BaseModel):
    hall_code: str
    last_opened_at: datetime | None
    last_opened_by: str | None
    overdue: bool


def _out(suggestion: Suggestion) -> dict[str, Any]:
    return SuggestionOut(**suggestions.staff_view(suggestion)).model_dump(mode="json")


def _status(raw: str | None) -> SuggestionStatus | None:
    if raw is None:
        return None
    try:
        return SuggestionStatus(raw)
    except ValueError:
        raise InvalidInput("Unknown status.", {"status": f"one of {', '.join(SuggestionStatus)}"}) from None


@routes(
    "/api/v1/suggestions",
    "GET",
    summary="A hall's suggestions, newest first",
    response=ListOf[SuggestionOut],
    query=(
        QueryParam("hall", "hall code", required=True, schema=HALL_CODE),
        QueryParam(
            "status",
            "new, opened, replied or closed; all when absent",
            schema=schema(enum=[s.value for s in SuggestionStatus]),
        ),
        *PAGING,
    ),
    statuses=(404,),
)
def list_suggestions():  # type: ignore[no-untyped-def]
    request = routes.request
    hall = query(request, "hall")
    if hall is None:
        raise InvalidInput("Say which hall.", {"hall": "required"})
    cursor, limit = page_args(request)
    page = suggestions.list_suggestions(
        routes.principal(),
        composition.suggestions(),
        composition.organisation(),
        hall_code=hall,
        status=_status(query(request, "status")),
        cursor=cursor,
        limit=limit,
    )
    return json_response({"items": [_out(s) for s in page.items], "next": page.next})


@routes(
    "/api/v1/halls/{hall_code}/suggestion-box/open",
    "POST",
    summary="Open the box (每天一开箱): mark the new suggestions opened and return them, oldest first",
    response=BoxOpenedOut,
    path_params=HALL_PATH,
)
def open_box(hall_code: str):  # type: ignore[no-untyped-def]
    opened = suggestions.open_suggestion_box(
        routes.principal(), composition.suggestions(), composition.organisation(), composition.clock(), hall_code
    )
    return json_response({"items": [_out(s) for s in opened.items], "more": opened.more})


@routes(
    "/api/v1/halls/{hall_code}/suggestion-box",
    "GET",
    summary="When the box was last opened; overdue after a whole working day unopened",
    response=BoxStateOut,
    path_params=HALL_PATH,
)
def box_state(hall_code: str):  # type: ignore[no-untyped-def]
    state = suggestions.suggestion_box_state(
        routes.principal(),
        composition.suggestions(),
        composition.organisation(),
        composition.clock(),
        composition.working_days(),
        hall_code,
    )
    last = state.last_opened
    out = BoxStateOut(
        hall_code=state.hall_code,
        last_opened_at=last.opened_at if last else None,
        last_opened_by=last.opened_by if last else None,
        overdue=state.overdue,
    )
    return json_response(out.model_dump(mode="json"))


@routes(
    "/api/v1/suggestions/{suggestion_id}/reply",
    "POST",
    summary="Reply to an opened suggestion (again, to correct the reply)",
    request=ReplyIn,
    response=SuggestionOut,
    statuses=(409,),
)
def reply(suggestion_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, ReplyIn)
    replied = suggestions.reply_to_suggestion(
        routes.principal(), composition.suggestions(), composition.clock(), suggestion_id, body.reply
    )
    return json_response(_out(replied))


@routes(
    "/api/v1/suggestions/{suggestion_id}/close",
    "POST",
    summary="Close an opened or replied suggestion",
    response=SuggestionOut,
    statuses=(409,),
)
def close(suggestion_id: str):  # type: ignore[no-untyped-def]
    closed = suggestions.close_suggestion(
        routes.principal(), composition.suggestions(), composition.clock(), suggestion_id
    )
    return json_response(_out(closed))
