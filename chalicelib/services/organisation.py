"""Managing the organisation: halls, counters, staff and counter devices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chalicelib.domain import credentials
from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.errors import NotFound, Unauthenticated
from chalicelib.domain.organisation import Counter, Device, Hall, HallGrade, Staff
from chalicelib.domain.paging import MAX_PAGE_SIZE, Page
from chalicelib.services.ports import Clock, OrganisationRepository


def existing_hall(repo: OrganisationRepository, code: str, field: str = "hall_code") -> Hall:
    """The hall with this code; NotFound naming ``field`` when there is none."""
    hall = repo.get_hall(code)
    if hall is None:
        raise NotFound(f"No hall {code}.", {field: "unknown hall"})
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
) -> Hall:
    actor.require_admin()
    hall = Hall(code=code, name=name, branch=branch, grade=grade, created_at=clock.now())
    repo.add_hall(hall)
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
) -> Counter:
    actor.require_admin()
    existing_hall(repo, hall_code, "hall_code")
    counter = Counter(hall_code=hall_code, number=number, created_at=clock.now())
    repo.add_counter(counter)
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
) -> Staff:
    actor.require_admin()
    existing_hall(repo, hall_code, "hall_code")
    staff = Staff(staff_no=staff_no, name=name, hall_code=hall_code, created_at=clock.now())
    repo.add_staff(staff)
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
) -> RegisteredDevice:
    actor.require_admin()
    existing_hall(repo, hall_code, "hall_code")
    if repo.get_counter(hall_code, counter_number) is None:
        raise NotFound(f"Hall {hall_code} has no counter {counter_number}.", {"counter_number": "unknown counter"})
    device_id = credentials.new_device_id()
    key = credentials.new_device_key(device_id)
    device = Device(
        device_id=device_id,
        hall_code=hall_code,
        counter_number=counter_number,
        key_hash=credentials.hash_device_key(key),
        created_at=clock.now(),
    )
    repo.add_device(device)
    return RegisteredDevice(device=device, key=key)


def list_devices(actor: UserPrincipal, repo: OrganisationRepository, hall_code: str) -> list[Device]:
    get_hall(actor, repo, hall_code)
    return repo.list_devices(hall_code)


def revoke_device(actor: UserPrincipal, repo: OrganisationRepository, clock: Clock, device_id: str) -> Device:
    actor.require_admin()
    return repo.revoke_device(device_id, clock.now())


def authenticate_device(repo: OrganisationRepository, key: str) -> DevicePrincipal:
    """The device a bearer key belongs to; Unauthenticated if unknown or revoked."""
    device_id = credentials.device_id_of_key(key)
    device = repo.get_device(device_id) if device_id else None
    if device is None or device.revoked or not credentials.device_key_matches(key, device.key_hash):
        raise Unauthenticated("Unknown or revoked device key.")
    return DevicePrincipal(device_id=device.device_id, hall_code=device.hall_code, counter_number=device.counter_number)
