"""The suggestion box cannot take a note twice: the form's address carries a key that
survives Back and reload, and a second POST with a used key answers the same receipt."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.http import Answer, Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AS_JSON = {"Accept": "application/json"}
NOTE = {"kind": "suggestion", "content": "大厅的椅子不够坐，建议增加。"}


@pytest.fixture
def manager(admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    password = "password-123456"
    created = admin.post(
        "/api/v1/admin/users", {"username": "mgr-a01", "password": password, "role": "manager", "halls": ["A01"]}
    )
    assert created.status == 201, created.raw
    other = Api(admin.client)
    other.token = other.login("mgr-a01", password)
    return other


def post_form(api: Api, path: str, fields: dict[str, str]) -> Answer:
    return api.request("POST", path, urlencode(fields), headers=FORM, token="")


def open_form(api: Api, path: str = "/s/A01") -> tuple[str, str]:
    """GET the plain address (as a QR code does), follow its redirect: the form's address and key."""
    first = api.get(path, token="")
    assert first.status == 303, first.raw
    location = first.headers["location"]
    key = parse_qs(urlsplit(location).query)["k"][0]
    page = api.get(location, token="")
    assert page.status == 200 and f'name="k" value="{key}"' in page.text
    return location, key


def stored(manager: Api) -> list[dict]:
    return manager.get("/api/v1/suggestions?hall=A01").json["items"]


def test_the_plain_form_address_redirects_to_itself_with_a_long_random_key(api: Api, manager: Api):
    location, key = open_form(api)
    assert urlsplit(location).path == "/s/A01" and re.fullmatch(r"[A-Za-z0-9_-]{22,64}", key)
    assert open_form(api)[1] != key  # every opening of the plain address gets its own
    again = api.get(location, token="")  # a reload keeps the key
    assert again.status == 200 and f'name="k" value="{key}"' in again.text
    en = api.get("/s/A01?lang=en", token="")
    assert en.status == 303 and "lang=en" in en.headers["location"]


def test_posting_the_form_twice_with_one_key_stores_one_note_and_answers_the_same_receipt(api: Api, manager: Api):
    _, key = open_form(api)
    first = post_form(api, "/s/A01", {**NOTE, "k": key})
    assert first.status == 303
    assert first.headers["location"].startswith("/s/A01/receipt/")
    second = post_form(api, "/s/A01", {**NOTE, "k": key})  # Back, then Send again
    assert second.status == 303 and second.headers["location"] == first.headers["location"]
    assert len(stored(manager)) == 1
    assert api.get(second.headers["location"], token="").status == 200


def test_coming_back_to_a_used_form_address_leads_to_its_receipt(api: Api, manager: Api):
    location, key = open_form(api)
    first = post_form(api, "/s/A01", {**NOTE, "k": key})
    back = api.get(location, token="")
    assert back.status == 303 and back.headers["location"] == first.headers["location"]


def test_two_keys_are_two_notes(api: Api, manager: Api):
    for _ in range(2):
        _, key = open_form(api)
        assert post_form(api, "/s/A01", {**NOTE, "k": key}).status == 303
    assert len(stored(manager)) == 2


def test_a_malformed_key_is_refused_and_stores_nothing(api: Api, manager: Api):
    for bad in ("short", "x" * 65, "has spaces in it but is long enough"):
        page = post_form(api, "/s/A01", {**NOTE, "k": bad})
        assert page.status == 400, bad
        answer = api.request("POST", "/s/A01", {**NOTE, "key": bad}, headers=AS_JSON, token="")
        assert answer.status == 400 and "key" in answer.json["error"]["fields"]
    assert stored(manager) == []
    bad_address = api.get("/s/A01?k=short", token="")  # a mangled address gets a fresh key
    assert bad_address.status == 303 and "k=short" not in bad_address.headers["location"]


def test_json_posts_take_an_optional_key_and_without_one_behave_as_before(api: Api, manager: Api):
    key = "J" * 30
    numbers = [
        api.request("POST", "/s/A01", {**NOTE, "key": key}, headers=AS_JSON, token="").json["tracking_no"]
        for _ in range(2)
    ]
    assert numbers[0] == numbers[1]
    by_id = api.request("POST", "/s/A01", {**NOTE, "id": key}, headers=AS_JSON, token="")
    assert by_id.json["tracking_no"] == numbers[0]
    plain = [api.request("POST", "/s/A01", NOTE, headers=AS_JSON, token="").json["tracking_no"] for _ in range(2)]
    assert plain[0] != plain[1]
    assert len(stored(manager)) == 3


def test_a_replayed_key_does_not_count_against_the_rate_limit(api: Api, manager: Api):
    _, key = open_form(api)
    for _ in range(15):  # more than the ten notes one address may drop in ten minutes
        assert post_form(api, "/s/A01", {**NOTE, "k": key}).status == 303
    assert len(stored(manager)) == 1
    _, other = open_form(api)
    assert post_form(api, "/s/A01", {**NOTE, "k": other}).status == 303
