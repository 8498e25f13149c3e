"""The working-day calendar: an admin's overrides for years the holiday package does not know."""

from __future__ import annotations

from datetime import date

from chalice import Response

from chalicelib import composition
from chalicelib.api.schemas import CalendarDayIn, CalendarYearOut
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import calendar
from chalicelib.services.calendar import FIRST_YEAR, LAST_YEAR
from chalicelib.web.requests import parse_json, query, whole_number
from chalicelib.web.responses import json_response
from chalicelib.web.routing import DAY, PathParam, QueryParam, Routes, schema

routes = Routes(__name__, tag="admin")
DAY_PATH = (PathParam("day", DAY, "YYYY-MM-DD", checked=True),)


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("Dates are YYYY-MM-DD.", {"day": "not a date like 2027-02-06"}) from None


@routes(
    "/api/v1/admin/calendar",
    "GET",
    summary="A year's working-day overrides, and whether the year is official",
    response=CalendarYearOut,
    query=(
        QueryParam(
            "year", "e.g. 2027", required=True, schema=schema(type="integer", minimum=FIRST_YEAR, maximum=LAST_YEAR)
        ),
    ),
)
def get_year():  # type: ignore[no-untyped-def]
    year = whole_number(query(routes.request, "year"), 0, 9999)
    if year is None:
        raise InvalidInput("Say which year.", {"year": "a year like 2027"})
    found = calendar.year_of(routes.principal(), composition.calendar(), composition.holiday_source(), year)
    return json_response(
        {
            "year": found.year,
            "official": found.official,
            "overrides": [{"day": d.isoformat(), "working": w} for d, w in found.overrides.items()],
        }
    )


@routes(
    "/api/v1/admin/calendar/{day}",
    "PUT",
    summary="Make a date a working day or a day off",
    status=204,
    request=CalendarDayIn,
    path_params=DAY_PATH,
)
def set_day(day: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, CalendarDayIn)
    calendar.set_day(routes.principal(), composition.calendar(), _day(day), body.working, composition.auditor())
    return Response(body="", status_code=204)


@routes("/api/v1/admin/calendar/{day}", "DELETE", summary="Remove an override", status=204, path_params=DAY_PATH)
def clear_day(day: str):  # type: ignore[no-untyped-def]
    calendar.clear_day(routes.principal(), composition.calendar(), _day(day), composition.auditor())
    return Response(body="", status_code=204)
