"""Correcting and deleting 五进 events, on every repository: the counters move with the
event in the same write, only from the revision stored, and a deleted id stays taken."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain.errors import Conflict
from chalicelib.domain.outreach import HallTally, OutreachEvent, edited
from tests.contract.test_outreach_repository import event
from tests.fakes.outreach import InMemoryOutreachRepository

LATER = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def change(before: OutreachEvent, **changes) -> OutreachEvent:
    return edited(before, changes, LATER, "editor")


def test_a_correction_moves_the_hall_s_counters_by_the_difference(repos):
    stored = event("e1", participants=40, households_visited=12, materials=100)
    repos.outreach.add_event(stored)
    repos.outreach.add_event(event("e2", category="school", participants=5))
    after = change(stored, category="village", participants=30, materials=0, title="改过")
    repos.outreach.replace_event(stored, after)
    assert repos.outreach.tallies("2026Q4")["A01"] == HallTally(
        hall_code="A01", events=2, village=1, school=1, participants=35, households_visited=12
    )
    assert repos.outreach.get_event("e1") == after
    assert [e.title for e in repos.outreach.list_events("2026Q4", "A01", None, 50).items] == ["改过", "活动 e2"]


def test_moving_an_event_to_another_hall_and_day_moves_its_counts_and_its_place(repos):
    stored = event("e1", day=3, participants=40)
    repos.outreach.add_event(stored)
    moved = change(stored, hall_code="B02", date=date(2026, 12, 1))
    repos.outreach.replace_event(stored, moved)
    tallies = repos.outreach.tallies("2026Q4")
    assert tallies["A01"] == HallTally(hall_code="A01")  # kept, at zero
    assert tallies["B02"] == HallTally(hall_code="B02", events=1, community=1, participants=40)
    assert repos.outreach.list_events("2026Q4", "A01", None, 50).items == []
    assert repos.outreach.list_events("2026Q4", "B02", None, 50).items == [moved]
    assert repos.outreach.quarter_events("2026Q4") == [moved]
    assert repos.outreach.get_event("e1") == moved
    back = change(moved, hall_code="A01", date=date(2026, 10, 2))
    repos.outreach.replace_event(moved, back)  # the moved item and its guard follow again
    assert repos.outreach.get_event("e1") == back and back.revision == 3
    assert repos.outreach.tallies("2026Q4")["A01"].participants == 40


def test_a_change_from_a_stale_revision_is_a_conflict_and_writes_nothing(repos):
    stored = event("e1", participants=40)
    repos.outreach.add_event(stored)
    first = change(stored, participants=10)
    repos.outreach.replace_event(stored, first)
    for late in (change(stored, participants=99), change(stored, hall_code="B02", date=date(2026, 12, 1))):
        with pytest.raises(Conflict):
            repos.outreach.replace_event(stored, late)
    with pytest.raises(Conflict):
        repos.outreach.delete_event(stored, "editor", LATER)
    assert repos.outreach.get_event("e1") == first
    assert set(repos.outreach.tallies("2026Q4")) == {"A01"}
    assert repos.outreach.tallies("2026Q4")["A01"].participants == 10


def test_deleting_takes_the_event_off_its_counters_and_its_id_stays_taken(repos):
    stored = event("e1", participants=40, safety_checks=3)
    repos.outreach.add_event(stored)
    repos.outreach.add_event(event("e2", category="school", participants=5))
    repos.outreach.delete_event(stored, "editor", LATER)
    assert repos.outreach.tallies("2026Q4")["A01"] == HallTally(hall_code="A01", events=1, school=1, participants=5)
    assert repos.outreach.get_event("e1") is None
    assert [e.event_id for e in repos.outreach.quarter_events("2026Q4")] == ["e2"]
    with pytest.raises(Conflict):
        repos.outreach.add_event(stored)  # a late retry of its POST records nothing
    with pytest.raises(Conflict):
        repos.outreach.delete_event(stored, "editor", LATER)
    with pytest.raises(Conflict):
        repos.outreach.replace_event(stored, change(stored, title="x"))
    assert repos.outreach.tallies("2026Q4")["A01"].events == 1


def test_concurrent_corrections_of_one_event_count_once(repos):
    if isinstance(repos.outreach, InMemoryOutreachRepository):
        pytest.skip("concurrency is DynamoDB's: the fake is single-threaded")
    stored = event("e1", participants=40)
    repos.outreach.add_event(stored)
    barrier = threading.Barrier(6)

    def correct(worker: int) -> bool:
        after = change(stored, participants=worker, hall_code="B02" if worker % 2 else "A01")
        barrier.wait()
        try:
            repos.outreach.replace_event(stored, after)
        except Conflict:
            return False
        return True

    with ThreadPoolExecutor(6) as pool:
        won = [w for w, ok in zip(range(6), pool.map(correct, range(6)), strict=True) if ok]
    assert len(won) == 1
    tallies = repos.outreach.tallies("2026Q4")
    assert sum(t.events for t in tallies.values()) == 1
    assert sum(t.participants for t in tallies.values()) == won[0]
    assert repos.outreach.get_event("e1").participants == won[0]


def test_an_event_stored_before_revisions_is_corrected_as_revision_one(repos):
    if isinstance(repos.outreach, InMemoryOutreachRepository):
        pytest.skip("only DynamoDB holds items written before revisions existed")
    stored = event("e1", participants=40)
    repos.outreach.add_event(stored)
    pk, sk = keys.outreach_event("2026Q4", "A01", "2026-11-03", "e1")
    table = repos.outreach.table
    table.client.update_item(
        TableName=table.name, Key={"pk": {"S": pk}, "sk": {"S": sk}}, UpdateExpression="REMOVE revision"
    )
    assert repos.outreach.get_event("e1") == stored  # reads as revision 1
    after = change(stored, participants=1)
    repos.outreach.replace_event(stored, after)
    with pytest.raises(Conflict):
        repos.outreach.replace_event(stored, change(stored, participants=2))
    assert repos.outreach.tallies("2026Q4")["A01"].participants == 1
