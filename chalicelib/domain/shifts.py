"""Shifts as history (SPEC §2, §3 Attribution): who sat at a counter when.

A counter's history is a list of events. A clerk's shift there runs from
their sign-in to the next event at that counter: another clerk's sign-in, or
a sign-out. A rating belongs to the clerk whose shift covered its time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ShiftChange(StrEnum):
    end = "out"
    start = "in"  # at one instant a start follows an end: the new clerk is on


@dataclass(frozen=True)
class ShiftEvent:
    at: datetime
    change: ShiftChange
    staff_no: str

    @property
    def order(self) -> tuple[datetime, int, str]:
        """Time order; at one instant an end comes before a start."""
        return (self.at, 0 if self.change is ShiftChange.end else 1, self.staff_no)


@dataclass(frozen=True)
class ClerkPlace:
    """Where a clerk last signed in."""

    hall_code: str
    counter_number: int
    at: datetime


def on_shift(history: Sequence[ShiftEvent], at: datetime) -> str | None:
    """The clerk on shift at ``at``: the latest event at or before it, if it is a sign-in."""
    latest: ShiftEvent | None = None
    for event in history:
        if event.at <= at and (latest is None or event.order >= latest.order):
            latest = event
    return latest.staff_no if latest is not None and latest.change is ShiftChange.start else None
