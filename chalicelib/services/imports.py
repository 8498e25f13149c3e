"""Bulk import (SPEC §4.3): a province's halls, counters and staff from a spreadsheet (admin).

Each line goes through the same use cases as one record entered by hand, so
it is checked, stored and logged alike: a new key is created, a known key
whose values differ is updated (a clerk given another hall moves, and their
shift ends), and a line equal to what is stored changes nothing. Importing
the same sheet again therefore changes nothing. Only the sheet's columns are
compared: an import never reactivates or deactivates a record.

A line refused by a rule is reported and the others go on; storage that is
busy or failing stops the import (503), since every line would fail alike
and the same sheet may simply be sent again (the lines applied by then are
unchanged the second time).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.errors import Conflict, DomainError, NotFound, StorageBusy
from chalicelib.domain.imports import (
    CounterRow,
    HallRow,
    ImportKind,
    Reason,
    Rejection,
    Row,
    StaffRow,
    key_of,
    read_sheet,
)
from chalicelib.services import organisation
from chalicelib.services.audit import Auditor
from chalicelib.services.ports import Clock, OrganisationRepository, ShiftRepository

# Lines applied at once: fewer than the shared DynamoDB client's 10 pooled connections.
WORKERS = 8


@dataclass(frozen=True)
class ImportPorts:
    org: OrganisationRepository
    shifts: ShiftRepository
    clock: Clock
    auditor: Auditor | None = None


@dataclass
class ImportReport:
    kind: ImportKind
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def import_sheet(actor: UserPrincipal, ports: ImportPorts, kind: ImportKind, data: bytes | str) -> ImportReport:
    """Apply every line of the sheet; what happened to each line, counted, and the refused ones.

    The sheet names each key once (``read_sheet``), so its lines touch different
    records and are applied several at a time: each takes a few round trips, and
    one after another a province's sheet would outlast API Gateway's 29 s."""
    actor.require_admin()
    sheet = read_sheet(kind, data)
    report = ImportReport(kind=kind, unchanged=sheet.repeats, rejected=list(sheet.rejected))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda numbered: _outcome(actor, ports, *numbered), sheet.rows))
    for outcome in outcomes:
        if isinstance(outcome, Rejection):
            report.rejected.append(outcome)
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
    report.rejected.sort(key=lambda r: r.line)
    return report


def _outcome(actor: UserPrincipal, ports: ImportPorts, line: int, row: Row) -> str | Rejection:
    try:
        return _apply(actor, ports, row)
    except StorageBusy:
        raise
    except DomainError as e:
        return _refusal(line, row, e)


def _refusal(line: int, row: Row, error: DomainError) -> Rejection:
    if isinstance(error, NotFound) and "hall_code" in error.fields:
        hall = getattr(row, "hall_code", "")
        return Rejection(line, Reason.unknown_hall, f"no hall {hall}", "hall_code")
    field_name = next(iter(error.fields), None)
    return Rejection(line, Reason.refused, f"{key_of(row)}: {error.message}", field_name)


def _apply(actor: UserPrincipal, ports: ImportPorts, row: Row) -> str:
    """``created``, ``updated`` or ``unchanged``. A record created by someone else between
    the read and the write is read again and compared once more."""
    try:
        return _apply_once(actor, ports, row)
    except Conflict:
        return _apply_once(actor, ports, row)


def _apply_once(actor: UserPrincipal, ports: ImportPorts, row: Row) -> str:
    org, clock, auditor = ports.org, ports.clock, ports.auditor
    if isinstance(row, HallRow):
        hall = org.get_hall(row.code)
        if hall is None:
            organisation.create_hall(actor, org, clock, **row.model_dump(), auditor=auditor)
            return "created"
        changes = _differences(row.model_dump(exclude={"code"}), hall.model_dump())
        if not changes:
            return "unchanged"
        organisation.update_hall(actor, org, row.code, changes, auditor=auditor)
        return "updated"
    if isinstance(row, CounterRow):
        if org.get_counter(row.hall_code, row.number) is not None:  # then its hall exists too
            return "unchanged"
        organisation.add_counter(actor, org, clock, hall_code=row.hall_code, number=row.number, auditor=auditor)
        return "created"
    return _apply_staff(actor, ports, row)


def _apply_staff(actor: UserPrincipal, ports: ImportPorts, row: StaffRow) -> str:
    org = ports.org
    staff = org.get_staff(row.staff_no)
    if staff is None:
        organisation.add_staff(actor, org, ports.clock, **row.model_dump(), auditor=ports.auditor)
        return "created"
    changes = _differences(row.model_dump(exclude={"staff_no"}), staff.model_dump())
    if not changes:
        return "unchanged"
    organisation.update_staff(actor, org, ports.shifts, ports.clock, row.staff_no, changes, auditor=ports.auditor)
    return "updated"


def _differences(wanted: dict[str, object], stored: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in wanted.items() if stored.get(name) != value}
