from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.outreach import (
    Category,
    OutreachEvent,
    Snapshot,
    coverage,
    quarter_bounds,
    quarter_of,
)
from chalicelib.services import organisation, outreach
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.outreach import InMemoryOutreachRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
AGENT = UserPrincipal(username="a", role=Role.agent, halls=frozenset({"A01"}))


@pytest.fixture
def clock():
    return FixedClock()  # 2026-11-24 10:00 in Shanghai


@pytest.fixture
def org(clock):
    repo = InMemoryOrganisationRepository()
    for code in ("A01", "B02", "C03"):
        organisation.create_hall(ADMIN, repo, clock, code=code, name=f"{code}厅", branch="城东", grade=HallGrade.B)
    return repo


@pytest.fixture
def repo():
    return InMemoryOutreachRepository()


def record(org, repo, clock, actor=ADMIN, **overrides):
    fields = {
        "quarter": "2026Q4",
        "hall_code": "A01",
        "category": Category.community,
        "date": date(2026, 11, 3),
        "place": "幸福社区",
        "title": "安全用电进社区",
        "participants": 40,
        "households_visited": 12,
        "safety_checks": 5,
        "materials": 100,
    } | overrides
    return outreach.record_event(actor, org, repo, clock, **fields).event


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarter_bounds_cover_whole_months(quarter, first, last):
    assert quarter_bounds(quarter) == (first, last)
    assert quarter_of(first) == quarter_of(last) == quarter


def test_the_business_day_is_shanghai_s_not_utc():
    assert today_in_shanghai(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == date(2027, 1, 1)


def test_an_event_dated_outside_its_quarter_names_the_date():
    with pytest.raises(ValidationError) as e:
        OutreachEvent(
            event_id="e1",
            quarter="2026Q4",
            hall_code="A01",
            category="school",
            date=date(2026, 9, 30),
            place="x",
            title="y",
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
            created_by="root",
        )
    assert [err["loc"] for err in e.value.errors()] == [("date",)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quarter", "2026Q5"),
        ("quarter", "26Q4"),
        ("category", "factory"),
        ("participants", -1),
        ("safety_checks", 1.5),
        ("materials", "7"),
        ("title", "   "),
        ("photos", ("/etc/passwd",)),
        ("photos", ("a/../b.jpg",)),
        ("photos", ("a b.jpg",)),
    ],
)
def test_bad_event_fields_are_refused_by_name(field, value):
    values = {
        "event_id": "e1",
        "quarter": "2026Q4",
        "hall_code": "A01",
        "category": "school",
        "date": date(2026, 11, 2),
        "place": "x",
        "title": "y",
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
        "created_by": "root",
    } | {field: value}
    with pytest.raises(ValidationError) as e:
        OutreachEvent(**values)
    assert field in {err["loc"][0] for err in e.value.errors()}


def test_photo_references_are_plain_s3_keys():
    ok = OutreachEvent(
        event_id="e1",
        quarter="2026Q4",
        hall_code="A01",
        category="school",
        date=date(2026, 11, 2),
        place="x",
        title="y",
        photos=("outreach/2026Q4/A01/IMG_0001.jpg",),
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        created_by="root",
    )
    assert ok.photos == ("outreach/2026Q4/A01/IMG_0001.jpg",)


def test_an_event_feeds_its_hall_s_counters(org, repo, clock):
    record(org, repo, clock)
    record(org, repo, clock, category=Category.school, participants=10, households_visited=0)
    tally = repo.tallies("2026Q4")["A01"]
    assert (tally.events, tally.community, tally.school, tally.enterprise) == (2, 1, 1, 0)
    assert (tally.participants, tally.households_visited, tally.safety_checks, tally.materials) == (50, 12, 10, 200)
    assert repo.tallies("2026Q3") == {}


def test_a_manager_records_only_for_their_halls_and_an_agent_not_at_all(org, repo, clock):
    assert record(org, repo, clock, actor=MANAGER).created_by == "m"
    with pytest.raises(Forbidden):
        record(org, repo, clock, actor=MANAGER, hall_code="B02")
    with pytest.raises(Forbidden):
        record(org, repo, clock, actor=AGENT)
    assert len(repo.events) == 1


def test_an_unknown_hall_or_a_future_date_stores_nothing(org, repo, clock):
    with pytest.raises(NotFound) as unknown:
        record(org, repo, clock, hall_code="Z99")
    assert unknown.value.fields == {"hall_code": "unknown hall"}
    with pytest.raises(InvalidInput) as future:
        record(org, repo, clock, date=date(2026, 11, 25))
    assert future.value.fields == {"date": "in the future"}
    assert repo.events == {} and repo.counters == {}


def test_coverage_lists_every_hall_and_flags_those_without_events(org, repo, clock):
    record(org, repo, clock)
    record(org, repo, clock, hall_code="C03", category=Category.village)
    cov = outreach.quarter_coverage(ADMIN, org, repo, "2026Q4")
    assert [(r.hall_code, r.events, r.covered) for r in cov.rows] == [
        ("A01", 1, True),
        ("B02", 0, False),
        ("C03", 1, True),
    ]
    assert (cov.totals.halls, cov.totals.covered_halls, cov.totals.events, cov.totals.village) == (3, 2, 2, 1)
    mine = outreach.quarter_coverage(MANAGER, org, repo, "2026Q4")
    assert [r.hall_code for r in mine.rows] == ["A01"]
    with pytest.raises(Forbidden):
        outreach.quarter_coverage(AGENT, org, repo, "2026Q4")


