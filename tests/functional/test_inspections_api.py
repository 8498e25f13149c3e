"""Inspections and stars over HTTP (SPEC §4.8): an inspector in two halls sees only their own,
a manager their hall's, the quarter's stars follow the rules with their lines, publishing
freezes them, and the CSV files have the SPEC columns. The authorization matrix of every
inspection and star route is at the end."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.outreach import quarter_of
from chalicelib.domain.suggestions import SuggestionStatus
from chalicelib.services import callbacks
from tests.http import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def now() -> datetime:
    return datetime.now(UTC)


def month() -> str:
    return now().astimezone(SHANGHAI).strftime("%Y-%m")


def quarter() -> str:
    return quarter_of(now().astimezone(SHANGHAI).date())


def user(admin: Api, name: str, role: str, halls: list[str]) -> Api:
    answer = admin.post(
        "/api/v1/admin/users", {"username": name, "password": "Hall-pass-2026", "role": role, "halls": halls}
    )
    assert answer.status == 201, answer.raw
    other = Api(admin.client)
    other.token = other.login(name, "Hall-pass-2026")
    return other


@pytest.fixture
def halls(admin: Api) -> Api:
    for code, clerk in (("A01", "A0123"), ("B01", "B0456")):
        admin.seed_hall(code, counters=1)
        assert (
            admin.post(
                "/api/v1/admin/staff",
                {"staff_no": clerk, "name": "张三" if code == "A01" else "李四", "hall_code": code},
            ).status
            == 201
        )
    device = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["key"]
    signed_in = (now() - timedelta(hours=1)).isoformat()
    assert (
        admin.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123", "at": signed_in}, token=device).status == 204
    )
    return admin


def inspection(hall: str, **changes: object) -> dict[str, object]:
    return {
        "hall_code": hall,
        "counter": 1,
        "mode": "undercover",
        "inspected_at": (now() - timedelta(minutes=5)).isoformat(),
        "findings": [
            {"item": "g1_stand_up", "passed": False, "note": "客户走近未起身"},
            {"item": "c1_announce", "passed": True},
            {"item": "a1_documents", "passed": True},
        ],
    } | changes


def test_an_inspector_records_in_two_halls_and_sees_only_their_own(halls: Api):
    inspector = user(halls, "insp.wang", "inspector", [])
    other = user(halls, "insp.li", "inspector", [])
    manager = user(halls, "mgr.a", "manager", ["A01"])
    key = str(uuid.uuid4())
    first = inspector.post("/api/v1/inspections", inspection("A01", id=key))
    assert (first.status, first.json["staff_no"], first.json["score"]) == (201, "A0123", 71.43)  # on shift then
    again = inspector.post("/api/v1/inspections", inspection("A01", id=key))
    assert (again.status, again.json["id"]) == (200, key)  # a retry records nothing twice
    second = inspector.post("/api/v1/inspections", inspection("B01", staff_no="B0456", mode="video"))
    assert second.status == 201
    theirs = other.post("/api/v1/inspections", inspection("A01")).json["id"]

    mine = inspector.get(f"/api/v1/inspections?month={month()}").json["items"]
    assert sorted(i["hall_code"] for i in mine) == ["A01", "B01"] and theirs not in {i["id"] for i in mine}
    assert inspector.get(f"/api/v1/inspections/{theirs}").status == 404
    assert inspector.get("/api/v1/callbacks?hall=A01").status == 403  # an inspector sees nothing else
    assert inspector.get(f"/api/v1/reports/hall-monthly?month={month()}").status == 403
    seen = manager.get(f"/api/v1/inspections?month={month()}&hall=A01").json["items"]
    assert sorted(i["id"] for i in seen) == sorted([key, theirs])
    assert manager.get(f"/api/v1/inspections?month={month()}&hall=B01").status == 403

    csv = manager.get(f"/api/v1/reports/inspections.csv?month={month()}&hall=A01&lang=en")
    header, *rows = csv.text.lstrip("\ufeff").split("\r\n")[:-1]
    assert header == "inspected_at,hall_code,counter,staff_no,mode,checklist,version,score,failed_items,inspector"
    assert len(rows) == 2 and "g1_stand_up: 客户走近未起身" in rows[0]


def test_refused_inspections_name_the_field(halls: Api):
    inspector = user(halls, "insp.wang", "inspector", [])
    failed_without_note = inspection("A01", findings=[{"item": "c1_announce", "passed": False}])
    assert inspector.post("/api/v1/inspections", failed_without_note).json["error"]["fields"] == {
        "findings.0.note": "a failed item needs a note"
    }
    assert "findings" in inspector.post("/api/v1/inspections", inspection("A01", findings=[])).json["error"]["fields"]
    assert inspector.post("/api/v1/inspections", inspection("B01")).json["error"]["fields"].keys() == {"staff_no"}
    assert inspector.post("/api/v1/inspections", inspection("Z99")).status == 404
    assert inspector.post("/api/v1/inspections", inspection("A01", checklist="nope")).json["error"][
        "fields"
    ].keys() == {"checklist"}
    assert inspector.post("/api/v1/inspections", inspection("A01", mode="secret")).status == 400
    assert inspector.get(f"/api/v1/inspections?month={month()}").json["items"] == []


def test_void_and_upheld_appeal_leave_the_record_and_every_score(halls: Api):
    inspector = user(halls, "insp.wang", "inspector", [])
    manager = user(halls, "mgr.a", "manager", ["A01"])
    one = inspector.post("/api/v1/inspections", inspection("A01")).json["id"]
    two = inspector.post(
        "/api/v1/inspections", inspection("A01", findings=[{"item": "c1_announce", "passed": True}])
    ).json["id"]

    def mean() -> float | None:
        [row] = halls.get(f"/api/v1/reports/stars?quarter={quarter()}&hall=A01").json["items"]
        return row["figures"]["inspection_score"]

    assert mean() == pytest.approx((71.43 + 100) / 2, abs=0.01)
    assert inspector.post(f"/api/v1/inspections/{one}/void", {"reason": ""}).status == 400
    voided = inspector.post(f"/api/v1/inspections/{one}/void", {"reason": "录错窗口"})
    assert (voided.status, voided.json["status"]) == (200, "voided")
    assert mean() == 100
    assert manager.post(f"/api/v1/inspections/{two}/appeal", {"note": "当时系统故障"}).status == 201
    assert manager.post(f"/api/v1/inspections/{two}/appeal/decide", {"upheld": True}).status == 403  # own appeal
    assert halls.post(f"/api/v1/inspections/{two}/appeal/decide", {"upheld": True}).json["status"] == "appeal_upheld"
    assert mean() is None
    assert len(manager.get(f"/api/v1/inspections?month={month()}&hall=A01").json["items"]) == 2  # kept on record


def test_checklists_are_versioned_and_old_versions_stay_readable(halls: Api):
    inspector = user(halls, "insp.wang", "inspector", [])
    used = inspector.post("/api/v1/inspections", inspection("A01")).json
    listed = inspector.get("/api/v1/checklists").json["items"]
    assert (listed[0]["code"], listed[0]["version"]) == ("service-norms", 1)
    assert [s["name"] for s in listed[0]["sections"]] == [
        "迎送客户",
        "分流导办",
        "咨询查询",
        "业务受理",
        "收费服务",
        "投诉举报",
    ]
    body = {
        "code": "service-norms",
        "name": "营业厅服务规范",
        "sections": [
            {"key": "greeting", "name": "迎送客户", "items": [{"key": "x1", "text": "微笑服务", "points": 10}]}
        ],
    }
    assert inspector.post("/api/v1/admin/checklists", body).status == 403
    added = halls.post("/api/v1/admin/checklists", body)
    assert (added.status, added.json["version"]) == (201, 2)
    old = inspector.get(f"/api/v1/checklists/service-norms?version={used['version']}").json
    assert old["version"] == 1 and any(i["key"] == "g1_stand_up" for s in old["sections"] for i in s["items"])
    assert inspector.get("/api/v1/checklists/service-norms").json["version"] == 2
    assert "findings.0.item" in inspector.post("/api/v1/inspections", inspection("A01")).json["error"]["fields"]
    assert inspector.post("/api/v1/inspections", inspection("A01", version=1)).status == 201


def test_the_stars_follow_the_rules_with_their_lines_and_publishing_freezes_them(halls: Api):
    inspector = user(halls, "insp.wang", "inspector", [])
    code = halls.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/", 1)[1]
    for _ in range(3):
        assert halls.post(f"/r/{code}", "level=5", token="", headers=FORM).status == 200
    inspector.post("/api/v1/inspections", inspection("A01"))
    rules = halls.get("/api/v1/stars/rules").json
    assert rules["version"] == 1
    service = [
        dict(line, min_rate_lower_bound=0.2 * line["level"] - 0.2, min_inspection_score=50, max_bad_ratings=0)
        for line in rules["service"]
    ]
    business = [dict(line, min_ratings=line["level"] - 1, min_section_score=50) for line in rules["business"]]
    easy = {**{k: rules[k] for k in ("complaint_cap", "uninspected_cap", "business_sections")}, "service": service}
    easy["business"] = business
    assert halls.request("PUT", "/api/v1/admin/star-rules", easy).json["version"] == 2
    [row] = halls.get(f"/api/v1/reports/stars?quarter={quarter()}&hall=A01").json["items"]
    # 3 of 3 satisfied: Wilson lower bound 0.4385 passes 0.4 (level 3), not 0.6
    assert (row["staff_no"], row["service_star"], row["business_star"]) == ("A0123", 3, 4)
    assert row["figures"]["rate_lower_bound"] == 0.4385
    assert any(line["text"].startswith("服务之星4: 满意率置信下限 0.4385 >= 0.6000 ✗") for line in row["lines"])

    published = halls.post(f"/api/v1/stars/{quarter()}/publish")
    assert (published.status, published.json["version"]) == (201, 1)
    for _ in range(5):
        halls.post(f"/r/{code}", "level=1", token="", headers=FORM)
    live = halls.get(f"/api/v1/reports/stars?quarter={quarter()}&hall=A01").json["items"][0]
    frozen = halls.get(f"/api/v1/reports/stars?quarter={quarter()}&hall=A01&version=1").json
    assert live["service_star"] == 0 and frozen["items"][0]["service_star"] == 3
    assert (frozen["version"], frozen["rules_version"]) == (1, 2)
    first = halls.get(f"/api/v1/reports/stars.csv?quarter={quarter()}&version=1")
    assert first.raw == halls.get(f"/api/v1/reports/stars.csv?quarter={quarter()}&version=1").raw
    header = first.text.lstrip("\ufeff").split("\r\n")[0]
    assert header.split(",") == (
        [
            "季度",
            "分中心",
            "营业厅编码",
            "工号",
            "姓名",
            "服务之星",
            "业务之星",
            "满意率置信下限",
            "检查平均分",
            "差评数",
            "属实投诉数",
            "评价数",
            "评定依据",
        ]
    )
    english = halls.get(f"/api/v1/reports/stars.csv?quarter={quarter()}&lang=en").text.lstrip("\ufeff").split("\r\n")[0]
    assert english.split(",") == [
        *("quarter", "branch", "hall_code", "staff_no", "name", "service_star", "business_star"),
        *("rate_lower_bound", "inspection_score", "bad_ratings", "verified_complaints", "ratings", "basis"),
    ]
    assert halls.get(f"/api/v1/reports/stars?quarter={quarter()}&version=2").status == 404


def test_a_complaint_closed_as_verified_caps_the_clerks_service_star(halls: Api):
    form = "kind=complaint&content=窗口人员态度很差&phone=13812345678&consent=on"
    halls.post("/s/A01", form, token="", headers=FORM)
    # The stream opens the task in the running app (events.py); here the handler's service is called.
    [stored] = composition.suggestions().list_by_hall("A01", tuple(SuggestionStatus), None, 10).items
    task = callbacks.open_for_suggestion(composition.callback_ports(), stored)
    assert task is not None
    halls.post(f"/api/v1/callbacks/{task.id}/attempts", {"result": "reached"})
    refused = halls.post(f"/api/v1/callbacks/{task.id}/close", {"outcome": "resolved_satisfied", "verified": True})
    assert refused.json["error"]["fields"].keys() == {"staff_no"}
    closed = halls.post(
        f"/api/v1/callbacks/{task.id}/close", {"outcome": "resolved_satisfied", "verified": True, "staff_no": "A0123"}
    )
    assert (closed.status, closed.json["verified_staff_no"]) == (200, "A0123")
    [row] = halls.get(f"/api/v1/reports/stars?quarter={quarter()}&hall=A01").json["items"]
    assert row["figures"]["verified_complaints"] == 1
    assert any(line["test"] == "complaints" and line["op"] == "cap" for line in row["lines"])


def test_a_complaint_work_order_closed_as_verified_counts_against_the_clerks_stars(halls: Api):
    assert halls.post("/api/v1/admin/departments", {"code": "KF", "name": "客户服务"}).status == 201
    order = halls.post("/api/v1/tickets", {"hall_code": "A01", "kind": "complaint", "subject": "窗口人员态度差"}).json
    assert halls.post(f"/api/v1/tickets/{order['id']}/assign", {"department": "KF"}).status == 200
    assert halls.post(f"/api/v1/tickets/{order['id']}/progress", {"note": "已调取录像"}).status == 200
    assert halls.post(f"/api/v1/tickets/{order['id']}/answer", {"answer": "已核实并致歉"}).status == 200
    closed = halls.post(f"/api/v1/tickets/{order['id']}/close", {"verified": True, "staff_no": "A0123"})
    assert (closed.status, closed.json["verified"], closed.json["staff_no"]) == (200, True, "A0123")
    [row] = halls.get(f"/api/v1/reports/stars?quarter={quarter()}&hall=A01").json["items"]
    assert row["figures"]["verified_complaints"] == 1
    assert any(line["test"] == "complaints" and line["op"] == "cap" for line in row["lines"])


# ---- who may call what ---------------------------------------------------------------------
ROLES = ("admin", "manager", "other_manager", "agent", "inspector")
ALLOWED = {  # route -> the roles that get past authorization (others: 403, or 404 where reading hides)
    ("GET", "/api/v1/checklists"): {"admin", "manager", "other_manager", "inspector"},
    ("GET", "/api/v1/checklists/service-norms"): {"admin", "manager", "other_manager", "inspector"},
    ("POST", "/api/v1/admin/checklists"): {"admin"},
    ("POST", "/api/v1/inspections"): {"admin", "inspector"},
    ("GET", "/api/v1/inspections?hall=A01&month={month}"): {"admin", "manager", "inspector"},
    ("GET", "/api/v1/inspections/{id}"): {"admin", "manager", "inspector"},
    ("POST", "/api/v1/inspections/{id}/void"): {"admin", "inspector"},
    ("POST", "/api/v1/inspections/{id}/appeal"): {"admin", "manager"},
    ("POST", "/api/v1/inspections/{id}/appeal/decide"): {"admin", "manager"},
    ("GET", "/api/v1/reports/inspections.csv?hall=A01&month={month}"): {"admin", "manager", "inspector"},
    ("GET", "/api/v1/stars/rules"): {"admin", "manager", "other_manager"},
    ("PUT", "/api/v1/admin/star-rules"): {"admin"},
    ("GET", "/api/v1/reports/stars?hall=A01&quarter={quarter}"): {"admin", "manager"},
    ("GET", "/api/v1/reports/stars.csv?hall=A01&quarter={quarter}"): {"admin", "manager"},
    ("POST", "/api/v1/stars/{quarter}/publish"): {"admin"},
}


def test_the_authorization_matrix(halls: Api):
    people = {
        "admin": halls,
        "manager": user(halls, "mgr.a", "manager", ["A01"]),
        "other_manager": user(halls, "mgr.b", "manager", ["B01"]),
        "agent": user(halls, "agent.a", "agent", ["A01"]),
        "inspector": user(halls, "insp.wang", "inspector", ["A01"]),  # halls given to an inspector open nothing
    }
    rules = halls.get("/api/v1/stars/rules").json
    bodies = {
        "/api/v1/admin/checklists": {
            "code": "extra",
            "name": "附加",
            "sections": [{"key": "s", "name": "s", "items": [{"key": "i", "text": "t", "points": 1}]}],
        },
        "/api/v1/inspections": inspection("A01"),
        "/void": {"reason": "录错"},
        "/appeal": {"note": ""},
        "/appeal/decide": {"upheld": False},
        "/api/v1/admin/star-rules": {k: rules[k] for k in ("service", "business")},
    }  # fmt: skip
    assert set(ALLOWED) >= {(m, p) for m, p in ALLOWED}
    for (method, template), allowed in ALLOWED.items():
        for role in ROLES:
            target = people["inspector"].post("/api/v1/inspections", inspection("A01")).json["id"]
            if template.endswith("/decide"):
                halls.post(f"/api/v1/inspections/{target}/appeal", {"note": ""})
            path = template.format(id=target, month=month(), quarter=quarter())
            body = next((b for suffix, b in bodies.items() if template.endswith(suffix) or template == suffix), None)
            answer = people[role].request(method, path, body)
            if role in allowed:
                assert answer.status < 400 or (role == "admin" and template.endswith("/decide")), (
                    role,
                    method,
                    path,
                    answer.raw[:200],
                )
            else:
                assert answer.status in (403, 404), (role, method, path, answer.status)
