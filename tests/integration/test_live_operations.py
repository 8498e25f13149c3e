"""Live operations against `make run`: ten bad ratings at one counter raise exactly one spike
alert, which good ratings resolve (through the pump's stream); a device silent for the threshold
while its hall is open raises one alert, and none for a hall that is closed; unrated visits move
``unrated_rate`` in hall-monthly."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.business_time import SHANGHAI
from devstack.dynamodb_local import ROOT
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "integration-admin-1"
OPEN_ALL_WEEK = {str(day): ["00:00", "23:59"] for day in range(1, 8)}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("live") / "data", PASSWORD)
    try:
        yield running
    finally:
        assert running.interrupt() == 0


@pytest.fixture(scope="module")
def token(stack: RunningStack) -> str:
    return str(stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"])


def hall_with_device(stack: RunningStack, token: str, code: str, hours: dict[str, list[str]] | None) -> str:
    hall = {"code": code, "name": f"{code}营业厅", "branch": "城东", "grade": "A"}
    assert stack.call("POST", "/api/v1/admin/halls", hall, token)[0] == 201
    assert stack.call("PATCH", f"/api/v1/admin/halls/{code}", {"hours": hours or {}}, token)[0] == 200
    assert stack.call("POST", f"/api/v1/admin/halls/{code}/counters", {"number": 3}, token)[0] == 201
    status, device = stack.call("POST", "/api/v1/admin/devices", {"hall_code": code, "counter_number": 3}, token)
    assert status == 201
    return str(device["key"])


def presses(levels: list[int], first_minutes: float) -> list[dict[str, object]]:
    start = datetime.now(UTC) + timedelta(minutes=first_minutes)
    return [
        {"id": str(uuid.uuid4()), "level": level, "rated_at": (start + timedelta(seconds=6 * i)).isoformat()}
        for i, level in enumerate(levels)
    ]


def alerts(stack: RunningStack, token: str, hall: str, status: str = "open") -> list[dict[str, object]]:
    code, listed = stack.call("GET", f"/api/v1/alerts?hall={hall}&status={status}", token=token)
    assert code == 200
    return list(listed["items"])


def test_ten_bad_ratings_raise_one_spike_alert_that_good_ratings_resolve(stack: RunningStack, token: str):
    key = hall_with_device(stack, token, "S01", OPEN_ALL_WEEK)
    assert stack.call("POST", "/api/v1/device/ratings", {"ratings": presses([1] * 10, -20)}, key)[0] == 200
    line = stack.wait_for_output("spike alerts changed", timeout=30)
    assert '"S01"' in line
    (alert,) = alerts(stack, token, "S01")
    assert (alert["kind"], alert["counter"], alert["detail"]) == (
        "negative_spike",
        3,
        "10 of 10 差评 in 60 min at 3号窗口",
    )
    assert stack.call("POST", "/api/v1/device/ratings", {"ratings": presses([5] * 30, -15)}, key)[0] == 200
    stack.wait_for_output("spike alerts changed", timeout=30)
    assert alerts(stack, token, "S01") == []
    assert [a["id"] for a in alerts(stack, token, "S01", "resolved")] == [alert["id"]]


def run_alert_checks(stack: RunningStack, at: datetime) -> None:
    """The alert_checks job, as the pump fires it, run by `make job` at a time of the test's choosing."""
    env = {
        **os.environ,
        "PORT": str(stack.port),
        "DYNAMODB_PORT": stack.db_port,
        "TINGSHENG_DATA_DIR": stack.data_dir,
    }
    for name in ("TINGSHENG_TABLE", "TINGSHENG_STAGE", "TINGSHENG_TOKEN_KEY"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "devstack.job", "alert_checks", "--at", at.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_silent_device_raises_one_alert_in_opening_hours_and_none_outside(stack: RunningStack, token: str):
    open_key = hall_with_device(stack, token, "D01", OPEN_ALL_WEEK)
    closed_key = hall_with_device(stack, token, "D02", None)  # closed every day
    for key in (open_key, closed_key):
        assert stack.call("POST", "/api/v1/device/heartbeat", {"buffered": 0, "firmware": "2.1.0"}, key)[0] == 204
    later = datetime.now(UTC) + timedelta(minutes=31)
    if later.astimezone(SHANGHAI).hour == 0:  # the open hall's day begins at 00:00: stay clear of it
        later += timedelta(hours=1)
    run_alert_checks(stack, later)
    run_alert_checks(stack, later + timedelta(minutes=5))  # the next run raises nothing more
    (alert,) = alerts(stack, token, "D01")
    assert alert["kind"] == "silent_device" and "3号窗口" in str(alert["detail"])
    assert alerts(stack, token, "D02") == []
    devices = stack.call("GET", "/api/v1/admin/halls/D02/devices", token=token)[1]["items"]
    assert [(d["firmware"], d["buffered"]) for d in devices] == [("2.1.0", 0)]


def test_unrated_visits_change_the_unrated_rate(stack: RunningStack, token: str):
    key = hall_with_device(stack, token, "U01", OPEN_ALL_WEEK)
    month = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m")
    assert stack.call("POST", "/api/v1/device/ratings", {"ratings": presses([5, 4, 5], -10)}, key)[0] == 200

    def row() -> dict[str, object]:
        listed = stack.call("GET", f"/api/v1/reports/hall-monthly?month={month}", token=token)[1]["items"]
        return next(r for r in listed if r["hall_code"] == "U01")

    assert (row()["unrated"], row()["unrated_rate"]) == (0, 0.0)
    visit = {"id": str(uuid.uuid4()), "at": datetime.now(UTC).isoformat()}
    answer = stack.call("POST", "/api/v1/device/unrated", {"items": [visit, visit]}, key)[1]
    assert [r["status"] for r in answer["results"]] == ["created", "duplicate"]
    assert (row()["unrated"], row()["unrated_rate"]) == (1, 0.25)
