"""The stars service with in-memory fakes: a hall's board read from tallies only (ratings,
inspections, verified complaints of the quarter's months), who reads it, and publishing."""

from __future__ import annotations

import collections
from datetime import UTC, datetime

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.organisation import Hall, Staff
from chalicelib.domain.stars import DEFAULT_THRESHOLDS
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.services import stars
from tests.fakes.clock import FixedClock
from tests.fakes.inspections import InMemoryStarPublications, InMemoryStarRuleRepository
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository

NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
ADMIN = UserPrincipal(username="admin", role=Role.admin)
MANAGER = UserPrincipal(username="mgr", role=Role.manager, halls=frozenset({"A01"}))
INSPECTOR = UserPrincipal(username="insp", role=Role.inspector)


@pytest.fixture
def world():
    org = InMemoryOrganisationRepository()
    for code in ("A01", "B01"):
        org.add_hall(Hall(code=code, name=f"{code}营业厅", branch="城东", grade="A", created_at=NOW))
    org.add_staff(Staff(staff_no="A0123", name="张三", hall_code="A01", created_at=NOW))
    org.add_staff(Staff(staff_no="A0456", name="李四", hall_code="A01", created_at=NOW))
    tallies = InMemoryRatingRepository()
    add = lambda month, kind, staff, **n: tallies.tallies.setdefault(  # noqa: E731
        StatKey("A01", month, kind, staff, None), collections.Counter()
    ).update(n)
    add("2026-10", StatKind.staff, "A0123", n5=300, n4=50, n2=2, score=1754)
    add("2026-11", StatKind.staff, "A0123", n5=200, n1=1, score=1001)
    add(
        "2026-12",
        StatKind.inspection,
        "A0123",
        inspections=2,
        score_sum=19_000,
        passed_acceptance=18,
        checked_acceptance=20,
    )
    add("2026-09", StatKind.staff, "A0123", n1=50, score=50)  # the quarter before: not counted
    add("2026-11", StatKind.verified_complaint, "A0456", complaints=1)
    return org, tallies, InMemoryStarRuleRepository(), InMemoryStarPublications(), FixedClock(NOW)


def test_the_board_reads_the_quarters_tallies(world):
    org, tallies, rules, _, _ = world
    board = stars.live_board(MANAGER, org, tallies, rules, quarter="2026Q4", hall_code="A01")
    rows = {r.staff_no: r for r in board.rows}
    zhang = rows["A0123"].figures
    assert (zhang.ratings, zhang.satisfied, zhang.bad_ratings, zhang.inspections) == (553, 550, 3, 2)
    assert (zhang.inspection_score, zhang.section_score) == (95.0, 90.0)
    # 3 差评 pass level 4 (at most 3), not 5 (at most 1); the sections score 90 passes level 4, not 5
    assert rows["A0123"].result.service_star == 4 and rows["A0123"].result.business_star == 4
    assert rows["A0456"].figures.verified_complaints == 1 and rows["A0456"].result.service_star == 0
    assert stars.verified_complaints(tallies, "A01", stars.quarter_months("2026Q4")) == {"A0456": 1}
    with pytest.raises(Forbidden):
        stars.live_board(MANAGER, org, tallies, rules, quarter="2026Q4", hall_code="B01")
    with pytest.raises(Forbidden):
        stars.live_board(INSPECTOR, org, tallies, rules, quarter="2026Q4", hall_code=None)


def test_publishing_freezes_the_rows_and_the_rules_version(world):
    org, tallies, rules, repo, clock = world
    stars.set_rules(ADMIN, rules, clock, DEFAULT_THRESHOLDS.model_copy(update={"complaint_cap": 1}))
    first = stars.publish(ADMIN, org, tallies, rules, repo, clock, quarter="2026Q4")
    assert (first.version, first.rules_version) == (1, 2)
    tallies.tallies[StatKey("A01", "2026-12", StatKind.staff, "A0123", None)] = collections.Counter(n1=500, score=500)
    frozen = stars.published_board(MANAGER, org, rules, repo, quarter="2026Q4", version="latest", hall_code=None)
    live = stars.live_board(MANAGER, org, tallies, rules, quarter="2026Q4", hall_code="A01")
    assert [r.result.service_star for r in frozen.rows if r.staff_no == "A0123"] == [4]
    assert [r.result.service_star for r in live.rows if r.staff_no == "A0123"] == [0]
    assert stars.publish(ADMIN, org, tallies, rules, repo, clock, quarter="2026Q4").version == 2
    with pytest.raises(NotFound):
        stars.published_board(MANAGER, org, rules, repo, quarter="2026Q3", version="latest", hall_code=None)
    with pytest.raises(InvalidInput):
        stars.publish(ADMIN, org, tallies, rules, repo, clock, quarter="2027Q1")
    with pytest.raises(Forbidden):
        stars.publish(MANAGER, org, tallies, rules, repo, clock, quarter="2026Q4")
