"""Console forms keep what was typed: a refused form comes back as the page it was
on, filled in, with why beside each field at fault in the page's language, and
no validation text of pydantic's (or an error's English) on any page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from chalicelib.domain.business_time import SHANGHAI
from tests.functional.test_console import Browser, drop_complaint, open_task_for_latest
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

RATE = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
NOTE = "客户说下午三点后再打 <b>"
# What pydantic says, and the English a domain error carries, that must never reach a page.
RAW = (
    "Value error",
    "Input should",
    "String should",
    "Field required",
    "Extra inputs",
    "valid date",
    "unreachable needs",
    "failed attempts so far",
    "Some fields are missing",
    "out of range",
    "pydantic",
)


@pytest.fixture
def signed_in(admin: Api) -> Browser:
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


@pytest.fixture
def task_id(admin: Api) -> str:
    admin.seed_hall("A01", counters=1)
    drop_complaint(admin)
    return open_task_for_latest(admin)


def today() -> str:
    return datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d")


def form_of(page: str, form_id: str) -> str:
    """The HTML of the form with this id."""
    found = re.search(rf'<form[^>]*id="{re.escape(form_id)}".*?</form>', page, re.S)
    assert found, f"no form {form_id} on the page"
    return found.group(0)


def no_raw_text(page: str) -> None:
    for raw in RAW:
        assert raw not in page, raw


def test_a_refused_attempt_comes_back_on_the_queue_with_the_note_kept_and_why_beside_the_field(
    signed_in: Browser, admin: Api, task_id: str
):
    page = signed_in.get("/console/callbacks?hall=A01")
    action = re.search(rf'action="(/console/callbacks/{task_id}/attempts[^"]*)"', page.text).group(1)
    assert "hall=A01" in action and action.endswith(f"#attempt-{task_id}")

    answer = signed_in.post(action.split("#")[0].replace("&amp;", "&"), {"result": "maybe", "note": NOTE})
    assert answer.status == 400
    assert "text/html" in answer.headers["content-type"]
    form = form_of(answer.text, f"attempt-{task_id}")
    assert 'value="客户说下午三点后再打 &lt;b&gt;"' in form  # kept, escaped
    assert "请从选项中选择一项" in form  # beside the call result
    assert 'aria-invalid="true"' in form
    assert "回访任务" in answer.text  # the queue, not a separate page
    assert "未保存" in answer.text or "部分内容" in answer.text
    no_raw_text(answer.text)
    assert admin.get(f"/api/v1/callbacks/{task_id}").json["attempts"] == []


def test_the_refused_form_speaks_english_with_lang_en(signed_in: Browser, admin: Api, task_id: str):
    answer = signed_in.post(f"/console/callbacks/{task_id}/attempts?hall=A01&lang=en", {"result": "", "note": NOTE})
    assert answer.status == 400
    form = form_of(answer.text, f"attempt-{task_id}")
    assert "Please choose one of the options." in form
    assert 'value="客户说下午三点后再打 &lt;b&gt;"' in form
    assert 'lang="en"' in answer.text and "Callback queue" in answer.text
    assert "请从选项中选择一项" not in answer.text
    # The language link leads to the queue, not to the form's action.
    assert re.search(r'href="/console/callbacks\?[^"]*hall=A01', answer.text)
    no_raw_text(answer.text)


def test_closing_as_unreachable_too_early_says_why_in_chinese_beside_the_outcome(
    signed_in: Browser, admin: Api, task_id: str
):
    answer = signed_in.post(
        f"/console/callbacks/{task_id}/close?hall=A01", {"outcome": "unreachable", "note": "打了一次没人接"}
    )
    assert answer.status == 400
    form = form_of(answer.text, f"close-{task_id}")
    assert "须先记录 3 次未接通的回访" in form and "目前为 0 次" in form
    assert 'value="打了一次没人接"' in form
    assert '<option value="unreachable" selected>' in form
    no_raw_text(answer.text)
    english = signed_in.post(f"/console/callbacks/{task_id}/close?hall=A01&lang=en", {"outcome": "unreachable"})
    assert "Record 3 calls that did not reach the customer before closing as unreachable; so far: 0." in english.text
    assert admin.get(f"/api/v1/callbacks/{task_id}").json["status"] == "open"


def test_a_form_posted_without_the_pages_query_comes_back_on_its_tasks_hall(
    signed_in: Browser, admin: Api, task_id: str
):
    admin.seed_hall("B01")
    drop_complaint(admin, hall="B01")
    other = open_task_for_latest(admin, hall="B01")
    answer = signed_in.post(f"/console/callbacks/{other}/attempts", {"result": "x", "note": "n"})
    assert answer.status == 400
    assert f'id="attempt-{other}"' in answer.text  # B01's queue, though the admin's first hall is A01


def test_a_refused_reply_keeps_the_reply_typed(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    drop_complaint(admin)
    signed_in.post("/console/halls/A01/suggestion-box/open", {})
    (item,) = admin.get("/api/v1/suggestions?hall=A01").json["items"]
    answer = signed_in.post(f"/console/suggestions/{item['id']}/reply?hall=A01", {"reply": "好" * 2001})
    assert answer.status == 400
    form = form_of(answer.text, f"reply-{item['id']}")
    assert "好" * 2001 in form
    assert "请不要超过 2000 个字" in form
    no_raw_text(answer.text)


def test_a_refused_appeal_keeps_the_note_typed_on_the_days_ratings(signed_in: Browser, admin: Api):
    admin.seed_hall("A01", counters=1)
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/", 1)[1]
    assert admin.post(f"/r/{code}", "level=1", token="", headers=RATE).status == 200
    (rating,) = admin.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"]
    answer = signed_in.post(
        f"/console/ratings/{rating['id']}/appeal?hall=A01&day={today()}", {"ground": "bored", "note": "同一人"}
    )
    assert answer.status == 400
    form = form_of(answer.text, f"appeal-{rating['id']}")
    assert 'value="同一人"' in form and "请从选项中选择一项" in form
    assert "<details open" in answer.text  # the appeal form is unfolded again
    no_raw_text(answer.text)


def test_a_refused_calendar_date_keeps_the_kind_and_says_why(signed_in: Browser, admin: Api):
    answer = signed_in.post("/console/calendar/days", {"day": "1999-12-31", "working": "working"})
    assert answer.status == 400
    form = form_of(answer.text, "set-day")
    assert "请选择 2000 至 2100 年之间的日期" in form
    assert 'value="1999-12-31"' in form and '<option value="working" selected>' in form
    no_raw_text(answer.text)
    assert admin.get("/api/v1/admin/calendar?year=1999").status == 400


# ---- no raw validation text on any form's page ------------------------------------------
def _appealable(admin: Api) -> str:
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/", 1)[1]
    assert admin.post(f"/r/{code}", "level=1", token="", headers=RATE).status == 200
    return str(admin.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"][0]["id"])


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/console/callbacks/{task}/attempts", {"result": "maybe"}),
        ("/console/callbacks/{task}/attempts", {"result": "reached", "note": "x" * 1001}),
        ("/console/callbacks/{task}/attempts", {"result": "reached", "extra": "1"}),
        ("/console/callbacks/{task}/attempts", {}),
        ("/console/callbacks/{task}/close", {"outcome": "x"}),
        ("/console/callbacks/{task}/close", {"outcome": "unreachable"}),
        ("/console/callbacks/{task}/close", {"outcome": "resolved_satisfied"}),
        ("/console/suggestions/{suggestion}/reply", {"reply": ""}),
        ("/console/suggestions/{suggestion}/reply", {"reply": "x" * 2001}),
        ("/console/ratings/{rating}/appeal", {"ground": "bored"}),
        ("/console/ratings/{rating}/appeal", {"ground": "malicious", "note": "x" * 1001}),
        ("/console/appeals/{rating}/decide", {"decision": "maybe"}),
        ("/console/calendar/days", {"day": "2099-02-30", "working": "working"}),
        ("/console/calendar/days", {"day": "1999-12-31", "working": "off"}),
        ("/console/calendar/days", {"day": "2099-01-03", "working": "maybe"}),
        ("/console/calendar/days", {"day": "", "working": ""}),
        ("/console/ranking/2999-01/publish", {}),
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_refused_form_shows_validation_text(
    signed_in: Browser, admin: Api, task_id: str, path: str, form: dict[str, str], lang: str
):
    drop_complaint(admin)
    signed_in.post("/console/halls/A01/suggestion-box/open", {})
    suggestion = admin.get("/api/v1/suggestions?hall=A01").json["items"][0]["id"]
    rating = _appealable(admin)
    if "decide" in path:
        assert signed_in.post(f"/console/ratings/{rating}/appeal", {"ground": "malicious"}).status == 303
    target = path.format(task=task_id, suggestion=suggestion, rating=rating)
    answer = signed_in.post(f"{target}?lang={lang}" if lang == "en" else target, form)
    assert answer.status == 400, answer.text[:300]
    assert "text/html" in answer.headers["content-type"]
    no_raw_text(answer.text)
    assert 'class="field-error"' in answer.text or 'class="alert"' in answer.text
    if lang == "zh":
        assert re.search(r'class="(field-error|alert)"[^>]*>[^<]*[\u4e00-\u9fff]', answer.text)


@pytest.mark.parametrize(
    "path",
    [
        "/console/ranking?month=2026-13",
        "/console/reports?month=11-2026",
        "/console/ratings?hall=A01&day=2026-02-30",
        "/console/calendar?year=1999",
        "/console/calendar?year=02027",
        "/console/dashboard?hall=A01&month=2026-00",
        "/console/callbacks?hall=A01&status=bogus",
        "/console/suggestions?hall=A01&status=bogus",
        "/console/appeals?hall=A01&status=bogus",
    ],
)
def test_no_refused_filter_shows_validation_text(signed_in: Browser, admin: Api, path: str):
    admin.seed_hall("A01")
    for lang in ("zh", "en"):
        answer = signed_in.get(path + f"&lang={lang}")
        assert answer.status == 400, (path, answer.status)
        no_raw_text(answer.text)


def test_a_refused_month_filter_keeps_the_month_typed_and_says_why(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    answer = signed_in.get("/console/reports?month=11-2026")
    assert answer.status == 400
    assert 'value="11-2026"' in answer.text and "请填写月份，例如 2026-11" in answer.text
    assert 'id="csv-staff"' in answer.text  # the page itself, with this month's links
