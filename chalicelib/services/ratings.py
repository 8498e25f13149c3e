"""Taking in ratings: device batches, QR ratings, and the clerk signed in at a counter."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.errors import Deactivated, DomainError, InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.form_keys import derived_id
from chalicelib.domain.organisation import Hall
from chalicelib.domain.ratings import (
    BAD_UP_TO_LEVEL,
    DEFAULT_MIN_PRESS_INTERVAL,
    Business,
    Channel,
    Rating,
    Reason,
    rated_at_problem,
    relevant_reasons,
)
from chalicelib.domain.shifts import on_shift
from chalicelib.services.organisation import rating_counter, taking_ratings
from chalicelib.services.ports import (
    Clock,
    DeviceBatchReader,
    DeviceBatchReads,
    OrganisationRepository,
    RateLimiter,
    RatingRepository,
    ShiftRepository,
)
from chalicelib.services.presses import PRESS_CHUNK, store_presses
from chalicelib.services.shifts import clerk_at

MAX_BATCH = 100


@dataclass(frozen=True)
class Ports:
    org: OrganisationRepository
    ratings: RatingRepository
    shifts: ShiftRepository
    clock: Clock
    batch_reads: DeviceBatchReader


@dataclass(frozen=True)
class DevicePress:
    """One rating as a device sends it, already well-formed."""

    id: str
    level: int
    rated_at: datetime  # timezone-aware
    staff_no: str | None = None
    business: Business | None = None
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Unreadable:
    """An item that failed validation before it reached the rules."""

    id: str | None
    error: InvalidInput


@dataclass(frozen=True)
class ItemResult:
    id: str | None
    status: str  # created | duplicate | rejected
    error: DomainError | None = None


def ingest_device_batch(
    device: DevicePrincipal,
    items: list[DevicePress | Unreadable],
    ports: Ports,
    min_press_interval: timedelta = DEFAULT_MIN_PRESS_INTERVAL,
    chunk_size: int = PRESS_CHUNK,
) -> list[ItemResult]:
    """Store a device's batch; one result per item, in request order (SPEC §4.2), ``chunk_size``
    ratings a transaction at first.

    What the batch needs by key (the counter and its hall, the clerks it names,
    the device's presses around it) is read at once; each rating goes to the
    clerk it names, else to the clerk whose shift covered its ``rated_at`` (one
    Query on the counter's shift history, only when some rating names nobody);
    its misuse flag is judged against the device's stored presses around it
    (SPEC §3), so arrival order and batching change nothing.
    """
    now = ports.clock.now()
    timely = [i for i in items if isinstance(i, DevicePress) and not rated_at_problem(i.rated_at, now)]
    reads = ports.batch_reads.read_for_batch(
        device.device_id,
        device.hall_code,
        device.counter_number,
        {i.staff_no for i in timely if i.staff_no is not None},
        [i.rated_at for i in timely],
        min_press_interval,
    )
    results, accepted = screen_batch(device, items, reads, ports.shifts, now, lambda i: i.rated_at, "rated_at")
    if accepted:
        ratings = [device_rating(device, item, clerk, now) for _, item, clerk in accepted]
        statuses = store_presses(ratings, ports.ratings, reads.presses, chunk_size)
        for i, item, _ in accepted:
            results[i] = ItemResult(item.id, statuses[item.id])
    return [r for r in results if r is not None]


class DeviceItem(Protocol):
    """What every item a device sends carries: its id, and the clerk it names, if any."""

    @property
    def id(self) -> str: ...

    @property
    def staff_no(self) -> str | None: ...


def screen_batch[T: DeviceItem](
    device: DevicePrincipal,
    items: Sequence[T | Unreadable],
    reads: DeviceBatchReads,
    shifts: ShiftRepository,
    now: datetime,
    time_of: Callable[[T], datetime],
    time_field: str,
) -> tuple[list[ItemResult | None], list[tuple[int, T, str | None]]]:
    """A device's batch checked item by item (SPEC §4.2): the refusals by position, and the items
    accepted with their position and clerk, the one named or else the one whose shift covered
    the item's time (one Query on the counter's shift history, only when some item names nobody).

    A deactivated counter or hall takes none of the batch; an unreadable item, a time outside the
    window (``time_field`` names it) or a clerk of another hall is refused alone; an id given twice
    counts once."""
    results: list[ItemResult | None] = [None] * len(items)
    try:
        taking_ratings(reads.hall, reads.counter)
    except Deactivated as closed:
        return [ItemResult(item.id, "rejected", closed) for item in items], []
    checked: list[tuple[int, T]] = []
    seen_ids: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, Unreadable):
            results[i] = ItemResult(item.id, "rejected", item.error)
            continue
        if item.id in seen_ids:  # the same id twice in one request: the first one counts
            results[i] = ItemResult(item.id, "duplicate")
            continue
        seen_ids.add(item.id)
        problem = rated_at_problem(time_of(item), now)
        if problem:
            error = InvalidInput(f"{time_field} is out of range.", {time_field: problem})
            results[i] = ItemResult(item.id, "rejected", error)
            continue
        if item.staff_no is not None:
            member = reads.staff.get(item.staff_no)
            if member is None or member.hall_at(time_of(item)) != device.hall_code:
                why = "unknown staff number" if member is None else "belongs to another hall"
                results[i] = ItemResult(item.id, "rejected", InvalidInput("Bad staff number.", {"staff_no": why}))
                continue
        checked.append((i, item))
    unnamed = [time_of(item) for _, item in checked if item.staff_no is None]
    history = shifts.history(device.hall_code, device.counter_number, min(unnamed), max(unnamed)) if unnamed else []
    return results, [(i, item, item.staff_no or on_shift(history, time_of(item))) for i, item in checked]


def device_rating(device: DevicePrincipal, item: DevicePress, staff_no: str | None, now: datetime) -> Rating:
    return Rating(
        id=item.id,
        channel=Channel.device,
        hall_code=device.hall_code,
        counter_number=device.counter_number,
        staff_no=staff_no,
        level=item.level,
        business=item.business,
        reasons=relevant_reasons(item.level, item.reasons),
        rated_at=item.rated_at,
        received_at=now,
        device_id=device.device_id,
    )


@dataclass(frozen=True)
class QrRating:
    level: int
    reasons: tuple[Reason, ...] = ()
    business: Business | None = None
    comment: str | None = None
    phone: str | None = None
    consent: bool = False
    honeypot: bool = False  # a field hidden from people was filled in: a bot


def _kept_phone(rating: QrRating) -> str | None:
    """A phone is kept only with consent, and only where a callback can follow (差评): no more than needed."""
    return rating.phone if rating.consent and rating.level <= BAD_UP_TO_LEVEL else None


@dataclass(frozen=True)
class QrLimits:
    per_client: int = 60  # generous: a hall's Wi-Fi or a carrier's NAT puts many customers behind one address
    window_seconds: int = 600


@dataclass(frozen=True)
class RatedCounter:
    hall: Hall
    counter_number: int


def counter_of_code(org: OrganisationRepository, qr_key: bytes, code: str) -> RatedCounter:
    """The counter a QR code names; NotFound for forged codes and unknown counters, Deactivated for a
    counter or hall that takes no ratings now."""
    target = qrcodes.parse_counter_code(qr_key, code)
    if target is None:
        raise NotFound("Unknown QR code.")
    hall, _ = rating_counter(org, target.hall_code, target.counter_number)
    return RatedCounter(hall, target.counter_number)


def keyed_rating_id(code: str, key: str) -> str:
    """The id a QR rating sent for ``code`` with the form key ``key`` is stored under (one-way:
    the id gives away no key)."""
    return derived_id("rating", code, key)


def rated_with(ports: Ports, code: str, key: str) -> Rating | None:
    """The QR rating sent for ``code`` with the form key ``key``, if any."""
    return ports.ratings.get_rating(keyed_rating_id(code, key))


def submit_qr_rating(
    ports: Ports,
    limiter: RateLimiter,
    qr_key: bytes,
    code: str,
    rating: QrRating,
    client: str,
    limits: QrLimits = QrLimits(),
    key: str | None = None,
) -> Rating | None:
    """Store a customer's QR rating for the counter and the clerk signed in there now.

    A bot that filled the honeypot is answered as if stored (None), so it learns nothing.
    With a form key ``key`` the rating is stored under an id derived from the code and the
    key: sending it again stores nothing and returns the rating stored the first time,
    before any rate limit counts it.
    """
    target = counter_of_code(ports.org, qr_key, code)
    hall_code = target.hall.code
    if rating.honeypot:
        return None
    if key is not None:
        earlier = rated_with(ports, code, key)
        if earlier is not None:
            return earlier
    if rating.phone and not rating.consent:
        raise InvalidInput(
            "A phone number is kept only with your consent.", {"consent": "tick to let us keep the phone number"}
        )
    now = ports.clock.now()
    if not limiter.allow("qr", client, limits.per_client, limits.window_seconds, now):
        raise TooManyRequests("Too many ratings from this network; please try again later.")
    stored = Rating(
        id=keyed_rating_id(code, key) if key is not None else str(uuid.uuid4()),
        channel=Channel.qr,
        hall_code=hall_code,
        counter_number=target.counter_number,
        staff_no=clerk_at(ports.shifts, hall_code, target.counter_number, now),
        level=rating.level,
        business=rating.business,
        reasons=relevant_reasons(rating.level, rating.reasons),
        comment=rating.comment or None,
        phone=_kept_phone(rating),
        rated_at=now,
        received_at=now,
    )
    ports.ratings.save_batch([stored])
    return stored
