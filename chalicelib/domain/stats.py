"""Pre-aggregated counters: which tallies a rating feeds, and the rates read from them.

Every summary reads these tallies instead of the ratings, so its cost does
not grow with the number of ratings. Hall-level tallies are kept per counter
(the ``shard``): a counter's device is the only frequent writer of its
shard, so devices of one hall never contend for one item; readers add the
shards of a hall up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .business_time import SHANGHAI
from .ratings import BAD_UP_TO_LEVEL, Rating, relevant_reasons


class StatKind(StrEnum):
    month = "month"  # hall × month (per counter shard)
    day = "day"  # hall × day (per counter shard): the daily series and counter × day
    staff = "staff"  # staff × month
    business = "business"  # hall × month × business type
    reason = "reason"  # hall × month × dissatisfaction reason
    hour = "hour"  # hall × month × (ISO weekday, hour): the heat map
    callbacks = "callbacks"  # hall × month: callback tasks opened, closed, overdue (no shard)
    suggestions = "suggestions"  # hall × month: suggestions received (no shard)
    tickets = "tickets"  # hall × month, and its departments and clerks (part): work orders (no shard)
    # Inspections and stars (SPEC §3.3). No kind's name begins another's (the stored sort keys are read by prefix).
    inspection = "inspection"  # staff × month: counted inspections, score sum, points per section
    hall_inspections = "hall_inspections"  # hall × month: counted inspections by mode (no shard)
    verified_complaint = "verified_complaint"  # staff × month: upheld complaints against the clerk
    window = "window"  # hall × five-minute slot "DD-HHMM" (per counter shard): the negative-spike window


# Kinds kept per clerk (the part is a staff number, no counter shard).
CLERK_KINDS = frozenset({StatKind.staff, StatKind.inspection, StatKind.verified_complaint})


@dataclass(frozen=True, order=True)
class StatKey:
    hall_code: str
    month: str  # YYYY-MM in Asia/Shanghai
    kind: StatKind
    part: str  # the day "DD", staff number, business key, reason key, "W-HH", or "" for month
    shard: int | None  # the counter number; None for staff tallies


# The stored counts; n, rates and means are derived from them, never stored.
TALLY_FIELDS = ("n1", "n2", "n3", "n4", "n5", "score", "misuse", "appealed", "unrated", "ch_device")

# The spike window is kept in slots of this many minutes (SPEC §3.4).
SLOT_MINUTES = 5


def slot_of(at: datetime) -> str:
    """The five-minute slot of ``at`` as a window tally's part: ``DD-HHMM`` (Asia/Shanghai)."""
    local = at.astimezone(SHANGHAI)
    return f"{local:%d-%H}{local.minute - local.minute % SLOT_MINUTES:02d}"


def contributions(rating: Rating) -> dict[StatKey, Counter[str]]:
    """The increments one rating adds to each tally it feeds."""
    hall, month, counter = rating.hall_code, rating.month, rating.counter_number
    local = rating.local_time
    if not rating.scored:
        # Misuse and upheld appeals are counted where the dashboard shows them, and in no score.
        flagged = Counter({"misuse" if rating.misuse else "appealed": 1})
        keys = [
            StatKey(hall, month, StatKind.month, "", counter),
            StatKey(hall, month, StatKind.day, local.strftime("%d"), counter),
        ]
        return {k: Counter(flagged) for k in keys}
    scored = Counter({f"n{int(rating.level)}": 1, "score": int(rating.level)})
    keys = [
        StatKey(hall, month, StatKind.month, "", counter),
        StatKey(hall, month, StatKind.day, local.strftime("%d"), counter),
        StatKey(hall, month, StatKind.hour, f"{local.isoweekday()}-{local.hour:02d}", counter),
    ]
    if rating.staff_no:
        keys.append(StatKey(hall, month, StatKind.staff, rating.staff_no, None))
    keys.append(StatKey(hall, month, StatKind.window, slot_of(rating.rated_at), counter))
    if rating.business:
        keys.append(StatKey(hall, month, StatKind.business, rating.business.value, counter))
    keys += [
        StatKey(hall, month, StatKind.reason, r.value, counter) for r in relevant_reasons(rating.level, rating.reasons)
    ]
    out = {k: Counter(scored) for k in keys}
    out[keys[0]][f"ch_{rating.channel.value}"] += 1
    if rating.staff_no and rating.channel.value == "device":
        # A clerk's 未评价率 divides by their scored device ratings (SPEC §3 未评价).
        out[StatKey(hall, month, StatKind.staff, rating.staff_no, None)]["ch_device"] += 1
    return out


