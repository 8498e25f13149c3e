"""The ports services depend on; adapters (DynamoDB) and test fakes satisfy them."""

from __future__ import annotations

import collections
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from chalicelib.domain.accounts import User
from chalicelib.domain.appeals import Appeal, AppealStatus
from chalicelib.domain.callbacks import CallbackTask
from chalicelib.domain.callbacks import Status as CallbackStatus
from chalicelib.domain.notifications import Notification
from chalicelib.domain.organisation import Counter, Device, Hall, Staff
from chalicelib.domain.outreach import HallTally, OutreachEvent, Snapshot
from chalicelib.domain.paging import Page
from chalicelib.domain.ratings import Rating
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.domain.suggestions import AttemptWindow, BoxOpening, Suggestion, SuggestionStatus


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class OrganisationRepository(Protocol):
    """Halls, counters, staff and devices. ``add_*`` raise Conflict on a taken key."""

    def add_hall(self, hall: Hall) -> None: ...
    def get_hall(self, code: str) -> Hall | None: ...
    def list_halls(self, cursor: str | None, limit: int) -> Page[Hall]: ...

    def add_counter(self, counter: Counter) -> None: ...
    def get_counter(self, hall_code: str, number: int) -> Counter | None: ...
    def list_counters(self, hall_code: str) -> list[Counter]: ...

    def add_staff(self, staff: Staff) -> None: ...
    def get_staff(self, staff_no: str) -> Staff | None: ...
    def list_staff(self, hall_code: str, cursor: str | None, limit: int) -> Page[Staff]: ...

    def add_device(self, device: Device) -> None: ...
    def get_device(self, device_id: str) -> Device | None: ...
    def list_devices(self, hall_code: str) -> list[Device]: ...
    def revoke_device(self, device_id: str, at: datetime) -> Device:
        """Mark revoked (idempotent); NotFound when there is no such device."""
        ...


class UserRepository(Protocol):
    def add_user(self, user: User) -> None: ...
    def get_user(self, username: str) -> User | None: ...
    def list_users(self, cursor: str | None, limit: int) -> Page[User]: ...
    def any_admin(self) -> bool: ...


class TallyReader(Protocol):
    """The pre-aggregated tallies that reports read (the rating repository is one)."""

    def tallies_of_kind(self, hall_code: str, month: str, kind: StatKind) -> dict[StatKey, collections.Counter[str]]:
        """One kind of one hall-month, every shard (one Query on a key prefix); no item, no entry."""
        ...


class RatingRepository(TallyReader, Protocol):
    """Ratings and the tallies they feed (read back one kind at a time, as a TallyReader)."""

    def save_batch(self, ratings: Sequence[Rating]) -> dict[str, str]:
        """Store new ratings and the tallies they feed, atomically per rating.

        Ids must be unique within the call. Answers each id's status:
        ``created``, or ``duplicate`` when the id was stored before (then
        nothing changes). Never stores a rating without its tallies.
        """
        ...

    def get_rating(self, rating_id: str) -> Rating | None: ...
    def ratings_of_day(self, hall_code: str, day: str) -> Iterator[Rating]: ...
    def day_page(self, hall_code: str, day: str, cursor: str | None, limit: int) -> Page[Rating]:
        """A hall's ratings of one Asia/Shanghai day, in time order, a page at a time."""
        ...

    def last_press(self, device_id: str) -> datetime | None: ...
    def record_press(self, device_id: str, at: datetime) -> None:
        """Remember the device's latest press (keeps the later of stored and ``at``)."""
        ...


class ShiftRepository(Protocol):
    def sign_in(self, hall_code: str, counter_number: int, staff_no: str, at: datetime) -> None: ...
    def sign_out(self, hall_code: str, counter_number: int) -> None: ...
    def signed_in(self, hall_code: str, counter_number: int) -> str | None: ...


