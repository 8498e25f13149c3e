"""Inspections through the service with in-memory fakes: the clerk on shift, idempotent create,
who sees what, void and appeal leaving every score, and checklist versions."""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.checklists import SERVICE_NORMS, Item, Section
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.inspections import Finding, Mode, Status
from chalicelib.domain.organisation import Counter, Hall, Staff
from chalicelib.domain.shifts import ShiftChange, ShiftEvent
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.services import inspections
from chalicelib.services.inspections import InspectionPorts
from tests.fakes.clock import FixedClock
from tests.fakes.inspections import InMemoryChecklistRepository, InMemoryInspectionRepository
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryShiftRepository

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
SHIFT = NOW - timedelta(hours=2)
INSPECTOR = UserPrincipal(username="insp", role=Role.inspector)
OTHER_INSPECTOR = UserPrincipal(username="insp2", role=Role.inspector)
ADMIN = UserPrincipal(username="admin", role=Role.admin)
MANAGER = UserPrincipal(username="mgr", role=Role.manager, halls=frozenset({"A01"}))
MANAGER_B = UserPrincipal(username="mgrb", role=Role.manager, halls=frozenset({"B01"}))
AGENT = UserPrincipal(username="agent", role=Role.agent, halls=frozenset({"A01"}))


@pytest.fixture
def ports() -> InspectionPorts:
    org = InMemoryOrganisationRepository()
    for code in ("A01", "B01"):
        org.add_hall(Hall(code=code, name=f"{code}营业厅", branch="城东", grade="A", created_at=NOW))
        org.add_counter(Counter(hall_code=code, number=1, created_at=NOW))
        org.add_staff(Staff(staff_no=f"{code[0]}0123", name="张三", hall_code=code, created_at=NOW))
    shifts = InMemoryShiftRepository()
    shifts.record("A01", 1, ShiftEvent(SHIFT, ShiftChange.start, "A0123"))
    return InspectionPorts(org, shifts, InMemoryChecklistRepository(), InMemoryInspectionRepository(), FixedClock(NOW))


def findings(*failed: str) -> tuple[Finding, ...]:
    keys = ["g1_stand_up", "c1_announce", "a1_documents"]
    return tuple(Finding(item=k, passed=k not in failed, note="没有起身" if k in failed else "") for k in keys)


def record(ports: InspectionPorts, actor=INSPECTOR, **changes):
    args = {
        "inspection_id": None,
        "hall_code": "A01",
        "counter": 1,
        "staff_no": None,
        "checklist_code": "service-norms",
        "version": None,
        "mode": Mode.undercover,
        "inspected_at": NOW - timedelta(hours=1),
        "findings": findings("g1_stand_up"),
    } | changes
    return inspections.record(actor, ports, **args)


def test_the_clerk_on_shift_is_inspected_and_the_score_counts_points(ports):
    done = record(ports).inspection
    assert done.staff_no == "A0123"  # signed in at counter 1 an hour before
    assert (done.points_passed, done.points_checked, done.score) == (10, 14, 71.43)  # 5 + 5 of 4 + 5 + 5
    clerk = ports.inspections.tallies[StatKey("A01", "2026-11", StatKind.inspection, "A0123", None)]
    assert clerk == collections.Counter(
        inspections=1, score_sum=7143, passed_greeting=0, checked_greeting=4, passed_charging=5, checked_charging=5,
        passed_acceptance=5, checked_acceptance=5,
    )  # fmt: skip
    assert (
        ports.inspections.tallies[StatKey("A01", "2026-11", StatKind.hall_inspections, "", None)]["mode_undercover"]
        == 1
    )


def test_a_failed_item_needs_a_note_and_an_inspection_needs_findings(ports):
    with pytest.raises(InvalidInput) as refused:
        record(ports, findings=(Finding(item="c1_announce", passed=False),))
    assert refused.value.fields == {"findings.0.note": "a failed item needs a note"}
    with pytest.raises(InvalidInput) as empty:
        record(ports, findings=())
    assert "findings" in empty.value.fields
    with pytest.raises(InvalidInput) as unknown:
        record(ports, findings=(Finding(item="zz", passed=True),))
    assert "findings.0.item" in unknown.value.fields


def test_nobody_on_shift_means_the_clerk_is_named(ports):
    with pytest.raises(InvalidInput) as refused:
        record(ports, hall_code="B01")
    assert "staff_no" in refused.value.fields
    assert record(ports, hall_code="B01", staff_no="B0123").inspection.staff_no == "B0123"


