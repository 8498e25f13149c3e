"""Work orders through the HTTP API (SPEC §4.7), departments and the handler role."""

from __future__ import annotations

import re
import uuid

import pytest

from chalicelib import composition
from tests.http import Api

PASSWORD = "ticket-password-1"


def user(admin: Api, name: str, role: str, halls: list[str] = (), departments: list[str] = ()) -> Api:
    body = {"username": name, "password": PASSWORD, "role": role, "halls": list(halls)}
    if departments:
        body["departments"] = list(departments)
    created = admin.post("/api/v1/admin/users", body)
    assert created.status == 201, created.raw
    other = Api(admin.client)
    other.token = other.login(name, PASSWORD)
    return other


@pytest.fixture
def hall(admin: Api) -> Api:
    admin.seed_hall("A01")
    admin.seed_hall("B02")
    for code, name in (("METER", "计量室"), ("REPAIR", "抢修班")):
        assert admin.post("/api/v1/admin/departments", {"code": code, "name": name}).status == 201
    return admin


def open_order(api: Api, **over) -> dict:
    body = {
        "hall_code": "A01",
        "kind": "consultation",
        "subject": "电费突然上涨",
        "detail": "客户称本月电费翻倍",
    } | over
    answer = api.post("/api/v1/tickets", body)
    assert answer.status in (200, 201), answer.raw
    return answer.json


def test_departments_are_managed_by_admins_and_handlers_belong_to_them(hall: Api):
    assert [d["code"] for d in hall.get("/api/v1/admin/departments").json["items"]] == ["METER", "REPAIR"]
    assert hall.post("/api/v1/admin/departments", {"code": "METER", "name": "x"}).status == 409
    renamed = hall.request("PATCH", "/api/v1/admin/departments/METER", {"name": "计量中心"})
    assert (renamed.status, renamed.json["name"]) == (200, "计量中心")
    no_department = hall.post(
        "/api/v1/admin/users", {"username": "hand0", "password": PASSWORD, "role": "handler", "halls": []}
    )
    assert (no_department.status, list(no_department.json["error"]["fields"])) == (400, ["departments"])
    unknown = hall.post(
        "/api/v1/admin/users",
        {"username": "hand0", "password": PASSWORD, "role": "handler", "departments": ["NOPE"]},
    )
    assert (unknown.status, list(unknown.json["error"]["fields"])) == (404, ["departments.0"])
    user(hall, "hand1", "handler", departments=["METER"])
    moved = hall.request("PATCH", "/api/v1/admin/users/hand1", {"departments": ["METER", "REPAIR"]})
    assert (moved.status, moved.json["departments"]) == (200, ["METER", "REPAIR"])
    manager = user(hall, "mgr1", "manager", ["A01"])
    assert manager.post("/api/v1/admin/departments", {"code": "X", "name": "x"}).status == 403


def test_the_whole_flow_create_assign_progress_answer_close_with_history(hall: Api):
    manager = user(hall, "mgr1", "manager", ["A01"])
    handler = user(hall, "hand1", "handler", departments=["METER"])
    order = open_order(manager, phone="13812345678", consent=True)
    assert re.match(r"^GD\d{8}-[0-9A-HJKMNP-TV-Z]{8}$", order["ticket_no"])
    assert (order["status"], order["phone"], order["department"]) == ("new", "138****5678", None)
    assert handler.get(f"/api/v1/tickets/{order['id']}").status == 403  # not yet their department's
    assigned = manager.post(f"/api/v1/tickets/{order['id']}/assign", {"department": "METER", "note": "请核实表计"})
    assert (assigned.status, assigned.json["status"]) == (200, "assigned")
    [queued] = handler.get("/api/v1/tickets").json["items"]
    assert queued["id"] == order["id"] and queued["due_at"] == order["due_at"]
    assert handler.post(f"/api/v1/tickets/{order['id']}/close", {}).status == 403
    assert handler.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": ""}).status == 400
    assert handler.post(f"/api/v1/tickets/{order['id']}/progress", {"note": "已约上门"}).json["status"] == "in_progress"
    answered = handler.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": "表计正常，系电价调整"})
    assert (answered.status, answered.json["status"], answered.json["in_time"]) == (200, "answered", True)
    assert handler.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": "again"}).status == 409
    task = hall.get(f"/api/v1/callbacks/ticket-{order['id']}").json
    assert (task["source_type"], task["context"]["ticket_no"]) == ("ticket", order["ticket_no"])
    assert task["context"]["answer"] == "表计正常，系电价调整"
    closed = manager.post(f"/api/v1/tickets/{order['id']}/close", {"note": "已办结"})
    assert closed.json["status"] == "closed"
    assert [(h["by"], h["action"]) for h in closed.json["history"]] == [
        ("mgr1", "created"),
        ("mgr1", "assigned"),
        ("hand1", "progress"),
        ("hand1", "answered"),
        ("mgr1", "closed"),
    ]
    assert handler.get("/api/v1/tickets").json["items"] == []
    month = order["created_at"][:7]
    ledger = manager.get(f"/api/v1/tickets?month={month}").json["items"]
    assert [t["status"] for t in ledger] == ["closed"]