class RateLimiter(Protocol):
    def allow(self, scope: str, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
        """Count one hit in the current fixed window; False once ``limit`` is passed."""
        ...


class OutreachRepository(Protocol):
    """五进 events, the per-hall counters they feed, and published snapshots."""

    def add_event(self, event: OutreachEvent) -> None:
        """Store the event and add it to its hall's counters, atomically; Conflict if its id is taken."""
        ...

    def get_event(self, event_id: str) -> OutreachEvent | None: ...

    def list_events(self, quarter: str, hall_code: str, cursor: str | None, limit: int) -> Page[OutreachEvent]:
        """A hall's events of a quarter, by date."""
        ...

    def quarter_events(self, quarter: str) -> list[OutreachEvent]:
        """Every event of a quarter, by hall then date."""
        ...

    def tallies(self, quarter: str) -> dict[str, HallTally]:
        """The counters of every hall with at least one event in the quarter, by hall code."""
        ...

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Store a publication; Conflict if its version is taken (never overwrites),
        PayloadTooLarge if it is too large to store."""
        ...

    def latest_version(self, quarter: str) -> int:
        """The highest published version, 0 before the first."""
        ...

    def get_snapshot(self, quarter: str, version: int) -> Snapshot | None: ...


class SuggestionRepository(Protocol):
    """The suggestion box. Status changes are conditional on the status read (Conflict if it moved)."""

    def add(self, suggestion: Suggestion) -> None:
        """Store a new suggestion; Conflict if its tracking number is taken."""
        ...

    def get(self, suggestion_id: str) -> Suggestion | None: ...
    def get_by_tracking_no(self, tracking_no: str) -> Suggestion | None: ...
    def list_by_hall(
        self, hall_code: str, statuses: tuple[SuggestionStatus, ...], cursor: str | None, limit: int
    ) -> Page[Suggestion]:
        """Newest first across the given statuses."""
        ...

    def oldest_new(self, hall_code: str, limit: int) -> list[Suggestion]: ...
    def update(self, suggestion: Suggestion, expected: SuggestionStatus) -> None:
        """Save a status change; Conflict unless the stored status is still ``expected``."""
        ...

    def record_box_opening(self, opening: BoxOpening) -> None: ...
    def contacts_to_purge(self, closed_before: datetime, limit: int) -> list[Suggestion]:
        """Closed suggestions, closed at or before the given instant, that still hold a name or phone."""
        ...

    def purge_contact(self, suggestion: Suggestion) -> None:
        """Remove the name and phone of a suggestion (nothing when it is not stored)."""
        ...

    def last_box_opening(self, hall_code: str) -> BoxOpening | None: ...
    def tracking_failures(self, tracking_no: str, window: AttemptWindow, now: datetime) -> int: ...
    def add_tracking_failure(self, tracking_no: str, window: AttemptWindow) -> int:
        """Count one wrong guess in the window; the new count."""
        ...


class CallbackRepository(Protocol):
    def create(self, task: CallbackTask, tallies: Mapping[StatKey, collections.Counter[str]]) -> bool:
        """Store a new task and add ``tallies``; False (and no change) when its source has one already."""
        ...

    def get(self, task_id: str) -> CallbackTask | None: ...
    def list_by_hall(
        self, hall_code: str, status: CallbackStatus | None, cursor: str | None, limit: int
    ) -> Page[CallbackTask]:
        """Earliest due first."""
        ...

    def save(
        self,
        task: CallbackTask,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, collections.Counter[str]] | None = None,
    ) -> None:
        """Store ``task`` (whose version is one more than the stored one; Conflict if another
        write came first), with ``notify`` written to the outbox and ``tallies`` added in the
        same transaction."""
        ...

    def due_for_check(self, now: datetime, limit: int) -> list[CallbackTask]:
        """Open tasks whose flags may have changed by ``now``."""
        ...

    def phones_to_purge(self, now: datetime, limit: int) -> list[CallbackTask]: ...
    def purge_phone(self, task: CallbackTask) -> None:
        """Remove the phone number from the task and from its source."""
        ...


class Outbox(Protocol):
    def put(self, notification: Notification) -> bool:
        """Store a notification to send; False when one with its id exists."""
        ...


class Publisher(Protocol):
    def publish(self, notification: Notification) -> None:
        """Deliver a stored notification (SNS in AWS; a log line locally)."""
        ...


class CalendarRepository(Protocol):
    def overrides(self) -> dict[date, bool]: ...
    def set_override(self, day: date, working: bool, by: str) -> None: ...
    def remove_override(self, day: date) -> None: ...


class AppealRepository(Protocol):
    def lodge(self, appeal: Appeal) -> None:
        """Store a new appeal; Conflict when the rating has one already."""
        ...

    def get(self, rating_id: str) -> Appeal | None: ...
    def list_by_hall(self, hall_code: str, status: AppealStatus, cursor: str | None, limit: int) -> Page[Appeal]: ...
    def decide(self, appeal: Appeal, rating: Rating | None) -> None:
        """Store a decision of a pending appeal (Conflict if decided meanwhile or never lodged); with
        ``rating`` (upheld), mark it so and take it out of the tallies in the same transaction
        (Conflict, and nothing changes, if the rating is not stored or left the scores already)."""
        ...
