from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import qrcodes
from chalicelib.domain.presses import Press, judge
from chalicelib.domain.ratings import Business, Channel, Rating, Reason, rated_at_problem
from chalicelib.domain.stats import StatKey, StatKind, Tally, contributions, merge

T0 = datetime(2026, 11, 24, 2, 0, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Tuesday
SEC = timedelta(seconds=1)


def rating(**over) -> Rating:
    values = dict(
        id="r-00000001",
        channel=Channel.device,
        hall_code="A01",
        counter_number=3,
        staff_no="A0123",
        level=5,
        rated_at=T0,
        received_at=T0,
    )
    return Rating(**(values | over))


def test_a_press_is_misuse_when_the_press_just_before_it_is_closer_than_the_interval():
    presses = [Press(T0 + n * SEC, f"p{n}") for n in (0, 2, 5, 8)]
    assert judge([], presses, 3 * SEC).misuse == {"p0": False, "p2": True, "p5": False, "p8": False}


def test_a_late_earlier_press_turns_its_stored_successor_into_misuse_and_nothing_else():
    stored = [Press(T0, "a"), Press(T0 + 10 * SEC, "b"), Press(T0 + 11 * SEC, "c", misuse=True)]
    judged = judge(stored, [Press(T0 + 8 * SEC, "late")], 3 * SEC)
    assert judged.misuse == {"late": False}  # 8 s after "a"
    assert judged.turned == ("b",)  # "b" now comes 2 s after "late"; "c" was misuse already


def test_presses_at_the_same_instant_are_ordered_by_id():
    judged = judge([], [Press(T0, "b"), Press(T0, "a")], 3 * SEC)
    assert judged.misuse == {"a": False, "b": True}


@pytest.mark.parametrize(
    ("offset", "problem"),
    [(-timedelta(days=7, seconds=1), "more than 7 days ago"), (timedelta(minutes=5, seconds=1), "ahead")],
)
def test_device_timestamps_outside_the_window_are_refused(offset, problem):
    assert problem in rated_at_problem(T0 + offset, T0)
    assert rated_at_problem(T0 - timedelta(days=6), T0) is None
    assert rated_at_problem(T0 + timedelta(minutes=4), T0) is None


def test_a_rating_is_stored_in_utc_and_dated_in_shanghai():
    late = rating(rated_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))  # 07:30 on 1 December in Shanghai
    assert late.rated_at.tzinfo is UTC
    assert (late.month, late.day) == ("2026-12", "2026-12-01")


def test_a_scored_rating_feeds_each_tally_once_and_reasons_only_below_four():
    r = rating(level=2, business=Business.invoice, reasons=(Reason.long_wait, Reason.attitude))
    c = contributions(r)
    assert c[StatKey("A01", "2026-11", StatKind.month, "", 3)] == Counter(n2=1, score=2, ch_device=1)
    # The clerk's device ratings are counted apart: their 未评价率 divides by them.
    assert c[StatKey("A01", "2026-11", StatKind.staff, "A0123", None)] == Counter(n2=1, score=2, ch_device=1)
    assert c[StatKey("A01", "2026-11", StatKind.window, "24-1000", 3)] == Counter(n2=1, score=2)
    assert StatKey("A01", "2026-11", StatKind.hour, "2-10", 3) in c
    assert StatKey("A01", "2026-11", StatKind.day, "24", 3) in c
    assert {k.part for k in c if k.kind is StatKind.reason} == {"long_wait", "attitude"}
    happy = contributions(rating(level=5, reasons=(Reason.long_wait,)))
    assert not any(k.kind is StatKind.reason for k in happy)


def test_misuse_is_counted_apart_and_in_no_score():
    c = contributions(rating(misuse=True))
    assert set(c) == {
        StatKey("A01", "2026-11", StatKind.month, "", 3),
        StatKey("A01", "2026-11", StatKind.day, "24", 3),
    }
    assert all(inc == Counter(misuse=1) for inc in c.values())


def test_merged_tallies_give_the_rates_of_spec_section_3():
    levels = [5, 5, 4, 3, 2, 1, 5, 4]
    merged = merge(rating(id=f"r-{i:08d}", level=lv) for i, lv in enumerate(levels))
    month = Tally.of(merged[StatKey("A01", "2026-11", StatKind.month, "", 3)])
    assert month.n == 8
    assert month.satisfaction_rate == 5 / 8
    assert month.bad == 2
    assert month.mean_score == sum(levels) / 8
    assert Tally().satisfaction_rate is None


def test_a_counter_code_names_its_counter_and_forgeries_name_nothing():
    key = b"q" * 32
    code = qrcodes.counter_code(key, "A-01", 12)
    assert qrcodes.parse_counter_code(key, code) == qrcodes.CounterTarget("A-01", 12)
    assert code.isascii() and "/" not in code
    assert qrcodes.parse_counter_code(b"x" * 32, code) is None
    _, _, signature = code.partition(".")
    other = qrcodes.counter_code(key, "A-01", 13).partition(".")[0]
    assert qrcodes.parse_counter_code(key, f"{other}.{signature}") is None
    for junk in ("", ".", "abc", "abc.def", code + "x"):
        assert qrcodes.parse_counter_code(key, junk) is None
