"""Alerts (SPEC §3.4): one negative-spike alert per counter, none at the hall when a counter explains
it, resolved when the window clears; silent devices only while the hall is open; acknowledging."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.alerts import AlertKind, AlertRules, AlertStatus
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.organisation import Device, HallGrade
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import alerts, organisation
from chalicelib.services.alerts import AlertPorts
from tests.fakes.alerts import InMemoryAlertRepository
from tests.fakes.callbacks import InMemoryOutbox
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 on a Tuesday in Shanghai


class World:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.org = InMemoryOrganisationRepository()
        organisation.create_hall(
            ADMIN, self.org, self.clock, code="A01", name="城东厅", branch="城东", grade=HallGrade.A
        )
        self.ratings = InMemoryRatingRepository()
        self.outbox = InMemoryOutbox()
        self.repo = InMemoryAlertRepository(self.ratings, self.outbox)
        self.ports = AlertPorts(alerts=self.repo, org=self.org, clock=self.clock)
        self.n = 0

    def rate(self, counter: int, level: int, minutes_ago: float = 1) -> None:
        self.n += 1
        at = self.clock.now() - timedelta(minutes=minutes_ago)
        rating = Rating(
            id=f"rating-{self.n:04d}",
            channel=Channel.device,
            hall_code="A01",
            counter_number=counter,
            level=level,
            rated_at=at,
            received_at=at,
        )
        self.ratings.save_batch([rating])

    def open(self, kind: AlertKind = AlertKind.negative_spike) -> list[str]:
        return [a.scope for a in self.repo.open_alerts(kind)]


@pytest.fixture
def world() -> World:
    return World()


def test_ten_bad_ratings_at_one_counter_raise_one_counter_alert_and_none_at_the_hall(world: World):
    for _ in range(10):
        world.rate(3, 1)
        alerts.evaluate_spikes(world.ports, "A01")
    for _ in range(5):
        world.rate(1, 5)
    assert alerts.evaluate_spikes(world.ports, "A01") == 0
    assert world.open() == ["A01#3"]
    (alert,) = world.repo.alerts.values()
    assert alert.detail == "10 of 10 差评 in 60 min at 3号窗口"
    assert [n.kind for n in world.outbox.sent.values()] == ["alert_negative_spike"]


def test_a_spike_resolves_after_good_ratings_and_a_repeat_tells_the_branch(world: World):
    for _ in range(10):
        world.rate(3, 2)
    alerts.evaluate_spikes(world.ports, "A01")
    for _ in range(30):
        world.rate(3, 5)
    assert alerts.evaluate_spikes(world.ports, "A01") == 1
    assert world.open() == []
    assert [a.status for a in world.repo.alerts.values()] == [AlertStatus.resolved]
    for _ in range(20):
        world.rate(3, 1)
    alerts.evaluate_spikes(world.ports, "A01")
    audiences = sorted(len(n.audiences) for n in world.outbox.sent.values())
    assert audiences == [1, 2]  # the second spike of the counter goes to the branch too


def test_a_spike_spread_over_counters_raises_one_hall_alert_that_the_window_clears(world: World):
    for counter in (1, 2, 3, 4, 5):
        world.rate(counter, 1)
        world.rate(counter, 5)
    alerts.evaluate_spikes(world.ports, "A01")
    assert world.open() == ["A01"]
    assert next(iter(world.repo.alerts.values())).detail == "5 of 10 差评 in 60 min at 城东厅"
    world.clock.advance(minutes=70)
    assert alerts.recheck_spikes(world.ports) == 1
    assert world.open() == []


def test_thresholds_are_the_admins_and_are_logged(world: World):
    alerts.set_rules(ADMIN, world.ports, AlertRules(spike_min=3, spike_share=0.5))
    for _ in range(3):
        world.rate(2, 1)
    alerts.evaluate_spikes(world.ports, "A01")
    assert world.open() == ["A01#2"]
    with pytest.raises(Exception, match="admin"):
        alerts.set_rules(
            UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"})), world.ports, AlertRules()
        )


def test_acknowledging_takes_a_note_once_and_only_in_ones_halls(world: World):
    for _ in range(10):
        world.rate(3, 1)
    alerts.evaluate_spikes(world.ports, "A01")
    (alert,) = world.repo.alerts.values()
    stranger = UserPrincipal(username="m2", role=Role.manager, halls=frozenset({"B02"}))
    with pytest.raises(NotFound):
        alerts.acknowledge(stranger, world.ports, alert.id, "看过了")
    manager = UserPrincipal(username="m1", role=Role.manager, halls=frozenset({"A01"}))
    done = alerts.acknowledge(manager, world.ports, alert.id, "已提醒窗口")
    assert (done.status, done.acknowledged_by, done.note) == (AlertStatus.acknowledged, "m1", "已提醒窗口")
    with pytest.raises(Conflict):
        alerts.acknowledge(manager, world.ports, alert.id, "again")
    assert world.open() == ["A01#3"]  # acknowledged, still unresolved: no second alert
    page = alerts.list_alerts(manager, world.ports, hall="A01", status=AlertStatus.acknowledged)
    assert [a.id for a in page.items] == [alert.id]


def device(world: World, device_id: str, seen_minutes_ago: float) -> None:
    world.org.add_device(
        Device(device_id=device_id, hall_code="A01", counter_number=1, key_hash="x", created_at=NOW - timedelta(days=9))
    )
    world.org.touch_device(device_id, world.clock.now() - timedelta(minutes=seen_minutes_ago), None)


def test_a_device_silent_for_the_threshold_while_open_raises_one_alert_until_seen_again(world: World):
    device(world, "d1", 31)
    device(world, "d2", 29)
    calendar = WorkingDays()
    assert alerts.check_devices(world.ports, calendar) == 1
    assert alerts.check_devices(world.ports, calendar) == 0
    assert world.open(AlertKind.silent_device) == ["A01#d1"]
    world.org.touch_device("d1", world.clock.now(), None)
    assert alerts.check_devices(world.ports, calendar) == 1
    assert world.open(AlertKind.silent_device) == []


def test_no_silent_alert_outside_opening_hours_nor_in_the_first_minutes_after_opening(world: World):
    calendar = WorkingDays()
    world.clock.current = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai
    device(world, "d1", 120)
    assert alerts.check_devices(world.ports, calendar) == 0
    world.clock.current = datetime(2026, 11, 25, 0, 40, tzinfo=UTC)  # 08:40, opened at 08:30
    assert alerts.check_devices(world.ports, calendar) == 0
    world.clock.current = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday 10:00: closed
    assert alerts.check_devices(world.ports, calendar) == 0
    assert world.open(AlertKind.silent_device) == []


def test_a_device_installed_but_never_heard_from_is_silent_once_the_threshold_passes(world: World):
    # Registered at 09:20 and never called in (unplugged, a wrong key in its settings): by 10:00
    # the hall has been open for the whole 30 minutes without a word from it.
    installed = Device(
        device_id="d9", hall_code="A01", counter_number=4, key_hash="x", created_at=NOW - timedelta(minutes=40)
    )
    world.org.add_device(installed)
    calendar = WorkingDays()
    assert alerts.check_devices(world.ports, calendar) == 1
    (alert,) = alerts.list_alerts(ADMIN, world.ports, hall="A01").items
    assert (alert.scope, alert.detail) == ("A01#d9", "device at 4号窗口 silent for over 30 min (last seen never)")
    world.org.touch_device("d9", world.clock.now(), None)  # its first call
    assert alerts.check_devices(world.ports, calendar) == 1
    assert world.open(AlertKind.silent_device) == []


def test_a_device_registered_within_the_threshold_is_not_silent_yet(world: World):
    fresh = Device(
        device_id="d8", hall_code="A01", counter_number=4, key_hash="x", created_at=NOW - timedelta(minutes=5)
    )
    world.org.add_device(fresh)
    assert alerts.check_devices(world.ports, WorkingDays()) == 0
