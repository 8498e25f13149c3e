"""Corrections through the API: halls, counters and clerks are edited and deactivated,
never deleted, and a deactivated counter or hall takes no ratings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from chalicelib.domain import qrcodes
from tests.http import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def at(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def hall(admin: Api) -> Api:
    admin.seed_hall("A01", counters=2)
    admin.seed_hall("B02", counters=1)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}).status == 201
    return admin


def patch(api: Api, path: str, body: object) -> object:
    return api.request("PATCH", path, body)


def device_of(admin: Api, counter: int) -> Api:
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": counter}).json
    device = Api(admin.client)
    device.token = created["key"]
    return device


def test_an_admin_renames_a_hall_and_sets_its_opening_hours(hall: Api):
    hours = {"1": ["08:00", "18:00"], "6": ["09:00", "12:00"]}
    answer = patch(hall, "/api/v1/admin/halls/A01", {"name": "城东中心营业厅", "hours": hours})
    assert answer.status == 200, answer.raw
    shown = hall.get("/api/v1/admin/halls/A01").json
    assert shown["name"] == "城东中心营业厅" and shown["branch"] == "城东分中心" and shown["active"] is True
    assert shown["hours"] == {
        "1": ["08:00", "18:00"],
        "2": None,
        "3": None,
        "4": None,
        "5": None,
        "6": ["09:00", "12:00"],
        "7": None,
    }


def test_a_new_hall_opens_on_weekdays_by_default(hall: Api):
    hours = hall.get("/api/v1/admin/halls/B02").json["hours"]
    assert hours["1"] == ["08:30", "17:30"] and hours["6"] is None and hours["7"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": {"1": ["18:00", "08:00"]}}, "hours.1"),
        ({"hours": {"8": ["08:00", "18:00"]}}, "hours.8"),
        ({"hours": {"1": ["8:00", "18:00"]}}, "hours.1.0"),
        ({"active": "no"}, "active"),
        ({"code": "X"}, "code"),
        ({"grade": "Z"}, "grade"),
    ],
)
def test_a_bad_edit_is_a_400_naming_the_field_and_changes_nothing(hall: Api, body, field):
    answer = patch(hall, "/api/v1/admin/halls/A01", body)
    assert answer.status == 400, answer.raw
    assert any(f.startswith(field) for f in answer.json["error"]["fields"]), answer.json
    assert hall.get("/api/v1/admin/halls/A01").json["hours"]["1"] == ["08:30", "17:30"]


def test_only_an_admin_corrects_and_unknown_records_are_404(hall: Api):
    assert patch(hall, "/api/v1/admin/halls/ZZZ", {"name": "x"}).status == 404
    assert patch(hall, "/api/v1/admin/halls/A01/counters/9", {"active": False}).status == 404
    assert patch(hall, "/api/v1/admin/staff/NOPE", {"name": "x"}).status == 404
    manager_created = hall.post(
        "/api/v1/admin/users",
        {"username": "mgr1", "password": "a-manager-password-1", "role": "manager", "halls": ["A01"]},
    )
    assert manager_created.status == 201
    manager = Api(hall.client)
    manager.token = manager.login("mgr1", "a-manager-password-1")
    assert patch(manager, "/api/v1/admin/halls/A01", {"name": "x"}).status == 403


def test_a_deactivated_counter_takes_no_ratings_and_its_qr_page_says_so_kindly(hall: Api):
    device = device_of(hall, 1)
    assert patch(hall, "/api/v1/admin/halls/A01/counters/1", {"active": False}).json["active"] is False
    rating = {"id": str(uuid.uuid4()), "level": 5, "rated_at": at(-1)}
    results = device.post("/api/v1/device/ratings", {"ratings": [rating]}).json["results"]
    assert results[0]["status"] == "rejected" and results[0]["error"]["code"] == "deactivated"
    code = qrcodes.counter_code(composition.settings().qr_key, "A01", 1)
    page = hall.get(f"/r/{code}", token="")
    assert page.status == 410 and "暂停使用" in page.text
    posted = hall.request("POST", f"/r/{code}", "level=5", headers=FORM, token="")
    assert posted.status == 410
    assert composition.ratings().get_rating(rating["id"]) is None
    assert patch(hall, "/api/v1/admin/halls/A01/counters/1", {"active": True}).status == 200
    assert device.post("/api/v1/device/ratings", {"ratings": [rating]}).json["results"][0]["status"] == "created"


def test_a_deactivated_hall_takes_no_suggestions_but_keeps_its_history(hall: Api):
    assert patch(hall, "/api/v1/admin/halls/A01", {"active": False}).status == 200
    assert hall.get("/s/A01", token="").status == 410
    body = {"kind": "suggestion", "content": "大厅的椅子不够坐，建议增加。"}
    assert hall.request("POST", "/s/A01", body, headers={"Accept": "application/json"}, token="").status == 410
    assert hall.get("/api/v1/admin/halls/A01").json["active"] is False  # still there, never deleted


def test_moving_a_clerk_ends_their_shift_and_leaves_past_ratings_with_their_hall(hall: Api):
    device = device_of(hall, 2)
    assert device.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123", "at": at(-30)}).status == 204
    before = {"id": str(uuid.uuid4()), "level": 4, "rated_at": at(-20)}
    device.post("/api/v1/device/ratings", {"ratings": [before]})
    moved = patch(hall, "/api/v1/admin/staff/A0123", {"hall_code": "B02"})
    assert moved.status == 200 and moved.json["hall_code"] == "B02"
    after = {"id": str(uuid.uuid4()), "level": 5, "rated_at": at(0.1)}
    device.post("/api/v1/device/ratings", {"ratings": [after]})
    assert composition.ratings().get_rating(before["id"]).staff_no == "A0123"
    assert composition.ratings().get_rating(before["id"]).hall_code == "A01"
    assert composition.ratings().get_rating(after["id"]).staff_no is None  # the shift ended with the move
    assert [s["staff_no"] for s in hall.get("/api/v1/admin/halls/B02/staff").json["items"]] == ["A0123"]
    assert hall.get("/api/v1/admin/halls/A01/staff").json["items"] == []
    assert patch(hall, "/api/v1/admin/staff/A0123", {"hall_code": "ZZZ"}).status == 404


def make_manager(admin: Api, username: str = "mgr1", halls: tuple[str, ...] = ("A01",)) -> Api:
    password = "a-manager-password-1"
    body = {"username": username, "password": password, "role": "manager", "halls": list(halls)}
    assert admin.post("/api/v1/admin/users", body).status == 201
    user = Api(admin.client)
    user.token = user.login(username, password)
    return user


def test_a_departed_manager_is_deactivated_and_loses_access_at_once(hall: Api):
    manager = make_manager(hall)
    assert manager.get("/api/v1/admin/halls/A01").status == 200
    answer = patch(hall, "/api/v1/admin/users/mgr1", {"active": False})
    assert answer.status == 200 and answer.json["active"] is False
    assert manager.get("/api/v1/admin/halls/A01").status == 401  # the open session ends at once
    refused = hall.post("/api/v1/auth/login", {"username": "mgr1", "password": "a-manager-password-1"}, token="")
    assert refused.status == 401
    assert [u["active"] for u in hall.get("/api/v1/admin/users").json["items"] if u["username"] == "mgr1"] == [False]
    assert patch(hall, "/api/v1/admin/users/mgr1", {"active": True}).status == 200
    assert manager.get("/api/v1/admin/halls/A01").status == 401  # reactivation does not revive old sessions
    assert Api(hall.client).login("mgr1", "a-manager-password-1")


def test_a_managers_halls_and_role_change_and_act_at_once(hall: Api):
    manager = make_manager(hall)
    assert manager.get("/api/v1/admin/halls/B02").status == 403
    moved = patch(hall, "/api/v1/admin/users/mgr1", {"halls": ["B02"]})
    assert moved.status == 200 and moved.json["halls"] == ["B02"]
    assert manager.get("/api/v1/admin/halls/B02").status == 200
    assert manager.get("/api/v1/admin/halls/A01").status == 403
    assert patch(hall, "/api/v1/admin/users/mgr1", {"halls": []}).status == 400
    assert patch(hall, "/api/v1/admin/users/mgr1", {"halls": ["ZZZ"]}).status == 404
    assert patch(hall, "/api/v1/admin/users/nobody", {"active": False}).status == 404
    assert patch(manager, "/api/v1/admin/users/mgr1", {"role": "admin"}).status == 403


def test_an_admin_cannot_lock_themselves_out(hall: Api):
    answer = patch(hall, "/api/v1/admin/users/admin", {"active": False})
    assert answer.status == 409
    assert patch(hall, "/api/v1/admin/users/admin", {"role": "manager", "halls": ["A01"]}).status == 409
    assert hall.get("/api/v1/admin/halls").status == 200


def test_a_clerk_moved_today_is_still_named_on_last_weeks_buffered_presses_at_the_old_hall(hall: Api):
    device = device_of(hall, 1)
    earlier = {"id": str(uuid.uuid4()), "level": 5, "rated_at": at(-60), "staff_no": "A0123"}
    assert patch(hall, "/api/v1/admin/staff/A0123", {"hall_code": "B02"}).status == 200
    later = {"id": str(uuid.uuid4()), "level": 5, "rated_at": at(0.1), "staff_no": "A0123"}
    results = device.post("/api/v1/device/ratings", {"ratings": [earlier, later]}).json["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]  # A01's clerk then, B02's now
    assert results[1]["error"]["fields"] == {"staff_no": "belongs to another hall"}
    moved = hall.get("/api/v1/admin/halls/B02/staff").json["items"][0]
    assert moved["hall_code"] == "B02"
