"""Reports: the monthly staff ranking and hall summary, the dashboard series,
and the raw ratings export (SPEC §3, §4.4).

Summaries read the tallies, one kind of one hall-month per Query, so their
cost does not grow with the number of ratings. Admins see every hall,
managers their own; agents see no reports.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.organisation import Hall
from chalicelib.domain.ranking import DEFAULT_MIN_RATINGS, rank_staff
from chalicelib.domain.ratings import Rating
from chalicelib.domain.reports import (
    MAX_EXPORT_DAYS,
    HallRow,
    StaffRow,
    by_part,
    days_between,
    hall_row,
    months_between,
    total_of,
)
from chalicelib.domain.stats import StatKey, StatKind, Tally
from chalicelib.services.fanout import in_parallel
from chalicelib.services.organisation import every_hall, every_staff, existing_hall
from chalicelib.services.ports import Clock, OrganisationRepository, RatingRepository, TallyReader

MAX_SERIES_DAYS = 366


def _require_reader(actor: UserPrincipal) -> None:
    actor.require_role(Role.admin, Role.manager)


def _hall(actor: UserPrincipal, org: OrganisationRepository, code: str, field: str = "hall") -> Hall:
    _require_reader(actor)
    actor.require_hall(code)
    return existing_hall(org, code, field)


def _halls(actor: UserPrincipal, org: OrganisationRepository, code: str | None) -> list[Hall]:
    """The named hall, else the actor's halls (every hall for an admin), in code order."""
    if code is not None:
        return [_hall(actor, org, code)]
    _require_reader(actor)
    if actor.role is Role.admin:
        return list(every_hall(org))
    found = in_parallel([functools.partial(org.get_hall, c) for c in sorted(actor.halls)])
    return [h for h in found if h is not None]


@dataclass(frozen=True)
class StaffMonthly:
    month: str
    scope: str  # "hall" or "branch"
    min_ratings: int
    rows: list[StaffRow]


@dataclass(frozen=True)
class HallStaff:
    """What a hall's ranking reads of one month: its staff list and its clerks' tallies."""

    hall: Hall
    names: dict[str, str]  # the staff listed at the hall now
    tallies: dict[str, Tally]  # everyone rated at the hall in the month


def hall_staff(month: str, hall: Hall, org: OrganisationRepository, tallies: TallyReader) -> HallStaff:
    names = {s.staff_no: s.name for s in every_staff(org, hall.code)}
    found = by_part(tallies.tallies_of_kind(hall.code, month, StatKind.staff), StatKind.staff)
    return HallStaff(hall, names, found)


def rank_group(month: str, group: list[HallStaff], min_ratings: int) -> list[StaffRow]:
    """One ranking over the halls of ``group``: their staff lists plus anyone with ratings there.

    A clerk rated in two halls of the group (moved mid-month) is one person:
    their tallies add up and they are shown at their current hall.
    """
    totals: dict[str, Tally] = {}
    home: dict[str, Hall] = {}
    names: dict[str, str] = {}
    for read in group:
        for staff_no, name in read.names.items():
            totals.setdefault(staff_no, Tally())
            home[staff_no] = read.hall
            names[staff_no] = name
        for staff_no, tally in read.tallies.items():
            totals[staff_no] = totals.get(staff_no, Tally()) + tally
            home.setdefault(staff_no, read.hall)
    return [
        StaffRow(month=month, hall=home[r.staff_no], name=names.get(r.staff_no, ""), result=r)
        for r in rank_staff(totals, min_ratings)
    ]


def _read_staff(month: str, halls: list[Hall], org: OrganisationRepository, tallies: TallyReader) -> list[HallStaff]:
    """Each hall's staff list and clerks' tallies, the halls read side by side (services.fanout)."""
    return in_parallel([functools.partial(hall_staff, month, h, org, tallies) for h in halls])


