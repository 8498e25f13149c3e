"""Ratings on the national 好差评 five-level scale, and the rules for taking them in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .business_time import SHANGHAI
from .organisation import Code, CounterNumber, StaffNo

# SPEC §4.2: the device clock is trusted from 7 days back to 5 minutes ahead.
ACCEPT_PAST = timedelta(days=7)
ACCEPT_FUTURE = timedelta(minutes=5)
DEFAULT_MIN_PRESS_INTERVAL = timedelta(seconds=3)

Phone = Annotated[str, StringConstraints(pattern=r"^1[3-9]\d{9}$")]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class Level(IntEnum):
    very_satisfied = 5
    satisfied = 4
    basically_satisfied = 3
    dissatisfied = 2
    very_dissatisfied = 1


class Channel(StrEnum):
    device = "device"
    qr = "qr"
    web = "web"
    sms = "sms"
    phone = "phone"


class Business(StrEnum):
    fee_payment = "fee_payment"
    new_connection = "new_connection"
    change_of_use = "change_of_use"
    inquiry = "inquiry"
    invoice = "invoice"
    fault_repair = "fault_repair"
    complaint = "complaint"
    other = "other"


class Reason(StrEnum):
    long_wait = "long_wait"
    attitude = "attitude"
    unskilled = "unskilled"
    slow = "slow"
    not_told_once = "not_told_once"
    repeat_visits = "repeat_visits"
    facilities = "facilities"
    other = "other"


# Reasons are asked for levels up to 3 (基本满意 and worse).
REASONS_UP_TO_LEVEL = 3
# 差评: level 2 or 1.
BAD_UP_TO_LEVEL = 2


class Rating(BaseModel):
    """A stored rating. ``misuse`` presses and ratings whose appeal was upheld are kept
    (the record) but left out of every score."""

    model_config = ConfigDict(frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{8,64}$")]
    channel: Channel
    hall_code: Code
    counter_number: CounterNumber
    staff_no: StaffNo | None = None
    level: Level
    business: Business | None = None
    reasons: tuple[Reason, ...] = ()
    comment: Comment | None = None
    phone: Phone | None = Field(default=None, description="kept only with the customer's consent")
    rated_at: datetime
    received_at: datetime
    device_id: str | None = None
    misuse: bool = False
    appeal_upheld: bool = False

    @field_validator("rated_at", "received_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        """Stored in UTC whatever offset the device sent (a naive time is refused)."""
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset")
        return value.astimezone(UTC)

    @property
    def scored(self) -> bool:
        return not self.misuse and not self.appeal_upheld

    @property
    def local_time(self) -> datetime:
        return self.rated_at.astimezone(SHANGHAI)

    @property
    def month(self) -> str:
        return self.local_time.strftime("%Y-%m")

    @property
    def day(self) -> str:
        return self.local_time.strftime("%Y-%m-%d")


def relevant_reasons(level: int, reasons: tuple[Reason, ...]) -> tuple[Reason, ...]:
    """Reasons count only for levels ≤ 3; duplicates collapse, order kept."""
    if level > REASONS_UP_TO_LEVEL:
        return ()
    return tuple(dict.fromkeys(reasons))


def rated_at_problem(rated_at: datetime, now: datetime) -> str | None:
    """Why a device timestamp (timezone-aware: the request schema refuses a naive one) is refused,
    or None when it is inside the window."""
    if rated_at < now - ACCEPT_PAST:
        return "more than 7 days ago"
    if rated_at > now + ACCEPT_FUTURE:
        return "more than 5 minutes ahead of server time"
    return None
