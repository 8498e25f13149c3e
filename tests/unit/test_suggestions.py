"""Suggestion-box rules and use cases, against the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.suggestions import (
    CROCKFORD,
    TRACKING_NO,
    AttemptWindow,
    SuggestionKind,
    SuggestionStatus,
    TooManyAttempts,
    box_overdue,
    new_tracking_no,
    normalise_tracking_no,
)
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import suggestions as service
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRateLimiter
from tests.fakes.suggestions import InMemorySuggestionRepository

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
MANAGER = UserPrincipal(username="mgr", role=Role.manager, halls=frozenset({"A01"}))
ADMIN = UserPrincipal(username="root", role=Role.admin)
AGENT = UserPrincipal(username="agent", role=Role.agent, halls=frozenset({"A01"}))


@pytest.fixture
def org() -> InMemoryOrganisationRepository:
    repo = InMemoryOrganisationRepository()
    for code in ("A01", "B02"):
        repo.add_hall(Hall(code=code, name=f"{code}营业厅", branch="城东", grade=HallGrade.A, created_at=NOW))
    return repo


@pytest.fixture
def repo() -> InMemorySuggestionRepository:
    return InMemorySuggestionRepository()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def submit(repo, org, clock, hall_code="A01", limiter=None, client="203.0.113.7", **fields):
    values = {
        "kind": SuggestionKind.suggestion,
        "content": "大厅椅子太少了",
        "name": None,
        "phone": None,
        "consent": False,
        "wants_reply": False,
        **fields,
    }
    limiter = limiter if limiter is not None else InMemoryRateLimiter()
    return service.submit_suggestion(repo, org, clock, limiter, client=client, hall_code=hall_code, **values)


# ----- floods -----


def test_an_address_drops_ten_notes_in_ten_minutes_then_waits_for_the_window(repo, org, clock):
    limiter = InMemoryRateLimiter()
    for _ in range(10):
        submit(repo, org, clock, limiter=limiter)
    with pytest.raises(TooManyRequests) as refused:
        submit(repo, org, clock, limiter=limiter)
    assert 0 < (refused.value.retry_after or 0) <= 600
    assert len(repo.suggestions) == 10
    submit(repo, org, clock, limiter=limiter, client="198.51.100.1")  # a neighbour is not blocked


def test_a_hall_takes_120_notes_an_hour_from_many_addresses(repo, org, clock):
    limiter = InMemoryRateLimiter()
    for n in range(120):
        submit(repo, org, clock, limiter=limiter, client=f"10.0.{n // 200}.{n % 200}")
    with pytest.raises(TooManyRequests) as refused:
        submit(repo, org, clock, limiter=limiter, client="192.0.2.200")
    assert 0 < (refused.value.retry_after or 0) <= 3600


# ----- tracking numbers -----


def test_a_tracking_number_is_ts_the_shanghai_date_and_8_crockford_characters():
    late_evening_utc = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # already the 25th in Shanghai
    number = new_tracking_no(late_evening_utc)
    assert TRACKING_NO.match(number)
    assert number.startswith("TS20261125-")
    assert set(number[-8:]) <= set(CROCKFORD) and not set(number[-8:]) & set("ILOU")


def test_tracking_numbers_do_not_repeat():
    assert len({new_tracking_no(NOW) for _ in range(2000)}) == 2000


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("TS20261124-7K3M9QXD", "TS20261124-7K3M9QXD"),
        (" ts20261124-7k3m9qxd ", "TS20261124-7K3M9QXD"),
        ("TS20261124-7K3MOQXI", "TS20261124-7K3M0QX1"),
        ("TS20261124-7K3M9QX", None),
        ("TS2026112-7K3M9QXD", None),
        ("TS20261124-7K3M9QXU", None),
        ("../etc/passwd", None),
    ],
)
def test_typed_tracking_numbers_are_normalised_or_refused(typed, normal):
    assert normalise_tracking_no(typed) == normal


# ----- submitting -----


def test_a_suggestion_is_stored_new_with_what_the_pipeline_needs(repo, org, clock):
    s = submit(repo, org, clock, kind=SuggestionKind.complaint, phone="13812345678", consent=True, wants_reply=True)
    stored = repo.get(s.id)
    assert stored == s
    assert (stored.status, stored.kind, stored.wants_reply, stored.has_phone) == (
        SuggestionStatus.new,
        SuggestionKind.complaint,
        True,
        True,
    )
    assert repo.get_by_tracking_no(s.tracking_no) == s


def test_name_or_phone_without_consent_is_refused_naming_consent(repo, org, clock):
    for fields in ({"phone": "13812345678"}, {"name": "张先生"}):
        with pytest.raises(InvalidInput) as e:
            submit(repo, org, clock, **fields)
        assert "consent" in e.value.fields
    assert repo.suggestions == {}


def test_an_unknown_hall_is_not_found(repo, org, clock):
    with pytest.raises(NotFound):
        submit(repo, org, clock, hall_code="ZZZ")


class TakenOnce(InMemorySuggestionRepository):
    """The first tracking number drawn is taken already."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def add(self, suggestion):
        if not self.refused:
            self.refused += 1
            raise Conflict("taken")
        super().add(suggestion)


