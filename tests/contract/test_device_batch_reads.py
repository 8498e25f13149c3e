"""A device batch's keyed reads (the counter, its hall, the clerks named, the device's presses)
come back together exactly as the single reads give them, and a written chunk of presses hands
on the window a fresh read would give."""

from datetime import UTC, datetime, timedelta

from chalicelib.domain.organisation import Counter, Hall, HallGrade, Staff
from chalicelib.domain.ratings import Channel, Rating

T0 = datetime(2026, 11, 24, 1, 0, 30, tzinfo=UTC)
SEC3 = timedelta(seconds=3)


def press(n: int, seconds: float, **over) -> Rating:
    values = dict(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1,
        staff_no="A0123",
        level=1 + n % 5,
        rated_at=T0 + timedelta(seconds=seconds),
        received_at=T0,
        device_id="dev-1",
    )
    return Rating(**(values | over))


def same(window, other) -> bool:
    return (window.device_id, sorted(window.presses), dict(window.versions), window.min_interval) == (
        other.device_id,
        sorted(other.presses),
        dict(other.versions),
        other.min_interval,
    ) and [p.misuse for p in sorted(window.presses)] == [p.misuse for p in sorted(other.presses)]


def test_one_read_gives_the_counter_its_hall_the_clerks_and_the_presses(repos):
    hall = Hall(code="A01", name="A01营业厅", branch="城东", grade=HallGrade.B, created_at=T0)
    counter = Counter(hall_code="A01", number=1, created_at=T0, active=False)
    clerk = Staff(staff_no="A0123", name="张三", hall_code="A01", created_at=T0)
    repos.organisation.add_hall(hall)
    repos.organisation.add_counter(counter)
    repos.organisation.add_staff(clerk)
    written = [press(1, 0), press(2, 1, misuse=True), press(3, 70)]
    repos.ratings.save_presses(repos.ratings.presses_near("dev-1", [T0, T0 + timedelta(seconds=70)], SEC3), written, [])
    times = [T0 + timedelta(seconds=2), T0 + timedelta(seconds=69), T0 + timedelta(minutes=30)]
    read = repos.device_batches.read_for_batch("dev-1", "A01", 1, {"A0123", "NOPE"}, times, SEC3)
    assert (read.hall, read.counter, dict(read.staff)) == (hall, counter, {"A0123": clerk, "NOPE": None})
    assert same(read.presses, repos.ratings.presses_near("dev-1", times, SEC3))
    assert {p.id: p.misuse for p in read.presses.presses} == {r.id: r.misuse for r in written}
    empty = repos.device_batches.read_for_batch("dev-2", "B02", 7, set(), [], SEC3)
    assert (empty.hall, empty.counter, dict(empty.staff), empty.presses.presses) == (None, None, {}, ())


def test_a_written_chunk_hands_on_the_window_a_fresh_read_gives(repos):
    times = [T0 + timedelta(seconds=s) for s in (0, 1, 10, 58, 200)]
    window = repos.ratings.presses_near("dev-1", times, SEC3)
    first = [press(1, 0), press(2, 1, misuse=True), press(3, 58)]
    outcome = repos.ratings.save_presses(window, first, [])
    assert outcome.saved
    assert same(outcome.window, repos.ratings.presses_near("dev-1", times, SEC3))
    # The next chunk is judged and written against the window handed on, without reading again.
    late = press(4, 57, level=1)  # arrives after 58 and turns it into misuse
    turned = repos.ratings.get_rating(press(3, 58).id)
    after = repos.ratings.save_presses(outcome.window, [late], [turned])
    assert after.saved
    assert same(after.window, repos.ratings.presses_near("dev-1", times, SEC3))
    assert repos.ratings.get_rating(turned.id).misuse


def test_only_the_minutes_around_a_chunk_must_be_unchanged(repos):
    times = [T0, T0 + timedelta(minutes=10)]
    window = repos.ratings.presses_near("dev-1", times, SEC3)
    # Another batch writes ten minutes later: this chunk's neighbourhood is untouched.
    elsewhere = repos.ratings.presses_near("dev-1", times[1:], SEC3)
    assert repos.ratings.save_presses(elsewhere, [press(9, 600)], []).saved
    assert repos.ratings.save_presses(window, [press(1, 0)], []).saved
    # But a write near a chunk refuses it.
    assert repos.ratings.save_presses(window, [press(2, 601)], []).changed
    assert repos.ratings.get_rating(press(2, 601).id) is None
