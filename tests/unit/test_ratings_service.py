from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.stats import StatKey, StatKind, Tally
from chalicelib.services import organisation, ratings
from chalicelib.services.ratings import DevicePress, Ports, QrLimits, QrRating, Unreadable
from tests.fakes.clock import FixedClock
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
    return Ports(org=org, ratings=InMemoryRatingRepository(), shifts=InMemoryShiftRepository(), clock=clock)


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
    before = dict(ports.ratings.tallies)
    assert {r.status for r in ratings.ingest_device_batch(DEVICE, batch, ports)} == {"duplicate"}
    assert ports.ratings.tallies == before


def test_ratings_go_to_the_clerk_signed_in_unless_the_device_names_one(ports):
    ratings.sign_in(DEVICE, ports, "A0123")
    ratings.ingest_device_batch(DEVICE, [press(1, 0), press(2, 10, staff_no="A0456")], ports)
    assert ports.ratings.ratings[press(1).id].staff_no == "A0123"
    assert ports.ratings.ratings[press(2).id].staff_no == "A0456"
    ratings.sign_out(DEVICE, ports)
    ratings.ingest_device_batch(DEVICE, [press(3, 20)], ports)
    assert ports.ratings.ratings[press(3).id].staff_no is None


def test_a_clerk_of_another_hall_cannot_sign_in(ports):
    with pytest.raises(InvalidInput) as e:
        ratings.sign_in(DEVICE, ports, "B0001")
    assert e.value.fields == {"staff_no": "belongs to another hall"}
    with pytest.raises(NotFound):
        ratings.sign_in(DEVICE, ports, "ZZZ")


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
    ratings.sign_in(DEVICE, ports, "A0456")
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
