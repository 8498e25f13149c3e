"""The organisation: branches, halls, counters, staff and counter devices.

Records are edited and deactivated, never deleted (SPEC §2): history keeps
pointing at them. A deactivated hall or counter takes no ratings.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Codes travel in URLs (Chalice does not URL-decode path parameters), so they
# are kept to ASCII letters, digits, '-' and '_'.
CODE_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
StaffNo = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
CounterNumber = Annotated[int, Field(ge=1, le=999)]


class HallGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"


_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ClockTime = Annotated[str, StringConstraints(pattern=_CLOCK)]


class Opening(BaseModel):
    """One day's opening hours, e.g. 08:30–17:30 (Asia/Shanghai)."""

    model_config = ConfigDict(frozen=True)

    opens: ClockTime
    closes: ClockTime

    @model_validator(mode="after")
    def _in_order(self) -> Opening:
        if self.closes <= self.opens:
            raise ValueError("closes must come after opens")
        return self


# ISO weekday ("1" Monday … "7" Sunday) -> the day's hours, or None: closed.
OpeningHours = dict[Literal["1", "2", "3", "4", "5", "6", "7"], Opening | None]


def default_hours() -> OpeningHours:
    """08:30–17:30 Monday to Friday, weekends closed (SPEC §2)."""
    weekday = Opening(opens="08:30", closes="17:30")
    return {"1": weekday, "2": weekday, "3": weekday, "4": weekday, "5": weekday, "6": None, "7": None}


class Hall(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: Code
    name: Name
    branch: Name
    grade: HallGrade
    created_at: datetime
    active: bool = True
    hours: OpeningHours = Field(default_factory=default_hours)


class Counter(BaseModel):
    model_config = ConfigDict(frozen=True)

    hall_code: Code
    number: CounterNumber
    created_at: datetime
    active: bool = True


class HallMove(BaseModel):
    """A clerk left ``left`` for another hall at ``at``."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    left: Code


class Staff(BaseModel):
    model_config = ConfigDict(frozen=True)

    staff_no: StaffNo
    name: Name
    hall_code: Code
    created_at: datetime
    active: bool = True
    moves: tuple[HallMove, ...] = ()  # in time order: a device may upload a week of presses after a move

    def hall_at(self, at: datetime) -> str:
        """The hall the clerk belonged to at ``at``: the one they left first after it, else today's."""
        for move in self.moves:
            if at < move.at:
                return move.left
        return self.hall_code

    def moved_to(self, hall_code: str, at: datetime) -> Staff:
        if hall_code == self.hall_code:
            return self
        return self.model_copy(
            update={"hall_code": hall_code, "moves": (*self.moves, HallMove(at=at, left=self.hall_code))}
        )


class Device(BaseModel):
    """A counter rating device. Its key is stored only as a hash."""

    model_config = ConfigDict(frozen=True)

    device_id: str
    hall_code: Code
    counter_number: CounterNumber
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    # Health (SPEC §3.4): when any authenticated call last came (kept to the minute), and what
    # the latest heartbeat said of the ratings buffered on the device and its firmware.
    last_seen_at: datetime | None = None
    buffered: int | None = None
    firmware: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
