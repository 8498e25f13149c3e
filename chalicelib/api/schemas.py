"""The wire contract of the JSON API (SPEC §4.3), separate from domain models
so the contract stays fixed while the domain changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, field_validator

from chalicelib.domain.accounts import Role
from chalicelib.domain.appeals import AppealStatus, Ground
from chalicelib.domain.callbacks import AttemptResult, Outcome
from chalicelib.domain.organisation import Code, CounterNumber, HallGrade, Name, StaffNo
from chalicelib.domain.ratings import Channel, Reason
from chalicelib.domain.suggestions import SuggestionKind
from chalicelib.inputs import wire_hours
from chalicelib.web.schemas import Strict

T = TypeVar("T")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    token: str
    expires_at: datetime


class HallOut(BaseModel):
    code: str
    name: str
    branch: str
    grade: HallGrade
    created_at: datetime
    active: bool = True
    hours: dict[str, list[str] | None] = Field(description='by ISO weekday: {"1": ["08:30", "17:30"], …, "7": null}')

    @field_validator("hours", mode="before")
    @classmethod
    def _as_written(cls, value: Any) -> Any:
        return wire_hours(value)


class CounterOut(BaseModel):
    hall_code: str
    number: int
    created_at: datetime
    active: bool = True


class StaffIn(Strict):
    staff_no: StaffNo
    name: Name
    hall_code: Code


class StaffOut(BaseModel):
    staff_no: str
    name: str
    hall_code: str
    created_at: datetime
    active: bool = True


class DeviceIn(Strict):
    hall_code: Code
    counter_number: CounterNumber


class DeviceCreated(BaseModel):
    device_id: str
    key: str = Field(description="shown once; only its hash is stored")
    hall_code: str
    counter_number: int


class DeviceOut(BaseModel):
    device_id: str
    hall_code: str
    counter_number: int
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None = Field(default=None, description="any authenticated call (kept to the minute)")
    signed_in: str | None = Field(default=None, description="the staff number signed in at its counter now")
    buffered: int | None = Field(default=None, description="held on the device, as its latest heartbeat said")
    firmware: str | None = None
    silent: bool = Field(default=False, description="not seen for the alert rules' silent_minutes (or never)")


class UserOut(BaseModel):
    username: str
    role: Role
    halls: list[str]
    created_at: datetime
    active: bool = True
    departments: list[str] = []


class QrLinkOut(BaseModel):
    url: str
    svg_url: str


class CounterQrOut(QrLinkOut):
    counter: int


class QrCodesOut(BaseModel):
    counters: list[CounterQrOut]
    suggestion_box: QrLinkOut


class AttemptOut(BaseModel):
    at: datetime
    by: str
    result: AttemptResult
    note: str


class FollowUpOut(BaseModel):
    level: int
    comment: str
    at: datetime


class RatingContextOut(BaseModel):
    """The rating a task follows up: free text with phone and ID numbers masked."""

    source: Literal["rating"]
    level: int
    reasons: list[Reason]
    comment: str | None
    channel: Channel
    counter: int
    staff_no: str | None
    staff_name: str | None
    rated_at: datetime


class SuggestionContextOut(BaseModel):
    """The suggestion a task follows up: content with phone and ID numbers masked."""

    source: Literal["suggestion"]
    kind: SuggestionKind
    content: str
    tracking_no: str
    ticket_no: str | None = Field(default=None, description="the work order made from it, once answered")
    answer: str | None = Field(default=None, description="that work order's answer")


class TicketContextOut(BaseModel):
    """The work order whose answer a task follows up: free text with personal numbers masked."""

    source: Literal["ticket"]
    ticket_no: str
    subject: str
    answer: str


class CallbackOut(BaseModel):
    id: str
    hall_code: str
    source_type: Literal["rating", "suggestion", "ticket"]
    source_id: str
    task_type: str
    status: Literal["open", "in_progress", "closed"]
    flags: list[Literal["at_risk", "overdue"]]
    first_contact_due: datetime
    resolution_due: datetime
    attempts: list[AttemptOut]
    outcome: Outcome | None
    phone: str | None = Field(description="in full for the task's agent and admins, masked otherwise")
    agent: str | None
    created_at: datetime
    closed_at: datetime | None
    follow_up: FollowUpOut | None
    context: (
        Annotated[RatingContextOut | SuggestionContextOut | TicketContextOut, Field(discriminator="source")] | None
    ) = Field(
        default=None, description="what the agent needs to call well (SPEC §4.3); null for tasks opened before it"
    )
    verified: bool | None = Field(default=None, description="a closed complaint or report: proved true (属实)")
    verified_staff_no: str | None = Field(default=None, description="the clerk it was verified against")


class CalendarDayIn(Strict):
    working: bool = Field(strict=True)


class CalendarOverrideOut(BaseModel):
    day: str
    working: bool


class CalendarYearOut(BaseModel):
    year: int
    official: bool = Field(description="the State Council's arrangement for the year is known to the package")
    overrides: list[CalendarOverrideOut]


class DecisionIn(Strict):
    upheld: bool = Field(strict=True)
    note: str = Field(default="", max_length=1000)


class AppealOut(BaseModel):
    rating_id: str
    hall_code: str
    ground: Ground
    note: str
    appellant: str
    created_at: datetime
    status: AppealStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


class RatingOut(BaseModel):
    id: str
    rated_at: datetime
    hall_code: str
    counter_number: int
    staff_no: str | None
    channel: str
    level: int
    business: str | None
    reasons: list[str]
    comment: str | None = Field(description="phone and ID numbers in it masked")
    phone: str | None = Field(description="masked")
    misuse: bool
    appeal_upheld: bool
