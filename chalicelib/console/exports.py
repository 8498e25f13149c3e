"""Console: export jobs (SPEC §4.10). Ask for a report of any range as XLSX or CSV,
follow its progress (rows written so far), download it while it is kept, see
when it goes. The same service as /api/v1/exports, behind the session."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.console.halls import halls_of
from chalicelib.console.layout import DONE_QUERY, ConsoleRoutes, Sent, lang_of, principal, redirect, render, submit
from chalicelib.domain import labels
from chalicelib.domain.business_time import local_minute, today_in_shanghai
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.exports import ExportFormat, ExportJob
from chalicelib.domain.outreach import quarter_of
from chalicelib.services import export_jobs
from chalicelib.web.export_reports import REPORTS
from chalicelib.web.requests import form_fields, query

routes = ConsoleRoutes(__name__)
SHOWN = 30  # the latest jobs; older ones are still reachable through the API

# What each report's form asks for: the fields of its query (the API's params).
REPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "ratings": ("from", "to", "hall"),
    "staff-monthly": ("month", "hall"),
    "hall-monthly": ("month", "hall"),
    "outreach": ("quarter",),
    "tickets": ("month", "hall"),
    "inspections": ("month", "hall"),
    "stars": ("quarter", "hall"),
}
REPORT_NAMES: dict[str, tuple[str, str]] = {
    "ratings": ("评价明细", "Ratings"),
    "staff-monthly": ("员工月度排名", "Staff ranking"),
    "hall-monthly": ("营业厅月度汇总", "Hall summary"),
    "outreach": ("五进覆盖", "Outreach coverage"),
    "tickets": ("工单台账", "Work-order ledger"),
    "inspections": ("明察暗访", "Inspections"),
    "stars": ("星级评定", "Star ratings"),
    "survey-responses": ("问卷答卷", "Survey responses"),
}
TAGS = {"queued": "", "running": "warn", "done": "good", "failed": "bad"}  # how each status's tag looks


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _line(job: ExportJob, lang: str) -> dict[str, Any]:
    zh = lang == "zh"
    ports = composition.export_ports()
    name = REPORT_NAMES.get(job.report, (job.report, job.report))[0 if zh else 1]
    return {
        "id": job.id,
        "report": name,
        "format": job.format.value.upper(),
        "asked": " · ".join(f"{k}={v}" for k, v in sorted(job.params.items())),
        "status": labels.label(labels.EXPORT_STATUS, job.status.value, lang),
        "tag": TAGS[job.status.value],
        "rows": job.rows,
        "size": _size(job.bytes) if job.bytes else "",
        "created": local_minute(job.created_at),
        "expires": local_minute(job.expires_at) if job.expires_at else "",
        "expired": job.status.value == "done" and not job.file_ready(ports.clock.now()),
        "url": export_jobs.link(principal(routes.request), ports, job),
        "error": job.error or "",
    }


def _page(request: Any, sent: Sent | None = None) -> Any:
    actor = principal(request)
    page = export_jobs.list_exports(actor, composition.export_jobs(), None, SHOWN)
    today = today_in_shanghai(composition.clock().now())
    lang = lang_of(request)
    return render(
        request,
        "exports.html",
        sent=sent,
        page="/console/exports",
        section="reports",
        jobs=[_line(j, lang) for j in page.items],
        # A survey's responses are exported from its results page's query (the API): no form here.
        reports=[(k, REPORT_NAMES.get(k, (k, k))) for k in REPORTS if k in REPORT_FIELDS],
        fields=REPORT_FIELDS,
        halls=halls_of(actor),
        month=today.strftime("%Y-%m"),
        first=f"{today.year}-01-01",
        last=today.isoformat(),
        quarter=quarter_of(today),
        done=query(request, "done"),
    )


@routes.page(
    "/console/exports",
    summary="Export jobs: ask for a report as XLSX or CSV, follow its progress, download it",
    query=(DONE_QUERY,),
)
def exports_page():  # type: ignore[no-untyped-def]
    return _page(routes.request)


@routes.action(
    "/console/exports",
    summary="Ask for an export job (the report's query in the form's fields)",
    statuses=(403, 404),
)
def request_export():  # type: ignore[no-untyped-def]
    return submit(routes.request, "export", _request, lambda sent: _page(routes.request, sent))


def _request() -> Any:
    request = routes.request
    fields = form_fields(request)
    report = str(fields.get("report", ""))
    if report not in REPORTS or report not in REPORT_FIELDS:
        raise InvalidInput("Choose a report.", {"report": f"one of {', '.join(REPORTS)}"})
    fmt = str(fields.get("format", "xlsx"))
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput("Choose XLSX or CSV.", {"format": "xlsx or csv"})
    wanted = REPORT_FIELDS.get(report, ())
    params = {k: str(fields[k]) for k in wanted if fields.get(k)}
    export_jobs.request_export(
        principal(request),
        composition.export_ports(),
        REPORTS,
        report=report,
        fmt=ExportFormat(fmt),
        params=params,
        lang="en" if fields.get("file_lang") == "en" else "zh",
    )
    return redirect(request, "/console/exports", done="queued")
