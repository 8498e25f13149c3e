"""The monthly staff ranking (SPEC §3), against known values and a brute-force reference."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.ranking import Flag, rank_staff, wilson_lower_bound
from chalicelib.domain.stats import Tally


def tally(n5: int = 0, n4: int = 0, n3: int = 0, n2: int = 0, n1: int = 0) -> Tally:
    return Tally(n1=n1, n2=n2, n3=n3, n4=n4, n5=n5, score=5 * n5 + 4 * n4 + 3 * n3 + 2 * n2 + n1)


def wilson_by_bisection(successes: int, n: int, z: float = 1.96) -> float:
    """The lower root of (p̂ − p)² = z² p (1 − p) / n, found without the closed form."""
    p_hat = successes / n

    def gap(p: float) -> float:
        return (p_hat - p) ** 2 - z * z * p * (1 - p) / n

    lo, hi = 0.0, p_hat
    if gap(lo) <= 0:
        return 0.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if gap(mid) > 0:
            lo = mid
        else:
            hi = mid
    return lo


def test_the_wilson_bound_of_known_cases():
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(0, 10) == 0.0
    assert wilson_lower_bound(10, 10) == pytest.approx(1 / (1 + 1.96**2 / 10))
    assert wilson_lower_bound(8, 10) == pytest.approx(0.4902, abs=1e-4)
    assert wilson_lower_bound(81, 100) == pytest.approx(0.7222, abs=1e-4)


@given(n=st.integers(1, 5000), data=st.data())
def test_the_wilson_bound_is_the_lower_root_of_the_score_interval(n, data):
    successes = data.draw(st.integers(0, n))
    bound = wilson_lower_bound(successes, n)
    assert bound == pytest.approx(wilson_by_bisection(successes, n), abs=1e-9)
    assert 0.0 <= bound <= successes / n


def reference(tallies: dict[str, Tally], min_ratings: int) -> dict[str, tuple[int | None, Flag | None]]:
    """Rank by counting who beats whom, flag by rank alone."""

    def key(s: str) -> tuple[float, int, int, str]:
        t = tallies[s]
        return (-wilson_lower_bound(t.n5 + t.n4, t.n), t.n2 + t.n1, -t.n, s)

    eligible = [s for s, t in tallies.items() if t.n >= min_ratings]
    k = len(eligible)
    out: dict[str, tuple[int | None, Flag | None]] = {s: (None, None) for s in tallies}
    for s in eligible:
        rank = 1 + sum(1 for o in eligible if key(o) < key(s))
        flag = Flag.reward if rank <= 2 else Flag.assess if rank > k - 2 else None
        out[s] = (rank, flag)
    return out


levels = st.integers(0, 40)
tallies_strategy = st.dictionaries(
    st.from_regex(r"^[A-Z][0-9]{3}$", fullmatch=True),
    st.builds(tally, levels, levels, levels, levels, levels),
    max_size=12,
)


@settings(max_examples=300, deadline=None)  # a loaded CI machine is no reason to fail
@given(tallies=tallies_strategy, min_ratings=st.integers(1, 60))
def test_the_ranking_agrees_with_a_brute_force_reference(tallies, min_ratings):
    results = rank_staff(tallies, min_ratings)
    expected = reference(tallies, min_ratings)
    assert sorted(r.staff_no for r in results) == sorted(tallies)
    assert {r.staff_no: (r.rank, r.flag) for r in results} == expected
    ranked = [r for r in results if r.rank is not None]
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert results[: len(ranked)] == ranked  # the ranked come first, in rank order
    unranked = [r.staff_no for r in results[len(ranked) :]]
    assert unranked == sorted(unranked)
    k = len(ranked)
    assert sum(r.flag is Flag.reward for r in results) == min(2, k)
    assert sum(r.flag is Flag.assess for r in results) == min(2, max(0, k - 2))


def test_the_lower_bound_puts_many_good_ratings_above_a_few_perfect_ones():
    results = rank_staff({"A001": tally(n5=30), "A002": tally(n5=297, n3=3)}, 30)
    assert [r.staff_no for r in results] == ["A002", "A001"]
    assert results[0].lower_bound > results[1].lower_bound


def test_ties_are_broken_by_fewer_bad_ratings_then_more_ratings_then_staff_number():
    results = rank_staff(
        {
            "A004": tally(n5=30, n3=5),  # 5 基本满意, no 差评
            "A003": tally(n5=30, n1=5),  # same rate, 5 差评
            "A002": tally(n5=30, n2=5),
            "A001": tally(n5=30, n2=5),
        },
        30,
    )
    assert [r.staff_no for r in results] == ["A004", "A001", "A002", "A003"]
    more = rank_staff({"B1": tally(n5=60, n3=60), "B2": tally(n5=60, n3=60, n4=0), "B0": tally(n5=30, n3=30)}, 30)
    assert [r.staff_no for r in more][:2] == ["B1", "B2"]  # same bound: equal n, so by number
    assert more[2].staff_no == "B0"  # same rate, fewer ratings: a lower bound


@pytest.mark.parametrize(
    ("count", "flags"),
    [
        (0, []),
        (1, [Flag.reward]),
        (2, [Flag.reward, Flag.reward]),
        (3, [Flag.reward, Flag.reward, Flag.assess]),
        (4, [Flag.reward, Flag.reward, Flag.assess, Flag.assess]),
        (5, [Flag.reward, Flag.reward, None, Flag.assess, Flag.assess]),
    ],
)
def test_the_top_two_are_rewarded_and_the_bottom_two_assessed_never_both(count, flags):
    tallies = {f"S{i}": tally(n5=100 - 10 * i, n1=10 * i) for i in range(count)}
    assert [r.flag for r in rank_staff(tallies, 30)] == flags


def test_staff_below_the_minimum_are_listed_unranked_and_unflagged():
    results = rank_staff({"A1": tally(n5=29), "A2": tally(n5=30), "A3": tally()}, 30)
    assert [(r.staff_no, r.rank, r.flag) for r in results] == [
        ("A2", 1, Flag.reward),
        ("A1", None, None),
        ("A3", None, None),
    ]
    assert results[2].lower_bound is None and not results[2].eligible
    assert math.isclose(results[1].lower_bound or 0, wilson_lower_bound(29, 29))
