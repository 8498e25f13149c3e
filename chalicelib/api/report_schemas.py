"""The wire contract of the reports (SPEC §4.4 JSON twins), separate from the domain rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from chalicelib.domain.reports import HallRow, StaffRow, rounded
from chalicelib.domain.stats import Tally


class Levels(BaseModel):
    total: int
    n5: int
    n4: int
    n3: int
    n2: int
    n1: int
    bad_ratings: int
    satisfaction_rate: float | None
    mean_score: float | None


class StaffRowOut(Levels):
    month: str
    branch: str
    hall_code: str
    hall: str
    staff_no: str
    name: str
    rate_lower_bound: float | None
    eligible: bool
    rank: int | None
    flag: Literal["reward", "assess"] | None
    unrated: int = Field(description="visits where the device invited a rating and none came (SPEC §3 未评价)")
    unrated_rate: float | None = Field(description="未评价率 = unrated / (scored device ratings + unrated)")


class StaffMonthlyOut(BaseModel):
    month: str
    scope: Literal["hall", "branch"]
    min_ratings: int
    items: list[StaffRowOut]
    # Which published version answered (SPEC §3 Month publication); null for the live numbers.
    version: int | None = Field(default=None, description="the published version; null: the live numbers")
    published_at: datetime | None = None
    published_by: str | None = None


class HallRowOut(Levels):
    month: str
    branch: str
    hall_code: str
    hall: str
    misuse: int
    callbacks_opened: int
    callbacks_closed: int
    callbacks_overdue: int
    suggestions: int
    tickets: int = Field(description="work orders created in the month")
    tickets_in_time: int = Field(description="of those, answered by their due time")
    unrated: int = Field(description="visits where a device invited a rating and none came (SPEC §3 未评价)")
    unrated_rate: float | None = Field(description="未评价率 = unrated / (scored device ratings + unrated)")


class HallMonthlyOut(BaseModel):
    month: str
    items: list[HallRowOut]
    version: int | None = Field(default=None, description="the published version; null: the live numbers")
    published_at: datetime | None = None
    published_by: str | None = None


class DayOut(Levels):
    day: date
    misuse: int


class DailyOut(BaseModel):
    hall_code: str
    first_day: date
    last_day: date
    items: list[DayOut]


class HeatCellOut(Levels):
    weekday: int  # ISO: 1 Monday … 7 Sunday
    hour: int  # 0–23, Asia/Shanghai


class HeatmapOut(BaseModel):
    hall_code: str
    month: str
    cells: list[HeatCellOut]


class ShareOut(Levels):
    key: str
    label: str
    share: float | None  # of the hall-month's scored ratings


class BreakdownOut(BaseModel):
    hall_code: str
    month: str
    total: int
    business: list[ShareOut]
    reasons: list[ShareOut]


def levels(t: Tally) -> dict[str, Any]:
    return {
        "total": t.n,
        "n5": t.n5,
        "n4": t.n4,
        "n3": t.n3,
        "n2": t.n2,
        "n1": t.n1,
        "bad_ratings": t.bad,
        "satisfaction_rate": rounded(t.satisfaction_rate),
        "mean_score": rounded(t.mean_score),
    }


def staff_out(row: StaffRow) -> StaffRowOut:
    r = row.result
    return StaffRowOut(
        month=row.month,
        branch=row.hall.branch,
        hall_code=row.hall.code,
        hall=row.hall.name,
        staff_no=r.staff_no,
        name=row.name,
        rate_lower_bound=rounded(r.lower_bound),
        eligible=r.eligible,
        rank=r.rank,
        flag=r.flag.value if r.flag else None,
        unrated=r.tally.unrated,
        unrated_rate=rounded(r.tally.unrated_rate),
        **levels(r.tally),
    )


def hall_out(row: HallRow) -> HallRowOut:
    return HallRowOut(
        month=row.month,
        branch=row.hall.branch,
        hall_code=row.hall.code,
        hall=row.hall.name,
        misuse=row.tally.misuse,
        callbacks_opened=row.callbacks_opened,
        callbacks_closed=row.callbacks_closed,
        callbacks_overdue=row.callbacks_overdue,
        suggestions=row.suggestions,
        tickets=row.tickets,
        tickets_in_time=row.tickets_in_time,
        unrated=row.tally.unrated,
        unrated_rate=rounded(row.tally.unrated_rate),
        **levels(row.tally),
    )
