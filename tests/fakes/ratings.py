"""In-memory ratings, tallies, shifts and rate limits.

A device's presses are kept by minute with a version each, as the DynamoDB
repository keeps them, so a window read before another batch's write is
refused (``changed``) here too.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from chalicelib.domain.paging import Page
from chalicelib.domain.presses import Press
from chalicelib.domain.ratings import Rating
from chalicelib.domain.shifts import ClerkPlace, ShiftEvent
from chalicelib.domain.stats import StatKey, StatKind, difference, merge
from chalicelib.services.ports import PressWindow, SaveOutcome
from tests.fakes.organisation import page_of


class InMemoryRatingRepository:
    def __init__(self) -> None:
        self.ratings: dict[str, Rating] = {}
        self.tallies: dict[StatKey, collections.Counter[str]] = {}
        self.minutes: dict[tuple[str, str], tuple[int, dict[str, Press]]] = {}

    def save_batch(self, ratings: Sequence[Rating]) -> dict[str, str]:
        statuses: dict[str, str] = {}
        for r in ratings:
            if r.id in statuses:  # an id given twice counts once: the first
                continue
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

    def presses_near(self, device_id: str, times: Sequence[datetime], min_interval: timedelta) -> PressWindow:
        versions: dict[str, int] = {}
        presses: list[Press] = []
        for key in _minutes_near(times, min_interval):
            version, stored = self.minutes.get((device_id, key), (0, {}))
            versions[key] = version
            presses += stored.values()
        return PressWindow(device_id, tuple(presses), versions, min_interval)

    def save_presses(self, window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating]) -> SaveOutcome:
        duplicates = tuple(r.id for r in ratings if r.id in self.ratings)
        if duplicates:
            return SaveOutcome(duplicates=duplicates)
        # Only the minutes around these ratings decide their flags: those must be as read.
        near = _minutes_near([r.rated_at for r in ratings], window.min_interval)
        if not near <= window.versions.keys():
            raise ValueError("the window does not cover these ratings")
        read = all(self.minutes.get((window.device_id, k), (0, {}))[0] == window.versions[k] for k in near)
        if not read or any(self.ratings[t.id] != t for t in turned):
            return SaveOutcome(changed=True)
        touched = {_minute(r.rated_at) for r in (*ratings, *turned)}
        for r in ratings:
            self._press(window.device_id, Press(r.rated_at, r.id, r.misuse))
        for before in turned:
            after = before.model_copy(update={"misuse": True})
            self.ratings[after.id] = after
            self._press(window.device_id, Press(after.rated_at, after.id, True))
            for key, delta in difference(before, after).items():
                self.tallies.setdefault(key, collections.Counter()).update(delta)
        for minute in touched:  # a minute written moves to its next version
            version, stored = self.minutes[(window.device_id, minute)]
            self.minutes[(window.device_id, minute)] = (version + 1, stored)
        self.save_batch(ratings)
        # The window after the write, worked out from the window read, as the DynamoDB repository does.
        flipped = {t.id for t in turned}
        presses = [Press(p.rated_at, p.id, p.misuse or p.id in flipped) for p in window.presses]
        presses += [Press(r.rated_at, r.id, r.misuse) for r in ratings]
        versions = {k: v + 1 if k in touched else v for k, v in window.versions.items()}
        return SaveOutcome(window=PressWindow(window.device_id, tuple(presses), versions, window.min_interval))

    def _press(self, device_id: str, press: Press) -> None:
        version, stored = self.minutes.get((device_id, _minute(press.rated_at)), (0, {}))
        self.minutes[(device_id, _minute(press.rated_at))] = (version, {**stored, press.id: press})


def _minute(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _minutes_near(times: Sequence[datetime], min_interval: timedelta) -> set[str]:
    found: set[str] = set()
    for at in times:
        minute = (at - min_interval).astimezone(UTC).replace(second=0, microsecond=0)
        while minute <= at + min_interval:
            found.add(_minute(minute))
            minute += timedelta(minutes=1)
    return found


class InMemoryShiftRepository:
    def __init__(self) -> None:
        self.events: dict[tuple[str, int], set[ShiftEvent]] = {}
        self.places: dict[str, ClerkPlace] = {}

    def record(self, hall_code: str, counter_number: int, event: ShiftEvent) -> None:
        self.events.setdefault((hall_code, counter_number), set()).add(event)

    def history(self, hall_code: str, counter_number: int, first: datetime, last: datetime) -> list[ShiftEvent]:
        known = sorted(self.events.get((hall_code, counter_number), set()), key=lambda e: e.order)
        before = [e for e in known if e.at <= first]
        return before[-1:] + [e for e in known if first < e.at <= last]

    def place_of(self, staff_no: str) -> ClerkPlace | None:
        return self.places.get(staff_no)

    def move(self, staff_no: str, place: ClerkPlace) -> None:
        known = self.places.get(staff_no)
        if known is None or known.at <= place.at:
            self.places[staff_no] = place


class InMemoryRateLimiter:
    def __init__(self) -> None:
        self.hits: collections.Counter[tuple[str, str, int]] = collections.Counter()

    def allow(self, scope: str, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
        epoch = int(now.timestamp())
        window = (scope, key, epoch - epoch % window_seconds)
        self.hits[window] += 1
        return self.hits[window] <= limit
