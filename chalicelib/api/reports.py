"""Reports: the raw ratings export of SPEC §4.4 and the dashboard's series (the
month's ranking and hall summary live in month_reports.py, outreach.csv with outreach).

The series come from the tallies; ratings.csv reads the stored ratings day by
day and writes rows as it reads them (Lambda still answers the whole body, so
it is capped at 31 days; the export job will serve longer periods).
"""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.api.report_schemas import (
    BreakdownOut,
    DailyOut,
    DayOut,
    HeatCellOut,
    HeatmapOut,
    ShareOut,
    levels,
)
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.labels import BUSINESS, REASON, label
from chalicelib.domain.reports import rounded
from chalicelib.domain.stats import StatKind, Tally
from chalicelib.services import reports
from chalicelib.web import params, report_files
from chalicelib.web.requests import query, whole_number
from chalicelib.web.responses import json_response
from chalicelib.web.routing import CSV, DAY, HALL_CODE, LANG, MONTH, PathParam, QueryParam, Routes, schema

routes = Routes(__name__, tag="reports")

MONTH_QUERY = QueryParam("month", "e.g. 2026-11 (Asia/Shanghai)", required=True, schema=MONTH)
HALL_QUERY = QueryParam("hall", "hall code; default: your halls (every hall for admins)", schema=HALL_CODE)
LANG_QUERY = LANG
HALL_PATH = (PathParam("hall_code", HALL_CODE),)


def _path_hall(hall_code: str) -> str:
    if not params.HALL_CODE.match(hall_code):
        raise NotFound(f"No hall {hall_code}.", {"hall_code": "unknown hall"})
    return hall_code


# ---- CSV downloads ----------------------------------------------------------
@routes(
    "/api/v1/reports/ratings.csv",
    "GET",
    summary="The stored ratings of at most 31 days as CSV (phone and ID numbers masked, comments too)",
    query=(
        QueryParam("from", "first day, e.g. 2026-11-01", required=True, schema=DAY),
        QueryParam("to", "last day (at most 31 days in all)", required=True, schema=DAY),
        HALL_QUERY,
        LANG_QUERY,
    ),
    produces=CSV,
    statuses=(404, 413),
)
def ratings_csv():  # type: ignore[no-untyped-def]
    return report_files.ratings(routes.request, routes.principal())


# ---- the dashboard's series ------------------------------------------------
def _days(request: Any) -> int:
    raw = query(request, "days")
    if raw is None:
        return 90
    days = whole_number(raw, 1, reports.MAX_SERIES_DAYS)
    if days is None:
        raise InvalidInput("Bad number of days.", {"days": f"a whole number from 1 to {reports.MAX_SERIES_DAYS}"})
    return days


@routes(
    "/api/v1/reports/halls/{hall_code}/daily",
    "GET",
    summary="A hall's ratings per day up to today (Asia/Shanghai)",
    response=DailyOut,
    query=(
        QueryParam(
            "days",
            f"how many days, 1–{reports.MAX_SERIES_DAYS}; default 90",
            schema=schema(type="integer", minimum=1, maximum=reports.MAX_SERIES_DAYS),
        ),
    ),
    path_params=HALL_PATH,
)
def daily(hall_code: str):  # type: ignore[no-untyped-def]
    series = reports.daily_series(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        composition.clock(),
        hall=_path_hall(hall_code),
        days=_days(routes.request),
    )
    body = DailyOut(
        hall_code=series.hall.code,
        first_day=series.days[0][0],
        last_day=series.days[-1][0],
        items=[DayOut(day=d, misuse=t.misuse, **levels(t)) for d, t in series.days],
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/halls/{hall_code}/heatmap",
    "GET",
    summary="A hall-month's ratings by ISO weekday and hour (cells without ratings left out)",
    response=HeatmapOut,
    query=(MONTH_QUERY,),
    path_params=HALL_PATH,
)
def heatmap(hall_code: str):  # type: ignore[no-untyped-def]
    month = params.month(routes.request)
    found = reports.hall_breakdown(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        hall=_path_hall(hall_code),
        month=month,
        kinds=(StatKind.hour,),
    )
    cells = []
    for part, tally in sorted(found.parts[StatKind.hour].items()):
        weekday, hour = part.split("-")
        cells.append(HeatCellOut(weekday=int(weekday), hour=int(hour), **levels(tally)))
    return json_response(HeatmapOut(hall_code=found.hall.code, month=month, cells=cells).model_dump(mode="json"))


def _shares(parts: dict[str, Tally], total: int, labels: dict[str, tuple[str, str]], lang: str) -> list[ShareOut]:
    ordered = sorted(parts.items(), key=lambda kv: (-kv[1].n, kv[0]))
    return [
        ShareOut(key=k, label=label(labels, k, lang), share=rounded(t.n / total) if total else None, **levels(t))
        for k, t in ordered
        if t.n
    ]


@routes(
    "/api/v1/reports/halls/{hall_code}/breakdown",
    "GET",
    summary="A hall-month's business types and dissatisfaction reasons, most frequent first",
    response=BreakdownOut,
    query=(MONTH_QUERY, LANG),
    path_params=HALL_PATH,
)
def breakdown(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    month, lang = params.month(request), params.lang(request)
    found = reports.hall_breakdown(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        hall=_path_hall(hall_code),
        month=month,
        kinds=(StatKind.business, StatKind.reason),
    )
    total = found.total.n
    body = BreakdownOut(
        hall_code=found.hall.code,
        month=month,
        total=total,
        business=_shares(found.parts[StatKind.business], total, BUSINESS, lang),
        reasons=_shares(found.parts[StatKind.reason], total, REASON, lang),
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/tickets.csv",
    "GET",
    summary="The order ledger (工单台账) of a month as CSV: every work order with its clocks and outcome",
    query=(QueryParam("month", "YYYY-MM (Asia/Shanghai)", required=True, schema=MONTH), HALL_QUERY, LANG_QUERY),
    produces=CSV,
    statuses=(404,),
)
def tickets_csv():  # type: ignore[no-untyped-def]
    return report_files.tickets(routes.request, routes.principal())
