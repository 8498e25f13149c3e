from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.stats import StatKey, StatKind, Tally
from chalicelib.services import organisation, ratings, shifts
from chalicelib.services.ratings import DevicePress, Ports, QrLimits, QrRating, Unreadable
from tests.fakes.clock import FixedClock
from tests.fakes.device_batches import InMemoryDeviceBatchReader
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRateLimiter, InMemoryRatingRepository, InMemoryShiftRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
DEVICE = DevicePrincipal(device_id="dev-1", hall_code="A01", counter_number=1)
QR_KEY = b"k" * 32
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def ports() -> Ports:
    clock = FixedClock(NOW)
    org = InMemoryOrganisationRepository()
    for code in ("A01", "B02"):
        organisation.create_hall(ADMIN, org, clock, code=code, name=f"{code}厅", branch="城东", grade=HallGrade.A)
        organisation.add_counter(ADMIN, org, clock, hall_code=code, number=1)
    organisation.add_staff(ADMIN, org, clock, staff_no="A0123", name="张三", hall_code="A01")
    organisation.add_staff(ADMIN, org, clock, staff_no="A0456", name="李四", hall_code="A01")
    organisation.add_staff(ADMIN, org, clock, staff_no="B0001", name="王五", hall_code="B02")
    stored = InMemoryRatingRepository()
    batch_reads = InMemoryDeviceBatchReader(org, stored)
    return Ports(org=org, ratings=stored, shifts=InMemoryShiftRepository(), clock=clock, batch_reads=batch_reads)


def press(n: int, seconds: float = 0, **over) -> DevicePress:
    return DevicePress(
        **(
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "level": 5,
                "rated_at": NOW - timedelta(minutes=10) + timedelta(seconds=seconds),
            }
            | over
        )
    )


def test_a_batch_answers_each_item_in_request_order(ports):
    items = [
        press(1, 0),
        Unreadable("bad-1", InvalidInput("x", {"level": "out of range"})),
        press(2, 10, staff_no="B0001"),
        press(3, 20, staff_no="NOPE"),
        press(4, 30, rated_at=NOW - timedelta(days=8)),
        press(1, 40),
    ]
    results = ratings.ingest_device_batch(DEVICE, items, ports)
    assert [(r.id[-2:] if r.id else None, r.status) for r in results] == [
        ("01", "created"),
        ("-1", "rejected"),
        ("02", "rejected"),
        ("03", "rejected"),
        ("04", "rejected"),
        ("01", "duplicate"),
    ]
    assert results[2].error.fields == {"staff_no": "belongs to another hall"}
    assert results[3].error.fields == {"staff_no": "unknown staff number"}
    assert results[4].error.fields == {"rated_at": "more than 7 days ago"}
    assert list(ports.ratings.ratings) == [press(1).id]


def test_a_retried_batch_changes_nothing(ports):
    batch = [press(i, 10 * i) for i in range(5)]
    assert {r.status for r in ratings.ingest_device_batch(DEVICE, batch, ports)} == {"created"}
    before = {k: Counter(v) for k, v in ports.ratings.tallies.items()}  # copies: counts change in place
    assert {r.status for r in ratings.ingest_device_batch(DEVICE, batch, ports)} == {"duplicate"}
    assert ports.ratings.tallies == before


def sign_in(ports: Ports, staff_no: str, minutes_ago: float = 20, device: DevicePrincipal = DEVICE) -> None:
    at = NOW - timedelta(minutes=minutes_ago)
    shifts.sign_in(device, ports.org, ports.shifts, ports.clock, staff_no, at)


def sign_out(ports: Ports, minutes_ago: float) -> None:
    shifts.sign_out(DEVICE, ports.shifts, ports.clock, NOW - timedelta(minutes=minutes_ago))


def test_ratings_go_to_the_clerk_on_shift_at_rated_at_unless_the_device_names_one(ports):
    sign_in(ports, "A0123", minutes_ago=20)
    ratings.ingest_device_batch(DEVICE, [press(1, 0), press(2, 10, staff_no="A0456")], ports)
    assert ports.ratings.ratings[press(1).id].staff_no == "A0123"
    assert ports.ratings.ratings[press(2).id].staff_no == "A0456"
    sign_out(ports, minutes_ago=9)
    ratings.ingest_device_batch(DEVICE, [press(3, 90)], ports)  # 8.5 minutes ago: nobody on shift
    assert ports.ratings.ratings[press(3).id].staff_no is None


