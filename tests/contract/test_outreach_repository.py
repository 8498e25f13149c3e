import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.outreach import Category, HallTally, OutreachEvent, PublishedEvent, Snapshot, coverage
from chalicelib.services import outreach
from tests.fakes.clock import FixedClock
from tests.fakes.outreach import InMemoryOutreachRepository

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def event(event_id: str, hall: str = "A01", day: int = 3, category: str = "community", **more) -> OutreachEvent:
    return OutreachEvent(
        event_id=event_id,
        quarter="2026Q4",
        hall_code=hall,
        category=category,
        date=date(2026, 11, day),
        place="幸福社区",
        title=f"活动 {event_id}",
        created_at=NOW,
        created_by="root",
        **more,
    )


def snapshot(version: int, by: str = "root") -> Snapshot:
    return Snapshot(
        quarter="2026Q4",
        version=version,
        published_at=NOW,
        published_by=by,
        coverage=coverage("2026Q4", [], {}),
        events=(
            PublishedEvent(
                hall_code="A01",
                category=Category.school,
                date=date(2026, 11, 3),
                place="一中",
                title="讲座",
                participants=9,
            ),
        ),
    )


def test_an_event_reads_back_equal_with_its_photos(repos):
    stored = event("e1", photos=("outreach/A01/1.jpg", "outreach/A01/2.jpg"), notes="带去宣传册", materials=30)
    repos.outreach.add_event(stored)
    assert repos.outreach.list_events("2026Q4", "A01", None, 50).items == [stored]
    bare = event("e2", hall="B02")
    repos.outreach.add_event(bare)
    assert repos.outreach.list_events("2026Q4", "B02", None, 50).items == [bare]


def test_each_event_adds_to_its_hall_s_counters_once(repos):
    repos.outreach.add_event(event("e1", participants=40, households_visited=12, safety_checks=5, materials=100))
    repos.outreach.add_event(event("e2", category="school", participants=10))
    repos.outreach.add_event(event("e3", hall="B02", category="village"))
    with pytest.raises(Conflict):
        repos.outreach.add_event(event("e1", participants=999))
    tallies = repos.outreach.tallies("2026Q4")
    assert tallies["A01"] == HallTally(
        hall_code="A01",
        events=2,
        community=1,
        school=1,
        participants=50,
        households_visited=12,
        safety_checks=5,
        materials=100,
    )
    assert tallies["B02"] == HallTally(hall_code="B02", events=1, village=1)
    assert set(tallies) == {"A01", "B02"}
    assert repos.outreach.tallies("2026Q3") == {}


def test_a_hall_s_events_page_by_date_and_stay_in_their_quarter_and_hall(repos):
    for event_id, day in (("c", 20), ("a", 1), ("b", 9)):
        repos.outreach.add_event(event(event_id, day=day))
    repos.outreach.add_event(event("other-hall", hall="B02"))
    first = repos.outreach.list_events("2026Q4", "A01", None, 2)
    assert [e.event_id for e in first.items] == ["a", "b"] and first.next
    rest = repos.outreach.list_events("2026Q4", "A01", first.next, 2)
    assert [e.event_id for e in rest.items] == ["c"]
    assert repos.outreach.list_events("2026Q3", "A01", None, 50).items == []
    with pytest.raises(InvalidInput):
        repos.outreach.list_events("2026Q4", "A01", "garbage", 2)


def test_a_quarter_s_events_list_by_hall_then_date(repos):
    repos.outreach.add_event(event("x", hall="B02", day=1))
    repos.outreach.add_event(event("y", hall="A01", day=9))
    repos.outreach.add_event(event("z", hall="A01", day=2))
    assert [e.event_id for e in repos.outreach.quarter_events("2026Q4")] == ["z", "y", "x"]
    assert repos.outreach.quarter_events("2027Q1") == []


def test_snapshot_versions_are_taken_once_and_read_back_equal(repos):
    assert repos.outreach.latest_version("2026Q4") == 0
    assert repos.outreach.get_snapshot("2026Q4", 1) is None
    repos.outreach.add_snapshot(snapshot(1))
    with pytest.raises(Conflict):
        repos.outreach.add_snapshot(snapshot(1, by="someone-else"))
    assert repos.outreach.get_snapshot("2026Q4", 1) == snapshot(1)
    for v in range(2, 12):  # past 9: versions must order as numbers, not text
        repos.outreach.add_snapshot(snapshot(v))
    assert repos.outreach.latest_version("2026Q4") == 11
    assert repos.outreach.get_snapshot("2026Q4", 1).published_by == "root"
    assert repos.outreach.latest_version("2026Q3") == 0


def test_snapshots_and_counters_of_one_quarter_do_not_mix(repos):
    repos.outreach.add_snapshot(snapshot(1))
    repos.outreach.add_event(event("e1"))
    assert set(repos.outreach.tallies("2026Q4")) == {"A01"}
    assert repos.outreach.latest_version("2026Q4") == 1


def test_concurrent_events_of_one_hall_are_all_counted(repos):
    if isinstance(repos.outreach, InMemoryOutreachRepository):
        pytest.skip("concurrency is DynamoDB's: the fake is single-threaded")
    barrier = threading.Barrier(6)

    def add(worker: int) -> None:
        barrier.wait()
        for n in range(3):
            repos.outreach.add_event(event(f"w{worker}-{n}", participants=1))

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(add, range(6)))
    tally = repos.outreach.tallies("2026Q4")["A01"]
    assert (tally.events, tally.community, tally.participants) == (18, 18, 18)


def test_two_admins_publishing_at_once_get_two_versions(repos):
    clock = FixedClock()
    repos.organisation.add_hall(Hall(code="A01", name="A01厅", branch="城东", grade=HallGrade.A, created_at=NOW))
    barrier = threading.Barrier(2)
    admins = [UserPrincipal(username=name, role=Role.admin) for name in ("alice", "bob")]

    def publish(actor: UserPrincipal) -> int:
        barrier.wait()
        return outreach.publish_quarter(actor, repos.organisation, repos.outreach, clock, "2026Q4").version

    with ThreadPoolExecutor(2) as pool:
        versions = sorted(pool.map(publish, admins))
    assert versions == [1, 2]
    publishers = {repos.outreach.get_snapshot("2026Q4", v).published_by for v in versions}
    assert publishers == {"alice", "bob"}


def test_an_event_id_is_taken_once_whatever_the_date_and_finds_its_event(repos):
    repos.outreach.add_event(event("e1", day=3))
    with pytest.raises(Conflict):
        repos.outreach.add_event(event("e1", day=9))
    assert repos.outreach.get_event("e1") == event("e1", day=3)
    assert repos.outreach.get_event("nope") is None
    assert repos.outreach.tallies("2026Q4")["A01"].events == 1