def test_the_same_id_records_once(ports):
    first = record(ports, inspection_id="11111111-1111-4111-8111-111111111111")
    again = record(ports, inspection_id="11111111-1111-4111-8111-111111111111")
    assert (first.created, again.created, again.inspection) == (True, False, first.inspection)
    assert ports.inspections.tallies[StatKey("A01", "2026-11", StatKind.inspection, "A0123", None)]["inspections"] == 1
    with pytest.raises(Conflict):
        record(ports, OTHER_INSPECTOR, inspection_id="11111111-1111-4111-8111-111111111111")


def test_inspectors_see_their_own_managers_their_halls_agents_nothing(ports):
    mine = record(ports).inspection
    record(ports, OTHER_INSPECTOR, hall_code="B01", staff_no="B0123")
    listed = inspections.list_inspections(INSPECTOR, ports, hall_code=None, month="2026-11", cursor=None, limit=50)
    assert [i.id for i in listed.items] == [mine.id]
    assert [
        i.id
        for i in inspections.list_inspections(
            MANAGER, ports, hall_code="A01", month="2026-11", cursor=None, limit=50
        ).items
    ] == [mine.id]
    with pytest.raises(Forbidden):
        inspections.list_inspections(MANAGER_B, ports, hall_code="A01", month="2026-11", cursor=None, limit=50)
    with pytest.raises(NotFound):
        inspections.get_inspection(OTHER_INSPECTOR, ports, mine.id)
    with pytest.raises(Forbidden):
        inspections.list_inspections(AGENT, ports, hall_code="A01", month="2026-11", cursor=None, limit=50)
    with pytest.raises(Forbidden):
        record(ports, MANAGER)


def test_void_keeps_the_record_and_takes_it_out_of_the_tallies(ports):
    done = record(ports).inspection
    with pytest.raises(InvalidInput):
        inspections.void(INSPECTOR, ports, done.id, " ")
    voided = inspections.void(INSPECTOR, ports, done.id, "录错窗口")
    assert (voided.status, voided.void_reason) == (Status.voided, "录错窗口")
    assert ports.inspections.tallies[StatKey("A01", "2026-11", StatKind.inspection, "A0123", None)]["inspections"] == 0
    with pytest.raises(Conflict):
        inspections.void(ADMIN, ports, done.id, "again")


def test_an_inspector_voids_only_within_a_day(ports):
    done = record(ports).inspection
    ports.clock.advance(hours=25)
    with pytest.raises(Forbidden):
        inspections.void(INSPECTOR, ports, done.id, "late")
    assert inspections.void(ADMIN, ports, done.id, "late").status is Status.voided


def test_an_upheld_appeal_takes_the_inspection_out_never_by_the_appellant(ports):
    done = record(ports).inspection
    lodged = inspections.appeal(MANAGER, ports, done.id, "当时在处理急事")
    with pytest.raises(Conflict):
        inspections.appeal(MANAGER, ports, done.id, "again")
    with pytest.raises(Forbidden):
        inspections.decide_appeal(MANAGER, ports, done.id, True, "")
    decided = inspections.decide_appeal(ADMIN, ports, lodged.id, True, "属实")
    assert decided.status is Status.appeal_upheld
    assert ports.inspections.tallies[StatKey("A01", "2026-11", StatKind.inspection, "A0123", None)]["inspections"] == 0


def test_an_old_version_stays_readable_after_a_new_one(ports):
    old = record(ports).inspection
    section = Section(key="greeting", name="迎送客户", items=(Item(key="x1", text="新条目", points=10),))
    added = inspections.add_checklist(
        ADMIN,
        ports.checklists,
        ports.clock,
        code="service-norms",
        name="营业厅服务规范",
        name_en="",
        sections=(section,),
    )
    assert added.version == 2
    assert inspections.checklist(ports.checklists, "service-norms", old.version) == SERVICE_NORMS
    assert inspections.checklist(ports.checklists, "service-norms", None).version == 2
    listed = inspections.every_checklist(INSPECTOR, ports.checklists)
    assert [(c.code, c.version) for c in listed] == [("service-norms", 2)]
    with pytest.raises(NotFound) as unknown:
        inspections.checklist(ports.checklists, "service-norms", 9)
    assert "version" in unknown.value.fields
    with pytest.raises(Forbidden):
        inspections.add_checklist(
            MANAGER, ports.checklists, ports.clock, code="x1", name="x", name_en="", sections=(section,)
        )
