"""In-memory appeals; an upheld one changes the rating and its tallies in the ratings fake."""

from __future__ import annotations

from chalicelib.domain.appeals import Appeal, AppealStatus
from chalicelib.domain.errors import Conflict
from chalicelib.domain.paging import Page
from chalicelib.domain.ratings import Rating
from chalicelib.domain.stats import difference
from tests.fakes.organisation import page_of
from tests.fakes.ratings import InMemoryRatingRepository


class InMemoryAppealRepository:
    def __init__(self, ratings: InMemoryRatingRepository | None = None) -> None:
        self.appeals: dict[str, Appeal] = {}
        self.ratings = ratings or InMemoryRatingRepository()

    def lodge(self, appeal: Appeal) -> None:
        if appeal.rating_id in self.appeals:
            raise Conflict("The rating has an appeal already.")
        self.appeals[appeal.rating_id] = appeal

    def get(self, rating_id: str) -> Appeal | None:
        return self.appeals.get(rating_id)

    def list_by_hall(self, hall_code: str, status: AppealStatus, cursor: str | None, limit: int) -> Page[Appeal]:
        keyed = {
            f"{a.created_at.isoformat()}#{a.rating_id}": a
            for a in self.appeals.values()
            if a.hall_code == hall_code and a.status is status
        }
        return page_of(keyed, cursor, limit)

    def decide(self, appeal: Appeal, rating: Rating | None) -> None:
        lodged = self.appeals.get(appeal.rating_id)
        if lodged is None or lodged.status is not AppealStatus.pending:
            raise Conflict("The appeal was decided meanwhile.")
        if rating is not None:
            stored = self.ratings.ratings.get(rating.id)
            # Its misuse flag must be as read (a late press may have turned it since).
            if stored is None or stored.appeal_upheld or stored.misuse != rating.misuse:
                raise Conflict(f"Rating {appeal.rating_id} is gone or has left the scores already.")
            upheld = stored.model_copy(update={"appeal_upheld": True})
            for key, inc in difference(stored, upheld).items():
                self.ratings.tallies.setdefault(key, type(inc)()).update(inc)
            self.ratings.ratings[rating.id] = upheld
        self.appeals[appeal.rating_id] = appeal
