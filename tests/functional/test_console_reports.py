"""The console's dashboard, ranking and report downloads (the API's CSV files behind the session)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from chalicelib import composition
from tests.fakes.clock import FixedClock
from tests.functional.test_console import Browser, add_user, drop_complaint, open_task_for_latest
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

RATE = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


@pytest.fixture
def signed_in(admin: Api) -> Browser:
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def seed_ratings(admin: Api, levels: list[int], hall: str = "A01") -> None:
    admin.seed_hall(hall, counters=1)
    url = admin.get(f"/api/v1/admin/halls/{hall}/qr-codes").json["counters"][0]["url"]
    code = url.rsplit("/r/", 1)[1]
    for level in levels:
        answer = admin.post(f"/r/{code}", f"level={level}&reasons=long_wait", token="", headers=RATE)
        assert answer.status == 200, answer.raw


def test_the_hall_dashboard_shows_the_months_rate_levels_reasons_and_charts(signed_in: Browser, admin: Api):
    seed_ratings(admin, [5, 5, 4, 1])
    page = signed_in.get("/console/dashboard?hall=A01")
    assert page.status == 200
    text = page.text
    assert "75.00%" in text  # (2 + 1) / 4 satisfied
    assert "等候时间长" in text  # the top reason (asked for level ≤ 3)
    assert text.count("<svg") == 4  # trend, levels, reasons, heat map
    assert "<script" not in text
    assert "意见箱超过一个工作日未开箱" not in text  # never opened, but the hall was created today


def kpi(page: str, kpi_id: str) -> str:
    """The text of one dashboard figure (its rate and its parts)."""
    found = re.search(rf'<div class="kpi" id="{kpi_id}">(.*?)</div>', page, re.S)
    assert found, kpi_id
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_every_rate_on_the_dashboard_shows_its_parts(signed_in: Browser, admin: Api):
    seed_ratings(admin, [5, 5, 4, 1])
    page = signed_in.get("/console/dashboard?hall=A01").text
    assert "75.00%" in kpi(page, "satisfaction") and "3 / 4" in kpi(page, "satisfaction")
    assert "25.00%" in kpi(page, "bad-rate") and "1 / 4" in kpi(page, "bad-rate")
    for rate in ("contact-rate", "resolution-rate", "follow-up-satisfaction"):
        assert "—" in kpi(page, rate) and "0 / 0" in kpi(page, rate)  # no task this month: nothing to divide


def test_one_task_closed_of_two_reads_1_of_2_not_100_percent(signed_in: Browser, admin: Api):
    admin.seed_hall("A01", counters=1)
    first = (drop_complaint(admin), open_task_for_latest(admin))[1]
    drop_complaint(admin, phone="13900001111")
    open_task_for_latest(admin)
    csrf = signed_in.csrf()
    assert signed_in.post(f"/console/callbacks/{first}/attempts", {"result": "reached"}, csrf).status == 303
    assert signed_in.post(f"/console/callbacks/{first}/close", {"outcome": "resolved_satisfied"}, csrf).status == 303
    page = signed_in.get("/console/dashboard?hall=A01").text
    for rate in ("contact-rate", "resolution-rate"):
        assert "1 / 2" in kpi(page, rate) and "50.00%" in kpi(page, rate), rate
    assert "—" in kpi(page, "follow-up-satisfaction") and "0 / 0" in kpi(page, "follow-up-satisfaction")
    english = signed_in.get("/console/dashboard?hall=A01&lang=en").text
    assert "1 / 2" in kpi(english, "contact-rate") and "Contact rate" in english


def test_a_hall_created_today_shows_no_unopened_box_until_a_working_day_has_passed(
    admin: Api, monkeypatch: pytest.MonkeyPatch
):
    clock = FixedClock(datetime(2026, 11, 23, 2, tzinfo=UTC))  # Monday 10:00 in Shanghai
    monkeypatch.setattr(composition, "clock", lambda: clock)
    admin.as_admin()
    admin.seed_hall("A01", counters=1)
    overdue = ("意见箱超过一个工作日未开箱", "超过一个工作日未开箱")

    def pages() -> list[str]:
        browser = Browser(admin.client)
        assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
        return [browser.get(p).text for p in ("/console/dashboard?hall=A01", "/console/suggestions?hall=A01")]

    for page in pages():
        assert not any(flag in page for flag in overdue)
    clock.advance(days=1)  # Tuesday: its first working day is not over yet
    assert not any(flag in page for page in pages() for flag in overdue)
    clock.advance(days=1)  # Wednesday: Tuesday passed with the box never opened
    dashboard, inbox = pages()
    assert "意见箱超过一个工作日未开箱" in dashboard and "超过一个工作日未开箱" in inbox


def test_the_overview_lists_every_hall_by_branch_for_an_admin(signed_in: Browser, admin: Api):
    seed_ratings(admin, [5], hall="A01")
    admin.seed_hall("B01", counters=0)
    page = signed_in.get("/console/dashboard")
    assert page.status == 200
    assert "A01营业厅" in page.text and "B01营业厅" in page.text
    assert "城东分中心" in page.text


def test_a_manager_of_one_hall_goes_straight_to_its_dashboard_and_no_further(admin: Api):
    seed_ratings(admin, [4])
    admin.seed_hall("B01", counters=0)
    add_user(admin, "mgr1", "manager", ["A01"])
    browser = Browser(admin.client)
    browser.sign_in("mgr1", "password-123")
    assert browser.get("/console").headers["location"] == "/console/dashboard"
    assert "A01营业厅" in browser.get("/console/dashboard").text
    assert browser.get("/console/dashboard?hall=B01").status == 403
    assert browser.get("/console/reports/hall-monthly.csv?month=2026-11&hall=B01").status == 403


def test_an_agent_sees_no_reports(admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "agent1", "agent", ["A01"])
    browser = Browser(admin.client)
    browser.sign_in("agent1", "password-123")
    assert browser.get("/console/dashboard").status == 403
    assert browser.get("/console/reports/staff-monthly.csv?month=2026-11").status == 403


def test_the_console_csv_is_the_apis_file(signed_in: Browser, admin: Api):
    seed_ratings(admin, [5, 2])
    drop_complaint(admin)
    month = admin.get("/api/v1/reports/hall-monthly?month=2026-11").json["month"]
    ours = signed_in.get(f"/console/reports/hall-monthly.csv?month={month}")
    theirs = admin.get(f"/api/v1/reports/hall-monthly.csv?month={month}")
    assert ours.status == 200
    assert ours.raw == theirs.raw
    assert ours.raw.startswith("\ufeff月份,分中心,营业厅编码".encode())
    assert ours.headers["content-disposition"].startswith("attachment;")


def test_the_reports_page_links_every_download(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    page = signed_in.get("/console/reports?month=2026-02&hall=A01").text
    for link in (
        "/console/reports/staff-monthly.csv?month=2026-02&amp;hall=A01",
        "/console/reports/hall-monthly.csv?month=2026-02&amp;hall=A01",
        "/console/reports/ratings.csv?from=2026-02-01&amp;to=2026-02-28&amp;hall=A01",
        "/console/reports/outreach.csv?quarter=",
    ):
        assert link in page


def test_the_ranking_lists_staff_with_their_flags(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "李娜", "hall_code": "A01"}).status == 201
    page = signed_in.get("/console/ranking?hall=A01")
    assert page.status == 200
    assert "李娜" in page.text and "未达样本量" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/console/dashboard?hall=A01&month=2026-13",
        "/console/dashboard?hall=NOPE",
        "/console/dashboard?hall=%3Cx%3E",
        "/console/ranking?scope=galaxy",
        "/console/reports/ratings.csv?from=2026-01-01&to=2026-03-01",
        "/console/reports/staff-monthly.csv",
    ],
)
def test_bad_report_parameters_get_a_4xx_page(signed_in: Browser, admin: Api, path: str):
    admin.seed_hall("A01")
    answer = signed_in.get(path)
    assert 400 <= answer.status < 500
    assert "text/html" in answer.headers["content-type"]
