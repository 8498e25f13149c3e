"""Star ratings (星级, SPEC §3.3, §4.8): the rules in force, a quarter's stars per clerk read from
tallies only, publishing a quarter as a version, and a hall's current published stars.

A hall's board reads, for each month of the quarter, three kinds of tally: the
clerks' ratings (``staff``), their inspections (``inspection``) and their
verified complaints (``verified_complaint``). Nothing reads a rating or an
inspection itself.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from chalicelib.domain import stars as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Reason
from chalicelib.domain.organisation import Hall
from chalicelib.domain.outreach import quarter_bounds, quarter_of
from chalicelib.domain.privacy import mask_name
from chalicelib.domain.publications import LATEST, Wanted
from chalicelib.domain.stars import DEFAULT_RULES, RuleSet, StarPublication, StarRow, StarSnapshot, Thresholds
from chalicelib.domain.stats import StatKind, Tally
from chalicelib.services import audit, tickets
from chalicelib.services.audit import Auditor
from chalicelib.services.organisation import every_hall, every_staff
from chalicelib.services.ports import (
    Clock,
    OrganisationRepository,
    StarPublicationRepository,
    StarRuleRepository,
    TallyReader,
)

RULE_READERS = (Role.admin, Role.manager)  # the rule set is shown in the console with the board
PUBLISH_ATTEMPTS = 3
READERS = 8  # halls read at once while publishing
PUBLIC_LOOKBACK = 4  # quarters the public page looks back for a published version


# ---- the rules ---------------------------------------------------------------------------
def rules_in_force(repo: StarRuleRepository) -> RuleSet:
    """The newest version; the defaults (version 1) until an admin sets thresholds."""
    return repo.latest() or DEFAULT_RULES


def set_rules(
    actor: UserPrincipal,
    repo: StarRuleRepository,
    clock: Clock,
    thresholds: Thresholds,
    auditor: Auditor | None = None,
) -> RuleSet:
    """Add the next version of the rules (admin); published quarters keep the version they used."""
    actor.require_admin()
    for _ in range(PUBLISH_ATTEMPTS):
        before = rules_in_force(repo)
        added = RuleSet(
            **thresholds.model_dump(), version=before.version + 1, created_at=clock.now(), created_by=actor.username
        )
        try:
            repo.add(added)
        except Conflict:
            continue
        audit.record(
            auditor,
            actor.username,
            Action.update,
            RecordKind.star_rules,
            "stars",
            before=Thresholds(**before.model_dump(include=set(Thresholds.model_fields))).model_dump(mode="json"),
            after=thresholds.model_dump(mode="json"),
        )
        return added
    raise Conflict("The star rules are being changed by someone else; try again.")


# ---- where the figures come from ----------------------------------------------------------
def quarter_months(quarter: str) -> list[str]:
    first, _ = quarter_bounds(quarter)
    return [f"{first.year}-{first.month + i:02d}" for i in range(3)]


def verified_complaints(tallies: TallyReader, hall_code: str, months: list[str]) -> dict[str, int]:
    """Verified complaints per clerk at the hall over ``months``: the one source the stars read.

    Work orders closed as verified (属实) against a clerk (SPEC §3.2), and complaint callback
    tasks closed as upheld against a clerk (the agent names the clerk). Two keyed Queries a month.
    """
    found: collections.Counter[str] = collections.Counter()
    for month in months:
        for key, counts in tallies.tallies_of_kind(hall_code, month, StatKind.verified_complaint).items():
            found[key.part] += int(counts.get("complaints", 0))
        found.update(tickets.verified_complaints(tallies, hall_code, month))
    return {staff_no: n for staff_no, n in found.items() if n}


def _clerk_tallies(
    tallies: TallyReader, hall_code: str, months: list[str], kind: StatKind
) -> dict[str, Mapping[str, int]]:
    summed: dict[str, collections.Counter[str]] = {}
    for month in months:
        for key, counts in tallies.tallies_of_kind(hall_code, month, kind).items():
            summed.setdefault(key.part, collections.Counter()).update(counts)
    return dict(summed)


def hall_board(
    org: OrganisationRepository, tallies: TallyReader, used: RuleSet, hall: Hall, quarter: str
) -> list[StarRow]:
    """Every clerk listed at the hall or rated, inspected or complained of there in the quarter."""
    months = quarter_months(quarter)
    names = {s.staff_no: s.name for s in every_staff(org, hall.code)}
    ratings = _clerk_tallies(tallies, hall.code, months, StatKind.staff)
    inspected = _clerk_tallies(tallies, hall.code, months, StatKind.inspection)
    complaints = verified_complaints(tallies, hall.code, months)
    rows = []
    for staff_no in sorted({*names, *ratings, *inspected, *complaints}):
        name = names.get(staff_no)
        if name is None:
            moved = org.get_staff(staff_no)
            name = moved.name if moved else ""
        figures = rules.figures_of(
            Tally.of(dict(ratings.get(staff_no, {}))),
            inspected.get(staff_no, {}),
            complaints.get(staff_no, 0),
            used.business_sections,
        )
        rows.append(
            StarRow(
                quarter=quarter,
                branch=hall.branch,
                hall_code=hall.code,
                hall=hall.name,
                staff_no=staff_no,
                name=name,
                figures=figures,
                result=rules.stars(used, figures),
            )
        )
    return rows


@dataclass(frozen=True)
class Board:
    quarter: str
    rules: RuleSet
    rows: list[StarRow]
    publication: StarPublication | None = None  # None: the live numbers


def _require_reader(actor: UserPrincipal) -> None:
    actor.require_role(Role.admin, Role.manager)


def _halls(actor: UserPrincipal, org: OrganisationRepository, hall_code: str | None) -> list[Hall]:
    if hall_code is not None:
        actor.require_hall(hall_code)
        hall = org.get_hall(hall_code)
        if hall is None:
            raise NotFound(f"No hall {hall_code}.", {"hall": "unknown hall"})
        return [hall]
    return [h for h in every_hall(org) if actor.can_see_hall(h.code)]


def live_board(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    rule_repo: StarRuleRepository,
    *,
    quarter: str,
    hall_code: str | None,
) -> Board:
    """The quarter's stars as the tallies and the rules in force give them now (admins, managers)."""
    _require_reader(actor)
    used = rules_in_force(rule_repo)
    return Board(quarter, used, _boards(org, tallies, used, _halls(actor, org, hall_code), quarter))


