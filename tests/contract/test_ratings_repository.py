import collections
from datetime import UTC, datetime, timedelta

from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.stats import StatKey, StatKind, merge
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def rating(n: int, **over) -> Rating:
    values = dict(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1 + n % 3,
        staff_no=f"S{n % 4}",
        level=1 + n % 5,
        business=list(Business)[n % 8],
        reasons=(list(Reason)[n % 8],) if n % 5 < 3 else (),
        rated_at=T0 + timedelta(minutes=7 * n),
        received_at=T0,
    )
    return Rating(**(values | over))


def test_a_batch_stores_ratings_and_tallies_equal_to_a_recount(repos):
    batch = [rating(n) for n in range(150)]  # more than one transaction's worth
    assert set(repos.ratings.save_batch(batch).values()) == {"created"}
    assert repos.ratings.get_rating(batch[7].id) == batch[7]
    assert every_tally(repos.ratings, "A01", "2026-11") == merge(batch)


def test_a_retried_batch_with_new_ratings_mixed_in_stores_only_the_new_ones(repos):
    first = [rating(n) for n in range(10)]
    repos.ratings.save_batch(first)
    retry = [*first[5:], rating(10), rating(11)]
    statuses = repos.ratings.save_batch(retry)
    assert statuses == {r.id: "duplicate" for r in first[5:]} | {rating(10).id: "created", rating(11).id: "created"}
    assert every_tally(repos.ratings, "A01", "2026-11") == merge([*first, rating(10), rating(11)])


def test_a_duplicate_changes_nothing_even_with_other_content(repos):
    repos.ratings.save_batch([rating(1, level=5)])
    assert repos.ratings.save_batch([rating(1, level=1)]) == {rating(1).id: "duplicate"}
    assert repos.ratings.get_rating(rating(1).id).level == 5
    counter_2 = StatKey("A01", "2026-11", StatKind.month, "", 2)
    month = repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.month)[counter_2]
    assert month == collections.Counter(n5=1, score=5, ch_device=1)


def test_ratings_of_a_day_come_back_in_time_order(repos):
    batch = [rating(n) for n in (3, 1, 2)]
    repos.ratings.save_batch(batch)
    day = batch[0].day
    assert [r.id for r in repos.ratings.ratings_of_day("A01", day)] == [rating(n).id for n in (1, 2, 3)]
    assert list(repos.ratings.ratings_of_day("A01", "2026-01-01")) == []


def test_the_press_clock_only_moves_forward(repos):
    assert repos.ratings.last_press("dev-1") is None
    repos.ratings.record_press("dev-1", T0)
    repos.ratings.record_press("dev-1", T0 - timedelta(seconds=5))
    assert repos.ratings.last_press("dev-1") == T0
    repos.ratings.record_press("dev-1", T0 + timedelta(seconds=5))
    assert repos.ratings.last_press("dev-1") == T0 + timedelta(seconds=5)


def test_a_counter_has_one_clerk_signed_in_at_a_time(repos):
    assert repos.shifts.signed_in("A01", 1) is None
    repos.shifts.sign_in("A01", 1, "A0123", T0)
    repos.shifts.sign_in("A01", 1, "A0456", T0)
    assert repos.shifts.signed_in("A01", 1) == "A0456"
    assert repos.shifts.signed_in("A01", 2) is None
    repos.shifts.sign_out("A01", 1)
    repos.shifts.sign_out("A01", 1)
    assert repos.shifts.signed_in("A01", 1) is None


def test_the_rate_limit_counts_per_client_and_window(repos):
    hits = [repos.limiter.allow("qr", "1.2.3.4", 3, 600, T0) for _ in range(4)]
    assert hits == [True, True, True, False]
    assert repos.limiter.allow("qr", "5.6.7.8", 3, 600, T0)
    assert repos.limiter.allow("qr", "1.2.3.4", 3, 600, T0 + timedelta(seconds=600))
