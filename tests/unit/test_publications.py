"""Month publication over the in-memory fakes: a version freezes every hall's and clerk's
rows, answers the same bytes for ever, and is read with the report's own rights."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.publications import LATEST, MonthSnapshot, freeze_staff, same_rows, thaw_staff
from chalicelib.domain.reports import FIRST_HALL_COLUMNS, HALL_COLUMNS
from chalicelib.services import exports, publications, reports
from tests.fakes.clock import FixedClock
from tests.fakes.publications import InMemoryMonthPublications
from tests.fakes.ratings import InMemoryRatingRepository
from tests.unit.test_reports import ADMIN, AGENT, MANAGER, CountingRatings, build_org, rating

DECEMBER = datetime(2026, 12, 1, 2, tzinfo=UTC)  # 10:00 on 1 December in Shanghai


@pytest.fixture
def world():
    org, tallies, repo = build_org(), InMemoryRatingRepository(), InMemoryMonthPublications()
    tallies.save_batch(
        [rating(i, staff_no="S1") for i in range(3)]
        + [rating(10 + i, staff_no="S2", level=2) for i in range(2)]
        + [rating(20, hall_code="B02", staff_no="S3", level=4)]
        + [rating(30, hall_code="C03", staff_no="S4", level=1)]
    )
    return org, tallies, repo, FixedClock(DECEMBER)


def publish(world, month: str = "2026-11", by=ADMIN, min_ratings: int = 1) -> MonthSnapshot:
    org, tallies, repo, clock = world
    return publications.publish_month(by, org, tallies, repo, clock, month=month, min_ratings=min_ratings)


def files(world, actor=ADMIN, version=LATEST, **query) -> tuple[str, str]:
    _, _, repo, _ = world
    query = {"hall": None, "branch": None, "by_branch": False} | query
    staff = exports.published_staff_monthly_csv(actor, repo, month="2026-11", version=version, lang="zh", **query)
    halls = exports.published_hall_monthly_csv(
        actor, repo, month="2026-11", version=version, hall=query["hall"], lang="zh"
    )
    return staff.text, halls.text


def test_a_version_freezes_every_halls_row_and_every_ranking_as_the_live_report_had_them(world):
    org, tallies, _, _ = world
    snapshot = publish(world)
    assert (snapshot.version, snapshot.published_by, snapshot.published_at) == (1, "root", DECEMBER)
    live = reports.staff_monthly(ADMIN, org, tallies, month="2026-11", min_ratings=1)
    frozen = publications.published_staff(ADMIN, snapshot, hall=None, branch=None, by_branch=False)
    assert frozen == live
    by_branch = reports.staff_monthly(ADMIN, org, tallies, month="2026-11", by_branch=True, min_ratings=1)
    assert publications.published_staff(ADMIN, snapshot, hall=None, branch=None, by_branch=True) == by_branch
    assert publications.published_halls(ADMIN, snapshot, hall=None) == reports.hall_monthly(
        ADMIN, org, tallies, month="2026-11"
    )


def test_the_same_query_on_a_version_answers_the_same_bytes_after_the_numbers_move(world):
    org, tallies, repo, clock = world
    publish(world)
    before = files(world), files(world, version=1, hall="A01"), files(world, by_branch=True, branch="城东分中心")
    tallies.save_batch([rating(40 + i, staff_no="S1", level=1) for i in range(5)])  # a late batch
    clock.advance(days=3)  # and another day: the file's name keeps the day it was published
    after = files(world), files(world, version=1, hall="A01"), files(world, by_branch=True, branch="城东分中心")
    assert after == before
    name = exports.published_staff_monthly_csv(
        ADMIN, repo, month="2026-11", version=1, hall="A01", branch=None, by_branch=False, lang="en"
    ).name
    assert name == "staff-monthly-2026-11-A01-v1-20261201.csv"
    live = exports.staff_monthly_csv(
        ADMIN, org, tallies, clock, month="2026-11", hall="A01", branch=None, by_branch=False, min_ratings=1, lang="zh"
    )
    assert live.text != before[1][0]


def test_publishing_again_makes_the_next_version_and_keeps_the_earlier_ones(world):
    _, tallies, repo, _ = world
    first = publish(world)
    tallies.save_batch([rating(50, staff_no="S2", level=5)])
    second = publish(world)
    assert (first.version, second.version) == (1, 2)
    assert [p.version for p in publications.versions(ADMIN, repo, "2026-11")] == [1, 2]
    assert publications.published_month(ADMIN, repo, "2026-11", 1) == first
    assert publications.published_month(ADMIN, repo, "2026-11", LATEST) == second
    assert files(world, version=1) != files(world, version=2) == files(world)


def test_latest_before_any_publication_and_an_unknown_version_are_not_found(world):
    repo = world[2]
    with pytest.raises(NotFound) as e:
        publications.published_month(ADMIN, repo, "2026-11", LATEST)
    assert "version" in e.value.fields
    publish(world)
    with pytest.raises(NotFound):
        publications.published_month(ADMIN, repo, "2026-11", 2)
    with pytest.raises(NotFound):
        publications.published_month(ADMIN, repo, "2026-10", LATEST)


def test_only_admins_publish_and_only_a_month_that_has_started(world):
    with pytest.raises(Forbidden):
        publish(world, by=MANAGER)
    with pytest.raises(InvalidInput) as e:
        publish(world, month="2027-01")
    assert "month" in e.value.fields
    assert publish(world, month="2026-12").version == 1  # the month under way may be published


def test_managers_read_their_halls_rows_of_a_version_and_agents_none(world):
    snapshot = publish(world)
    rows = publications.published_staff(MANAGER, snapshot, hall=None, branch=None, by_branch=False).rows
    assert {r.hall.code for r in rows} == {"A01"}
    assert [r.hall.code for r in publications.published_halls(MANAGER, snapshot, hall=None)] == ["A01"]
    with pytest.raises(Forbidden):
        publications.published_halls(MANAGER, snapshot, hall="B02")
    with pytest.raises(Forbidden):  # 城东分中心 holds B02 too
        publications.published_staff(MANAGER, snapshot, hall=None, branch=None, by_branch=True)
    with pytest.raises(Forbidden):
        publications.published_month(AGENT, world[2], "2026-11", LATEST)
    with pytest.raises(NotFound):
        publications.published_halls(ADMIN, snapshot, hall="Z99")


def test_the_status_says_when_the_live_rows_shown_differ_from_the_latest_version(world):
    org, tallies, repo, _ = world

    def status(hall: str | None = None) -> publications.MonthStatus:
        live = reports.staff_monthly(ADMIN, org, tallies, month="2026-11", hall=hall, min_ratings=1)
        return publications.month_status(ADMIN, org, tallies, repo, live=live, hall=hall)

    assert status() == publications.MonthStatus([], None)
    publish(world)
    assert status().differs is False
    tallies.save_batch([rating(60, hall_code="C03", staff_no="S4", level=5)])
    assert status().differs is True
    assert status("A01").differs is False  # what the page shows has not moved
    publish(world)
    assert status().differs is False and [v.version for v in status().versions] == [1, 2]


def test_two_admins_publishing_at_once_get_two_versions():
    org, tallies, repo = build_org(), InMemoryRatingRepository(), InMemoryMonthPublications()

    class Racing(InMemoryMonthPublications):
        """Another admin's version 1 lands between our read of the latest and our write."""

        def latest_version(self, month: str) -> int:
            latest = repo.latest_version(month)
            if latest == 0:
                publications.publish_month(ADMIN, org, tallies, repo, FixedClock(DECEMBER), month=month, min_ratings=1)
            return latest

        def add(self, snapshot: MonthSnapshot) -> None:
            repo.add(snapshot)

    mine = publications.publish_month(
        ADMIN, org, tallies, Racing(), FixedClock(DECEMBER), month="2026-11", min_ratings=1
    )
    assert mine.version == 2 and repo.latest_version("2026-11") == 2


