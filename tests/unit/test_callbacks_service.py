from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.callback_context import RatingContext, SuggestionContext
from chalicelib.domain.callbacks import DEFAULT_CLOCKS, AttemptResult, CallbackRates, Outcome, Status
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.notifications import Audience
from chalicelib.domain.organisation import Staff
from chalicelib.domain.ratings import Channel, Rating, Reason
from chalicelib.domain.stats import Ratio, StatKey, StatKind
from chalicelib.domain.suggestions import Suggestion, SuggestionKind
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import callbacks
from chalicelib.services.callbacks import CallbackPorts
from tests.fakes.callbacks import InMemoryCallbackRepository
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ADMIN = UserPrincipal(username="root", role=Role.admin)
AGENT = UserPrincipal(username="agent1", role=Role.agent, halls=frozenset({"A01"}))
OTHER_AGENT = UserPrincipal(username="agent2", role=Role.agent, halls=frozenset({"A01"}))
MANAGER_B = UserPrincipal(username="mb", role=Role.manager, halls=frozenset({"B02"}))


@pytest.fixture
def ports():
    return CallbackPorts(
        callbacks=InMemoryCallbackRepository(),
        org=InMemoryOrganisationRepository(),
        clock=FixedClock(NOW),
        calendar=WorkingDays(),
        clocks=DEFAULT_CLOCKS,
    )


def bad_rating(n: int = 1, **over) -> Rating:
    return Rating(
        **(
            {
                "id": f"r-{n:08d}",
                "channel": Channel.qr,
                "hall_code": "A01",
                "counter_number": 1,
                "level": 1,
                "phone": "13812345678",
                "rated_at": NOW,
                "received_at": NOW,
            }
            | over
        )
    )


def test_one_task_per_rating_however_often_it_is_seen(ports):
    assert callbacks.open_for_rating(ports, bad_rating()) is not None
    assert callbacks.open_for_rating(ports, bad_rating()) is None
    assert callbacks.open_for_rating(ports, bad_rating(2, level=4)) is None
    assert list(ports.callbacks.tasks) == ["rating-r-00000001"]
    assert ports.callbacks.tallies == {StatKey("A01", "2026-11", StatKind.callbacks, "", None): {"opened": 1}}


def test_the_phone_shows_in_full_only_to_the_tasks_agent_and_admins(ports):
    task = callbacks.open_for_rating(ports, bad_rating())
    assert callbacks.shown_phone(task, AGENT) == "138****5678"
    claimed = callbacks.claim(AGENT, ports, task.id)
    assert callbacks.shown_phone(claimed, AGENT) == "13812345678"
    assert callbacks.shown_phone(claimed, OTHER_AGENT) == "138****5678"
    assert callbacks.shown_phone(claimed, ADMIN) == "13812345678"
    with pytest.raises(Forbidden):
        callbacks.record_attempt(OTHER_AGENT, ports, task.id, AttemptResult.reached, "")
    with pytest.raises(NotFound):
        callbacks.get_task(MANAGER_B, ports, task.id)


def test_an_agent_works_a_task_to_its_close(ports):
    task = callbacks.open_for_rating(ports, bad_rating())
    worked = callbacks.record_attempt(AGENT, ports, task.id, AttemptResult.reached, "道歉并解释")
    assert (worked.status, worked.agent, len(worked.attempts)) == (Status.in_progress, "agent1", 1)
    closed = callbacks.close_task(AGENT, ports, task.id, Outcome.resolved_satisfied, "客户满意")
    assert closed.status is Status.closed
    assert ports.callbacks.tallies[StatKey("A01", "2026-11", StatKind.callbacks, "", None)] == {
        "opened": 1,
        "contacted": 1,
        "closed": 1,
        "outcome_resolved_satisfied": 1,
        "resolved": 1,
    }
    code = callbacks.follow_up_link(ports, b"k" * 32, task.source_type, task.source_id)
    rated = callbacks.give_follow_up(ports, b"k" * 32, code, 5, "谢谢")
    assert rated.follow_up.level == 5
    counts = ports.callbacks.tallies[StatKey("A01", "2026-11", StatKind.callbacks, "", None)]
    rates = CallbackRates(counts)
    assert (rates.contact_rate, rates.resolution_rate, rates.follow_up_satisfaction) == (
        Ratio(1, 1),
        Ratio(1, 1),
        Ratio(1, 1),
    )
    with pytest.raises(NotFound):
        callbacks.give_follow_up(ports, b"x" * 32, code, 5, "")


def test_the_months_rates_divide_by_the_tasks_opened_in_it(ports):
    november = StatKey("A01", "2026-11", StatKind.callbacks, "", None)
    first = callbacks.open_for_rating(ports, bad_rating(1))
    callbacks.open_for_rating(ports, bad_rating(2))
    callbacks.record_attempt(AGENT, ports, first.id, AttemptResult.reached, "")
    callbacks.close_task(AGENT, ports, first.id, Outcome.resolved_unsatisfied, "")
    rates = CallbackRates(ports.callbacks.tallies[november])
    assert (rates.contact_rate, rates.resolution_rate) == (Ratio(1, 2), Ratio(1, 2))  # one of two, not 100 %
    assert rates.follow_up_satisfaction == Ratio(0, 0) and rates.follow_up_satisfaction.value is None


