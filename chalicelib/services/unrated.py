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
from chalicelib.domain.ratings import DEFAULT_MIN_PRESS_INTERVAL
from chalicelib.domain.unrated import UnratedVisit
from chalicelib.services.ports import (
    Clock,
    DeviceBatchReader,
    ShiftRepository,
    UnratedRepository,
)
from chalicelib.services.ratings import ItemResult, Unreadable, screen_batch


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
    results, accepted = screen_batch(device, items, reads, ports.shifts, now, lambda i: i.at, "at")
    if accepted:
        visits = [
            UnratedVisit(
                id=item.id,
                hall_code=device.hall_code,
                counter_number=device.counter_number,
                staff_no=clerk,
                at=item.at,
                received_at=now,
                device_id=device.device_id,
            )
            for _, item, clerk in accepted
        ]
        statuses = ports.unrated.save_visits(visits)
        for i, item, _ in accepted:
            results[i] = ItemResult(item.id, statuses[item.id])
    return [r for r in results if r is not None]
