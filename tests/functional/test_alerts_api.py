"""Alerts over HTTP (SPEC §4.9): the stream raises one spike alert from stored ratings, managers list
and acknowledge it, admins set the thresholds; a hall's devices show their health."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from tests.functional.test_callbacks_pipeline import deliver, insert_record
from tests.http import Api


def at(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def device(admin: Api) -> Api:
    admin.seed_hall("A01", counters=3)
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 3}).json
    api = Api(admin.client)
    api.token = created["key"]
    return api


def post_levels(device: Api, levels: list[int], first: float) -> list[str]:
    """Presses 6 s apart from ``first`` minutes from now (never misuse)."""
    items = [
        {"id": str(uuid.uuid4()), "level": level, "rated_at": at(first + i * 0.1), "reasons": []}
        for i, level in enumerate(levels)
    ]
    assert device.post("/api/v1/device/ratings", {"ratings": items}).status == 200
    return [i["id"] for i in items]


def stream(ids: list[str], start: int) -> None:
    records = [insert_record(f"RATING#{i}", "RATING", f"{start + n:021d}") for n, i in enumerate(ids)]
    assert deliver(records) == {"batchItemFailures": []}


def test_bad_ratings_at_one_counter_raise_one_alert_that_a_manager_acknowledges(device: Api, admin: Api):
    stream(post_levels(device, [1] * 10, -30), 100)
    stream(post_levels(device, [2] * 3, -25), 200)  # a second batch raises nothing more
    listed = admin.get("/api/v1/alerts?hall=A01").json["items"]
    assert [(a["kind"], a["counter"], a["detail"]) for a in listed] == [
        ("negative_spike", 3, "10 of 10 差评 in 60 min at 3号窗口")
    ]
    alert_id = listed[0]["id"]
    refused = admin.post(f"/api/v1/alerts/{alert_id}/acknowledge", {"note": ""})
    assert refused.status == 400 and "note" in refused.json["error"]["fields"]
    done = admin.post(f"/api/v1/alerts/{alert_id}/acknowledge", {"note": "已提醒窗口"})
    assert (done.status, done.json["status"], done.json["acknowledged_by"]) == (200, "acknowledged", "admin")
    assert admin.post(f"/api/v1/alerts/{alert_id}/acknowledge", {"note": "again"}).status == 409
    assert admin.post("/api/v1/alerts/nope/acknowledge", {"note": "x"}).status == 404
    assert admin.get("/api/v1/alerts?hall=A01&status=acknowledged").json["items"][0]["note"] == "已提醒窗口"
    assert admin.get("/api/v1/alerts?hall=A01&status=late").status == 400

    stream(post_levels(device, [5] * 40, -20), 300)
    resolved = admin.get("/api/v1/alerts?hall=A01&status=resolved").json["items"]
    assert [a["id"] for a in resolved] == [alert_id] and resolved[0]["resolved_at"]


def test_only_admins_set_thresholds_and_bad_values_name_the_field(admin: Api):
    admin.seed_hall("A01", counters=1)
    rules = {"spike_share": 0.5, "spike_min": 5, "spike_minutes": 30, "silent_minutes": 15}
    assert admin.request("PUT", "/api/v1/admin/alert-rules", rules).json == rules
    assert composition.alerts().rules().spike_min == 5
    bad = admin.request("PUT", "/api/v1/admin/alert-rules", rules | {"spike_share": 2})
    assert bad.status == 400 and "spike_share" in bad.json["error"]["fields"]
    user = {"username": "mgr.li", "password": "manager-pass-1", "role": "manager", "halls": ["A01"]}
    assert admin.post("/api/v1/admin/users", user).status == 201
    manager = Api(admin.client)
    manager.token = manager.login("mgr.li", "manager-pass-1")
    assert manager.request("PUT", "/api/v1/admin/alert-rules", rules).status == 403
    assert manager.get("/api/v1/alerts").status == 200  # their one hall
    assert manager.get("/api/v1/alerts?hall=B02").status == 403


def test_a_halls_devices_show_last_seen_the_clerk_buffered_firmware_and_silent(device: Api, admin: Api):
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}).status == 201
    silent = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["device_id"]
    assert device.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123"}).status == 204
    assert device.post("/api/v1/device/heartbeat", {"buffered": 2, "firmware": "2.1.0"}).status == 204
    items = {d["counter_number"]: d for d in admin.get("/api/v1/admin/halls/A01/devices").json["items"]}
    live = items[3]
    assert (live["signed_in"], live["buffered"], live["firmware"], live["silent"]) == ("A0123", 2, "2.1.0", False)
    assert live["last_seen_at"] and "key_hash" not in live
    assert (items[1]["device_id"], items[1]["last_seen_at"], items[1]["silent"]) == (silent, None, True)


def test_the_alerts_notification_reaches_the_hall_managers_inbox_once(device: Api, admin: Api):
    user = {"username": "mgr.li", "password": "manager-pass-1", "role": "manager", "halls": ["A01"]}
    assert admin.post("/api/v1/admin/users", user).status == 201
    manager = Api(admin.client)
    manager.token = manager.login("mgr.li", "manager-pass-1")
    stream(post_levels(device, [1] * 10, -30), 100)
    alert_id = admin.get("/api/v1/alerts?hall=A01").json["items"][0]["id"]
    record = insert_record(f"NOTIFY#alert-{alert_id}", "NOTIFY", "000000000000000000500")
    assert deliver([record, record]) == {"batchItemFailures": []}  # a retried record adds nothing
    listed = manager.get("/api/v1/notifications").json["items"]
    assert [(n["kind"], n["read_at"]) for n in listed] == [("alert_negative_spike", None)]
    assert admin.get("/api/v1/notifications").json["items"] == []  # admins are not this alert's audience
    note_id = listed[0]["notification_id"]
    assert admin.post(f"/api/v1/notifications/{note_id}/read").status == 404
    assert manager.post(f"/api/v1/notifications/{note_id}/read").status == 204
    assert manager.post(f"/api/v1/notifications/{note_id}/read").status == 204
    assert manager.get("/api/v1/notifications").json["items"][0]["read_at"]
    assert composition.inbox().unread("mgr.li") == 0
