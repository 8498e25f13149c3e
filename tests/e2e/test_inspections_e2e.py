"""End to end in Chromium against `make run`: an inspector records an undercover inspection on a
phone, one checklist section per screen, then the hall's star board explains each clerk."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_console_e2e import (
    INSPECTION_SCREENSHOTS,
    PASSWORD,
    SHANGHAI,
    Seeded,
    _drain,
    _missing,
    _ok,
    browse,
    screenshots_taken,
)
from tests.integration.stack import start_stack

pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))
INSPECTOR = "insp.e2e"
INSPECTOR_PASSWORD = "Inspector-e2e-2026"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("e2e-inspections")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or folder / "screenshots").resolve()
    shots.mkdir(parents=True, exist_ok=True)
    stack = start_stack(folder / "data", PASSWORD)
    reader = None
    try:
        token = str(
            _ok(stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD}), 200)["token"]
        )
        _ok(
            stack.call(
                "POST",
                "/api/v1/admin/halls",
                {"code": "A01", "name": "城东营业厅", "branch": "城东分中心", "grade": "A"},
                token,
            )
        )
        _ok(stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": 1}, token))
        _ok(stack.call("POST", "/api/v1/admin/staff", {"staff_no": "A0123", "name": "李娜", "hall_code": "A01"}, token))
        key = str(
            _ok(stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}, token))["key"]
        )
        shift = {"staff_no": "A0123", "at": (datetime.now(SHANGHAI) - timedelta(hours=1)).isoformat()}
        assert stack.call("PUT", "/api/v1/device/shift", shift, key)[0] == 204  # on shift when the form opens
        user = {"username": INSPECTOR, "password": INSPECTOR_PASSWORD, "role": "inspector", "halls": []}
        _ok(stack.call("POST", "/api/v1/admin/users", user, token))
        reader = _drain(stack)
        today = datetime.now(SHANGHAI)
        yield Seeded(stack, "", f"{today.year}Q{(today.month - 1) // 3 + 1}", shots)
    finally:
        if reader is None:
            assert stack.interrupt() == 0
        else:
            stack.process.send_signal(signal.SIGINT)
            assert stack.process.wait(timeout=60) == 0, "\n".join(stack.output[-30:])
            reader.join(timeout=10)


def test_an_inspector_records_an_undercover_inspection_on_a_phone_then_the_star_board(
    app: Seeded, axe_pages: list[dict[str, Any]]
):
    seen = browse(
        app,
        "inspections.mjs",
        axe_pages,
        E2E_USER=INSPECTOR,
        E2E_PASSWORD=INSPECTOR_PASSWORD,
        E2E_ADMIN_USER="admin",
        E2E_ADMIN_PASSWORD=PASSWORD,
    )
    assert seen["nav"] == ["明察暗访"]  # an inspector's console shows nothing else
    assert [s.split()[0] for s in seen["screens"]] == [
        "迎送客户",
        "分流导办",
        "咨询查询",
        "业务受理",
        "收费服务",
        "投诉举报",
    ]
    assert seen["fits"], "the inspection form is wider than the phone"
    assert "/console/inspections/" in seen["recorded_url"] and "检查已保存" in seen["detail"]
    assert "客户走近时未起身相迎" in seen["detail"] and "暗访" in seen["detail"]
    [stored] = _ok(
        app.stack.call("GET", f"/api/v1/inspections?hall=A01&month={datetime.now(SHANGHAI):%Y-%m}", token=app.token),
        200,
    )["items"]
    assert (stored["mode"], stored["staff_no"], stored["inspector"]) == ("undercover", "A0123", INSPECTOR)
    assert seen["board_rows"] == 1 and "服务之星" in seen["explanation"] and "检查平均分" in seen["explanation"]
    screenshots_taken(app, INSPECTION_SCREENSHOTS)
