"""A hall's devices and their health (SPEC §3.4): last seen, the clerk signed in, what the latest
heartbeat said (ratings buffered, firmware), and whether the device is silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.organisation import Device
from chalicelib.services.organisation import get_hall
from chalicelib.services.ports import AlertRepository, Clock, OrganisationRepository, ShiftRepository
from chalicelib.services.shifts import clerk_at


@dataclass(frozen=True)
class DeviceHealth:
    device: Device
    signed_in: str | None  # the staff number of the clerk signed in at its counter now
    silent: bool  # not revoked, and not seen for the alert rules' silent_minutes (or never)


def hall_devices(
    actor: UserPrincipal,
    org: OrganisationRepository,
    shifts: ShiftRepository,
    alerts: AlertRepository,
    clock: Clock,
    hall_code: str,
) -> list[DeviceHealth]:
    get_hall(actor, org, hall_code)
    now = clock.now()
    since = now - timedelta(minutes=alerts.rules().silent_minutes)
    found = []
    for device in org.list_devices(hall_code):
        signed_in = None if device.revoked else clerk_at(shifts, hall_code, device.counter_number, now)
        silent = not device.revoked and (device.last_seen_at is None or device.last_seen_at < since)
        found.append(DeviceHealth(device, signed_in, silent))
    return found
