"""End to end: the console in a real headless Chromium against `make run`'s stack.

Seeds a hall through the JSON API (admin token), lets the pump turn a bad QR
rating and a complaint into callback tasks, then drives the browser through
tests/e2e/console.mjs (playwright-core) and checks what it saw and what the
API stored. Screenshots go to $E2E_SCREENSHOTS_DIR (docs/screenshots for the
README), else to a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from devstack.dynamodb_local import ROOT
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "e2e-admin-password-1"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
SCRIPT = Path(__file__).with_name("console.mjs")
SHANGHAI = timezone(timedelta(hours=8))
SCREENSHOTS = (
    "login",
    "dashboard",
    "suggestions",
    "callbacks",
    "ranking",
    "appeals",
    "qr-sheet",
    "outreach",
    "admin-hall",
    "phone-callbacks",
)
MAX_SCREENSHOT_BYTES = 400_000


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}: run `make e2e` as root (it installs Debian's chromium) or set E2E_CHROMIUM"
    if shutil.which("node") is None:
        return "no node: install Node.js"
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        return "no node_modules/playwright-core: run `npm ci`"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))


def _ok(answer: tuple[int, Any], status: int = 201) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def device_ratings(levels: list[int], staff_no: str) -> list[dict[str, Any]]:
    """Ratings over the last six days at opening hours, minutes apart (never a misuse press), oldest first."""
    today = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    times = sorted(
        today.replace(hour=9 + i * 7 % 9, minute=i * 13 % 60) - timedelta(days=1 + i % 6) for i in range(len(levels))
    )
    businesses = ("fee_payment", "new_connection", "inquiry", "invoice")
    return [
        {
            "id": str(uuid.uuid4()),
            "level": level,
            "staff_no": staff_no,
            "business": businesses[n % len(businesses)],
            "rated_at": at.isoformat(),
            "reasons": (["long_wait"] if n % 2 else ["attitude"]) if level <= 3 else [],
        }
        for n, (level, at) in enumerate(zip(levels, times, strict=True))
    ]


def post_form(stack: RunningStack, path: str, body: str) -> dict[str, str]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        stack.url(path),
        data=body.encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        return dict(json.loads(answer.read()))


def seed(stack: RunningStack) -> str:
    token = str(
        _ok(stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD}), 200)["token"]
    )
    hall = {"code": "A01", "name": "城东营业厅", "branch": "城东分中心", "grade": "A"}
    _ok(stack.call("POST", "/api/v1/admin/halls", hall, token))
    for number, (staff_no, name) in enumerate((("A0123", "李娜"), ("A0456", "王强")), start=1):
        _ok(stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": number}, token))
        _ok(stack.call("POST", "/api/v1/admin/staff", {"staff_no": staff_no, "name": name, "hall_code": "A01"}, token))
        device = _ok(stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": number}, token))
        key = str(device["key"])
        levels = [5] * 30 + [4] * 4 + [3, 2] if number == 1 else [5] * 22 + [4] * 8 + [3] * 3 + [2, 1, 1]
        batch = device_ratings(levels, staff_no)
        results = _ok(stack.call("POST", "/api/v1/device/ratings", {"ratings": batch}, key), 200)
        assert {r["status"] for r in results["results"]} == {"created"}, results
    # A manager appeals one of counter 2's 非常不满意 ratings: the admin decides it in the console.
    manager = {"username": "mgr.zhao", "password": "manager-pass-1", "role": "manager", "halls": ["A01"]}
    _ok(stack.call("POST", "/api/v1/admin/users", manager, token))
    sign_in = {"username": manager["username"], "password": manager["password"]}
    manager_token = str(_ok(stack.call("POST", "/api/v1/auth/login", sign_in), 200)["token"])
    appealed = next(r["id"] for r in batch if r["level"] == 1)
    appeal = {"ground": "malicious", "note": "同一客户当天连续差评"}
    _ok(stack.call("POST", f"/api/v1/ratings/{appealed}/appeal", appeal, manager_token))
    qr = _ok(stack.call("GET", "/api/v1/admin/halls/A01/qr-codes", token=token), 200)
    code = str(qr["counters"][0]["url"]).rsplit("/r/", 1)[1]
    post_form(stack, f"/r/{code}", "level=1&reasons=attitude&reasons=long_wait&phone=13812345678&consent=1")
    stack.wait_for_output("callback task opened", 20)
    complaint = {"kind": "complaint", "content": "缴费窗口排队太久", "phone": "13900001111", "consent": "1"}
    post_form(stack, "/s/A01", urlencode(complaint | {"wants_reply": "1"}))
    stack.wait_for_output("callback task opened", 20)
    return token


def test_a_manager_works_the_console_in_a_real_browser(tmp_path: Path):
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or tmp_path / "screenshots").resolve()
    shots.mkdir(parents=True, exist_ok=True)
    stack = start_stack(tmp_path / "data", PASSWORD)
    try:
        token = seed(stack)
        env = {
            **os.environ,
            "E2E_BASE_URL": stack.url(""),
            "E2E_USER": "admin",
            "E2E_PASSWORD": PASSWORD,
            "E2E_HALL": "A01",
            "E2E_SCREENSHOTS_DIR": str(shots),
            "E2E_CHROMIUM": CHROMIUM,
        }
        run = subprocess.run(
            ["node", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
        )
        assert run.stdout.strip(), run.stderr
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        assert seen["ok"], seen.get("error")

        assert "/console/login?next=" in seen["login_url"]
        assert seen["after_login_url"].endswith("/console/callbacks?hall=A01")
        assert seen["session_cookie"] == [{"httpOnly": True, "sameSite": "Lax", "path": "/console"}]
        assert seen["dashboard_svgs"] == 4
        assert "城东营业厅" in seen["dashboard_title"]
        assert "新收到 1 条" in seen["box_flash"]
        assert "已答复" in seen["reply_flash"]
        assert seen["reply_shown"] == 1
        assert (seen["tasks_before"], seen["tasks_after"]) == (2, 1)
        assert "已记录回访" in seen["attempt_flash"]
        assert "任务已办结" in seen["close_flash"]
        assert seen["ranking_rows"] == 2
        assert "申诉已提交" in seen["appeal_flash"]
        assert (seen["appeal_cards"], seen["appeal_decide_forms"]) == (2, 1)  # not the admin's own appeal
        assert (seen["qr_cards"], seen["qr_images_loaded"]) == (3, 3)
        assert seen["csv_bom"] == "efbbbf"
        assert seen["csv_header"].startswith("月份,分中心,营业厅编码,营业厅,评价数")
        assert seen["csv_name"].endswith(".csv")
        assert seen["outreach_rows"] == 1
        assert seen["admin_devices"] == 2
        assert seen["english_heading"] == "Last 90 days"
        assert seen["english_nav_keeps_lang"] == "/console/dashboard?lang=en"
        assert seen["phone_scroll_width"] <= 390
        assert "/console/login" in seen["after_logout_url"]

        closed = _ok(stack.call("GET", "/api/v1/callbacks?hall=A01&status=closed", token=token), 200)
        assert [(t["id"], t["outcome"]) for t in closed["items"]] == [(seen["first_task"], "resolved_satisfied")]
        (suggestion,) = _ok(stack.call("GET", "/api/v1/suggestions?hall=A01", token=token), 200)["items"]
        assert (suggestion["status"], suggestion["reply"]) == ("replied", "您好，已增开两个缴费窗口，感谢您的意见。")
        for name in SCREENSHOTS:
            png = (shots / f"{name}.png").read_bytes()
            assert png.startswith(b"\x89PNG\r\n\x1a\n")
            assert len(png) < MAX_SCREENSHOT_BYTES, (name, len(png))
    finally:
        assert stack.interrupt() == 0
