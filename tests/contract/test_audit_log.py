"""The audit log, the same suite on the fake and on DynamoDB Local: entries read back
equal, newest first, by record (a hall's with its counters' and devices'), by time
across months and by user, a page at a time without overlap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.audit import Action, AuditEntry, RecordKind
from chalicelib.domain.errors import InvalidInput

T0 = datetime(2026, 10, 30, 23, 0, tzinfo=UTC)


def entry(
    at: datetime, kind: RecordKind = RecordKind.hall, key: str = "A01", actor: str = "root", **more
) -> AuditEntry:
    return AuditEntry(at=at, actor=actor, action=Action.update, kind=kind, key=key, **more)


def everything(read, limit: int) -> list[AuditEntry]:
    found, cursor = [], None
    while True:
        page = read(cursor, limit)
        found += page.items
        if page.next is None:
            return found
        cursor = page.next


def test_an_entry_reads_back_equal_with_its_values_as_they_were(repos):
    logged = entry(
        T0,
        hall_code="A01",
        before={"name": "城东营业厅", "active": True, "hours": {"6": None}, "grade": "A"},
        after={"name": "城东中心营业厅", "active": False, "hours": {"6": {"opens": "09:00", "closes": "12:00"}}},
    )
    repos.audit.add(logged)
    assert repos.audit.history(RecordKind.hall, "A01", None, 10).items == [logged]
    assert repos.audit.history(RecordKind.hall, "A02", None, 10).items == []


def test_a_halls_history_holds_its_counters_and_devices_newest_first(repos):
    hall = entry(T0, hall_code="A01", after={"name": "x"})
    counter = entry(T0 + timedelta(minutes=1), RecordKind.counter, "A01/3", hall_code="A01")
    device = entry(T0 + timedelta(minutes=2), RecordKind.device, "dev-1", hall_code="A01")
    elsewhere = entry(T0 + timedelta(minutes=3), RecordKind.counter, "B01/1", hall_code="B01")
    clerk = entry(T0 + timedelta(minutes=4), RecordKind.staff, "S001", hall_code="A01")
    for e in (hall, counter, device, elsewhere, clerk):
        repos.audit.add(e)
    assert repos.audit.history(RecordKind.hall, "A01", None, 10).items == [device, counter, hall]
    assert repos.audit.history(RecordKind.staff, "S001", None, 10).items == [clerk]


def test_the_log_by_time_spans_months_newest_first_and_pages_without_overlap(repos):
    # Every 7 hours from 30 October to early December: three UTC months.
    entries = [entry(T0 + timedelta(hours=7 * i), key=f"H{i:03d}") for i in range(120)]
    for e in entries:
        repos.audit.add(e)
    first, last = T0 + timedelta(hours=7 * 10), T0 + timedelta(hours=7 * 110)  # [10, 110)
    wanted = list(reversed(entries[10:110]))
    for limit in (1, 7, 50, 100, 200):
        assert everything(lambda c, n: repos.audit.between(first, last, c, n), limit) == wanted, limit
    assert repos.audit.between(T0 - timedelta(days=40), T0, None, 10).items == []


def test_the_log_by_user_keeps_their_entries_within_the_times(repos):
    mine = [entry(T0 + timedelta(days=i), actor="li.m", key=f"H{i}") for i in range(5)]
    theirs = [entry(T0 + timedelta(days=i, hours=1), actor="root", key=f"H{i}") for i in range(5)]
    for e in mine + theirs:
        repos.audit.add(e)
    found = everything(
        lambda c, n: repos.audit.by_actor("li.m", T0 + timedelta(days=1), T0 + timedelta(days=4), c, n), 2
    )
    assert found == [mine[3], mine[2], mine[1]]
    assert repos.audit.by_actor("nobody", T0, T0 + timedelta(days=9), None, 10).items == []


def test_two_entries_of_the_same_instant_both_stay(repos):
    a, b = entry(T0, after={"n": 1}), entry(T0, after={"n": 2})
    repos.audit.add(a)
    repos.audit.add(b)
    assert sorted(e.id for e in repos.audit.history(RecordKind.hall, "A01", None, 10).items) == sorted([a.id, b.id])


def test_a_cursor_of_another_list_is_refused(repos):
    for i in range(3):  # 30 October, 9 December, 18 January
        repos.audit.add(entry(T0 + timedelta(days=40 * i), key=f"H{i}"))
    winter = T0, T0 + timedelta(days=100)
    december = repos.audit.between(*winter, repos.audit.between(*winter, None, 1).next, 1)
    assert [e.key for e in december.items] == ["H1"] and december.next is not None
    with pytest.raises(InvalidInput):  # it stopped in December; this list ends in November
        repos.audit.between(T0, T0 + timedelta(days=20), december.next, 1)
    with pytest.raises(InvalidInput):
        repos.audit.between(*winter, "not-a-cursor", 1)
