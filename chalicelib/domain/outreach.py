"""五进 outreach: quarters, events, per-hall coverage and published snapshots (SPEC §3).

Pure rules: which quarter a day falls in, what an event may carry, what an
event adds to its hall's counters (and what an edit or a deletion moves), and
how a hall's counters become a coverage row and a snapshot.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from .business_time import local_minute
from .organisation import Code, Hall

QUARTER_PATTERN = r"^[1-9][0-9]{3}Q[1-4]$"
Quarter = Annotated[str, StringConstraints(pattern=QUARTER_PATTERN)]

MAX_COUNT = 1_000_000
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]

MAX_PHOTOS = 20
# S3's "safe" key characters (letters, digits, ! - _ . * ' ( ) and /).
_SAFE_KEY = re.compile(r"^[A-Za-z0-9!_.*'()/-]{1,1024}$")


def _photo_key(key: str) -> str:
    """A plain S3 object key: safe characters, relative, no empty or dot segments."""
    if not _SAFE_KEY.match(key):
        raise ValueError("an S3 key of letters, digits and ! - _ . * ' ( ) / (at most 1024)")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError("no leading '/', empty, '.' or '..' segments")
    return key


PhotoKey = Annotated[str, AfterValidator(_photo_key)]


class Category(StrEnum):
    community = "community"
    enterprise = "enterprise"
    village = "village"
    household = "household"
    school = "school"


# Counted per hall and quarter besides the categories.
TALLIES = ("participants", "households_visited", "safety_checks", "materials")


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of a quarter such as ``2026Q4``."""
    if not re.match(QUARTER_PATTERN, quarter):
        raise ValueError(f"not a quarter: {quarter!r}")
    year, q = int(quarter[:4]), int(quarter[5])
    first = date(year, 3 * q - 2, 1)
    after = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return first, after - timedelta(days=1)


def is_quarter(text: str) -> bool:
    return re.match(QUARTER_PATTERN, text) is not None


def inside_quarter(day: date, info: ValidationInfo) -> date:
    """A validator of a model's ``date`` field: it falls inside the model's ``quarter``."""
    quarter = info.data.get("quarter")
    if quarter is None:  # the quarter itself was invalid: reported on its own
        return day
    first, last = quarter_bounds(quarter)
    if not first <= day <= last:
        raise ValueError(f"must fall inside {quarter} ({first} to {last}, Asia/Shanghai)")
    return day


class OutreachEvent(BaseModel):
    """One 五进 event a hall held. ``date`` must fall inside ``quarter``."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    quarter: Quarter
    hall_code: Code
    category: Category
    date: date
    place: Text
    title: Text
    participants: Count = 0
    households_visited: Count = 0
    safety_checks: Count = 0
    materials: Count = Field(default=0, description="materials handed out")
    notes: Notes = ""
    photos: tuple[PhotoKey, ...] = Field(default=(), max_length=MAX_PHOTOS)
    created_at: datetime
    created_by: str
    # Every stored change makes the next revision; a change is written only while
    # the stored event is still the revision it was made from (events stored
    # before revisions existed read 1).
    revision: int = Field(default=1, ge=1)
    updated_at: datetime | None = None
    updated_by: str | None = None

    @field_validator("date")
    @classmethod
    def _inside_quarter(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return inside_quarter(value, info)


def event_id_of(text: str) -> str | None:
    """An event id as stored (a UUID as 32 lowercase hex digits) from what a URL or a form
    carries, with or without dashes; None when it cannot name an event."""
    try:
        return uuid.UUID(text).hex if len(text) <= 45 else None
    except ValueError:
        return None


# What an edit may change. The id and the quarter stay: an event of another
# quarter is deleted here and recorded there.
EDITABLE = frozenset(
    {
        "hall_code",
        "category",
        "date",
        "place",
        "title",
        "participants",
        "households_visited",
        "safety_checks",
        "materials",
        "notes",
        "photos",
    }
)


def edited(event: OutreachEvent, changes: Mapping[str, Any], at: datetime, by: str) -> OutreachEvent:
    """The event with ``changes`` made, as its next revision; ValidationError as for a new event
    (a date outside the quarter names ``date``)."""
    refused = set(changes) - EDITABLE
    if refused:
        raise ValueError(f"not editable: {sorted(refused)}")
    values = {**event.model_dump(), **changes, "revision": event.revision + 1, "updated_at": at, "updated_by": by}
    return OutreachEvent.model_validate(values)


def same_content(a: OutreachEvent, b: OutreachEvent) -> bool:
    """Whether two revisions say the same (an edit that changes nothing is not written)."""
    return a.model_dump(include=set(EDITABLE)) == b.model_dump(include=set(EDITABLE))


def contribution(event: OutreachEvent) -> dict[str, int]:
    """What one event adds to its hall's counters of its quarter."""
    return {"events": 1, event.category.value: 1, **{name: getattr(event, name) for name in TALLIES}}


