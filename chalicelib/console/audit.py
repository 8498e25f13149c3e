"""Console: the audit log (admin). The log by time and user, and a record's history as
its page shows it (a hall's page: the hall, its counters and devices; a clerk's page:
the clerk). The same service calls as /api/v1/admin/audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib import composition
from chalicelib.console.labels import FIELD_LABELS
from chalicelib.console.layout import ConsoleRoutes, lang_of, principal, render
from chalicelib.domain import labels
from chalicelib.domain.audit import AuditEntry, RecordKind, time_span
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import audit
from chalicelib.web.requests import page_args, query
from chalicelib.web.routing import CURSOR, QueryParam, schema

routes = ConsoleRoutes(__name__)
HISTORY_SHOWN = 20  # a record's page shows its latest changes; the log page has the rest

_FIELDS: dict[str, tuple[str, str]] = {
    **FIELD_LABELS,
    "active": ("启用", "Active"),
    "hours": ("营业时间", "Opening hours"),
    "revoked_at": ("停用时间", "Revoked at"),
    "version": ("版本", "Version"),
    "published_at": ("发布时间", "Published at"),
    "halls": ("营业厅数", "Halls"),
    "created_at": ("创建时间", "Created at"),
    "device_id": ("设备编号", "Device id"),
}
_NOT_SHOWN = {"created_at", "moves"}  # set once; a clerk's moves follow from hall_code
_WEEKDAYS = {"1": ("一", "Mon"), "2": ("二", "Tue"), "3": ("三", "Wed"), "4": ("四", "Thu")}
_WEEKDAYS |= {"5": ("五", "Fri"), "6": ("六", "Sat"), "7": ("日", "Sun")}


@dataclass(frozen=True)
class Line:
    """An entry as a page shows it, in the page's language."""

    at: str
    actor: str
    action: str
    record: str
    changes: list[tuple[str, str, str]]  # (field, before, after)


def _value(name: str, value: Any, zh: bool) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if name == "hours" and isinstance(value, dict):
        days = []
        for day, span in sorted(value.items()):
            label = _WEEKDAYS.get(day, (day, day))[0 if zh else 1]
            hours = f"{span['opens']}–{span['closes']}" if isinstance(span, dict) else ("休" if zh else "closed")
            days.append(f"{label} {hours}")
        return " · ".join(days)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def line_of(entry: AuditEntry, lang: str) -> Line:
    zh = lang == "zh"
    record = f"{labels.label(labels.AUDIT_RECORD, entry.kind, lang)} {entry.key}"
    shown = entry.changes() if entry.before is not None else []
    return Line(
        at=local_minute(entry.at),
        actor=entry.actor,
        action=labels.label(labels.AUDIT_ACTION, entry.action, lang),
        record=record,
        changes=[
            (_FIELDS.get(n, (n, n))[0 if zh else 1], _value(n, b, zh), _value(n, a, zh))
            for n, b, a in shown
            if n not in _NOT_SHOWN
        ],
    )


def record_history(request: Any, kind: RecordKind, key: str) -> tuple[list[Line], bool]:
    """A record's latest changes for its page, and whether there are more."""
    page = audit.history(principal(request), composition.audit_log(), kind, key, None, HISTORY_SHOWN)
    return [line_of(e, lang_of(request)) for e in page.items], page.next is not None


def _record(request: Any) -> tuple[RecordKind, str] | None:
    kind, key = query(request, "kind"), query(request, "key")
    if kind is None and key is None:
        return None
    if kind not in set(RecordKind) or not key:
        raise InvalidInput("A record is named by kind and key together.", {"kind": "with key"})
    return RecordKind(kind), key


@routes.page(
    "/console/admin/audit",
    summary="The audit log: by time and user, or one record's history (admin)",
    query=(
        QueryParam("from", "from this day (Asia/Shanghai)", schema=schema(type="string", format="date")),
        QueryParam("to", "up to this day, whole", schema=schema(type="string", format="date")),
        QueryParam("actor", "only this user's changes"),
        QueryParam("kind", "with key: one record's history", schema=schema(enum=[k.value for k in RecordKind])),
        QueryParam("key", "the record's key"),
        CURSOR,
    ),
)
def log_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor, lang = principal(request), lang_of(request)
    cursor, _ = page_args(request)
    record, by = _record(request), query(request, "actor")
    if record is not None:
        page = audit.history(actor, composition.audit_log(), *record, cursor, 50)
    else:
        first, last = time_span(query(request, "from"), query(request, "to"), composition.clock().now())
        page = audit.entries(actor, composition.audit_log(), first=first, last=last, by=by, cursor=cursor, limit=50)
    asked = {name: query(request, name) for name in ("from", "to", "actor", "kind", "key")}
    return render(
        request,
        "admin_audit.html",
        section="admin",
        lines=[line_of(e, lang) for e in page.items],
        next=page.next,
        asked=asked,
        record=record and f"{labels.label(labels.AUDIT_RECORD, record[0], lang)} {record[1]}",
    )
