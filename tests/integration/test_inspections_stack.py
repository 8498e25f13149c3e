"""Against `make run`: inspectors record inspections in two halls and see only their own, a
manager sees their hall's, the quarter's stars follow the rules in force with an explanation
per clerk, and publishing freezes them."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.outreach import quarter_of
from chalicelib.domain.stars import Figures, Thresholds, stars
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "integration-admin-1"
USER_PASSWORD = "Inspect-2026-pass"


def rate(url: str, level: int) -> None:
    form = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=f"level={level}".encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    with urllib.request.urlopen(form, timeout=30) as answer:  # noqa: S310 (loopback)
        assert answer.status == 200


def sign_in(stack: RunningStack, name: str) -> str:
    status, body = stack.call("POST", "/api/v1/auth/login", {"username": name, "password": USER_PASSWORD})
    assert status == 200, body
    return str(body["token"])


def inspection(hall: str, **more: object) -> dict[str, object]:
    return {
        "hall_code": hall,
        "counter": 1,
        "mode": "undercover",
        "inspected_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "findings": [
            {"item": "g1_stand_up", "passed": True},
            {"item": "c1_announce", "passed": False, "note": "未唱收唱付"},
            {"item": "a1_documents", "passed": True},
        ],
    } | more


def test_inspections_and_stars_on_the_running_stack(tmp_path: Path):
    stack = start_stack(tmp_path / "data", PASSWORD)
    try:
        admin = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        for code, clerk, name in (("A01", "A0123", "张三"), ("B01", "B0456", "李四")):
            hall = {"code": code, "name": f"{code}营业厅", "branch": "城东", "grade": "A"}
            assert stack.call("POST", "/api/v1/admin/halls", hall, admin)[0] == 201
            assert stack.call("POST", f"/api/v1/admin/halls/{code}/counters", {"number": 1}, admin)[0] == 201
            assert (
                stack.call("POST", "/api/v1/admin/staff", {"staff_no": clerk, "name": name, "hall_code": code}, admin)[
                    0
                ]
                == 201
            )
        device = stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}, admin)[1]["key"]
        signed_in = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        assert stack.call("PUT", "/api/v1/device/shift", {"staff_no": "A0123", "at": signed_in}, device)[0] == 204
        for name, role, halls in (
            ("insp.one", "inspector", []),
            ("insp.two", "inspector", []),
            ("mgr.a", "manager", ["A01"]),
        ):
            body = {"username": name, "password": USER_PASSWORD, "role": role, "halls": halls}
            assert stack.call("POST", "/api/v1/admin/users", body, admin)[0] == 201
        one, two, manager = sign_in(stack, "insp.one"), sign_in(stack, "insp.two"), sign_in(stack, "mgr.a")

        status, first = stack.call("POST", "/api/v1/inspections", inspection("A01"), one)
        assert (status, first["staff_no"], first["score"]) == (201, "A0123", 64.29)  # the clerk on shift then
        assert stack.call("POST", "/api/v1/inspections", inspection("B01", staff_no="B0456"), one)[0] == 201
        theirs = stack.call("POST", "/api/v1/inspections", inspection("A01", mode="video"), two)[1]["id"]
        month = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m")
        mine = stack.call("GET", f"/api/v1/inspections?month={month}", token=one)[1]["items"]
        assert sorted(i["hall_code"] for i in mine) == ["A01", "B01"] and theirs not in {i["id"] for i in mine}
        assert stack.call("GET", f"/api/v1/inspections/{theirs}", token=one)[0] == 404
        hall_a = stack.call("GET", f"/api/v1/inspections?month={month}&hall=A01", token=manager)[1]["items"]
        assert sorted(i["inspector"] for i in hall_a) == ["insp.one", "insp.two"]
        assert stack.call("GET", f"/api/v1/inspections?month={month}&hall=B01", token=manager)[0] == 403

        url = stack.call("GET", "/api/v1/admin/halls/A01/qr-codes", token=admin)[1]["counters"][0]["url"]
        for level in (5, 5, 5, 4, 2):
            rate(url, level)
        quarter = quarter_of(datetime.now(UTC).astimezone(SHANGHAI).date())
        rules = stack.call("GET", "/api/v1/stars/rules", token=admin)[1]
        easier = Thresholds.model_validate(rules).model_copy(
            update={
                "business": tuple(
                    line.model_copy(update={"min_ratings": line.level})
                    for line in Thresholds.model_validate(rules).business
                )
            }
        )
        status, used = stack.call("PUT", "/api/v1/admin/star-rules", easier.model_dump(mode="json"), admin)
        assert (status, used["version"]) == (200, 2)
        [row] = stack.call("GET", f"/api/v1/reports/stars?quarter={quarter}&hall=A01", token=manager)[1]["items"]
        f = row["figures"]
        figures = Figures(
            ratings=f["ratings"], satisfied=f["satisfied"], bad_ratings=f["bad_ratings"], inspections=f["inspections"],
            score_sum=round(f["inspection_score"] * 100 * f["inspections"]), section_passed=10, section_checked=10,
        )  # fmt: skip
        assert (f["ratings"], f["satisfied"], f["bad_ratings"], f["inspections"]) == (5, 4, 1, 2)
        expected = stars(easier, figures)
        assert row["service_star"] == expected.service_star
        assert row["lines"] and all(line["text"] for line in row["lines"])  # the explanation per clerk

        assert stack.call("POST", f"/api/v1/stars/{quarter}/publish", token=admin)[:1] == (201,)
        for _ in range(3):
            rate(url, 1)
        live = stack.call("GET", f"/api/v1/reports/stars?quarter={quarter}&hall=A01", token=manager)[1]["items"][0]
        frozen = stack.call("GET", f"/api/v1/reports/stars?quarter={quarter}&hall=A01&version=1", token=manager)[1]
        assert live["figures"]["bad_ratings"] == 4 and frozen["items"][0]["figures"]["bad_ratings"] == 1
        assert frozen["items"][0]["service_star"] == row["service_star"] and frozen["rules_version"] == 2
    finally:
        assert stack.interrupt() == 0