def unrated_contributions(
    hall_code: str, counter_number: int, staff_no: str | None, at: datetime
) -> dict[StatKey, Counter[str]]:
    """The increments one unrated visit (a rating invited, none given) adds: hall, day and clerk-month."""
    local = at.astimezone(SHANGHAI)
    month = local.strftime("%Y-%m")
    keys = [
        StatKey(hall_code, month, StatKind.month, "", counter_number),
        StatKey(hall_code, month, StatKind.day, local.strftime("%d"), counter_number),
    ]
    if staff_no:
        keys.append(StatKey(hall_code, month, StatKind.staff, staff_no, None))
    return {k: Counter(unrated=1) for k in keys}


def hall_event(hall_code: str, kind: StatKind, at: datetime, counts: Counter[str]) -> dict[StatKey, Counter[str]]:
    """Counts of a hall-wide event (a callback task's, a suggestion's) in the Shanghai month it happens."""
    return {StatKey(hall_code, at.astimezone(SHANGHAI).strftime("%Y-%m"), kind, "", None): counts}


def difference(before: Rating, after: Rating) -> dict[StatKey, Counter[str]]:
    """What changes in the tallies when a stored rating changes (e.g. an upheld appeal), as signed increments."""
    delta: dict[StatKey, Counter[str]] = {k: Counter(v) for k, v in contributions(after).items()}
    for key, inc in contributions(before).items():
        delta.setdefault(key, Counter()).subtract(inc)
    return {k: Counter({f: n for f, n in v.items() if n}) for k, v in delta.items() if any(v.values())}


def merge(ratings: Iterable[Rating]) -> dict[StatKey, Counter[str]]:
    """The summed increments of several ratings, one entry per tally."""
    total: dict[StatKey, Counter[str]] = {}
    for rating in ratings:
        for key, inc in contributions(rating).items():
            total.setdefault(key, Counter()).update(inc)
    return total


@dataclass(frozen=True)
class Ratio:
    """A rate with its parts, so a page can show "1 / 2" beside 50 %; no rate when nothing divides."""

    top: int
    bottom: int

    @property
    def value(self) -> float | None:
        return self.top / self.bottom if self.bottom else None


@dataclass(frozen=True)
class Tally:
    """Counts of scored ratings by level, their score sum, misuse presses and upheld appeals."""

    n1: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    score: int = 0
    misuse: int = 0
    appealed: int = 0
    unrated: int = 0  # visits where a rating was invited and none came
    ch_device: int = 0  # scored device ratings (of a clerk: since they were counted apart)

    @property
    def n(self) -> int:
        return self.n1 + self.n2 + self.n3 + self.n4 + self.n5

    @property
    def bad(self) -> int:
        """差评: level ≤ 2."""
        return sum(getattr(self, f"n{level}") for level in range(1, BAD_UP_TO_LEVEL + 1))

    @property
    def satisfied(self) -> int:
        """满意: level 4 or 5."""
        return self.n5 + self.n4

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 = (n5 + n4) / n."""
        return self.satisfied / self.n if self.n else None

    @property
    def bad_rate(self) -> float | None:
        return self.bad / self.n if self.n else None

    @property
    def mean_score(self) -> float | None:
        return self.score / self.n if self.n else None

    @property
    def invited(self) -> int:
        """Device visits that invited a rating: scored device ratings plus unrated visits."""
        return self.ch_device + self.unrated

    @property
    def unrated_rate(self) -> float | None:
        """未评价率 = unrated / (scored device ratings + unrated); QR ratings were never invited."""
        return self.unrated / self.invited if self.invited else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{f: getattr(self, f) + getattr(other, f) for f in TALLY_FIELDS})

    @classmethod
    def of(cls, counts: dict[str, int]) -> Tally:
        return cls(**{f: int(counts.get(f, 0)) for f in TALLY_FIELDS})
