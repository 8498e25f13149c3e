"""Reports: the CSV downloads of SPEC §4.4 (outreach.csv lives with outreach)
and their JSON twins for the console's dashboard.

Summaries come from the tallies; ratings.csv reads the stored ratings day by
day and writes rows as it reads them (Lambda still answers the whole body, so
it is capped at 31 days; the export job will serve longer periods).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from chalicelib import composition
from chalicelib.api import pages
from chalicelib.api.downloads import csv_download
from chalicelib.api.requests import query
from chalicelib.api.responses import json_response
from chalicelib.api.routing import QueryParam, Routes
from chalicelib.domain import csv_export
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.outreach import today_in_shanghai
from chalicelib.domain.ratings import BUSINESS_LABELS, REASON_LABELS, label
from chalicelib.domain.reports import (
    HALL_COLUMNS,
    RATING_COLUMNS,
    STAFF_COLUMNS,
    HallRow,
    StaffRow,
    capped,
    hall_csv_row,
    is_month,
    rating_csv_row,
    rounded,
    staff_csv_row,
)
from chalicelib.domain.stats import StatKind, Tally
from chalicelib.services import reports

routes = Routes(__name__, tag="reports")

HALL_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # as organisation.Code
MONTH_QUERY = QueryParam("month", "e.g. 2026-11 (Asia/Shanghai)", required=True)
HALL_QUERY = QueryParam("hall", "hall code; default: your halls (every hall for admins)")
LANG_QUERY = QueryParam("lang", "en for English headers and keys")
SCOPE_QUERIES = (
    QueryParam("scope", "hall (default): rank within each hall; branch: rank all halls of a branch together"),
    QueryParam("branch", "with scope=branch: the branch (default: the hall's, else each of yours)"),
)


# ---- the wire contract ------------------------------------------------------
class Levels(BaseModel):
    total: int
    n5: int
    n4: int
    n3: int
    n2: int
    n1: int
    bad_ratings: int
    satisfaction_rate: float | None
    mean_score: float | None


class StaffRowOut(Levels):
    month: str
    branch: str
    hall_code: str
    hall: str
    staff_no: str
    name: str
    rate_lower_bound: float | None
    eligible: bool
    rank: int | None
    flag: Literal["reward", "assess"] | None


class StaffMonthlyOut(BaseModel):
    month: str
    scope: Literal["hall", "branch"]
    min_ratings: int
    items: list[StaffRowOut]


class HallRowOut(Levels):
    month: str
    branch: str
    hall_code: str
    hall: str
    misuse: int
    callbacks_opened: int
    callbacks_closed: int
    callbacks_overdue: int
    suggestions: int


class HallMonthlyOut(BaseModel):
    month: str
    items: list[HallRowOut]


class DayOut(Levels):
    day: date
    misuse: int


class DailyOut(BaseModel):
    hall_code: str
    first_day: date
    last_day: date
    items: list[DayOut]


class HeatCellOut(Levels):
    weekday: int  # ISO: 1 Monday … 7 Sunday
    hour: int  # 0–23, Asia/Shanghai


class HeatmapOut(BaseModel):
    hall_code: str
    month: str
    cells: list[HeatCellOut]


class ShareOut(Levels):
    key: str
    label: str
    share: float | None  # of the hall-month's scored ratings


class BreakdownOut(BaseModel):
    hall_code: str
    month: str
    total: int
    business: list[ShareOut]
    reasons: list[ShareOut]


def _levels(t: Tally) -> dict[str, Any]:
    return {
        "total": t.n,
        "n5": t.n5,
        "n4": t.n4,
        "n3": t.n3,
        "n2": t.n2,
        "n1": t.n1,
        "bad_ratings": t.bad,
        "satisfaction_rate": rounded(t.satisfaction_rate),
        "mean_score": rounded(t.mean_score),
    }


def _staff_out(row: StaffRow) -> StaffRowOut:
    r = row.result
    return StaffRowOut(
        month=row.month,
        branch=row.hall.branch,
        hall_code=row.hall.code,
        hall=row.hall.name,
        staff_no=r.staff_no,
        name=row.name,
        rate_lower_bound=rounded(r.lower_bound),
        eligible=r.eligible,
        rank=r.rank,
        flag=r.flag.value if r.flag else None,
        **_levels(r.tally),
    )


def _hall_out(row: HallRow) -> HallRowOut:
    return HallRowOut(
        month=row.month,
        branch=row.hall.branch,
        hall_code=row.hall.code,
        hall=row.hall.name,
        misuse=row.tally.misuse,
        callbacks_opened=row.callbacks_opened,
        callbacks_closed=row.callbacks_closed,
        callbacks_overdue=row.callbacks_overdue,
        suggestions=row.suggestions,
        **_levels(row.tally),
    )


# ---- reading the query ------------------------------------------------------
def _month(request: Any) -> str:
    value = query(request, "month")
    if value is None or not is_month(value):
        raise InvalidInput("A month such as 2026-11 is required.", {"month": "a month such as 2026-11"})
    return value


def _hall_code(request: Any) -> str | None:
    value = query(request, "hall")
    if value is not None and not HALL_CODE.match(value):
        raise InvalidInput("Bad hall code.", {"hall": "a hall code"})
    return value


def _day(request: Any, name: str) -> date:
    value = query(request, name)
    try:
        if value is None or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"A day such as 2026-11-01 is required in {name}.", {name: "a day such as 2026-11-01"}
        ) from None


def _path_hall(hall_code: str) -> str:
    if not HALL_CODE.match(hall_code):
        raise NotFound(f"No hall {hall_code}.", {"hall_code": "unknown hall"})
    return hall_code


def _by_branch(request: Any) -> bool:
    scope = query(request, "scope") or "hall"
    if scope not in ("hall", "branch"):
        raise InvalidInput("Bad scope.", {"scope": "hall or branch"})
    if scope == "hall" and query(request, "branch") is not None:
        raise InvalidInput("A branch is ranked with scope=branch.", {"branch": "only with scope=branch"})
    return scope == "branch"


def _lang(request: Any) -> csv_export.Lang:
    return "en" if pages.lang_of(request) == "en" else "zh"


def _stamp() -> str:
    return today_in_shanghai(composition.clock().now()).strftime("%Y%m%d")


def _download(text: str, lang: csv_export.Lang, zh_name: str, en_name: str) -> Any:
    ascii_name = f"{en_name}-{_stamp()}.csv"
    return csv_download(text, ascii_name if lang == "en" else f"{zh_name}-{_stamp()}.csv", ascii_name)


def _staff_monthly(request: Any) -> reports.StaffMonthly:
    return reports.staff_monthly(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        month=_month(request),
        hall=_hall_code(request),
        branch=query(request, "branch"),
        by_branch=_by_branch(request),
        min_ratings=composition.settings().min_ratings,
    )


def _hall_monthly(request: Any) -> list[HallRow]:
    return reports.hall_monthly(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        month=_month(request),
        hall=_hall_code(request),
    )


def _what(request: Any) -> str:
    """The scope part of a filename: the hall, the branch, or ``all``."""
    return query(request, "hall") or query(request, "branch") or "all"


# ---- CSV downloads ----------------------------------------------------------
@routes(
    "/api/v1/reports/staff-monthly.csv",
    "GET",
    summary="Monthly staff ranking as CSV (per hall, or per branch with scope=branch)",
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES, LANG_QUERY),
    produces="text/csv",
)
def staff_monthly_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    report = _staff_monthly(request)
    lang = _lang(request)
    text = csv_export.to_csv(STAFF_COLUMNS, (staff_csv_row(r, lang) for r in report.rows), lang)
    scope = "branch-" if report.scope == "branch" else ""
    what = _what(request)
    return _download(text, lang, f"员工月度排名-{report.month}-{what}", f"staff-monthly-{report.month}-{scope}{what}")


@routes(
    "/api/v1/reports/hall-monthly.csv",
    "GET",
    summary="Monthly hall summary as CSV",
    query=(MONTH_QUERY, HALL_QUERY, LANG_QUERY),
    produces="text/csv",
)
def hall_monthly_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    rows = _hall_monthly(request)
    lang = _lang(request)
    text = csv_export.to_csv(HALL_COLUMNS, (hall_csv_row(r) for r in rows), lang)
    month, what = _month(request), _what(request)
    return _download(text, lang, f"营业厅月度汇总-{month}-{what}", f"hall-monthly-{month}-{what}")


@routes(
    "/api/v1/reports/ratings.csv",
    "GET",
    summary="The stored ratings of at most 31 days as CSV (phones masked)",
    query=(
        QueryParam("from", "first day, e.g. 2026-11-01", required=True),
        QueryParam("to", "last day (at most 31 days in all)", required=True),
        HALL_QUERY,
        LANG_QUERY,
    ),
    produces="text/csv",
)
def ratings_csv():  # type: ignore[no-untyped-def]
    request = routes.request
    first, last = _day(request, "from"), _day(request, "to")
    stored = reports.ratings_export(
        routes.principal(),
        composition.organisation(),
        composition.ratings(),
        first=first,
        last=last,
        hall=_hall_code(request),
    )
    lang = _lang(request)
    text = csv_export.to_csv(RATING_COLUMNS, capped(rating_csv_row(r, lang) for r in stored), lang)
    span, what = f"{first:%Y%m%d}-{last:%Y%m%d}", _what(request)
    return _download(text, lang, f"评价明细-{span}-{what}", f"ratings-{span}-{what}")


# ---- JSON for the console ---------------------------------------------------
@routes(
    "/api/v1/reports/staff-monthly",
    "GET",
    summary="Monthly staff ranking",
    response=StaffMonthlyOut,
    query=(MONTH_QUERY, HALL_QUERY, *SCOPE_QUERIES),
)
def staff_monthly():  # type: ignore[no-untyped-def]
    report = _staff_monthly(routes.request)
    body = StaffMonthlyOut(
        month=report.month,
        scope="branch" if report.scope == "branch" else "hall",
        min_ratings=report.min_ratings,
        items=[_staff_out(r) for r in report.rows],
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/hall-monthly",
    "GET",
    summary="Monthly hall summary",
    response=HallMonthlyOut,
    query=(MONTH_QUERY, HALL_QUERY),
)
def hall_monthly():  # type: ignore[no-untyped-def]
    request = routes.request
    rows = _hall_monthly(request)
    body = HallMonthlyOut(month=_month(request), items=[_hall_out(r) for r in rows])
    return json_response(body.model_dump(mode="json"))


def _days(request: Any) -> int:
    raw = query(request, "days")
    if raw is None:
        return 90
    if not raw.isdigit() or not 1 <= int(raw) <= reports.MAX_SERIES_DAYS:
        raise InvalidInput("Bad number of days.", {"days": f"a whole number from 1 to {reports.MAX_SERIES_DAYS}"})
    return int(raw)


@routes(
    "/api/v1/reports/halls/{hall_code}/daily",
    "GET",
    summary="A hall's ratings per day up to today (Asia/Shanghai)",
    response=DailyOut,
    query=(QueryParam("days", f"how many days, 1–{reports.MAX_SERIES_DAYS}; default 90"),),
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
        items=[DayOut(day=d, misuse=t.misuse, **_levels(t)) for d, t in series.days],
    )
    return json_response(body.model_dump(mode="json"))


@routes(
    "/api/v1/reports/halls/{hall_code}/heatmap",
    "GET",
    summary="A hall-month's ratings by ISO weekday and hour (cells without ratings left out)",
    response=HeatmapOut,
    query=(MONTH_QUERY,),
)
def heatmap(hall_code: str):  # type: ignore[no-untyped-def]
    month = _month(routes.request)
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
        cells.append(HeatCellOut(weekday=int(weekday), hour=int(hour), **_levels(tally)))
    return json_response(HeatmapOut(hall_code=found.hall.code, month=month, cells=cells).model_dump(mode="json"))


def _shares(parts: dict[str, Tally], total: int, labels: dict[str, tuple[str, str]], lang: str) -> list[ShareOut]:
    ordered = sorted(parts.items(), key=lambda kv: (-kv[1].n, kv[0]))
    return [
        ShareOut(key=k, label=label(labels, k, lang), share=rounded(t.n / total) if total else None, **_levels(t))
        for k, t in ordered
        if t.n
    ]


@routes(
    "/api/v1/reports/halls/{hall_code}/breakdown",
    "GET",
    summary="A hall-month's business types and dissatisfaction reasons, most frequent first",
    response=BreakdownOut,
    query=(MONTH_QUERY, QueryParam("lang", "en for English labels")),
)
def breakdown(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    month, lang = _month(request), _lang(request)
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
        business=_shares(found.parts[StatKind.business], total, BUSINESS_LABELS, lang),
        reasons=_shares(found.parts[StatKind.reason], total, REASON_LABELS, lang),
    )
    return json_response(body.model_dump(mode="json"))
