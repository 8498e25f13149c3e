"""The QR rating form cannot store a rating twice: the form's address carries a key that
survives Back and reload, and a second POST with a used key answers the same 303."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.functional.test_rating_page import code, stored_ratings  # noqa: F401  (fixture)
from tests.http import Answer, Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AS_JSON = {"Accept": "application/json"}


def post_form(api: Api, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Answer:
    return api.request("POST", path, urlencode(fields), headers=FORM | (headers or {}), token="")


def open_form(api: Api, path: str) -> str:
    """GET the plain address (as a QR code does), follow its redirect: the form's key."""
    first = api.get(path, token="")
    assert first.status == 303, first.raw
    assert first.headers["cache-control"] == "no-store"
    location = first.headers["location"]
    key = parse_qs(urlsplit(location).query)["k"][0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", key)
    page = api.get(location, token="")
    assert page.status == 200 and f'name="k" value="{key}"' in page.text
    return key


def test_the_plain_address_answers_303_to_itself_with_a_key_keeping_the_language(api: Api, code: str):  # noqa: F811
    key = open_form(api, f"/r/{code}")
    assert open_form(api, f"/r/{code}") != key  # each opening gets its own
    english = api.get(f"/r/{code}?lang=en", token="")
    assert english.status == 303
    assert english.headers["location"].startswith(f"/r/{code}?k=") and english.headers["location"].endswith("&lang=en")
    mangled = api.get(f"/r/{code}?k=short", token="")
    assert mangled.status == 303 and "k=short" not in mangled.headers["location"]


def test_the_same_key_twice_stores_one_rating_and_answers_the_same_redirect(api: Api, code: str):  # noqa: F811
    key = open_form(api, f"/r/{code}")
    first = post_form(api, f"/r/{code}", {"level": "2", "reasons": "long_wait", "k": key})
    assert first.status == 303
    second = post_form(api, f"/r/{code}", {"level": "2", "reasons": "long_wait", "k": key})  # Back, then Submit
    assert second.status == 303
    assert second.headers["location"] == first.headers["location"]
    assert first.headers["location"].startswith(f"/r/{code}/thanks")
    [rating] = stored_ratings()
    assert re.fullmatch(r"[0-9a-f]{32}", rating.id) and key not in rating.id
    # A used key's address leads to what was stored.
    used = api.get(f"/r/{code}?k={key}", token="")
    assert (used.status, used.headers["location"]) == (303, first.headers["location"])


def test_a_resend_is_not_counted_by_the_browser_cookie_or_the_address_limit(api: Api, code: str):  # noqa: F811
    key = open_form(api, f"/r/{code}")
    first = post_form(api, f"/r/{code}", {"level": "5", "k": key})
    cookie = first.headers["set-cookie"].split(";")[0]
    for _ in range(61):  # past the per-address limit (60 in ten minutes)
        again = post_form(api, f"/r/{code}", {"level": "5", "k": key}, headers={"Cookie": cookie})
        assert (again.status, again.headers["location"]) == (303, first.headers["location"])
    assert [r.level for r in stored_ratings()] == [5]


def test_a_bad_key_is_a_400_and_stores_nothing(api: Api, code: str):  # noqa: F811
    for bad in ("short", "has space in it but is long enough", "x" * 65):
        page = post_form(api, f"/r/{code}", {"level": "5", "k": bad})
        assert page.status == 400
        assert re.search(r'name="k" value="[A-Za-z0-9_-]{32}"', page.text)  # a fresh key to try again
    assert stored_ratings() == []


def test_json_posts_may_send_a_key(api: Api, code: str):  # noqa: F811
    key = "json-client-key-0123456789abcdef"
    first = post_form(api, f"/r/{code}", {"level": "4", "key": key}, headers=AS_JSON)
    second = post_form(api, f"/r/{code}", {"level": "4", "key": key}, headers=AS_JSON)
    assert (first.status, second.status) == (200, 200)
    assert first.json["id"] == second.json["id"] == stored_ratings()[0].id
    assert len(stored_ratings()) == 1
    bad = post_form(api, f"/r/{code}", {"level": "4", "key": "bad"}, headers=AS_JSON)
    assert (bad.status, list(bad.json["error"]["fields"])) == (400, ["key"])
    assert post_form(api, f"/r/{code}", {"level": "4"}, headers=AS_JSON).status == 200  # no key: as before
    assert len(stored_ratings()) == 2
