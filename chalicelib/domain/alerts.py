"""Alerts (SPEC §3.4): raised from stored data, at most one open per kind and scope.

A scope names what an alert is about: a counter (``A01#3``) or a hall (``A01``)
for a negative spike, a device for a silent one, a hall for an unopened box, a
callback task or a work order for an overdue one. An alert is ``open`` until
acknowledged (with a note), and ``resolved`` when its cause clears, whether
acknowledged or not; only then can the same kind and scope raise a new one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .business_time import local_minute
from .stats import Tally


class AlertKind(StrEnum):
    negative_spike = "negative_spike"
    silent_device = "silent_device"
    box_unopened = "box_unopened"
    callback_overdue = "callback_overdue"
    ticket_overdue = "ticket_overdue"  # raised by the work-order clocks (SPEC §3.2)


class AlertStatus(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    resolved = "resolved"


# Kinds whose cause already notified someone when it was flagged: listed as alerts, not notified again.
LISTED_ONLY = frozenset({AlertKind.box_unopened, AlertKind.callback_overdue, AlertKind.ticket_overdue})

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: AlertKind
    scope: str  # what it is about; one open alert per kind and scope
    hall_code: str
    counter: int | None = None
    subject: str | None = None  # the device, callback task or work order it is about
    raised_at: datetime
    status: AlertStatus = AlertStatus.open
    detail: str  # its figures, e.g. "7 of 18 差评 in 60 min at 3号窗口"
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    note: str | None = None
    resolved_at: datetime | None = None


class AlertRules(BaseModel):
    """The thresholds an admin may change (SPEC §4.9); the defaults are SPEC §3.4's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    spike_share: float = Field(default=0.3, gt=0, le=1, description="share of 差评 that makes a spike")
    spike_min: int = Field(default=10, ge=1, le=1000, description="scored ratings needed in the window")
    spike_minutes: int = Field(default=60, ge=5, le=720, description="the rolling window, by rated_at")
    silent_minutes: int = Field(default=30, ge=1, le=1440, description="a device silent this long while open")


def counter_scope(hall_code: str, counter: int) -> str:
    return f"{hall_code}#{counter}"


def subject_scope(hall_code: str, subject: str) -> str:
    return f"{hall_code}#{subject}"


def spiking(tally: Tally, rules: AlertRules) -> bool:
    """≥ spike_share 差评 among ≥ spike_min scored ratings."""
    return tally.n >= rules.spike_min and tally.bad >= rules.spike_share * tally.n


def spike_detail(tally: Tally, rules: AlertRules, counter: int | None, hall_name: str) -> str:
    where = f"{counter}号窗口" if counter is not None else hall_name
    return f"{tally.bad} of {tally.n} 差评 in {rules.spike_minutes} min at {where}"


def silent_detail(counter: int, last_seen: datetime | None, minutes: int) -> str:
    """E.g. "device at 3号窗口 silent for over 30 min (last seen 2026-11-24 09:02)" (Shanghai time)."""
    seen = local_minute(last_seen) if last_seen else "never"
    return f"device at {counter}号窗口 silent for over {minutes} min (last seen {seen})"