def _branch_halls(actor: UserPrincipal, every: list[Hall], branch: str) -> list[Hall]:
    """The halls of ``branch`` among ``every`` hall (read once for all branches)."""
    halls = [h for h in every if h.branch == branch]
    if not halls:
        raise NotFound(f"No branch {branch}.", {"branch": "unknown branch"})
    if not all(actor.can_see_hall(h.code) for h in halls):
        raise Forbidden(f"The ranking of {branch} covers halls that are not yours.")
    return halls


def staff_monthly(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    *,
    month: str,
    hall: str | None = None,
    branch: str | None = None,
    by_branch: bool = False,
    min_ratings: int = DEFAULT_MIN_RATINGS,
) -> StaffMonthly:
    """The month's staff ranking per hall, or per branch (all halls of a branch ranked together).

    Per hall: the named hall, else each of the actor's halls. Per branch: the
    named branch, else the branch of the named hall, else each branch the
    actor's halls belong to; a manager must manage every hall of the branch.
    """
    _require_reader(actor)
    rows: list[StaffRow] = []
    if not by_branch:
        for read in _read_staff(month, _halls(actor, org, hall), org, tallies):
            rows += rank_group(month, [read], min_ratings)
        return StaffMonthly(month, "hall", min_ratings, rows)
    if branch is not None:
        branches = [branch]
    elif hall is not None:
        branches = [_hall(actor, org, hall).branch]
    else:
        branches = sorted({h.branch for h in _halls(actor, org, None)})
    every = list(every_hall(org))
    groups = {name: _branch_halls(actor, every, name) for name in branches}
    reads = iter(_read_staff(month, [h for name in branches for h in groups[name]], org, tallies))
    for name in branches:
        rows += rank_group(month, [next(reads) for _ in groups[name]], min_ratings)
    return StaffMonthly(month, "branch", min_ratings, rows)


def hall_monthly(
    actor: UserPrincipal, org: OrganisationRepository, tallies: TallyReader, *, month: str, hall: str | None = None
) -> list[HallRow]:
    """Per hall (the named one, else the actor's): levels, rates, callbacks and suggestions of the month.

    Each hall-month kind is one Query; the Queries of every hall run side by side (services.fanout).
    """
    halls = _halls(actor, org, hall)
    reads = in_parallel(
        [functools.partial(tallies.tallies_of_kind, h.code, month, kind) for h in halls for kind in HALL_KINDS]
    )
    rows = []
    for i, h in enumerate(halls):
        read: dict[StatKey, Counter[str]] = {}
        for part in reads[i * len(HALL_KINDS) : (i + 1) * len(HALL_KINDS)]:
            read.update(part)
        rows.append(hall_row(month, h, read))
    return rows


# What a hall's summary row reads.
HALL_KINDS = (StatKind.month, StatKind.callbacks, StatKind.suggestions, StatKind.tickets)


def hall_summary(month: str, hall: Hall, tallies: TallyReader) -> HallRow:
    read = {}
    for kind in HALL_KINDS:
        read.update(tallies.tallies_of_kind(hall.code, month, kind))
    return hall_row(month, hall, read)


@dataclass(frozen=True)
class DailySeries:
    hall: Hall
    days: list[tuple[date, Tally]]  # oldest first, every day present (zero when nothing came)


def daily_series(
    actor: UserPrincipal, org: OrganisationRepository, tallies: TallyReader, clock: Clock, *, hall: str, days: int
) -> DailySeries:
    """The last ``days`` days up to today (Asia/Shanghai): one Query per month they touch."""
    if not 1 <= days <= MAX_SERIES_DAYS:
        raise InvalidInput("Bad number of days.", {"days": f"a whole number from 1 to {MAX_SERIES_DAYS}"})
    h = _hall(actor, org, hall, "hall_code")
    last = today_in_shanghai(clock.now())
    first = last - timedelta(days=days - 1)
    per_day: dict[str, Tally] = {}
    for month in months_between(first, last):
        for part, tally in by_part(tallies.tallies_of_kind(h.code, month, StatKind.day), StatKind.day).items():
            per_day[f"{month}-{part}"] = tally
    return DailySeries(h, [(d, per_day.get(d.isoformat(), Tally())) for d in days_between(first, last)])


