"""In-memory unrated visits, counted in the tallies of an in-memory rating repository."""

from __future__ import annotations

import collections
from collections.abc import Sequence

from chalicelib.domain.unrated import UnratedVisit
from tests.fakes.ratings import InMemoryRatingRepository


class InMemoryUnratedRepository:
    def __init__(self, ratings: InMemoryRatingRepository) -> None:
        self.visits: dict[str, UnratedVisit] = {}
        self.tallies = ratings.tallies  # reports read the same tallies

    def save_visits(self, visits: Sequence[UnratedVisit]) -> dict[str, str]:
        statuses: dict[str, str] = {}
        for v in visits:
            if v.id in statuses:
                continue
            if v.id in self.visits:
                statuses[v.id] = "duplicate"
                continue
            self.visits[v.id] = v
            for key, inc in v.contributions().items():
                self.tallies.setdefault(key, collections.Counter()).update(inc)
            statuses[v.id] = "created"
        return statuses
