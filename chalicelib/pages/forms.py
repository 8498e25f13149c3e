"""The customer forms' fields (SPEC §4.1): the rating form and the follow-up rating."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints

from chalicelib.domain.form_keys import FormKey
from chalicelib.domain.ratings import Business, Phone, Reason
from chalicelib.web.schemas import blank_is_none


class QrRatingForm(BaseModel):
    """The fields of the public rating form (SPEC §4.1); ``website`` is a honeypot."""

    level: Annotated[int, Field(ge=1, le=5)]
    reasons: list[Reason] = Field(default_factory=list, max_length=len(Reason))
    business: Annotated[Business | None, BeforeValidator(blank_is_none)] = None
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    phone: Annotated[Phone | None, BeforeValidator(blank_is_none)] = None
    consent: Annotated[bool, BeforeValidator(blank_is_none)] = False
    website: str = ""
    k: Annotated[FormKey | None, BeforeValidator(blank_is_none)] = None  # the form's idempotency key
    key: FormKey | None = None  # a JSON client's idempotency key

    def idempotency_key(self) -> str | None:
        return self.k or self.key


class RatingCreated(BaseModel):
    id: str


class FollowUpRated(BaseModel):
    status: Literal["rated"]


class FollowUpForm(BaseModel):
    level: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