@dataclass(frozen=True)
class HallMonth:
    hall: Hall
    month: str
    total: Tally
    parts: dict[StatKind, dict[str, Tally]]  # by business type, reason or "W-HH" hour cell


BREAKDOWN_KINDS = (StatKind.business, StatKind.reason, StatKind.hour)


def hall_breakdown(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    *,
    hall: str,
    month: str,
    kinds: tuple[StatKind, ...],
) -> HallMonth:
    """A hall-month's total and its tallies of some kinds (business types, reasons, hour × weekday cells)."""
    if not set(kinds) <= set(BREAKDOWN_KINDS):
        raise ValueError(kinds)
    h = _hall(actor, org, hall, "hall_code")
    total = total_of(tallies.tallies_of_kind(h.code, month, StatKind.month), StatKind.month)
    parts = {kind: by_part(tallies.tallies_of_kind(h.code, month, kind), kind) for kind in kinds}
    return HallMonth(h, month, total, parts)


def ratings_export(
    actor: UserPrincipal,
    org: OrganisationRepository,
    ratings: RatingRepository,
    *,
    first: date,
    last: date,
    hall: str | None = None,
    max_days: int | None = MAX_EXPORT_DAYS,
) -> Iterator[Rating]:
    """The stored ratings of the actor's halls (or the named one), day by day, read lazily.

    Checks run now; the ratings are read as the caller iterates, one day's
    Query pages at a time, so an export never holds every rating at once.
    Misuse presses are part of the record and are included. A download takes
    at most ``max_days``; the export job (``max_days=None``) any range.
    """
    days = rating_days(actor, org, ratings, first=first, last=last, hall=hall, max_days=max_days)
    return (r for _, read in days for r in read())


def rating_days(
    actor: UserPrincipal,
    org: OrganisationRepository,
    ratings: RatingRepository,
    *,
    first: date,
    last: date,
    hall: str | None = None,
    max_days: int | None = MAX_EXPORT_DAYS,
) -> Iterator[tuple[str, Callable[[], Iterator[Rating]]]]:
    """``ratings_export`` a hall's day at a time: ``("<hall>/<day>", read)``, halls in code order,
    then days; nothing is read until ``read`` is called (an export job resumes at one of them)."""
    check_span(first, last, max_days)
    halls = _halls(actor, org, hall)
    days = [d.isoformat() for d in days_between(first, last)]
    return ((f"{h.code}/{d}", functools.partial(ratings.ratings_of_day, h.code, d)) for h in halls for d in days)


def readable_halls(actor: UserPrincipal, org: OrganisationRepository, code: str | None) -> list[Hall]:
    """The halls a report may cover: the named one, else the actor's (every hall for an admin)."""
    return _halls(actor, org, code)


def check_span(first: date, last: date, max_days: int | None = MAX_EXPORT_DAYS) -> None:
    """A range of days a ratings file may cover; a longer one is refused, pointing to the export job."""
    if last < first:
        raise InvalidInput("The range ends before it starts.", {"to": "on or after from"})
    if max_days is not None and (last - first).days + 1 > max_days:
        raise InvalidInput(
            f"At most {max_days} days per download; for a longer period ask for an export job "
            '(POST /api/v1/exports with "report": "ratings", or the console\'s exports page): '
            "the file is prepared in the background, as CSV or XLSX.",
            {"to": f"at most {max_days} days after from; longer periods: POST /api/v1/exports"},
        )


def check_reader(actor: UserPrincipal, hall: str | None) -> None:
    """May ``actor`` read reports (of ``hall``, when named)? Reads nothing."""
    _require_reader(actor)
    if hall is not None:
        actor.require_hall(hall)