def test_a_version_taken_three_times_over_is_a_conflict(world):
    class AlwaysTaken(InMemoryMonthPublications):
        def add(self, snapshot: MonthSnapshot) -> None:
            raise Conflict("taken")

    org, tallies, _, clock = world
    with pytest.raises(Conflict):
        publications.publish_month(ADMIN, org, tallies, AlwaysTaken(), clock, month="2026-11", min_ratings=1)


def test_frozen_rows_thaw_to_the_rows_they_froze(world):
    org, tallies, _, _ = world
    rows = reports.staff_monthly(ADMIN, org, tallies, month="2026-11", min_ratings=1).rows
    halls = {r.hall.code: r.hall for r in rows}
    assert [thaw_staff("2026-11", freeze_staff(r), halls) for r in rows] == rows
    assert same_rows(rows, rows) and not same_rows(rows, rows[1:])
    renamed = rows[0].__class__(month=rows[0].month, hall=rows[0].hall, name="改名", result=rows[0].result)
    assert not same_rows(rows[:1], [renamed])


def test_publishing_reads_each_kind_of_each_hall_once(world):
    org, _, repo, clock = world
    counting = CountingRatings()
    counting.save_batch([rating(1)])
    publications.publish_month(ADMIN, org, counting, repo, clock, month="2026-11", min_ratings=1)
    assert (
        len(counting.reads) == len(set(counting.reads)) == 3 * 5
    )  # halls × (month, callbacks, suggestions, tickets, staff)


def test_a_version_stored_before_columns_were_added_keeps_its_file_byte_for_byte(world):
    new = publish(world)
    assert new.rows.hall_columns == HALL_COLUMNS
    # As a version published before work orders and unrated visits were counted is stored:
    # no column list, no new figures.
    stored = new.model_dump(mode="json")
    del stored["rows"]["hall_columns"]
    for hall in stored["rows"]["halls"]:
        del hall["tickets"], hall["tickets_in_time"], hall["tally"]["unrated"]
    old = MonthSnapshot.model_validate(stored)
    assert old.rows.hall_columns == FIRST_HALL_COLUMNS
    repo = InMemoryMonthPublications()
    repo.add(old)
    header = exports.published_hall_monthly_csv(
        ADMIN, repo, month="2026-11", version=LATEST, hall=None, lang="en"
    ).text.split("\r\n")[0]
    assert header.lstrip("\ufeff").split(",") == list(FIRST_HALL_COLUMNS)
    assert header.endswith(",suggestions")