def test_the_same_create_retried_stores_one_order(hall: Api):
    client_id = str(uuid.uuid4())
    first = hall.post(
        "/api/v1/tickets", {"id": client_id, "hall_code": "A01", "kind": "complaint", "subject": "态度差"}
    )
    again = hall.post(
        "/api/v1/tickets", {"id": client_id, "hall_code": "A01", "kind": "complaint", "subject": "态度差"}
    )
    assert (first.status, again.status) == (201, 200)
    assert again.json["ticket_no"] == first.json["ticket_no"]
    assert len(hall.get("/api/v1/tickets?hall=A01").json["items"]) == 1


def test_bad_input_names_the_field_and_stores_nothing(hall: Api):
    for body, field in (
        ({"hall_code": "A01", "kind": "gossip", "subject": "x"}, "kind"),
        ({"hall_code": "A01", "kind": "request", "subject": ""}, "subject"),
        ({"hall_code": "A01", "kind": "request", "subject": "x", "key_account": True}, "account_no"),
        ({"hall_code": "A01", "kind": "request", "subject": "x", "phone": "13812345678"}, "consent"),
        ({"hall_code": "A01", "kind": "request", "subject": "x", "phone": "12345"}, "phone"),
    ):
        answer = hall.post("/api/v1/tickets", body)
        assert answer.status == 400, body
        assert field in answer.json["error"]["fields"], answer.json
    assert hall.get("/api/v1/tickets?hall=A01").json["items"] == []
    assert hall.get("/api/v1/tickets?hall=A01&status=closed").status == 400


def test_a_suggestion_becomes_one_order_linked_both_ways(hall: Api):
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    dropped = hall.post("/s/A01", "kind=inquiry&content=新装电表要多久才能通电", token="", headers=form)
    assert dropped.status == 200, dropped.raw
    tracking = dropped.json["tracking_no"]
    suggestion = composition.suggestions().get_by_tracking_no(tracking)
    first = hall.post(f"/api/v1/suggestions/{suggestion.id}/ticket", {"department": "METER"})
    again = hall.post(f"/api/v1/suggestions/{suggestion.id}/ticket")
    assert (first.status, again.status) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert (first.json["kind"], first.json["source"], first.json["status"]) == (
        "consultation",
        "suggestion",
        "assigned",
    )
    assert composition.suggestions().get(suggestion.id).ticket_id == first.json["id"]
    assert hall.post("/api/v1/suggestions/nope/ticket").status == 404


def test_urging_escalates_and_only_supervisors_urge(hall: Api):
    manager = user(hall, "mgr1", "manager", ["A01"])
    handler = user(hall, "hand1", "handler", departments=["METER"])
    order = open_order(manager, department="METER", key_account=True, account_no="0101234567")
    assert handler.post(f"/api/v1/tickets/{order['id']}/urge", {"note": "快"}).status == 403
    urged = manager.post(f"/api/v1/tickets/{order['id']}/urge", {"note": "客户催问"})
    assert (urged.json["urged"], urged.json["escalation"]) == (1, 1)
    assert manager.post(f"/api/v1/tickets/{order['id']}/urge", {}).json["escalation"] == 2
    assert hall.post(f"/api/v1/tickets/{order['id']}/urge", {}).json["escalation"] == 3
    assert hall.post(f"/api/v1/tickets/{order['id']}/urge", {}).json["escalation"] == 3


