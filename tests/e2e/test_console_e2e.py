"""End to end: the console and the customer's pages in a real headless Chromium against `make run`'s stack.

One stack for the module: a hall seeded through the JSON API (admin token), the
pump turning a bad QR rating and a complaint into callback tasks. Each test
drives the browser through a script beside this file (playwright-core; the
shared steps in harness.mjs) and checks what it saw and what the API stored.
axe-core runs on every page a script visits: a serious or critical violation
fails the test, listed. Screenshots go to $E2E_SCREENSHOTS_DIR (docs/screenshots
for the README), else to a temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from devstack.dynamodb_local import ROOT
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "e2e-admin-password-1"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
HERE = Path(__file__).parent
SHANGHAI = timezone(timedelta(hours=8))
CONSOLE_SCREENSHOTS = (
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
PUBLIC_SCREENSHOTS = ("rating",)
TICKET_SCREENSHOTS = ("tickets", "ticket")
INSPECTION_SCREENSHOTS = ("phone-inspection", "stars")  # tests/e2e/test_inspections_e2e.py
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


def seed(stack: RunningStack) -> tuple[str, str]:
    """The admin's token and counter 1's QR code."""
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
    return token, code


@dataclass
class Seeded:
    stack: RunningStack
    qr_code: str
    quarter: str
    shots: Path

    @property
    def token(self) -> str:
        """A new admin token: signing out of the console ends the admin's earlier ones."""
        sign_in = {"username": "admin", "password": PASSWORD}
        return str(_ok(self.stack.call("POST", "/api/v1/auth/login", sign_in), 200)["token"])


def _drain(stack: RunningStack) -> threading.Thread:
    """Keeps reading the stack's output once seeding no longer waits on it, so a long browser run
    never fills the pipe and stalls the app on a log line."""

    def read() -> None:
        assert stack.process.stdout is not None
        for line in stack.process.stdout:
            stack.output.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("e2e")
    shots = Path(os.environ.get("E2E_SCREENSHOTS_DIR") or folder / "screenshots").resolve()
    shots.mkdir(parents=True, exist_ok=True)
    stack = start_stack(folder / "data", PASSWORD)
    reader = None
    try:
        _, code = seed(stack)
        reader = _drain(stack)
        today = datetime.now(SHANGHAI)
        yield Seeded(stack, code, f"{today.year}Q{(today.month - 1) // 3 + 1}", shots)
    finally:
        if reader is None:
            assert stack.interrupt() == 0
        else:  # one Ctrl-C, as `make run` expects; the reader sees the rest of the output
            stack.process.send_signal(signal.SIGINT)
            assert stack.process.wait(timeout=60) == 0, "\n".join(stack.output[-30:])
            reader.join(timeout=10)


