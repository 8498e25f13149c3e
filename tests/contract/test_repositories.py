from datetime import UTC, datetime

import pytest

from chalicelib.domain.accounts import Role, User
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.organisation import Counter, Device, Hall, HallGrade, Staff

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def hall(code: str) -> Hall:
    return Hall(code=code, name=f"{code}营业厅", branch="城东分中心", grade=HallGrade.B, created_at=NOW)


def test_a_hall_reads_back_equal_and_its_code_is_unique(repos):
    repos.organisation.add_hall(hall("A01"))
    assert repos.organisation.get_hall("A01") == hall("A01")
    assert repos.organisation.get_hall("A02") is None
    with pytest.raises(Conflict):
        repos.organisation.add_hall(hall("A01"))


def test_halls_page_in_code_order_to_the_end(repos):
    for code in ("C3", "A1", "B2"):
        repos.organisation.add_hall(hall(code))
    first = repos.organisation.list_halls(None, 2)
    assert [h.code for h in first.items] == ["A1", "B2"] and first.next
    rest = repos.organisation.list_halls(first.next, 2)
    assert [h.code for h in rest.items] == ["C3"]
    assert rest.next is None or repos.organisation.list_halls(rest.next, 2).items == []


def test_a_garbage_cursor_is_invalid_input(repos):
    with pytest.raises(InvalidInput):
        repos.organisation.list_halls("not-a-cursor", 2)


def test_counters_list_in_number_order_within_their_hall(repos):
    for code in ("A01", "B02"):
        repos.organisation.add_hall(hall(code))
    for n in (10, 2, 1):
        repos.organisation.add_counter(Counter(hall_code="A01", number=n, created_at=NOW))
    repos.organisation.add_counter(Counter(hall_code="B02", number=1, created_at=NOW))
    assert [c.number for c in repos.organisation.list_counters("A01")] == [1, 2, 10]
    assert repos.organisation.get_counter("A01", 2) == Counter(hall_code="A01", number=2, created_at=NOW)
    with pytest.raises(Conflict):
        repos.organisation.add_counter(Counter(hall_code="A01", number=2, created_at=NOW))


def test_staff_are_unique_company_wide_and_listed_by_hall(repos):
    repos.organisation.add_staff(Staff(staff_no="A0123", name="张三", hall_code="A01", created_at=NOW))
    repos.organisation.add_staff(Staff(staff_no="B0001", name="李四", hall_code="B02", created_at=NOW))
    with pytest.raises(Conflict):
        repos.organisation.add_staff(Staff(staff_no="A0123", name="王五", hall_code="B02", created_at=NOW))
    assert [s.staff_no for s in repos.organisation.list_staff("A01", None, 50).items] == ["A0123"]
    assert repos.organisation.get_staff("B0001").name == "李四"


def test_revoking_a_device_keeps_the_first_revocation_time(repos):
    device = Device(device_id="dev-1", hall_code="A01", counter_number=1, key_hash="h" * 64, created_at=NOW)
    repos.organisation.add_device(device)
    first = repos.organisation.revoke_device("dev-1", NOW.replace(hour=3))
    again = repos.organisation.revoke_device("dev-1", NOW.replace(hour=4))
    assert first.revoked_at == again.revoked_at == NOW.replace(hour=3)
    assert repos.organisation.get_device("dev-1").revoked
    assert [d.device_id for d in repos.organisation.list_devices("A01")] == ["dev-1"]
    with pytest.raises(NotFound):
        repos.organisation.revoke_device("dev-404", NOW)


def test_users_read_back_and_any_admin_tells_whether_an_admin_exists(repos):
    assert not repos.users.any_admin()
    manager = User(username="mgr1", password_hash="x", role=Role.manager, halls=("A01",), created_at=NOW)
    repos.users.add_user(manager)
    assert not repos.users.any_admin()
    assert repos.users.get_user("mgr1") == manager
    repos.users.add_user(User(username="root", password_hash="y", role=Role.admin, created_at=NOW))
    assert repos.users.any_admin()
    with pytest.raises(Conflict):
        repos.users.add_user(manager)
    assert {u.username for u in repos.users.list_users(None, 50).items} == {"mgr1", "root"}
