"""Work orders' rules (SPEC §3.2): clocks, transitions, who may act, escalation, tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.holiday_calendar import PackageHolidays
from chalicelib.domain import tickets as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.stats import StatKind
from chalicelib.domain.tickets import Action, Flag, Kind, Level, Status, TicketClocks
from chalicelib.domain.workdays import WorkingDays

CALENDAR = WorkingDays(PackageHolidays())
ADMIN = UserPrincipal(username="root", role=Role.admin)
MANAGER = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
OTHER_MANAGER = UserPrincipal(username="m2", role=Role.manager, halls=frozenset({"B01"}))
HANDLER = UserPrincipal(username="h", role=Role.handler, departments=frozenset({"METER"}))
OTHER_HANDLER = UserPrincipal(username="h2", role=Role.handler, departments=frozenset({"REPAIR"}))
AGENT = UserPrincipal(username="a", role=Role.agent, halls=frozenset({"A01"}))


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


def order(at: datetime, kind: Kind = Kind.consultation, key_account: bool = False, department: str | None = None):
    return rules.new_ticket(
        ticket_id="t1",
        ticket_no=rules.new_ticket_no(at),
        hall_code="A01",
        kind=kind,
        subject="电表读数有疑问",
        detail="",
        by="m",
        at=at,
        clocks=TicketClocks(),
        calendar=CALENDAR,
        key_account=key_account,
        account_no="0101234567" if key_account else None,
        department=department,
    )


def test_a_key_account_order_on_the_friday_evening_before_a_holiday_is_due_24_hours_later():
    # 清明 2026: Saturday 4 to Monday 6 April off. The hour clock runs through days off.
    created = shanghai(2026, 4, 3, 18, 30)
    assert order(created, key_account=True).due_at == shanghai(2026, 4, 4, 18, 30)
    assert order(created).due_at == shanghai(2026, 4, 7, 18, 30)  # a plain consultation waits for the holiday


def test_a_consultation_on_the_make_up_saturday_is_due_the_next_working_day():
    # Saturday 10 October 2026 is a make-up working day (调休); Sunday is off.
    assert order(shanghai(2026, 10, 10, 10, 0)).due_at == shanghai(2026, 10, 12, 10, 0)


def test_complaints_run_five_working_days_and_clocks_are_configurable_per_kind():
    created = shanghai(2026, 11, 24, 10, 0)  # a Tuesday
    assert order(created, Kind.complaint).due_at == shanghai(2026, 12, 1, 10, 0)
    clocks = rules.ticket_clocks({"complaint": 2, "key_account_hours": 12})
    assert rules.due_at(Kind.complaint, False, created, clocks, CALENDAR) == shanghai(2026, 11, 26, 10, 0)
    assert rules.due_at(Kind.report, True, created, clocks, CALENDAR) == created + timedelta(hours=12)
    with pytest.raises(ValueError, match="nonsense"):
        rules.ticket_clocks({"nonsense": 3})


def test_ticket_numbers_follow_the_format():
    import re

    number = rules.new_ticket_no(shanghai(2026, 11, 24, 23, 30))
    assert re.match(rules.TICKET_NO_PATTERN, number)
    assert number.startswith("GD20261124-")


def test_the_life_of_an_order_and_its_history():
    t0 = shanghai(2026, 11, 24, 10, 0)
    t = order(t0)
    assert t.status is Status.new
    t = rules.assign(t, MANAGER, "METER", "请核实", t0 + timedelta(minutes=1))
    t = rules.progress(t, HANDLER, "已联系客户", t0 + timedelta(minutes=2))
    t = rules.progress(t, HANDLER, "已到现场", t0 + timedelta(minutes=3))
    t = rules.answer(t, HANDLER, "电表正常，读数无误", t0 + timedelta(minutes=4))
    t = rules.close(t, MANAGER, "办结", t0 + timedelta(minutes=5))
    assert t.status is Status.closed and t.in_time
    assert [(e.by, e.action) for e in t.history] == [
        ("m", Action.created),
        ("m", Action.assigned),
        ("h", Action.progress),
        ("h", Action.progress),
        ("h", Action.answered),
        ("m", Action.closed),
    ]
    assert t.history[1].department == "METER" and t.history[1].note == "请核实"


def test_an_order_created_with_a_department_starts_assigned_there():
    t = order(shanghai(2026, 11, 24, 10, 0), department="METER")
    assert t.status is Status.assigned and t.department == "METER"
    assert [e.action for e in t.history] == [Action.created, Action.assigned]


@pytest.mark.parametrize(
    ("step", "status"),
    [
        (lambda t, at: rules.progress(t, MANAGER, "note", at), Status.new),
        (lambda t, at: rules.answer(t, MANAGER, "answer", at), Status.new),
        (lambda t, at: rules.close(t, MANAGER, "", at), Status.assigned),
        (lambda t, at: rules.close(t, MANAGER, "", at), Status.in_progress),
        (lambda t, at: rules.assign(t, MANAGER, "REPAIR", "", at), Status.answered),
        (lambda t, at: rules.urge(t, MANAGER, "", at), Status.answered),
        (lambda t, at: rules.urge(t, MANAGER, "", at), Status.closed),
        (lambda t, at: rules.answer(t, MANAGER, "again", at), Status.closed),
    ],
)
def test_a_step_the_state_does_not_allow_is_a_conflict(step, status):
    t = order(shanghai(2026, 11, 24, 10, 0)).model_copy(update={"status": status, "department": "METER"})
    with pytest.raises(Conflict):
        step(t, shanghai(2026, 11, 24, 11, 0))


def test_only_who_may_act_does():
    at = shanghai(2026, 11, 24, 11, 0)
    t = order(shanghai(2026, 11, 24, 10, 0), department="METER")
    for actor in (OTHER_MANAGER, OTHER_HANDLER, AGENT):
        assert not rules.may_see(actor, t)
        with pytest.raises(Forbidden):
            rules.progress(t, actor, "note", at)
    answered = rules.answer(t, HANDLER, "答复", at)
    with pytest.raises(Forbidden):
        rules.close(answered, HANDLER, "", at)  # the hall closes, not the department
    with pytest.raises(Forbidden):
        rules.urge(t, HANDLER, "", at)
    assert rules.close(answered, ADMIN, "", at).status is Status.closed


def test_a_handler_passes_an_order_on_to_another_department_and_loses_it():
    at = shanghai(2026, 11, 24, 11, 0)
    t = rules.assign(order(shanghai(2026, 11, 24, 10, 0), department="METER"), HANDLER, "REPAIR", "不归我们", at)
    assert t.department == "REPAIR" and t.history[-1].action is Action.reassigned
    assert not rules.may_see(HANDLER, t) and rules.may_see(OTHER_HANDLER, t)
    with pytest.raises(Conflict):
        rules.assign(t, OTHER_HANDLER, "REPAIR", "", at)


def test_closing_a_complaint_records_whether_verified_and_the_clerk():
    at = shanghai(2026, 11, 24, 11, 0)
    t = rules.answer(order(shanghai(2026, 11, 24, 10, 0), Kind.complaint, department="METER"), HANDLER, "已处理", at)
    with pytest.raises(InvalidInput, match="clerk"):
        rules.close(t, MANAGER, "", at, verified=True)
    closed = rules.close(t, MANAGER, "属实", at, verified=True, staff_no="A0123")
    assert closed.verified and closed.staff_no == "A0123"
    tallies = rules.tally(t, closed)
    assert {k.part: dict(v) for k, v in tallies.items()} == {"": {"verified": 1}, "S-A0123": {"verified": 1}}
    consultation = rules.answer(order(shanghai(2026, 11, 24, 10, 0), department="METER"), HANDLER, "答", at)
    with pytest.raises(InvalidInput):
        rules.close(consultation, MANAGER, "", at, verified=True, staff_no="A0123")


def test_every_urge_and_the_overdue_escalate_one_level_up_to_the_company():
    at = shanghai(2026, 11, 24, 11, 0)
    t = order(shanghai(2026, 11, 24, 10, 0))
    t = rules.urge(t, MANAGER, "尽快", at)
    assert (t.escalation, t.urged) == (Level.hall_manager, 1)
    t = rules.went_overdue(t, at)
    assert t.escalation is Level.branch and t.flags == (Flag.overdue,)
    t = rules.urge(rules.urge(t, MANAGER, "", at), ADMIN, "", at)
    assert (t.escalation, t.urged) == (Level.company, 3)


def test_the_answer_counts_in_the_month_of_creation_for_the_hall_and_the_department():
    t = order(shanghai(2026, 11, 30, 10, 0), department="METER")
    late = rules.answer(t, HANDLER, "答复", shanghai(2026, 12, 2, 10, 0))
    assert late.in_time is False
    tallies = rules.tally(t, late)
    assert {(k.month, k.kind, k.part): dict(v) for k, v in tallies.items()} == {
        ("2026-11", StatKind.tickets, ""): {"answered": 1, "in_time": 0},
        ("2026-11", StatKind.tickets, "D-METER"): {"answered": 1, "in_time": 0},
    }
    assert {(k.month, k.part): dict(v) for k, v in rules.tally(None, t).items()} == {("2026-11", ""): {"opened": 1}}


SEVERITY = {(): 0, (Flag.at_risk,): 1, (Flag.overdue,): 2}


@settings(deadline=None, max_examples=200)
@given(
    created=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    kind=st.sampled_from(Kind),
    key_account=st.booleans(),
    later=st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), min_size=2, max_size=6),
)
def test_flags_only_worsen_with_time_and_change_exactly_at_the_checks(created, kind, key_account, later):
    t = order(created.replace(tzinfo=UTC), kind, key_account)
    assert t.due_at > t.created_at
    if key_account:
        assert t.due_at - t.created_at == timedelta(hours=24)
    times = sorted(t.created_at + d for d in later)
    severities = [SEVERITY[rules.flags_at(t, at)] for at in times]
    assert severities == sorted(severities)
    # Walking the sparse index's checks reaches overdue in two steps, each a change of flags.
    check = rules.next_check(t)
    assert check is not None and rules.flags_at(t, check) == (Flag.at_risk,)
    t = t.model_copy(update={"flags": (Flag.at_risk,)})
    check = rules.next_check(t)
    assert check is not None and rules.flags_at(t, check) == (Flag.overdue,)
    assert rules.next_check(t.model_copy(update={"flags": (Flag.overdue,)})) is None
