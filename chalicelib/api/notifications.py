"""Each user's notification inbox (SPEC §3 "Who is notified")."""

from __future__ import annotations

from chalice import Response

from chalicelib import composition
from chalicelib.domain.inbox import InboxEntry
from chalicelib.services import inbox
from chalicelib.web.requests import page_args
from chalicelib.web.responses import json_response
from chalicelib.web.routing import PAGING, Routes
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="notifications")


@routes(
    "/api/v1/notifications",
    "GET",
    summary="Your notifications, newest first (read_at null: unread)",
    response=ListOf[InboxEntry],
    query=PAGING,
)
def list_notifications():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    page = inbox.entries(routes.principal(), composition.inbox_ports(), cursor, limit)
    return json_response({"items": [e.model_dump(mode="json") for e in page.items], "next": page.next})


@routes(
    "/api/v1/notifications/{notification_id}/read",
    "POST",
    summary="Mark one of your notifications read",
    status=204,
    statuses=(404,),
)
def read_notification(notification_id: str):  # type: ignore[no-untyped-def]
    inbox.mark_read(routes.principal(), composition.inbox_ports(), notification_id)
    return Response(body="", status_code=204)
