"""The console (/console): signing in, the session cookie, CSRF, and the pages
of the suggestion inbox and the callback queue, through chalice.test.Client."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from chalice.test import Client

from chalicelib import composition
from chalicelib.services import callbacks
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Answer, Api

FORM = "application/x-www-form-urlencoded"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


class Browser:
    """A cookie-keeping client that fills in the forms' CSRF tokens like a browser would."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}
        self.last_set_cookie = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = b""
        if form is not None:
            headers["Content-Type"] = FORM
            body = urlencode(form).encode()
        r = self.client.http.request(method, path, headers=headers, body=body)
        answer = Answer(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.body)
        self.last_set_cookie = answer.headers.get("set-cookie", "")
        jar: SimpleCookie = SimpleCookie()
        jar.load(self.last_set_cookie)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str], csrf: str | None = None) -> Answer:
        """Submit a form with the CSRF token of the page it came from (or the one given)."""
        token = csrf if csrf is not None else self.csrf()
        return self.request("POST", path, {"csrf": token, **form})

    def csrf(self, page: str = "/console/callbacks") -> str:
        found = CSRF.search(self.get(page).text)
        assert found, "no CSRF field on the page"
        return found.group(1)

    def sign_in(self, username: str, password: str, next_: str = "") -> Answer:
        page = self.get("/console/login")
        nonce = CSRF.search(page.text)
        assert nonce
        return self.request(
            "POST",
            "/console/login",
            {"csrf": nonce.group(1), "username": username, "password": password, "next": next_},
        )


@pytest.fixture
def browser(admin: Api) -> Browser:
    return Browser(admin.client)


@pytest.fixture
def signed_in(browser: Browser) -> Browser:
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def add_user(admin: Api, username: str, role: str, halls: list[str]) -> None:
    body = {"username": username, "password": "password-123", "role": role, "halls": halls}
    assert admin.post("/api/v1/admin/users", body).status == 201


def drop_complaint(api: Api, hall: str = "A01", phone: str = "13812345678") -> str:
    body = {"kind": "complaint", "content": "窗口排队太久了", "phone": phone, "consent": True}
    answer = api.post(f"/s/{hall}", body, token="", headers={"Accept": "application/json"})
    assert answer.status == 200, answer.raw
    return str(answer.json["tracking_no"])


def open_task_for_latest(admin: Api, hall: str = "A01") -> str:
    """What the stream handler does for a stored complaint: open its callback task."""
    repo = composition.suggestions()
    (suggestion,) = repo.list_by_hall(hall, ("new", "opened", "replied", "closed"), None, 1).items
    task = callbacks.open_for_suggestion(composition.callback_ports(), suggestion)
    assert task is not None
    return task.id


# ---- signing in ------------------------------------------------------------
def test_a_console_page_without_a_session_redirects_to_sign_in_with_next(browser: Browser):
    answer = browser.get("/console/callbacks?hall=A01")
    assert answer.status == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/console/login"
    assert parse_qs(location.query) == {"next": ["/console/callbacks?hall=A01"]}


def test_signing_in_sets_a_secure_httponly_session_cookie_and_follows_next(browser: Browser):
    answer = browser.sign_in(ADMIN_USER, ADMIN_PASSWORD, next_="/console/callbacks?hall=A01")
    assert answer.status == 303
    assert answer.headers["location"] == "/console/callbacks?hall=A01"
    cookie = browser.last_set_cookie
    assert cookie.startswith("ts_session=")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/console", "Secure"):
        assert attribute in cookie


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_next_never_leaves_the_site(browser: Browser, target: str):
    answer = browser.sign_in(ADMIN_USER, ADMIN_PASSWORD, next_=target)
    assert answer.status == 303
    assert answer.headers["location"] == "/console"


def test_a_wrong_password_shows_the_form_again_without_a_session(browser: Browser):
    answer = browser.sign_in(ADMIN_USER, "not-the-password")
    assert answer.status == 401
    assert "用户名或密码错误" in answer.text
    assert "ts_session" not in browser.cookies


