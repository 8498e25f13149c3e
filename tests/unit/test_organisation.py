import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, Unauthenticated
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import organisation
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def repo(clock):
    repo = InMemoryOrganisationRepository()
    for code in ("A01", "B02"):
        organisation.create_hall(ADMIN, repo, clock, code=code, name=f"{code}厅", branch="城东", grade=HallGrade.B)
    organisation.add_counter(ADMIN, repo, clock, hall_code="A01", number=1)
    return repo


def test_a_registered_device_authenticates_with_its_key_until_revoked(repo, clock):
    registered = organisation.register_device(ADMIN, repo, clock, hall_code="A01", counter_number=1)
    assert registered.key not in repr(repo.devices)
    principal = organisation.authenticate_device(repo, registered.key)
    assert (principal.hall_code, principal.counter_number) == ("A01", 1)
    organisation.revoke_device(ADMIN, repo, clock, registered.device.device_id)
    with pytest.raises(Unauthenticated):
        organisation.authenticate_device(repo, registered.key)


def test_a_device_needs_an_existing_counter(repo, clock):
    with pytest.raises(NotFound) as e:
        organisation.register_device(ADMIN, repo, clock, hall_code="A01", counter_number=9)
    assert e.value.fields == {"counter_number": "unknown counter"}
    assert repo.devices == {}


def test_a_forged_key_for_a_real_device_is_refused(repo, clock):
    registered = organisation.register_device(ADMIN, repo, clock, hall_code="A01", counter_number=1)
    forged = registered.key[:-4] + "AAAA"
    with pytest.raises(Unauthenticated):
        organisation.authenticate_device(repo, forged)


def test_a_manager_sees_only_their_halls_and_changes_nothing(repo, clock):
    assert [h.code for h in organisation.list_halls(MANAGER, repo, None, 50).items] == ["A01"]
    with pytest.raises(Forbidden):
        organisation.get_hall(MANAGER, repo, "B02")
    with pytest.raises(Forbidden):
        organisation.add_counter(MANAGER, repo, clock, hall_code="A01", number=2)


def test_codes_and_numbers_are_unique(repo, clock):
    with pytest.raises(Conflict):
        organisation.create_hall(ADMIN, repo, clock, code="A01", name="again", branch="x", grade=HallGrade.C)
    with pytest.raises(Conflict):
        organisation.add_counter(ADMIN, repo, clock, hall_code="A01", number=1)
    organisation.add_staff(ADMIN, repo, clock, staff_no="A0123", name="张三", hall_code="A01")
    with pytest.raises(Conflict):
        organisation.add_staff(ADMIN, repo, clock, staff_no="A0123", name="李四", hall_code="B02")


def test_staff_belong_to_an_existing_hall(repo, clock):
    with pytest.raises(NotFound) as e:
        organisation.add_staff(ADMIN, repo, clock, staff_no="Z1", name="王五", hall_code="NOPE")
    assert e.value.fields == {"hall_code": "unknown hall"}
