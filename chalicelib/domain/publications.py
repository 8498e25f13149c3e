"""Month publication (SPEC §3): the month's staff rankings and hall summary, frozen as an
immutable, numbered version.

Publishing freezes every hall's summary row and every clerk's ranked row (each
hall's ranking and each branch's) exactly as the live report computed them. A
version is never recomputed: its files and JSON are rendered from these rows
alone, so the same query on version N answers the same bytes for ever, while
the live numbers go on changing (late device batches, upheld appeals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from .organisation import Hall
from .ranking import Flag, StaffResult
from .reports import FIRST_HALL_COLUMNS, HALL_COLUMNS, HallRow, StaffRow
from .stats import Tally

LATEST: Final = "latest"
Wanted = int | Literal["latest"]  # a version number, or the newest one
Scope = Literal["hall", "branch"]


class FrozenTally(BaseModel):
    """A Tally as stored: the counts, never the rates (those follow from them)."""

    model_config = ConfigDict(frozen=True)

    n1: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    score: int = 0
    misuse: int = 0
    appealed: int = 0
    unrated: int = 0  # versions published before unrated visits were counted read 0
    ch_device: int = 0

    @classmethod
    def of(cls, tally: Tally) -> FrozenTally:
        return cls(**{name: getattr(tally, name) for name in cls.model_fields})

    def thawed(self) -> Tally:
        return Tally(**self.model_dump())


class FrozenStaff(BaseModel):
    """One clerk's line of one ranking, as the report showed it."""

    model_config = ConfigDict(frozen=True)

    hall_code: str  # the hall the line shows them at
    staff_no: str
    name: str
    tally: FrozenTally
    lower_bound: float | None
    rank: int | None
    flag: Flag | None


class FrozenHall(BaseModel):
    """One hall's line of the hall summary, with the hall as it was named then."""

    model_config = ConfigDict(frozen=True)

    hall: Hall
    tally: FrozenTally
    callbacks_opened: int
    callbacks_closed: int
    callbacks_overdue: int
    suggestions: int
    tickets: int = 0  # versions published before work orders read 0
    tickets_in_time: int = 0


class Ranking(BaseModel):
    """One ranking: a hall's staff (``scope="hall"``), or a whole branch's ranked together."""

    model_config = ConfigDict(frozen=True)

    scope: Scope
    key: str  # the hall code, or the branch
    rows: tuple[FrozenStaff, ...]


class MonthRows(BaseModel):
    """Everything a version answers from: every hall's row and every ranking, in code order."""

    model_config = ConfigDict(frozen=True)

    min_ratings: int
    halls: tuple[FrozenHall, ...]
    rankings: tuple[Ranking, ...]
    # The hall-monthly file's columns when the version was published (stored with it; a
    # version stored before columns were kept had the first ones).
    hall_columns: tuple[str, ...] = FIRST_HALL_COLUMNS


class Publication(BaseModel):
    """Who published which version of a month, and when."""

    model_config = ConfigDict(frozen=True)

    month: str
    version: int = Field(ge=1)
    published_at: datetime
    published_by: str


class MonthSnapshot(Publication):
    rows: MonthRows

    @property
    def publication(self) -> Publication:
        return Publication(**self.model_dump(include=set(Publication.model_fields)))

    @property
    def halls(self) -> list[Hall]:
        return [h.hall for h in self.rows.halls]

    def hall(self, code: str) -> Hall | None:
        return next((h for h in self.halls if h.code == code), None)

    def hall_rows(self, halls: Iterable[Hall]) -> list[HallRow]:
        wanted = {h.code for h in halls}
        return [thaw_hall(self.month, h) for h in self.rows.halls if h.hall.code in wanted]

    def staff_rows(self, scope: Scope, key: str) -> list[StaffRow]:
        """The rows of one ranking; none for a hall or branch without one."""
        by_code = {h.code: h for h in self.halls}
        for ranking in self.rows.rankings:
            if ranking.scope == scope and ranking.key == key:
                return [thaw_staff(self.month, r, by_code) for r in ranking.rows]
        return []


def freeze_staff(row: StaffRow) -> FrozenStaff:
    r = row.result
    return FrozenStaff(
        hall_code=row.hall.code,
        staff_no=r.staff_no,
        name=row.name,
        tally=FrozenTally.of(r.tally),
        lower_bound=r.lower_bound,
        rank=r.rank,
        flag=r.flag,
    )


def thaw_staff(month: str, row: FrozenStaff, halls: Mapping[str, Hall]) -> StaffRow:
    result = StaffResult(
        staff_no=row.staff_no, tally=row.tally.thawed(), lower_bound=row.lower_bound, rank=row.rank, flag=row.flag
    )
    return StaffRow(month=month, hall=halls[row.hall_code], name=row.name, result=result)


def freeze_hall(row: HallRow) -> FrozenHall:
    return FrozenHall(
        hall=row.hall,
        tally=FrozenTally.of(row.tally),
        callbacks_opened=row.callbacks_opened,
        callbacks_closed=row.callbacks_closed,
        callbacks_overdue=row.callbacks_overdue,
        suggestions=row.suggestions,
        tickets=row.tickets,
        tickets_in_time=row.tickets_in_time,
    )


def thaw_hall(month: str, row: FrozenHall) -> HallRow:
    return HallRow(
        month=month,
        hall=row.hall,
        tally=row.tally.thawed(),
        callbacks_opened=row.callbacks_opened,
        callbacks_closed=row.callbacks_closed,
        callbacks_overdue=row.callbacks_overdue,
        suggestions=row.suggestions,
        tickets=row.tickets,
        tickets_in_time=row.tickets_in_time,
    )


def month_rows(
    min_ratings: int,
    halls: Iterable[HallRow],
    by_hall: Mapping[str, list[StaffRow]],
    by_branch: Mapping[str, list[StaffRow]],
) -> MonthRows:
    """The rows a version freezes: the hall summary and every hall's and branch's ranking."""
    rankings = [Ranking(scope="hall", key=k, rows=tuple(map(freeze_staff, v))) for k, v in sorted(by_hall.items())]
    rankings += [Ranking(scope="branch", key=k, rows=tuple(map(freeze_staff, v))) for k, v in sorted(by_branch.items())]
    return MonthRows(
        min_ratings=min_ratings,
        halls=tuple(freeze_hall(h) for h in sorted(halls, key=lambda h: h.hall.code)),
        rankings=tuple(rankings),
        hall_columns=HALL_COLUMNS,
    )


def same_rows(live: Iterable[StaffRow | HallRow], published: Iterable[StaffRow | HallRow]) -> bool:
    """Whether the live rows are the published ones, number for number and name for name."""

    def frozen(rows: Iterable[StaffRow | HallRow]) -> list[FrozenStaff | FrozenHall]:
        return [freeze_staff(r) if isinstance(r, StaffRow) else freeze_hall(r) for r in rows]

    return frozen(live) == frozen(published)
