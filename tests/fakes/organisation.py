"""In-memory organisation and user repositories."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from chalicelib.domain.accounts import Role, User
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.organisation import Counter, Device, Hall, Staff
from chalicelib.domain.paging import Page

T = TypeVar("T")


def page_of(items: dict[str, T], cursor: str | None, limit: int) -> Page[T]:
    keys = sorted(items)
    if cursor is not None:
        if cursor not in items:
            raise InvalidInput("The cursor is not one this API gave out.", {"cursor": "invalid cursor"})
        keys = [k for k in keys if k > cursor]
    chosen = keys[:limit]
    return Page(items=[items[k] for k in chosen], next=chosen[-1] if len(keys) > limit else None)


class InMemoryOrganisationRepository:
    def __init__(self) -> None:
        self.halls: dict[str, Hall] = {}
        self.counters: dict[tuple[str, int], Counter] = {}
        self.staff: dict[str, Staff] = {}
        self.devices: dict[str, Device] = {}

    def add_hall(self, hall: Hall) -> None:
        if hall.code in self.halls:
            raise Conflict(f"Hall {hall.code} exists already.")
        self.halls[hall.code] = hall

    def save_hall(self, hall: Hall) -> None:
        if hall.code not in self.halls:
            raise NotFound(f"No hall {hall.code}.")
        self.halls[hall.code] = hall

    def get_hall(self, code: str) -> Hall | None:
        return self.halls.get(code)

    def list_halls(self, cursor: str | None, limit: int) -> Page[Hall]:
        return page_of(self.halls, cursor, limit)

    def add_counter(self, counter: Counter) -> None:
        key = (counter.hall_code, counter.number)
        if key in self.counters:
            raise Conflict("Counter exists already.")
        self.counters[key] = counter

    def save_counter(self, counter: Counter) -> None:
        if (counter.hall_code, counter.number) not in self.counters:
            raise NotFound(f"No counter {counter.number}.")
        self.counters[(counter.hall_code, counter.number)] = counter

    def get_counter(self, hall_code: str, number: int) -> Counter | None:
        return self.counters.get((hall_code, number))

    def list_counters(self, hall_code: str) -> list[Counter]:
        return [c for (h, _), c in sorted(self.counters.items()) if h == hall_code]

    def add_staff(self, staff: Staff) -> None:
        if staff.staff_no in self.staff:
            raise Conflict(f"Staff number {staff.staff_no} exists already.")
        self.staff[staff.staff_no] = staff

    def save_staff(self, staff: Staff) -> None:
        if staff.staff_no not in self.staff:
            raise NotFound(f"No staff number {staff.staff_no}.")
        self.staff[staff.staff_no] = staff

    def get_staff(self, staff_no: str) -> Staff | None:
        return self.staff.get(staff_no)

    def list_staff(self, hall_code: str, cursor: str | None, limit: int) -> Page[Staff]:
        return page_of({k: s for k, s in self.staff.items() if s.hall_code == hall_code}, cursor, limit)

    def add_device(self, device: Device) -> None:
        if device.device_id in self.devices:
            raise Conflict("Device exists already.")
        self.devices[device.device_id] = device

    def get_device(self, device_id: str) -> Device | None:
        return self.devices.get(device_id)

    def list_devices(self, hall_code: str) -> list[Device]:
        found = [d for d in self.devices.values() if d.hall_code == hall_code]
        return sorted(found, key=lambda d: (d.counter_number, d.device_id))

    def revoke_device(self, device_id: str, at: datetime) -> Device:
        device = self.devices.get(device_id)
        if device is None:
            raise NotFound(f"No device {device_id}.")
        if device.revoked_at is None:
            device = device.model_copy(update={"revoked_at": at})
            self.devices[device_id] = device
        return device

    def touch_device(self, device_id: str, at: datetime, unless_seen_after: datetime | None) -> bool:
        device = self.devices.get(device_id)
        if device is None or device.revoked:
            return False
        if unless_seen_after is not None and device.last_seen_at and device.last_seen_at > unless_seen_after:
            return False
        self.devices[device_id] = device.model_copy(update={"last_seen_at": at})
        return True

    def report_health(self, device_id: str, at: datetime, buffered: int, firmware: str | None) -> None:
        device = self.devices.get(device_id)
        if device is not None and not device.revoked:
            update = {"last_seen_at": at, "buffered": buffered, "firmware": firmware or device.firmware}
            self.devices[device_id] = device.model_copy(update=update)

    def devices_seen_before(self, before: datetime) -> list[Device]:
        return [d for d in self.devices.values() if not d.revoked and (d.last_seen_at or d.created_at) < before]


class InMemoryUserRepository:
    def __init__(self) -> None:
        self.users: dict[str, User] = {}

    def add_user(self, user: User) -> None:
        if user.username in self.users:
            raise Conflict(f"User {user.username} exists already.")
        self.users[user.username] = user

    def get_user(self, username: str) -> User | None:
        return self.users.get(username)

    def list_users(self, cursor: str | None, limit: int) -> Page[User]:
        keyed = {f"{u.role.value}#{u.username}": u for u in self.users.values()}
        return page_of(keyed, cursor, limit)

    def any_admin(self) -> bool:
        return any(u.role is Role.admin for u in self.users.values())

    def end_sessions(self, username: str) -> int:
        return self._update(username, {})

    def save_profile(self, user: User, end_sessions: bool) -> None:
        stored = self.users.get(user.username)
        if stored is None:
            raise NotFound(f"No user {user.username}.")
        epoch = stored.session_epoch + (1 if end_sessions else 0)
        self.users[user.username] = stored.model_copy(
            update={
                "role": user.role,
                "halls": user.halls,
                "active": user.active,
                "session_epoch": epoch,
                "departments": user.departments,
            }
        )

    def set_password(self, username: str, password_hash: str) -> int:
        return self._update(username, {"password_hash": password_hash})

    def _update(self, username: str, changes: dict[str, str]) -> int:
        user = self.users.get(username)
        if user is None:
            raise NotFound(f"No user {username}.")
        epoch = user.session_epoch + 1
        self.users[username] = user.model_copy(update={**changes, "session_epoch": epoch})
        return epoch
