"""Console: the star board (星级评定) of a hall's quarter with the explanation per clerk, its
published versions and publishing (admin), the rule set and its editor (admin), and the
inspections.csv and stars.csv downloads (the API's files behind the session)."""

from __future__ import annotations

import math
from typing import Any

from chalicelib import composition
from chalicelib.console.callbacks import local
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    DONE_QUERY,
    HALL_QUERY,
    ConsoleRoutes,
    Sent,
    filter_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain.accounts import Role
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.outreach import is_quarter, quarter_of
from chalicelib.domain.stars import BusinessLevel, RuleSet, ServiceLevel, Thresholds, line_text
from chalicelib.services import stars
from chalicelib.web import params, report_files
from chalicelib.web.requests import form_fields, query
from chalicelib.web.routing import CSV, LANG, MONTH, QUARTER, VERSION, PathParam, QueryParam

routes = ConsoleRoutes(__name__)
QUARTER_QUERY = QueryParam("quarter", "e.g. 2026Q4 (default: this quarter)", schema=QUARTER)
VERSION_QUERY = QueryParam("version", "a published version; the live stars without it", schema=VERSION)
MAX_NUMBER = 1_000_000  # no threshold is larger (rated visits a quarter)


def this_quarter() -> str:
    return quarter_of(today_in_shanghai(composition.clock().now()))


def _quarter(request: Any) -> str:
    raw = query(request, "quarter")
    return this_quarter() if raw is None else params.quarter(raw)


@routes.page(
    "/console/stars",
    summary="A hall's star board of a quarter, with the explanation per clerk and the published versions",
    query=(HALL_QUERY, QUARTER_QUERY, VERSION_QUERY, DONE_QUERY),
    statuses=(404,),
)
def board_page():  # type: ignore[no-untyped-def]
    request = routes.request
    quarter, refused = filter_of(request, "quarter-filter", lambda: _quarter(request), this_quarter)
    return _board(request, quarter, refused)


def _board(request: Any, quarter: str, sent: Sent | None = None) -> Any:
    actor = principal(request)
    actor.require_role(Role.admin, Role.manager)
    hall = hall_param(request, actor)
    version = params.version(request)
    org, rule_repo, repo = composition.organisation(), composition.star_rules(), composition.star_publications()
    if version is None:
        board = stars.live_board(actor, org, composition.ratings(), rule_repo, quarter=quarter, hall_code=hall)
    else:
        board = stars.published_board(actor, org, rule_repo, repo, quarter=quarter, version=version, hall_code=hall)
    lang = "en" if query(request, "lang") == "en" else "zh"
    return render(
        request,
        "stars.html",
        sent=sent,
        page="/console/stars",
        section="stars",
        halls=halls_of(actor),
        hall=hall,
        quarter=quarter,
        board=board,
        lines={r.staff_no: [line_text(line, lang) for line in r.result.lines] for r in board.rows},
        versions=stars.versions(actor, repo, quarter),
        local=local,
        done=query(request, "done"),
    )


@routes.action(
    "/console/stars/{quarter}/publish",
    summary="Publish the quarter's stars as a new version (admin)",
    query=(HALL_QUERY,),
    statuses=(409, 413),
    path_params=(PathParam("quarter", QUARTER, "e.g. 2026Q4", checked=True),),
)
def publish(quarter: str):  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        snapshot = stars.publish(
            principal(request),
            composition.organisation(),
            composition.ratings(),
            composition.star_rules(),
            composition.star_publications(),
            composition.clock(),
            quarter=params.quarter(quarter),
            auditor=composition.auditor(),
        )
        return redirect(
            request, "/console/stars", quarter=snapshot.quarter, hall=query(request, "hall"), done="published"
        )

    shown = quarter if is_quarter(quarter) else this_quarter()
    return submit(request, "publish", act, lambda sent: _board(request, shown, sent))


# ---- the rules ------------------------------------------------------------------------------
@routes.page("/console/stars/rules", summary="The star rules in force, and their editor (admin)", query=(DONE_QUERY,))
def rules_page():  # type: ignore[no-untyped-def]
    return _rules(routes.request)


def _rules(request: Any, sent: Sent | None = None) -> Any:
    actor = principal(request)
    actor.require_role(*stars.RULE_READERS)
    used: RuleSet = stars.rules_in_force(composition.star_rules())
    return render(
        request,
        "star_rules.html",
        sent=sent,
        page="/console/stars/rules",
        section="stars",
        rules=used,
        local=local,
        done=query(request, "done"),
    )


def _number(data: dict[str, Any], name: str) -> float:
    raw = str(data.get(name, "")).strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise InvalidInput("Numbers only.", {name: "a number"}, reason=Reason("float_parsing"))
    return value


def _thresholds(data: dict[str, Any]) -> Thresholds:
    """The editor's fields: per level s{L}_bound (0-1), s{L}_score, s{L}_bad, b{L}_ratings, b{L}_score."""
    service = [
        ServiceLevel(
            level=level,
            min_rate_lower_bound=_number(data, f"s{level}_bound"),
            min_inspection_score=_number(data, f"s{level}_score"),
            max_bad_ratings=int(_number(data, f"s{level}_bad")),
        )
        for level in range(1, 6)
    ]
    business = [
        BusinessLevel(
            level=level,
            min_ratings=int(_number(data, f"b{level}_ratings")),
            min_section_score=_number(data, f"b{level}_score"),
        )
        for level in range(1, 6)
    ]
    sections = tuple(
        s.strip() for s in str(data.get("business_sections", "")).replace("，", ",").split(",") if s.strip()
    )
    return Thresholds(
        service=tuple(service),
        business=tuple(business),
        complaint_cap=int(_number(data, "complaint_cap")),
        uninspected_cap=int(_number(data, "uninspected_cap")),
        business_sections=sections,
    )


@routes.action("/console/stars/rules", summary="Set the star thresholds as the next version of the rules (admin)")
def set_rules():  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        data = {k: v for k, v in form_fields(request).items() if k != "csrf"}
        stars.set_rules(
            principal(request), composition.star_rules(), composition.clock(), _thresholds(data), composition.auditor()
        )
        return redirect(request, "/console/stars/rules", done="saved")

    return submit(request, "rules", act, lambda sent: _rules(request, sent))


# ---- the CSV files: the API's, behind the session ---------------------------------------------
@routes.page(
    "/console/reports/inspections.csv",
    summary="The month's counted inspections as CSV",
    query=(QueryParam("month", "YYYY-MM", required=True, schema=MONTH), HALL_QUERY, LANG),
    produces=CSV,
)
def inspections_csv():  # type: ignore[no-untyped-def]
    return report_files.inspections(routes.request, principal(routes.request))


@routes.page(
    "/console/reports/stars.csv",
    summary="A quarter's stars as CSV; with version, a published version",
    query=(QueryParam("quarter", "e.g. 2026Q4", required=True, schema=QUARTER), HALL_QUERY, VERSION_QUERY, LANG),
    produces=CSV,
    statuses=(404,),
)
def stars_csv():  # type: ignore[no-untyped-def]
    return report_files.stars(routes.request, principal(routes.request))
