"""How many rows an export would write, as the tallies tell it cheaply when the job is
asked for (SPEC §4.10): an XLSX past ``XLSX_MAX_ROWS`` is then refused at once (a 400
naming ``format``, nothing stored). What the tallies cannot tell cheaply is left to
the run, which stops at the cap.

Every stored rating, scored or not (misuse presses, upheld appeals), adds one to its
hall-month's tally and to its hall-day's (``domain.stats.contributions``), so the
ratings of a span are the month tallies of its whole months and the day tallies of
its first and last, partial months: one Query a hall-month either way.
"""

from __future__ import annotations

import calendar
import functools
from collections import Counter
from datetime import date

from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.stats import StatKind
from chalicelib.services import reports
from chalicelib.services.fanout import PARALLEL_READS, in_parallel
from chalicelib.services.ports import OrganisationRepository, TallyReader

COUNT_READS = 2_000  # tally Queries an ask may spend; a span of more hall-months is left to the run
ROUND = 4 * PARALLEL_READS  # Queries read side by side before the count so far is looked at
RATING_FIELDS = ("n1", "n2", "n3", "n4", "n5", "misuse", "appealed")  # one of them per stored rating


def _months(first: date, last: date) -> list[tuple[str, int, int]]:
    """Each month of the span: ``(YYYY-MM, first day, last day)`` of the span within it."""
    found: list[tuple[str, int, int]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        lo = first.day if (year, month) == (first.year, first.month) else 1
        end = calendar.monthrange(year, month)[1]
        hi = last.day if (year, month) == (last.year, last.month) else end
        found.append((f"{year:04d}-{month:02d}", lo, hi))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _hall_month(tallies: TallyReader, hall: str, month: str, lo: int, hi: int) -> int:
    year, number = int(month[:4]), int(month[5:])
    counts: list[Counter[str]]
    if lo == 1 and hi == calendar.monthrange(year, number)[1]:
        counts = list(tallies.tallies_of_kind(hall, month, StatKind.month).values())
    else:
        days = tallies.tallies_of_kind(hall, month, StatKind.day)
        counts = [c for key, c in days.items() if lo <= int(key.part) <= hi]
    return sum(c[f] for c in counts for f in RATING_FIELDS)


def ratings_between(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    *,
    first: date,
    last: date,
    hall: str | None,
    past: int,
) -> int | None:
    """The ratings stored from ``first`` to ``last`` in the halls ``actor`` may read (or ``hall``).
    Read ``ROUND`` hall-months at a time, it answers as soon as the count passes ``past`` (the
    count so far, past already); None when the span needs more than ``COUNT_READS`` Queries and
    the first of them did not pass ``past``."""
    work = [(h.code, *m) for h in reports.readable_halls(actor, org, hall) for m in _months(first, last)]
    count = 0
    for start in range(0, min(len(work), COUNT_READS), ROUND):
        chunk = work[start : min(start + ROUND, COUNT_READS)]
        count += sum(in_parallel([functools.partial(_hall_month, tallies, *w) for w in chunk]))
        if count > past:
            return count
    return count if len(work) <= COUNT_READS else None