def test_halls_without_events_are_those_still_to_hold_one(org, repo, clock):
    assert [h.code for h in outreach.halls_without_events(org, repo, "2026Q4")] == ["A01", "B02", "C03"]
    record(org, repo, clock, hall_code="B02")
    assert [h.code for h in outreach.halls_without_events(org, repo, "2026Q4")] == ["A01", "C03"]
    assert len(outreach.halls_without_events(org, repo, "2026Q3")) == 3


def test_halls_without_events_pages_through_every_hall(repo, clock):
    org = InMemoryOrganisationRepository()
    for i in range(205):  # more than one page of the hall listing
        organisation.create_hall(ADMIN, org, clock, code=f"H{i:03d}", name="厅", branch="城东", grade=HallGrade.C)
    record(org, repo, clock, hall_code="H204")
    missing = outreach.halls_without_events(org, repo, "2026Q4")
    assert len(missing) == 204 and "H204" not in {h.code for h in missing}


def test_publishing_freezes_a_version_and_the_next_publication_adds_one(org, repo, clock):
    record(org, repo, clock)
    first = outreach.publish_quarter(ADMIN, org, repo, clock, "2026Q4")
    stored_v1 = repo.snapshots[("2026Q4", 1)]
    record(org, repo, clock, hall_code="B02", title="第二场")
    clock.advance(days=1)
    second = outreach.publish_quarter(ADMIN, org, repo, clock, "2026Q4")
    assert (first.version, second.version) == (1, 2)
    assert repo.snapshots[("2026Q4", 1)] == stored_v1
    assert outreach.published(repo, "2026Q4") == second
    assert outreach.published(repo, "2026Q4", 1) == first
    assert first.coverage.totals.events == 1 and second.coverage.totals.events == 2
    assert [e.title for e in second.events] == ["安全用电进社区", "第二场"]


def test_only_an_admin_publishes_and_only_a_quarter_that_has_started(org, repo, clock):
    with pytest.raises(Forbidden):
        outreach.publish_quarter(MANAGER, org, repo, clock, "2026Q4")
    with pytest.raises(InvalidInput) as e:
        outreach.publish_quarter(ADMIN, org, repo, clock, "2027Q1")
    assert e.value.fields == {"quarter": "a quarter that has started"}
    assert repo.snapshots == {}


def test_nothing_is_published_before_the_first_publication_or_for_an_unknown_version(org, repo, clock):
    with pytest.raises(NotFound):
        outreach.published(repo, "2026Q4")
    outreach.publish_quarter(ADMIN, org, repo, clock, "2026Q4")
    with pytest.raises(NotFound) as e:
        outreach.published(repo, "2026Q4", 2)
    assert e.value.fields == {"version": "unknown version"}


class RacedRepository(InMemoryOutreachRepository):
    """Another admin publishes the same next version between our read and our write."""

    def __init__(self, rival_snapshot_of) -> None:
        super().__init__()
        self.rival_snapshot_of = rival_snapshot_of
        self.raced = False

    def latest_version(self, quarter: str) -> int:
        seen = super().latest_version(quarter)
        if not self.raced:
            self.raced = True
            super().add_snapshot(self.rival_snapshot_of(quarter, seen + 1))
        return seen


def test_a_publication_that_loses_the_race_for_a_version_takes_the_next(org, clock):
    def rival(quarter, version):
        return Snapshot(
            quarter=quarter,
            version=version,
            published_at=clock.now(),
            published_by="other-admin",
            coverage=coverage(quarter, [], {}),
        )

    repo = RacedRepository(rival)
    mine = outreach.publish_quarter(ADMIN, org, repo, clock, "2026Q4")
    assert mine.version == 2
    assert repo.get_snapshot("2026Q4", 1).published_by == "other-admin"


def test_publishing_gives_up_with_a_conflict_when_every_version_it_tries_is_taken(org, clock):
    class AlwaysTaken(InMemoryOutreachRepository):
        def add_snapshot(self, snapshot):
            raise Conflict("taken")

    with pytest.raises(Conflict):
        outreach.publish_quarter(ADMIN, org, AlwaysTaken(), clock, "2026Q4")


def test_a_retried_event_with_the_same_id_is_recorded_once(org, repo, clock):
    first = outreach.record_event(
        ADMIN,
        org,
        repo,
        clock,
        quarter="2026Q4",
        hall_code="A01",
        category=Category.community,
        date=date(2026, 11, 3),
        place="幸福社区",
        title="安全用电进社区",
        event_id="e1",
    )
    again = outreach.record_event(
        ADMIN,
        org,
        repo,
        clock,
        quarter="2026Q4",
        hall_code="A01",
        category=Category.community,
        date=date(2026, 11, 4),
        place="幸福社区",
        title="安全用电进社区",
        event_id="e1",
    )
    assert (first.created, again.created) == (True, False)
    assert again.event == first.event
    assert repo.tallies("2026Q4")["A01"].events == 1


def test_two_weeks_before_quarter_end_halls_without_events_are_reminded_once(org, repo, clock):
    from datetime import UTC, datetime

    from tests.fakes.callbacks import InMemoryOutbox

    record(org, repo, clock)  # A01 held an event in 2026Q4
    outbox = InMemoryOutbox()
    clock.current = datetime(2026, 12, 17, 1, 0, tzinfo=UTC)  # 09:00 on 17 December in Shanghai: 14 days left
    assert outreach.remind_halls_without_events(org, repo, outbox, clock) == len(org.halls) - 1
    assert "A01" not in {n.hall_code for n in outbox.sent.values()}
    assert outreach.remind_halls_without_events(org, repo, outbox, clock) == 0  # once
    clock.current = datetime(2026, 12, 18, 1, 0, tzinfo=UTC)
    assert outreach.remind_halls_without_events(org, repo, InMemoryOutbox(), clock) == 0  # only that day
