"""Signing clerks in and out at a counter (轮岗), at the device's clock, and
reading who was on shift when (SPEC §2, §3 Attribution)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.ratings import rated_at_problem
from chalicelib.domain.shifts import ClerkPlace, ShiftChange, ShiftEvent, on_shift
from chalicelib.services.ports import Clock, OrganisationRepository, ShiftRepository


def _when(at: datetime | None, clock: Clock) -> datetime:
    """The device's clock, inside the window ratings are taken in; the server's when not given."""
    now = clock.now()
    if at is None:
        return now
    problem = rated_at_problem(at, now)
    if problem:
        raise InvalidInput("at is out of range.", {"at": problem})
    return at


def clerk_at(shifts: ShiftRepository, hall_code: str, counter_number: int, at: datetime) -> str | None:
    """The clerk whose shift at the counter covered ``at``: one Query on the counter's history."""
    return on_shift(shifts.history(hall_code, counter_number, at, at), at)


def sign_in(
    device: DevicePrincipal,
    org: OrganisationRepository,
    shifts: ShiftRepository,
    clock: Clock,
    staff_no: str,
    at: datetime | None = None,
) -> None:
    """The clerk's shift at this counter starts at ``at``; their shift at another counter ends then.
    Idempotent: the same sign-in again records nothing new."""
    when = _when(at, clock)
    staff = org.get_staff(staff_no)
    if staff is None:
        raise NotFound(f"No staff number {staff_no}.", {"staff_no": "unknown staff number"})
    if staff.hall_code != device.hall_code:
        raise InvalidInput("That clerk belongs to another hall.", {"staff_no": "belongs to another hall"})
    here = (device.hall_code, device.counter_number)
    before = shifts.place_of(staff_no)
    if before is not None and (before.hall_code, before.counter_number) != here:
        end_shift(shifts, staff_no, when, before)
    shifts.record(*here, ShiftEvent(when, ShiftChange.start, staff_no))
    shifts.move(staff_no, ClerkPlace(*here, when))


def end_shift(shifts: ShiftRepository, staff_no: str, at: datetime, place: ClerkPlace | None) -> None:
    """The clerk's shift at ``place`` (where they last signed in) ends at ``at``; only their own:
    someone who took that counter since keeps it, and a sign-in after ``at`` stays."""
    if place is None or place.at > at:
        return
    if clerk_at(shifts, place.hall_code, place.counter_number, at) == staff_no:
        shifts.record(place.hall_code, place.counter_number, ShiftEvent(at, ShiftChange.end, staff_no))


def sign_out(device: DevicePrincipal, shifts: ShiftRepository, clock: Clock, at: datetime | None = None) -> None:
    """Whoever is on shift at this counter at ``at`` signs out; nobody on shift changes nothing."""
    when = _when(at, clock)
    current = clerk_at(shifts, device.hall_code, device.counter_number, when)
    if current is not None:
        shifts.record(device.hall_code, device.counter_number, ShiftEvent(when, ShiftChange.end, current))
