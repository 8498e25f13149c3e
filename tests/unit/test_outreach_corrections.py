"""Correcting and deleting 五进 events: what moves on the counters, who may, and what
happens when someone else changed the event first."""

from datetime import date

import pytest
from pydantic import ValidationError

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.outreach import Category, count_changes, edited, event_id_of
from chalicelib.services import organisation, outreach
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.outreach import InMemoryOutreachRepository
from tests.unit.test_outreach import ADMIN, AGENT, MANAGER, record

BOTH = UserPrincipal(username="mb", role=Role.manager, halls=frozenset({"A01", "B02"}))


@pytest.fixture
def clock():
    return FixedClock()  # 2026-11-24 10:00 in Shanghai


@pytest.fixture
def org(clock):
    repo = InMemoryOrganisationRepository()
    for code in ("A01", "B02"):
        organisation.create_hall(ADMIN, repo, clock, code=code, name=f"{code}厅", branch="城东", grade=HallGrade.B)
    return repo


@pytest.fixture
def repo():
    return InMemoryOutreachRepository()


def test_an_edit_moves_only_what_changed_and_a_move_between_halls_moves_everything(org, repo, clock):
    before = record(org, repo, clock)  # community, 40 participants, 12 households, 5 checks, 100 materials
    after = edited(before, {"category": Category.school, "participants": 41}, clock.now(), "root")
    assert count_changes(before, after) == {"A01": {"community": -1, "school": 1, "participants": 1}}
    assert count_changes(before, edited(before, {"title": "新主题"}, clock.now(), "root")) == {}
    moved = edited(before, {"hall_code": "B02"}, clock.now(), "root")
    whole = {"events": 1, "community": 1, "participants": 40, "households_visited": 12, "safety_checks": 5}
    whole["materials"] = 100
    assert count_changes(before, moved) == {"A01": {k: -v for k, v in whole.items()}, "B02": whole}
    assert count_changes(None, before) == {"A01": whole}


def test_an_edit_keeps_the_id_and_the_quarter_and_the_date_inside_it(org, repo, clock):
    before = record(org, repo, clock)
    for refused in ({"quarter": "2026Q3"}, {"event_id": "other"}, {"created_by": "x"}):
        with pytest.raises(ValueError, match="not editable"):
            edited(before, refused, clock.now(), "root")
    with pytest.raises(ValidationError) as e:
        edited(before, {"date": date(2027, 1, 1)}, clock.now(), "root")
    assert [err["loc"] for err in e.value.errors()] == [("date",)]
    after = edited(before, {"notes": "补记"}, clock.now(), "m")
    assert (after.revision, after.updated_by, after.created_by, after.event_id) == (2, "m", "root", before.event_id)


def test_event_ids_are_read_with_or_without_dashes_and_nothing_else_names_one():
    assert event_id_of("6F1C2B1E-8D4A-4C7E-9A51-0B6F4D2C9E11") == "6f1c2b1e8d4a4c7e9a510b6f4d2c9e11"
    assert [event_id_of(x) for x in ("", "2026Q4", "../x", "a" * 100)] == [None] * 4


def test_a_correction_changes_the_quarter_s_counts_and_leaves_published_versions_alone(org, repo, clock):
    before = record(org, repo, clock)
    published = outreach.publish_quarter(ADMIN, org, repo, clock, "2026Q4")
    frozen = repo.snapshots[("2026Q4", 1)]
    after = outreach.edit_event(MANAGER, org, repo, clock, before.event_id, {"category": Category.village})
    assert (after.category, after.updated_by, after.revision) == (Category.village, "m", 2)
    assert (repo.tallies("2026Q4")["A01"].village, repo.tallies("2026Q4")["A01"].community) == (1, 0)
    outreach.delete_event(ADMIN, repo, clock, before.event_id)
    assert repo.tallies("2026Q4")["A01"].events == 0
    assert repo.snapshots[("2026Q4", 1)] == frozen and outreach.published(repo, "2026Q4") == published


