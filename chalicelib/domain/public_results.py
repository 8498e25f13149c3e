"""A hall's public results (好差评 公开, SPEC §4.1): which month a page shows, and its figures.

Only counts and rates leave: no clerk, no comment, no phone. A month is shown
from its latest published version when there is one, else from the live
tallies once it is complete (marked so); a month not over yet is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .callbacks import CallbackRates
from .publications import Publication
from .stats import Tally

TREND_MONTHS = 6
LOOK_BACK_MONTHS = 12  # how far back /p/{hall} looks for a published month


def month_before(month: str, n: int = 1) -> str:
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_complete_month(today: date) -> str:
    return month_before(today.strftime("%Y-%m"))


def trend_months(month: str) -> list[str]:
    """The TREND_MONTHS months ending with ``month``, oldest first."""
    return [month_before(month, n) for n in range(TREND_MONTHS - 1, -1, -1)]


@dataclass(frozen=True)
class MonthFigures:
    month: str
    tally: Tally
    callbacks: CallbackRates
    publication: Publication | None  # None: the live numbers of a complete month


@dataclass(frozen=True)
class TrendPoint:
    month: str
    tally: Tally


@dataclass(frozen=True)
class PublicResults:
    hall_code: str
    hall_name: str
    figures: MonthFigures
    trend: list[TrendPoint]  # oldest first; the shown month's point is the shown figures'
