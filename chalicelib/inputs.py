"""What callers may send that more than one surface accepts: the request models
the JSON API validates and the console's forms validate alike. Wire models,
apart from the domain's, so the contract stays fixed while the domain changes."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import Field

from chalicelib.domain.accounts import Role, Username
from chalicelib.domain.appeals import Ground
from chalicelib.domain.callbacks import AttemptResult, Outcome
from chalicelib.domain.organisation import Code, CounterNumber, HallGrade, Name
from chalicelib.domain.outreach import MAX_PHOTOS, Category, Count, Notes, PhotoKey, Quarter, Text
from chalicelib.domain.suggestions import Reply
from chalicelib.services.accounts import MIN_PASSWORD_LENGTH
from chalicelib.web.schemas import Strict


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


class AttemptIn(Strict):
    result: AttemptResult
    note: str = Field(default="", max_length=1000)


class CloseIn(Strict):
    outcome: Outcome
    note: str = Field(default="", max_length=1000)


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


def event_fields(body: EventIn) -> dict[str, Any]:
    """The service's arguments from a request (API or console form)."""
    fields = body.model_dump(exclude={"id"})
    fields["photos"] = tuple(body.photos)
    fields["event_id"] = body.id.hex if body.id else None
    return fields


class ReplyIn(Strict):
    reply: Reply
