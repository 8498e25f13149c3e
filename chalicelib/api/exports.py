"""Export jobs (SPEC §4.10): ask for a report of any range as CSV or XLSX, follow
its progress, fetch the file through a short-lived link. Who may ask for a
report is the report's own rule (``web/export_reports.py``)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import composition
from chalicelib.api.export_schemas import ExportOut
from chalicelib.domain.errors import NotFound
from chalicelib.domain.exports import ExportFormat, ExportJob, file_name
from chalicelib.inputs import ExportIn
from chalicelib.services import export_jobs
from chalicelib.web.downloads import content_disposition
from chalicelib.web.export_reports import REPORTS
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import PAGING, Auth, PathParam, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="exports")
EXPORT_ID = (PathParam("export_id", schema(type="string", pattern=r"^[0-9a-f]{32}$")),)


def export_out(job: ExportJob, url: str | None) -> dict[str, Any]:
    body = ExportOut.model_validate(job.model_dump() | {"url": url})
    return body.model_dump(mode="json")


def _out(job: ExportJob) -> dict[str, Any]:
    return export_out(job, export_jobs.link(routes.principal(), composition.export_ports(), job))


@routes(
    "/api/v1/exports",
    "POST",
    summary="Ask for a report as a file prepared in the background (CSV or XLSX, any range)",
    status=202,
    request=ExportIn,
    response=ExportOut,
    statuses=(403, 404, 409),
)
def request_export():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, ExportIn)
    job = export_jobs.request_export(
        routes.principal(),
        composition.export_ports(),
        REPORTS,
        report=body.report,
        fmt=ExportFormat(body.format),
        params=body.params,
        lang=body.lang,
        job_id=body.id.hex if body.id else None,
    )
    return json_response(_out(job), status=202)


@routes("/api/v1/exports", "GET", summary="Your export jobs, newest first", response=ListOf[ExportOut], query=PAGING)
def list_exports():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    page = export_jobs.list_exports(routes.principal(), composition.export_jobs(), cursor, limit)
    return json_response({"items": [_out(j) for j in page.items], "next": page.next})


@routes(
    "/api/v1/exports/{export_id}",
    "GET",
    summary="One export job: its progress (rows so far), and when done a short-lived link to the file",
    response=ExportOut,
    path_params=EXPORT_ID,
)
def get_export(export_id: str):  # type: ignore[no-untyped-def]
    job = export_jobs.get_export(routes.principal(), composition.export_jobs(), export_id)
    return json_response(_out(job))


@routes(
    "/exports/{export_id}/file",
    "GET",
    summary="An export's file, locally (in AWS links lead to S3): the signed link of the job's url",
    auth=Auth.public,
    query=(
        QueryParam("expires", "when the link stops working (Unix time)", required=True, checked=False),
        QueryParam("sig", "the link's signature", required=True, checked=False),
    ),
    produces="application/octet-stream",
    path_params=EXPORT_ID,
)
def export_file(export_id: str):  # type: ignore[no-untyped-def]
    gone = NotFound("This download link is unknown or has expired: ask for the export's page again.")
    raw = query(routes.request, "expires") or ""
    job = composition.export_jobs().get(export_id) if len(export_id) == 32 else None
    if job is None or not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise gone
    expires = int(raw)
    ports = composition.export_ports()
    path = ports.files.fetch(job, expires, query(routes.request, "sig") or "", ports.clock.now())
    if path is None:
        raise gone
    name = job.file_name or file_name(job.id, job.format)
    return Response(
        body=path.read_bytes(),
        status_code=200,
        headers={
            # Chalice passes binary bodies through for its binary types; the name says what it is.
            "Content-Type": "application/octet-stream",
            "Content-Disposition": content_disposition(name, f"{job.report}-{job.id[:8]}.{job.format.value}"),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
