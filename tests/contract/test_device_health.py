"""A device's last-seen time is written at most once a minute; silent devices, and registered
ones that never called in, are found by a keyed read of the index of devices by last seen;
unrated visits feed the tallies once."""

import collections
from datetime import UTC, datetime, timedelta

from chalicelib.domain.organisation import Device
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.domain.unrated import UnratedVisit
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def device(device_id: str = "d1", counter: int = 1) -> Device:
    return Device(device_id=device_id, hall_code="A01", counter_number=counter, key_hash="x", created_at=T0)


def test_a_device_is_touched_once_a_minute_and_a_heartbeat_always_writes(repos):
    repos.organisation.add_device(device())
    assert repos.organisation.touch_device("d1", T0, unless_seen_after=T0 - timedelta(minutes=1))
    later = T0 + timedelta(seconds=30)
    assert not repos.organisation.touch_device("d1", later, unless_seen_after=later - timedelta(minutes=1))
    assert repos.organisation.get_device("d1").last_seen_at == T0
    much_later = T0 + timedelta(seconds=61)
    assert repos.organisation.touch_device("d1", much_later, unless_seen_after=much_later - timedelta(minutes=1))
    repos.organisation.report_health("d1", much_later + timedelta(seconds=1), 4, "2.1.0")
    stored = repos.organisation.get_device("d1")
    assert (stored.last_seen_at, stored.buffered, stored.firmware) == (much_later + timedelta(seconds=1), 4, "2.1.0")
    repos.organisation.report_health("d1", much_later + timedelta(seconds=2), 0, None)  # no firmware said: kept
    assert repos.organisation.get_device("d1").firmware == "2.1.0"
    assert not repos.organisation.touch_device("nobody", T0, unless_seen_after=None)


def test_devices_seen_before_a_time_are_found_with_those_never_seen_since_registered_before_it(repos):
    for n in range(1, 5):
        repos.organisation.add_device(device(f"d{n}", n))
    late = device("d5", 5).model_copy(update={"created_at": T0 + timedelta(minutes=35)})
    repos.organisation.add_device(late)  # registered after the time asked about, never seen: not yet silent
    repos.organisation.touch_device("d1", T0, unless_seen_after=None)
    repos.organisation.touch_device("d2", T0 + timedelta(minutes=40), unless_seen_after=None)
    repos.organisation.touch_device("d3", T0, unless_seen_after=None)
    repos.organisation.revoke_device("d3", T0 + timedelta(minutes=1))
    found = repos.organisation.devices_seen_before(T0 + timedelta(minutes=30))
    # d4 never called in since its registration at T0; d2 was seen since; d3 is revoked
    assert sorted(d.device_id for d in found) == ["d1", "d4"]
    assert repos.organisation.get_device("d3").last_seen_at == T0  # the record stays


def test_unrated_visits_feed_hall_counter_day_and_clerk_tallies_once(repos):
    visit = UnratedVisit(
        id="v1", hall_code="A01", counter_number=2, staff_no="A0123", at=T0, received_at=T0, device_id="d1"
    )
    assert repos.unrated.save_visits([visit, visit]) == {"v1": "created"}
    assert repos.unrated.save_visits([visit]) == {"v1": "duplicate"}
    one = collections.Counter(unrated=1)
    assert every_tally(repos.ratings, "A01", "2026-11") == {
        StatKey("A01", "2026-11", StatKind.month, "", 2): one,
        StatKey("A01", "2026-11", StatKind.day, "24", 2): one,
        StatKey("A01", "2026-11", StatKind.staff, "A0123", None): one,
    }