def browse(app: Seeded, script: str, axe_pages: list[dict[str, Any]], timeout: int = 120, **extra: str) -> Any:
    """Runs tests/e2e/<script> against the stack; what it saw. Fails on a page axe-core faults."""
    env = {
        **os.environ,
        "E2E_BASE_URL": app.stack.url(""),
        "E2E_USER": "admin",
        "E2E_PASSWORD": PASSWORD,
        "E2E_HALL": "A01",
        "E2E_SCREENSHOTS_DIR": str(app.shots),
        "E2E_CHROMIUM": CHROMIUM,
        **extra,
    }
    run = subprocess.run(
        ["node", str(HERE / script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert run.stdout.strip(), run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["ok"], seen.get("error")
    axe = seen["axe"]
    axe_pages.extend({"script": script, **page} for page in axe["checked"])
    assert axe["checked"], "axe-core checked no page"
    assert not axe["unchecked"], f"pages loaded but not checked by axe-core: {axe['unchecked']}"
    faults = [
        f"{v['url']} ({v['label']}): {v['id']} [{v['impact']}] {v['help']} ({v['count']} elements)\n"
        + "".join(f"    {n['target']}: {' '.join(n['summary'].split())}\n" for n in v["nodes"])
        for v in axe["violations"]
    ]
    assert not faults, "axe-core found serious or critical violations:\n" + "".join(faults)
    return seen


def screenshots_taken(app: Seeded, names: tuple[str, ...]) -> None:
    for name in names:
        png = (app.shots / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert len(png) < MAX_SCREENSHOT_BYTES, (name, len(png))


def checked_paths(seen: Any) -> set[str]:
    return {page["url"].split("?")[0] for page in seen["axe"]["checked"]}


def events_titled(app: Seeded, title: str) -> list[dict[str, Any]]:
    listed = _ok(app.stack.call("GET", f"/api/v1/outreach/events?quarter={app.quarter}&hall=A01", token=app.token), 200)
    return [e for e in listed["items"] if e["title"] == title]


def test_a_manager_works_the_console_in_a_real_browser(app: Seeded, axe_pages: list[dict[str, Any]]):
    seen = browse(app, "console.mjs", axe_pages, timeout=240)

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
    assert "已发布第 1 版" in seen["publish_flash"]
    assert seen["public_outreach_rows"] >= 1
    assert seen["admin_devices"] == 2
    assert seen["english_heading"] == "Last 90 days"
    assert seen["english_nav_keeps_lang"] == "/console/dashboard?lang=en"
    assert seen["phone_scroll_width"] <= 390
    assert "/console/login" in seen["after_logout_url"]
    # Every console page a person opens was checked by axe-core.
    console_pages = {
        "/console/login",
        "/console/dashboard",
        "/console/suggestions",
        "/console/callbacks",
        "/console/ranking",
        "/console/ratings",
        "/console/appeals",
        "/console/qr",
        "/console/reports",
        "/console/outreach",
        "/console/outreach/events",
        "/console/outreach/new",
        "/console/admin",
        "/console/admin/halls/A01",
        "/console/admin/staff/A0123",
        "/console/admin/audit",
        "/console/calendar",
        f"/outreach/{app.quarter}",
    }
    assert console_pages <= checked_paths(seen), console_pages - checked_paths(seen)

    screenshots_taken(app, CONSOLE_SCREENSHOTS)

    token = app.token
    closed = _ok(app.stack.call("GET", "/api/v1/callbacks?hall=A01&status=closed", token=token), 200)
    assert [(t["id"], t["outcome"]) for t in closed["items"]] == [(seen["first_task"], "resolved_satisfied")]
    (suggestion,) = _ok(app.stack.call("GET", "/api/v1/suggestions?hall=A01", token=token), 200)["items"]
    assert (suggestion["status"], suggestion["reply"]) == ("replied", "您好，已增开两个缴费窗口，感谢您的意见。")


def test_a_customer_uses_the_public_pages_on_a_phone(app: Seeded, axe_pages: list[dict[str, Any]]):
    _ok(app.stack.call("POST", f"/api/v1/outreach/{app.quarter}/publish", token=app.token))
    seen = browse(app, "public.mjs", axe_pages, E2E_QR_CODE=app.qr_code, E2E_QUARTER=app.quarter)

    # Five faces drawn as SVG, each beside its words; no character that needs an emoji font.
    assert seen["faces"] == 5
    assert all(24 <= width <= 40 for width in seen["face_widths"]), seen["face_widths"]
    assert not seen["emoji_in_page"]
    names = [" ".join(t.split()) for t in seen["level_names"]]
    assert names == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert seen["rating_refused_errors"] >= 1 and seen["rating_kept_phone"] == "13800001234"
    assert "/thanks?f=" in seen["thanks_url"] and seen["follow_up_links"] == 1
    assert seen["suggestion_kept"] == "希望营业厅增加老年人座椅"
    assert seen["track_url"].startswith(f"/track/{seen['tracking_no']}?phone4=")
    assert seen["outreach_rows"] >= 1
    assert (seen["results_kpis"], seen["results_trend"]) == (6, 1)
    assert seen["not_found_status"] == 404
    customer_pages = {
        "/",
        f"/r/{app.qr_code}",
        f"/r/{app.qr_code}/thanks",
        f"/outreach/{app.quarter}",
        "/s/A01",
        "/p/A01",
    }
    paths = checked_paths(seen)
    assert customer_pages <= paths, customer_pages - paths
    assert {p.split("/")[1] for p in paths} >= {"f", "s", "track"}
    labels = {page["label"] for page in seen["axe"]["checked"]}
    assert {"suggestion receipt", "follow-up", "tracking", "not found"} <= labels
    screenshots_taken(app, PUBLIC_SCREENSHOTS)


def test_back_then_resubmitting_a_five_visits_event_stores_one_event(app: Seeded, axe_pages: list[dict[str, Any]]):
    title = f"五进社区：安全用电宣传 {uuid.uuid4().hex[:6]}"
    seen = browse(app, "forms.mjs", axe_pages, E2E_SCENARIO="outreach-back", E2E_EVENT_TITLE=title)

    key = seen["form_key"]
    assert f"key={key}" in seen["form_url"] and seen["copy_key"] == key
    stored = events_titled(app, title)
    assert len(stored) == 1, f"Back, then submitting again stored {len(stored)} events: {seen}"
    assert uuid.UUID(stored[0]["event_id"]) == uuid.UUID(key)
    key = uuid.UUID(key).hex  # as event addresses spell it
    assert seen["recorded_url"] == f"/console/outreach/events/{key}?done=recorded", seen["recorded_url"]
    # Whether Back showed the form again or the event it recorded, both ends lead to that one event.
    assert seen["resubmit_url"].startswith(f"/console/outreach/events/{key}"), seen
    assert seen["copy_url"] == f"/console/outreach/events/{key}?done=already", seen
    assert any("只登记了一次" in flash for flash in seen["copy_flash"]), seen["copy_flash"]


def test_a_refused_console_form_keeps_its_values_and_says_why_beside_the_field(
    app: Seeded, axe_pages: list[dict[str, Any]]
):
    seen = browse(app, "forms.mjs", axe_pages, E2E_SCENARIO="invalid-form")

    # A callback task closed as unreachable before three calls that did not reach the customer.
    assert seen["close_status"] == 400
    assert seen["close_url"].startswith("/console/callbacks")
    outcome = seen["close_outcome"]
    assert outcome is not None, f"the refused close form did not come back: the page was {seen['close_page']!r}"
    assert (outcome["value"], outcome["invalid"], outcome["beside"]) == ("unreachable", True, True), outcome
    assert "须先记录 3 次未接通的回访" in outcome["message"], outcome
    assert outcome["message_in_view"], "the page should open at the refused form"
    assert seen["close_note"] == "打了一次没人接"
    task = _ok(app.stack.call("GET", f"/api/v1/callbacks/{seen['task']}", token=app.token), 200)
    assert task["status"] != "closed"

    # A 五进 event whose title is only spaces.
    assert seen["event_status"] == 400
    title = seen["event_title"]
    assert title is not None, "the refused 五进 form did not come back"
    assert (title["invalid"], title["beside"]) == (True, True), title
    assert "请填写主题" in title["message"], title
    assert (seen["event_place"], seen["event_participants"]) == ("城东社区活动中心", "25")
    assert seen["event_notes"] == "与社区居委会联合开展"
    assert seen["event_key_kept"] == seen["event_form_key"]
    assert seen["event_summary"], "a notice above the form says it was not recorded"


def test_the_readme_shows_the_screenshots_the_tests_take():
    shown = set(re.findall(r"\(docs/screenshots/([a-z-]+)\.png\)", (ROOT / "README.md").read_text()))
    from tests.e2e.test_surveys_e2e import SURVEY_SCREENSHOTS

    every = {
        *CONSOLE_SCREENSHOTS,
        *PUBLIC_SCREENSHOTS,
        *TICKET_SCREENSHOTS,
        *INSPECTION_SCREENSHOTS,
        *SURVEY_SCREENSHOTS,
    }
    assert shown == every
    assert {png.stem for png in (ROOT / "docs" / "screenshots").glob("*.png")} == shown


def test_a_manager_opens_and_works_a_work_order_on_a_tablet(app: Seeded, axe_pages: list[dict[str, Any]]):
    token = app.token
    department = app.stack.call("POST", "/api/v1/admin/departments", {"code": "METER", "name": "计量室"}, token)
    assert department[0] in (201, 409), department
    subject = f"电费账单看不懂 {uuid.uuid4().hex[:6]}"
    seen = browse(app, "tickets.mjs", axe_pages, E2E_TICKET_SUBJECT=subject)

    assert "k=" in seen["form_url"] and seen["form_key"] in seen["form_url"]
    assert seen["open_ms"] < 60_000  # opened at the counter in under a minute (here: seconds)
    assert "工单已受理" in seen["opened_flash"]
    order = seen["order_url"].split("?")[0].rsplit("/", 1)[1]
    assert order == seen["form_key"]  # the form's key is the order's id
    assert seen["again_url"].startswith(f"/console/tickets/{order}"), seen
    listed = _ok(
        app.stack.call("GET", f"/api/v1/tickets?hall=A01&month={datetime.now(SHANGHAI):%Y-%m}", token=token), 200
    )
    assert [t["id"] for t in listed["items"] if t["subject"] == subject] == [order]  # one order, however sent
    assert (seen["answered_status"], seen["closed_status"]) == ("已答复", "已办结")
    assert seen["history_steps"] == 4  # created, assigned, progress, answered
    task = _ok(app.stack.call("GET", f"/api/v1/callbacks/ticket-{order}", token=token), 200)
    assert (task["source_type"], task["status"]) == ("ticket", "open")
    assert seen["queue_rows"] >= 1 and "剩余" in seen["queue_clock"]
    assert seen["scroll_width"] <= 820
    screenshots_taken(app, TICKET_SCREENSHOTS)
