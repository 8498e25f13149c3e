"""Signing in as it was attacked: guessing passwords, locking owners out, sessions
that outlived signing out, weak passwords, and credentials holding non-ASCII
text. Each test is one part of the story, told through the HTTP API and the
console with chalice.test.Client; the client's address is set per request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import composition
from tests.fakes.clock import FixedClock
from tests.functional.test_console import Browser
from tests.http import Answer, Api

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"
OWNER_PASSWORD = "East-hall-keeper-7"
NEW_PASSWORD = "Riverside-lantern-42"
MANAGER = "mgr.wang"

Address = Callable[[str], None]


@pytest.fixture
def clock(aws: None, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Time stands still unless a test moves it (waits are asserted to the second)."""
    fixed = FixedClock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(composition, "clock", lambda: fixed)
    return fixed


@pytest.fixture
def address(monkeypatch: pytest.MonkeyPatch) -> Address:
    """Where the next requests come from (API Gateway's sourceIp)."""

    def at(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)

    return at


@pytest.fixture
def admin(clock: FixedClock, api: Api) -> Api:
    return api.as_admin()


@pytest.fixture
def manager(admin: Api) -> Api:
    """A hall manager with a good password; a separate client of the same app."""
    admin.seed_hall("A01", counters=1)
    body = {"username": MANAGER, "password": OWNER_PASSWORD, "role": "manager", "halls": ["A01"]}
    assert admin.post("/api/v1/admin/users", body).status == 201
    return Api(admin.client)


def sign_in(api: Api, password: str, username: str = MANAGER) -> Answer:
    return api.post("/api/v1/auth/login", {"username": username, "password": password}, token="")


def whoami(api: Api, token: str) -> Answer:
    """Any route a manager may call: the suggestions of their hall."""
    return api.get("/api/v1/suggestions?hall=A01", token=token)


def token_of(answer: Answer) -> str:
    assert answer.status == 200, answer.raw
    return str(answer.json["token"])


# ---- credentials holding any text ----------------------------------------------------
@pytest.mark.parametrize("token", ["v1.a.é", "v1.é.a", "é", "v1.eyJzdWIiOiJhZG1pbiJ9.签名", "v1.a.\u00a0"])
def test_a_bearer_token_with_non_ascii_text_is_a_401_not_a_500(manager: Api, token: str):
    for answer in (whoami(manager, token),):
        assert answer.status == 401, answer.raw
        assert answer.json["error"]["code"] == "unauthenticated"


def test_a_device_key_with_non_ascii_text_is_a_401(manager: Api):
    answer = manager.post("/api/v1/device/ratings", {"ratings": []}, token="tsd_dev-00_é")
    assert answer.status == 401, answer.raw


def test_the_console_answers_a_session_cookie_holding_non_ascii_text(manager: Api):
    browser = Browser(manager.client)
    browser.cookies["ts_session"] = "v1.a.é"
    assert browser.get("/console/login").status == 200
    browser.cookies["ts_session"] = "v1.a.é"
    answer = browser.get("/console/callbacks")
    assert answer.status == 303 and answer.headers["location"].startswith("/console/login")
    assert "ts_session" not in browser.cookies  # the sign-in redirect ends the bad cookie
    browser.cookies["ts_session"] = "v1.a.é"
    assert browser.sign_in(MANAGER, OWNER_PASSWORD).status == 303  # and signing in replaces it
    assert browser.get("/console/callbacks").status == 200


def test_another_cookie_holding_non_ascii_text_does_not_keep_anyone_from_signing_in(manager: Api):
    browser = Browser(manager.client)
    browser.cookies["other_app"] = "中文"  # a cookie of another app on the domain, or a planted one
    assert browser.sign_in(MANAGER, OWNER_PASSWORD).status == 303
    assert browser.get("/console/callbacks").status == 200


# ---- weak passwords ------------------------------------------------------------------
WEAK = [
    pytest.param(" " * 12, id="blank"),
    pytest.param("short-1", id="short"),
    pytest.param("MGR.WANG-2026", id="holds-the-username"),
    pytest.param("woaini1314", id="common-chinese"),
    pytest.param("QwertyUiop", id="common-keyboard"),
    pytest.param("1234567890", id="common-digits"),
    pytest.param("Password12", id="common-word"),
]


@pytest.mark.parametrize("password", WEAK)
def test_a_weak_password_is_refused_for_a_new_user_naming_the_field(admin: Api, password: str):
    admin.seed_hall("A01", counters=1)
    body = {"username": MANAGER, "password": password, "role": "manager", "halls": ["A01"]}
    answer = admin.post("/api/v1/admin/users", body)
    assert answer.status == 400, answer.raw
    assert set(answer.json["error"]["fields"]) == {"password"}
    assert answer.json["error"]["message"]
    assert admin.post("/api/v1/auth/login", {"username": MANAGER, "password": password}, token="").status == 401