def test_only_an_admin_or_a_manager_of_both_halls_corrects_or_deletes(org, repo, clock):
    event = record(org, repo, clock)
    foreign = UserPrincipal(username="f", role=Role.manager, halls=frozenset({"B02"}))
    for outsider in (foreign, AGENT):
        with pytest.raises(Forbidden):
            outreach.edit_event(outsider, org, repo, clock, event.event_id, {"participants": 1})
        with pytest.raises(Forbidden):
            outreach.delete_event(outsider, repo, clock, event.event_id)
    with pytest.raises(Forbidden):
        outreach.edit_event(MANAGER, org, repo, clock, event.event_id, {"hall_code": "B02"})
    assert outreach.edit_event(BOTH, org, repo, clock, event.event_id, {"hall_code": "B02"}).hall_code == "B02"
    with pytest.raises(NotFound) as unknown:
        outreach.edit_event(ADMIN, org, repo, clock, event.event_id, {"hall_code": "Z99"})
    assert unknown.value.fields == {"hall_code": "unknown hall"}
    with pytest.raises(NotFound):
        outreach.edit_event(ADMIN, org, repo, clock, "nope", {"participants": 1})
    with pytest.raises(InvalidInput) as future:
        outreach.edit_event(ADMIN, org, repo, clock, event.event_id, {"date": date(2026, 11, 25)})
    assert future.value.fields == {"date": "in the future"}
    assert repo.tallies("2026Q4")["B02"].participants == 40


class RivalEdits(InMemoryOutreachRepository):
    """Someone else changes the event between our read and our write, ``times`` times."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def replace_event(self, before, after) -> None:
        if self.times:
            self.times -= 1
            rival = edited(before, {"materials": before.materials + 1}, after.created_at, "rival")
            super().replace_event(before, rival)
        super().replace_event(before, after)


def test_an_edit_that_lost_to_another_is_applied_to_what_is_stored_now(org, clock):
    repo = RivalEdits(times=1)
    event = record(org, repo, clock)
    after = outreach.edit_event(ADMIN, org, repo, clock, event.event_id, {"participants": 1})
    assert (after.participants, after.materials, after.revision) == (1, 101, 3)
    assert (repo.tallies("2026Q4")["A01"].participants, repo.tallies("2026Q4")["A01"].materials) == (1, 101)


def test_an_edit_made_from_a_revision_shown_earlier_is_a_conflict_once_it_changed(org, clock):
    repo = RivalEdits(times=1)
    event = record(org, repo, clock)
    with pytest.raises(Conflict):
        outreach.edit_event(ADMIN, org, repo, clock, event.event_id, {"participants": 1}, revision=1)
    assert repo.get_event(event.event_id).participants == 40
    with pytest.raises(Conflict) as stale:
        outreach.edit_event(ADMIN, org, repo, clock, event.event_id, {"participants": 1}, revision=1)
    assert stale.value.fields == {"revision": "changed meanwhile"}
    busy = RivalEdits(times=99)
    record(org, busy, clock, event_id="e1")
    with pytest.raises(Conflict, match="someone else"):
        outreach.edit_event(ADMIN, org, busy, clock, "e1", {"participants": 1})


def test_a_deleted_event_is_gone_and_its_id_is_never_recorded_again(org, repo, clock):
    event = record(org, repo, clock, event_id="e1")
    assert outreach.delete_event(MANAGER, repo, clock, "e1") == event
    assert repo.deleted["e1"] == ("m", clock.now())
    with pytest.raises(NotFound):
        outreach.delete_event(ADMIN, repo, clock, "e1")
    with pytest.raises(Conflict, match="deleted"):
        record(org, repo, clock, event_id="e1")
    assert repo.tallies("2026Q4")["A01"].events == 0


def test_a_retried_form_finds_its_event_after_it_moved_to_another_of_the_actor_s_halls(org, repo, clock):
    record(org, repo, clock, actor=BOTH, event_id="e1")
    outreach.edit_event(BOTH, org, repo, clock, "e1", {"hall_code": "B02"})
    again = outreach.record_event(
        BOTH, org, repo, clock, quarter="2026Q4", hall_code="A01", category=Category.community,
        date=date(2026, 11, 3), place="x", title="y", event_id="e1",
    )  # fmt: skip
    assert (again.created, again.event.hall_code) == (False, "B02")
    assert outreach.recorded_with(BOTH, repo, "e1") == again.event
    assert outreach.recorded_with(MANAGER, repo, "e1") is None  # not their hall: not shown
    with pytest.raises(Conflict):
        record(org, repo, clock, actor=MANAGER, event_id="e1")
