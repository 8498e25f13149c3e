"""Appeals (申诉复核): a rating contested as malicious or mistaken.

An appeal upheld by someone other than the appellant takes the rating out of
every score, never out of the record: the rating stays stored and is counted
as ``appealed`` instead.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .errors import Conflict, Forbidden, Reason
from .ratings import Rating

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class Ground(StrEnum):
    malicious = "malicious"  # 恶意评价
    mistaken = "mistaken"  # 误评


class AppealStatus(StrEnum):
    pending = "pending"
    upheld = "upheld"
    rejected = "rejected"


class Appeal(BaseModel):
    model_config = ConfigDict(frozen=True)

    rating_id: str  # one appeal per rating
    hall_code: str
    ground: Ground
    note: Note = ""
    appellant: str
    created_at: datetime
    status: AppealStatus = AppealStatus.pending
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: Note = ""


def lodge(rating: Rating, ground: Ground, note: str, appellant: str, at: datetime) -> Appeal:
    if not rating.scored:
        raise Conflict("This rating already counts in no score.", reason=Reason("not_scored"))
    return Appeal(
        rating_id=rating.id, hall_code=rating.hall_code, ground=ground, note=note, appellant=appellant, created_at=at
    )


def decide(appeal: Appeal, upheld: bool, note: str, by: str, at: datetime) -> Appeal:
    if appeal.status is not AppealStatus.pending:
        raise Conflict(f"The appeal was {appeal.status.value} already.", reason=Reason("appeal_decided"))
    if by == appeal.appellant:
        raise Forbidden(
            "An appeal is decided by someone other than the person who lodged it.", reason=Reason("own_appeal")
        )
    status = AppealStatus.upheld if upheld else AppealStatus.rejected
    return appeal.model_copy(update={"status": status, "decided_by": by, "decided_at": at, "decision_note": note})
