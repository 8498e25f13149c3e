"""The audit log (SPEC §4.3): recording changes, and reading them (admins only).

A use case that changes a record calls ``record`` once the change is stored,
with the record's values before and after (the log leaves secrets out). It
takes an ``Auditor`` (the log and the clock that times entries); ``None``
records nothing, for seeding and tests that do not look at the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from chalicelib.domain.accounts import Username, UserPrincipal
from chalicelib.domain.audit import RECORD_KEY, Action, AuditEntry, RecordKind, values_of
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.paging import Page
from chalicelib.services.ports import AuditLog, Clock

Record = BaseModel | Mapping[str, Any] | None
_USERNAME: TypeAdapter[str] = TypeAdapter(Username)


@dataclass(frozen=True)
class Auditor:
    log: AuditLog
    clock: Clock


def record(
    auditor: Auditor | None,
    actor: str,
    action: Action,
    kind: RecordKind,
    key: str,
    *,
    before: Record = None,
    after: Record = None,
    hall_code: str | None = None,
) -> AuditEntry | None:
    """Log one change; an update that changed no value is not logged. The entry written, if any."""
    if auditor is None:
        return None
    entry = AuditEntry(
        at=auditor.clock.now(),
        actor=actor,
        action=action,
        kind=kind,
        key=key,
        hall_code=hall_code,
        before=values_of(before),
        after=values_of(after),
    )
    if action is Action.update and not entry.changes():
        return None
    auditor.log.add(entry)
    return entry


def entries(
    actor: UserPrincipal,
    log: AuditLog,
    *,
    first: datetime,
    last: datetime,
    by: str | None,
    cursor: str | None,
    limit: int,
) -> Page[AuditEntry]:
    """The log between two times, newest first; ``by`` keeps one user's changes (admin)."""
    actor.require_admin()
    if by is not None:
        try:
            _USERNAME.validate_python(by)
        except ValidationError:
            raise InvalidInput("Bad username.", {"actor": "a username"}) from None
        return log.by_actor(by, first, last, cursor, limit)
    return log.between(first, last, cursor, limit)


def history(
    actor: UserPrincipal, log: AuditLog, kind: RecordKind, key: str, cursor: str | None, limit: int
) -> Page[AuditEntry]:
    """A record's history, newest first (a hall's holds its counters' and devices'; admin)."""
    actor.require_admin()
    if not RECORD_KEY.fullmatch(key):
        raise InvalidInput("Bad record key.", {"key": "letters, digits and _ . @ / - (at most 100)"})
    return log.history(kind, key, cursor, limit)
