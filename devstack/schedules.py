"""When Chalice schedules fire: EventBridge ``Cron`` and ``Rate`` expressions, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.app import Cron, Rate

_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _matches(field: Any, value: int, names: dict[str, int] | None = None) -> bool:
    """One cron field: ``*``, ``?``, a number, a list ``1,5``, a range ``MON-FRI`` or a step ``*/15``."""
    text = str(field).upper()
    if text in ("*", "?"):
        return True
    for part in text.split(","):
        base, _, step = part.partition("/")
        lo_text, _, hi_text = base.partition("-")

        def number(t: str) -> int:
            return names[t] if names and t in names else int(t)

        lo = 0 if lo_text == "*" else number(lo_text)
        hi = number(hi_text) if hi_text else (10**6 if lo_text == "*" or step else lo)
        if lo <= value <= hi and (value - lo) % int(step or 1) == 0:
            return True
    return False


def next_fire(expression: Cron | Rate, after: datetime, started: datetime) -> datetime:
    """The first time strictly after ``after`` that the schedule fires."""
    if isinstance(expression, Rate):
        seconds = {"minutes": 60, "hours": 3600, "days": 86400}[expression.unit.lower()] * expression.value
        elapsed = (after - started).total_seconds()
        return started + timedelta(seconds=(int(elapsed // seconds) + 1) * seconds)
    t = after.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(60 * 24 * 400):  # a year and more of minutes: every sensible expression fires in it
        weekday = t.isoweekday() % 7 + 1  # EventBridge: SUN=1 ... SAT=7
        if (
            _matches(expression.minutes, t.minute)
            and _matches(expression.hours, t.hour)
            and _matches(expression.day_of_month, t.day)
            and _matches(expression.month, t.month)
            and _matches(expression.day_of_week, weekday, _DAY_NAMES)
            and _matches(expression.year, t.year)
        ):
            return t
        t += timedelta(minutes=1)
    raise ValueError(f"{expression} never fires")