def test_an_offline_clerks_buffered_ratings_stay_theirs_when_the_next_clerk_has_signed_in(ports):
    sign_in(ports, "A0123", minutes_ago=60)  # A serves from 09:00
    sign_in(ports, "A0456", minutes_ago=5)  # the device was offline; B signs in at 10:00
    late = [press(1, -30 * 60, level=1), press(2, -20 * 60, level=5)]  # A's presses at 09:xx, sent now
    ratings.ingest_device_batch(DEVICE, late, ports)
    assert {ports.ratings.ratings[p.id].staff_no for p in late} == {"A0123"}
    staff = ports.ratings.tallies_of_kind("A01", "2026-11", StatKind.staff)
    assert set(staff) == {StatKey("A01", "2026-11", StatKind.staff, "A0123", None)}


def test_signing_in_elsewhere_ends_the_earlier_shift_but_not_someone_elses(ports):
    other = DevicePrincipal(device_id="dev-2", hall_code="A01", counter_number=2)
    sign_in(ports, "A0123", minutes_ago=30)
    sign_in(ports, "A0123", minutes_ago=20, device=other)  # A moves to counter 2
    ratings.ingest_device_batch(DEVICE, [press(1, 0)], ports)  # at counter 1, 10 minutes ago
    assert ports.ratings.ratings[press(1).id].staff_no is None
    sign_in(ports, "A0456", minutes_ago=15, device=other)  # B takes counter 2
    sign_in(ports, "A0123", minutes_ago=12)  # A goes back to counter 1: B keeps counter 2
    assert shifts.clerk_at(ports.shifts, "A01", 2, NOW) == "A0456"
    assert shifts.clerk_at(ports.shifts, "A01", 1, NOW) == "A0123"


def test_a_sign_in_sent_again_changes_nothing(ports):
    sign_in(ports, "A0123", minutes_ago=30)
    sign_in(ports, "A0456", minutes_ago=20)
    before = ports.shifts.history("A01", 1, NOW - timedelta(hours=1), NOW)
    sign_in(ports, "A0123", minutes_ago=30)
    assert ports.shifts.history("A01", 1, NOW - timedelta(hours=1), NOW) == before
    assert shifts.clerk_at(ports.shifts, "A01", 1, NOW) == "A0456"


def test_a_shift_time_outside_the_window_is_refused(ports):
    with pytest.raises(InvalidInput) as e:
        sign_in(ports, "A0123", minutes_ago=8 * 24 * 60)
    assert e.value.fields == {"at": "more than 7 days ago"}


def test_a_clerk_of_another_hall_cannot_sign_in(ports):
    with pytest.raises(InvalidInput) as e:
        sign_in(ports, "B0001")
    assert e.value.fields == {"staff_no": "belongs to another hall"}
    with pytest.raises(NotFound):
        sign_in(ports, "ZZZ")


def test_a_reversed_late_burst_counts_once(ports):
    burst = [press(n, n, level=1) for n in range(4)]  # four presses a second apart
    ratings.ingest_device_batch(DEVICE, list(reversed(burst)), ports)
    month = Tally.of(ports.ratings.tallies[StatKey("A01", "2026-11", StatKind.month, "", 1)])
    assert (month.n, month.n1, month.misuse) == (1, 1, 3)


def test_a_late_earlier_press_moves_its_successors_counts_to_misuse(ports):
    ratings.ingest_device_batch(DEVICE, [press(1, 0, level=5), press(2, 10, level=1)], ports)
    ratings.ingest_device_batch(DEVICE, [press(3, 8, level=4)], ports)  # arrives late, 2 s before press 2
    assert ports.ratings.ratings[press(2).id].misuse
    month = Tally.of(ports.ratings.tallies[StatKey("A01", "2026-11", StatKind.month, "", 1)])
    assert (month.n, month.n5, month.n4, month.n1, month.misuse) == (2, 1, 1, 0, 1)


def test_quick_presses_are_kept_but_left_out_of_scores_even_across_batches(ports):
    ratings.ingest_device_batch(DEVICE, [press(1, 0), press(2, 1, level=1)], ports)
    ratings.ingest_device_batch(DEVICE, [press(3, 2.5, level=1), press(4, 10)], ports)
    stored = ports.ratings.ratings
    assert [stored[press(i).id].misuse for i in (1, 2, 3, 4)] == [False, True, True, False]
    month = Tally.of(ports.ratings.tallies[StatKey("A01", "2026-11", StatKind.month, "", 1)])
    assert (month.n, month.n1, month.misuse) == (2, 0, 2)


