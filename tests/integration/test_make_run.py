"""`make run`'s stack end to end: DynamoDB Local, tables, first admin, HTTP, restart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.stack import start_stack

PASSWORD = "integration-admin-1"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_the_stack_serves_the_admin_api_and_keeps_its_data_across_a_restart(data_dir: Path):
    stack = start_stack(data_dir, PASSWORD)
    try:
        assert stack.call("GET", "/healthz") == (200, {"status": "ok"})
        status, login = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})
        assert status == 200
        token = login["token"]
        hall = {"code": "A01", "name": "城东营业厅", "branch": "城东分中心", "grade": "A"}
        assert stack.call("POST", "/api/v1/admin/halls", hall, token)[0] == 201
        assert stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": 1}, token)[0] == 201
        assert (
            stack.call("POST", "/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}, token)[
                0
            ]
            == 201
        )
        status, device = stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}, token)
        assert status == 201
        assert stack.call("DELETE", f"/api/v1/admin/devices/{device['device_id']}", token=token)[0] == 204
        user = {"username": "zhang.m", "password": "manager-pass-1", "role": "manager", "halls": ["A01"]}
        assert stack.call("POST", "/api/v1/admin/users", user, token)[0] == 201
        status, missing = stack.call("GET", "/no/such/route")
        assert (status, missing["error"]["code"]) == (404, "not_found")
        java_pid = int((data_dir / "dynamodb-local.pid").read_text())
    finally:
        code = stack.interrupt()
    assert code == 0
    assert not _alive(java_pid), "DynamoDB Local outlived make run"
    assert not any("Traceback" in line for line in stack.output), stack.output

    again = start_stack(data_dir, "a-different-password")
    try:
        assert not any("Created" in line for line in again.output), again.output
        # The token key is kept with the data: a token from before the restart still works.
        assert again.call("GET", "/api/v1/admin/halls/A01", token=token)[1]["name"] == "城东营业厅"
        status, relogin = again.call(
            "POST", "/api/v1/auth/login", {"username": "zhang.m", "password": "manager-pass-1"}
        )
        assert status == 200
        assert [h["code"] for h in again.call("GET", "/api/v1/admin/halls", token=relogin["token"])[1]["items"]] == [
            "A01"
        ]
    finally:
        assert again.interrupt() == 0
