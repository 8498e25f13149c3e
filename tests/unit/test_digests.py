from datetime import UTC, datetime

from chalicelib.adapters.holiday_calendar import PackageHolidays
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.notifications import Audience
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.suggestions import BoxOpening, Suggestion, SuggestionKind
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import digests, organisation
from tests.fakes.callbacks import InMemoryOutbox
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.suggestions import InMemorySuggestionRepository

CALENDAR = WorkingDays(PackageHolidays())
ADMIN = UserPrincipal(username="root", role=Role.admin)


def at_0830(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


def setup(now: datetime):
    clock = FixedClock(now)
    org = InMemoryOrganisationRepository()
    for code in ("A01", "B02"):
        organisation.create_hall(ADMIN, org, clock, code=code, name=code, branch="城东", grade=HallGrade.A)
    box = InMemorySuggestionRepository()
    box.add(
        Suggestion(
            id="s1",
            tracking_no="TS20260929-AAAAAAAA",
            hall_code="A01",
            kind=SuggestionKind.complaint,
            content="等了很久没人管",
            created_at=datetime(2026, 9, 29, 1, tzinfo=UTC),
        )
    )
    box.record_box_opening(
        BoxOpening(hall_code="A01", opened_at=datetime(2026, 9, 28, 1, tzinfo=UTC), opened_by="m", opened_count=0)
    )
    return org, box, InMemoryOutbox(), clock


def test_a_digest_is_prepared_on_the_make_up_saturday_but_not_in_the_holiday():
    org, box, outbox, clock = setup(at_0830(2026, 10, 3))  # 国庆: a day off
    assert digests.prepare_digests(org, box, outbox, CALENDAR, clock) == 0
    clock.current = at_0830(2026, 10, 10)  # Saturday, a 调休 working day
    assert digests.prepare_digests(org, box, outbox, CALENDAR, clock) == 1
    [digest] = outbox.sent.values()
    assert digest.id == "digest:A01:2026-10-10"
    assert digest.body == "- 投诉 TS20260929-AAAAAAAA 09-29 09:00"
    # Opened on 28 September and not since: overdue, so the branch hears too.
    assert digest.audiences == (Audience.hall_manager, Audience.branch)


def test_the_digest_is_stored_once_a_day_and_only_for_halls_with_unopened_suggestions():
    org, box, outbox, clock = setup(at_0830(2026, 9, 30))
    assert digests.prepare_digests(org, box, outbox, CALENDAR, clock) == 1
    assert digests.prepare_digests(org, box, outbox, CALENDAR, clock) == 0
    assert [n.hall_code for n in outbox.sent.values()] == ["A01"]


def test_a_new_halls_first_digest_tells_only_its_manager():
    org, box, outbox, clock = setup(at_0830(2026, 11, 23))  # halls created this Monday morning
    box.add(
        Suggestion(
            id="s2",
            tracking_no="TS20261123-BBBBBBBB",
            hall_code="B02",
            kind=SuggestionKind.suggestion,
            content="椅子不够坐",
            created_at=at_0830(2026, 11, 23),
        )
    )
    clock.current = at_0830(2026, 11, 24)  # Tuesday: the box was never opened, but no working day has passed
    digests.prepare_digests(org, box, outbox, CALENDAR, clock)
    assert outbox.sent["digest:B02:2026-11-24"].audiences == (Audience.hall_manager,)
    clock.current = at_0830(2026, 11, 25)  # Wednesday: Tuesday passed unopened
    digests.prepare_digests(org, box, outbox, CALENDAR, clock)
    assert outbox.sent["digest:B02:2026-11-25"].audiences == (Audience.hall_manager, Audience.branch)
