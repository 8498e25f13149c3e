"""The console's surveys without JavaScript: start from the template, build (add, change, order,
remove, show_if), preview, publish, links and QR, invitations, results with charts and a comparison."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.functional.test_console import Browser
from tests.functional.test_console_outreach import manager_of
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

SURVEY = re.compile(r"^/console/surveys/([0-9a-f]{32})\?done=created$")
MATRIX = {"q1.tangibles": 4, "q1.reliability": 5, "q1.responsiveness": 3, "q1.assurance": 4, "q1.empathy": 5}


@pytest.fixture
def browser(admin: Api) -> Browser:
    admin.seed_hall("A01", counters=0)
    b = Browser(admin.client)
    assert b.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return b


def start(browser: Browser, how: str = "template") -> str:
    created = browser.post("/console/surveys", {"start": how}, csrf=browser.csrf("/console/surveys"))
    assert created.status == 303
    found = SURVEY.match(created.headers["location"])
    assert found, created.headers["location"]
    return found.group(1)


def question_ids(browser: Browser, survey_id: str) -> list[str]:
    return re.findall(r'<div class="card q" id="card-(\w+)">', browser.get(f"/console/surveys/{survey_id}").text)


def test_the_builder_adds_orders_changes_and_removes_questions(browser: Browser):
    survey_id = start(browser, "blank")
    base = f"/console/surveys/{survey_id}"
    page = browser.get(base)
    assert page.status == 200 and "<script" not in page.text and 'href="/console/surveys" class="on"' in page.text
    assert browser.post(f"{base}/add-question", {"type": "single", "text": "您办理的业务"}).status == 303
    assert question_ids(browser, survey_id) == ["q1", "q2"]
    change = {
        "type": "single",
        "text": "您办理的业务",
        "options": "fee|电费缴纳|Fee payment\nnew|业扩报装\n",
        "show_if_question": "q1",
        "show_if_in": "1,2,3",
        "required": "1",
    }
    assert browser.post(f"{base}/questions/q2", change).status == 303
    builder = browser.get(base).text
    assert "业扩报装" in builder and "q1 ∈ 1, 2, 3" in builder
    refused = browser.post(f"{base}/questions/q2/move", {"direction": "up"})  # above the question it looks at
    assert refused.status == 400 and "questions.0.show_if.question" in refused.text
    refused = browser.post(f"{base}/questions/q1/remove", {})
    assert refused.status == 400 and "questions.0.show_if.question" in refused.text
    browser.post(f"{base}/add-question", {"type": "text", "text": "其他意见"})
    assert browser.post(f"{base}/questions/q3/move", {"direction": "up"}).status == 303
    assert question_ids(browser, survey_id) == ["q1", "q3", "q2"]
    assert browser.post(f"{base}/questions/q2/remove", {}).status == 303
    assert question_ids(browser, survey_id) == ["q1", "q3"]
    preview = browser.get(f"{base}/preview")
    assert preview.status == 200 and "其他意见" in preview.text


def test_publish_links_invitations_and_results_with_charts_and_comparison(browser: Browser, admin: Api):
    survey_id = start(browser)
    base = f"/console/surveys/{survey_id}"
    assert browser.post(f"{base}/publish", {}).headers["location"] == f"{base}?done=published-1"
    page = browser.get(base).text
    code = re.search(r'href="[^"]*/q/([^"/]+)"', page).group(1)
    assert f"/q/{code}/qr.svg" in page
    for overall in (5, 2):
        body = {"response_id": str(uuid.uuid4()), **MATRIX, "q2": overall, "q3": 9}
        assert admin.post(f"/q/{code}", body, token="", headers={"Accept": "application/json"}).status == 200
    sent = browser.post(f"{base}/invitations", {"hall_code": "A01", "phones": "13812345678\n13912345678"})
    assert sent.headers["location"] == f"{base}?done=invited-2"
    bad = browser.post(f"{base}/invitations", {"hall_code": "A01", "phones": "123"})
    assert bad.status == 400 and "phones.0" in bad.text
    results = browser.get(f"{base}/results")
    assert results.status == 200 and results.text.count("<svg") >= 5 and "有形性" in results.text
    assert "<script" not in results.text
    # a second round: edit, publish v2, compare with v1
    browser.post(f"{base}/settings", {"title": "第二轮", "intro": "", "halls": "", "anonymous": "1"})
    assert browser.post(f"{base}/publish", {}).headers["location"] == f"{base}?done=published-2"
    compared = browser.get(f"{base}/results?compare=1")
    assert "对比" in compared.text and "v1" in compared.text
    csv = browser.get(f"/console/reports/survey-responses.csv?survey={survey_id}")
    assert csv.status == 200 and "答卷编号" in csv.raw.decode("utf-8")
    sheet = browser.get("/console/qr?hall=A01").text
    assert f"/q/{code}/qr.svg" in sheet  # printable with the hall's other codes


def test_a_manager_reads_but_does_not_build(browser: Browser, admin: Api):
    survey_id = start(browser)
    manager = manager_of(admin, "m-a01", ["A01"])
    page = manager.get(f"/console/surveys/{survey_id}")
    assert page.status == 200 and "保存此题" not in page.text
    refused = manager.post(f"/console/surveys/{survey_id}/publish", {}, csrf=manager.csrf("/console/surveys"))
    assert refused.status == 403
