"""Checklists and inspections (明察暗访, SPEC §3.3, §4.8).

Inspectors record inspections in any hall and read only their own; managers
read their halls' inspections; admins everything. The clerk defaults to the
one on shift at the counter at ``inspected_at`` (shift history). Voiding, and
upholding a clerk's appeal, take an inspection out of every score atomically;
it stays on record.
"""

from __future__ import annotations

import collections
import uuid
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import inspections as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.checklists import BUILT_IN, SERVICE_NORMS, Checklist, Section
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Reason
from chalicelib.domain.inspections import Finding, Inspection, Mode
from chalicelib.domain.paging import MAX_PAGE_SIZE, Page
from chalicelib.domain.stats import StatKind
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.organisation import every_hall
from chalicelib.services.ports import (
    ChecklistRepository,
    Clock,
    InspectionRepository,
    OrganisationRepository,
    ShiftRepository,
    TallyReader,
)
from chalicelib.services.shifts import clerk_at

READERS = (Role.admin, Role.manager, Role.inspector)  # who reads checklists
ADD_ATTEMPTS = 3  # two admins adding a version at once: the loser takes the next number


@dataclass(frozen=True)
class InspectionPorts:
    org: OrganisationRepository
    shifts: ShiftRepository
    checklists: ChecklistRepository
    inspections: InspectionRepository
    clock: Clock


# ---- checklists ------------------------------------------------------------------------
def _latest(repo: ChecklistRepository, code: str) -> Checklist | None:
    stored = repo.latest(code)
    if stored is None and code == BUILT_IN:
        return SERVICE_NORMS
    return stored


def every_checklist(actor: UserPrincipal, repo: ChecklistRepository) -> list[Checklist]:
    """Each checklist's newest version, the built-in ``service-norms`` first."""
    actor.require_role(*READERS)
    stored = {c.code: c for c in repo.every_latest()}
    built_in = stored.pop(BUILT_IN, SERVICE_NORMS)
    return [built_in, *(stored[code] for code in sorted(stored))]


def checklist(repo: ChecklistRepository, code: str, version: int | None) -> Checklist:
    """A version of a checklist (``None``: the newest); NotFound naming the field at fault."""
    if version is None:
        found = _latest(repo, code)
    elif code == BUILT_IN and version == SERVICE_NORMS.version:
        found = SERVICE_NORMS
    else:
        found = repo.get(code, version)
    if found is None:
        if _latest(repo, code) is None:
            raise NotFound(f"No checklist {code}.", {"checklist": "unknown checklist"})
        raise NotFound(f"Checklist {code} has no version {version}.", {"version": "unknown version"})
    return found


def add_checklist(
    actor: UserPrincipal,
    repo: ChecklistRepository,
    clock: Clock,
    *,
    code: str,
    name: str,
    name_en: str,
    sections: tuple[Section, ...],
    auditor: Auditor | None = None,
) -> Checklist:
    """A new checklist, or the next version of one (admin); earlier versions stay readable."""
    actor.require_admin()
    for _ in range(ADD_ATTEMPTS):
        latest = _latest(repo, code)
        added = Checklist(
            code=code,
            name=name,
            name_en=name_en,
            version=latest.version + 1 if latest else 1,
            sections=sections,
            created_at=clock.now(),
            created_by=actor.username,
        )
        try:
            repo.add(added)
        except Conflict:
            continue
        audit.record(
            auditor, actor.username, Action.create, RecordKind.checklist, code, after={"version": added.version}
        )
        return added
    raise Conflict(f"Checklist {code} is being changed by someone else; try again.")


# ---- inspections -----------------------------------------------------------------------
@dataclass(frozen=True)
class Recorded:
    inspection: Inspection
    created: bool  # False: a retry, answered with what was stored


