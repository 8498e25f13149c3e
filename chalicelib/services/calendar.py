"""The working-day calendar an admin maintains: overrides for what the holiday package does not know."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.workdays import HolidaySource
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.ports import CalendarRepository

FIRST_YEAR, LAST_YEAR = 2000, 2100
_SPAN = {"first": FIRST_YEAR, "last": LAST_YEAR}


@dataclass(frozen=True)
class CalendarYear:
    year: int
    official: bool  # the State Council's arrangement for the year is known
    overrides: dict[date, bool]


def _check(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            "Pick a date between 2000 and 2100.", {"day": "out of range"}, reason=Reason("day_out_of_range", _SPAN)
        )


def year_of(actor: UserPrincipal, repo: CalendarRepository, source: HolidaySource, year: int) -> CalendarYear:
    actor.require_admin()
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            "Pick a year between 2000 and 2100.", {"year": "out of range"}, reason=Reason("year_out_of_range", _SPAN)
        )
    overrides = {d: w for d, w in sorted(repo.overrides().items()) if d.year == year}
    return CalendarYear(year=year, official=source.year(year).official, overrides=overrides)


def set_day(
    actor: UserPrincipal, repo: CalendarRepository, day: date, working: bool, auditor: Auditor | None = None
) -> None:
    """Declare a date a working day (e.g. a 调休 Saturday) or a day off (a holiday); logged as a rule change."""
    actor.require_admin()
    _check(day)
    before = repo.overrides().get(day)
    repo.set_override(day, working, actor.username)
    _log(auditor, actor, day, before, working)


def clear_day(actor: UserPrincipal, repo: CalendarRepository, day: date, auditor: Auditor | None = None) -> None:
    """Remove a date's override: the package's (or the weekend's) rule applies again; logged."""
    actor.require_admin()
    _check(day)
    before = repo.overrides().get(day)
    repo.remove_override(day)
    _log(auditor, actor, day, before, None)


def _log(auditor: Auditor | None, actor: UserPrincipal, day: date, before: bool | None, after: bool | None) -> None:
    """An override as the log shows it: ``working`` true, false, or none (no override)."""
    action = Action.create if before is None else Action.update
    key = day.isoformat()
    audit.record(
        auditor, actor.username, action, RecordKind.calendar, key, before={"working": before}, after={"working": after}
    )
