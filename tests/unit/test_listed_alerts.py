"""Flags that exist already, listed as alerts (SPEC §3.4): a box unopened over a working day, a
callback task newly overdue (from the clocks' job); resolved when the box is opened or the task
closed; neither notifies again (their flags did). Work orders' hook raises and settles one."""

from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.alerts import AlertKind
from chalicelib.domain.callbacks import DEFAULT_CLOCKS, AttemptResult, Outcome
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.suggestions import BoxOpening
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import alerts, callbacks, organisation
from chalicelib.services.alerts import AlertPorts
from chalicelib.services.callbacks import CallbackPorts
from tests.fakes.alerts import InMemoryAlertRepository
from tests.fakes.callbacks import InMemoryCallbackRepository, InMemoryOutbox
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.suggestions import InMemorySuggestionRepository
from tests.unit.test_callbacks_service import AGENT, bad_rating

ADMIN = UserPrincipal(username="root", role=Role.admin)
CREATED = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday


def setup() -> tuple[AlertPorts, InMemoryOutbox, FixedClock]:
    clock = FixedClock(CREATED)
    org = InMemoryOrganisationRepository()
    organisation.create_hall(ADMIN, org, clock, code="A01", name="城东厅", branch="城东", grade=HallGrade.A)
    clock.current = NOW
    outbox = InMemoryOutbox()
    return AlertPorts(InMemoryAlertRepository(outbox=outbox), org, clock), outbox, clock


def opening(at: datetime) -> BoxOpening:
    return BoxOpening(hall_code="A01", opened_at=at, opened_by="m", opened_count=1)


def test_a_box_left_unopened_is_listed_once_and_resolved_when_opened():
    ports, outbox, clock = setup()
    box = InMemorySuggestionRepository()
    box.record_box_opening(
        BoxOpening(hall_code="A01", opened_at=NOW - timedelta(days=5), opened_by="m", opened_count=1)
    )
    calendar = WorkingDays()
    assert alerts.check_boxes(ports, box, calendar) == 1
    assert alerts.check_boxes(ports, box, calendar) == 0
    assert [a.scope for a in ports.alerts.open_alerts(AlertKind.box_unopened)] == ["A01"]
    assert outbox.sent == {}  # the dashboard's flag and the digest tell already
    assert alerts.recheck_listed(ports, box, InMemoryCallbackRepository(), calendar) == 0
    box.record_box_opening(
        BoxOpening(hall_code="A01", opened_at=NOW + timedelta(hours=1), opened_by="m", opened_count=1)
    )
    clock.advance(hours=2)
    assert alerts.recheck_listed(ports, box, InMemoryCallbackRepository(), calendar) == 1
    assert ports.alerts.open_alerts(AlertKind.box_unopened) == []


def test_a_task_newly_overdue_is_listed_by_the_clocks_job_and_resolved_once_closed():
    ports, _, clock = setup()
    task_ports = CallbackPorts(
        callbacks=InMemoryCallbackRepository(),
        org=ports.org,
        clock=clock,
        calendar=WorkingDays(),
        clocks=DEFAULT_CLOCKS,
    )
    task = callbacks.open_for_rating(task_ports, bad_rating(rated_at=NOW, received_at=NOW))
    assert task is not None
    clock.current = task.first_contact_due + timedelta(minutes=1)
    callbacks.check_clocks(task_ports, lambda t: alerts.callback_overdue(ports, t))
    callbacks.check_clocks(task_ports, lambda t: alerts.callback_overdue(ports, t))
    (listed,) = ports.alerts.open_alerts(AlertKind.callback_overdue)
    assert listed.subject == task.id and "回访超期" in ports.alerts.get(listed.alert_id).detail
    calendar, box = WorkingDays(), InMemorySuggestionRepository()
    assert alerts.recheck_listed(ports, box, task_ports.callbacks, calendar) == 0
    callbacks.record_attempt(AGENT, task_ports, task.id, AttemptResult.reached, "")
    callbacks.close_task(AGENT, task_ports, task.id, Outcome.resolved_satisfied, "")
    assert alerts.recheck_listed(ports, box, task_ports.callbacks, calendar) == 1
