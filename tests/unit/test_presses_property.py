"""The numbers people are paid by cannot depend on how a device uploads.

Any stream of one device's presses, with clerks signing in and out, gives the
same per-clerk tallies and misuse counts whether it is posted live in time
order or buffered: shift events first (devices upload in the order things
happened), then the presses in batches of any size, in any order, with
retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.stats import StatKind
from chalicelib.services import organisation, ratings, shifts
from chalicelib.services.presses import PRESS_CHUNK
from chalicelib.services.ratings import DevicePress, Ports
from tests.fakes.clock import FixedClock
from tests.fakes.device_batches import InMemoryDeviceBatchReader
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository, InMemoryShiftRepository

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
START = NOW - timedelta(hours=3)
DEVICE = DevicePrincipal(device_id="dev-1", hall_code="A01", counter_number=1)
ADMIN = UserPrincipal(username="root", role=Role.admin)
CLERKS = ("A0001", "A0002", "A0003")


def new_ports() -> Ports:
    clock = FixedClock(NOW)
    org = InMemoryOrganisationRepository()
    organisation.create_hall(ADMIN, org, clock, code="A01", name="A01厅", branch="城东", grade=HallGrade.A)
    organisation.add_counter(ADMIN, org, clock, hall_code="A01", number=1)
    for staff_no in CLERKS:
        organisation.add_staff(ADMIN, org, clock, staff_no=staff_no, name="张三", hall_code="A01")
    stored = InMemoryRatingRepository()
    batch_reads = InMemoryDeviceBatchReader(org, stored)
    return Ports(org=org, ratings=stored, shifts=InMemoryShiftRepository(), clock=clock, batch_reads=batch_reads)


# An event is (seconds after START, what): a press of a level, a sign-in of a clerk, or a sign-out.
presses = st.tuples(st.integers(0, 600), st.tuples(st.just("press"), st.integers(1, 5)))
sign_ins = st.tuples(st.integers(0, 600), st.tuples(st.just("in"), st.sampled_from(CLERKS)))
sign_outs = st.tuples(st.integers(0, 600), st.tuples(st.just("out"), st.just("")))
streams = st.lists(st.one_of(presses, presses, presses, sign_ins, sign_outs), min_size=1, max_size=40)


def _press(n: int, second: int, level: int) -> DevicePress:
    return DevicePress(id=f"00000000-0000-4000-8000-{n:012d}", level=level, rated_at=START + timedelta(seconds=second))


def _shift(ports: Ports, second: int, what: str, who: str) -> None:
    at = START + timedelta(seconds=second)
    if what == "in":
        shifts.sign_in(DEVICE, ports.org, ports.shifts, ports.clock, who, at)
    else:
        shifts.sign_out(DEVICE, ports.shifts, ports.clock, at)


def _outcome(ports: Ports) -> tuple[object, ...]:
    repo = ports.ratings
    assert isinstance(repo, InMemoryRatingRepository)
    # A counter moved back to zero (a turned press's old level) reads as absent.
    staff = {k.part: +v for k, v in repo.tallies_of_kind("A01", "2026-11", StatKind.staff).items() if +v}
    month = {k.shard: +v for k, v in repo.tallies_of_kind("A01", "2026-11", StatKind.month).items() if +v}
    flags = {r.id: (r.misuse, r.staff_no) for r in repo.ratings.values()}
    return staff, month, flags


CUTS = st.lists(st.integers(1, 10), min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(stream=streams, cuts=CUTS, data=st.data())
def test_buffered_uploads_in_any_batches_and_order_count_as_live_ones(stream, cuts, data):
    _buffered_counts_as_live(stream, cuts, data)


@settings(max_examples=100, deadline=None)
@given(stream=streams, cuts=CUTS, data=st.data())
def test_the_same_when_each_transaction_takes_two_ratings(stream, cuts, data):
    # A batch is written in chunks, each handing its press window on to the next: with chunks of
    # two, a batch crosses many of them (and a retried batch meets its own chunks already stored).
    _buffered_counts_as_live(stream, cuts, data, chunk_size=2)


def _buffered_counts_as_live(stream, cuts, data, chunk_size=PRESS_CHUNK):
    # Ties: at one instant, a shift change happens before a press (the clerk was seen first).
    ordered = sorted(enumerate(stream), key=lambda e: (e[1][0], e[1][1][0] == "press", e[0]))
    live = new_ports()
    for n, (second, (what, value)) in ordered:
        if what == "press":
            ratings.ingest_device_batch(DEVICE, [_press(n, second, int(value))], live)
        else:
            _shift(live, second, what, str(value))

    buffered = new_ports()
    for _, (second, (what, value)) in ordered:
        if what != "press":
            _shift(buffered, second, what, str(value))
    pending = [_press(n, second, int(value)) for n, (second, (what, value)) in ordered if what == "press"]
    pending = data.draw(st.permutations(pending))
    sizes = iter(cuts * (len(pending) + 1))
    while pending:
        size = next(sizes)
        batch, pending = pending[:size], pending[size:]
        ratings.ingest_device_batch(DEVICE, batch, buffered, chunk_size=chunk_size)
        if data.draw(st.booleans()):  # the answer was lost: the device sends the batch again
            assert {r.status for r in ratings.ingest_device_batch(DEVICE, batch, buffered, chunk_size=chunk_size)} == {
                "duplicate"
            }

    assert _outcome(buffered) == _outcome(live)
