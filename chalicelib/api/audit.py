"""The audit log over the API (SPEC §4.3, admin): who changed what, when, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from chalicelib import composition
from chalicelib.domain.audit import RECORD_KEY, Action, AuditEntry, RecordKind, time_span
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import audit
from chalicelib.web.requests import page_args, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import PAGING, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="admin")

_WHEN = schema(anyOf=[{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}])
QUERY = (
    QueryParam(
        "from", "from this day (Asia/Shanghai) or time with its offset; default: a year before `to`", schema=_WHEN
    ),
    QueryParam("to", "up to this day (whole) or time (excluded); default: now", schema=_WHEN),
    QueryParam("actor", "only this user's changes", schema=schema(type="string", pattern=r"^[A-Za-z0-9_.@-]{3,64}$")),
    QueryParam(
        "kind",
        "with `key`: one record's history, newest first (a hall's holds its counters' and devices'); "
        "then `from`, `to` and `actor` are not taken",
        schema=schema(type="string", enum=[k.value for k in RecordKind]),
    ),
    QueryParam(
        "key",
        "the record's key: hall code, `A01/3` for a counter, staff number, device id, username, month",
        schema=schema(type="string", pattern=f"^{RECORD_KEY.pattern}$"),
    ),
    *PAGING,
)


class AuditEntryOut(BaseModel):
    id: str
    at: datetime
    actor: str = Field(description="the user who made the change")
    action: Action
    kind: RecordKind
    key: str
    hall_code: str | None = Field(description="the hall the record belongs to")
    before: dict[str, Any] | None = Field(description="the record's values before; null when it was created")
    after: dict[str, Any] | None


def entry_out(entry: AuditEntry) -> dict[str, Any]:
    return AuditEntryOut(**entry.model_dump()).model_dump(mode="json")


def _record(request: Any) -> tuple[RecordKind, str] | None:
    kind, key = query(request, "kind"), query(request, "key")
    if kind is None and key is None:
        return None
    if kind not in set(RecordKind):
        raise InvalidInput("A record is named by its kind and key.", {"kind": ", ".join(RecordKind)})
    if key is None:
        raise InvalidInput("A record is named by its kind and key.", {"key": "required with kind"})
    if any(query(request, name) for name in ("from", "to", "actor")):
        raise InvalidInput("A record's history is read whole.", {"kind": "not with from, to or actor"})
    return RecordKind(kind), key


@routes(
    "/api/v1/admin/audit",
    "GET",
    summary="The audit log, newest first: by time, by user, or one record's history (admin)",
    response=ListOf[AuditEntryOut],
    query=QUERY,
)
def audit_log():  # type: ignore[no-untyped-def]
    request, actor = routes.request, routes.principal()
    cursor, limit = page_args(request)
    record = _record(request)
    if record is not None:
        page = audit.history(actor, composition.audit_log(), *record, cursor, limit)
    else:
        first, last = time_span(query(request, "from"), query(request, "to"), composition.clock().now())
        by = query(request, "actor")
        page = audit.entries(actor, composition.audit_log(), first=first, last=last, by=by, cursor=cursor, limit=limit)
    return json_response({"items": [entry_out(e) for e in page.items], "next": page.next})
