"""The organisation: branches, halls, counters, staff and counter devices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


class Hall(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: Code
    name: Name
    branch: Name
    grade: HallGrade
    created_at: datetime


class Counter(BaseModel):
    model_config = ConfigDict(frozen=True)

    hall_code: Code
    number: CounterNumber
    created_at: datetime


class Staff(BaseModel):
    model_config = ConfigDict(frozen=True)

    staff_no: StaffNo
    name: Name
    hall_code: Code
    created_at: datetime


class Device(BaseModel):
    """A counter rating device. Its key is stored only as a hash."""

    model_config = ConfigDict(frozen=True)

    device_id: str
    hall_code: Code
    counter_number: CounterNumber
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
