"""What callers may send that more than one surface accepts: the request models
the JSON API validates and the console's forms validate alike. Wire models,
apart from the domain's, so the contract stays fixed while the domain changes."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, field_validator

from chalicelib.domain.accounts import Role, Username
from chalicelib.domain.alerts import AlertRules, Note
from chalicelib.domain.appeals import Ground
from chalicelib.domain.callbacks import AttemptResult, Outcome
from chalicelib.domain.checklists import BUILT_IN, MAX_ITEMS, ChecklistCode, Key, Label, OptionalLabel, Points, Section
from chalicelib.domain.inspections import Finding
from chalicelib.domain.inspections import Mode as InspectionMode
from chalicelib.domain.organisation import ClockTime, Code, CounterNumber, HallGrade, Name, Opening, StaffNo
from chalicelib.domain.outreach import MAX_PHOTOS, Category, Count, Notes, PhotoKey, Quarter, Text, inside_quarter
from chalicelib.domain.ratings import Phone
from chalicelib.domain.suggestions import CustomerName, MobilePhone, Reply
from chalicelib.domain.surveys import SurveyDraft
from chalicelib.domain.tickets import Kind as TicketKind
from chalicelib.domain.tickets import Note as TicketNote
from chalicelib.domain.tickets import Subject as TicketSubject
from chalicelib.domain.tickets import Text as TicketText
from chalicelib.services.accounts import MIN_PASSWORD_LENGTH
from chalicelib.web.schemas import Strict, blank_is_none


class HallIn(Strict):
    code: Code
    name: Name
    branch: Name
    grade: HallGrade


class CounterIn(Strict):
    number: CounterNumber


class UserIn(Strict):
    username: Username
    # The service refuses a shorter one (naming ``password``); the document says so too.
    password: str = Field(max_length=256, json_schema_extra={"minLength": MIN_PASSWORD_LENGTH})
    role: Role
    halls: list[Code] = Field(default_factory=list, max_length=200)
    departments: list[Code] = Field(default_factory=list, max_length=50, description="a handler's departments")


class AttemptIn(Strict):
    result: AttemptResult
    note: str = Field(default="", max_length=1000)


class CloseIn(Strict):
    outcome: Outcome
    note: str = Field(default="", max_length=1000)
    # Blank (a console form's empty choice) means not given.
    verified: Annotated[bool | None, BeforeValidator(blank_is_none)] = Field(
        default=None,
        description="a complaint or report: whether it proved true (属实); counts against the clerk's stars",
    )
    staff_no: Annotated[StaffNo | None, BeforeValidator(blank_is_none)] = Field(
        default=None, description="the clerk it was verified against"
    )


class AppealIn(Strict):
    ground: Ground
    note: str = Field(default="", max_length=1000)


class EventIn(Strict):
    id: UUID | None = Field(default=None, description="the client's id: a retry with the same id records nothing twice")
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
    photos: list[PhotoKey] = Field(default_factory=list, max_length=MAX_PHOTOS, description="S3 object keys")

    # Checked here too, so a form names a date outside the quarter with its other faults at once.
    _inside_quarter = field_validator("date")(inside_quarter)


def event_fields(body: EventIn) -> dict[str, Any]:
    """The service's arguments from a request (API or console form)."""
    fields = body.model_dump(exclude={"id"})
    fields["photos"] = tuple(body.photos)
    fields["event_id"] = body.id.hex if body.id else None
    return fields


class EventChanges(Strict):
    """A correction of a 五进 event (SPEC §4.3 PATCH): the fields sent change, those left out
    (or null) stay. Not the id nor the quarter: an event of another quarter is deleted and
    recorded there."""

    hall_code: Code | None = Field(default=None, description="moves the event and its counts to this hall")
    category: Category | None = None
    date: dt.date | None = Field(default=None, description="inside its quarter (Asia/Shanghai), not in the future")
    place: Text | None = None
    title: Text | None = None
    participants: Count | None = None
    households_visited: Count | None = None
    safety_checks: Count | None = None
    materials: Count | None = Field(default=None, description="materials handed out")
    notes: Notes | None = None
    photos: list[PhotoKey] | None = Field(default=None, max_length=MAX_PHOTOS, description="S3 object keys")
    revision: int | None = Field(
        default=None,
        ge=1,
        strict=True,
        description="the revision you were shown: if the event changed since, 409 and nothing changes",
    )

    def changes(self) -> dict[str, Any]:
        """The fields sent, as the service takes them (``revision`` apart)."""
        sent = {k: v for k, v in self.model_dump(exclude_unset=True, exclude={"revision"}).items() if v is not None}
        if "photos" in sent:
            sent["photos"] = tuple(sent["photos"])
        return sent


