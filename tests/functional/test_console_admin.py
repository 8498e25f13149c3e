"""The console's admin pages, through chalice.test.Client (五进: test_console_outreach.py)."""

from __future__ import annotations

import re

import pytest

from tests.functional.test_console import Browser, add_user
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api


@pytest.fixture
def signed_in(admin: Api) -> Browser:
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def test_an_admin_sets_up_a_hall_in_the_console(signed_in: Browser, admin: Api):
    csrf = signed_in.csrf("/console/admin")
    answer = signed_in.post(
        "/console/admin/halls", {"code": "A01", "name": "城东营业厅", "branch": "城东", "grade": "A"}, csrf
    )
    assert answer.status == 303
    assert answer.headers["location"] == "/console/admin/halls/A01?done=hall"
    assert signed_in.post("/console/admin/halls/A01/counters", {"number": "1"}, csrf).status == 303
    assert signed_in.post("/console/admin/halls/A01/staff", {"staff_no": "A0123", "name": "李娜"}, csrf).status == 303
    assert [s["name"] for s in admin.get("/api/v1/admin/halls/A01/staff").json["items"]] == ["李娜"]
    registered = signed_in.post("/console/admin/halls/A01/devices", {"number": "1"}, csrf)
    assert registered.status == 201
    key = re.search(r'class="secret">([^<]+)<', registered.text)
    assert key is not None
    shift = admin.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123"}, token=key.group(1))
    assert shift.status == 204
    page = signed_in.get(signed_in.get("/console/admin/halls/A01").headers["location"]).text
    assert "Rating devices" in page or "评价器" in page
    assert key.group(1) not in page  # shown once
    (device,) = admin.get("/api/v1/admin/halls/A01/devices").json["items"]
    assert signed_in.post(f"/console/admin/devices/{device['device_id']}/revoke", {}, csrf).status == 303
    assert admin.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123"}, token=key.group(1)).status == 401


def test_an_admin_creates_a_manager_who_can_then_sign_in(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    admin.seed_hall("B01")
    form = "username=mgr2&password=password-456&role=manager&halls=A01&halls=B01"
    answer = signed_in.request("POST", "/console/admin/users", None)
    assert answer.status == 403  # no CSRF token
    csrf = signed_in.csrf("/console/admin")
    r = signed_in.client.http.request(
        "POST",
        "/console/admin/users",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items()),
        },
        body=f"{form}&csrf={csrf}".encode(),
    )
    assert r.status_code == 303
    users = {u["username"]: u for u in admin.get("/api/v1/admin/users").json["items"]}
    assert users["mgr2"]["halls"] == ["A01", "B01"]
    manager = Browser(admin.client)
    assert manager.sign_in("mgr2", "password-456").status == 303
    assert manager.get("/console/admin").status == 403


def test_a_manager_cannot_use_the_admin_forms(admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    manager.sign_in("mgr1", "password-123")
    answer = manager.post("/console/admin/halls/A01/counters", {"number": "9"})
    assert answer.status == 403
    assert [c["number"] for c in admin.get("/api/v1/admin/halls/A01/counters").json["items"]] == [1, 2]


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/console/admin/halls", {"code": "坏", "name": "x", "branch": "y", "grade": "Z"}),
        ("/console/admin/halls/NOPE/counters", {"number": "1"}),
        ("/console/admin/halls/A01/counters", {"number": "abc"}),
        ("/console/admin/users", {"username": "x", "password": "short", "role": "king"}),
        ("/console/outreach/events", {"quarter": "2026Q9", "hall_code": "A01"}),
        ("/console/outreach/2026Q9/publish", {}),
        ("/console/admin/devices/nope/revoke", {}),
    ],
)
def test_bad_admin_forms_get_a_4xx_page(signed_in: Browser, admin: Api, path: str, form: dict[str, str]):
    admin.seed_hall("A01")
    answer = signed_in.post(path, form)
    assert 400 <= answer.status < 500
    assert "text/html" in answer.headers["content-type"]


def test_a_hall_page_for_a_code_that_names_no_hall_is_a_404_page_whatever_its_key(signed_in: Browser, admin: Api):
    answer = signed_in.get("/console/admin/halls/%C3%A1?key=" + "k" * 32)
    assert answer.status == 404
