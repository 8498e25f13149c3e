"""Console: a hall's ratings of a day and the appeals against them (申诉复核).

Lodge an appeal from a scored rating (恶意评价 / 误评), then someone other than
the appellant upholds or rejects it. The same service calls as
/api/v1/ratings and /api/v1/appeals, so roles, halls and the appellant rule are
the service's; comments are shown with personal data masked.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from chalicelib import composition
from chalicelib.console.callbacks import local
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    LIST_QUERY,
    ConsoleRoutes,
    Sent,
    filter_of,
    form_of,
    lang_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain.accounts import Role
from chalicelib.domain.appeals import Appeal, AppealStatus, Ground
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.labels import CHANNEL, LEVEL, RATING_STATUS, REASON, label
from chalicelib.domain.privacy import mask_personal_data
from chalicelib.domain.ratings import Rating
from chalicelib.domain.reports import rating_status
from chalicelib.inputs import AppealIn
from chalicelib.services import appeals
from chalicelib.web.requests import query
from chalicelib.web.routing import DAY, QueryParam, schema
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)
PAGE_SIZE = 50
APPEALS_PAGE_SIZE = 20
PENDING_READ = 200  # pending appeals read to mark the day's ratings "appealed"
DAY_QUERY = QueryParam("day", "YYYY-MM-DD (default: today, Asia/Shanghai)", schema=DAY)
STATUS_QUERY = QueryParam(
    "status", "pending (default), upheld or rejected", schema=schema(enum=[s.value for s in AppealStatus])
)
# The forms post to actions carrying their page's query, so a refused form shows that page again.
RATINGS_QUERY = (*LIST_QUERY, DAY_QUERY)
APPEALS_QUERY = (*LIST_QUERY, STATUS_QUERY)


class DecisionForm(Strict):
    decision: Literal["uphold", "reject"]
    note: str = Field(default="", max_length=1000)


def _today() -> str:
    return today_in_shanghai(composition.clock().now()).isoformat()


def _day(request: Any) -> str:
    raw = query(request, "day")
    if raw is None:
        return _today()
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise InvalidInput(
            "Days are YYYY-MM-DD.", {"day": "a date like 2026-11-24"}, reason=Reason("date_format")
        ) from None


def _status(raw: str | None) -> AppealStatus:
    try:
        return AppealStatus(raw or AppealStatus.pending.value)
    except ValueError:
        raise InvalidInput(
            "Unknown status.", {"status": "pending, upheld or rejected"}, reason=Reason("enum")
        ) from None


def _rating_row(r: Rating, lang: str, pending: set[str]) -> dict[str, Any]:
    """A rating as the lists show it: time to the second, short id and status tell apart
    ratings of one minute (the full id is the CSV's ``id``)."""
    status = rating_status(r)
    return {
        "rating": r,
        "time": r.local_time.strftime("%H:%M:%S"),
        "short_id": r.id[:8],
        "status": status.value,
        "status_label": label(RATING_STATUS, status, lang),
        "level": label(LEVEL, r.level, lang),
        "channel": label(CHANNEL, r.channel, lang),
        "reasons": [label(REASON, x, lang) for x in r.reasons],
        "comment": mask_personal_data(r.comment) if r.comment else "",
        "pending": r.id in pending,
    }


@routes.page("/console/ratings", summary="A hall's ratings of one day, to appeal from", query=RATINGS_QUERY)
def ratings_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    actor.require_role(Role.admin, Role.manager)
    day, refused = filter_of(request, "day-filter", lambda: _day(request), _today)
    return _ratings(request, actor, day, refused)


def _ratings(request: Any, actor: Any, day: str, sent: Sent | None = None) -> Any:
    """The day's ratings of the page's hall; ``sent``: a form refused (the day filter or an appeal)."""
    hall = hall_param(request, actor)
    page, pending = None, set()
    if hall is not None:
        page = appeals.ratings_of_day(actor, composition.ratings(), hall, day, query(request, "cursor"), PAGE_SIZE)
        waiting = appeals.list_appeals(actor, composition.appeals(), hall, AppealStatus.pending, None, PENDING_READ)
        pending = {a.rating_id for a in waiting.items}
    lang = lang_of(request)
    return render(
        request,
        "ratings.html",
        sent=sent,
        page="/console/ratings",
        cursor=query(request, "cursor"),
        section="ratings",
        halls=halls_of(actor),
        hall=hall,
        day=day,
        rows=[_rating_row(r, lang, pending) for r in page.items] if page else [],
        next=page.next if page else None,
        grounds=[g.value for g in Ground],
        local=local,
    )


def _appealed(found: list[Appeal], lang: str) -> dict[str, dict[str, Any]]:
    """The appealed ratings, for the decider to see what is at stake. The appeals
    were listed through the service for a hall the user may see, and an appeal
    belongs to its rating's hall, so these reads show nothing beyond that hall."""
    ratings = composition.ratings()
    rows = {}
    for appeal in found:
        rating = ratings.get_rating(appeal.rating_id)
        if rating is not None and rating.hall_code == appeal.hall_code:
            rows[appeal.rating_id] = _rating_row(rating, lang, set())
    return rows


@routes.page("/console/appeals", summary="A hall's appeals, to decide", query=APPEALS_QUERY)
def appeals_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    actor.require_role(Role.admin, Role.manager)
    return _appeals(request, actor)


def _appeals(request: Any, actor: Any, sent: Sent | None = None) -> Any:
    """The page's hall's appeals of the page's status; ``sent``: a decision refused, as typed."""
    hall, status = hall_param(request, actor), _status(query(request, "status"))
    page = None
    if hall is not None:
        page = appeals.list_appeals(
            actor, composition.appeals(), hall, status, query(request, "cursor"), APPEALS_PAGE_SIZE
        )
    items = list(page.items) if page else []
    return render(
        request,
        "appeals.html",
        sent=sent,
        page="/console/appeals",
        cursor=query(request, "cursor"),
        section="appeals",
        halls=halls_of(actor),
        hall=hall,
        shown=status.value,
        statuses=[s.value for s in AppealStatus],
        appeals=items,
        ratings=_appealed(items, lang_of(request)),
        next=page.next if page else None,
        local=local,
        done=query(request, "done"),
    )


@routes.action(
    "/console/ratings/{rating_id}/appeal",
    summary="Appeal a rating as malicious or mistaken (refused: the day's ratings again, the form as typed)",
    request=AppealIn,
    query=RATINGS_QUERY,
    statuses=(409,),
)
def lodge(rating_id: str):  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        body = form_of(request, AppealIn)
        appeal = appeals.lodge_appeal(
            principal(request),
            composition.ratings(),
            composition.appeals(),
            composition.clock(),
            rating_id,
            body.ground,
            body.note,
        )
        return redirect(request, "/console/appeals", hall=appeal.hall_code, done="lodged")

    def show(sent: Sent) -> Any:
        actor = principal(request)
        actor.require_role(Role.admin, Role.manager)
        day, _ = filter_of(request, "day-filter", lambda: _day(request), _today)
        return _ratings(request, actor, day, sent)

    return submit(request, f"appeal-{rating_id}", act, show)


@routes.action(
    "/console/appeals/{rating_id}/decide",
    summary="Uphold or reject an appeal, not by its appellant (refused: the appeals again, the form as typed)",
    request=DecisionForm,
    query=APPEALS_QUERY,
    statuses=(409,),
)
def decide(rating_id: str):  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        body = form_of(request, DecisionForm)
        decided = appeals.decide_appeal(
            principal(request),
            composition.ratings(),
            composition.appeals(),
            composition.clock(),
            rating_id,
            body.decision == "uphold",
            body.note,
        )
        return redirect(request, "/console/appeals", hall=decided.hall_code, done=decided.status.value)

    def show(sent: Sent) -> Any:
        actor = principal(request)
        actor.require_role(Role.admin, Role.manager)
        return _appeals(request, actor, sent)

    return submit(request, f"decide-{rating_id}", act, show)