class ReplyIn(Strict):
    reply: Reply


# ---- corrections (SPEC §4.3 PATCH): only the fields sent change --------------------------
WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")


def _in_order(span: tuple[str, str]) -> tuple[str, str]:
    if span[1] <= span[0]:
        raise ValueError("closes must come after opens")
    return span


Span = Annotated[tuple[ClockTime, ClockTime], AfterValidator(_in_order)]
WireHours = dict[Literal["1", "2", "3", "4", "5", "6", "7"], Span | None]


class HallChanges(Strict):
    name: Name | None = None
    branch: Name | None = None
    grade: HallGrade | None = None
    active: bool | None = Field(default=None, strict=True)
    hours: WireHours | None = Field(
        default=None, description='by ISO weekday: {"1": ["08:30", "17:30"], …, "7": null}; days not sent are closed'
    )

    def changes(self) -> dict[str, Any]:
        """The fields sent, as the domain spells them (hours as openings)."""
        sent = self.model_dump(exclude_unset=True, exclude={"hours"})
        if self.hours is not None:
            openings: dict[str, Opening | None] = dict.fromkeys(WEEKDAYS)
            for day, span in self.hours.items():
                openings[day] = Opening(opens=span[0], closes=span[1]) if span else None
            sent["hours"] = openings
        return sent


class UserChanges(Strict):
    role: Role | None = None
    halls: list[Code] | None = Field(default=None, max_length=200)
    active: bool | None = Field(default=None, strict=True, description="false ends the user's sessions at once")
    departments: list[Code] | None = Field(default=None, max_length=50, description="a handler's departments")


class CounterChanges(Strict):
    active: bool = Field(strict=True)


class StaffChanges(Strict):
    name: Name | None = None
    hall_code: Code | None = Field(default=None, description="moves the clerk to this hall (their shift ends)")
    active: bool | None = Field(default=None, strict=True)

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


def wire_hours(hours: Any) -> dict[str, list[str] | None]:
    """Opening hours as the API writes them: ``{"1": ["08:30", "17:30"], …, "7": null}``."""
    written: dict[str, list[str] | None] = {}
    for day, opening in sorted(dict(hours).items()):
        found = opening.model_dump() if isinstance(opening, Opening) else opening
        written[day] = [found["opens"], found["closes"]] if found else None
    return written


# ---- work orders (工单) and departments, SPEC §4.7 ----------------------------------
class TicketIn(Strict):
    id: UUID | None = Field(default=None, description="the client's id: a retry answers the stored order")
    hall_code: Code
    kind: TicketKind
    subject: TicketSubject
    detail: TicketText = ""
    customer_name: CustomerName | None = None
    phone: MobilePhone | None = Field(default=None, description="kept only with consent")
    consent: bool = False
    key_account: bool = Field(default=False, description="大客户: the hour clock (24 h by default)")
    account_no: Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{4,32}$")] | None = Field(
        default=None, description="the key account's number; required with key_account"
    )
    source: Literal["counter", "phone", "web"] = "counter"
    department: Code | None = Field(default=None, description="an order created with a department starts there")

    @field_validator("customer_name", "phone", "account_no", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class TicketFromSuggestionIn(Strict):
    kind: TicketKind | None = Field(default=None, description="default: from the suggestion's kind")
    department: Code | None = None


class TicketAssignIn(Strict):
    department: Code
    note: TicketNote = ""


class TicketNoteIn(Strict):
    note: TicketNote = ""


class TicketAnswerIn(Strict):
    answer: TicketText


class TicketCloseIn(Strict):
    note: TicketNote = ""
    verified: bool | None = Field(default=None, strict=True, description="complaints and reports: 属实")
    staff_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")] | None = Field(
        default=None, description="the clerk a verified complaint is against"
    )


class DepartmentIn(Strict):
    code: Code
    name: Name


class DepartmentChanges(Strict):
    name: Name | None = None
    active: bool | None = Field(default=None, strict=True)


