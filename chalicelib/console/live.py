"""Console: live operations. A hall's alerts (open, acknowledged, resolved; acknowledge with a
note) and the signed-in user's notification inbox (mark as read). The header's badge and bell
are counted by ``console.header``."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    DONE_QUERY,
    HALL_QUERY,
    ConsoleRoutes,
    Sent,
    form_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.alerts import AlertStatus
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.labels import ALERT_KIND, ALERT_STATUS
from chalicelib.inputs import AcknowledgeIn
from chalicelib.services import alerts, inbox
from chalicelib.web.requests import query
from chalicelib.web.routing import CURSOR, QueryParam, schema

routes = ConsoleRoutes(__name__)
PAGE_SIZE = 50
STATUS_QUERY = QueryParam("status", "open (default), acknowledged or resolved", schema=schema(enum=list(AlertStatus)))


def _status(raw: str | None) -> AlertStatus:
    try:
        return AlertStatus(raw) if raw else AlertStatus.open
    except ValueError:
        raise InvalidInput(
            "Unknown status.", {"status": "open, acknowledged or resolved"}, reason=Reason("enum")
        ) from None


@routes.page(
    "/console/alerts", summary="A hall's alerts, newest first", query=(HALL_QUERY, STATUS_QUERY, CURSOR, DONE_QUERY)
)
def alert_list():  # type: ignore[no-untyped-def]
    request = routes.request
    return _alerts(request, principal(request), hall_param(request, principal(request)))


def _alerts(request: Any, actor: UserPrincipal, hall: str | None, sent: Sent | None = None) -> Any:
    status = _status(query(request, "status"))
    page = None
    if hall is not None:
        page = alerts.list_alerts(
            actor, composition.alert_ports(), hall=hall, status=status, cursor=query(request, "cursor"), limit=PAGE_SIZE
        )
    return render(
        request,
        "alerts.html",
        sent=sent,
        page="/console/alerts",
        section="alerts",
        halls=halls_of(actor),
        hall=hall,
        shown=status.value,
        statuses=[s.value for s in AlertStatus],
        items=page.items if page else [],
        next=page.next if page else None,
        local=local_minute,
        kind_names=ALERT_KIND,
        status_names=ALERT_STATUS,
        done=query(request, "done"),
    )


@routes.action(
    "/console/alerts/{alert_id}/acknowledge",
    summary="Acknowledge an open alert with a note (refused: the alerts again, the form as typed)",
    request=AcknowledgeIn,
    query=(HALL_QUERY,),
    statuses=(404, 409),
)
def acknowledge(alert_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)

    def act() -> Any:
        body = form_of(request, AcknowledgeIn)
        alert = alerts.acknowledge(actor, composition.alert_ports(), alert_id, body.note)
        return redirect(request, "/console/alerts", hall=alert.hall_code, done="acknowledged")

    def show(sent: Sent) -> Any:
        return _alerts(request, actor, hall_param(request, actor), sent)

    return submit(request, f"ack-{alert_id}", act, show)


@routes.page("/console/inbox", summary="Your notifications, newest first", query=(CURSOR, DONE_QUERY))
def inbox_page():  # type: ignore[no-untyped-def]
    request = routes.request
    page = inbox.entries(principal(request), composition.inbox_ports(), query(request, "cursor"), PAGE_SIZE)
    return render(
        request,
        "inbox.html",
        section="inbox",
        items=page.items,
        next=page.next,
        local=local_minute,
        done=query(request, "done"),
    )


@routes.action("/console/inbox/{notification_id}/read", summary="Mark a notification read", statuses=(404,))
def read(notification_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    inbox.mark_read(principal(request), composition.inbox_ports(), notification_id)
    return redirect(request, "/console/inbox", done="read")
