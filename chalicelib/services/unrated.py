"""Taking in unrated visits from a device (SPEC §4.2 ``POST /api/v1/device/unrated``).

Checked and attributed exactly like a device's ratings: the time window, a
named clerk's hall at that time, else the clerk whose shift covered the visit:
one BatchGetItem for the counter, its hall and the clerks named, and one Query
on the counter's shift history for the whole batch when a visit names no clerk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.errors import Deactivated, InvalidInput
from chalicelib.domain.ratings import DEFAULT_MIN_PRESS_INTERVAL, rated_at_problem
from chalicelib.domain.shifts import on_shift
from chalicelib.domain.unrated import UnratedVisit
from chalicelib.services.organisation import taking_ratings
from chalicelib.services.ports import (
    Clock,
    DeviceBatchReader,
    ShiftRepository,
    UnratedRepository,
)
from chalicelib.services.ratings import ItemResult, Unreadable


@dataclass(frozen=True)
class UnratedPorts:
    unrated: UnratedRepository
    shifts: ShiftRepository
    clock: Clock
    batch_reads: DeviceBatchReader


@dataclass(frozen=True)
class DeviceVisit:
    """One unrated visit as a device sends it, already well-formed."""

    id: str
    at: datetime  # timezone-aware
    staff_no: str | None = None


def ingest_unrated(
    device: DevicePrincipal, items: list[DeviceVisit | Unreadable], ports: UnratedPorts
) -> list[ItemResult]:
    """Store a device's unrated visits; one result per item, in request order."""
    now = ports.clock.now()
    named = {item.staff_no for item in items if isinstance(item, DeviceVisit) and item.staff_no is not None}
    # The counter, its hall and the clerks named, in one read (no presses: no times).
    reads = ports.batch_reads.read_for_batch(
        device.device_id, device.hall_code, device.counter_number, named, [], DEFAULT_MIN_PRESS_INTERVAL
    )
    try:
        taking_ratings(reads.hall, reads.counter)
    except Deactivated as closed:
        return [ItemResult(item.id, "rejected", closed) for item in items]
    results: list[ItemResult | None] = [None] * len(items)
    accepted: list[tuple[int, DeviceVisit]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, Unreadable):
            results[i] = ItemResult(item.id, "rejected", item.error)
            continue
        if item.id in seen:
            results[i] = ItemResult(item.id, "duplicate")
            continue
        seen.add(item.id)
        problem = rated_at_problem(item.at, now)
        if problem:
            results[i] = ItemResult(item.id, "rejected", InvalidInput("at is out of range.", {"at": problem}))
            continue
        if item.staff_no is not None:
            member = reads.staff.get(item.staff_no)
            if member is None or member.hall_at(item.at) != device.hall_code:
                why = "unknown staff number" if member is None else "belongs to another hall"
                results[i] = ItemResult(item.id, "rejected", InvalidInput("Bad staff number.", {"staff_no": why}))
                continue
        accepted.append((i, item))
    if accepted:
        unnamed = [item.at for _, item in accepted if item.staff_no is None]
        history = (
            ports.shifts.history(device.hall_code, device.counter_number, min(unnamed), max(unnamed)) if unnamed else []
        )
        visits = [
            UnratedVisit(
                id=item.id,
                hall_code=device.hall_code,
                counter_number=device.counter_number,
                staff_no=item.staff_no or on_shift(history, item.at),
                at=item.at,
                received_at=now,
                device_id=device.device_id,
            )
            for _, item in accepted
        ]
        statuses = ports.unrated.save_visits(visits)
        for i, item in accepted:
            results[i] = ItemResult(item.id, statuses[item.id])
    return [r for r in results if r is not None]
