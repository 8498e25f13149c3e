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
    for answer in (whoami(manager, token), manager.post("/api/v1/auth/logout", token=token)):
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


@pytest.mark.parametrize("password", WEAK)
def test_a_weak_new_password_is_refused_naming_new_password_and_nothing_ends(manager: Api, password: str):
    token = token_of(sign_in(manager, OWNER_PASSWORD))
    body = {"old_password": OWNER_PASSWORD, "new_password": password}
    answer = manager.post("/api/v1/auth/password", body, token=token)
    assert answer.status == 400, answer.raw
    assert set(answer.json["error"]["fields"]) == {"new_password"}
    assert whoami(manager, token).status == 200


def test_an_admin_may_not_set_a_weak_password_either(admin: Api, manager: Api):
    answer = admin.post(f"/api/v1/admin/users/{MANAGER}/password", {"password": "woaini1314"})
    assert answer.status == 400 and set(answer.json["error"]["fields"]) == {"password"}
    token_of(sign_in(manager, OWNER_PASSWORD))


# ---- guessing, and not locking the owner out ---------------------------------------
def test_an_attacker_guessing_from_one_address_is_slowed_while_the_owner_signs_in_from_another(
    manager: Api, address: Address, clock: FixedClock
):
    address(ATTACKER)
    answers = [sign_in(manager, f"guess-number-{i}") for i in range(20)]

    assert [a.status for a in answers[:5]] == [401] * 5
    assert {a.status for a in answers[5:]} == {429}
    throttled = answers[-1]
    assert throttled.json["error"]["code"] == "too_many_requests"
    wait = int(throttled.headers["retry-after"])
    assert 1 <= wait <= 15 * 60
    # The right password from the attacker's address waits too: the pair is throttled, not a password.
    assert sign_in(manager, OWNER_PASSWORD).status == 429

    address(OWNER)
    token = token_of(sign_in(manager, OWNER_PASSWORD))
    assert whoami(manager, token).status == 200

    # Once the wait is over the attacker may try again, and the next failure waits longer.
    address(ATTACKER)
    clock.advance(seconds=wait)
    assert sign_in(manager, "guess-number-20").status == 401
    again = sign_in(manager, "guess-number-21")
    assert again.status == 429
    assert int(again.headers["retry-after"]) == 2 * wait


def test_the_wait_doubles_from_a_few_seconds_up_to_fifteen_minutes(manager: Api, address: Address, clock: FixedClock):
    address(ATTACKER)
    for i in range(5):
        assert sign_in(manager, f"guess-number-{i}").status == 401
    waits = []
    for i in range(10):
        refused = sign_in(manager, "guess-while-waiting")
        assert refused.status == 429, refused.raw
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(seconds=waits[-1])
        assert sign_in(manager, f"guess-after-waiting-{i}").status == 401  # judged, and counted
    assert waits == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]


def test_a_success_never_counts_and_clears_the_failures_of_its_address(manager: Api, address: Address):
    address(OWNER)
    for _ in range(25):
        token_of(sign_in(manager, OWNER_PASSWORD))
    for _ in range(4):
        assert sign_in(manager, "a-typo-of-mine").status == 401
    token_of(sign_in(manager, OWNER_PASSWORD))
    for _ in range(4):  # counted from zero again: still no wait
        assert sign_in(manager, "a-typo-of-mine").status == 401
    token_of(sign_in(manager, OWNER_PASSWORD))


def test_the_console_shows_the_wait_in_chinese_and_keeps_the_name_typed(
    manager: Api, address: Address, clock: FixedClock
):
    address(ATTACKER)
    browser = Browser(manager.client)
    for _ in range(5):
        assert browser.sign_in(MANAGER, "guess-in-the-console").status == 401
    answer = browser.sign_in(MANAGER, "guess-in-the-console")
    assert answer.status == 429
    assert answer.headers["retry-after"] == "5"
    assert "登录失败次数过多，请5秒后再试。" in answer.text
    assert f'value="{MANAGER}"' in answer.text
    # The owner, elsewhere, signs in to the console as ever.
    address(OWNER)
    assert Browser(manager.client).sign_in(MANAGER, OWNER_PASSWORD).status == 303


