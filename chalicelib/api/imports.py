"""Bulk import over the API (SPEC §4.3, admin): halls, counters or staff from a CSV sheet,
sent as the body itself (``text/csv``, ``?kind=``) or inside JSON (``{"kind", "csv"}``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chalicelib import composition
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.imports import ImportKind, Rejection
from chalicelib.services import imports
from chalicelib.web.requests import body_bytes, media_type, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, JSON, QueryParam, Routes, schema
from chalicelib.web.schemas import Strict

routes = Routes(__name__, tag="admin")

KIND_QUERY = QueryParam(
    "kind",
    "what the sheet holds; required with a text/csv body (a JSON body may say it instead)",
    schema=schema(type="string", enum=[k.value for k in ImportKind]),
)


class ImportIn(Strict):
    kind: ImportKind | None = Field(default=None, description="what the sheet holds (else `?kind=`)")
    csv: str = Field(
        description="the sheet: a header row (the create body's fields, or their Chinese names) and a line per record"
    )


class RejectedLine(BaseModel):
    line: int = Field(description="the line in the sheet (the header is line 1)")
    error: str
    field: str | None = Field(description="the column at fault, when one is")


class ImportReportOut(BaseModel):
    created: int
    updated: int = Field(description="known records whose values differed: changed, and logged")
    unchanged: int = Field(description="lines equal to what is stored (or to an earlier line)")
    rejected: list[RejectedLine]


def report_out(report: imports.ImportReport) -> dict[str, Any]:
    return ImportReportOut(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=[_rejected(r) for r in report.rejected],
    ).model_dump(mode="json")


def _rejected(rejection: Rejection) -> RejectedLine:
    return RejectedLine(line=rejection.line, error=rejection.message, field=rejection.field)


def _kind(given: ImportKind | None, request: Any) -> ImportKind:
    asked = query(request, "kind")
    if asked is not None and asked not in set(ImportKind):
        raise InvalidInput("Unknown kind.", {"kind": "halls, counters or staff"})
    if given is not None and asked is not None and given != asked:
        raise InvalidInput("Two different kinds.", {"kind": "the body's and the query's differ"})
    kind = given or asked
    if kind is None:
        raise InvalidInput("Say what the sheet holds.", {"kind": "halls, counters or staff"})
    return ImportKind(kind)


@routes(
    "/api/v1/admin/import",
    "POST",
    summary="Import halls, counters or staff from a CSV sheet; a line seen before changes nothing (admin)",
    request=ImportIn,
    response=ImportReportOut,
    query=(KIND_QUERY,),
    content_types=[JSON, CSV],
)
def import_sheet():  # type: ignore[no-untyped-def]
    request = routes.request
    data: bytes | str
    if media_type(request) == CSV:
        kind, data = _kind(None, request), body_bytes(request)
    else:
        body = parse_json(request, ImportIn)
        kind, data = _kind(body.kind, request), body.csv
    report = imports.import_sheet(routes.principal(), composition.import_ports(), kind, data)
    return json_response(report_out(report))
