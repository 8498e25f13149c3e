"""Month publication (SPEC §3): publishing freezes the month's staff rankings and hall
summary as the next version; a version is read back with the report's own rights.

Publishing reads every hall once (in parallel: a province has ~1,000) and
ranks each hall and each branch from what it read. Reading a version never
touches the tallies: admins see every hall of it, managers their own halls'
rows, exactly as the live report would let them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Reason
from chalicelib.domain.organisation import Hall
from chalicelib.domain.publications import LATEST, MonthRows, MonthSnapshot, Publication, Wanted, month_rows, same_rows
from chalicelib.domain.reports import HallRow, StaffRow
from chalicelib.services import audit, reports
from chalicelib.services.audit import Auditor
from chalicelib.services.organisation import every_hall
from chalicelib.services.ports import Clock, MonthPublicationRepository, OrganisationRepository, TallyReader

# Two admins publishing at once both aim at the same next version; the loser
# of the conditional write re-reads and takes the one after.
PUBLISH_ATTEMPTS = 3
READERS = 8  # halls read at once while publishing


def _require_reader(actor: UserPrincipal) -> None:
    actor.require_role(Role.admin, Role.manager)


def freeze_month(org: OrganisationRepository, tallies: TallyReader, month: str, min_ratings: int) -> MonthRows:
    """Every hall's summary row and ranking, and every branch's ranking, as they are now."""
    halls = list(every_hall(org))

    def read(hall: Hall) -> tuple[HallRow, reports.HallStaff]:
        return reports.hall_summary(month, hall, tallies), reports.hall_staff(month, hall, org, tallies)

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        found = list(pool.map(read, halls))
    staff = {row.hall.code: read_staff for row, read_staff in found}
    by_branch: dict[str, list[StaffRow]] = {}
    for branch in sorted({h.branch for h in halls}):
        group = [staff[h.code] for h in halls if h.branch == branch]
        by_branch[branch] = reports.rank_group(month, group, min_ratings)
    by_hall = {code: reports.rank_group(month, [one], min_ratings) for code, one in staff.items()}
    return month_rows(min_ratings, [row for row, _ in found], by_hall, by_branch)


def _month_started(month: str, today: date) -> None:
    if month > today.strftime("%Y-%m"):
        raise InvalidInput(
            f"{month} has not started yet.",
            {"month": "a month that has started"},
            reason=Reason("month_not_started", {"month": month}),
        )


def publish_month(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    repo: MonthPublicationRepository,
    clock: Clock,
    *,
    month: str,
    min_ratings: int,
    auditor: Auditor | None = None,
) -> MonthSnapshot:
    """Freeze the month's rows as the next version (admin); earlier versions stay as they were."""
    actor.require_admin()
    _month_started(month, today_in_shanghai(clock.now()))
    rows = freeze_month(org, tallies, month, min_ratings)
    for _ in range(PUBLISH_ATTEMPTS):
        snapshot = MonthSnapshot(
            month=month,
            version=repo.latest_version(month) + 1,
            published_at=clock.now(),
            published_by=actor.username,
            rows=rows,
        )
        try:
            repo.add(snapshot)
        except Conflict:
            continue
        audit.record(auditor, actor.username, Action.publish, RecordKind.month, month, after=_logged(snapshot))
        return snapshot
    raise Conflict(f"{month} is being published by someone else; try again.")


def _logged(snapshot: MonthSnapshot) -> dict[str, object]:
    """What the audit log keeps of a version: its number, time and size (the rows stay in the version)."""
    return {
        "version": snapshot.version,
        "published_at": snapshot.published_at.isoformat(),
        "halls": len(snapshot.halls),
    }


def versions(actor: UserPrincipal, repo: MonthPublicationRepository, month: str) -> list[Publication]:
    """Who published each version of the month and when, oldest first."""
    _require_reader(actor)
    return repo.versions(month)