def _boards(
    org: OrganisationRepository, tallies: TallyReader, used: RuleSet, halls: list[Hall], quarter: str
) -> list[StarRow]:
    """Every hall's board, read in parallel (a province has ~1,000 halls), in hall order."""
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return [r for board in pool.map(lambda h: hall_board(org, tallies, used, h, quarter), halls) for r in board]


def _quarter_started(quarter: str, today: date) -> None:
    if quarter > quarter_of(today):
        raise InvalidInput(
            f"{quarter} has not started yet.",
            {"quarter": "a quarter that has started"},
            reason=Reason("quarter_not_started", {"quarter": quarter}),
        )


def publish(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    rule_repo: StarRuleRepository,
    repo: StarPublicationRepository,
    clock: Clock,
    *,
    quarter: str,
    auditor: Auditor | None = None,
) -> StarSnapshot:
    """Freeze every hall's stars of the quarter as the next version (admin)."""
    actor.require_admin()
    _quarter_started(quarter, today_in_shanghai(clock.now()))
    used = rules_in_force(rule_repo)
    rows = tuple(_boards(org, tallies, used, list(every_hall(org)), quarter))
    for _ in range(PUBLISH_ATTEMPTS):
        snapshot = StarSnapshot(
            quarter=quarter,
            version=repo.latest_version(quarter) + 1,
            published_at=clock.now(),
            published_by=actor.username,
            rules_version=used.version,
            rows=rows,
        )
        try:
            repo.add(snapshot)
        except Conflict:
            continue
        audit.record(
            auditor,
            actor.username,
            Action.publish,
            RecordKind.stars,
            quarter,
            after={"version": snapshot.version, "rules_version": used.version, "clerks": len(rows)},
        )
        return snapshot
    raise Conflict(f"{quarter} is being published by someone else; try again.")


def versions(actor: UserPrincipal, repo: StarPublicationRepository, quarter: str) -> list[StarPublication]:
    _require_reader(actor)
    return repo.versions(quarter)


def published_board(
    actor: UserPrincipal,
    org: OrganisationRepository,
    rule_repo: StarRuleRepository,
    repo: StarPublicationRepository,
    *,
    quarter: str,
    version: Wanted,
    hall_code: str | None,
) -> Board:
    """A published version's rows that the actor may read (``latest``: the newest)."""
    _require_reader(actor)
    number = version if isinstance(version, int) else repo.latest_version(quarter)
    snapshot = repo.get(quarter, number) if number >= 1 else None
    if snapshot is None:
        if version == LATEST:
            raise NotFound(f"The stars of {quarter} have not been published yet.", {"version": "no version yet"})
        raise NotFound(f"The stars of {quarter} have no version {version}.", {"version": "unknown version"})
    if hall_code is not None:
        actor.require_hall(hall_code)
    rows = [
        r for r in snapshot.rows if (hall_code is None or r.hall_code == hall_code) and actor.can_see_hall(r.hall_code)
    ]
    used = rule_repo.get(snapshot.rules_version) or DEFAULT_RULES
    return Board(quarter, used, rows, snapshot.publication)


# ---- the public page ----------------------------------------------------------------------
@dataclass(frozen=True)
class PublicStar:
    """One clerk as the public sees them: surname and 工号 only (张* · A0123)."""

    display: str
    service_star: int
    business_star: int


@dataclass(frozen=True)
class PublicStars:
    quarter: str
    version: int
    clerks: list[PublicStar]


def current_public_stars(repo: StarPublicationRepository, clock: Clock, hall_code: str) -> PublicStars | None:
    """The hall's stars in the newest published version of the newest quarter that has one (this
    quarter or the four before); None when none is published. No login, no personal data."""
    year, q = _year_quarter(quarter_of(today_in_shanghai(clock.now())))
    for _ in range(PUBLIC_LOOKBACK + 1):
        quarter = f"{year}Q{q}"
        number = repo.latest_version(quarter)
        snapshot = repo.get(quarter, number) if number else None
        if snapshot is not None:
            clerks = [
                PublicStar(f"{mask_name(r.name)} · {r.staff_no}", r.result.service_star, r.result.business_star)
                for r in snapshot.rows
                if r.hall_code == hall_code
            ]
            clerks.sort(key=lambda c: (-c.service_star, -c.business_star, c.display))
            return PublicStars(quarter, snapshot.version, clerks)
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return None


def _year_quarter(quarter: str) -> tuple[int, int]:
    return int(quarter[:4]), int(quarter[5])