def test_the_customer_tracks_the_order_with_the_last_four_digits(hall: Api):
    order = open_order(hall, phone="13812345678", consent=True, department="METER")
    asked = hall.get(f"/track/{order['ticket_no']}", token="")
    assert asked.status == 200 and 'name="phone4"' in asked.text
    assert hall.get(f"/track/{order['ticket_no']}?phone4=0000", token="").status == 403
    hall.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": "已安排上门检查"})
    page = hall.get(f"/track/{order['ticket_no']}?phone4=5678", token="")
    assert page.status == 200 and "已安排上门检查" in page.text and "13812345678" not in page.text
    as_json = hall.get(
        f"/track/{order['ticket_no']}?phone4=5678", token="", headers={"Accept": "application/json"}
    ).json
    assert (as_json["status"], as_json["reply"]) == ("answered", "已安排上门检查")
    assert hall.get("/track/GD20261124-AAAAAAAA", token="").status == 404


# The authorization matrix of the work-order routes: who gets which status (SPEC §4.3 roles).
MATRIX = [
    # (method, path, body, {role: status})
    (
        "GET",
        "/api/v1/tickets?hall=A01",
        None,
        {"admin": 200, "manager": 200, "other": 403, "agent": 403, "handler": 200},
    ),
    ("GET", "/api/v1/tickets/{id}", None, {"admin": 200, "manager": 200, "other": 403, "agent": 403, "handler": 200}),
    ("POST", "/api/v1/tickets/{id}/progress", {"note": "n"}, {"other": 403, "agent": 403, "stranger": 403}),
    (
        "POST",
        "/api/v1/tickets/{id}/urge",
        {},
        {"admin": 200, "manager": 200, "other": 403, "agent": 403, "handler": 403},
    ),
    ("POST", "/api/v1/tickets/{id}/close", {}, {"other": 403, "agent": 403, "handler": 403}),
    ("POST", "/api/v1/tickets/{id}/assign", {"department": "REPAIR"}, {"other": 403, "agent": 403, "stranger": 403}),
    ("POST", "/api/v1/tickets", "order", {"admin": 201, "manager": 201, "other": 403, "agent": 403, "handler": 403}),
    ("POST", "/api/v1/admin/departments", {"code": "NEW", "name": "n"}, {"manager": 403, "handler": 403, "agent": 403}),
    ("PATCH", "/api/v1/admin/departments/METER", {"name": "n"}, {"manager": 403, "handler": 403, "agent": 403}),
    ("GET", "/api/v1/admin/departments", None, {"admin": 200, "handler": 200}),
    ("POST", "/api/v1/suggestions/{sid}/ticket", {}, {"other": 404, "agent": 403, "handler": 403}),
    ("GET", "/api/v1/callbacks?hall=A01", None, {"handler": 403}),
    (
        "GET",
        "/api/v1/reports/ticket-timeliness?month=2026-11&hall=A01",
        None,
        {"manager": 200, "other": 403, "agent": 403, "handler": 403},
    ),
    (
        "GET",
        "/api/v1/reports/tickets.csv?month=2026-11&hall=A01",
        None,
        {"manager": 200, "other": 403, "agent": 403, "handler": 403},
    ),
    ("GET", "/api/v1/suggestions?hall=A01", None, {"handler": 403}),
]


def test_the_authorization_matrix_of_work_orders(hall: Api):
    actors = {
        "admin": hall,
        "manager": user(hall, "mgr1", "manager", ["A01"]),
        "other": user(hall, "mgr2", "manager", ["B02"]),
        "agent": user(hall, "agt1", "agent", ["A01"]),
        "handler": user(hall, "hand1", "handler", departments=["METER"]),
        "stranger": user(hall, "hand2", "handler", departments=["REPAIR"]),
    }
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    tracking = hall.post("/s/A01", "kind=suggestion&content=请增加座椅数量", token="", headers=form).json["tracking_no"]
    sid = composition.suggestions().get_by_tracking_no(tracking).id
    for method, path, body, expected in MATRIX:
        for role, status in expected.items():
            order = open_order(hall, department="METER")
            sent = {"hall_code": "A01", "kind": "opinion", "subject": "s"} if body == "order" else body
            answer = actors[role].request(method, path.format(id=order["id"], sid=sid), sent)
            assert answer.status == status, (method, path, role, answer.raw)
    assert hall.get("/api/v1/tickets", token="").status == 401