def count_changes(before: OutreachEvent | None, after: OutreachEvent | None) -> dict[str, dict[str, int]]:
    """What replacing ``before`` by ``after`` adds to each hall's counters, by hall code (``before``
    None: recorded; ``after`` None: deleted). Both are of one quarter; zero changes are left out,
    and a hall with none is not named."""
    moved: dict[str, dict[str, int]] = {}
    for event, sign in ((before, -1), (after, 1)):
        if event is None:
            continue
        hall = moved.setdefault(event.hall_code, {})
        for name, value in contribution(event).items():
            hall[name] = hall.get(name, 0) + sign * value
    changed = {code: {k: v for k, v in names.items() if v} for code, names in moved.items()}
    return {code: names for code, names in changed.items() if names}


class OutreachCounts(BaseModel):
    """The numbers kept per hall and quarter, and summed over halls."""

    model_config = ConfigDict(frozen=True)

    events: int = 0
    community: int = 0
    enterprise: int = 0
    village: int = 0
    household: int = 0
    school: int = 0
    participants: int = 0
    households_visited: int = 0
    safety_checks: int = 0
    materials: int = 0


class HallTally(OutreachCounts):
    """The counters kept for one hall and quarter, updated with every event."""

    hall_code: str


class CoverageRow(OutreachCounts):
    """One hall's line in the coverage report and in a snapshot."""

    branch: str
    hall_code: str
    hall: str
    covered: bool


class Totals(OutreachCounts):
    halls: int
    covered_halls: int


class Coverage(BaseModel):
    model_config = ConfigDict(frozen=True)

    quarter: str
    rows: tuple[CoverageRow, ...]
    totals: Totals


class PublishedEvent(BaseModel):
    """What the public page shows of an event: never its notes or photos."""

    model_config = ConfigDict(frozen=True)

    hall_code: str
    category: Category
    date: date
    place: str
    title: str
    participants: int


class Snapshot(BaseModel):
    """A quarter's results as published: stored once, never recomputed."""

    model_config = ConfigDict(frozen=True)

    quarter: Quarter
    version: int = Field(ge=1)
    published_at: datetime
    published_by: str
    coverage: Coverage
    events: tuple[PublishedEvent, ...] = ()


def coverage_row(hall: Hall, tally: HallTally | None) -> CoverageRow:
    counts: dict[str, Any] = (tally or HallTally(hall_code=hall.code)).model_dump(exclude={"hall_code"})
    return CoverageRow(branch=hall.branch, hall_code=hall.code, hall=hall.name, covered=counts["events"] >= 1, **counts)


def coverage(quarter: str, halls: list[Hall], tallies: dict[str, HallTally]) -> Coverage:
    """Every hall's row (halls without events included) and the totals."""
    rows = tuple(coverage_row(h, tallies.get(h.code)) for h in halls)
    summed = {
        name: sum(getattr(r, name) for r in rows) for name in Totals.model_fields if name in CoverageRow.model_fields
    }
    return Coverage(
        quarter=quarter,
        rows=rows,
        totals=Totals(halls=len(rows), covered_halls=sum(r.covered for r in rows), **summed),
    )


def published_at_label(snapshot: Snapshot) -> str:
    """The publication time as a Shanghai wall-clock string, e.g. ``2026-12-31 17:05``."""
    return local_minute(snapshot.published_at)