def test_a_task_worked_the_next_month_counts_in_the_month_it_was_opened(ports):
    task = callbacks.open_for_rating(ports, bad_rating())
    ports.clock.current = datetime(2026, 12, 2, 2, tzinfo=UTC)
    callbacks.record_attempt(AGENT, ports, task.id, AttemptResult.no_answer, "")
    callbacks.record_attempt(AGENT, ports, task.id, AttemptResult.reached, "")  # not a first contact again
    callbacks.close_task(AGENT, ports, task.id, Outcome.resolved_satisfied, "")
    november = ports.callbacks.tallies[StatKey("A01", "2026-11", StatKind.callbacks, "", None)]
    december = ports.callbacks.tallies[StatKey("A01", "2026-12", StatKind.callbacks, "", None)]
    assert november == {"opened": 1, "contacted": 1, "resolved": 1}
    assert december == {"closed": 1, "outcome_resolved_satisfied": 1}  # the month's closings, as reports count them
    assert CallbackRates(november).contact_rate == Ratio(1, 1)
    assert CallbackRates(december).contact_rate == Ratio(0, 0)


def test_an_unreachable_task_is_contacted_but_not_resolved(ports):
    task = callbacks.open_for_rating(ports, bad_rating())
    for _ in range(3):
        callbacks.record_attempt(AGENT, ports, task.id, AttemptResult.no_answer, "")
    callbacks.close_task(AGENT, ports, task.id, Outcome.unreachable, "")
    rates = CallbackRates(ports.callbacks.tallies[StatKey("A01", "2026-11", StatKind.callbacks, "", None)])
    assert (rates.contact_rate, rates.resolution_rate) == (Ratio(1, 1), Ratio(0, 1))


def test_the_clock_check_flags_and_notifies_each_change_once(ports):
    task = callbacks.open_for_rating(ports, bad_rating())
    ports.clock.current = task.created_at + (task.first_contact_due - task.created_at) * 0.85
    assert callbacks.check_clocks(ports) == 1
    assert callbacks.check_clocks(ports) == 0
    [risk] = ports.callbacks.outbox.sent.values()
    assert risk.audiences == (Audience.hall_manager,)
    assert risk.subject == f"回访任务即将超期 / Callback task at risk: {task.id}"
    ports.clock.current = task.first_contact_due + timedelta(minutes=1)
    assert callbacks.check_clocks(ports) == 1
    overdue = ports.callbacks.outbox.sent[f"{task.id}:first_contact:overdue"]
    assert overdue.audiences == (Audience.hall_manager, Audience.branch)
    assert overdue.subject == f"回访任务已超期 / Callback task overdue: {task.id}"
    assert ports.callbacks.tasks[task.id].flags == ("overdue",)
    tally = ports.callbacks.tallies[StatKey("A01", "2026-11", StatKind.callbacks, "", None)]
    assert tally["overdue"] == 1


def test_phones_are_removed_after_the_retention_period(ports):
    task = callbacks.open_for_rating(ports, bad_rating())
    callbacks.record_attempt(AGENT, ports, task.id, AttemptResult.reached, "")
    callbacks.close_task(AGENT, ports, task.id, Outcome.resolved_satisfied, "")
    ports.clock.current = NOW + timedelta(days=179)
    assert callbacks.purge_expired_phones(ports) == 0
    ports.clock.current = NOW + timedelta(days=181)
    assert callbacks.purge_expired_phones(ports) == 1
    assert ports.callbacks.tasks[task.id].phone is None
    assert ports.callbacks.purged_sources == ["r-00000001"]


def test_a_night_with_more_expired_phones_than_a_batch_removes_them_all(ports):
    tasks = [callbacks.open_for_rating(ports, bad_rating(n)) for n in range(1, 2 * callbacks.CHECK_BATCH + 6)]
    for task in tasks:
        callbacks.record_attempt(AGENT, ports, task.id, AttemptResult.reached, "")
        callbacks.close_task(AGENT, ports, task.id, Outcome.resolved_satisfied, "")
    ports.clock.current = NOW + timedelta(days=181)
    assert callbacks.purge_expired_phones(ports) == len(tasks)
    assert {ports.callbacks.tasks[t.id].phone for t in tasks} == {None}


def test_a_task_from_a_bad_rating_carries_what_the_agent_needs(ports):
    ports.org.add_staff(Staff(staff_no="S01", name="王芳", hall_code="A01", created_at=NOW))
    rating = bad_rating(
        level=2,
        reasons=(Reason.long_wait, Reason.attitude),
        comment="请回电13812345678，身份证11010119900307123X",
        counter_number=3,
        staff_no="S01",
        rated_at=NOW - timedelta(minutes=5),
    )
    task = callbacks.open_for_rating(ports, rating)
    assert task is not None and task.context == RatingContext(
        level=2,
        reasons=(Reason.long_wait, Reason.attitude),
        comment="请回电138****5678，身份证110***********123X",
        channel=Channel.qr,
        counter=3,
        staff_no="S01",
        staff_name="王芳",
        rated_at=NOW - timedelta(minutes=5),
    )
    assert ports.callbacks.get(task.id) == task
    unknown_clerk = callbacks.open_for_rating(ports, bad_rating(2, staff_no="S99"))
    assert unknown_clerk is not None and isinstance(unknown_clerk.context, RatingContext)
    assert (unknown_clerk.context.staff_no, unknown_clerk.context.staff_name) == ("S99", None)


def test_a_task_from_a_complaint_carries_its_kind_content_and_tracking_number(ports):
    complaint = Suggestion(
        id="s1",
        tracking_no="TS20261124-7K3M9QXD",
        hall_code="A01",
        kind=SuggestionKind.complaint,
        content="排队一小时，请联系 139 1234 5678",
        created_at=NOW,
    )
    task = callbacks.open_for_suggestion(ports, complaint)
    assert task is not None and task.context == SuggestionContext(
        kind=SuggestionKind.complaint, content="排队一小时，请联系 139****5678", tracking_no="TS20261124-7K3M9QXD"
    )
