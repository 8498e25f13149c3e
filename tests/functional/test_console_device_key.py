"""Registering a device in the console cannot register two: the hall page's address carries
the form's key, and a second submit with a used key registers nothing and shows no key."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.functional.test_console import Browser
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

SECRET = re.compile(r'class="secret">([^<]+)<')


@pytest.fixture
def signed_in(admin: Api) -> Browser:
    admin.seed_hall("A01", counters=1)
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def open_hall(browser: Browser) -> tuple[str, str, str]:
    """The hall page as a link opens it: 303 to itself with a key; its address, key and CSRF token."""
    first = browser.get("/console/admin/halls/A01")
    assert first.status == 303, first.raw
    location = first.headers["location"]
    key = parse_qs(urlsplit(location).query)["key"][0]
    page = browser.get(location)
    assert page.status == 200 and f'name="key" value="{key}"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    return location, key, csrf.group(1)


def devices(admin: Api) -> list[dict]:
    return admin.get("/api/v1/admin/halls/A01/devices").json["items"]


def test_submitting_the_device_form_twice_registers_one_device_and_shows_its_key_once(signed_in: Browser, admin: Api):
    location, key, csrf = open_hall(signed_in)
    first = signed_in.post("/console/admin/halls/A01/devices", {"number": "1", "key": key}, csrf)
    assert first.status == 201 and SECRET.search(first.text)
    assert f'name="key" value="{key}"' not in first.text  # the next device gets a key of its own
    again = signed_in.post("/console/admin/halls/A01/devices", {"number": "1", "key": key}, csrf)  # Back, resubmit
    assert again.status == 303
    assert urlsplit(again.headers["location"]).path == "/console/admin/halls/A01"
    assert f"key={key}" in again.headers["location"]
    page = signed_in.get(again.headers["location"])
    assert page.status == 200 and not SECRET.search(page.text)
    assert "已登记" in page.text and devices(admin)[0]["device_id"] in page.text
    assert len(devices(admin)) == 1
    back = signed_in.get(location)  # coming Back to the used address: the same key, no second device
    assert back.status == 200 and f'name="key" value="{key}"' in back.text and not SECRET.search(back.text)


def test_each_opening_of_the_hall_page_registers_its_own_device(signed_in: Browser, admin: Api):
    for _ in range(2):
        _, key, csrf = open_hall(signed_in)
        assert signed_in.post("/console/admin/halls/A01/devices", {"number": "1", "key": key}, csrf).status == 201
    assert len(devices(admin)) == 2


def test_a_malformed_device_form_key_registers_nothing(signed_in: Browser, admin: Api):
    _, _, csrf = open_hall(signed_in)
    answer = signed_in.post("/console/admin/halls/A01/devices", {"number": "1", "key": "short"}, csrf)
    assert answer.status == 400
    assert devices(admin) == []
    mangled = signed_in.get("/console/admin/halls/A01?key=short")
    assert mangled.status == 303 and "key=short" not in mangled.headers["location"]
