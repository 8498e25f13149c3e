"""Any authenticated device call marks the device seen, with at most one write a minute."""

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import organisation
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)


class CountingRepository(InMemoryOrganisationRepository):
    def __init__(self) -> None:
        super().__init__()
        self.touches = 0

    def touch_device(self, device_id, at, unless_seen_after):  # type: ignore[no-untyped-def]
        self.touches += 1
        return super().touch_device(device_id, at, unless_seen_after)


def test_calls_within_a_minute_write_last_seen_once():
    clock, repo = FixedClock(), CountingRepository()
    organisation.create_hall(ADMIN, repo, clock, code="A01", name="城东厅", branch="城东", grade=HallGrade.A)
    organisation.add_counter(ADMIN, repo, clock, hall_code="A01", number=1)
    registered = organisation.register_device(ADMIN, repo, clock, hall_code="A01", counter_number=1)
    device_id = registered.device.device_id
    first = clock.now()
    for _ in range(5):
        organisation.authenticate_device(repo, registered.key, clock)
        clock.advance(seconds=10)
    assert repo.touches == 1 and repo.devices[device_id].last_seen_at == first
    clock.advance(seconds=15)  # 65 s after the first call
    organisation.authenticate_device(repo, registered.key, clock)
    assert repo.touches == 2 and repo.devices[device_id].last_seen_at == clock.now()
    organisation.authenticate_device(repo, registered.key)  # without a clock nothing is written
    assert repo.touches == 2
