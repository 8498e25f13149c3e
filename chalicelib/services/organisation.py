"""Managing the organisation: halls, counters, staff and counter devices.

Every change is logged (``services.audit``) once it is stored, when the caller
gives an ``Auditor``: the API and the console always do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.domain import credentials
from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind, counter_key
from chalicelib.domain.errors import Deactivated, NotFound, Unauthenticated
from chalicelib.domain.form_keys import derived_id
from chalicelib.domain.organisation import Counter, Device, Hall, HallGrade, Staff
from chalicelib.domain.paging import MAX_PAGE_SIZE, Page
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.ports import Clock, OrganisationRepository, ShiftRepository
from chalicelib.services.shifts import end_shift


def existing_hall(repo: OrganisationRepository, code: str, field: str = "hall_code") -> Hall:
    """The hall with this code; NotFound naming ``field`` when there is none."""
    hall = repo.get_hall(code)
    if hall is None:
        raise NotFound(f"No hall {code}.", {field: "unknown hall"})
    return hall


def open_hall(repo: OrganisationRepository, code: str) -> Hall:
    """A hall that takes ratings and suggestions: NotFound if unknown, Deactivated if not active."""
    hall = existing_hall(repo, code)
    if not hall.active:
        raise Deactivated(f"Hall {code} takes nothing new now.", {"hall_code": "deactivated"})
    return hall


def create_hall(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    clock: Clock,
    *,
    code: str,
    name: str,
    branch: str,
    grade: HallGrade,
    auditor: Auditor | None = None,
) -> Hall:
    actor.require_admin()
    hall = Hall(code=code, name=name, branch=branch, grade=grade, created_at=clock.now())
    repo.add_hall(hall)
    audit.record(auditor, actor.username, Action.create, RecordKind.hall, code, after=hall, hall_code=code)
    return hall


def every_hall(repo: OrganisationRepository) -> Iterator[Hall]:
    """Every hall in code order, a page at a time, through the hall listing (a Query, never a scan)."""
    cursor: str | None = None
    while True:
        page = repo.list_halls(cursor, MAX_PAGE_SIZE)
        yield from page.items
        if page.next is None:
            return
        cursor = page.next


def every_staff(repo: OrganisationRepository, hall_code: str) -> list[Staff]:
    """Every clerk of a hall, a page at a time, through the hall's staff listing."""
    found: list[Staff] = []
    cursor: str | None = None
    while True:
        page = repo.list_staff(hall_code, cursor, MAX_PAGE_SIZE)
        found.extend(page.items)
        if page.next is None:
            return found
        cursor = page.next


def get_hall(actor: UserPrincipal, repo: OrganisationRepository, code: str) -> Hall:
    actor.require_hall(code)
    return existing_hall(repo, code, "hall_code")


def list_halls(actor: UserPrincipal, repo: OrganisationRepository, cursor: str | None, limit: int) -> Page[Hall]:
    if actor.role is Role.admin:
        return repo.list_halls(cursor, limit)
    halls = [h for h in (repo.get_hall(code) for code in sorted(actor.halls)) if h is not None]
    return Page(items=halls)


def add_counter(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    clock: Clock,
    *,
    hall_code: str,
    number: int,
    auditor: Auditor | None = None,
) -> Counter:
    actor.require_admin()
    existing_hall(repo, hall_code, "hall_code")
    counter = Counter(hall_code=hall_code, number=number, created_at=clock.now())
    repo.add_counter(counter)
    key = counter_key(hall_code, number)
    audit.record(auditor, actor.username, Action.create, RecordKind.counter, key, after=counter, hall_code=hall_code)
    return counter


def list_counters(actor: UserPrincipal, repo: OrganisationRepository, hall_code: str) -> list[Counter]:
    get_hall(actor, repo, hall_code)
    return repo.list_counters(hall_code)


def add_staff(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    clock: Clock,
    *,
    staff_no: str,
    name: str,
    hall_code: str,
    auditor: Auditor | None = None,
) -> Staff:
    actor.require_admin()
    existing_hall(repo, hall_code, "hall_code")
    staff = Staff(staff_no=staff_no, name=name, hall_code=hall_code, created_at=clock.now())
    repo.add_staff(staff)
    audit.record(auditor, actor.username, Action.create, RecordKind.staff, staff_no, after=staff, hall_code=hall_code)
    return staff


def list_staff(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    hall_code: str,
    cursor: str | None,
    limit: int,
) -> Page[Staff]:
    get_hall(actor, repo, hall_code)
    return repo.list_staff(hall_code, cursor, limit)


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    key: str  # shown once, never stored


def register_device(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    clock: Clock,
    *,
    hall_code: str,
    counter_number: int,
    auditor: Auditor | None = None,
    form_key: str | None = None,
) -> RegisteredDevice:
    """With a form key, the device's id is derived from the hall and the key: a second
    registration with that key is a Conflict (``registered_with`` finds the first)."""
    actor.require_admin()
    existing_hall(repo, hall_code, "hall_code")
    if repo.get_counter(hall_code, counter_number) is None:
        raise NotFound(f"Hall {hall_code} has no counter {counter_number}.", {"counter_number": "unknown counter"})
    device_id = _form_device_id(hall_code, form_key) if form_key is not None else credentials.new_device_id()
    key = credentials.new_device_key(device_id)
    device = Device(
        device_id=device_id,
        hall_code=hall_code,
        counter_number=counter_number,
        key_hash=credentials.hash_device_key(key),
        created_at=clock.now(),
    )
    repo.add_device(device)
    audit.record(
        auditor, actor.username, Action.create, RecordKind.device, device_id, after=device, hall_code=hall_code
    )
    return RegisteredDevice(device=device, key=key)


