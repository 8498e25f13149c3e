"""Work orders in the console: the counter's short form, the department queue with its clock,
the order page's steps and history, overdue badges; handlers see their departments only."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from chalicelib import composition
from chalicelib.services import tickets
from tests.functional.test_console import Browser
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

PASSWORD = "ticket-password-1"


@pytest.fixture
def setup(admin: Api) -> Api:
    admin.seed_hall("A01")
    for code, name in (("METER", "计量室"), ("REPAIR", "抢修班")):
        assert admin.post("/api/v1/admin/departments", {"code": code, "name": name}).status == 201
    for body in (
        {"username": "mgr.zhang", "role": "manager", "halls": ["A01"]},
        {"username": "meter.li", "role": "handler", "departments": ["METER"]},
        {"username": "repair.wu", "role": "handler", "departments": ["REPAIR"]},
    ):
        assert admin.post("/api/v1/admin/users", {"password": PASSWORD, **body}).status == 201
    return admin


def signed_in(admin: Api, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(admin.client)
    assert browser.sign_in(username, password).status == 303
    return browser


def queue_page(browser: Browser, path: str = "/console/tickets"):
    """The queue, after its 303 to itself with the short form's key (for those who open orders)."""
    answer = browser.get(path)
    if answer.status == 303:
        assert "k=" in answer.headers["location"]
        answer = browser.get(answer.headers["location"])
    return answer


def order_id(answer) -> str:
    assert answer.status == 303, answer.raw
    found = re.search(r"/console/tickets/([0-9a-f-]{36})", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def test_a_manager_opens_an_order_with_the_short_form_and_a_resend_stores_one(setup: Api):
    manager = signed_in(setup, "mgr.zhang")
    page = queue_page(manager)
    assert page.status == 200 and 'id="new-ticket"' in page.text and "工单" in page.text
    form_id = re.search(r'name="id" value="([^"]+)"', page.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)
    assert queue_page(manager, f"/console/tickets?k={form_id}").text.count(form_id) >= 1  # reloading keeps the key
    form = {
        "id": form_id,
        "hall_code": "A01",
        "kind": "consultation",
        "source": "counter",
        "subject": "电费账单看不懂",
        "department": "METER",
        "phone": "138 1234 5678",
        "consent": "on",
        "account_no": "",
    }
    first = order_id(manager.post("/console/tickets", form, csrf))
    again = order_id(manager.post("/console/tickets", form, csrf))  # Back and send again
    assert first == again
    assert len(composition.tickets().queue(tickets.QueueOf(hall_code="A01"), None, None, None, 10).items) == 1
    shown = manager.get(f"/console/tickets/{first}")
    assert shown.status == 200 and "电费账单看不懂" in shown.text and "138****5678" in shown.text
    assert 'id="urge"' in shown.text and 'id="assign"' in shown.text


def test_a_refused_short_form_comes_back_as_typed_with_why(setup: Api):
    manager = signed_in(setup, "mgr.zhang")
    csrf = manager.csrf("/console/tickets?k=" + str(uuid.uuid4()))
    answer = manager.post(
        "/console/tickets",
        {"id": str(uuid.uuid4()), "hall_code": "A01", "kind": "request", "subject": "增容申请", "key_account": "on"},
        csrf,
    )
    assert answer.status == 400
    assert 'aria-invalid="true"' in answer.text and "增容申请" in answer.text


def test_the_department_works_the_order_and_the_hall_closes_it(setup: Api):
    manager = signed_in(setup, "mgr.zhang")
    csrf = manager.csrf("/console/tickets?k=" + str(uuid.uuid4()))
    form = {
        "id": str(uuid.uuid4()),
        "hall_code": "A01",
        "kind": "complaint",
        "source": "phone",
        "subject": "抄表员态度差",
    }
    ticket = order_id(manager.post("/console/tickets", form, csrf))
    order_id(manager.post(f"/console/tickets/{ticket}/assign", {"department": "METER", "note": "请核实"}, csrf))
    handler = signed_in(setup, "meter.li")
    queue = queue_page(handler)
    assert queue.status == 200 and "抄表员态度差" in queue.text and "剩余" in queue.text
    assert 'id="new-ticket"' not in queue.text  # handlers do not open orders
    assert "/console/dashboard" not in queue.text and "/console/callbacks" not in queue.text
    hcsrf = handler.csrf("/console/tickets")  # no form key for handlers: no 303
    order_id(handler.post(f"/console/tickets/{ticket}/progress", {"note": "已调取录音"}, hcsrf))
    empty = handler.post(f"/console/tickets/{ticket}/answer", {"answer": ""}, hcsrf)
    assert empty.status == 400
    order_id(handler.post(f"/console/tickets/{ticket}/answer", {"answer": "经核实属实，已批评教育"}, hcsrf))
    assert handler.post(f"/console/tickets/{ticket}/close", {"note": ""}, hcsrf).status == 403
    other = signed_in(setup, "repair.wu")
    assert other.get(f"/console/tickets/{ticket}").status == 403
    closed = manager.post(
        f"/console/tickets/{ticket}/close", {"note": "办结", "verified": "true", "staff_no": "A0123"}, csrf
    )
    assert closed.status == 404  # no such clerk: named, nothing stored
    setup.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "王芳", "hall_code": "A01"})
    order_id(
        manager.post(
            f"/console/tickets/{ticket}/close", {"note": "办结", "verified": "true", "staff_no": "A0123"}, csrf
        )
    )
    page = manager.get(f"/console/tickets/{ticket}").text
    assert "已办结" in page and "属实" in page
    for step in ("受理", "派单", "办理进展", "答复", "办结"):
        assert step in page


