"""Console: the dashboard. One hall's month (rates, levels, 90-day trend, heat
map, reasons, the suggestion box and the callback queue), or for someone with
several halls the month of each hall by branch. Everything comes from the
reports service's tallies, never from reading ratings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chalicelib import composition
from chalicelib.console import charts
from chalicelib.console.halls import halls_of
from chalicelib.console.layout import HALL_QUERY, ConsoleRoutes, Sent, lang_of, principal, render
from chalicelib.console.reports import MONTH_QUERY, month_filter
from chalicelib.domain.callbacks import CallbackRates, Flag
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.labels import LEVEL, REASON, label
from chalicelib.domain.reports import counts_of
from chalicelib.domain.stats import StatKind, Tally
from chalicelib.services import callbacks, reports, suggestions
from chalicelib.web import params
from chalicelib.web.requests import query

routes = ConsoleRoutes(__name__)
TREND_DAYS = 90
QUEUE_READ = 200


@routes.page(
    "/console/dashboard",
    summary="The dashboard: a hall's month, or every hall of yours by branch",
    query=(HALL_QUERY, MONTH_QUERY),
    statuses=(404,),
)
def dashboard():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    hall = query(request, "hall")
    if hall is not None and not params.HALL_CODE.match(hall):
        raise InvalidInput("Bad hall code.", {"hall": "a hall code"}, reason=Reason("hall_code"))
    if hall is None and len(actor.halls) == 1 and actor.role.value != "admin":
        (hall,) = actor.halls
    month, refused = month_filter(request)
    if hall is None:
        return _overview(request, actor, month, refused)
    return _hall(request, actor, hall, month, refused)


def _overview(request: Any, actor: Any, month: str, sent: Sent | None) -> Any:
    rows = reports.hall_monthly(actor, composition.organisation(), composition.ratings(), month=month)
    branches: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        branches[row.hall.branch].append(row)
    totals = {name: sum((r.tally for r in group), Tally()) for name, group in branches.items()}
    return render(
        request,
        "overview.html",
        sent=sent,
        section="dashboard",
        month=month,
        branches=sorted(branches.items()),
        totals=totals,
        company=sum(totals.values(), Tally()),
    )


def _queue(actor: Any, hall: str) -> dict[str, int]:
    page = callbacks.list_tasks(actor, composition.callback_ports(), hall, None, None, QUEUE_READ)
    return {
        "active": len(page.items),
        "overdue": sum(Flag.overdue in t.flags for t in page.items),
        "at_risk": sum(Flag.at_risk in t.flags for t in page.items),
        "more": page.next is not None,
    }


def _callback_rates(hall: str, month: str) -> CallbackRates:
    """回访率, 整改率 and 回访满意率 of the hall-month, from its CALLBACKS tally (one Query;
    read after ``reports.hall_monthly`` has checked the user may see the hall)."""
    tallies = composition.ratings().tallies_of_kind(hall, month, StatKind.callbacks)
    return CallbackRates(counts_of(tallies, StatKind.callbacks))


def _hall(request: Any, actor: Any, hall: str, month: str, sent: Sent | None) -> Any:
    lang = lang_of(request)
    org, tallies = composition.organisation(), composition.ratings()
    (row,) = reports.hall_monthly(actor, org, tallies, month=month, hall=hall)
    series = reports.daily_series(actor, org, tallies, composition.clock(), hall=hall, days=TREND_DAYS)
    found = reports.hall_breakdown(
        actor, org, tallies, hall=hall, month=month, kinds=(StatKind.reason, StatKind.hour, StatKind.business)
    )
    box = suggestions.suggestion_box_state(
        actor, composition.suggestions(), org, composition.clock(), composition.working_days(), hall
    )
    total = row.tally
    levels = [(str(v), label(LEVEL, v, lang), getattr(total, f"n{v}")) for v in (5, 4, 3, 2, 1)]
    reasons = [(k, label(REASON, k, lang), t.n) for k, t in found.parts[StatKind.reason].items() if t.n]
    return render(
        request,
        "dashboard.html",
        sent=sent,
        section="dashboard",
        halls=halls_of(actor),
        hall=row.hall,
        month=month,
        row=row,
        trend=charts.trend(series.days),
        levels=charts.shares(levels, total.n) if total.n else [],
        reasons=charts.shares(reasons, total.n, limit=5),
        heat=charts.heatmap(found.parts[StatKind.hour], lang),
        box=box,
        queue=_queue(actor, hall),
        callback_rates=_callback_rates(row.hall.code, month),
    )