def _form_device_id(hall_code: str, form_key: str) -> str:
    return "dev-" + derived_id("device", hall_code, form_key, length=16)  # as long as a new id


def registered_with(actor: UserPrincipal, repo: OrganisationRepository, hall_code: str, form_key: str) -> Device | None:
    """The device registered in ``hall_code`` with the form key ``form_key``, if any."""
    actor.require_admin()
    return repo.get_device(_form_device_id(hall_code, form_key))


def list_devices(actor: UserPrincipal, repo: OrganisationRepository, hall_code: str) -> list[Device]:
    get_hall(actor, repo, hall_code)
    return repo.list_devices(hall_code)


def revoke_device(
    actor: UserPrincipal, repo: OrganisationRepository, clock: Clock, device_id: str, auditor: Auditor | None = None
) -> Device:
    actor.require_admin()
    before = repo.get_device(device_id)
    device = repo.revoke_device(device_id, clock.now())
    if before is not None and not before.revoked:  # a second revoke changes nothing
        kind, hall = RecordKind.device, device.hall_code
        audit.record(
            auditor, actor.username, Action.revoke, kind, device_id, before=before, after=device, hall_code=hall
        )
    return device


def authenticate_device(repo: OrganisationRepository, key: str, clock: Clock | None = None) -> DevicePrincipal:
    """The device a bearer key belongs to; Unauthenticated if unknown or revoked.

    With a clock, the call counts as the device being seen (SPEC §4.2): written when the
    device read was last seen over a minute ago, and then only if no other call wrote since.
    """
    device_id = credentials.device_id_of_key(key)
    device = repo.get_device(device_id) if device_id else None
    if device is None or device.revoked or not credentials.device_key_matches(key, device.key_hash):
        raise Unauthenticated("Unknown or revoked device key.")
    if clock is not None:
        now = clock.now()
        if device.last_seen_at is None or device.last_seen_at <= now - SEEN_EVERY:
            repo.touch_device(device.device_id, now, unless_seen_after=now - SEEN_EVERY)
    return DevicePrincipal(device_id=device.device_id, hall_code=device.hall_code, counter_number=device.counter_number)


# A device's last-seen time is written at most this often, whatever the number of its calls.
SEEN_EVERY = timedelta(minutes=1)


# ---- corrections: edit and deactivate, never delete (SPEC §2) -------------------------
def update_hall(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    code: str,
    changes: dict[str, Any],
    auditor: Auditor | None = None,
) -> Hall:
    """Change a hall's name, branch, grade, opening hours or whether it is active (admin).
    Values equal to the stored ones write nothing."""
    actor.require_admin()
    hall = existing_hall(repo, code)
    changed = Hall.model_validate({**hall.model_dump(), **changes})
    if changed != hall:
        repo.save_hall(changed)
        audit.record(
            auditor, actor.username, Action.update, RecordKind.hall, code, before=hall, after=changed, hall_code=code
        )
    return changed


def update_counter(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    hall_code: str,
    number: int,
    *,
    active: bool,
    auditor: Auditor | None = None,
) -> Counter:
    actor.require_admin()
    existing_hall(repo, hall_code)
    counter = repo.get_counter(hall_code, number)
    if counter is None:
        raise NotFound(f"Hall {hall_code} has no counter {number}.", {"number": "unknown counter"})
    changed = counter.model_copy(update={"active": active})
    if changed != counter:
        repo.save_counter(changed)
        key = counter_key(hall_code, number)
        kind = RecordKind.counter
        audit.record(
            auditor, actor.username, Action.update, kind, key, before=counter, after=changed, hall_code=hall_code
        )
    return changed


def update_staff(
    actor: UserPrincipal,
    repo: OrganisationRepository,
    shifts: ShiftRepository,
    clock: Clock,
    staff_no: str,
    changes: dict[str, Any],
    auditor: Auditor | None = None,
) -> Staff:
    """Rename, move to another hall or deactivate a clerk (admin). Moving or deactivating ends
    their shift now; their past ratings stay with the hall where they were given."""
    actor.require_admin()
    before = repo.get_staff(staff_no)
    if before is None:
        raise NotFound(f"No staff number {staff_no}.", {"staff_no": "unknown staff number"})
    staff = before
    now = clock.now()
    if "hall_code" in changes:
        existing_hall(repo, changes["hall_code"])
        staff = staff.moved_to(changes.pop("hall_code"), now)
    changed = Staff.model_validate({**staff.model_dump(), **changes})
    if changed == before:
        return before
    if changed.moves != before.moves or not changed.active:
        end_shift(shifts, staff_no, now, shifts.place_of(staff_no))
    repo.save_staff(changed)
    kind, hall = RecordKind.staff, changed.hall_code
    audit.record(auditor, actor.username, Action.update, kind, staff_no, before=before, after=changed, hall_code=hall)
    return changed


def rating_counter(repo: OrganisationRepository, hall_code: str, number: int) -> tuple[Hall, Counter]:
    """A counter that takes ratings, with its hall: both exist and are active; else NotFound or Deactivated."""
    hall = repo.get_hall(hall_code)
    return taking_ratings(hall, repo.get_counter(hall_code, number) if hall else None)


def taking_ratings(hall: Hall | None, counter: Counter | None) -> tuple[Hall, Counter]:
    """The counter and its hall as read, when both exist and are active; else NotFound or Deactivated."""
    if hall is None or counter is None:
        raise NotFound("Unknown counter.", {"counter": "unknown"})
    if not hall.active or not counter.active:
        raise Deactivated("This counter takes no ratings now.", {"counter": "deactivated"})
    return hall, counter