def test_overdue_orders_wear_a_badge_and_the_queue_filters_them(setup: Api):
    import dataclasses

    from tests.fakes.clock import FixedClock

    manager = signed_in(setup, "mgr.zhang")
    csrf = manager.csrf("/console/tickets?k=" + str(uuid.uuid4()))
    form = {
        "id": str(uuid.uuid4()),
        "hall_code": "A01",
        "kind": "consultation",
        "subject": "停电原因",
        "department": "REPAIR",
    }
    ticket = order_id(manager.post("/console/tickets", form, csrf))
    stored = composition.tickets().get(ticket)
    later = dataclasses.replace(composition.ticket_ports(), clock=FixedClock(stored.due_at + timedelta(hours=1)))
    assert tickets.check_clocks(later) == 1  # the hourly job, an hour past due
    queue = queue_page(manager, "/console/tickets?flag=overdue")
    assert "badge-overdue" in queue.text and "超时" in queue.text and "停电原因" in queue.text
    assert 'id="timeliness"' in queue.text and "本月工单及时率" in queue.text
    assert "停电原因" not in queue_page(manager, "/console/tickets?flag=at_risk").text


def test_a_manager_turns_a_suggestion_into_an_order_once(setup: Api):
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    tracking = setup.post("/s/A01", "kind=inquiry&content=峰谷电价怎么申请", token="", headers=form).json["tracking_no"]
    suggestion = composition.suggestions().get_by_tracking_no(tracking)
    admin = signed_in(setup, ADMIN_USER, ADMIN_PASSWORD)
    csrf = admin.csrf("/console/tickets?k=" + str(uuid.uuid4()))
    first = order_id(admin.post(f"/console/suggestions/{suggestion.id}/ticket", {"department": "METER"}, csrf))
    again = order_id(admin.post(f"/console/suggestions/{suggestion.id}/ticket", {}, csrf))
    assert first == again


def test_the_callback_card_of_an_answered_order_shows_its_number_subject_and_answer(setup: Api):
    body = {"hall_code": "A01", "kind": "consultation", "subject": "阶梯电价", "phone": "13812345678", "consent": True}
    order = setup.post("/api/v1/tickets", body | {"department": "METER"}).json
    setup.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": "按年度累计用电量分档"})
    admin = signed_in(setup, ADMIN_USER, ADMIN_PASSWORD)
    card = admin.get("/console/callbacks?hall=A01").text
    assert order["ticket_no"] in card and "阶梯电价" in card and "按年度累计用电量分档" in card


def test_an_admin_adds_a_department_and_makes_a_handler_of_it_in_the_console(setup: Api):
    admin = signed_in(setup, ADMIN_USER, ADMIN_PASSWORD)
    csrf = admin.csrf("/console/admin")
    added = admin.post("/console/admin/departments", {"code": "EXPAND", "name": "业扩班"}, csrf)
    assert added.status == 303 and "业扩班" in admin.get("/console/admin").text
    created = admin.post(
        "/console/admin/users",
        {"username": "expand.he", "password": PASSWORD, "role": "handler", "departments": "EXPAND"},
        csrf,
    )
    assert created.status == 303, created.raw
    edited = admin.post(
        "/console/admin/users/expand.he/edit",
        {"role": "handler", "departments": "METER", "active": "on"},
        csrf,
    )
    assert edited.status == 303, edited.raw
    assert setup.get("/api/v1/admin/users").json["items"]
    (user,) = [u for u in setup.get("/api/v1/admin/users").json["items"] if u["username"] == "expand.he"]
    assert user["departments"] == ["METER"]
    refused = admin.post("/console/admin/users/expand.he/edit", {"role": "handler", "active": "on"}, csrf)
    assert refused.status == 400 and 'id="e-departments"' in refused.text