def test_a_sign_in_without_the_forms_token_is_refused(browser: Browser):
    browser.get("/console/login")
    answer = browser.request("POST", "/console/login", {"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert answer.status == 403
    assert "ts_session" not in browser.cookies


def test_signing_out_ends_the_session(signed_in: Browser):
    answer = signed_in.post("/console/logout", {})
    assert answer.status == 303
    assert "Max-Age=0" in signed_in.last_set_cookie
    assert signed_in.get("/console/callbacks").status == 303


def test_a_forged_session_cookie_is_no_session(browser: Browser):
    browser.cookies["ts_session"] = "v1.forged.token"
    assert browser.get("/console/callbacks").status == 303


# ---- CSRF ------------------------------------------------------------------
@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_a_console_post_without_the_right_csrf_token_is_refused_and_changes_nothing(
    signed_in: Browser, admin: Api, token: str
):
    admin.seed_hall("A01")
    drop_complaint(admin)
    answer = signed_in.post("/console/halls/A01/suggestion-box/open", {}, csrf=token)
    assert answer.status == 403
    assert "text/html" in answer.headers["content-type"]
    listed = admin.get("/api/v1/suggestions?hall=A01&status=new").json["items"]
    assert len(listed) == 1


# ---- the suggestion inbox ----------------------------------------------------
def test_a_manager_opens_the_box_replies_and_closes_in_the_console(browser: Browser, admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    tracking_no = drop_complaint(admin)
    assert browser.sign_in("mgr1", "password-123").status == 303
    page = browser.get("/console/suggestions")
    assert page.status == 200
    assert "从未" in page.text  # never opened
    opened = browser.post("/console/halls/A01/suggestion-box/open", {})
    assert opened.status == 303
    page = browser.get(opened.headers["location"])
    assert "已开箱，新收到 1 条" in page.text
    assert "窗口排队太久了" in page.text
    (item,) = admin.get("/api/v1/suggestions?hall=A01").json["items"]
    assert item["status"] == "opened"
    answer = browser.post(f"/console/suggestions/{item['id']}/reply", {"reply": "已安排增开窗口 <b>谢谢</b>"})
    assert answer.status == 303
    page = browser.get(answer.headers["location"])
    assert "已安排增开窗口 &lt;b&gt;谢谢&lt;/b&gt;" in page.text
    assert admin.get(f"/track/{tracking_no}?phone4=5678", headers={"Accept": "application/json"}).json["status"] == (
        "replied"
    )
    assert browser.post(f"/console/suggestions/{item['id']}/close", {}).status == 303
    (item,) = admin.get("/api/v1/suggestions?hall=A01").json["items"]
    assert item["status"] == "closed"


def test_an_agent_has_no_suggestion_inbox(browser: Browser, admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "agent1", "agent", ["A01"])
    browser.sign_in("agent1", "password-123")
    assert browser.get("/console/suggestions?hall=A01").status == 403


# ---- the callback queue ------------------------------------------------------
def test_an_agent_claims_calls_and_closes_a_task_in_the_console(browser: Browser, admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "agent1", "agent", ["A01"])
    drop_complaint(admin)
    task_id = open_task_for_latest(admin)
    assert browser.sign_in("agent1", "password-123").headers["location"] == "/console"
    assert browser.get("/console").headers["location"] == "/console/callbacks"
    queue = browser.get("/console/callbacks")
    assert "138****5678" in queue.text
    assert "13812345678" not in queue.text
    assert browser.post(f"/console/callbacks/{task_id}/claim", {}).status == 303
    assert "13812345678" in browser.get("/console/callbacks").text
    answer = browser.post(f"/console/callbacks/{task_id}/attempts", {"result": "reached", "note": "已沟通"})
    assert answer.status == 303
    assert "已记录回访" in browser.get(answer.headers["location"]).text
    answer = browser.post(f"/console/callbacks/{task_id}/close", {"outcome": "resolved_satisfied", "note": "客户满意"})
    assert answer.status == 303
    task = admin.get(f"/api/v1/callbacks/{task_id}").json
    assert (task["status"], task["outcome"], task["agent"]) == ("closed", "resolved_satisfied", "agent1")
    assert len(task["attempts"]) == 1


def test_closing_as_unreachable_too_early_shows_why_on_the_queue(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    drop_complaint(admin)
    task_id = open_task_for_latest(admin)
    answer = signed_in.post(f"/console/callbacks/{task_id}/close", {"outcome": "unreachable"})
    assert answer.status == 400
    assert "须先记录 3 次未接通的回访" in answer.text and "unreachable needs 3" not in answer.text
    assert admin.get(f"/api/v1/callbacks/{task_id}").json["status"] == "open"


def test_a_manager_of_another_hall_sees_neither_its_queue_nor_its_tasks(browser: Browser, admin: Api):
    admin.seed_hall("A01")
    admin.seed_hall("B01")
    add_user(admin, "mgrb", "manager", ["B01"])
    drop_complaint(admin)
    task_id = open_task_for_latest(admin)
    browser.sign_in("mgrb", "password-123")
    assert browser.get("/console/callbacks?hall=A01").status == 403
    assert browser.post(f"/console/callbacks/{task_id}/claim", {}).status == 404
    assert admin.get(f"/api/v1/callbacks/{task_id}").json["agent"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/console/callbacks?hall=A01&status=bogus",
        "/console/callbacks?hall=%E5%8E%85",
        "/console/suggestions?hall=A01&status=bogus",
        "/console/suggestions?hall=ZZZ",
    ],
)
def test_bad_query_parameters_get_a_4xx_page(signed_in: Browser, admin: Api, path: str):
    admin.seed_hall("A01")
    answer = signed_in.get(path)
    assert 400 <= answer.status < 500
    assert "text/html" in answer.headers["content-type"]


def test_bad_forms_get_a_400_page(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    drop_complaint(admin)
    task_id = open_task_for_latest(admin)
    assert signed_in.post(f"/console/callbacks/{task_id}/attempts", {"result": "maybe"}).status == 400
    assert signed_in.post(f"/console/callbacks/{task_id}/close", {"outcome": "x", "extra": "1"}).status == 400
    assert signed_in.request("POST", "/console/callbacks/x/claim", None).status == 403


@pytest.mark.parametrize(
    "path",
    [
        "/console/callbacks?hall=A01&cursor=not-a-cursor",
        "/console/suggestions?hall=A01&cursor=%FF%FE",
        "/console/outreach?quarter=2026Q9",
        "/console/ranking?scope=branch&branch=%E6%97%A0",
        "/console/qr?hall=NOPE",
        "/console/admin/halls/NOPE",
        "/console/login?next=%0d%0aSet-Cookie:x=1",
    ],
)
def test_odd_requests_never_get_a_5xx(signed_in: Browser, admin: Api, path: str):
    admin.seed_hall("A01")
    answer = signed_in.get(path)
    assert answer.status < 500
    assert "set-cookie: x" not in str(answer.headers).lower()
