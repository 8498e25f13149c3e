"""Who is notified (SPEC §3): the hall's managers, the branch's (all its halls), company admins;
active users only; delivered once per recipient whatever the retries."""

from datetime import UTC, datetime

from chalicelib.domain.accounts import Role, User, UserPrincipal
from chalicelib.domain.inbox import Reach, recipients
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import inbox, organisation
from chalicelib.services.inbox import InboxPorts
from tests.fakes.clock import FixedClock
from tests.fakes.inbox import InMemoryInboxRepository
from tests.fakes.organisation import InMemoryOrganisationRepository, InMemoryUserRepository

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def user(
    name: str, role: Role, halls: tuple[str, ...] = (), active: bool = True, departments: tuple[str, ...] = ()
) -> User:
    return User(
        username=name,
        password_hash="x",
        role=role,
        halls=halls,
        created_at=T0,
        active=active,
        departments=departments,
    )


USERS = [
    user("hall.a01", Role.manager, ("A01",)),
    user("branch.east", Role.manager, ("A01", "A02")),
    user("half.east", Role.manager, ("A02",)),
    user("gone", Role.manager, ("A01",), active=False),
    user("agent", Role.agent, ("A01",)),
    user("root", Role.admin),
    user("metering", Role.handler, departments=("JL",)),
    user("billing", Role.handler, departments=("DF",)),
]


def note(*audiences: Audience) -> Notification:
    return Notification(
        id="n1", kind="alert_silent_device", hall_code="A01", audiences=audiences, subject="s", body="b", created_at=T0
    )


def test_each_audience_reaches_exactly_its_people():
    reach = Reach("A01", frozenset({"A01", "A02"}))
    assert recipients(note(Audience.hall_manager), USERS, reach) == ["branch.east", "hall.a01"]
    assert recipients(note(Audience.branch), USERS, reach) == ["branch.east"]
    assert recipients(note(Audience.company), USERS, reach) == ["root"]
    everyone = recipients(note(Audience.hall_manager, Audience.branch, Audience.company), USERS, reach)
    assert everyone == ["branch.east", "hall.a01", "root"]


def test_a_work_order_reaches_only_its_departments_handlers():
    order = note(Audience.department).model_copy(update={"department": "JL"})
    assert recipients(order, USERS, Reach("A01", frozenset({"A01"}), "JL")) == ["metering"]
    assert recipients(order, USERS, Reach("A01", frozenset({"A01"}), None)) == []


def test_a_stored_notification_reaches_the_inboxes_once():
    clock = FixedClock(T0)
    org = InMemoryOrganisationRepository()
    principal = UserPrincipal(username="root", role=Role.admin)
    for code in ("A01", "A02"):
        organisation.create_hall(principal, org, clock, code=code, name=code, branch="城东", grade=HallGrade.A)
    users = InMemoryUserRepository()
    for u in USERS:
        users.add_user(u)
    ports = InboxPorts(inbox=InMemoryInboxRepository(), users=users, org=org, clock=clock)
    assert inbox.deliver(ports, note(Audience.hall_manager, Audience.branch)) == 2
    assert inbox.deliver(ports, note(Audience.hall_manager, Audience.branch)) == 0
    assert ports.inbox.unread("hall.a01") == 1 and ports.inbox.unread("half.east") == 0
