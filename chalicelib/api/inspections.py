"""Checklists and inspections (明察暗访, SPEC §4.8, §4.4 inspections.csv)."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.domain.checklists import CODE_PATTERN, Checklist
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.inspections import Inspection
from chalicelib.inputs import (
    ChecklistIn,
    InspectionAppealIn,
    InspectionDecisionIn,
    InspectionIn,
    VoidIn,
    inspection_fields,
)
from chalicelib.services import inspections
from chalicelib.web import params, report_files
from chalicelib.web.requests import page_args, parse_json, query, whole_number
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, HALL_CODE, LANG, MONTH, PAGING, PathParam, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="inspections")

MONTH_QUERY = QueryParam("month", "YYYY-MM (Asia/Shanghai)", required=True, schema=MONTH)
HALL_QUERY = QueryParam("hall", "hall code (inspectors: optional; managers with one hall: optional)", schema=HALL_CODE)
INSPECTION_ID = PathParam("inspection_id", schema(type="string", maxLength=64), "the inspection's id")
CHECKLIST_CODE = PathParam("code", schema(type="string", pattern=CODE_PATTERN), "e.g. service-norms")


class ChecklistsOut(ListOf[Checklist]):
    pass


def _checklist(c: Checklist) -> dict[str, object]:
    return c.model_dump(mode="json")


def _inspection(i: Inspection) -> dict[str, object]:
    return i.model_dump(mode="json")


@routes(
    "/api/v1/checklists",
    "GET",
    summary="Every checklist's newest version, the built-in service-norms first",
    response=ChecklistsOut,
)
def list_checklists():  # type: ignore[no-untyped-def]
    found = inspections.every_checklist(routes.principal(), composition.checklists())
    return json_response({"items": [_checklist(c) for c in found], "next": None})


@routes(
    "/api/v1/checklists/{code}",
    "GET",
    summary="One version of a checklist (default: the newest); old versions stay readable",
    response=Checklist,
    query=(QueryParam("version", "a version number", schema=schema(type="integer", minimum=1, maximum=999_999)),),
    statuses=(404,),
    path_params=(CHECKLIST_CODE,),
)
def get_checklist(code: str):  # type: ignore[no-untyped-def]
    routes.principal().require_role(*inspections.READERS)
    raw = query(routes.request, "version")
    version = whole_number(raw, 1, 999_999) if raw is not None else None
    if raw is not None and version is None:
        raise InvalidInput("Bad version.", {"version": "a version number"})
    return json_response(_checklist(inspections.checklist(composition.checklists(), code, version)))


@routes(
    "/api/v1/admin/checklists",
    "POST",
    summary="Add a checklist, or the next version of one (admin)",
    status=201,
    request=ChecklistIn,
    response=Checklist,
    statuses=(409,),
)
def add_checklist():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, ChecklistIn)
    added = inspections.add_checklist(
        routes.principal(),
        composition.checklists(),
        composition.clock(),
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        sections=body.domain_sections(),
        auditor=composition.auditor(),
    )
    return json_response(_checklist(added), status=201)


@routes(
    "/api/v1/inspections",
    "POST",
    summary="Record an inspection (inspector, admin); 200: a retry with the same id, the stored one",
    status=201,
    request=InspectionIn,
    response=Inspection,
    statuses=(404, 409),
    answers=((200, Inspection),),
)
def record_inspection():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, InspectionIn)
    recorded = inspections.record(routes.principal(), composition.inspection_ports(), **inspection_fields(body))
    return json_response(_inspection(recorded.inspection), status=201 if recorded.created else 200)


@routes(
    "/api/v1/inspections",
    "GET",
    summary="Inspections of a month: a hall's (managers, admins) or your own (inspectors)",
    response=ListOf[Inspection],
    query=(MONTH_QUERY, HALL_QUERY, *PAGING),
)
def list_inspections():  # type: ignore[no-untyped-def]
    request = routes.request
    month, hall = params.month(request), params.hall_code(request)
    cursor, limit = page_args(request)
    page = inspections.list_inspections(
        routes.principal(), composition.inspection_ports(), hall_code=hall, month=month, cursor=cursor, limit=limit
    )
    return json_response({"items": [_inspection(i) for i in page.items], "next": page.next})


@routes(
    "/api/v1/inspections/{inspection_id}",
    "GET",
    summary="One inspection",
    response=Inspection,
    statuses=(404,),
    path_params=(INSPECTION_ID,),
)
def get_inspection(inspection_id: str):  # type: ignore[no-untyped-def]
    found = inspections.get_inspection(routes.principal(), composition.inspection_ports(), inspection_id)
    return json_response(_inspection(found))


@routes(
    "/api/v1/inspections/{inspection_id}/void",
    "POST",
    summary="Void with a reason (admin; its inspector within 24 h): kept, out of every score",
    request=VoidIn,
    response=Inspection,
    statuses=(404, 409),
    path_params=(INSPECTION_ID,),
)
def void_inspection(inspection_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, VoidIn)
    voided = inspections.void(
        routes.principal(), composition.inspection_ports(), inspection_id, body.reason, composition.auditor()
    )
    return json_response(_inspection(voided))


@routes(
    "/api/v1/inspections/{inspection_id}/appeal",
    "POST",
    summary="Appeal an inspection for its clerk (manager of the hall, admin); one appeal each",
    status=201,
    request=InspectionAppealIn,
    response=Inspection,
    statuses=(404, 409),
    path_params=(INSPECTION_ID,),
)
def appeal_inspection(inspection_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, InspectionAppealIn)
    appealed = inspections.appeal(routes.principal(), composition.inspection_ports(), inspection_id, body.note)
    return json_response(_inspection(appealed), status=201)


@routes(
    "/api/v1/inspections/{inspection_id}/appeal/decide",
    "POST",
    summary="Decide an inspection's appeal (never by the appellant); upheld: out of every score",
    request=InspectionDecisionIn,
    response=Inspection,
    statuses=(404, 409),
    path_params=(INSPECTION_ID,),
)
def decide_appeal(inspection_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, InspectionDecisionIn)
    decided = inspections.decide_appeal(
        routes.principal(), composition.inspection_ports(), inspection_id, body.upheld, body.note
    )
    return json_response(_inspection(decided))


@routes(
    "/api/v1/reports/inspections.csv",
    "GET",
    summary="The month's counted inspections as CSV (SPEC §4.4 columns)",
    query=(MONTH_QUERY, HALL_QUERY, LANG),
    produces=CSV,
)
def inspections_csv():  # type: ignore[no-untyped-def]
    return report_files.inspections(routes.request, routes.principal())
