"""Business time: days, months and quarters are Asia/Shanghai; timestamps are stored in UTC.

China has kept UTC+8 all year since 1991, so a fixed offset is exact for every
date the product handles and needs no time-zone database in Lambda.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def today_in_shanghai(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def local_minute(at: datetime | None) -> str:
    """A stored UTC time as people in the hall read it, e.g. ``2026-11-24 10:12`` ("" for none)."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""
