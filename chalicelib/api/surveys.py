"""Surveys (SPEC §4.6): drafting, publishing and closing (admin); links, invitations and results
(admins, and managers for their halls)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from chalicelib import composition
from chalicelib.api.qr import _svg as qr_svg  # the one way a QR code is drawn
from chalicelib.domain import qrcodes
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.survey_templates import customer_perception
from chalicelib.domain.surveys import Question, Survey, SurveyStatus, SurveyVersion
from chalicelib.inputs import InvitationsIn, SurveyIn
from chalicelib.services import surveys
from chalicelib.web import params, report_files
from chalicelib.web.requests import base_url, page_args, parse_json, query, whole_number
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, HALL_CODE, LANG, PAGING, Auth, PathParam, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="surveys")

SURVEY_ID = (PathParam("survey_id", schema(type="string", pattern=r"^[0-9a-f]{32}$"), "the survey's id"),)
VERSION_QUERY = QueryParam(
    "version", "a published version (default: the latest)", schema=schema(type="integer", minimum=1)
)
HALL_QUERY = QueryParam("hall", "one hall's results (default: every hall you see)", schema=HALL_CODE)


class VersionOut(BaseModel):
    version: int
    title: str
    published_at: datetime
    published_by: str
    questions: list[Question]


class SurveyOut(BaseModel):
    id: str
    status: SurveyStatus
    version: int
    edited: bool
    title: str
    intro: str
    questions: list[Question]
    halls: list[str] | None
    opens_at: datetime | None
    closes_at: datetime | None
    anonymous: bool
    created_at: datetime
    created_by: str
    updated_at: datetime
    versions: list[VersionOut] = []


class PublishedOut(BaseModel):
    id: str
    version: int


class LinkOut(BaseModel):
    hall_code: str
    url: str
    svg_url: str


class LinksOut(BaseModel):
    items: list[LinkOut]


class SentOut(BaseModel):
    sent: int


class RowOut(BaseModel):
    n: int
    mean: float | None
    counts: dict[str, int]


class QuestionResultOut(BaseModel):
    id: str
    type: str
    text: str
    n: int
    counts: dict[str, int]
    mean: float | None
    nps: float | None
    rows: dict[str, RowOut]


class ResultsOut(BaseModel):
    survey: str
    version: int | None
    hall: str | None
    responses: int
    questions: list[QuestionResultOut]
    dimensions: dict[str, float]


def survey_out(survey: Survey, versions: list[SurveyVersion] | None = None) -> dict[str, Any]:
    d = survey.draft
    return SurveyOut(
        id=survey.id,
        status=survey.status,
        version=survey.version,
        edited=survey.edited,
        title=d.title,
        intro=d.intro,
        questions=d.questions,
        halls=d.halls,
        opens_at=d.opens_at,
        closes_at=d.closes_at,
        anonymous=d.anonymous,
        created_at=survey.created_at,
        created_by=survey.created_by,
        updated_at=survey.updated_at,
        versions=[VersionOut.model_validate(v, from_attributes=True) for v in versions or []],
    ).model_dump(mode="json", by_alias=True)


@routes(
    "/api/v1/surveys",
    "POST",
    summary="Draft a survey (admin); a bad questionnaire is a 400 naming the path at fault",
    status=201,
    request=SurveyIn,
    response=SurveyOut,
)
def create_survey():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, SurveyIn)
    survey = surveys.create_survey(routes.principal(), composition.surveys(), composition.clock(), body.draft())
    return json_response(survey_out(survey), status=201)


@routes("/api/v1/surveys", "GET", summary="Surveys, oldest first", response=ListOf[SurveyOut], query=PAGING)
def list_surveys():  # type: ignore[no-untyped-def]
    cursor, limit = page_args(routes.request)
    page = surveys.list_surveys(routes.principal(), composition.surveys(), cursor, limit)
    return json_response({"items": [survey_out(s) for s in page.items], "next": page.next})


@routes(
    "/api/v1/surveys/templates/customer-perception",
    "GET",
    summary="The 客户感知 template: a body for POST /api/v1/surveys",
    response=SurveyIn,
)
def survey_template():  # type: ignore[no-untyped-def]
    surveys.require_reader(routes.principal())
    return json_response(customer_perception().model_dump(mode="json", by_alias=True))


@routes(
    "/api/v1/surveys/{survey_id}",
    "GET",
    summary="A survey with its published versions",
    response=SurveyOut,
    path_params=SURVEY_ID,
    statuses=(404,),
)
def get_survey(survey_id: str):  # type: ignore[no-untyped-def]
    survey, versions = surveys.get_survey(routes.principal(), composition.surveys(), survey_id)
    return json_response(survey_out(survey, versions))


@routes(
    "/api/v1/surveys/{survey_id}",
    "PUT",
    summary="Replace the draft (after a publication: the next version's draft)",
    request=SurveyIn,
    response=SurveyOut,
    path_params=SURVEY_ID,
    statuses=(404,),
)
def edit_survey(survey_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, SurveyIn)
    survey = surveys.edit_survey(
        routes.principal(), composition.surveys(), composition.clock(), survey_id, body.draft()
    )
    return json_response(survey_out(survey))


@routes(
    "/api/v1/surveys/{survey_id}/publish",
    "POST",
    summary="Freeze the draft as the next version and take responses (admin)",
    status=201,
    response=PublishedOut,
    path_params=SURVEY_ID,
    statuses=(404, 409),
    body_required=False,
)
def publish_survey(survey_id: str):  # type: ignore[no-untyped-def]
    version = surveys.publish_survey(
        routes.principal(), composition.surveys(), composition.clock(), survey_id, composition.auditor()
    )
    return json_response({"id": survey_id, "version": version.version}, status=201)


@routes(
    "/api/v1/surveys/{survey_id}/close",
    "POST",
    summary="Close the survey: no more responses (admin)",
    response=SurveyOut,
    path_params=SURVEY_ID,
    statuses=(404, 409),
    body_required=False,
)
def close_survey(survey_id: str):  # type: ignore[no-untyped-def]
    survey = surveys.close_survey(
        routes.principal(), composition.surveys(), composition.clock(), survey_id, composition.auditor()
    )
    return json_response(survey_out(survey))


@routes(
    "/api/v1/surveys/{survey_id}/links",
    "GET",
    summary="The survey's signed link and QR code per hall",
    response=LinksOut,
    path_params=SURVEY_ID,
    statuses=(404,),
)
def survey_links(survey_id: str):  # type: ignore[no-untyped-def]
    links = surveys.hall_links(
        routes.principal(),
        composition.surveys(),
        composition.organisation(),
        composition.settings().qr_key,
        survey_id,
        base_url(routes.request),
    )
    return json_response({"items": [LinkOut.model_validate(x, from_attributes=True).model_dump() for x in links]})


@routes(
    "/api/v1/surveys/{survey_id}/invitations",
    "POST",
    summary="Send single-use SMS invitations (the phones are kept only as masks)",
    status=202,
    request=InvitationsIn,
    response=SentOut,
    path_params=SURVEY_ID,
    statuses=(404, 410),
)
def invite(survey_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, InvitationsIn)
    sent = surveys.invite(
        routes.principal(),
        composition.surveys(),
        composition.organisation(),
        composition.clock(),
        composition.sms(),
        composition.settings().qr_key,
        survey_id=survey_id,
        hall_code=body.hall_code,
        phones=body.phones,
        base_url=base_url(routes.request),
    )
    return json_response({"sent": sent}, status=202)


def version_param(request: Any) -> int | None:
    raw = query(request, "version")
    if raw is None:
        return None
    version = whole_number(raw, 1, 999_999)
    if version is None:
        raise InvalidInput("Bad version.", {"version": "a whole number from 1"})
    return version


@routes(
    "/api/v1/surveys/{survey_id}/results",
    "GET",
    summary="Results from tallies: counts, means, NPS, matrix rows, dimensions (managers: their halls)",
    response=ResultsOut,
    path_params=SURVEY_ID,
    query=(VERSION_QUERY, HALL_QUERY),
    statuses=(404,),
)
def survey_results(survey_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    version, hall = version_param(request), params.hall_code(request)
    found = surveys.survey_results(routes.principal(), composition.surveys(), survey_id, version, hall)
    return json_response(results_out(survey_id, version, hall, found.results))


def results_out(survey_id: str, version: int | None, hall: str | None, results: Any) -> dict[str, Any]:
    return ResultsOut(
        survey=survey_id,
        version=version,
        hall=hall,
        responses=results.responses,
        questions=[QuestionResultOut.model_validate(q, from_attributes=True) for q in results.questions],
        dimensions=results.dimensions,
    ).model_dump(mode="json")


@routes(
    "/q/{code}/qr.svg",
    "GET",
    summary="A hall's survey QR code as SVG (404: a forged code)",
    auth=Auth.public,
    produces="image/svg+xml",
    statuses=(404,),
)
def survey_qr_svg(code: str):  # type: ignore[no-untyped-def]
    link = qrcodes.parse_survey_code(composition.settings().qr_key, code)
    if link is None or composition.surveys().get(link.survey_id) is None:
        raise NotFound("No such survey.")
    return qr_svg(f"{base_url(routes.request)}/q/{code}")


@routes(
    "/api/v1/reports/survey-responses.csv",
    "GET",
    summary="A survey's responses as CSV: one column per question (per row for matrix5), headed by its text",
    query=(
        QueryParam("survey", "the survey's id", required=True, schema=schema(type="string", pattern=r"^[0-9a-f]{32}$")),
        VERSION_QUERY,
        HALL_QUERY,
        LANG,
    ),
    produces=CSV,
    statuses=(404,),
)
def survey_responses_csv():  # type: ignore[no-untyped-def]
    return report_files.survey_responses(routes.request, routes.principal())
