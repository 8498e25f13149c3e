"""The audit log (SPEC §4.3): who changed which organisation record, user, rule or
publication, when, and its values before and after.

An entry is written for every change and never changed or removed. Its values
are the record's fields as JSON, secrets left out (a device's key hash, a
user's password hash and session epoch). Entries are filed under a record:
a counter's and a device's under their hall (they belong to it for good, as
their items live with it), everything else under itself, so a hall's page
shows what happened to it and to its counters and devices in one list.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .business_time import SHANGHAI
from .errors import InvalidInput


class Action(StrEnum):
    create = "create"
    update = "update"
    revoke = "revoke"  # a device's key stops working
    publish = "publish"  # a new version of a month or quarter


class RecordKind(StrEnum):
    hall = "hall"
    counter = "counter"
    staff = "staff"
    device = "device"
    user = "user"
    month = "month"  # the month's published ranking and summary (key YYYY-MM)
    outreach = "outreach"  # the quarter's published 五进 results (key 2026Q4)
    calendar = "calendar"  # a working-day override (key YYYY-MM-DD)
    checklist = "checklist"  # an inspection checklist's new version (key its code)
    star_rules = "star_rules"  # a new version of the star rules (key "stars")
    stars = "stars"  # the quarter's published stars (key 2026Q4)
    inspection = "inspection"  # an inspection voided (key its id)
    alert_rules = "alert_rules"  # the alert thresholds (key "rules")
    survey = "survey"  # a survey published (a new version) or closed (key its id)


# Fields never written into the log: they are secrets, or change at every sign-out.
SECRET_FIELDS = frozenset({"key_hash", "password_hash", "session_epoch"})

# Kinds filed under the hall they belong to.
_FILED_WITH_HALL = frozenset({RecordKind.counter, RecordKind.device})

Values = dict[str, Any]


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime
    actor: str  # a username
    action: Action
    kind: RecordKind
    key: str  # the record's key: hall code, "A01/3" for counter 3 of A01, staff number, device id, ...
    hall_code: str | None = None  # the hall the record belongs to (for counters and devices: where it is filed)
    before: Values | None = None  # None: the record did not exist
    after: Values | None = None

    @property
    def filed_under(self) -> tuple[RecordKind, str]:
        """The record whose history shows this entry."""
        if self.kind in _FILED_WITH_HALL and self.hall_code:
            return RecordKind.hall, self.hall_code
        return self.kind, self.key

    def changes(self) -> list[tuple[str, Any, Any]]:
        """``(field, before, after)`` for every field whose value differs, in field order."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        return [(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)]


# Every record's key is one of these: a hall code, "A01/3", a staff number, a device id,
# a username, a month, a quarter or a date.
RECORD_KEY = re.compile(r"[A-Za-z0-9_.@/-]{1,100}")


def counter_key(hall_code: str, number: int) -> str:
    return f"{hall_code}/{number}"


def values_of(record: BaseModel | Mapping[str, Any] | None) -> Values | None:
    """A record's fields as JSON values, without secrets."""
    if record is None:
        return None
    found = record.model_dump(mode="json") if isinstance(record, BaseModel) else dict(record)
    return {k: v for k, v in found.items() if k not in SECRET_FIELDS}


# ---- reading the log by time ---------------------------------------------------------
DEFAULT_SPAN = timedelta(days=365)
MAX_SPAN = timedelta(days=3 * 366)  # a page walks one partition per month (see the DynamoDB adapter)


def _bound(text: str, name: str, end: bool) -> datetime:
    """A day (Asia/Shanghai; an end day counts whole) or an instant with its offset, in 2000-2998."""
    at: datetime | None
    try:
        if len(text) == 10:
            at = datetime.combine(date.fromisoformat(text), time(), SHANGHAI) + timedelta(days=1 if end else 0)
        else:
            at = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        at = None
    if at is None or at.tzinfo is None or not 2000 <= at.year <= 2998:
        raise InvalidInput(
            f"Bad {name}.", {name: "a day such as 2026-11-01, or a time with its offset (2026-11-01T08:00:00+08:00)"}
        )
    return at


def time_span(first: str | None, last: str | None, now: datetime) -> tuple[datetime, datetime]:
    """``[from, to)`` for a list of the log: ``to`` defaults to now, ``from`` to a year before it."""
    end = _bound(last, "to", end=True) if last else now
    start = _bound(first, "from", end=False) if first else end - DEFAULT_SPAN
    if start >= end:
        raise InvalidInput("from must come before to.", {"from": "before to"})
    if end - start > MAX_SPAN:
        raise InvalidInput("At most three years at a time.", {"from": "at most three years before to"})
    return start, end