def record(
    actor: UserPrincipal,
    ports: InspectionPorts,
    *,
    inspection_id: str | None,
    hall_code: str,
    counter: int,
    staff_no: str | None,
    checklist_code: str,
    version: int | None,
    mode: Mode,
    inspected_at: datetime,
    findings: tuple[Finding, ...],
) -> Recorded:
    """Record an inspection (inspector, admin). The same id again answers the stored one."""
    actor.require_role(Role.inspector, Role.admin)
    if inspection_id is not None:
        stored = ports.inspections.get(inspection_id)
        if stored is not None:
            return _retried(actor, stored)
    now = ports.clock.now()
    problem = rules.inspected_at_problem(inspected_at, now)
    if problem:
        raise InvalidInput("inspected_at is out of range.", {"inspected_at": problem})
    if ports.org.get_hall(hall_code) is None:
        raise NotFound(f"No hall {hall_code}.", {"hall_code": "unknown hall"})
    if ports.org.get_counter(hall_code, counter) is None:
        raise NotFound(f"Hall {hall_code} has no counter {counter}.", {"counter": "unknown counter"})
    used = checklist(ports.checklists, checklist_code, version)
    clerk = _clerk(ports, hall_code, counter, staff_no, inspected_at)
    inspection = Inspection.model_validate(
        {
            "id": inspection_id or str(uuid.uuid4()),
            "hall_code": hall_code,
            "counter": counter,
            "staff_no": clerk,
            "checklist": used.code,
            "version": used.version,
            "mode": mode,
            "inspected_at": inspected_at,
            "findings": findings,
            **rules.score_findings(used, findings),
            "inspector": actor.username,
            "created_at": now,
        }
    )
    try:
        ports.inspections.add(inspection)
    except Conflict:  # the same id arrived twice at once: the first stored it
        stored = ports.inspections.get(inspection.id)
        if stored is None:
            raise
        return _retried(actor, stored)
    return Recorded(inspection, True)


def _retried(actor: UserPrincipal, stored: Inspection) -> Recorded:
    if stored.inspector != actor.username:
        raise Conflict("That inspection id is taken.", {"id": "taken by another inspection"})
    return Recorded(stored, False)


def _clerk(ports: InspectionPorts, hall_code: str, counter: int, staff_no: str | None, at: datetime) -> str:
    if staff_no is not None:
        if ports.org.get_staff(staff_no) is None:
            raise NotFound(f"No staff number {staff_no}.", {"staff_no": "unknown staff number"})
        return staff_no
    on_shift = clerk_at(ports.shifts, hall_code, counter, at)
    if on_shift is None:
        raise InvalidInput(
            "Nobody was on shift at that counter then.",
            {"staff_no": "nobody on shift then: name the clerk"},
            reason=Reason("nobody_on_shift"),
        )
    return on_shift


def list_inspections(
    actor: UserPrincipal,
    ports: InspectionPorts,
    *,
    hall_code: str | None,
    month: str,
    cursor: str | None,
    limit: int,
) -> Page[Inspection]:
    """Inspectors: their own of the month (of one hall when named); managers and admins: a hall's."""
    if actor.role is Role.inspector:
        page = ports.inspections.list_by_inspector(actor.username, month, cursor, limit)
        if hall_code is None:
            return page
        return Page(items=[i for i in page.items if i.hall_code == hall_code], next=page.next)
    actor.require_role(Role.admin, Role.manager)
    if hall_code is None:
        if len(actor.halls) != 1:
            raise InvalidInput("Name the hall.", {"hall": "a hall code"})
        (hall_code,) = actor.halls
    actor.require_hall(hall_code)
    return ports.inspections.list_by_hall(hall_code, month, cursor, limit)


def get_inspection(actor: UserPrincipal, ports: InspectionPorts, inspection_id: str) -> Inspection:
    found = ports.inspections.get(inspection_id)
    if found is None or not _may_read(actor, found):
        raise NotFound(f"No inspection {inspection_id}.")
    return found


def _may_read(actor: UserPrincipal, inspection: Inspection) -> bool:
    if actor.role is Role.inspector:
        return inspection.inspector == actor.username
    return actor.role in (Role.admin, Role.manager) and actor.can_see_hall(inspection.hall_code)


