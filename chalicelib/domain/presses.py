"""Misuse as a property of a device's presses (SPEC §3 Misuse).

A press is misuse exactly when the device's press just before it (by
``rated_at``, ties broken by id) is less than ``min_press_interval`` earlier.
That depends only on the set of presses, so however presses arrive, late or
in any order and batching, judging the new ones against their stored
neighbours gives the same flags as judging all of them at once. A late,
earlier press can only turn its stored successor from scored to misuse,
never back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, order=True)
class Press:
    rated_at: datetime
    id: str
    misuse: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Judgement:
    misuse: dict[str, bool]  # each new press's flag
    turned: tuple[str, ...]  # stored presses that become misuse because a new press now precedes them


def judge(stored: Iterable[Press], new: Iterable[Press], min_interval: timedelta) -> Judgement:
    """Flag ``new`` presses among ``stored`` ones.

    ``stored`` must hold every stored press within ``min_interval`` of a new
    one (a device's presses near the new ones); presses further away cannot
    change a flag.
    """
    fresh = {p.id: p for p in new}
    everything = sorted({p.id: p for p in (*stored, *fresh.values())}.values())
    misuse: dict[str, bool] = {}
    turned: list[str] = []
    before: Press | None = None
    for press in everything:
        close = before is not None and press.rated_at - before.rated_at < min_interval
        if press.id in fresh:
            misuse[press.id] = close
        elif close and not press.misuse and before is not None and before.id in fresh:
            turned.append(press.id)
        before = press
    return Judgement(misuse, tuple(turned))


def neighbourhood(at: datetime, min_interval: timedelta) -> tuple[datetime, datetime]:
    """The span of stored presses that can decide, or be changed by, a press at ``at``."""
    return at - min_interval, at + min_interval
