"""未评价 and heartbeats (SPEC §4.2): a device's unrated visits are idempotent, attributed like
ratings, and move 未评价率 in the hall and staff reports; any device call marks it seen."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from chalicelib.domain.business_time import SHANGHAI
from tests.http import Api


def at(minutes: int = -30) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def month() -> str:
    return datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m")


@pytest.fixture
def device(admin: Api) -> Api:
    admin.seed_hall("A01", counters=2)
    for staff_no, hall in (("A0123", "A01"), ("A0456", "A01")):
        assert (
            admin.post("/api/v1/admin/staff", {"staff_no": staff_no, "name": "张三", "hall_code": hall}).status == 201
        )
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json
    api = Api(admin.client)
    api.token = created["key"]
    api.device_id = created["device_id"]  # type: ignore[attr-defined]
    return api


def visit(minutes: int = -30, **over):  # type: ignore[no-untyped-def]
    return {"id": str(uuid.uuid4()), "at": at(minutes)} | over


def rating(minutes: int = -31):  # type: ignore[no-untyped-def]
    return {"id": str(uuid.uuid4()), "level": 5, "rated_at": at(minutes), "reasons": []}


def test_unrated_visits_count_once_and_move_the_unrated_rate(device: Api, admin: Api):
    assert device.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123", "at": at(-60)}).status == 204
    assert device.post("/api/v1/device/ratings", {"ratings": [rating(-50), rating(-49), rating(-48)]}).status == 200
    batch = [visit(-40), visit(-39, staff_no="A0456"), visit(-38, staff_no="Z999"), visit(-60 * 24 * 8)]
    answer = device.post("/api/v1/device/unrated", {"items": batch})
    assert answer.status == 200
    results = answer.json["results"]
    assert [r["status"] for r in results] == ["created", "created", "rejected", "rejected"]
    assert results[2]["error"]["fields"] == {"staff_no": "unknown staff number"}
    assert results[3]["error"]["fields"] == {"at": "more than 7 days ago"}
    again = device.post("/api/v1/device/unrated", {"items": batch[:2]}).json["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]

    hall = admin.get(f"/api/v1/reports/hall-monthly?month={month()}").json["items"][0]
    assert (hall["unrated"], hall["unrated_rate"]) == (2, 0.4)  # 2 / (3 device ratings + 2)
    staff = {
        r["staff_no"]: r for r in admin.get(f"/api/v1/reports/staff-monthly?month={month()}&hall=A01").json["items"]
    }
    assert (staff["A0123"]["unrated"], staff["A0123"]["unrated_rate"]) == (1, 0.25)  # signed in: attributed
    assert (staff["A0456"]["unrated"], staff["A0456"]["unrated_rate"]) == (1, 1.0)
    csv = admin.get(f"/api/v1/reports/hall-monthly.csv?month={month()}&lang=en").text
    header, row = csv.strip().splitlines()[:2]
    assert header.lstrip("\ufeff").split(",")[-2:] == ["unrated", "unrated_rate"]
    assert row.split(",")[-2:] == ["2", "0.4000"]


def test_a_batch_that_is_not_a_list_of_visits_is_refused(device: Api):
    assert device.post("/api/v1/device/unrated", {"items": []}).status == 400
    assert device.post("/api/v1/device/unrated", {"visits": [visit()]}).json["error"]["fields"] == {
        "items": "a list of 1 to 100 visits"
    }
    assert device.post("/api/v1/device/unrated", {"items": [visit() for _ in range(101)]}).status == 413


def test_any_device_call_marks_it_seen_and_a_heartbeat_reports_its_health(device: Api, admin: Api):
    device_id = device.device_id  # type: ignore[attr-defined]
    assert composition.organisation().get_device(device_id).last_seen_at is None  # type: ignore[union-attr]
    assert device.post("/api/v1/device/heartbeat", {"buffered": 3, "firmware": "2.1.0"}).status == 204
    stored = composition.organisation().get_device(device_id)
    assert stored is not None and stored.last_seen_at is not None
    assert (stored.buffered, stored.firmware) == (3, "2.1.0")
    assert device.post("/api/v1/device/heartbeat", {"buffered": -1}).json["error"]["fields"] == {
        "buffered": "Input should be greater than or equal to 0"
    }
    assert Api(admin.client).post("/api/v1/device/heartbeat", {"buffered": 0}).status == 401