def published_month(
    actor: UserPrincipal, repo: MonthPublicationRepository, month: str, version: Wanted
) -> MonthSnapshot:
    """A version (``latest``: the newest); NotFound before the first or for an unknown one."""
    _require_reader(actor)
    number = version if isinstance(version, int) else repo.latest_version(month)
    snapshot = repo.get(month, number) if number >= 1 else None
    if snapshot is None:
        if version == LATEST:
            raise NotFound(f"{month} has not been published yet.", {"version": "no version yet"})
        raise NotFound(f"{month} has no version {version}.", {"version": "unknown version"})
    return snapshot


# ---- a version's rows, with the report's rights ------------------------------
def _halls(actor: UserPrincipal, snapshot: MonthSnapshot, code: str | None) -> list[Hall]:
    """The named hall of the version, else the actor's halls in it (every hall for an admin)."""
    if code is not None:
        actor.require_hall(code)
        hall = snapshot.hall(code)
        if hall is None:
            raise NotFound(f"Hall {code} is not in version {snapshot.version}.", {"hall": "not in this version"})
        return [hall]
    return [h for h in snapshot.halls if actor.role is Role.admin or actor.can_see_hall(h.code)]


def _branch(actor: UserPrincipal, snapshot: MonthSnapshot, branch: str) -> str:
    halls = [h for h in snapshot.halls if h.branch == branch]
    if not halls:
        raise NotFound(f"No branch {branch} in version {snapshot.version}.", {"branch": "unknown branch"})
    if not all(actor.can_see_hall(h.code) for h in halls):
        raise Forbidden(f"The ranking of {branch} covers halls that are not yours.")
    return branch


def published_staff(
    actor: UserPrincipal, snapshot: MonthSnapshot, *, hall: str | None, branch: str | None, by_branch: bool
) -> reports.StaffMonthly:
    """The version's ranking for the same query as ``reports.staff_monthly``."""
    _require_reader(actor)
    rows: list[StaffRow] = []
    min_ratings = snapshot.rows.min_ratings
    if not by_branch:
        for h in _halls(actor, snapshot, hall):
            rows += snapshot.staff_rows("hall", h.code)
        return reports.StaffMonthly(snapshot.month, "hall", min_ratings, rows)
    if branch is not None:
        branches = [branch]
    elif hall is not None:
        branches = [_halls(actor, snapshot, hall)[0].branch]
    else:
        branches = sorted({h.branch for h in _halls(actor, snapshot, None)})
    for name in branches:
        rows += snapshot.staff_rows("branch", _branch(actor, snapshot, name))
    return reports.StaffMonthly(snapshot.month, "branch", min_ratings, rows)


def published_halls(actor: UserPrincipal, snapshot: MonthSnapshot, *, hall: str | None) -> list[HallRow]:
    """The version's hall summary for the same query as ``reports.hall_monthly``."""
    _require_reader(actor)
    return snapshot.hall_rows(_halls(actor, snapshot, hall))


@dataclass(frozen=True)
class MonthStatus:
    versions: list[Publication]  # oldest first
    differs: bool | None  # the live rows shown against the latest version's; None before the first


def month_status(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    repo: MonthPublicationRepository,
    *,
    live: reports.StaffMonthly,
    hall: str | None,
) -> MonthStatus:
    """The month's versions, and whether the live ranking shown (and its halls' summary rows)
    now differ from the latest version's."""
    published = versions(actor, repo, live.month)
    if not published:
        return MonthStatus(published, None)
    snapshot = published_month(actor, repo, live.month, published[-1].version)
    try:
        frozen = published_staff(actor, snapshot, hall=hall, branch=None, by_branch=live.scope == "branch")
        frozen_halls = published_halls(actor, snapshot, hall=hall)
    except NotFound:  # a hall or branch the version does not hold yet
        return MonthStatus(published, True)
    live_halls = reports.hall_monthly(actor, org, tallies, month=live.month, hall=hall)
    same = same_rows(live.rows, frozen.rows) and same_rows(live_halls, frozen_halls)
    return MonthStatus(published, not same)
