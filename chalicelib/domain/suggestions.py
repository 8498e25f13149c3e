"""The suggestion box (意见箱): suggestions, their tracking numbers and life cycle,
the tracking-page guessing limit and the daily opening (每天一开箱).

A suggestion is ``new`` until a manager opens the box, then ``opened`` →
``replied`` → ``closed`` (a praise may be closed without a reply). Name and
phone are kept only with the customer's consent.
"""

from __future__ import annotations

import collections
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from .business_time import SHANGHAI
from .errors import Conflict, Forbidden, InvalidInput, Reason, TooManyRequests
from .form_keys import derived_id
from .organisation import Code
from .stats import StatKey, StatKind, hall_event

CONTENT_MIN, CONTENT_MAX = 5, 2000
REPLY_MAX = 2000
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_NO = re.compile(rf"^TS\d{{8}}-[{CROCKFORD}]{{8}}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class SuggestionKind(StrEnum):
    suggestion = "suggestion"
    praise = "praise"
    complaint = "complaint"
    inquiry = "inquiry"
    report = "report"


class SuggestionStatus(StrEnum):
    new = "new"
    opened = "opened"
    replied = "replied"
    closed = "closed"


def _normalise_text(value: object) -> object:
    """Browsers send a textarea's line breaks as CRLF; count and keep them as one character."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _normalise_phone(value: object) -> object:
    """Spaces, hyphens and a +86 prefix are how people write numbers, not part of them."""
    if not isinstance(value, str):
        return value
    digits = re.sub(r"[\s-]", "", value)
    return digits.removeprefix("+86") if len(digits) == 14 else digits


def _check_mobile(value: str) -> str:
    if not MOBILE.match(value):
        raise PydanticCustomError("mobile_number", "a mainland mobile number: 11 digits starting with 13-19")
    return value


Content = Annotated[
    str,
    BeforeValidator(_normalise_text),
    StringConstraints(min_length=CONTENT_MIN, max_length=CONTENT_MAX),
]
Reply = Annotated[str, BeforeValidator(_normalise_text), StringConstraints(min_length=1, max_length=REPLY_MAX)]
CustomerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
MobilePhone = Annotated[str, BeforeValidator(_normalise_phone), AfterValidator(_check_mobile)]


class Suggestion(BaseModel):
    """As stored. ``name`` and ``phone`` are present only when the customer consented."""

    model_config = ConfigDict(frozen=True)

    id: str
    tracking_no: str
    hall_code: Code
    kind: SuggestionKind
    content: str
    status: SuggestionStatus = SuggestionStatus.new
    wants_reply: bool = False
    name: str | None = None
    phone: str | None = None
    created_at: datetime
    opened_at: datetime | None = None
    opened_by: str | None = None
    reply: str | None = None
    replied_at: datetime | None = None
    replied_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    ticket_id: str | None = None  # the work order made from it (exactly one)

    def received(self) -> dict[StatKey, collections.Counter[str]]:
        """What the suggestion adds to its hall's monthly count (written with it, atomically)."""
        return hall_event(self.hall_code, StatKind.suggestions, self.created_at, collections.Counter(received=1))

    @property
    def has_phone(self) -> bool:
        return self.phone is not None

    def opened(self, at: datetime, by: str) -> Suggestion:
        if self.status is not SuggestionStatus.new:
            raise Conflict(f"Suggestion {self.id} is {self.status.value}, not new.")
        return self.model_copy(update={"status": SuggestionStatus.opened, "opened_at": at, "opened_by": by})

    def replied(self, reply: str, at: datetime, by: str) -> Suggestion:
        """Reply to an opened suggestion, or correct the reply of a replied one."""
        if self.status not in (SuggestionStatus.opened, SuggestionStatus.replied):
            why = "open the suggestion box first" if self.status is SuggestionStatus.new else "it is closed"
            raise Conflict(
                f"Suggestion {self.id} cannot be replied to: {why}.",
                {"status": self.status.value},
                reason=self._stuck(),
            )
        return self.model_copy(
            update={"status": SuggestionStatus.replied, "reply": reply, "replied_at": at, "replied_by": by}
        )

    def closed(self, at: datetime, by: str) -> Suggestion:
        if self.status not in (SuggestionStatus.opened, SuggestionStatus.replied):
            why = "open the suggestion box first" if self.status is SuggestionStatus.new else "it is closed already"
            raise Conflict(
                f"Suggestion {self.id} cannot be closed: {why}.", {"status": self.status.value}, reason=self._stuck()
            )
        return self.model_copy(update={"status": SuggestionStatus.closed, "closed_at": at, "closed_by": by})

    def _stuck(self) -> Reason:
        """Why a new or closed suggestion takes no reply and no close."""
        return Reason("box_not_opened" if self.status is SuggestionStatus.new else "suggestion_closed")


def new_tracking_no(now: datetime) -> str:
    """``TS`` + the Shanghai date + ``-`` + 8 random Crockford base-32 characters (40 bits)."""
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    return f"TS{day}-{''.join(secrets.choice(CROCKFORD) for _ in range(8))}"


def keyed_id(hall_code: str, key: str) -> str:
    """The id a suggestion dropped into ``hall_code``'s box with the form key ``key`` is stored
    under: the same key sends the same id, so a second drop finds the first."""
    return derived_id("suggestion", hall_code, key)


_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_tracking_no(text: str) -> str | None:
    """A tracking number as typed or read aloud (any case, O for 0, I or L for 1); None if malformed."""
    raw = text.strip().upper()
    head, sep, tail = raw.partition("-")
    candidate = f"{head}{sep}{tail.translate(_CROCKFORD_ALIASES)}"
    return candidate if TRACKING_NO.match(candidate) else None


def check_consent(*, consent: bool, name: str | None, phone: str | None) -> None:
    """Name and phone are personal data: refuse them without consent rather than drop them silently."""
    if consent:
        return
    given = [f for f, v in (("phone", phone), ("name", name)) if v]
    if given:
        raise InvalidInput(
            f"Tick consent to leave your {' and '.join(given)}, or leave {'them' if len(given) > 1 else 'it'} empty.",
            {"consent": f"required when {' or '.join(given)} is given"},
            reason=Reason("consent_required"),
        )


# ----- the tracking page's guessing limit -----

TRACKING_ATTEMPTS_PER_WINDOW = 5
TRACKING_WINDOW = timedelta(hours=1)


class TooManyAttempts(TooManyRequests):
    code = "too_many_attempts"


@dataclass(frozen=True)
class AttemptWindow:
    """The fixed window a wrong guess counts in, and when its counter may be forgotten."""

    key: str
    expires_at: datetime

    @classmethod
    def at(cls, now: datetime) -> AttemptWindow:
        seconds = int(TRACKING_WINDOW.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        return cls(key=str(start), expires_at=datetime.fromtimestamp(start + seconds, UTC))


class PhoneGiven(Protocol):
    """What the tracking page guards: a suggestion or a work order, with the phone given (if any)."""

    @property
    def phone(self) -> str | None: ...


def phone4_matches(suggestion: PhoneGiven, phone4: str) -> bool:
    """Compared in constant time; a suggestion without a phone needs no phone4."""
    if suggestion.phone is None:
        return True
    return hmac.compare_digest(phone4.encode(), suggestion.phone[-4:].encode())


def require_phone4(suggestion: PhoneGiven, phone4: str | None) -> str | None:
    """The phone4 to check, or None when none is needed; InvalidInput when missing or malformed."""
    if suggestion.phone is None:
        return None
    if not phone4:
        raise InvalidInput(
            "Enter the last four digits of the phone number you gave.", {"phone4": "required for this suggestion"}
        )
    if not re.fullmatch(r"\d{4}", phone4):
        raise InvalidInput("Enter four digits.", {"phone4": "four digits"})
    return phone4


def wrong_phone4() -> Forbidden:
    return Forbidden("Those are not the last four digits of the phone number given.", {"phone4": "does not match"})


# ----- the daily opening (每天一开箱) -----


class BoxOpening(BaseModel):
    """The last time a hall's suggestion box was opened."""

    model_config = ConfigDict(frozen=True)

    hall_code: Code
    opened_at: datetime
    opened_by: str
    opened_count: int


def box_overdue(
    last_opened: datetime | None, now: datetime, is_working_day: Callable[[date], bool], *, hall_created: datetime
) -> bool:
    """A box is overdue once a whole working day has passed without an opening.

    Dates are Shanghai dates. Opened on Friday, it is not overdue on Monday
    (the weekend does not count) but is on Tuesday, and a 调休 Saturday counts
    like any working day. A box never opened counts from the day its hall was
    created: a hall created on Monday is not overdue before Tuesday has passed.
    """
    since = last_opened if last_opened is not None else hall_created
    day = since.astimezone(SHANGHAI).date() + timedelta(days=1)
    today = now.astimezone(SHANGHAI).date()
    while day < today:
        if is_working_day(day):
            return True
        day += timedelta(days=1)
    return False
