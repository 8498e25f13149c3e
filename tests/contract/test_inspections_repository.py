"""Checklists, inspections, star rules and published stars: the fakes and DynamoDB alike."""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import inspections as rules
from chalicelib.domain.checklists import SERVICE_NORMS, Item, Section
from chalicelib.domain.errors import Conflict
from chalicelib.domain.inspections import Finding, Inspection, Mode
from chalicelib.domain.stars import DEFAULT_RULES, Figures, StarRow, StarSnapshot, stars
from chalicelib.domain.stats import StatKey, StatKind

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def inspection(number: int, hall: str = "A01", inspector: str = "insp", at: datetime = AT) -> Inspection:
    findings = (Finding(item="g1_stand_up", passed=False, note="未起身"), Finding(item="c1_announce", passed=True))
    return Inspection.model_validate(
        {
            "id": f"i-{number:04d}",
            "hall_code": hall,
            "counter": 1,
            "staff_no": "A0123",
            "checklist": "service-norms",
            "version": 1,
            "mode": Mode.open,
            "inspected_at": at,
            "findings": findings,
            **rules.score_findings(SERVICE_NORMS, findings),
            "inspector": inspector,
            "created_at": at,
        }
    )


CLERK = StatKey("A01", "2026-11", StatKind.inspection, "A0123", None)
HALL = StatKey("A01", "2026-11", StatKind.hall_inspections, "", None)


def test_an_inspection_and_its_tallies_are_stored_together_once(repos):
    first = inspection(1)
    repos.inspections.add(first)
    with pytest.raises(Conflict):
        repos.inspections.add(first)
    assert repos.inspections.get(first.id) == first
    clerk = repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.inspection)
    assert clerk == {
        CLERK: collections.Counter(
            inspections=1, score_sum=5556, passed_greeting=0, checked_greeting=4, passed_charging=5, checked_charging=5
        )
    }
    assert repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.hall_inspections) == {
        HALL: collections.Counter(inspections=1, score_sum=5556, mode_open=1)
    }
    assert repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.staff) == {}  # no kind reads another's


def test_lists_by_hall_and_by_inspector_in_time_order(repos):
    repos.inspections.add(inspection(2, at=AT + timedelta(hours=1)))
    repos.inspections.add(inspection(1))
    repos.inspections.add(inspection(3, hall="B01", inspector="other"))
    repos.inspections.add(inspection(4, at=datetime(2026, 10, 31, 17, 0, tzinfo=UTC)))  # 11-01 in Shanghai
    assert [i.id for i in repos.inspections.list_by_hall("A01", "2026-11", None, 10).items] == [
        "i-0004",
        "i-0001",
        "i-0002",
    ]
    page = repos.inspections.list_by_inspector("insp", "2026-11", None, 2)
    assert [i.id for i in page.items] == ["i-0004", "i-0001"] and page.next
    rest = repos.inspections.list_by_inspector("insp", "2026-11", page.next, 2)
    assert [i.id for i in rest.items] == ["i-0002"] and rest.next is None
    assert [i.id for i in repos.inspections.list_by_inspector("other", "2026-11", None, 10).items] == ["i-0003"]


def test_leaving_the_scores_takes_the_tallies_away_once(repos):
    stored = inspection(1)
    repos.inspections.add(stored)
    voided = rules.void(stored, "录错", "admin", True, AT).model_copy(update={"revision": 1})
    repos.inspections.save(stored, voided)
    with pytest.raises(Conflict):  # a change over the same revision comes second
        repos.inspections.save(stored, voided)
    assert repos.inspections.get(stored.id) == voided
    assert +repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.inspection)[CLERK] == collections.Counter()
    assert +repos.ratings.tallies_of_kind("A01", "2026-11", StatKind.hall_inspections)[HALL] == collections.Counter()


def test_checklist_versions_stay_readable(repos):
    section = Section(key="greeting", name="迎送客户", items=(Item(key="x1", text="微笑", points=5),))
    two = SERVICE_NORMS.model_copy(update={"version": 2, "sections": (section,)})
    other = two.model_copy(update={"code": "video-review", "version": 1})
    repos.checklists.add(SERVICE_NORMS)
    repos.checklists.add(two)
    repos.checklists.add(other)
    with pytest.raises(Conflict):
        repos.checklists.add(two)
    assert repos.checklists.get("service-norms", 1) == SERVICE_NORMS
    assert repos.checklists.latest("service-norms") == two
    assert repos.checklists.latest("nope") is None and repos.checklists.get("service-norms", 3) is None
    assert repos.checklists.every_latest() == [two, other]


def test_star_rules_and_published_quarters_are_written_once(repos):
    assert repos.star_rules.latest() is None
    newer = DEFAULT_RULES.model_copy(update={"version": 2, "complaint_cap": 1})
    repos.star_rules.add(newer)
    with pytest.raises(Conflict):
        repos.star_rules.add(newer)
    assert repos.star_rules.latest() == newer and repos.star_rules.get(2) == newer and repos.star_rules.get(1) is None

    figures = Figures(ratings=40, satisfied=39, bad_ratings=1, inspections=1, score_sum=9_500)
    row = StarRow(
        quarter="2026Q4", branch="城东", hall_code="A01", hall="A01营业厅", staff_no="A0123", name="张三",
        figures=figures, result=stars(newer, figures),
    )  # fmt: skip
    snapshot = StarSnapshot(
        quarter="2026Q4", version=1, published_at=AT, published_by="admin", rules_version=2, rows=(row,)
    )
    assert repos.star_publications.latest_version("2026Q4") == 0
    repos.star_publications.add(snapshot)
    with pytest.raises(Conflict):
        repos.star_publications.add(snapshot)
    assert repos.star_publications.get("2026Q4", 1) == snapshot
    assert repos.star_publications.latest_version("2026Q4") == 1
    assert repos.star_publications.versions("2026Q4") == [snapshot.publication]
    assert repos.star_publications.get("2026Q3", 1) is None
