"""A hall's ratings of a day, and appeals (申诉复核) against single ratings."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.api.schemas import AppealOut, DecisionIn, RatingOut
from chalicelib.domain.appeals import Appeal, AppealStatus
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.privacy import mask_personal_data, mask_phone
from chalicelib.domain.ratings import Rating
from chalicelib.inputs import AppealIn
from chalicelib.services import appeals
from chalicelib.web import params
from chalicelib.web.requests import page_args, parse_json, query
from chalicelib.web.responses import json_response
from chalicelib.web.routing import DAY, HALL_CODE, PAGING, QueryParam, Routes, schema
from chalicelib.web.schemas import ListOf

routes = Routes(__name__, tag="appeals")
HALL_QUERY = QueryParam("hall", "hall code", required=True, schema=HALL_CODE)


def _required(name: str, example: str) -> str:
    value = query(routes.request, name)
    if value is None:
        raise InvalidInput(f"Say which {name}.", {name: f"required, e.g. {example}"})
    return value


def _rating(r: Rating) -> dict[str, object]:
    out = RatingOut.model_validate(
        r.model_dump(mode="json")
        | {
            "comment": mask_personal_data(r.comment) if r.comment else None,
            "phone": mask_phone(r.phone) if r.phone else None,
        }
    )
    return out.model_dump(mode="json")


def _appeal(a: Appeal) -> dict[str, object]:
    return AppealOut.model_validate(a.model_dump()).model_dump(mode="json")


@routes(
    "/api/v1/ratings",
    "GET",
    summary="A hall's ratings of one day (Asia/Shanghai), in time order",
    response=ListOf[RatingOut],
    query=(HALL_QUERY, QueryParam("day", "YYYY-MM-DD (Asia/Shanghai)", required=True, schema=DAY), *PAGING),
)
def list_ratings():  # type: ignore[no-untyped-def]
    hall, day = _required("hall", "A01"), _required("day", "2026-11-24")
    if params.iso_day(day) is None:
        raise InvalidInput("Days are YYYY-MM-DD.", {"day": "not a date like 2026-11-24"})
    cursor, limit = page_args(routes.request)
    page = appeals.ratings_of_day(routes.principal(), composition.ratings(), hall, day, cursor, limit)
    return json_response({"items": [_rating(r) for r in page.items], "next": page.next})


@routes(
    "/api/v1/ratings/{rating_id}/appeal",
    "POST",
    summary="Appeal a rating as malicious or mistaken",
    status=201,
    request=AppealIn,
    response=AppealOut,
    statuses=(409,),
)
def lodge(rating_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, AppealIn)
    appeal = appeals.lodge_appeal(
        routes.principal(),
        composition.ratings(),
        composition.appeals(),
        composition.clock(),
        rating_id,
        body.ground,
        body.note,
    )
    return json_response(_appeal(appeal), status=201)


@routes(
    "/api/v1/appeals",
    "GET",
    summary="A hall's appeals in one status (pending unless status=)",
    response=ListOf[AppealOut],
    query=(
        HALL_QUERY,
        QueryParam(
            "status", "pending (default), upheld or rejected", schema=schema(enum=[s.value for s in AppealStatus])
        ),
        *PAGING,
    ),
)
def list_appeals():  # type: ignore[no-untyped-def]
    raw = query(routes.request, "status") or AppealStatus.pending.value
    try:
        status = AppealStatus(raw)
    except ValueError:
        raise InvalidInput("Unknown status.", {"status": "pending, upheld or rejected"}) from None
    cursor, limit = page_args(routes.request)
    page = appeals.list_appeals(
        routes.principal(), composition.appeals(), _required("hall", "A01"), status, cursor, limit
    )
    return json_response({"items": [_appeal(a) for a in page.items], "next": page.next})


@routes(
    "/api/v1/appeals/{rating_id}/decide",
    "POST",
    summary="Uphold (the rating leaves every score) or reject; never by the appellant",
    request=DecisionIn,
    response=AppealOut,
    statuses=(409,),
)
def decide(rating_id: str):  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, DecisionIn)
    decided = appeals.decide_appeal(
        routes.principal(),
        composition.ratings(),
        composition.appeals(),
        composition.clock(),
        rating_id,
        body.upheld,
        body.note,
    )
    return json_response(_appeal(decided))