def test_a_qr_rating_needs_a_genuine_code_and_counts_for_the_clerk_signed_in(ports):
    limiter = InMemoryRateLimiter()
    code = qrcodes.counter_code(QR_KEY, "A01", 1)
    sign_in(ports, "A0456")
    stored = ratings.submit_qr_rating(ports, limiter, QR_KEY, code, QrRating(level=4), client="1.2.3.4")
    assert (stored.channel.value, stored.staff_no, stored.hall_code) == ("qr", "A0456", "A01")
    with pytest.raises(NotFound):
        ratings.submit_qr_rating(ports, limiter, b"z" * 32, code, QrRating(level=4), client="1.2.3.4")
    with pytest.raises(NotFound):  # a genuine code for a counter that does not exist
        ratings.submit_qr_rating(
            ports, limiter, QR_KEY, qrcodes.counter_code(QR_KEY, "A01", 9), QrRating(level=4), client="1.2.3.4"
        )


def test_a_phone_is_kept_only_with_consent(ports):
    limiter = InMemoryRateLimiter()
    code = qrcodes.counter_code(QR_KEY, "A01", 1)
    with pytest.raises(InvalidInput) as e:
        ratings.submit_qr_rating(ports, limiter, QR_KEY, code, QrRating(level=1, phone="13812345678"), client="c")
    assert "consent" in e.value.fields
    assert ports.ratings.ratings == {}
    kept = ratings.submit_qr_rating(
        ports, limiter, QR_KEY, code, QrRating(level=1, phone="13812345678", consent=True), client="c"
    )
    assert kept.phone == "13812345678"


def test_the_honeypot_and_the_client_limit_store_nothing(ports):
    limiter = InMemoryRateLimiter()
    code = qrcodes.counter_code(QR_KEY, "A01", 1)
    assert ratings.submit_qr_rating(ports, limiter, QR_KEY, code, QrRating(level=5, honeypot=True), client="c") is None
    limits = QrLimits(per_client=2, window_seconds=600)
    for _ in range(2):
        ratings.submit_qr_rating(ports, limiter, QR_KEY, code, QrRating(level=5), client="c", limits=limits)
    with pytest.raises(TooManyRequests):
        ratings.submit_qr_rating(ports, limiter, QR_KEY, code, QrRating(level=5), client="c", limits=limits)
    assert ratings.submit_qr_rating(ports, limiter, QR_KEY, code, QrRating(level=5), client="d", limits=limits)
    assert len(ports.ratings.ratings) == 3


def test_a_phone_left_with_a_good_rating_is_not_kept(ports):
    code = qrcodes.counter_code(QR_KEY, "A01", 1)
    stored = ratings.submit_qr_rating(
        ports, InMemoryRateLimiter(), QR_KEY, code, QrRating(level=4, phone="13812345678", consent=True), client="c"
    )
    assert stored.phone is None  # no callback follows a good rating: nothing to keep the number for


def test_a_rating_sent_again_with_its_key_is_the_first_and_is_not_counted_by_the_limit(ports):
    limiter = InMemoryRateLimiter()
    code = qrcodes.counter_code(QR_KEY, "A01", 1)
    key = "k" * 32
    limits = QrLimits(per_client=1, window_seconds=600)
    first = ratings.submit_qr_rating(
        ports, limiter, QR_KEY, code, QrRating(level=2), client="c", limits=limits, key=key
    )
    again = ratings.submit_qr_rating(
        ports, limiter, QR_KEY, code, QrRating(level=2), client="c", limits=limits, key=key
    )
    assert again == first and list(ports.ratings.ratings) == [first.id]
    assert first.id == ratings.keyed_rating_id(code, key) and len(first.id) == 32 and key not in first.id
    assert ratings.keyed_rating_id(qrcodes.counter_code(QR_KEY, "A01", 2), key) != first.id
    with pytest.raises(TooManyRequests):  # a new key is a new rating, and the limit counts it
        ratings.submit_qr_rating(
            ports, limiter, QR_KEY, code, QrRating(level=2), client="c", limits=limits, key="j" * 32
        )