def test_a_taken_tracking_number_is_drawn_again(org, clock):
    repo = TakenOnce()
    s = submit(repo, org, clock)
    assert repo.refused == 1 and repo.get(s.id) == s


# ----- tracking -----


def test_tracking_needs_phone4_only_when_a_phone_was_given(repo, org, clock):
    plain = submit(repo, org, clock)
    assert service.track_suggestion(repo, org, clock, plain.tracking_no, None).status is SuggestionStatus.new
    with_phone = submit(repo, org, clock, phone="13812345678", consent=True)
    with pytest.raises(InvalidInput) as e:
        service.track_suggestion(repo, org, clock, with_phone.tracking_no, None)
    assert e.value.fields.keys() == {"phone4"}
    with pytest.raises(InvalidInput):
        service.track_suggestion(repo, org, clock, with_phone.tracking_no, "56a8")
    with pytest.raises(Forbidden):
        service.track_suggestion(repo, org, clock, with_phone.tracking_no, "5679")
    tracked = service.track_suggestion(repo, org, clock, with_phone.tracking_no, "5678")
    assert tracked.hall_name == "A01营业厅"
    assert not {"phone", "name"} & set(vars(tracked))


def test_the_sixth_guess_in_an_hour_is_refused_and_the_next_hour_starts_afresh(repo, org, clock):
    s = submit(repo, org, clock, phone="13812345678", consent=True)
    for _ in range(5):
        with pytest.raises(Forbidden):
            service.track_suggestion(repo, org, clock, s.tracking_no, "0000")
    with pytest.raises(TooManyAttempts):
        service.track_suggestion(repo, org, clock, s.tracking_no, "5678")
    clock.advance(hours=1)
    assert service.track_suggestion(repo, org, clock, s.tracking_no, "5678").tracking_no == s.tracking_no


def test_an_attempt_window_is_the_hour_and_expires_at_its_end():
    window = AttemptWindow.at(datetime(2026, 11, 24, 2, 59, 59, tzinfo=UTC))
    assert window.expires_at == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert AttemptWindow.at(datetime(2026, 11, 24, 2, 0, tzinfo=UTC)).key == window.key
    assert AttemptWindow.at(datetime(2026, 11, 24, 3, 0, tzinfo=UTC)).key != window.key


def test_an_unknown_tracking_number_is_not_found(repo, org, clock):
    with pytest.raises(NotFound):
        service.track_suggestion(repo, org, clock, "TS20261124-7K3M9QXD", None)


# ----- the box and the life cycle -----


def test_opening_takes_the_new_ones_oldest_first_and_records_who_and_when(repo, org, clock):
    first = submit(repo, org, clock, content="第一条内容")
    clock.advance(minutes=1)
    second = submit(repo, org, clock, content="第二条内容")
    submit(repo, org, clock, hall_code="B02")
    clock.advance(hours=1)
    opened = service.open_suggestion_box(MANAGER, repo, org, clock, "A01")
    assert [s.id for s in opened.items] == [first.id, second.id] and not opened.more
    assert {(s.status, s.opened_at, s.opened_by) for s in opened.items} == {
        (SuggestionStatus.opened, clock.now(), "mgr")
    }
    last = repo.last_box_opening("A01")
    assert (last.opened_at, last.opened_by, last.opened_count) == (clock.now(), "mgr", 2)
    assert service.open_suggestion_box(MANAGER, repo, org, clock, "A01").items == []
    assert repo.last_box_opening("A01").opened_count == 0


class RacedOpening(InMemorySuggestionRepository):
    """Another manager opens the first suggestion between our read and our write."""

    def update(self, suggestion, expected):
        if suggestion.status is SuggestionStatus.opened and not getattr(self, "raced", False):
            self.raced = True
            super().update(suggestion.model_copy(update={"opened_by": "other"}), expected)
        super().update(suggestion, expected)


def test_a_suggestion_opened_by_someone_else_meanwhile_is_not_returned_twice(org, clock):
    repo = RacedOpening()
    submit(repo, org, clock)
    second = submit(repo, org, clock)
    opened = service.open_suggestion_box(MANAGER, repo, org, clock, "A01")
    assert len(opened.items) == 1
    assert {s.opened_by for s in repo.suggestions.values()} == {"other", "mgr"}
    assert second.id in repo.suggestions


def test_reply_and_close_follow_the_life_cycle(repo, org, clock):
    s = submit(repo, org, clock)
    with pytest.raises(Conflict):
        service.reply_to_suggestion(MANAGER, repo, clock, s.id, "谢谢")
    service.open_suggestion_box(MANAGER, repo, org, clock, "A01")
    replied = service.reply_to_suggestion(MANAGER, repo, clock, s.id, "已处理")
    corrected = service.reply_to_suggestion(ADMIN, repo, clock, s.id, "已处理，谢谢")
    assert (replied.status, corrected.reply, corrected.replied_by) == (SuggestionStatus.replied, "已处理，谢谢", "root")
    closed = service.close_suggestion(MANAGER, repo, clock, s.id)
    assert repo.get(s.id) == closed and closed.status is SuggestionStatus.closed
    with pytest.raises(Conflict):
        service.close_suggestion(MANAGER, repo, clock, s.id)