# ---- inspections and stars (SPEC §4.8) ----------------------------------------------------
class ChecklistItemIn(Strict):
    key: Key
    text: Label
    text_en: OptionalLabel = ""
    points: Points


class ChecklistSectionIn(Strict):
    key: Key
    name: Label
    name_en: OptionalLabel = ""
    items: list[ChecklistItemIn] = Field(min_length=1, max_length=MAX_ITEMS)


class ChecklistIn(Strict):
    code: ChecklistCode
    name: Label
    name_en: OptionalLabel = ""
    sections: list[ChecklistSectionIn] = Field(min_length=1, max_length=20)

    def domain_sections(self) -> tuple[Section, ...]:
        return tuple(Section.model_validate(s.model_dump()) for s in self.sections)


class FindingIn(Strict):
    item: Key
    passed: bool = Field(strict=True)
    note: str = Field(default="", max_length=1000, description="required when the item failed")


class InspectionIn(Strict):
    id: UUID | None = Field(default=None, description="the client's id: a retry with the same id records nothing twice")
    hall_code: Code
    counter: CounterNumber
    staff_no: StaffNo | None = Field(default=None, description="default: the clerk on shift at the counter then")
    checklist: ChecklistCode = BUILT_IN
    version: int | None = Field(default=None, ge=1, le=999_999, description="default: the newest")
    mode: InspectionMode
    inspected_at: dt.datetime = Field(description="with an offset; up to 92 days back")
    findings: list[FindingIn] = Field(min_length=1, max_length=MAX_ITEMS)


def inspection_fields(body: InspectionIn) -> dict[str, Any]:
    """The service's arguments from a request (API or console form)."""
    return {
        "inspection_id": str(body.id) if body.id else None,
        "hall_code": body.hall_code,
        "counter": body.counter,
        "staff_no": body.staff_no,
        "checklist_code": body.checklist,
        "version": body.version,
        "mode": body.mode,
        "inspected_at": body.inspected_at,
        "findings": tuple(Finding(item=f.item, passed=f.passed, note=f.note) for f in body.findings),
    }


class VoidIn(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class InspectionAppealIn(Strict):
    note: str = Field(default="", max_length=1000)


class InspectionDecisionIn(Strict):
    upheld: bool = Field(strict=True)
    note: str = Field(default="", max_length=1000)


# ---- live operations: alerts ------------------------------------------------------
class AcknowledgeIn(Strict):
    note: Note = Field(description="what was done about it (1-500 characters)")


class AlertRulesIn(Strict):
    spike_share: float = Field(default=0.3, gt=0, le=1, description="share of 差评 that makes a spike (0-1]")
    spike_min: int = Field(default=10, ge=1, le=1000, strict=True, description="scored ratings needed in the window")
    spike_minutes: int = Field(default=60, ge=5, le=720, strict=True, description="the rolling window, by rated_at")
    silent_minutes: int = Field(default=30, ge=1, le=1440, strict=True, description="a device silent this long")

    def rules(self) -> AlertRules:
        return AlertRules(**self.model_dump())


# ----- surveys -----


class SurveyIn(SurveyDraft):
    """A survey's draft as the API and the console send it (SPEC §4.6): validated whole."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def draft(self) -> SurveyDraft:
        return SurveyDraft.model_validate(self.model_dump(by_alias=True))


class InvitationsIn(Strict):
    hall_code: Code
    phones: list[Phone] = Field(min_length=1, max_length=500, description="mainland mobile numbers, 11 digits")


class ExportIn(Strict):
    """An export job (SPEC §4.10): a report, its format, and the report's own query as ``params``."""

    id: UUID | None = Field(default=None, description="the client's id: a retry with the same id asks for one job")
    report: str = Field(
        max_length=40,
        description="ratings, staff-monthly, hall-monthly, outreach, tickets, inspections, stars, survey-responses",
    )
    format: Literal["csv", "xlsx"] = Field(
        default="xlsx",
        description="xlsx: at most 5,000,000 rows (refused when asked for if the tallies show more, "
        "else the job fails there); csv: no cap",
    )
    params: dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict, max_length=10, description='the report\'s query, e.g. {"from": "2026-01-01"}'
    )
    lang: Literal["zh", "en"] = "zh"
