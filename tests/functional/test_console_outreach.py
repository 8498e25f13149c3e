"""The console's 五进 pages: recording an event once whatever Back and reload do, a refused
form coming back as typed with why beside each field, and a hall's events of a quarter
listed with edit and delete (through chalice.test.Client)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.outreach import quarter_bounds
from tests.functional.test_console import Browser, add_user
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

EVENT_PAGE = re.compile(r"^/console/outreach/events/([0-9a-f]{32})\?done=(\w+)$")


@pytest.fixture
def admin_browser(admin: Api) -> Browser:
    admin.seed_hall("A01", counters=0)
    admin.seed_hall("B02", counters=0)
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def manager_of(admin: Api, username: str, halls: list[str], role: str = "manager") -> Browser:
    add_user(admin, username, role, halls)
    browser = Browser(admin.client)
    assert browser.sign_in(username, "password-123").status == 303
    return browser


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no field {name}"
    return unescape(found.group(1))


def open_form(browser: Browser, hall: str = "A01") -> tuple[str, str]:
    """Open the event form as its link does: the address gains a key. Its URL and page."""
    first = browser.get(f"/console/outreach/new?hall={hall}")
    assert first.status == 303
    url = first.headers["location"]
    assert parse_qs(urlsplit(url).query)["key"]
    page = browser.get(url)
    assert page.status == 200
    return url, page.text


def filled(page: str, **change: str) -> dict[str, str]:
    """The form as a person fills it in (the hidden fields as the page gave them)."""
    return {
        "id": field(page, "id"),
        "quarter": field(page, "quarter"),
        "hall_code": "A01",
        "category": "community",
        "date": field(page, "date"),
        "place": "东湖社区",
        "title": "安全用电进社区",
        "participants": "35",
        "households_visited": "",
        "safety_checks": "2",
        "materials": "0",
        "notes": "",
    } | change


def coverage_of(admin: Api, quarter: str, hall: str = "A01") -> dict:
    rows = admin.get(f"/api/v1/outreach/coverage?quarter={quarter}").json["items"]
    return next(r for r in rows if r["hall_code"] == hall)


def test_back_and_submitting_the_form_again_stores_one_event_and_leads_to_it(admin_browser: Browser, admin: Api):
    url, page = open_form(admin_browser)
    assert field(admin_browser.get(url).text, "id") == field(page, "id")  # a reload keeps the key
    form = filled(page)
    first = admin_browser.post("/console/outreach/events", form)
    assert first.status == 303
    recorded = EVENT_PAGE.match(first.headers["location"])
    assert recorded and recorded.group(2) == "recorded"

    back = admin_browser.get(url)  # Back to the form: it has been used, so on to its event
    assert (back.status, back.headers["location"]) == (
        303,
        f"/console/outreach/events/{recorded.group(1)}?done=already",
    )
    again = admin_browser.post("/console/outreach/events", form)  # a page the browser kept, sent again
    assert again.status == 303
    assert again.headers["location"] == f"/console/outreach/events/{recorded.group(1)}?done=already"
    shown = admin_browser.get(again.headers["location"])
    assert shown.status == 200 and "只登记了一次" in shown.text and "安全用电进社区" in shown.text

    quarter = form["quarter"]
    assert coverage_of(admin, quarter)["events"] == 1
    assert len(admin.get(f"/api/v1/outreach/events?quarter={quarter}&hall=A01").json["items"]) == 1
    _, fresh = open_form(admin_browser)  # the link again: a new form for a new event
    assert field(fresh, "id") != form["id"]


def test_a_refused_form_comes_back_as_typed_with_why_beside_each_field(admin_browser: Browser, admin: Api):
    _, page = open_form(admin_browser)
    quarter = field(page, "quarter")
    before_quarter = (quarter_bounds(quarter)[0] - timedelta(days=1)).isoformat()
    form = filled(page, date=before_quarter, title="", participants="abc", place="<b>东湖</b>社区")
    answer = admin_browser.post("/console/outreach/events", form)
    assert answer.status == 400 and "text/html" in answer.headers["content-type"]
    text = answer.text
    assert field(text, "id") == form["id"] and field(text, "date") == before_quarter
    assert field(text, "place") == "<b>东湖</b>社区" and "<b>东湖" not in text  # kept, escaped
    first, last = quarter_bounds(quarter)
    assert f"请填写 {first} 至 {last} 之间、不晚于今天的日期。" in text
    assert "请填写主题（1 至 200 字）。" in text and "请填写 0 到 1000000 之间的整数。" in text
    assert text.count('aria-invalid="true"') == 3
    for pydantic_words in ("Input should", "String should", "validation error", "must fall inside"):
        assert pydantic_words not in text
    assert admin.get(f"/api/v1/outreach/events?quarter={quarter}&hall=A01").json["items"] == []

    english = admin_browser.post("/console/outreach/events?lang=en", form).text
    assert "Enter the title (1 to 200 characters)." in english and "请填写" not in english
    fixed = admin_browser.post(
        "/console/outreach/events", form | {"date": field(page, "date"), "title": "补上主题", "participants": "3"}
    )
    assert fixed.status == 303 and EVENT_PAGE.match(fixed.headers["location"])


def test_a_hall_s_events_are_listed_with_edit_and_delete(admin_browser: Browser, admin: Api):
    _, page = open_form(admin_browser)
    quarter = field(page, "quarter")
    for title in ("进社区宣传", "进学校讲座"):
        _, page = open_form(admin_browser)
        assert admin_browser.post("/console/outreach/events", filled(page, title=title)).status == 303
    listing = admin_browser.get(f"/console/outreach/events?quarter={quarter}&hall=A01")
    assert listing.status == 200
    assert "进社区宣传" in listing.text and "进学校讲座" in listing.text
    ids = re.findall(r'href="/console/outreach/events/([0-9a-f]{32})"', listing.text)
    assert len(ids) == 2
    assert len(re.findall(r'action="/console/outreach/events/[0-9a-f]{32}/delete"', listing.text)) == 2
    coverage = admin_browser.get(f"/console/outreach?quarter={quarter}").text
    assert f'href="/console/outreach/events?quarter={quarter}&amp;hall=A01"' in coverage

    edit_page = admin_browser.get(f"/console/outreach/events/{ids[0]}").text
    assert field(edit_page, "revision") == "1"
    edited = admin_browser.post(
        f"/console/outreach/events/{ids[0]}",
        {
            "revision": "1",
            "hall_code": "B02",
            "category": "school",
            "date": field(edit_page, "date"),
            "place": "第一中学",
            "title": "改到 B02",
            "participants": "7",
            "households_visited": "0",
            "safety_checks": "0",
            "materials": "0",
            "notes": "",
        },
    )
    assert edited.status == 303
    assert edited.headers["location"] == f"/console/outreach/events?quarter={quarter}&hall=B02&done=saved"
    assert "改到 B02" in admin_browser.get(edited.headers["location"]).text
    assert (coverage_of(admin, quarter, "A01")["events"], coverage_of(admin, quarter, "B02")["school"]) == (1, 1)

    deleted = admin_browser.post(f"/console/outreach/events/{ids[1]}/delete", {"confirm": "yes"})
    assert deleted.status == 303
    assert deleted.headers["location"] == f"/console/outreach/events?quarter={quarter}&hall=A01&done=deleted"
    after = admin_browser.get(deleted.headers["location"])
    assert "本厅本季度尚无活动记录" in after.text and "活动已删除" in after.text
    assert coverage_of(admin, quarter, "A01")["events"] == 0
    assert admin_browser.post(f"/console/outreach/events/{ids[1]}/delete", {"confirm": "yes"}).status == 404


def test_an_edit_of_an_event_changed_meanwhile_shows_it_as_it_is_now(admin_browser: Browser, admin: Api):
    _, page = open_form(admin_browser)
    recorded = admin_browser.post("/console/outreach/events", filled(page))
    event_id = EVENT_PAGE.match(recorded.headers["location"]).group(1)
    opened = admin_browser.get(f"/console/outreach/events/{event_id}").text
    changed = admin.request("PATCH", f"/api/v1/outreach/events/{event_id}", {"title": "别人改的"})
    assert changed.status == 200
    mine = {
        k: v for k, v in filled(page, title="我改的", date=field(opened, "date")).items() if k not in ("id", "quarter")
    }
    answer = admin_browser.post(f"/console/outreach/events/{event_id}", mine | {"revision": field(opened, "revision")})
    assert answer.status == 409
    assert "已被他人修改" in answer.text and field(answer.text, "title") == "别人改的"
    assert field(answer.text, "revision") == "2"
    refused = admin_browser.post(f"/console/outreach/events/{event_id}", mine | {"revision": "2", "title": ""})
    assert refused.status == 400 and "请填写主题（1 至 200 字）。" in refused.text


def test_a_manager_keeps_to_their_halls_and_an_agent_to_none(admin_browser: Browser, admin: Api):
    _, page = open_form(admin_browser, hall="B02")
    recorded = admin_browser.post("/console/outreach/events", filled(page, hall_code="B02"))
    event_id = EVENT_PAGE.match(recorded.headers["location"]).group(1)
    manager = manager_of(admin, "mgr1", ["A01"])
    assert manager.get(f"/console/outreach/events/{event_id}").status == 403
    assert manager.post(f"/console/outreach/events/{event_id}/delete", {"confirm": "yes"}).status == 403
    assert manager.get("/console/outreach/events?hall=B02").status == 403
    mine = manager.get("/console/outreach/events")
    assert mine.status == 200 and 'value="A01" selected' in mine.text
    agent = manager_of(admin, "agent1", ["A01"], role="agent")
    assert agent.get("/console/outreach/events").status == 403
    assert agent.get("/console/outreach/new").status == 403
    assert coverage_of(admin, field(page, "quarter"), "B02")["events"] == 1


def test_a_manager_records_an_event_and_an_admin_publishes(admin_browser: Browser, admin: Api):
    manager = manager_of(admin, "mgr1", ["A01"])
    _, page = open_form(manager)
    quarter = field(page, "quarter")
    assert manager.post("/console/outreach/events", filled(page)).status == 303
    assert "发布本季度结果" not in manager.get("/console/outreach").text  # admins publish
    assert manager.post(f"/console/outreach/{quarter}/publish", {}).status == 403
    answer = admin_browser.post(f"/console/outreach/{quarter}/publish", {})
    assert answer.status == 303 and "version=1" in answer.headers["location"]
    published = admin.get(f"/outreach/{quarter}", headers={"Accept": "text/html"})
    assert published.status == 200 and "安全用电进社区" in published.text
