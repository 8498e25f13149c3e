"""Errors the domain and services raise; the HTTP layer maps each to a status."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, fields: dict[str, str] | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.retry_after = retry_after  # seconds until trying again can succeed, when that is known


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
