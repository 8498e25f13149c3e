"""The device path reads what a batch needs once (SPEC §4.2): the counter, its hall, the
clerks named and the device's presses in one keyed read, the shift history only for
ratings that name no clerk, and each chunk of a large batch judged against the presses
the chunk before it wrote, without reading them again; unrated visits are checked from the
same one read. What devices see stays the same."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.stats import StatKey, StatKind, Tally
from chalicelib.services import organisation, ratings, shifts, unrated
from chalicelib.services.presses import PRESS_CHUNK
from chalicelib.services.ratings import DevicePress, Ports
from chalicelib.services.unrated import DeviceVisit, UnratedPorts
from tests.fakes.clock import FixedClock
from tests.fakes.device_batches import InMemoryDeviceBatchReader
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository, InMemoryShiftRepository
from tests.fakes.unrated import InMemoryUnratedRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
DEVICE = DevicePrincipal(device_id="dev-1", hall_code="A01", counter_number=1)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
MONTH = StatKey("A01", "2026-11", StatKind.month, "", 1)


class Counting:
    """Passes every call on to ``inner`` and counts it by method."""

    def __init__(self, inner: Any, calls: Counter[str]) -> None:
        self._inner, self._calls = inner, calls

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls[name] += 1
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def calls() -> Counter[str]:
    return Counter()


@pytest.fixture
def ports(calls: Counter[str]) -> Ports:
    clock = FixedClock(NOW)
    org = InMemoryOrganisationRepository()
    organisation.create_hall(ADMIN, org, clock, code="A01", name="A01厅", branch="城东", grade=HallGrade.A)
    organisation.add_counter(ADMIN, org, clock, hall_code="A01", number=1)
    for staff_no in ("A0123", "A0456"):
        organisation.add_staff(ADMIN, org, clock, staff_no=staff_no, name="张三", hall_code="A01")
    stored = InMemoryRatingRepository()
    return Ports(
        org=Counting(org, calls),
        ratings=Counting(stored, calls),
        shifts=Counting(InMemoryShiftRepository(), calls),
        clock=clock,
        batch_reads=Counting(InMemoryDeviceBatchReader(org, stored), calls),
    )


def press(n: int, seconds: float, **over: Any) -> DevicePress:
    fields = {"id": f"00000000-0000-4000-8000-{n:012d}", "level": 5, "rated_at": NOW - timedelta(hours=1)}
    fields["rated_at"] += timedelta(seconds=seconds)
    return DevicePress(**(fields | over))


def stored(ports: Ports) -> InMemoryRatingRepository:
    return ports.ratings._inner  # type: ignore[attr-defined,no-any-return]


def test_a_batch_naming_its_clerks_is_read_once_and_written_once(ports, calls):
    batch = [press(n, 10 * n, staff_no=("A0123", "A0456")[n % 2]) for n in range(10)]
    assert {r.status for r in ratings.ingest_device_batch(DEVICE, batch, ports)} == {"created"}
    assert calls == Counter({"read_for_batch": 1, "save_presses": 1})


def test_ratings_naming_no_clerk_add_one_query_of_the_shift_history(ports, calls):
    shifts.sign_in(DEVICE, ports.org, ports.shifts, ports.clock, "A0123", NOW - timedelta(hours=2))
    calls.clear()
    ratings.ingest_device_batch(DEVICE, [press(1, 0), press(2, 10, staff_no="A0456"), press(3, 20)], ports)
    assert calls == Counter({"read_for_batch": 1, "history": 1, "save_presses": 1})
    assert [stored(ports).ratings[press(n, 0).id].staff_no for n in (1, 2, 3)] == ["A0123", "A0456", "A0123"]


def test_a_retried_batch_is_answered_from_the_one_read_and_counts_nothing_twice(ports, calls):
    batch = [press(n, 10 * n, staff_no="A0123") for n in range(40)]
    ratings.ingest_device_batch(DEVICE, batch, ports)
    before = {k: Counter(v) for k, v in stored(ports).tallies.items()}
    calls.clear()
    assert {r.status for r in ratings.ingest_device_batch(DEVICE, batch, ports)} == {"duplicate"}
    assert stored(ports).tallies == before
    assert calls == Counter({"read_for_batch": 1})


def test_a_large_batch_reads_the_presses_once_and_judges_across_its_chunks(ports, calls):
    # 60 presses 10 s apart, but the first of the second chunk comes 1 s after the last of the first.
    times = [10.0 * n for n in range(60)]
    times[PRESS_CHUNK] = times[PRESS_CHUNK - 1] + 1
    batch = [press(n, t, staff_no="A0123") for n, t in enumerate(times)]
    ratings.ingest_device_batch(DEVICE, list(reversed(batch)), ports)
    assert calls["read_for_batch"] == 1
    assert calls["presses_near"] == 0
    assert calls["save_presses"] == 3  # chunks of 25, 25 and 10
    flagged = [n for n, p in enumerate(batch) if stored(ports).ratings[p.id].misuse]
    assert flagged == [PRESS_CHUNK]
    month = Tally.of(stored(ports).tallies[MONTH])
    assert (month.n, month.misuse) == (59, 1)


def test_two_clerks_buffered_offline_in_one_batch_each_keep_their_ratings(ports):
    # A serves from 08:00, B takes over at 08:40; the device was offline and sends everything at 10:00.
    shifts.sign_in(DEVICE, ports.org, ports.shifts, ports.clock, "A0123", NOW - timedelta(hours=2))
    shifts.sign_in(DEVICE, ports.org, ports.shifts, ports.clock, "A0456", NOW - timedelta(minutes=80))
    served_by_a = [press(n, -30 * 60 + 10 * n, level=1) for n in range(3)]  # 08:30
    served_by_b = [press(10 + n, 10 * n, level=5) for n in range(3)]  # 09:00
    ratings.ingest_device_batch(DEVICE, served_by_b + served_by_a, ports)
    clerks = {p.id: stored(ports).ratings[p.id].staff_no for p in served_by_a + served_by_b}
    assert clerks == {p.id: "A0123" for p in served_by_a} | {p.id: "A0456" for p in served_by_b}
    staff = stored(ports).tallies_of_kind("A01", "2026-11", StatKind.staff)
    by_clerk = {key.part: Tally.of(counts) for key, counts in staff.items()}
    assert (by_clerk["A0123"].n, by_clerk["A0123"].n1, by_clerk["A0456"].n, by_clerk["A0456"].n5) == (3, 3, 3, 3)


def test_a_press_too_soon_after_the_stored_one_is_misuse_and_the_rest_of_the_batch_is_not_touched(ports):
    ratings.ingest_device_batch(DEVICE, [press(1, 0, staff_no="A0123")], ports)
    results = ratings.ingest_device_batch(
        DEVICE,
        [press(2, 2, staff_no="A0123", level=1), press(3, 30, staff_no="NOPE"), press(4, 60, staff_no="A0456")],
        ports,
    )
    assert [r.status for r in results] == ["created", "rejected", "created"]
    assert [stored(ports).ratings[press(n, 0).id].misuse for n in (1, 2, 4)] == [False, True, False]
    assert press(3, 0).id not in stored(ports).ratings
    month = Tally.of(stored(ports).tallies[MONTH])
    assert (month.n, month.n1, month.misuse) == (2, 0, 1)


def test_a_batch_another_writer_overtook_is_read_again_and_judged_as_a_whole(ports, calls):
    # Another batch of the same device stores a press 1 s before ours between our read and our write.
    reader = ports.batch_reads._inner  # type: ignore[attr-defined]
    other = Ports(
        ports.org, stored(ports), ports.shifts, ports.clock, InMemoryDeviceBatchReader(reader.org, stored(ports))
    )
    first_read = reader.read_for_batch

    def read_then_overtaken(*args: Any, **kwargs: Any) -> Any:
        window = first_read(*args, **kwargs)
        assert ratings.ingest_device_batch(DEVICE, [press(9, -1, staff_no="A0456")], other)[0].status == "created"
        return window

    reader.read_for_batch = read_then_overtaken
    results = ratings.ingest_device_batch(DEVICE, [press(1, 0, staff_no="A0123")], ports)
    assert results[0].status == "created"
    assert stored(ports).ratings[press(1, 0).id].misuse
    assert calls["presses_near"] == 1  # read again once, after the refused write


def test_unrated_visits_are_checked_from_the_same_one_read_and_attributed_like_ratings(ports, calls):
    shifts.sign_in(DEVICE, ports.org, ports.shifts, ports.clock, "A0123", NOW - timedelta(hours=2))
    visits = InMemoryUnratedRepository(stored(ports))
    unrated_ports = UnratedPorts(Counting(visits, calls), ports.shifts, ports.clock, ports.batch_reads)
    calls.clear()
    at = NOW - timedelta(minutes=30)
    named = [DeviceVisit(f"v{n}", at + timedelta(minutes=n), "A0456") for n in range(3)]
    results = unrated.ingest_unrated(DEVICE, [*named, DeviceVisit("bad", at, "NOPE")], unrated_ports)
    assert [r.status for r in results] == ["created", "created", "created", "rejected"]
    assert calls == Counter({"read_for_batch": 1, "save_visits": 1})
    calls.clear()
    unrated.ingest_unrated(DEVICE, [DeviceVisit("v9", at)], unrated_ports)
    assert calls == Counter({"read_for_batch": 1, "history": 1, "save_visits": 1})
    assert {v.id: v.staff_no for v in visits.visits.values()} == {
        "v0": "A0456",
        "v1": "A0456",
        "v2": "A0456",
        "v9": "A0123",
    }


def test_an_id_stored_without_a_press_is_a_duplicate_and_the_rest_of_its_chunk_is_written(ports, calls):
    # The press record does not know the id (stored by another path): the transaction tells.
    first = ratings.ingest_device_batch(DEVICE, [press(1, 0, staff_no="A0123")], ports)
    assert first[0].status == "created"
    elsewhere = stored(ports).ratings[press(1, 0).id].model_copy(update={"rated_at": NOW - timedelta(minutes=5)})
    stored(ports).minutes.clear()
    stored(ports).ratings[elsewhere.id] = elsewhere
    before = {k: Counter(v) for k, v in stored(ports).tallies.items()}
    calls.clear()
    results = ratings.ingest_device_batch(
        DEVICE, [press(1, 0, staff_no="A0123"), press(2, 10, staff_no="A0123", level=1)], ports
    )
    assert [r.status for r in results] == ["duplicate", "created"]
    assert calls["save_presses"] == 2 and calls["presses_near"] == 1  # refused, read again, written
    month = Tally.of(stored(ports).tallies[MONTH])
    assert (month.n, month.n1) == (Tally.of(before[MONTH]).n + 1, Tally.of(before[MONTH]).n1 + 1)
