"""An overdue work order is listed as a `ticket_overdue` alert by the clocks that flag it
(once), and the alert resolves when the order is answered (SPEC §3.2, §3.4)."""

from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.alerts import AlertKind
from chalicelib.domain.callbacks import DEFAULT_CLOCKS
from chalicelib.domain.departments import Department
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.tickets import Kind, TicketClocks
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import alerts, tickets
from chalicelib.services.alerts import AlertPorts
from chalicelib.services.tickets import Draft, TicketPorts
from tests.fakes.alerts import InMemoryAlertRepository
from tests.fakes.callbacks import InMemoryCallbackRepository, InMemoryOutbox
from tests.fakes.clock import FixedClock
from tests.fakes.departments import InMemoryDepartmentRepository
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository
from tests.fakes.suggestions import InMemorySuggestionRepository
from tests.fakes.tickets import InMemoryTicketRepository

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
HANDLER = UserPrincipal(username="h", role=Role.handler, departments=frozenset({"METER"}))


def test_an_overdue_order_raises_one_alert_that_its_answer_resolves():
    clock = FixedClock(NOW)
    org = InMemoryOrganisationRepository()
    org.add_hall(Hall(code="A01", name="城东营业厅", branch="城东分中心", grade=HallGrade.A, created_at=NOW))
    departments = InMemoryDepartmentRepository()
    departments.add(Department(code="METER", name="计量", created_at=NOW))
    suggestions = InMemorySuggestionRepository()
    callback_repo = InMemoryCallbackRepository(suggestions=suggestions)
    repo = InMemoryTicketRepository(callback_repo, suggestions)
    ports = TicketPorts(
        tickets=repo,
        departments=departments,
        org=org,
        suggestions=suggestions,
        callbacks=callback_repo,
        tallies=repo,
        clock=clock,
        calendar=WorkingDays(),
        clocks=TicketClocks(),
        callback_clocks=DEFAULT_CLOCKS,
    )
    listed_outbox = InMemoryOutbox()
    alert_ports = AlertPorts(
        alerts=InMemoryAlertRepository(InMemoryRatingRepository(), listed_outbox), org=org, clock=clock
    )

    def check() -> int:
        return tickets.check_clocks(ports, lambda ticket: alerts.order_overdue(alert_ports, ticket))

    def open_alerts() -> list[str]:
        return [a.subject or "" for a in alert_ports.alerts.open_alerts(AlertKind.ticket_overdue, "A01")]

    order = tickets.create_ticket(
        MANAGER, ports, Draft(hall_code="A01", kind=Kind.consultation, subject="电费为何上涨", department="METER")
    ).ticket
    clock.current = NOW + timedelta(hours=20)
    check()  # at risk only
    assert open_alerts() == []
    clock.current = NOW + timedelta(days=1, seconds=1)
    check()
    check()  # flagged once: still one alert
    assert open_alerts() == [order.id]
    assert listed_outbox.sent == {}  # listed only: the order's escalation was the notification
    (alert,) = alert_ports.alerts.open_alerts(AlertKind.ticket_overdue, "A01")
    stored = alert_ports.alerts.get(alert.alert_id)
    assert stored is not None and order.ticket_no in stored.detail
    assert alerts.recheck_orders(alert_ports, repo) == 0  # still unanswered
    tickets.answer(HANDLER, ports, order.id, "表计已校验，读数无误")
    assert alerts.recheck_orders(alert_ports, repo) == 1
    assert open_alerts() == []
