"""Under `make run`: a clerk's buffered ratings are credited to that clerk, and a
reversed late burst counts once (SPEC §3 Attribution, Misuse)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.domain.business_time import SHANGHAI
from tests.integration.stack import start_stack

PASSWORD = "integration-admin-1"


def at(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def press(level: int, minutes: float) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "level": level, "rated_at": at(minutes)}


def test_the_offline_rotation_story_credits_each_clerk_with_their_own_ratings(tmp_path: Path):
    hour_ago = datetime.now(SHANGHAI) - timedelta(minutes=61)
    if hour_ago.month != datetime.now(SHANGHAI).month:
        pytest.skip("the story's hour would straddle two months (Asia/Shanghai): its totals split")
    stack = start_stack(tmp_path / "data", PASSWORD)
    try:
        token = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        hall = {"code": "A01", "name": "城东营业厅", "branch": "城东", "grade": "A"}
        assert stack.call("POST", "/api/v1/admin/halls", hall, token)[0] == 201
        stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": 3}, token)
        for staff_no, name in (("A0001", "张三"), ("A0002", "李四")):
            stack.call("POST", "/api/v1/admin/staff", {"staff_no": staff_no, "name": name, "hall_code": "A01"}, token)
        key = stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 3}, token)[1]["key"]

        # Clerk A serves from an hour ago; the device goes offline and buffers A's presses.
        assert stack.call("PUT", "/api/v1/device/shift", {"staff_no": "A0001", "at": at(-60)}, key)[0] == 204
        buffered = [press(1, -50), press(5, -40), press(4, -30)]
        # Clerk B signs in ten minutes ago; only then does the device come back and upload, newest first.
        assert stack.call("PUT", "/api/v1/device/shift", {"staff_no": "A0002", "at": at(-10)}, key)[0] == 204
        burst = [press(2, -5 + s / 60) for s in (3, 2, 1, 0)]  # four presses a second apart, B's, reversed
        status, answer = stack.call("POST", "/api/v1/device/ratings", {"ratings": buffered[::-1] + burst}, key)
        assert status == 200 and [r["status"] for r in answer["results"]] == ["created"] * 7
        # The same upload again (the answer was lost): nothing counts twice.
        again = stack.call("POST", "/api/v1/device/ratings", {"ratings": buffered + burst}, key)[1]
        assert {r["status"] for r in again["results"]} == {"duplicate"}

        month = datetime.now(SHANGHAI).strftime("%Y-%m")
        status, report = stack.call("GET", f"/api/v1/reports/staff-monthly?month={month}&hall=A01", token=token)
        assert status == 200
        rows = {r["staff_no"]: (r["total"], r["n5"], r["n4"], r["n2"], r["n1"]) for r in report["items"]}
        assert rows["A0001"] == (3, 1, 1, 0, 1)  # A's 差评 stays A's
        assert rows["A0002"] == (1, 0, 0, 1, 0)  # the burst counts once
        status, hall_month = stack.call("GET", f"/api/v1/reports/hall-monthly?month={month}&hall=A01", token=token)
        assert status == 200 and hall_month["items"][0]["misuse"] == 3
    finally:
        assert stack.interrupt() == 0
