"""In-memory ratings, tallies, shifts and rate limits."""

from __future__ import annotations

import collections
from collections.abc import Iterator, Sequence
from datetime import datetime

from chalicelib.domain.paging import Page
from chalicelib.domain.ratings import Rating
from chalicelib.domain.stats import StatKey, StatKind, merge
from tests.fakes.organisation import page_of


class InMemoryRatingRepository:
    def __init__(self) -> None:
        self.ratings: dict[str, Rating] = {}
        self.tallies: dict[StatKey, collections.Counter[str]] = {}
        self.presses: dict[str, datetime] = {}

    def save_batch(self, ratings: Sequence[Rating]) -> dict[str, str]:
        statuses = {}
        for r in ratings:
            if r.id in self.ratings:
                statuses[r.id] = "duplicate"
                continue
            self.ratings[r.id] = r
            for key, inc in merge([r]).items():
                self.tallies.setdefault(key, collections.Counter()).update(inc)
            statuses[r.id] = "created"
        return statuses

    def get_rating(self, rating_id: str) -> Rating | None:
        return self.ratings.get(rating_id)

    def ratings_of_day(self, hall_code: str, day: str) -> Iterator[Rating]:
        found = [r for r in self.ratings.values() if r.hall_code == hall_code and r.day == day]
        return iter(sorted(found, key=lambda r: (r.rated_at, r.id)))

    def day_page(self, hall_code: str, day: str, cursor: str | None, limit: int) -> Page[Rating]:
        keyed = {f"{r.rated_at.isoformat()}#{r.id}": r for r in self.ratings_of_day(hall_code, day)}
        return page_of(keyed, cursor, limit)

    def tallies_of_kind(self, hall_code: str, month: str, kind: StatKind) -> dict[StatKey, collections.Counter[str]]:
        return {
            k: collections.Counter(v)
            for k, v in self.tallies.items()
            if (k.hall_code, k.month, k.kind) == (hall_code, month, kind)
        }

    def last_press(self, device_id: str) -> datetime | None:
        return self.presses.get(device_id)

    def record_press(self, device_id: str, at: datetime) -> None:
        if device_id not in self.presses or self.presses[device_id] < at:
            self.presses[device_id] = at


class InMemoryShiftRepository:
    def __init__(self) -> None:
        self.shifts: dict[tuple[str, int], str] = {}

    def sign_in(self, hall_code: str, counter_number: int, staff_no: str, at: datetime) -> None:
        self.shifts[(hall_code, counter_number)] = staff_no

    def sign_out(self, hall_code: str, counter_number: int) -> None:
        self.shifts.pop((hall_code, counter_number), None)

    def signed_in(self, hall_code: str, counter_number: int) -> str | None:
        return self.shifts.get((hall_code, counter_number))


class InMemoryRateLimiter:
    def __init__(self) -> None:
        self.hits: collections.Counter[tuple[str, str, int]] = collections.Counter()

    def allow(self, scope: str, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
        epoch = int(now.timestamp())
        window = (scope, key, epoch - epoch % window_seconds)
        self.hits[window] += 1
        return self.hits[window] <= limit