def test_the_ledger_csv_has_exactly_the_spec_columns_and_hall_monthly_counts_orders(hall: Api):
    handler = user(hall, "hand1", "handler", departments=["METER"])
    quick = open_order(hall, department="METER", kind="complaint", subject="=SUM(A1) 态度差 13812345678")
    open_order(hall, department="REPAIR", key_account=True, account_no="0101234567")
    handler.post(f"/api/v1/tickets/{quick['id']}/answer", {"answer": "已处理"})
    month = quick["created_at"][:7]
    en = hall.get(f"/api/v1/reports/tickets.csv?month={month}&hall=A01&lang=en")
    assert en.status == 200 and "attachment" in en.headers["content-disposition"]
    lines = en.raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "ticket_no,created_at,hall_code,kind,key_account,department,subject,status,due_at,answered_at,"
        "closed_at,in_time,urged,callback_outcome,follow_up_level"
    )
    assert len([line for line in lines if line]) == 3
    first = lines[1].split(",")
    assert (first[0], first[3], first[5], first[7], first[11]) == (
        quick["ticket_no"],
        "complaint",
        "METER",
        "answered",
        "true",
    )
    assert first[6].startswith("'=SUM") and "138****5678" in first[6]
    zh = hall.get(f"/api/v1/reports/tickets.csv?month={month}&hall=A01").raw.decode("utf-8-sig")
    assert zh.startswith(
        "工单编号,受理时间,营业厅编码,类型,大客户,办理部门,事由,状态,答复时限,答复时间,办结时间,是否按时,督办次数,回访结果,追评等级\r\n"
    )
    assert "投诉" in zh and "已答复" in zh
    assert (
        hall.get(f"/api/v1/reports/tickets.csv?month={month}&hall=B02&lang=en").raw.decode("utf-8-sig").count("\r\n")
        == 1
    )
    assert hall.get("/api/v1/reports/tickets.csv?month=2026-13").status == 400
    assert handler.get(f"/api/v1/reports/tickets.csv?month={month}").status == 403
    [row] = hall.get(f"/api/v1/reports/hall-monthly?month={month}&hall=A01").json["items"]
    assert (row["tickets"], row["tickets_in_time"]) == (2, 1)
    csv_text = hall.get(f"/api/v1/reports/hall-monthly.csv?month={month}&hall=A01&lang=en").raw.decode("utf-8-sig")
    header, values = csv_text.split("\r\n")[:2]
    assert ",suggestions,tickets,tickets_in_time," in header and values.split(",")[17:19] == ["2", "1"]


def test_timeliness_per_hall_and_department_comes_from_tallies(hall: Api):
    handler = user(hall, "hand1", "handler", departments=["METER"])
    order = open_order(hall, department="METER")
    open_order(hall, department="REPAIR")
    handler.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": "已答复"})
    month = order["created_at"][:7]
    figures = hall.get(f"/api/v1/reports/ticket-timeliness?month={month}&hall=A01")
    assert figures.status == 200, figures.raw
    assert figures.json == {
        "month": month,
        "hall_code": "A01",
        "opened": 2,
        "answered": 1,
        "in_time": 1,
        "rate": 1.0,
        "departments": [{"department": "METER", "answered": 1, "in_time": 1, "rate": 1.0}],
    }
    assert handler.get(f"/api/v1/reports/ticket-timeliness?month={month}").status == 403
    assert hall.get("/api/v1/reports/ticket-timeliness?month=2026-13&hall=A01").status == 400
    page = Api(hall.client)
    assert page.get(f"/api/v1/reports/ticket-timeliness?month={month}&hall=A01", token="").status == 401
