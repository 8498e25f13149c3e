"""Taking in ratings: device batches, QR ratings, and the clerk signed in at a counter."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.errors import DomainError, InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.organisation import Hall, Staff
from chalicelib.domain.ratings import (
    BAD_UP_TO_LEVEL,
    DEFAULT_MIN_PRESS_INTERVAL,
    Business,
    Channel,
    Rating,
    Reason,
    flag_misuse,
    rated_at_problem,
    relevant_reasons,
)
from chalicelib.services.ports import (
    Clock,
    OrganisationRepository,
    RateLimiter,
    RatingRepository,
    ShiftRepository,
)

MAX_BATCH = 100


@dataclass(frozen=True)
class Ports:
    org: OrganisationRepository
    ratings: RatingRepository
    shifts: ShiftRepository
    clock: Clock


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


@dataclass
class _StaffLookup:
    """Staff read once per batch, whatever the number of items naming them."""

    org: OrganisationRepository
    seen: dict[str, Staff | None] = field(default_factory=dict)

    def get(self, staff_no: str) -> Staff | None:
        if staff_no not in self.seen:
            self.seen[staff_no] = self.org.get_staff(staff_no)
        return self.seen[staff_no]


def sign_in(device: DevicePrincipal, ports: Ports, staff_no: str) -> None:
    staff = ports.org.get_staff(staff_no)
    if staff is None:
        raise NotFound(f"No staff number {staff_no}.", {"staff_no": "unknown staff number"})
    if staff.hall_code != device.hall_code:
        raise InvalidInput("That clerk belongs to another hall.", {"staff_no": "belongs to another hall"})
    ports.shifts.sign_in(device.hall_code, device.counter_number, staff_no, ports.clock.now())


def sign_out(device: DevicePrincipal, ports: Ports) -> None:
    ports.shifts.sign_out(device.hall_code, device.counter_number)


def ingest_device_batch(
    device: DevicePrincipal,
    items: list[DevicePress | Unreadable],
    ports: Ports,
    min_press_interval: timedelta = DEFAULT_MIN_PRESS_INTERVAL,
) -> list[ItemResult]:
    """Store a device's batch; one result per item, in request order (SPEC §4.2)."""
    now = ports.clock.now()
    results: list[ItemResult | None] = [None] * len(items)
    staff = _StaffLookup(ports.org)
    signed_in: str | None = None
    accepted: list[tuple[int, DevicePress, str | None]] = []
    seen_ids: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, Unreadable):
            results[i] = ItemResult(item.id, "rejected", item.error)
            continue
        if item.id in seen_ids:  # the same id twice in one request: the first one counts
            results[i] = ItemResult(item.id, "duplicate")
            continue
        seen_ids.add(item.id)
        problem = rated_at_problem(item.rated_at, now)
        if problem:
            results[i] = ItemResult(
                item.id, "rejected", InvalidInput("rated_at is out of range.", {"rated_at": problem})
            )
            continue
        staff_no = item.staff_no
        if staff_no is None:
            if signed_in is None:
                signed_in = ports.shifts.signed_in(device.hall_code, device.counter_number) or ""
            staff_no = signed_in or None
        else:
            member = staff.get(staff_no)
            if member is None or member.hall_code != device.hall_code:
                why = "unknown staff number" if member is None else "belongs to another hall"
                results[i] = ItemResult(item.id, "rejected", InvalidInput("Bad staff number.", {"staff_no": why}))
                continue
        accepted.append((i, item, staff_no))

    accepted.sort(key=lambda a: a[1].rated_at)
    flags, latest = flag_misuse(
        [a[1].rated_at for a in accepted], ports.ratings.last_press(device.device_id), min_press_interval
    )
    ratings = [
        Rating(
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
            misuse=misuse,
        )
        for (_, item, staff_no), misuse in zip(accepted, flags, strict=True)
    ]
    statuses = ports.ratings.save_batch(ratings) if ratings else {}
    if latest is not None:
        ports.ratings.record_press(device.device_id, latest)
    for i, item, _ in accepted:
        results[i] = ItemResult(item.id, statuses[item.id])
    return [r for r in results if r is not None]


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
    """The counter a QR code names; NotFound for forged codes and removed counters."""
    target = qrcodes.parse_counter_code(qr_key, code)
    hall = org.get_hall(target.hall_code) if target else None
    if target is None or hall is None or org.get_counter(target.hall_code, target.counter_number) is None:
        raise NotFound("Unknown QR code.")
    return RatedCounter(hall, target.counter_number)


def submit_qr_rating(
    ports: Ports,
    limiter: RateLimiter,
    qr_key: bytes,
    code: str,
    rating: QrRating,
    client: str,
    limits: QrLimits = QrLimits(),
) -> Rating | None:
    """Store a customer's QR rating for the counter and the clerk signed in there now.

    A bot that filled the honeypot is answered as if stored (None), so it learns nothing.
    """
    target = counter_of_code(ports.org, qr_key, code)
    hall_code = target.hall.code
    if rating.honeypot:
        return None
    if rating.phone and not rating.consent:
        raise InvalidInput(
            "A phone number is kept only with your consent.", {"consent": "tick to let us keep the phone number"}
        )
    now = ports.clock.now()
    if not limiter.allow("qr", client, limits.per_client, limits.window_seconds, now):
        raise TooManyRequests("Too many ratings from this network; please try again later.")
    stored = Rating(
        id=str(uuid.uuid4()),
        channel=Channel.qr,
        hall_code=hall_code,
        counter_number=target.counter_number,
        staff_no=ports.shifts.signed_in(hall_code, target.counter_number),
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