# ---- sessions end when they should ---------------------------------------------------
def test_signing_out_ends_the_token_at_once(manager: Api):
    token = token_of(sign_in(manager, OWNER_PASSWORD))
    assert whoami(manager, token).status == 200
    assert manager.post("/api/v1/auth/logout", token=token).status == 204
    refused = whoami(manager, token)
    assert refused.status == 401 and refused.json["error"]["code"] == "unauthenticated"
    assert manager.post("/api/v1/auth/logout", token=token).status == 401
    fresh = token_of(sign_in(manager, OWNER_PASSWORD))
    assert whoami(manager, fresh).status == 200


def test_signing_out_of_the_console_ends_the_cookie_and_the_api_token(manager: Api):
    token = token_of(sign_in(manager, OWNER_PASSWORD))
    browser = Browser(manager.client)
    assert browser.sign_in(MANAGER, OWNER_PASSWORD).status == 303
    assert browser.get("/console/callbacks").status == 200
    old_cookie = browser.cookies["ts_session"]

    assert browser.post("/console/logout", {}).status == 303
    browser.cookies["ts_session"] = old_cookie  # someone kept a copy
    answer = browser.get("/console/callbacks")
    assert answer.status == 303 and answer.headers["location"].startswith("/console/login")
    assert whoami(manager, token).status == 401


def test_changing_the_password_ends_every_session(manager: Api):
    here, elsewhere = token_of(sign_in(manager, OWNER_PASSWORD)), token_of(sign_in(manager, OWNER_PASSWORD))
    browser = Browser(manager.client)
    assert browser.sign_in(MANAGER, OWNER_PASSWORD).status == 303

    wrong = manager.post(
        "/api/v1/auth/password", {"old_password": "not-my-password", "new_password": NEW_PASSWORD}, token=here
    )
    assert wrong.status == 403 and "old_password" in wrong.json["error"]["fields"]
    assert whoami(manager, elsewhere).status == 200  # nothing changed

    changed = manager.post(
        "/api/v1/auth/password", {"old_password": OWNER_PASSWORD, "new_password": NEW_PASSWORD}, token=here
    )
    assert changed.status == 204, changed.raw
    assert whoami(manager, elsewhere).status == 401
    assert whoami(manager, here).status == 401
    assert browser.get("/console/callbacks").status == 303
    assert sign_in(manager, OWNER_PASSWORD).status == 401
    assert whoami(manager, token_of(sign_in(manager, NEW_PASSWORD))).status == 200


def test_the_current_password_may_be_sent_as_current_password(manager: Api):
    token = token_of(sign_in(manager, OWNER_PASSWORD))
    body = {"current_password": OWNER_PASSWORD, "new_password": NEW_PASSWORD}
    assert manager.post("/api/v1/auth/password", body, token=token).status == 204
    token_of(sign_in(manager, NEW_PASSWORD))


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_admin_sets_a_users_password_and_their_sessions_end(admin: Api, manager: Api, method: str):
    token = token_of(sign_in(manager, OWNER_PASSWORD))
    path = f"/api/v1/admin/users/{MANAGER}/password"
    assert manager.request(method, path, {"password": NEW_PASSWORD}, token=token).status == 403
    assert admin.request(method, path, {"password": NEW_PASSWORD}).status == 204
    assert whoami(manager, token).status == 401
    assert sign_in(manager, OWNER_PASSWORD).status == 401
    token_of(sign_in(manager, NEW_PASSWORD))
    missing = admin.request(method, "/api/v1/admin/users/nobody/password", {"password": NEW_PASSWORD})
    assert missing.status == 404


# ---- the document ----------------------------------------------------------------------
def test_the_new_routes_are_in_the_openapi_document(api: Api):
    paths = api.get("/api/openapi.json").json["paths"]
    throttled = paths["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert "Retry-After" in throttled["headers"]
    assert "429" in paths["/api/v1/auth/password"]["post"]["responses"]
    assert set(paths["/api/v1/auth/logout"]["post"]["responses"]) >= {"204", "401"}
    change = paths["/api/v1/auth/password"]["post"]
    assert "204" in change["responses"]
    assert change["requestBody"]["content"]["application/json"]["schema"]
    reset = paths["/api/v1/admin/users/{username}/password"]
    assert {"post", "put"} <= set(reset)
    assert "204" in reset["post"]["responses"]
