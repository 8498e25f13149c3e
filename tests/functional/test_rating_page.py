import re
from urllib.parse import urlencode

import pytest

from chalicelib import composition
from chalicelib.domain import qrcodes
from tests.http import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def code(admin: Api) -> str:
    admin.seed_hall("A01", counters=2)
    codes = admin.get("/api/v1/admin/halls/A01/qr-codes").json
    assert [c["counter"] for c in codes["counters"]] == [1, 2]
    assert codes["suggestion_box"]["url"].endswith("/s/A01")
    return codes["counters"][0]["url"].rsplit("/r/", 1)[1]


def stored_ratings(day_hall="A01"):
    from datetime import UTC, datetime

    from chalicelib.domain.business_time import SHANGHAI

    day = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d")
    return list(composition.ratings().ratings_of_day(day_hall, day))


def test_the_page_works_without_javascript_and_is_small(api: Api, code: str):
    opened = api.get(f"/r/{code}", token="")
    assert opened.status == 303  # to itself with a form key
    page = api.get(opened.headers["location"], token="")
    assert page.status == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html
    assert len(page.raw) < 20 * 1024
    assert 'name="level"' in html and "非常满意" in html and "A01营业厅" in html
    for input_id in re.findall(r'<input[^>]*id="([^"]+)"', html):
        if input_id != "website":
            assert f'for="{input_id}"' in html, input_id
    english = api.get(f"/r/{code}?lang=en", token="").headers["location"]
    assert "Very satisfied" in api.get(english, token="").text


def test_submitting_the_form_stores_a_qr_rating_and_redirects_to_thanks(api: Api, code: str):
    body = urlencode(
        [
            ("level", "2"),
            ("reasons", "long_wait"),
            ("reasons", "attitude"),
            ("business", "invoice"),
            ("comment", "<script>alert(1)</script>"),
            ("phone", ""),
            ("website", ""),
        ]
    )
    answer = api.post(f"/r/{code}", body, token="", headers=FORM)
    assert answer.status == 303
    assert answer.headers["location"] == f"/r/{code}/thanks"
    assert "HttpOnly" in answer.headers["set-cookie"]
    [rating] = stored_ratings()
    assert (rating.channel.value, rating.level, rating.counter_number) == ("qr", 2, 1)
    assert [r.value for r in rating.reasons] == ["long_wait", "attitude"]
    assert rating.comment == "<script>alert(1)</script>"
    assert "谢谢" in api.get(answer.headers["location"], token="").text


def test_a_second_rating_from_the_same_browser_within_ten_minutes_is_not_stored(api: Api, code: str):
    first = api.post(f"/r/{code}", "level=5", token="", headers=FORM)
    cookie = first.headers["set-cookie"].split(";")[0]
    again = api.post(f"/r/{code}", "level=1", token="", headers=FORM | {"Cookie": cookie})
    assert again.status == 200 and "已评价" in again.text
    assert [r.level for r in stored_ratings()] == [5]


def test_json_is_answered_when_asked(api: Api, code: str):
    answer = api.post(f"/r/{code}", "level=4", token="", headers=FORM | {"Accept": "application/json"})
    assert answer.status == 200
    assert stored_ratings()[0].id == answer.json["id"]
    bad = api.post(f"/r/{code}", "level=7", token="", headers=FORM | {"Accept": "application/json"})
    assert (bad.status, list(bad.json["error"]["fields"])) == (400, ["level"])


def test_bad_input_redisplays_the_form_naming_the_field_and_stores_nothing(api: Api, code: str):
    answer = api.post(f"/r/{code}", "level=1&phone=13812345678", token="", headers=FORM)
    assert answer.status == 400
    assert "勾选同意" in answer.text and 'value="13812345678"' in answer.text
    assert api.post(f"/r/{code}", "level=&comment=x", token="", headers=FORM).status == 400
    assert stored_ratings() == []


def test_the_honeypot_is_thanked_and_ignored(api: Api, code: str):
    answer = api.post(f"/r/{code}", "level=5&website=http://spam", token="", headers=FORM)
    assert answer.status == 303
    assert stored_ratings() == []


def test_forged_or_unknown_codes_are_a_404_page(api: Api, code: str):
    forged = qrcodes.counter_code(b"not-the-key" * 4, "A01", 1)
    for bad in (forged, "nonsense", code[:-2] + "xx"):
        page = api.get(f"/r/{bad}", token="")
        assert page.status == 404
        assert "页面不存在" in page.text
        assert api.post(f"/r/{bad}", "level=5", token="", headers=FORM).status == 404
    assert stored_ratings() == []


def test_qr_images_are_svg(api: Api, code: str):
    svg = api.get(f"/r/{code}/qr.svg", token="")
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg")
    assert api.get("/s/A01/qr.svg", token="").status == 200
    assert api.get("/s/NOPE/qr.svg", token="").status == 404
