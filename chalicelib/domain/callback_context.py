"""What a callback agent needs to call well (SPEC §4.3 ``context``), taken from the task's
source when the task is opened.

For a rating: its level, reasons, comment, channel, counter, clerk and time; for
a suggestion: its kind, content and tracking number. Free text is kept with
phone and ID numbers already masked: the context is a copy for reading, and a
copy never holds personal data its source keeps only with consent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .privacy import mask_personal_data
from .ratings import Channel, Level, Rating, Reason
from .suggestions import Suggestion, SuggestionKind


class RatingContext(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: Literal["rating"] = "rating"
    level: Level
    reasons: tuple[Reason, ...] = ()
    comment: str | None = None  # personal numbers masked
    channel: Channel
    counter: int
    staff_no: str | None = None
    staff_name: str | None = None  # as the clerk was named when the task opened
    rated_at: datetime


class SuggestionContext(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: Literal["suggestion"] = "suggestion"
    kind: SuggestionKind
    content: str  # personal numbers masked
    tracking_no: str
    ticket_no: str | None = None  # the work order made from it, once answered
    answer: str | None = None  # that order's answer (personal numbers masked)


class TicketContext(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: Literal["ticket"] = "ticket"
    ticket_no: str
    subject: str  # personal numbers masked
    answer: str  # personal numbers masked


Context = Annotated[RatingContext | SuggestionContext | TicketContext, Field(discriminator="source")]


def of_rating(rating: Rating, staff_name: str | None) -> RatingContext:
    return RatingContext(
        level=rating.level,
        reasons=rating.reasons,
        comment=mask_personal_data(rating.comment) if rating.comment else None,
        channel=rating.channel,
        counter=rating.counter_number,
        staff_no=rating.staff_no,
        staff_name=staff_name,
        rated_at=rating.rated_at,
    )


def of_suggestion(suggestion: Suggestion) -> SuggestionContext:
    return SuggestionContext(
        kind=suggestion.kind,
        content=mask_personal_data(suggestion.content),
        tracking_no=suggestion.tracking_no,
    )


def of_ticket(ticket_no: str, subject: str, answer: str) -> TicketContext:
    return TicketContext(ticket_no=ticket_no, subject=mask_personal_data(subject), answer=mask_personal_data(answer))


def with_ticket_answer(context: SuggestionContext, ticket_no: str, answer: str) -> SuggestionContext:
    """A suggestion's task context joined by the answer of the order made from the suggestion."""
    return context.model_copy(update={"ticket_no": ticket_no, "answer": mask_personal_data(answer)})
