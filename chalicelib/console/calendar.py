"""Console: the working-day calendar (admin). Whether the holiday package knows a
year's official arrangement, the admin's overrides, and forms to make a date a
working day (调休) or a day off, or to remove an override. The same service
calls as /api/v1/admin/calendar, so only admins get past them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from chalicelib import composition
from chalicelib.console.layout import (
    DONE_QUERY,
    ConsoleRoutes,
    Sent,
    filter_of,
    form_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.services import calendar
from chalicelib.services.calendar import FIRST_YEAR, LAST_YEAR
from chalicelib.web.requests import query
from chalicelib.web.routing import DAY, PathParam, QueryParam, schema
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)


class DayForm(Strict):
    day: date
    working: Literal["working", "off"]


def _this_year() -> int:
    return today_in_shanghai(composition.clock().now()).year


def _year(request: Any) -> int:
    raw = query(request, "year")
    if raw is None:
        return _this_year()
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise InvalidInput("Say which year.", {"year": "a year like 2027"}, reason=Reason("year_format"))
    return int(raw)


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            "Dates are YYYY-MM-DD.", {"day": "a date like 2027-02-06"}, reason=Reason("date_format")
        ) from None


def _typed_year(sent: Sent) -> int:
    """The year of the date typed into a refused form (this year when it names none)."""
    try:
        return date.fromisoformat(str(sent.values.get("day", ""))).year
    except ValueError:
        return _this_year()


@routes.page(
    "/console/calendar",
    summary="The working-day calendar of a year (admin)",
    query=(
        QueryParam("year", "default: this year", schema=schema(type="integer", minimum=FIRST_YEAR, maximum=LAST_YEAR)),
        DONE_QUERY,
    ),
)
def year_page():  # type: ignore[no-untyped-def]
    request = routes.request
    return _calendar(request, lambda: _year(request))


def _calendar(request: Any, year: Callable[[], int], sent: Sent | None = None) -> Any:
    """The calendar of ``year()`` (this year when that is refused); ``sent``: the day form refused."""
    actor, repo, source = principal(request), composition.calendar(), composition.holiday_source()
    found, refused = filter_of(
        request,
        "year-filter",
        lambda: calendar.year_of(actor, repo, source, year()),
        lambda: calendar.year_of(actor, repo, source, _this_year()),
    )
    return render(
        request,
        "calendar.html",
        sent=sent or refused,
        page="/console/calendar",
        section="calendar",
        year=found.year,
        official=found.official,
        overrides=list(found.overrides.items()),
        done=query(request, "done"),
    )


@routes.action(
    "/console/calendar/days",
    summary="Make a date a working day or a day off (admin; refused: the calendar again, the form as typed)",
    request=DayForm,
)
def set_day():  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        body = form_of(request, DayForm)
        working = body.working == "working"
        calendar.set_day(principal(request), composition.calendar(), body.day, working, composition.auditor())
        return redirect(request, "/console/calendar", year=str(body.day.year), done="set")

    def show(sent: Sent) -> Any:
        return _calendar(request, lambda: _typed_year(sent), sent)

    return submit(request, "set-day", act, show)


@routes.action(
    "/console/calendar/days/{day}/remove",
    summary="Remove a working-day override (admin)",
    path_params=(PathParam("day", DAY, "YYYY-MM-DD", checked=True),),
)
def clear_day(day: str):  # type: ignore[no-untyped-def]
    request = routes.request
    found = _day(day)
    calendar.clear_day(principal(request), composition.calendar(), found, composition.auditor())
    return redirect(request, "/console/calendar", year=str(found.year), done="removed")
