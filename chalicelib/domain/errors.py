"""Errors the domain and services raise; the HTTP layer maps each to a status.

``message`` and ``fields`` are English, for the JSON API. An error a person may
meet on a page also carries its ``reason``: a stable key and the facts its
wording needs, which the pages word in their reader's language (web.messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

type Fact = str | int | float


@dataclass(frozen=True)
class Reason:
    """Why something was refused, as a stable key (never changed once shipped) and its facts,
    e.g. ``Reason("unreachable_too_early", {"failed": 1, "needed": 3})``. Pydantic's error
    types (``missing``, ``string_too_long``) are keys too."""

    key: str
    facts: Mapping[str, Fact] = field(default_factory=dict)


class DomainError(Exception):
    code = "error"

    def __init__(
        self,
        message: str,
        fields: dict[str, str] | None = None,
        retry_after: int | None = None,
        *,
        reason: Reason | None = None,
        reasons: Mapping[str, Reason] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.retry_after = retry_after  # seconds until trying again can succeed, when that is known
        self.reason = reason  # the error as a whole; also each field that has no reason of its own
        self.reasons = dict(reasons or {})  # per field, e.g. from validation

    def reason_of(self, name: str) -> Reason | None:
        """Why the field ``name`` was refused, when that is known."""
        return self.reasons.get(name) or self.reason


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule; ``fields`` names the culprits."""

    code = "invalid_input"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Deactivated(NotFound):
    """The record exists but is deactivated: it takes nothing new (SPEC §2)."""

    code = "deactivated"


class Conflict(DomainError):
    """The thing exists already, or changed under us."""

    code = "conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class TooManyRequests(DomainError):
    code = "too_many_requests"


class StorageBusy(DomainError):
    """Storage could not take the request now (conflicts outlasted their retries, or a fault):
    nothing was written, and the same request may be sent again later."""

    code = "storage_busy"

    def __init__(self, message: str = "Storage is busy: please retry shortly.", retry_after: int = 2) -> None:
        super().__init__(message, retry_after=retry_after)
