"""The monthly staff ranking (SPEC §3): who is eligible, the order, and who is rewarded or assessed.

Staff with at least ``min_ratings`` scored ratings are eligible. They are
ordered by the Wilson lower bound (z = 1.96) of their satisfaction rate
(n5 + n4) / n, so a clerk with 30 ratings all 满意 does not outrank one with
300 at 99 % by luck; then by fewer 差评 (n2 + n1), then by more ratings, then
by staff number, which makes the order total. The top two are flagged
``reward`` and the bottom two ``assess``; nobody is both, so with fewer than
four eligible staff the bottom takes only those not already on top.
Ineligible staff are listed after the ranked ones, without a rank.

The tallies it reads already leave misuse presses out. Upheld appeals
(申诉复核) do not exist yet; when they do, they must leave the tallies too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .stats import Tally

DEFAULT_MIN_RATINGS = 30
Z = 1.96  # 95 % two-sided
REWARDED = 2  # how many at the top are rewarded
ASSESSED = 2  # how many at the bottom are assessed


class Flag(StrEnum):
    reward = "reward"
    assess = "assess"


def wilson_lower_bound(successes: int, n: int, z: float = Z) -> float:
    """The lower end of the Wilson score interval of ``successes / n`` (0 for no trials)."""
    if n <= 0 or successes <= 0:
        return 0.0  # exactly: rounding noise must not order clerks with no satisfied ratings
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z2 / n))


@dataclass(frozen=True)
class StaffResult:
    staff_no: str
    tally: Tally
    lower_bound: float | None  # None without ratings
    rank: int | None  # None when not eligible
    flag: Flag | None

    @property
    def eligible(self) -> bool:
        return self.rank is not None


def _order(staff_no: str, tally: Tally, bound: float) -> tuple[float, int, int, str]:
    return (-bound, tally.bad, -tally.n, staff_no)


def rank_staff(tallies: Mapping[str, Tally], min_ratings: int = DEFAULT_MIN_RATINGS) -> list[StaffResult]:
    """Every staff member of ``tallies`` (by staff number): the ranked in rank order, then the rest by number."""
    bounds = {s: wilson_lower_bound(t.n5 + t.n4, t.n) for s, t in tallies.items()}
    eligible = sorted(
        (s for s, t in tallies.items() if t.n >= min_ratings), key=lambda s: _order(s, tallies[s], bounds[s])
    )
    count = len(eligible)
    top = min(REWARDED, count)
    # The bottom two, but never someone already on top.
    bottom_from = max(top, count - ASSESSED)
    ranked = [
        StaffResult(
            staff_no=s,
            tally=tallies[s],
            lower_bound=bounds[s],
            rank=i + 1,
            flag=Flag.reward if i < top else Flag.assess if i >= bottom_from else None,
        )
        for i, s in enumerate(eligible)
    ]
    chosen = set(eligible)
    unranked = [
        StaffResult(
            staff_no=s,
            tally=t,
            lower_bound=bounds[s] if t.n else None,
            rank=None,
            flag=None,
        )
        for s, t in sorted(tallies.items())
        if s not in chosen
    ]
    return ranked + unranked
