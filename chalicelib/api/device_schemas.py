"""The counter devices' wire schemas (SPEC §4.2), apart from the rest of the API's: a device's
first request after a cold start loads these and no other."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from chalicelib.domain.organisation import StaffNo
from chalicelib.domain.ratings import Business, Reason
from chalicelib.web.schemas import Strict


class ShiftIn(Strict):
    staff_no: StaffNo
    at: AwareDatetime | None = Field(
        default=None, description="the device clock (default: now); same window as rated_at"
    )


class ShiftOutIn(Strict):
    at: AwareDatetime | None = Field(default=None, description="the device clock (default: now)")


class DeviceRatingIn(BaseModel):
    # Extra fields are ignored: newer device firmware may send more.
    id: UUID
    level: Annotated[int, Field(ge=1, le=5, strict=True)]
    staff_no: StaffNo | None = None
    business: Business | None = None
    rated_at: AwareDatetime
    reasons: list[Reason] = Field(default_factory=list, max_length=len(Reason))


class DeviceBatchIn(BaseModel):
    ratings: list[DeviceRatingIn] = Field(min_length=1, max_length=100)


class UnratedItemIn(BaseModel):
    """A visit where the device invited a rating and none came (SPEC §3 未评价)."""

    id: UUID
    at: AwareDatetime = Field(description="the device clock: 7 days back to 5 minutes ahead")
    staff_no: StaffNo | None = None


class UnratedBatchIn(BaseModel):
    items: list[UnratedItemIn] = Field(min_length=1, max_length=100)


class HeartbeatIn(BaseModel):
    buffered: Annotated[int, Field(ge=0, le=1_000_000, strict=True)] = Field(
        default=0, description="ratings and visits held on the device, not yet sent"
    )
    firmware: Annotated[str, StringConstraints(max_length=40)] | None = None


class ItemError(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class ItemResultOut(BaseModel):
    id: str | None
    status: Literal["created", "duplicate", "rejected"]
    error: ItemError | None = None


class BatchResults(BaseModel):
    results: list[ItemResultOut]
