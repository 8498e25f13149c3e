"""The audit log: what an entry keeps, the time span a list reads, and the organisation's
changes logged through ``services.audit`` (on the fakes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, AuditEntry, RecordKind, time_span, values_of
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import audit, organisation
from chalicelib.services.audit import Auditor
from tests.fakes.audit import InMemoryAuditLog
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryShiftRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
YEAR = (NOW - timedelta(days=365), NOW + timedelta(days=1))


def test_an_entry_lists_only_what_changed_and_its_values_keep_no_secret():
    entry = AuditEntry(
        at=NOW,
        actor="root",
        action=Action.update,
        kind=RecordKind.device,
        key="dev-1",
        hall_code="A01",
        before=values_of({"revoked_at": None, "key_hash": "h", "counter_number": 1}),
        after=values_of({"revoked_at": "2026-11-24T02:00:00+00:00", "key_hash": "h", "counter_number": 1}),
    )
    assert entry.changes() == [("revoked_at", None, "2026-11-24T02:00:00+00:00")]
    assert "key_hash" not in (entry.before or {})
    assert entry.filed_under == (RecordKind.hall, "A01")


@pytest.mark.parametrize(
    ("first", "last", "span"),
    [
        (None, None, (NOW - timedelta(days=365), NOW)),
        ("2026-11-01", "2026-11-30", ("2026-10-31T16:00:00+00:00", "2026-11-30T16:00:00+00:00")),  # Shanghai days
        (
            "2026-11-01T08:00:00+08:00",
            "2026-11-02T00:00:00Z",
            ("2026-11-01T00:00:00+00:00", "2026-11-02T00:00:00+00:00"),
        ),
    ],
)
def test_a_list_reads_from_a_day_or_time_up_to_the_end_of_a_day_or_a_time(first, last, span):
    start, end = time_span(first, last, NOW)
    if isinstance(span[0], str):
        span = tuple(datetime.fromisoformat(s) for s in span)
    assert (start, end) == span


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-11-31", None, "from"),
        ("yesterday", None, "from"),
        ("2026-11-01T08:00:00", None, "from"),  # a time needs its offset
        (None, "9999-12-31", "to"),
        ("2026-11-02", "2026-11-01", "from"),
        ("2020-01-01", "2026-11-01", "from"),  # more than three years
    ],
)
def test_a_span_that_makes_no_sense_is_refused_naming_its_end(first, last, field):
    with pytest.raises(InvalidInput) as e:
        time_span(first, last, NOW)
    assert list(e.value.fields) == [field]


@pytest.fixture
def log() -> InMemoryAuditLog:
    return InMemoryAuditLog()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def auditor(log, clock) -> Auditor:
    return Auditor(log, clock)


def test_every_change_to_a_hall_its_counters_and_devices_is_on_the_halls_history(log, clock, auditor):
    org = InMemoryOrganisationRepository()
    organisation.create_hall(
        ADMIN, org, clock, code="A01", name="城东", branch="东", grade=HallGrade.A, auditor=auditor
    )
    clock.advance(minutes=1)
    organisation.add_counter(ADMIN, org, clock, hall_code="A01", number=1, auditor=auditor)
    clock.advance(minutes=1)
    device = organisation.register_device(ADMIN, org, clock, hall_code="A01", counter_number=1, auditor=auditor).device
    clock.advance(minutes=1)
    organisation.update_counter(ADMIN, org, "A01", 1, active=False, auditor=auditor)
    clock.advance(minutes=1)
    organisation.revoke_device(ADMIN, org, clock, device.device_id, auditor)
    organisation.revoke_device(ADMIN, org, clock, device.device_id, auditor)  # again: nothing changes
    clock.advance(minutes=1)
    organisation.update_hall(ADMIN, org, "A01", {"name": "城东中心"}, auditor)
    organisation.update_hall(ADMIN, org, "A01", {"name": "城东中心"}, auditor)  # the same: nothing logged
    history = audit.history(ADMIN, log, RecordKind.hall, "A01", None, 20).items
    assert [(e.action, e.kind, e.key) for e in history] == [
        (Action.update, RecordKind.hall, "A01"),
        (Action.revoke, RecordKind.device, device.device_id),
        (Action.update, RecordKind.counter, "A01/1"),
        (Action.create, RecordKind.device, device.device_id),
        (Action.create, RecordKind.counter, "A01/1"),
        (Action.create, RecordKind.hall, "A01"),
    ]
    assert history[0].changes() == [("name", "城东", "城东中心")]
    assert all(e.actor == "root" and "key_hash" not in (e.after or {}) for e in history)


def test_a_moved_clerk_is_logged_on_their_own_history(log, clock, auditor):
    org, shifts = InMemoryOrganisationRepository(), InMemoryShiftRepository()
    for code in ("A01", "B02"):
        organisation.create_hall(ADMIN, org, clock, code=code, name=code, branch="东", grade=HallGrade.A)
    organisation.add_staff(ADMIN, org, clock, staff_no="S1", name="张三", hall_code="A01", auditor=auditor)
    clock.advance(minutes=1)
    organisation.update_staff(ADMIN, org, shifts, clock, "S1", {"hall_code": "B02"}, auditor)
    moved, created = audit.history(ADMIN, log, RecordKind.staff, "S1", None, 5).items
    assert moved.action is Action.update and ("hall_code", "A01", "B02") in moved.changes()
    assert (created.action, created.before) == (Action.create, None)


def test_only_admins_read_the_log_and_a_bad_filter_is_refused(log):
    with pytest.raises(Forbidden):
        audit.entries(MANAGER, log, first=YEAR[0], last=YEAR[1], by=None, cursor=None, limit=10)
    with pytest.raises(Forbidden):
        audit.history(MANAGER, log, RecordKind.hall, "A01", None, 10)
    with pytest.raises(InvalidInput) as e:
        audit.entries(ADMIN, log, first=YEAR[0], last=YEAR[1], by="no one!", cursor=None, limit=10)
    assert list(e.value.fields) == ["actor"]
    with pytest.raises(InvalidInput) as e:
        audit.history(ADMIN, log, RecordKind.hall, "A01#STAFF", None, 10)
    assert list(e.value.fields) == ["key"]


def test_without_an_auditor_nothing_is_recorded(log):
    assert audit.record(None, "root", Action.create, RecordKind.hall, "A01", after={"name": "x"}) is None