def test_a_praise_can_be_closed_without_a_reply(repo, org, clock):
    s = submit(repo, org, clock, kind=SuggestionKind.praise)
    service.open_suggestion_box(MANAGER, repo, org, clock, "A01")
    assert service.close_suggestion(MANAGER, repo, clock, s.id).reply is None


def test_only_managers_of_the_hall_and_admins_keep_the_box(repo, org, clock):
    s = submit(repo, org, clock, hall_code="B02")
    with pytest.raises(Forbidden):
        service.open_suggestion_box(MANAGER, repo, org, clock, "B02")
    with pytest.raises(Forbidden):
        service.open_suggestion_box(AGENT, repo, org, clock, "A01")
    with pytest.raises(Forbidden):
        service.list_suggestions(AGENT, repo, org, hall_code="A01", status=None, cursor=None, limit=10)
    with pytest.raises(Forbidden):
        service.close_suggestion(AGENT, repo, clock, "no-such-id")  # refused before anything is read
    assert [x.id for x in service.open_suggestion_box(ADMIN, repo, org, clock, "B02").items] == [s.id]


def test_staff_see_content_masked_and_never_name_or_phone(repo, org, clock):
    s = submit(repo, org, clock, content="我的电话13812345678", name="张先生", phone="13912345678", consent=True)
    view = service.staff_view(s)
    assert view["content"] == "我的电话138****5678"
    assert "13912345678" not in str(view) and "张先生" not in str(view)


# ----- the daily opening rule -----

SHANGHAI_MORNING = timedelta(hours=1)  # 09:00 Shanghai is 01:00 UTC
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)  # a hall created long before


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + SHANGHAI_MORNING


def mon_to_fri(day: date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize(
    ("opened", "now", "overdue"),
    [
        (date(2026, 11, 23), date(2026, 11, 24), False),  # Monday → Tuesday
        (date(2026, 11, 23), date(2026, 11, 25), True),  # Tuesday passed unopened
        (date(2026, 11, 27), date(2026, 11, 30), False),  # Friday → Monday: the weekend does not count
        (date(2026, 11, 27), date(2026, 12, 1), True),
    ],
)
def test_a_box_is_overdue_once_a_whole_working_day_passed_unopened(opened, now, overdue):
    assert box_overdue(at(opened), at(now), mon_to_fri, hall_created=LONG_AGO) is overdue


def test_a_make_up_saturday_counts_and_a_holiday_does_not():
    from chalicelib.adapters.holiday_calendar import PackageHolidays

    working = WorkingDays(PackageHolidays()).is_working_day
    assert box_overdue(at(date(2026, 10, 9)), at(date(2026, 10, 12)), working, hall_created=LONG_AGO)  # 10-10 调休
    assert not box_overdue(at(date(2026, 9, 30)), at(date(2026, 10, 8)), working, hall_created=LONG_AGO)  # 国庆


def test_shanghai_dates_decide():
    late_monday = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)  # 23:59 Monday in Shanghai
    wednesday_early = datetime(2026, 11, 24, 16, 1, tzinfo=UTC)  # 00:01 Wednesday in Shanghai
    assert box_overdue(late_monday, wednesday_early, mon_to_fri, hall_created=LONG_AGO)
    assert not box_overdue(late_monday, wednesday_early - timedelta(minutes=2), mon_to_fri, hall_created=LONG_AGO)


@pytest.mark.parametrize(
    ("created", "now", "overdue"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), False),  # created today (Monday)
        (date(2026, 11, 23), date(2026, 11, 24), False),  # its first working day after has not passed
        (date(2026, 11, 23), date(2026, 11, 25), True),  # Tuesday passed and the box was never opened
        (date(2026, 11, 27), date(2026, 11, 30), False),  # created Friday: the weekend does not count
        (date(2026, 11, 28), date(2026, 12, 1), True),  # created Saturday: Monday passed
    ],
)
def test_a_box_never_opened_counts_from_its_halls_creation(created, now, overdue):
    assert box_overdue(None, at(now), mon_to_fri, hall_created=at(created)) is overdue


def test_box_state_uses_the_calendar_it_is_given(repo, org, clock):
    state = service.suggestion_box_state(MANAGER, repo, org, clock, WorkingDays(), "A01")
    assert not state.overdue and state.last_opened is None  # the hall was created today
    two_days_on = FixedClock(NOW + timedelta(days=2))
    assert service.suggestion_box_state(MANAGER, repo, org, two_days_on, WorkingDays(), "A01").overdue
    service.open_suggestion_box(MANAGER, repo, org, two_days_on, "A01")
    assert not service.suggestion_box_state(MANAGER, repo, org, two_days_on, WorkingDays(), "A01").overdue
