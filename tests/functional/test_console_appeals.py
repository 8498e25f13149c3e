"""The console's ratings and appeals pages (申诉复核), the working-day calendar,
and 追评 with the callback rates, through chalice.test.Client."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from chalicelib.domain import qrcodes
from chalicelib.domain.business_time import SHANGHAI
from tests.functional.test_console import Browser, add_user, drop_complaint, open_task_for_latest
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

QR_FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
APPEAL_FORM = re.compile(r'action="/console/ratings/([^/"]+)/appeal')


def today() -> str:
    return datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d")


@pytest.fixture
def signed_in(admin: Api) -> Browser:
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


@pytest.fixture
def manager(admin: Api) -> Browser:
    """Manager of hall A01 (which has one counter with a bad and a good QR rating), signed in."""
    admin.seed_hall("A01", counters=1)
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/", 1)[1]
    for body in ("level=1&reasons=attitude&comment=<b>凶</b> 请回电 13812345678", "level=5"):
        assert admin.post(f"/r/{code}", body, token="", headers=QR_FORM).status == 200
    add_user(admin, "mgr1", "manager", ["A01"])
    browser = Browser(admin.client)
    assert browser.sign_in("mgr1", "password-123").status == 303
    return browser


def bad_rating_id(admin: Api) -> str:
    listed = admin.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"]
    return next(r["id"] for r in listed if r["level"] == 1)


def hall_total(admin: Api) -> tuple[int, int]:
    [hall] = admin.get(f"/api/v1/reports/hall-monthly?month={today()[:7]}&hall=A01").json["items"]
    return hall["total"], hall["n1"]


# ---- ratings and appeals -----------------------------------------------------
def test_the_ratings_page_shows_the_days_ratings_with_labels_and_masked_comments(manager: Browser, admin: Api):
    page = manager.get("/console/ratings")  # the manager's only hall, today
    assert page.status == 200
    assert f'value="{today()}"' in page.text
    assert "非常不满意" in page.text and "服务态度" in page.text and "扫码" in page.text
    assert "138****5678" in page.text and "13812345678" not in page.text
    assert "&lt;b&gt;凶&lt;/b&gt;" in page.text
    assert set(APPEAL_FORM.findall(page.text)) == {
        r["id"] for r in admin.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"]
    }
    english = manager.get(f"/console/ratings?hall=A01&day={today()}&lang=en").text
    assert "Very dissatisfied" in english and "Lodge appeal" in english
    assert 'action="/console/ratings/' in english and "?lang=en" in english
    assert "当天没有评价" in manager.get("/console/ratings?hall=A01&day=2020-01-01").text


def test_a_days_ratings_show_seconds_a_short_id_and_their_status(manager: Browser, admin: Api):
    listed = admin.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"]
    page = manager.get("/console/ratings").text
    for rating in listed:
        card = page.split(f'id="rating-{rating["id"]}"', 1)[1].split('<div class="card"', 1)[0]
        seconds = datetime.fromisoformat(rating["rated_at"]).astimezone(SHANGHAI).strftime("%H:%M:%S")
        assert f">{seconds}</time>" in card
        assert f"<code>{rating['id'][:8]}</code>" in card and f'title="{rating["id"]}"' in card
        assert "计分" in card
    english = manager.get("/console/ratings?lang=en").text
    assert "Scored" in english and "ID <code>" in english


def test_an_appeal_lodged_by_one_manager_is_upheld_by_someone_else_and_leaves_the_scores(
    manager: Browser, signed_in: Browser, admin: Api
):
    bad = bad_rating_id(admin)
    assert hall_total(admin) == (2, 1)
    lodged = manager.post(f"/console/ratings/{bad}/appeal", {"ground": "malicious", "note": "同一人反复差评"})
    assert (lodged.status, lodged.headers["location"]) == (303, "/console/appeals?hall=A01&done=lodged")
    page = manager.get(lodged.headers["location"])
    assert "申诉已提交" in page.text and "恶意评价" in page.text and "同一人反复差评" in page.text
    assert "须由另一位主任或管理员复核" in page.text
    assert f"/console/appeals/{bad}/decide" not in page.text  # no decide form for the appellant
    assert "申诉待复核" in manager.get("/console/ratings").text

    refused = manager.post(f"/console/appeals/{bad}/decide", {"decision": "uphold"})
    assert refused.status == 403
    assert "申诉须由申诉人以外的人复核" in refused.text
    assert admin.get("/api/v1/appeals?hall=A01").json["items"][0]["status"] == "pending"

    shown = signed_in.get("/console/appeals?hall=A01")
    assert f'action="/console/appeals/{bad}/decide?hall=A01' in shown.text  # the page's query: a refusal comes back
    assert "非常不满意" in shown.text  # the appealed rating, for the decider
    decided = signed_in.post(f"/console/appeals/{bad}/decide", {"decision": "uphold", "note": "核实"}, signed_in.csrf())
    assert (decided.status, decided.headers["location"]) == (303, "/console/appeals?hall=A01&done=upheld")
    assert "申诉已核准" in signed_in.get(decided.headers["location"]).text
    assert "核实" in signed_in.get("/console/appeals?hall=A01&status=upheld").text
    ratings = manager.get("/console/ratings").text
    assert ratings.count('<span class="tag status-appeal_upheld bad">申诉核准</span>') == 1
    assert APPEAL_FORM.findall(ratings) != [] and bad not in APPEAL_FORM.findall(ratings)  # no second appeal
    assert hall_total(admin) == (1, 0)


def test_a_rejected_appeal_keeps_the_rating_in_the_scores(manager: Browser, signed_in: Browser, admin: Api):
    bad = bad_rating_id(admin)
    assert signed_in.post(f"/console/ratings/{bad}/appeal", {"ground": "mistaken"}, signed_in.csrf()).status == 303
    decided = manager.post(f"/console/appeals/{bad}/decide", {"decision": "reject", "note": "证据不足"})
    assert decided.headers["location"] == "/console/appeals?hall=A01&done=rejected"
    assert "证据不足" in manager.get("/console/appeals?hall=A01&status=rejected").text
    assert "没有申诉" in manager.get("/console/appeals?hall=A01").text
    assert hall_total(admin) == (2, 1)
    again = manager.post(f"/console/ratings/{bad}/appeal", {"ground": "mistaken"})
    assert again.status == 409  # one appeal per rating


def test_a_misuse_press_is_flagged_and_offers_no_appeal(signed_in: Browser, admin: Api):
    admin.seed_hall("A01", counters=1)
    key = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["key"]
    at = datetime.now(UTC) - timedelta(minutes=5)
    presses = [
        {"id": str(uuid.uuid4()), "level": 1, "rated_at": (at + timedelta(seconds=s)).isoformat()} for s in (0, 1)
    ]
    assert admin.post("/api/v1/device/ratings", {"ratings": presses}, token=key).status == 200
    page = signed_in.get(f"/console/ratings?hall=A01&day={at.astimezone(SHANGHAI).date().isoformat()}").text
    assert page.count('<span class="tag status-misuse warn">误按</span>') == 1  # the second press
    assert page.count('<span class="tag status-scored good">计分</span>') == 1
    assert APPEAL_FORM.findall(page) == [presses[0]["id"]]


def test_an_agent_has_neither_ratings_nor_appeals(admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "agent1", "agent", ["A01"])
    agent = Browser(admin.client)
    agent.sign_in("agent1", "password-123")
    assert agent.get("/console/ratings").status == 403
    assert agent.get("/console/appeals").status == 403
    assert "/console/appeals" not in agent.get("/console/callbacks").text


def test_managers_and_admins_find_the_pages_in_the_navigation(manager: Browser, signed_in: Browser):
    page = manager.get("/console/callbacks").text
    assert 'href="/console/ratings"' in page and 'href="/console/appeals"' in page
    assert 'href="/console/calendar"' not in page
    assert 'href="/console/calendar"' in signed_in.get("/console/callbacks").text


@pytest.mark.parametrize(
    "path",
    [
        "/console/ratings?hall=A01&day=24-11-2026",
        "/console/ratings?hall=A01&day=2026-02-30",
        "/console/ratings?hall=bad%20hall",
        "/console/ratings?hall=B09",
        "/console/ratings?hall=A01&cursor=garbage",
        "/console/appeals?hall=A01&status=maybe",
        "/console/appeals?hall=A01&cursor=garbage",
    ],
)
def test_bad_queries_get_a_4xx_page(manager: Browser, path: str):
    answer = manager.get(path)
    assert 400 <= answer.status < 500, (answer.status, answer.text[:200])
    assert "text/html" in answer.headers["content-type"]


@pytest.mark.parametrize(
    ("target", "form", "status"),
    [
        ("ratings/{bad}/appeal", {"ground": "bored"}, 400),
        ("ratings/{bad}/appeal", {"ground": "malicious", "note": "x" * 1001}, 400),
        ("ratings/nope-nope-nope/appeal", {"ground": "malicious"}, 404),
        ("appeals/{bad}/decide", {"decision": "maybe"}, 400),
        ("appeals/nope-nope-nope/decide", {"decision": "uphold"}, 404),
    ],
)
def test_bad_appeal_forms_get_a_4xx_page(manager: Browser, admin: Api, target: str, form: dict[str, str], status: int):
    answer = manager.post("/console/" + target.format(bad=bad_rating_id(admin)), form)
    assert answer.status == status
    assert admin.get("/api/v1/appeals?hall=A01").json["items"] == []


# ---- the working-day calendar --------------------------------------------------
def test_an_admin_sets_and_removes_working_day_overrides(signed_in: Browser, admin: Api):
    page = signed_in.get("/console/calendar?year=2099")
    assert page.status == 200
    assert "暂无官方安排" in page.text and "该年没有调整" in page.text
    csrf = signed_in.csrf("/console/calendar")
    saved = signed_in.post("/console/calendar/days", {"day": "2099-01-03", "working": "working"}, csrf)
    assert (saved.status, saved.headers["location"]) == (303, "/console/calendar?year=2099&done=set")
    assert signed_in.post("/console/calendar/days", {"day": "2099-01-01", "working": "off"}, csrf).status == 303
    assert admin.get("/api/v1/admin/calendar?year=2099").json["overrides"] == [
        {"day": "2099-01-01", "working": False},
        {"day": "2099-01-03", "working": True},
    ]
    page = signed_in.get(saved.headers["location"]).text
    assert "已保存" in page and 'id="day-2099-01-03"' in page and "上班（调休）" in page
    removed = signed_in.post("/console/calendar/days/2099-01-03/remove", {}, csrf)
    assert (removed.status, removed.headers["location"]) == (303, "/console/calendar?year=2099&done=removed")
    assert admin.get("/api/v1/admin/calendar?year=2099").json["overrides"] == [{"day": "2099-01-01", "working": False}]
    english = signed_in.get("/console/calendar?year=2099&lang=en").text
    assert "No official arrangement yet" in english and 'action="/console/calendar/days?lang=en#set-day"' in english


def test_a_known_year_is_shown_as_official(signed_in: Browser, admin: Api):
    official = admin.get("/api/v1/admin/calendar?year=2025").json["official"]
    page = signed_in.get("/console/calendar?year=2025").text
    assert ("已有官方安排" in page) is official and ("暂无官方安排" in page) is not official


def test_a_manager_gets_403_from_the_calendar_and_changes_nothing(manager: Browser, admin: Api):
    assert manager.get("/console/calendar?year=2099").status == 403
    answer = manager.post("/console/calendar/days", {"day": "2099-01-03", "working": "working"})
    assert answer.status == 403
    assert manager.post("/console/calendar/days/2099-01-03/remove", {}).status == 403
    assert admin.get("/api/v1/admin/calendar?year=2099").json["overrides"] == []


@pytest.mark.parametrize(
    ("method", "path", "form"),
    [
        ("GET", "/console/calendar?year=abc", None),
        ("GET", "/console/calendar?year=1999", None),
        ("GET", "/console/calendar?year=02027", None),
        ("POST", "/console/calendar/days", {"day": "2099-02-30", "working": "working"}),
        ("POST", "/console/calendar/days", {"day": "1999-12-31", "working": "off"}),
        ("POST", "/console/calendar/days", {"day": "2099-01-03", "working": "maybe"}),
        ("POST", "/console/calendar/days/not-a-day/remove", {}),
    ],
)
def test_bad_calendar_input_gets_a_4xx_page(signed_in: Browser, admin: Api, method: str, path: str, form):
    answer = signed_in.get(path) if form is None else signed_in.post(path, form, signed_in.csrf("/console/calendar"))
    assert answer.status == 400
    assert "text/html" in answer.headers["content-type"]
    assert admin.get("/api/v1/admin/calendar?year=2099").json["overrides"] == []


# ---- CSRF on every new form ------------------------------------------------------
@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_the_new_forms_refuse_a_post_without_the_right_csrf_token(
    manager: Browser, signed_in: Browser, admin: Api, token: str
):
    bad = bad_rating_id(admin)
    assert manager.post(f"/console/ratings/{bad}/appeal", {"ground": "malicious"}, csrf=token).status == 403
    assert admin.get("/api/v1/appeals?hall=A01").json["items"] == []
    assert manager.post(f"/console/ratings/{bad}/appeal", {"ground": "malicious"}).status == 303
    assert signed_in.post(f"/console/appeals/{bad}/decide", {"decision": "uphold"}, csrf=token).status == 403
    assert admin.get("/api/v1/appeals?hall=A01").json["items"][0]["status"] == "pending"
    day = {"day": "2099-01-03", "working": "working"}
    assert signed_in.post("/console/calendar/days", day, csrf=token).status == 403
    assert admin.get("/api/v1/admin/calendar?year=2099").json["overrides"] == []
    assert signed_in.post("/console/calendar/days", day, signed_in.csrf()).status == 303
    assert signed_in.post("/console/calendar/days/2099-01-03/remove", {}, csrf=token).status == 403
    assert len(admin.get("/api/v1/admin/calendar?year=2099").json["overrides"]) == 1


# ---- 追评 and the callback rates ----------------------------------------------------
def test_a_closed_task_shows_the_customers_follow_up_and_the_dashboard_its_rates(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    drop_complaint(admin)
    task_id = open_task_for_latest(admin)
    dashboard = signed_in.get("/console/dashboard?hall=A01").text
    rates = dashboard.split('id="callback-rates"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "回访率" in rates and "整改率" in rates and "回访满意率" in rates
    assert rates.count("0 / 1") == 2  # the month's one task: not yet called, not yet resolved
    assert rates.count("0.00%") == 2 and rates.count("—") == 1  # no 追评 yet: nothing to divide

    csrf = signed_in.csrf()
    assert signed_in.post(f"/console/callbacks/{task_id}/attempts", {"result": "reached"}, csrf).status == 303
    assert signed_in.post(f"/console/callbacks/{task_id}/close", {"outcome": "resolved_satisfied"}, csrf).status == 303
    assert "客户尚未追评" in signed_in.get("/console/callbacks?hall=A01&status=closed").text
    code = qrcodes.follow_up_code(composition.settings().qr_key, task_id)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    given = admin.post(f"/f/{code}", "level=5&comment=<i>很及时</i> 13812345678", token="", headers=form)
    assert given.status == 303

    closed = signed_in.get("/console/callbacks?hall=A01&status=closed").text
    follow_up = closed.split('class="follow-up"', 1)[1].split("</div>", 1)[0]
    assert "客户追评" in follow_up and "5 · 非常满意" in follow_up
    assert "&lt;i&gt;很及时&lt;/i&gt; 138****5678" in follow_up
    assert "Very satisfied" in signed_in.get("/console/callbacks?hall=A01&status=closed&lang=en").text

    dashboard = signed_in.get("/console/dashboard?hall=A01").text
    rates = dashboard.split('id="callback-rates"', 1)[1].split("</div>\n</div>", 1)[0]
    assert rates.count("100.00%") == 3 and rates.count("1 / 1") == 3 and "—" not in rates
