"""Reports read from the pre-aggregated tallies (SPEC §4.4): the rows of the
staff and hall summaries, the daily series, the heat map, the distributions,
and the raw ratings export's rows.

Everything here adds tallies up; nothing reads a rating except the raw
export's row, which turns one stored rating into one CSV row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from . import labels
from .csv_export import Cell, key_cell
from .errors import PayloadTooLarge
from .organisation import Hall
from .privacy import mask_personal_data, mask_phone
from .ranking import StaffResult
from .ratings import Rating
from .stats import StatKey, StatKind, Tally

Tallies = Mapping[StatKey, Mapping[str, int]]

# SPEC §4.4: the columns are a contract; extend, never change.
STAFF_COLUMNS = (
    "month",
    "branch",
    "hall_code",
    "hall",
    "staff_no",
    "name",
    "total",
    "n5",
    "n4",
    "n3",
    "n2",
    "n1",
    "satisfaction_rate",
    "rate_lower_bound",
    "mean_score",
    "rank",
    "flag",
)
HALL_COLUMNS = (
    "month",
    "branch",
    "hall_code",
    "hall",
    "total",
    "n5",
    "n4",
    "n3",
    "n2",
    "n1",
    "satisfaction_rate",
    "mean_score",
    "bad_ratings",
    "callbacks_opened",
    "callbacks_closed",
    "callbacks_overdue",
    "suggestions",
    "tickets",
    "tickets_in_time",
    "unrated",
    "unrated_rate",
)
# The hall-monthly columns of month versions published before work orders and unrated visits
# were counted: such a version's file keeps them, byte for byte (SPEC §3, published versions).
FIRST_HALL_COLUMNS = HALL_COLUMNS[: HALL_COLUMNS.index("tickets")]
RATING_COLUMNS = (
    "rated_at",
    "hall_code",
    "counter",
    "staff_no",
    "channel",
    "level",
    "business",
    "reasons",
    "comment",
    "phone",
    "status",
    "id",
)

MAX_EXPORT_DAYS = 31  # longer ranges belong to the export job (S3), not to one Lambda answer
# Lambda answers at most 6 MB of JSON-encoded response; keep a CSV body well below it.
MAX_INLINE_CSV_BYTES = 4_500_000
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month(value: str) -> bool:
    """``YYYY-MM`` with a real month (years 2000 to 2999)."""
    m = _MONTH.match(value)
    return m is not None and 2000 <= int(m.group(1)) <= 2999


def months_between(first: date, last: date) -> list[str]:
    """The ``YYYY-MM`` months that the days ``first`` to ``last`` touch, in order."""
    months: list[str] = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def rate(value: float | None) -> str:
    """Rates and means as printed: 4 decimals, empty without ratings."""
    return "" if value is None else f"{value:.4f}"


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ---- adding tallies up -----------------------------------------------------
def total_of(tallies: Tallies, kind: StatKind) -> Tally:
    """Every tally of ``kind`` added up (e.g. a hall-month's counter shards)."""
    total = Tally()
    for key, counts in tallies.items():
        if key.kind is kind:
            total += Tally.of(dict(counts))
    return total


def by_part(tallies: Tallies, kind: StatKind) -> dict[str, Tally]:
    """Tallies of ``kind`` by their part (staff number, day, business, reason, "W-HH"), shards added up."""
    found: dict[str, Tally] = {}
    for key, counts in tallies.items():
        if key.kind is kind:
            found[key.part] = found.get(key.part, Tally()) + Tally.of(dict(counts))
    return found


def counts_of(tallies: Tallies, kind: StatKind) -> Counter[str]:
    """The raw counters of a hall-wide kind (callbacks, suggestions); a missing item counts 0."""
    found: Counter[str] = Counter()
    for key, counts in tallies.items():
        if key.kind is kind:
            found.update({k: int(v) for k, v in counts.items()})
    return found


# ---- the summaries ---------------------------------------------------------
@dataclass(frozen=True)
class StaffRow:
    month: str
    hall: Hall
    name: str
    result: StaffResult


@dataclass(frozen=True)
class HallRow:
    month: str
    hall: Hall
    tally: Tally
    callbacks_opened: int = 0
    callbacks_closed: int = 0
    callbacks_overdue: int = 0
    suggestions: int = 0
    tickets: int = 0  # work orders created in the month
    tickets_in_time: int = 0  # of those, answered by their due time


def hall_row(month: str, hall: Hall, tallies: Tallies) -> HallRow:
    callbacks = counts_of(tallies, StatKind.callbacks)
    # The hall's own work-order tally (part ""): its departments' and clerks' parts are counted apart.
    hall_tickets = counts_of({k: v for k, v in tallies.items() if not k.part}, StatKind.tickets)
    return HallRow(
        month=month,
        hall=hall,
        tally=total_of(tallies, StatKind.month),
        callbacks_opened=callbacks["opened"],
        callbacks_closed=callbacks["closed"],
        callbacks_overdue=callbacks["overdue"],
        suggestions=counts_of(tallies, StatKind.suggestions)["received"],
        tickets=hall_tickets["opened"],
        tickets_in_time=hall_tickets["in_time"],
    )


def _levels(t: Tally) -> dict[str, Cell]:
    return {"total": t.n, "n5": t.n5, "n4": t.n4, "n3": t.n3, "n2": t.n2, "n1": t.n1}


def staff_csv_row(row: StaffRow, lang: str) -> dict[str, Cell]:
    r = row.result
    return {
        "month": row.month,
        "branch": row.hall.branch,
        "hall_code": row.hall.code,
        "hall": row.hall.name,
        "staff_no": r.staff_no,
        "name": row.name,
        **_levels(r.tally),
        "satisfaction_rate": rate(r.tally.satisfaction_rate),
        "rate_lower_bound": rate(r.lower_bound),
        "mean_score": rate(r.tally.mean_score),
        "rank": r.rank,
        "flag": key_cell(labels.RANKING_FLAG, r.flag, lang) if r.flag else None,
    }


def hall_csv_row(row: HallRow) -> dict[str, Cell]:
    return {
        "month": row.month,
        "branch": row.hall.branch,
        "hall_code": row.hall.code,
        "hall": row.hall.name,
        **_levels(row.tally),
        "satisfaction_rate": rate(row.tally.satisfaction_rate),
        "mean_score": rate(row.tally.mean_score),
        "bad_ratings": row.tally.bad,
        "callbacks_opened": row.callbacks_opened,
        "callbacks_closed": row.callbacks_closed,
        "callbacks_overdue": row.callbacks_overdue,
        "suggestions": row.suggestions,
        "tickets": row.tickets,
        "tickets_in_time": row.tickets_in_time,
        "unrated": row.tally.unrated,
        "unrated_rate": rate(row.tally.unrated_rate),
    }


class RatingStatus(StrEnum):
    """Where a stored rating counts: in the scores, or kept on record only (SPEC §3 Misuse)."""

    scored = "scored"
    misuse = "misuse"
    appeal_upheld = "appeal_upheld"


def rating_status(r: Rating) -> RatingStatus:
    """Misuse first: a press too soon after another never counted, whatever its appeal said.

    The tallies count such a rating once, as misuse (``stats.contributions``), so
    the file's statuses add up to the summaries' ``total``, ``misuse`` and ``appealed``.
    """
    if r.misuse:
        return RatingStatus.misuse
    if r.appeal_upheld:
        return RatingStatus.appeal_upheld
    return RatingStatus.scored


def rating_csv_row(r: Rating, lang: str) -> dict[str, Cell]:
    """One stored rating as a row: local time, labels in Chinese files, the phone masked and
    phone and ID numbers inside the comment masked too, its status and id (SPEC §4.4)."""
    reasons: Iterable[str] = (key_cell(labels.REASON, x, lang) for x in r.reasons)
    return {
        "rated_at": r.local_time.strftime("%Y-%m-%d %H:%M:%S"),
        "hall_code": r.hall_code,
        "counter": r.counter_number,
        "staff_no": r.staff_no,
        "channel": key_cell(labels.CHANNEL, r.channel, lang),
        "level": int(r.level),
        "business": key_cell(labels.BUSINESS, r.business, lang) if r.business else None,
        "reasons": ("、" if lang == "zh" else ";").join(reasons),
        "comment": mask_personal_data(r.comment) if r.comment else None,
        "phone": mask_phone(r.phone) if r.phone else None,
        "status": key_cell(labels.RATING_STATUS, rating_status(r), lang),
        "id": r.id,
    }


def capped(rows: Iterable[dict[str, Cell]], limit: int = MAX_INLINE_CSV_BYTES) -> Iterator[dict[str, Cell]]:
    """``rows`` until their UTF-8 text passes ``limit`` bytes; then PayloadTooLarge, and no more reads."""
    size = 0
    for row in rows:
        size += sum(len(str(v).encode()) + 1 for v in row.values() if v is not None) + 2
        if size > limit:
            raise PayloadTooLarge(
                "Too many ratings for one download: choose fewer days or one hall, or ask for an export "
                'job (POST /api/v1/exports with "report": "ratings", or the console\'s exports page): '
                "the file is prepared in the background, as CSV or XLSX."
            )
        yield row
