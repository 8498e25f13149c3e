"""Users and passwords in the console (SPEC §4.3): an admin's page per user, and
every signed-in user's own account page; changes to users are in the audit log."""

from __future__ import annotations

import json

import pytest

from tests.functional.test_console import Browser, add_user
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api


@pytest.fixture
def signed_in(admin: Api) -> Browser:
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def test_the_admin_overview_links_each_user_to_their_page(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    assert 'href="/console/admin/users/mgr1"' in signed_in.get("/console/admin").text
    page = signed_in.get("/console/admin/users/mgr1")
    assert page.status == 200
    assert 'id="edit-user"' in page.text and 'id="reset-password"' in page.text
    assert signed_in.get("/console/admin/users/nobody").status == 404


def test_an_admin_changes_a_users_halls_and_deactivating_ends_their_sessions(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    admin.seed_hall("B01")
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    assert manager.sign_in("mgr1", "password-123").status == 303
    assert manager.get("/console/account").status == 200
    csrf = signed_in.csrf("/console/admin/users/mgr1")
    answer = signed_in.post("/console/admin/users/mgr1/edit", {"role": "agent", "halls": "B01", "active": "on"}, csrf)
    assert answer.status == 303
    assert answer.headers["location"] == "/console/admin/users/mgr1?done=edited"
    users = {u["username"]: u for u in admin.get("/api/v1/admin/users").json["items"]}
    assert (users["mgr1"]["role"], users["mgr1"]["halls"]) == ("agent", ["B01"])
    assert manager.get("/console/account").status == 200  # still signed in
    assert signed_in.post("/console/admin/users/mgr1/edit", {"role": "agent", "halls": "B01"}, csrf).status == 303
    assert manager.get("/console/account").status == 303  # deactivated: sent to sign in
    assert manager.sign_in("mgr1", "password-123").status != 303
    page = signed_in.get("/console/admin/users/mgr1").text
    assert "已停用" in page
    history = admin.get("/api/v1/admin/audit?kind=user&key=mgr1").json["items"]
    assert [e["action"] for e in history] == ["update", "update"]
    assert history[0]["before"]["active"] is True and history[0]["after"]["active"] is False
    assert "password_hash" not in json.dumps(history)


def test_a_refused_user_form_comes_back_as_typed_with_the_reason_beside_the_field(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    csrf = signed_in.csrf("/console/admin/users/mgr1")
    answer = signed_in.post("/console/admin/users/mgr1/edit", {"role": "agent", "active": "on"}, csrf)
    assert answer.status == 400
    assert 'id="edit-user-halls-error"' in answer.text
    assert "至少需要一个营业厅" in answer.text
    assert '<option value="agent" selected>' in answer.text  # as typed
    mine = signed_in.post(f"/console/admin/users/{ADMIN_USER}/edit", {"role": "manager", "halls": "A01"}, csrf)
    assert mine.status == 400
    assert "不能降级或停用自己的账号" in mine.text
    assert {u["username"]: u for u in admin.get("/api/v1/admin/users").json["items"]}[ADMIN_USER]["role"] == "admin"


def test_an_admin_resets_a_password_and_the_log_masks_it(signed_in: Browser, admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    assert manager.sign_in("mgr1", "password-123").status == 303
    csrf = signed_in.csrf("/console/admin/users/mgr1")
    short = signed_in.post("/console/admin/users/mgr1/password", {"password": "short"}, csrf)
    assert short.status == 400
    assert 'id="reset-password-password-error"' in short.text and "密码至少 10 位" in short.text
    assert 'value="short"' not in short.text  # a password is never shown again
    answer = signed_in.post("/console/admin/users/mgr1/password", {"password": "brand-new-secret"}, csrf)
    assert answer.status == 303
    assert answer.headers["location"] == "/console/admin/users/mgr1?done=password"
    assert manager.get("/console/account").status == 303  # their sessions ended
    assert manager.sign_in("mgr1", "brand-new-secret").status == 303
    (entry,) = admin.get("/api/v1/admin/audit?kind=user&key=mgr1").json["items"]
    assert entry["actor"] == ADMIN_USER
    assert "brand-new-secret" not in json.dumps(entry) and "argon" not in json.dumps(entry).lower()
    assert entry["after"]["password"].startswith("***")


def test_the_api_logs_user_changes_too(admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    assert admin.request("PATCH", "/api/v1/admin/users/mgr1", {"role": "agent"}).status == 200
    assert admin.post("/api/v1/admin/users/mgr1/password", {"password": "another-secret-1"}).status == 204
    history = admin.get("/api/v1/admin/audit?kind=user&key=mgr1").json["items"]
    assert len(history) == 2
    assert "password_hash" not in json.dumps(history)


def test_a_manager_cannot_open_a_users_page(admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    manager.sign_in("mgr1", "password-123")
    assert manager.get(f"/console/admin/users/{ADMIN_USER}").status == 403
    assert manager.post(f"/console/admin/users/{ADMIN_USER}/password", {"password": "taken-over-123"}).status == 403


def test_a_user_changes_their_own_password_and_signs_in_again(admin: Api):
    admin.seed_hall("A01")
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    assert manager.sign_in("mgr1", "password-123").status == 303
    assert 'href="/console/account"' in manager.get("/console/callbacks").text
    csrf = manager.csrf("/console/account")
    differ = manager.post(
        "/console/account/password",
        {"old_password": "password-123", "new_password": "fresh-secret-1", "repeat_password": "fresh-secret-2"},
        csrf,
    )
    assert differ.status == 400 and "两次输入的新密码不一致" in differ.text
    assert 'id="change-password-repeat_password-error"' in differ.text
    assert "fresh-secret" not in differ.text
    wrong = manager.post(
        "/console/account/password",
        {"old_password": "not-my-password", "new_password": "fresh-secret-1", "repeat_password": "fresh-secret-1"},
        csrf,
    )
    assert wrong.status == 400 and 'id="change-password-old_password-error"' in wrong.text
    assert "当前密码不正确" in wrong.text
    done = manager.post(
        "/console/account/password",
        {"old_password": "password-123", "new_password": "fresh-secret-1", "repeat_password": "fresh-secret-1"},
        csrf,
    )
    assert done.status == 303
    assert done.headers["location"] == "/console/login?done=password"
    assert "密码已修改" in manager.get(done.headers["location"]).text
    assert manager.get("/console/account").status == 303  # the session ended
    assert manager.sign_in("mgr1", "password-123").status != 303
    assert manager.sign_in("mgr1", "fresh-secret-1").status == 303
