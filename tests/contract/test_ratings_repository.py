import collections
from datetime import UTC, datetime, timedelta

from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.shifts import ClerkPlace, ShiftChange, ShiftEvent, on_shift
from chalicelib.domain.stats import StatKey, StatKind, merge
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
SEC3 = timedelta(seconds=3)


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


def test_an_id_given_twice_in_one_batch_is_stored_once(repos):
    twice = rating(1)
    assert repos.ratings.save_batch([twice, twice]) == {twice.id: "created"}
    assert every_tally(repos.ratings, "A01", "2026-11") == merge([twice])


def press(n: int, seconds: float, **over) -> Rating:
    at = T0 + timedelta(seconds=seconds)
    return rating(n, counter_number=1, device_id="dev-1", rated_at=at, **over)


def test_presses_are_read_back_around_the_times_asked_with_their_flags(repos):
    window = repos.ratings.presses_near("dev-1", [T0], SEC3)
    stored = [press(1, 0), press(2, 1.5, misuse=True), press(3, 125)]
    assert repos.ratings.save_presses(window, stored[:2], []).saved
    window = repos.ratings.presses_near("dev-1", [T0 + timedelta(seconds=125)], SEC3)
    assert repos.ratings.save_presses(window, stored[2:], []).saved
    near = repos.ratings.presses_near("dev-1", [T0 + timedelta(seconds=1)], SEC3)
    assert sorted((p.id, p.misuse) for p in near.presses) == [(stored[0].id, False), (stored[1].id, True)]
    assert repos.ratings.presses_near("dev-2", [T0], SEC3).presses == ()


def test_a_window_written_meanwhile_refuses_the_write_and_nothing_is_stored(repos):
    before = repos.ratings.presses_near("dev-1", [T0], SEC3)
    assert repos.ratings.save_presses(repos.ratings.presses_near("dev-1", [T0], SEC3), [press(1, 0)], []).saved
    outcome = repos.ratings.save_presses(before, [press(2, 1, misuse=True)], [])
    assert outcome.changed and not outcome.saved
    assert repos.ratings.get_rating(press(2, 1).id) is None


def test_a_stored_id_is_a_duplicate_and_nothing_else_is_written(repos):
    repos.ratings.save_presses(repos.ratings.presses_near("dev-1", [T0], SEC3), [press(1, 0)], [])
    window = repos.ratings.presses_near("dev-1", [T0 + timedelta(seconds=30)], SEC3)
    outcome = repos.ratings.save_presses(window, [press(1, 30), press(2, 31)], [])
    assert outcome.duplicates == (press(1, 0).id,)
    assert repos.ratings.get_rating(press(2, 31).id) is None


def test_turning_a_stored_press_into_misuse_moves_its_counts_in_the_same_write(repos):
    scored = press(2, 10, level=1)
    repos.ratings.save_presses(repos.ratings.presses_near("dev-1", [scored.rated_at], SEC3), [scored], [])
    late = press(1, 8, level=5)
    window = repos.ratings.presses_near("dev-1", [late.rated_at], SEC3)
    assert repos.ratings.save_presses(window, [late], [scored]).saved
    assert repos.ratings.get_rating(scored.id).misuse
    turned = scored.model_copy(update={"misuse": True})
    counted = every_tally(repos.ratings, "A01", "2026-11")
    assert {k: +v for k, v in counted.items() if +v} == merge([late, turned])  # counters moved to zero stay
    near = repos.ratings.presses_near("dev-1", [scored.rated_at], SEC3)
    assert {p.id: p.misuse for p in near.presses} == {late.id: False, scored.id: True}
    # Turned again from a stale read: refused, counted once.
    window = repos.ratings.presses_near("dev-1", [T0 + timedelta(seconds=9)], SEC3)
    assert repos.ratings.save_presses(window, [press(3, 9)], [scored]).changed


def test_a_counters_shift_history_answers_who_was_on_shift_at_any_time(repos):
    t = [T0 + timedelta(minutes=m) for m in range(6)]
    repos.shifts.record("A01", 1, ShiftEvent(t[1], ShiftChange.start, "A0123"))
    repos.shifts.record("A01", 1, ShiftEvent(t[3], ShiftChange.start, "A0456"))
    repos.shifts.record("A01", 1, ShiftEvent(t[3], ShiftChange.start, "A0456"))  # sent again: no change
    repos.shifts.record("A01", 1, ShiftEvent(t[4], ShiftChange.end, "A0456"))
    repos.shifts.record("A01", 2, ShiftEvent(t[2], ShiftChange.start, "A0789"))
    history = repos.shifts.history("A01", 1, t[0], t[5])
    assert [(e.at, e.staff_no, e.change) for e in history] == [
        (t[1], "A0123", ShiftChange.start),
        (t[3], "A0456", ShiftChange.start),
        (t[4], "A0456", ShiftChange.end),
    ]
    assert repos.shifts.history("A01", 1, t[2], t[2]) == [history[0]]  # the event in force at the start
    assert [on_shift(repos.shifts.history("A01", 1, at, at), at) for at in t] == [
        None,
        "A0123",
        "A0123",
        "A0456",
        None,
        None,
    ]


def test_a_clerks_place_only_moves_forward(repos):
    assert repos.shifts.place_of("A0123") is None
    repos.shifts.move("A0123", ClerkPlace("A01", 2, T0))
    repos.shifts.move("A0123", ClerkPlace("A01", 1, T0 - timedelta(minutes=5)))  # uploaded late
    assert repos.shifts.place_of("A0123") == ClerkPlace("A01", 2, T0)


def test_the_rate_limit_counts_per_client_and_window(repos):
    hits = [repos.limiter.allow("qr", "1.2.3.4", 3, 600, T0) for _ in range(4)]
    assert hits == [True, True, True, False]
    assert repos.limiter.allow("qr", "5.6.7.8", 3, 600, T0)
    assert repos.limiter.allow("qr", "1.2.3.4", 3, 600, T0 + timedelta(seconds=600))
