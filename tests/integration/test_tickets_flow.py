"""Under `make run`: a work order is opened (the same create retried stores one), assigned,
answered by its department; the answer opens a callback task; the agent's call closes it and
the customer's 追评 closes the loop."""

from __future__ import annotations

import re
import urllib.request
import uuid
from pathlib import Path

from tests.integration.stack import start_stack

PASSWORD = "integration-admin-1"
HANDLER_PASSWORD = "integration-handler-1"


def _page(url: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")  # noqa: S310 (loopback)
    if data:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        return answer.status, answer.read().decode()


def test_create_assign_answer_then_a_callback_task_then_the_follow_up(tmp_path: Path):
    stack = start_stack(tmp_path / "data", PASSWORD)
    try:
        admin = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        hall = {"code": "A01", "name": "城东营业厅", "branch": "城东", "grade": "A"}
        assert stack.call("POST", "/api/v1/admin/halls", hall, admin)[0] == 201
        assert stack.call("POST", "/api/v1/admin/departments", {"code": "METER", "name": "计量室"}, admin)[0] == 201
        handler = {"username": "meter.li", "password": HANDLER_PASSWORD, "role": "handler", "departments": ["METER"]}
        assert stack.call("POST", "/api/v1/admin/users", handler, admin)[0] == 201
        meter = stack.call("POST", "/api/v1/auth/login", {"username": "meter.li", "password": HANDLER_PASSWORD})[1]
        body = {
            "id": str(uuid.uuid4()),
            "hall_code": "A01",
            "kind": "consultation",
            "subject": "峰谷分时电价如何办理",
            "phone": "13812345678",
            "consent": True,
        }
        created, order = stack.call("POST", "/api/v1/tickets", body, admin)
        retried, again = stack.call("POST", "/api/v1/tickets", body, admin)
        assert (created, retried, again["ticket_no"]) == (201, 200, order["ticket_no"])
        assert len(stack.call("GET", "/api/v1/tickets?hall=A01", token=admin)[1]["items"]) == 1
        assigned = stack.call("POST", f"/api/v1/tickets/{order['id']}/assign", {"department": "METER"}, admin)
        assert assigned[1]["status"] == "assigned"
        [queued] = stack.call("GET", "/api/v1/tickets", token=meter["token"])[1]["items"]
        assert queued["id"] == order["id"]
        answer = {"answer": "携带身份证到营业厅办理，次月生效"}
        answered = stack.call("POST", f"/api/v1/tickets/{order['id']}/answer", answer, meter["token"])
        assert (answered[0], answered[1]["status"]) == (200, "answered")
        task_id = f"ticket-{order['id']}"
        status, task = stack.call("GET", f"/api/v1/callbacks/{task_id}", token=admin)
        assert (status, task["source_type"], task["context"]["ticket_no"]) == (200, "ticket", order["ticket_no"])
        [listed] = stack.call("GET", "/api/v1/callbacks?hall=A01", token=admin)[1]["items"]
        assert listed["id"] == task_id
        stack.call("POST", f"/api/v1/callbacks/{task_id}/attempts", {"result": "reached"}, admin)
        stack.call("POST", f"/api/v1/callbacks/{task_id}/close", {"outcome": "resolved_satisfied"}, admin)
        status, page = _page(stack.url(f"/track/{order['ticket_no']}?phone4=5678"))
        assert status == 200 and "次月生效" in page
        link = re.search(r'href="(/f/[^"?]+)', page)
        assert link, page
        status, _ = _page(stack.url(link.group(1)), b"level=5&comment=%E5%BE%88%E5%A5%BD")
        assert status == 200  # the 303 to the follow-up page, followed
        assert stack.call("GET", f"/api/v1/callbacks/{task_id}", token=admin)[1]["follow_up"]["level"] == 5
        closed = stack.call("POST", f"/api/v1/tickets/{order['id']}/close", {"note": "已回访，客户满意"}, admin)
        assert closed[1]["status"] == "closed"
        month = order["created_at"][:7]
        request = urllib.request.Request(stack.url(f"/api/v1/reports/tickets.csv?month={month}&lang=en"))  # noqa: S310
        request.add_header("Authorization", f"Bearer {admin}")
        with urllib.request.urlopen(request, timeout=30) as ledger:  # noqa: S310 (loopback)
            rows = ledger.read().decode("utf-8-sig").split("\r\n")
        assert rows[1].startswith(order["ticket_no"]) and rows[1].endswith(",resolved_satisfied,5")
    finally:
        assert stack.interrupt() == 0
