"""The customer's survey page /q/{code}: no JavaScript, a screen per block, skip logic on the server."""

import re
import uuid
from urllib.parse import urlencode

import pytest

from tests.functional.test_surveys_api import code_of
from tests.http import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MATRIX = [
    ("q1.tangibles", "4"),
    ("q1.reliability", "5"),
    ("q1.responsiveness", "3"),
    ("q1.assurance", "4"),
    ("q1.empathy", "5"),
]


@pytest.fixture
def code(admin: Api) -> str:
    admin.seed_hall("A01", counters=0)
    template = admin.get("/api/v1/surveys/templates/customer-perception").json
    survey_id = admin.post("/api/v1/surveys", template).json["id"]
    admin.post(f"/api/v1/surveys/{survey_id}/publish")
    return code_of(admin, survey_id, "A01")


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def post(api: Api, code: str, fields: list[tuple[str, str]], cookie: str = ""):
    headers = {**FORM, **({"Cookie": cookie} if cookie else {})}
    return api.post(f"/q/{code}", urlencode(fields), token="", headers=headers)


def test_the_first_screen_is_small_chinese_without_script_and_the_matrix_is_a_table(api: Api, code: str):
    page = api.get(f"/q/{code}", token="")
    assert page.status == 200 and page.headers["content-language"] == "zh-CN"
    html = page.text
    assert "<script" not in html and len(page.raw) < 20 * 1024
    assert "http" not in re.sub(r'<a href="/q/[^"]*"', "", html).replace("http-equiv", "")  # no external assets
    assert '<table class="matrix">' in html and "<caption>" in html
    assert html.count('scope="col"') == 5 and html.count('scope="row"') == 5
    assert 'name="q4"' not in html  # the reason waits for the overall answer
    assert hidden(html, "block") == "0"
    assert "Please rate" in api.get(f"/q/{code}?lang=en", token="").text


def walk(api: Api, code: str, overall: str, reasons: list[str]):
    first = api.get(f"/q/{code}", token="").text
    rid, version = hidden(first, "response_id"), hidden(first, "version")
    control = [("response_id", rid), ("version", version)]
    second = post(api, code, [*MATRIX, ("q2", overall), ("q3", "8"), *control, ("block", "0")])
    assert second.status == 200
    fields = [*MATRIX, ("q2", overall), ("q3", "8"), *control, ("block", "1"), ("q5", "很好")]
    fields += [("q4", r) for r in reasons]
    return second.text, fields


def test_the_reason_is_asked_only_of_the_dissatisfied_and_a_double_submit_counts_once(admin: Api, code: str):
    screen, fields = walk(admin, code, "2", ["long_wait", "attitude"])
    assert 'name="q4"' in screen and hidden(screen, "q2") == "2"  # earlier answers travel as hidden fields
    done = post(admin, code, fields)
    assert done.status == 303 and done.headers["location"] == f"/q/{code}/thanks"
    assert "ts_q_" in done.headers["set-cookie"]
    again = post(admin, code, fields)  # Back and submit again: the same answer, counted once
    assert again.status == 303
    survey_id = admin.get("/api/v1/surveys").json["items"][0]["id"]
    results = admin.get(f"/api/v1/surveys/{survey_id}/results").json
    assert results["responses"] == 1 and results["questions"][3]["counts"]["attitude"] == 1
    assert "谢谢" in admin.get(done.headers["location"], token="").text
    thanked = admin.get(f"/q/{code}", token="", headers={"Cookie": done.headers["set-cookie"].split(";")[0]})
    assert "已提交过" in thanked.text  # this browser answered already


def test_a_satisfied_customer_is_not_asked_why_and_a_forged_reason_is_refused(api: Api, code: str):
    screen, fields = walk(api, code, "5", [])
    assert 'name="q4"' not in screen
    refused = post(api, code, [*fields, ("q4", "attitude")])
    assert refused.status == 400 and "请检查" in refused.text


def test_a_missing_required_answer_shows_the_screen_again_with_the_choices_kept(api: Api, code: str):
    first = api.get(f"/q/{code}", token="").text
    control = [("response_id", hidden(first, "response_id")), ("version", hidden(first, "version")), ("block", "0")]
    again = post(api, code, [*MATRIX[:2], ("q3", "7"), *control])
    assert again.status == 400 and 'id="e-q1"' in again.text and 'id="e-q2"' in again.text
    assert 'name="q3" value="7" required checked' in again.text


def test_a_closed_survey_says_so_kindly(admin: Api, code: str):
    survey_id = admin.get("/api/v1/surveys").json["items"][0]["id"]
    admin.post(f"/api/v1/surveys/{survey_id}/close")
    page = admin.get(f"/q/{code}", token="")
    assert page.status == 410 and "调查已结束" in page.text
    sent = post(admin, code, [("response_id", str(uuid.uuid4())), *MATRIX])
    assert sent.status == 410 and "调查已结束" in sent.text


def test_the_qr_code_is_an_svg_and_a_forged_one_is_404(api: Api, code: str):
    svg = api.get(f"/q/{code}/qr.svg", token="")
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert api.get(f"/q/x{code}/qr.svg", token="").status == 404
