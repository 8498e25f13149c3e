"""Appeals (申诉复核) of ratings, and the day's ratings a manager appeals from."""

from __future__ import annotations

from chalicelib.domain import appeals as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.appeals import Appeal, AppealStatus, Ground
from chalicelib.domain.errors import NotFound
from chalicelib.domain.paging import Page
from chalicelib.domain.ratings import Rating
from chalicelib.services.ports import AppealRepository, Clock, RatingRepository


def ratings_of_day(
    actor: UserPrincipal, ratings: RatingRepository, hall_code: str, day: str, cursor: str | None, limit: int
) -> Page[Rating]:
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall_code)
    return ratings.day_page(hall_code, day, cursor, limit)


def lodge_appeal(
    actor: UserPrincipal,
    ratings: RatingRepository,
    appeals: AppealRepository,
    clock: Clock,
    rating_id: str,
    ground: Ground,
    note: str,
) -> Appeal:
    actor.require_role(Role.admin, Role.manager)
    rating = ratings.get_rating(rating_id)
    if rating is None or not actor.can_see_hall(rating.hall_code):
        raise NotFound(f"No rating {rating_id}.")
    appeal = rules.lodge(rating, ground, note, actor.username, clock.now())
    appeals.lodge(appeal)
    return appeal


def list_appeals(
    actor: UserPrincipal,
    appeals: AppealRepository,
    hall_code: str,
    status: AppealStatus,
    cursor: str | None,
    limit: int,
) -> Page[Appeal]:
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall_code)
    return appeals.list_by_hall(hall_code, status, cursor, limit)


def decide_appeal(
    actor: UserPrincipal,
    ratings: RatingRepository,
    appeals: AppealRepository,
    clock: Clock,
    rating_id: str,
    upheld: bool,
    note: str,
) -> Appeal:
    """Uphold (the rating leaves every score, atomically) or reject; never by the appellant."""
    actor.require_role(Role.admin, Role.manager)
    appeal = appeals.get(rating_id)
    if appeal is None or not actor.can_see_hall(appeal.hall_code):
        raise NotFound(f"No appeal of rating {rating_id}.")
    decided = rules.decide(appeal, upheld, note, actor.username, clock.now())
    appeals.decide(decided, ratings.get_rating(rating_id) if upheld else None)
    return decided
