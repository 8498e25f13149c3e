import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from tests.http import Api


def now_iso(minutes: int = 0, seconds: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes, seconds=seconds)).isoformat()


@pytest.fixture
def device(admin: Api) -> Api:
    admin.seed_hall("A01", counters=2)
    admin.seed_hall("B02", counters=1)
    for staff_no, hall in (("A0123", "A01"), ("A0456", "A01"), ("B0001", "B02")):
        assert (
            admin.post("/api/v1/admin/staff", {"staff_no": staff_no, "name": "张三", "hall_code": hall}).status == 201
        )
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json
    api = Api(admin.client)
    api.token = created["key"]
    api.device_id = created["device_id"]  # type: ignore[attr-defined]
    return api


def item(level: int = 5, minutes: int = -30, seconds: int = 0, **over):
    return {
        "id": str(uuid.uuid4()),
        "level": level,
        "rated_at": now_iso(minutes=minutes, seconds=seconds),
        "business": "fee_payment",
        "reasons": [],
    } | over


def test_created_duplicate_and_rejected_items_answer_in_request_order(device: Api):
    good = item(seconds=0)
    batch = [good, item(level=9, seconds=10), item(seconds=20, staff_no="B0001"), dict(good), item(seconds=30)]
    answer = device.post("/api/v1/device/ratings", {"ratings": batch})
    assert answer.status == 200
    results = answer.json["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "duplicate", "created"]
    assert [r["id"] for r in results] == [b["id"] for b in batch]
    assert results[1]["error"]["fields"] == {"level": "Input should be less than or equal to 5"}
    assert results[2]["error"]["fields"] == {"staff_no": "belongs to another hall"}
    again = device.post("/api/v1/device/ratings", {"ratings": batch}).json["results"]
    assert [r["status"] for r in again] == ["duplicate", "rejected", "rejected", "duplicate", "duplicate"]


def shift(device: Api, staff_no: str | None, minutes: int) -> int:
    """Sign a clerk in (or out, with None) at the device clock, ``minutes`` from now."""
    if staff_no is None:
        return device.request("DELETE", "/api/v1/device/shift", {"at": now_iso(minutes=minutes)}).status
    return device.request("PUT", "/api/v1/device/shift", {"staff_no": staff_no, "at": now_iso(minutes=minutes)}).status


def test_a_clerk_signed_in_at_the_device_gets_its_ratings(device: Api):
    assert shift(device, "A0456", -1) == 204
    rated = item() | {"rated_at": now_iso(seconds=-30)}
    device.post("/api/v1/device/ratings", {"ratings": [rated]})
    assert composition.ratings().get_rating(rated["id"]).staff_no == "A0456"
    assert device.delete("/api/v1/device/shift").status == 204  # no body: at now
    later = item() | {"rated_at": now_iso(seconds=2)}
    device.post("/api/v1/device/ratings", {"ratings": [later]})
    assert composition.ratings().get_rating(later["id"]).staff_no is None
    assert device.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123"}).status == 204  # at: now
    refused = device.request("PUT", "/api/v1/device/shift", {"staff_no": "B0001"})
    assert (refused.status, refused.json["error"]["fields"]) == (400, {"staff_no": "belongs to another hall"})


def test_a_clerks_buffered_ratings_stay_theirs_after_the_next_clerk_signs_in(device: Api, admin: Api):
    assert shift(device, "A0123", -60) == 204  # clerk A serves from 09:00
    # The device goes offline; clerk B signs in at 10:00; then A's 09:xx presses arrive without staff_no.
    assert shift(device, "A0456", -5) == 204
    presses = [item(level, minutes) for level, minutes in ((1, -40), (5, -30), (4, -20))]
    answer = device.post("/api/v1/device/ratings", {"ratings": presses})
    assert [r["status"] for r in answer.json["results"]] == ["created"] * 3
    assert {composition.ratings().get_rating(p["id"]).staff_no for p in presses} == {"A0123"}
    assert shift(device, "A0456", -5) == 204  # the same sign-in again changes nothing
    assert shift(device, None, 1) == 204
    assert shift(device, "A0123", 10) == 400  # beyond the clock window


def test_a_reversed_late_burst_counts_once(device: Api, admin: Api):
    burst = [item(1) | {"rated_at": now_iso(minutes=-30, seconds=s)} for s in (3, 2, 1, 0)]
    results = device.post("/api/v1/device/ratings", {"ratings": burst}).json["results"]
    assert [r["status"] for r in results] == ["created"] * 4
    assert sorted(composition.ratings().get_rating(p["id"]).misuse for p in burst) == [False, True, True, True]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"ratings": []}, 400, "ratings"),
        ({"ratings": "x"}, 400, "ratings"),
        ({"items": []}, 400, "ratings"),
        ([1, 2], 400, "ratings"),
        ("{", 400, "body"),
    ],
)
def test_a_body_that_is_not_a_batch_is_a_400(device: Api, body, status, field):
    answer = device.post("/api/v1/device/ratings", body)
    assert answer.status == status
    assert field in answer.json["error"]["fields"]


def test_more_than_100_items_is_a_413_and_stores_nothing(device: Api):
    batch = [item(seconds=i * 5) for i in range(101)]
    answer = device.post("/api/v1/device/ratings", {"ratings": batch})
    assert answer.status == 413
    assert composition.ratings().get_rating(batch[0]["id"]) is None


def test_a_missing_unknown_or_revoked_key_is_a_401(device: Api, admin: Api):
    batch = {"ratings": [item()]}
    assert device.post("/api/v1/device/ratings", batch, token="").status == 401
    assert device.post("/api/v1/device/ratings", batch, token=device.token + "x").status == 401
    assert device.post("/api/v1/device/ratings", batch, token=admin.token).status == 401
    assert admin.delete(f"/api/v1/admin/devices/{device.device_id}").status == 204
    assert device.post("/api/v1/device/ratings", batch).status == 401


def test_timestamps_outside_the_window_and_naive_ones_are_rejected(device: Api):
    batch = [
        item(rated_at=now_iso(minutes=-60 * 24 * 8)),
        item(rated_at=now_iso(minutes=6)),
        item(rated_at="2026-11-24T10:12:03"),
    ]
    results = device.post("/api/v1/device/ratings", {"ratings": batch}).json["results"]
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert all("rated_at" in r["error"]["fields"] for r in results)


def test_presses_three_seconds_apart_are_stored_as_misuse(device: Api):
    first, second = item(seconds=0), item(seconds=1)
    device.post("/api/v1/device/ratings", {"ratings": [first, second]})
    assert composition.ratings().get_rating(first["id"]).misuse is False
    assert composition.ratings().get_rating(second["id"]).misuse is True
