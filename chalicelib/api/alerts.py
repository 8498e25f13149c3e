"""Alerts and their rules (SPEC §4.9)."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.domain.alerts import Alert, AlertRules, AlertStatus
from chalicelib.domain.errors import InvalidInput
from chalicelib.inputs import AcknowledgeIn, AlertRulesIn
from chalicelib.services import alerts
from chalicelib.web.params import one_hall
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, PAGING, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="alerts")


def _status() -> AlertStatus:
    raw = query(routes.request, "status")
    try:
        return AlertStatus(raw) if raw else AlertStatus.open
    except ValueError:
        raise InvalidInput("Unknown status.", {"status": "open, acknowledged or resolved"}) from None


@routes(
    "/api/v1/alerts",
    "GET",
    summary="A hall's alerts in one status (open when absent), newest first; raised from the table's stream "
    "(negative spikes), the alert_checks schedule every 5 minutes (silent devices; clearing causes resolve), "
    "callback_clocks hourly (overdue callbacks) and suggestion_digest at 08:30 (unopened boxes)",
    response=ListOf[Alert],
    query=(
        QueryParam("hall", "hall code (optional with one hall)", schema=HALL_CODE),
        QueryParam("status", "open, acknowledged or resolved", schema=schema(enum=[s.value for s in AlertStatus])),
        *PAGING,
    ),
)
def list_alerts():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    page = alerts.list_alerts(
        routes.principal(),
        composition.alert_ports(),
        hall=one_hall(routes.request, routes.principal().halls),
        status=_status(),
        cursor=cursor,
        limit=limit,
    )
    return json_response({"items": [a.model_dump(mode="json") for a in page.items], "next": page.next})


@routes(
    "/api/v1/alerts/{alert_id}/acknowledge",
    "POST",
    summary="Acknowledge an open alert with a note",
    request=AcknowledgeIn,
    response=Alert,
    statuses=(404, 409),
)
def acknowledge_alert(alert_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, AcknowledgeIn)
    alert = alerts.acknowledge(routes.principal(), composition.alert_ports(), alert_id, body.note)
    return json_response(alert.model_dump(mode="json"))


@routes(
    "/api/v1/admin/alert-rules",
    "PUT",
    summary="Set the alert thresholds (admin): spike share, minimum ratings, window, silent minutes; the stream "
    "and the alert_checks schedule (every 5 minutes) read them",
    request=AlertRulesIn,
    response=AlertRules,
)
def put_alert_rules():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, AlertRulesIn)
    rules = alerts.set_rules(routes.principal(), composition.alert_ports(), body.rules(), composition.auditor())
    return json_response(rules.model_dump(mode="json"))
