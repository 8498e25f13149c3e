"""The audit log (SPEC §4.3): every change to an organisation record names who made it,
when, before and after; admins read it by time and user over the API, and a record's
page in the console shows its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.business_time import SHANGHAI
from tests.functional.test_console import Browser, add_user
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api


def second_admin(admin: Api) -> Api:
    add_user(admin, "ops.li", "admin", [])
    other = Api(admin.client)
    other.token = other.login("ops.li", "password-123")
    return other


def test_creating_and_editing_records_is_logged_with_who_when_before_and_after(admin: Api):
    admin.seed_hall("A01", counters=1)
    admin.post("/api/v1/admin/staff", {"staff_no": "S001", "name": "张三", "hall_code": "A01"})
    device = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["device_id"]
    assert admin.request("PATCH", "/api/v1/admin/halls/A01", {"name": "城东中心营业厅"}).status == 200
    assert admin.request("PATCH", "/api/v1/admin/halls/A01/counters/1", {"active": False}).status == 200
    assert admin.delete(f"/api/v1/admin/devices/{device}").status == 204
    history = admin.get("/api/v1/admin/audit?kind=hall&key=A01").json["items"]
    assert [(e["action"], e["kind"], e["key"]) for e in history] == [
        ("revoke", "device", device),
        ("update", "counter", "A01/1"),
        ("update", "hall", "A01"),
        ("create", "device", device),
        ("create", "counter", "A01/1"),
        ("create", "hall", "A01"),
    ]
    renamed = history[2]
    assert (renamed["actor"], renamed["before"]["name"], renamed["after"]["name"]) == (
        ADMIN_USER,
        "A01营业厅",
        "城东中心营业厅",
    )
    assert datetime.fromisoformat(renamed["at"]) > datetime.now(UTC) - timedelta(minutes=1)
    assert all("key_hash" not in (e["after"] or {}) for e in history)
    (clerk,) = admin.get("/api/v1/admin/audit?kind=staff&key=S001").json["items"]
    assert (clerk["action"], clerk["before"], clerk["after"]["name"]) == ("create", None, "张三")


def test_the_log_filters_by_user_and_by_time_and_pages_with_a_cursor(admin: Api):
    other = second_admin(admin)
    admin.seed_hall("A01", counters=0)
    other.seed_hall("B01", counters=2)
    by_other = other.get("/api/v1/admin/audit?actor=ops.li").json["items"]
    assert [(e["kind"], e["key"]) for e in by_other] == [("counter", "B01/2"), ("counter", "B01/1"), ("hall", "B01")]
    assert {e["actor"] for e in admin.get("/api/v1/admin/audit").json["items"]} == {ADMIN_USER, "ops.li"}
    today = datetime.now(SHANGHAI).date()
    assert len(admin.get(f"/api/v1/admin/audit?from={today}&to={today}").json["items"]) == 4
    last_week = today - timedelta(days=7)
    assert admin.get(f"/api/v1/admin/audit?from={last_week}&to={today - timedelta(days=1)}").json["items"] == []
    seen, cursor = [], ""
    while True:
        page = admin.get(f"/api/v1/admin/audit?limit=3{cursor}").json
        seen += [e["id"] for e in page["items"]]
        if page["next"] is None:
            break
        cursor = f"&cursor={page['next']}"
    assert len(seen) == len(set(seen)) == 4


def test_only_admins_read_the_log_and_bad_filters_are_named(admin: Api):
    admin.seed_hall("A01", counters=0)
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Api(admin.client)
    manager.token = manager.login("mgr1", "password-123")
    assert manager.get("/api/v1/admin/audit").status == 403
    assert manager.get("/api/v1/admin/audit?kind=hall&key=A01").status == 403
    for query, field in (
        ("from=2026-13-01", "from"),
        ("to=soon", "to"),
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("actor=no%20one", "actor"),
        ("kind=planet&key=A01", "kind"),
        ("kind=hall", "key"),
        ("kind=hall&key=A01&actor=admin", "kind"),
        ("kind=hall&key=A%23B", "key"),
        ("cursor=abc", "cursor"),
    ):
        answer = admin.get(f"/api/v1/admin/audit?{query}")
        assert (answer.status, list(answer.json["error"]["fields"])) == (400, [field]), query


def test_the_hall_page_shows_its_history_and_its_forms_edit_and_log(admin: Api):
    admin.seed_hall("A01", counters=2)
    admin.post("/api/v1/admin/staff", {"staff_no": "S001", "name": "张三", "hall_code": "A01"})
    admin.seed_hall("B01", counters=0)
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    hall_page = "/console/admin/halls/A01?key=" + "k" * 22  # the address carries the device form's key
    csrf = browser.csrf(hall_page)
    hours = {f"opens_{d}": "08:30" for d in "12345"} | {f"closes_{d}": "17:30" for d in "12345"}
    hours |= {"opens_6": "09:00", "closes_6": "12:00"}
    edited = browser.post(
        "/console/admin/halls/A01/edit",
        {"name": "城东中心营业厅", "branch": "城东分中心", "grade": "B", "active": "on", **hours},
        csrf,
    )
    assert (edited.status, edited.headers["location"]) == (303, "/console/admin/halls/A01?done=edited")
    hall = admin.get("/api/v1/admin/halls/A01").json
    assert (hall["name"], hall["grade"], hall["hours"]["6"], hall["active"]) == (
        "城东中心营业厅",
        "B",
        ["09:00", "12:00"],
        True,
    )
    assert browser.post("/console/admin/halls/A01/counters/2/active", {}, csrf).status == 303  # unticked: off
    assert [c["active"] for c in admin.get("/api/v1/admin/halls/A01/counters").json["items"]] == [True, False]
    page = browser.get(hall_page).text
    history = page[page.index('id="history"') :]
    assert "城东中心营业厅" in history and "A01营业厅" in history  # the name before and after
    assert "窗口 A01/2" in history and "周六" not in history and "六 09:00–12:00" in history
    moved = browser.post("/console/admin/staff/S001/edit", {"name": "张三", "hall_code": "B01", "active": "on"}, csrf)
    assert moved.status == 303
    clerk = browser.get("/console/admin/staff/S001").text
    assert "营业厅编码" in clerk and "A01 → B01" in clerk
    bad = browser.post(
        "/console/admin/halls/A01/edit", {"name": "x", "branch": "y", "grade": "A", "opens_1": "08:30"}, csrf
    )
    assert bad.status == 400


def test_the_console_log_page_filters_and_names_the_record(admin: Api):
    admin.seed_hall("A01", counters=1)
    browser = Browser(admin.client)
    browser.sign_in(ADMIN_USER, ADMIN_PASSWORD)
    whole = browser.get("/console/admin/audit")
    assert whole.status == 200 and "营业厅 A01" in whole.text and "窗口 A01/1" in whole.text
    assert "窗口 A01/1" in browser.get("/console/admin/audit?kind=hall&key=A01").text
    assert "营业厅 A01" not in browser.get("/console/admin/audit?actor=nobody").text
    assert browser.get("/console/admin/audit?from=2026-02-30").status == 400
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    manager.sign_in("mgr1", "password-123")
    assert manager.get("/console/admin/audit").status == 403
    assert manager.get("/console/admin/staff/S001").status == 403


def test_a_working_day_rule_set_changed_and_removed_is_logged(admin: Api):
    assert admin.request("PUT", "/api/v1/admin/calendar/2027-02-20", {"working": True}).status == 204
    assert admin.request("PUT", "/api/v1/admin/calendar/2027-02-20", {"working": False}).status == 204
    assert admin.delete("/api/v1/admin/calendar/2027-02-20").status == 204
    history = admin.get("/api/v1/admin/audit?kind=calendar&key=2027-02-20").json["items"]
    assert [(e["action"], e["before"], e["after"]) for e in history] == [
        ("update", {"working": False}, {"working": None}),
        ("update", {"working": True}, {"working": False}),
        ("create", {"working": None}, {"working": True}),
    ]
    assert {e["actor"] for e in history} == {ADMIN_USER}
