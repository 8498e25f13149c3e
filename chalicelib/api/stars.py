"""Star ratings (星级, SPEC §4.8, §4.4 stars.csv): the rules, a quarter's stars with their
explanation, publishing a quarter as a version."""

from __future__ import annotations

from pydantic import BaseModel

from chalicelib import composition
from chalicelib.domain.stars import RuleLine, RuleSet, StarRow, Thresholds, line_text
from chalicelib.services import stars
from chalicelib.web import params, report_files
from chalicelib.web.requests import parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, HALL_CODE, LANG, QUARTER, VERSION, PathParam, QueryParam, Routes

routes = Routes(__name__, tag="stars")

QUARTER_QUERY = QueryParam("quarter", "e.g. 2026Q4", required=True, schema=QUARTER)
HALL_QUERY = QueryParam("hall", "hall code", schema=HALL_CODE)
VERSION_QUERY = QueryParam("version", "a published version, or latest; the live stars without it", schema=VERSION)


class LineOut(RuleLine):
    text: str  # the line as a sentence, in the language asked for


class FiguresOut(BaseModel):
    ratings: int
    satisfied: int
    bad_ratings: int
    rate_lower_bound: float | None
    inspections: int
    inspection_score: float | None
    section_score: float | None
    verified_complaints: int


class StarRowOut(BaseModel):
    quarter: str
    branch: str
    hall_code: str
    hall: str
    staff_no: str
    name: str
    service_star: int
    business_star: int
    figures: FiguresOut
    lines: list[LineOut]


class StarsOut(BaseModel):
    quarter: str
    rules_version: int
    version: int | None
    published_at: str | None
    published_by: str | None
    items: list[StarRowOut]


class PublishedOut(BaseModel):
    quarter: str
    version: int


def _row(r: StarRow, lang: str) -> dict[str, object]:
    f = r.figures
    return {
        **r.model_dump(mode="json", include={"quarter", "branch", "hall_code", "hall", "staff_no", "name"}),
        "service_star": r.result.service_star,
        "business_star": r.result.business_star,
        "figures": {
            **f.model_dump(include={"ratings", "satisfied", "bad_ratings", "inspections", "verified_complaints"}),
            "rate_lower_bound": None if f.rate_lower_bound is None else round(f.rate_lower_bound, 4),
            "inspection_score": f.inspection_score,
            "section_score": f.section_score,
        },
        "lines": [{**line.model_dump(mode="json"), "text": line_text(line, lang)} for line in r.result.lines],
    }


def _rules(used: RuleSet) -> dict[str, object]:
    return used.model_dump(mode="json")


@routes(
    "/api/v1/stars/rules",
    "GET",
    summary="The star rules in force (the defaults until an admin sets them)",
    response=RuleSet,
)
def get_rules():  # type: ignore[no-untyped-def]
    routes.principal().require_role(*stars.RULE_READERS)
    return json_response(_rules(stars.rules_in_force(composition.star_rules())))


@routes(
    "/api/v1/admin/star-rules",
    "PUT",
    summary="Set the star thresholds as the next version of the rules (admin)",
    request=Thresholds,
    response=RuleSet,
    statuses=(409,),
)
def set_rules():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, Thresholds)
    added = stars.set_rules(
        routes.principal(), composition.star_rules(), composition.clock(), body, composition.auditor()
    )
    return json_response(_rules(added))


@routes(
    "/api/v1/reports/stars",
    "GET",
    summary="A quarter's stars per clerk: both levels with the figures and rule lines that gave them",
    response=StarsOut,
    query=(QUARTER_QUERY, HALL_QUERY, VERSION_QUERY, LANG),
    statuses=(404,),
)
def stars_report():  # type: ignore[no-untyped-def]
    request = routes.request
    quarter, hall = params.quarter(query(request, "quarter")), params.hall_code(request)
    version, lang = params.version(request), params.lang(request)
    org, rule_repo = composition.organisation(), composition.star_rules()
    if version is None:
        board = stars.live_board(
            routes.principal(), org, composition.ratings(), rule_repo, quarter=quarter, hall_code=hall
        )
    else:
        board = stars.published_board(
            routes.principal(),
            org,
            rule_repo,
            composition.star_publications(),
            quarter=quarter,
            version=version,
            hall_code=hall,
        )
    published = board.publication
    return json_response(
        {
            "quarter": quarter,
            "rules_version": board.rules.version,
            "version": published.version if published else None,
            "published_at": published.published_at.isoformat() if published else None,
            "published_by": published.published_by if published else None,
            "items": [_row(r, lang) for r in board.rows],
        }
    )


@routes(
    "/api/v1/stars/{quarter}/publish",
    "POST",
    summary="Publish the quarter's stars as the next version (admin)",
    status=201,
    response=PublishedOut,
    statuses=(409, 413),
    path_params=(PathParam("quarter", QUARTER, "e.g. 2026Q4", checked=True),),
)
def publish(quarter: str):  # type: ignore[no-untyped-def]
    snapshot = stars.publish(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        composition.star_rules(),
        composition.star_publications(),
        composition.clock(),
        quarter=params.quarter(quarter),
        auditor=composition.auditor(),
    )
    return json_response({"quarter": snapshot.quarter, "version": snapshot.version}, status=201)


@routes(
    "/api/v1/reports/stars.csv",
    "GET",
    summary="A quarter's stars as CSV (SPEC §4.4 columns); with version, a published version",
    query=(QUARTER_QUERY, HALL_QUERY, VERSION_QUERY, LANG),
    produces=CSV,
    statuses=(404,),
)
def stars_csv():  # type: ignore[no-untyped-def]
    return report_files.stars(routes.request, routes.principal())