def _save(ports: InspectionPorts, before: Inspection, after: Inspection) -> Inspection:
    saved = after.model_copy(update={"revision": before.revision + 1})
    ports.inspections.save(before, saved)
    return saved


def void(
    actor: UserPrincipal, ports: InspectionPorts, inspection_id: str, reason: str, auditor: Auditor | None = None
) -> Inspection:
    """Void with a reason (admins; the inspector within 24 hours): kept, out of every score."""
    actor.require_role(Role.admin, Role.inspector)
    if not reason.strip():
        raise InvalidInput("Say why the inspection is void.", {"reason": "required"})
    before = get_inspection(actor, ports, inspection_id)
    after = rules.void(before, reason.strip(), actor.username, actor.role is Role.admin, ports.clock.now())
    saved = _save(ports, before, after)
    audit.record(
        auditor,
        actor.username,
        Action.revoke,
        RecordKind.inspection,
        inspection_id,
        after={"reason": saved.void_reason},
        hall_code=saved.hall_code,
    )
    return saved


def appeal(actor: UserPrincipal, ports: InspectionPorts, inspection_id: str, note: str) -> Inspection:
    """A clerk's appeal of an inspection, lodged for them by a manager of the hall (or an admin)."""
    actor.require_role(Role.admin, Role.manager)
    before = get_inspection(actor, ports, inspection_id)
    return _save(ports, before, rules.lodge_appeal(before, note, actor.username, ports.clock.now()))


def decide_appeal(
    actor: UserPrincipal, ports: InspectionPorts, inspection_id: str, upheld: bool, note: str
) -> Inspection:
    """Uphold (the inspection leaves every score, atomically) or reject; never by the appellant."""
    actor.require_role(Role.admin, Role.manager)
    before = get_inspection(actor, ports, inspection_id)
    return _save(ports, before, rules.decide_appeal(before, upheld, note, actor.username, ports.clock.now()))


def may_void(actor: UserPrincipal, inspection: Inspection, now: datetime) -> bool:
    """Whether a page offers ``actor`` the void form (the service decides again)."""
    if inspection.status is rules.Status.voided:
        return False
    if actor.role is Role.admin:
        return True
    return (
        actor.role is Role.inspector
        and inspection.inspector == actor.username
        and now - inspection.created_at <= rules.OWN_VOID_WINDOW
    )


def month_inspections(
    actor: UserPrincipal, ports: InspectionPorts, *, month: str, hall_code: str | None
) -> list[Inspection]:
    """The counted inspections of a month the actor may read (inspections.csv): an inspector's own,
    a hall's, or every hall of the actor's (every hall for admins), in time order."""
    if actor.role is Role.inspector or hall_code is not None:
        halls: list[str | None] = [hall_code]
    else:
        actor.require_role(Role.admin, Role.manager)
        halls = [h.code for h in every_hall(ports.org) if actor.can_see_hall(h.code)]
    found: list[Inspection] = []
    for code in halls:
        cursor: str | None = None
        while True:
            page = list_inspections(actor, ports, hall_code=code, month=month, cursor=cursor, limit=MAX_PAGE_SIZE)
            found += [i for i in page.items if i.counted]
            if page.next is None:
                break
            cursor = page.next
    return sorted(found, key=lambda i: (i.inspected_at, i.id))


@dataclass(frozen=True)
class HallMonth:
    """A hall's counted inspections of a month, from its tally: how many, the mean score, by mode."""

    inspections: int
    mean_score: float | None
    by_mode: dict[str, int]


def hall_month(actor: UserPrincipal, tallies: TallyReader, hall_code: str, month: str) -> HallMonth:
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall_code)
    counts: collections.Counter[str] = collections.Counter()
    for found in tallies.tallies_of_kind(hall_code, month, StatKind.hall_inspections).values():
        counts.update(found)
    n = counts["inspections"]
    mean = round(counts["score_sum"] / rules.SCORE_SCALE / n, 2) if n else None
    return HallMonth(n, mean, {m.value: counts[f"mode_{m.value}"] for m in Mode})
