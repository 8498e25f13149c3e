"""The user's story of month publication and the auditable export, over HTTP (moto).

An admin publishes November on 1 December; a late device batch and an upheld
appeal arrive afterwards. The published files stay byte for byte what was
fetched right after publishing, the live ones move, the console says so, and
ratings.csv reconciles with the totals through its status column.
"""

from __future__ import annotations

import collections
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from chalicelib import composition
from tests.fakes.clock import FixedClock
from tests.functional.test_console import Browser, add_user
from tests.functional.test_reports_api import rating, rows_of, store, user
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Answer, Api

DECEMBER_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NOV_28 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, inside the devices' 7-day window
FILES = (
    "/api/v1/reports/staff-monthly.csv?month=2026-11",
    "/api/v1/reports/staff-monthly.csv?month=2026-11&hall=A01&lang=en",
    f"/api/v1/reports/staff-monthly.csv?month=2026-11&scope=branch&branch={quote('城东分中心')}",
    "/api/v1/reports/hall-monthly.csv?month=2026-11",
    "/api/v1/reports/hall-monthly.csv?month=2026-11&lang=en",
    "/api/v1/reports/staff-monthly?month=2026-11",
    "/api/v1/reports/hall-monthly?month=2026-11&hall=A01",
)


@pytest.fixture
def clock(aws: None, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(DECEMBER_1)
    monkeypatch.setattr(composition, "clock", lambda: fixed)
    return fixed


def press(level: int, at: datetime, staff_no: str = "S01", **more) -> dict:
    return {"id": str(uuid.uuid4()), "level": level, "rated_at": at.isoformat(), "staff_no": staff_no} | more


@pytest.fixture
def november(clock: FixedClock, admin: Api) -> dict:
    """Two halls of one branch; counter 1 of A01 has a device that uploaded November's presses."""
    admin.seed_hall("A01", counters=1)
    admin.seed_hall("B02", counters=1)
    for staff_no, hall in (("S01", "A01"), ("S02", "A01"), ("S09", "B02")):
        body = {"staff_no": staff_no, "name": f"员工{staff_no}", "hall_code": hall}
        assert admin.post("/api/v1/admin/staff", body).status == 201
    device = Api(admin.client)
    device.token = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["key"]
    presses = [press(5, NOV_28 + timedelta(minutes=i)) for i in range(4)]
    presses += [press(2, NOV_28 + timedelta(minutes=10 + i), "S02", reasons=["long_wait"]) for i in range(2)]
    presses.append(press(1, NOV_28 + timedelta(minutes=11, seconds=1), "S02"))  # 1 s after a press: misuse
    answer = device.post("/api/v1/device/ratings", {"ratings": presses})
    assert [r["status"] for r in answer.json["results"]] == ["created"] * len(presses), answer.raw
    store(*(rating(500 + i, hall_code="B02", staff_no="S09", level=4) for i in range(3)))
    return {"device": device, "presses": presses, "clock": clock}


def fetch(api: Api, path: str) -> Answer:
    answer = api.get(path)
    assert answer.status == 200, (path, answer.raw)
    return answer


def versioned(path: str, version: str) -> str:
    return f"{path}&version={version}"


def test_a_published_month_keeps_its_bytes_while_the_live_numbers_move(november: dict, admin: Api):
    assert admin.get(versioned(FILES[0], "latest")).status == 404  # nothing published yet
    assert admin.get(versioned(FILES[5], "latest")).status == 404
    answer = admin.post("/api/v1/reports/2026-11/publish")
    assert (answer.status, answer.json) == (201, {"month": "2026-11", "version": 1})
    published = {path: fetch(admin, versioned(path, "latest")) for path in FILES}  # right after publishing
    assert (
        published[FILES[1]]
        .headers["content-disposition"]
        .endswith('filename="staff-monthly-2026-11-A01-v1-20261201.csv"')
    )
    body = published[FILES[5]].json
    assert (body["version"], body["published_by"], body["published_at"]) == (1, "admin", "2026-12-01T02:00:00Z")

    # A late batch from the device (rated on 30 November) and an upheld appeal arrive; days go by.
    late = [press(1, NOV_28 + timedelta(days=2, minutes=i)) for i in range(3)]
    assert november["device"].post("/api/v1/device/ratings", {"ratings": late}).status == 200
    manager = user(admin, "mgr.a", "manager", ["A01"])
    appealed = november["presses"][0]["id"]
    assert manager.post(f"/api/v1/ratings/{appealed}/appeal", {"ground": "malicious"}).status == 201
    assert admin.post(f"/api/v1/appeals/{appealed}/decide", {"upheld": True}).status == 200
    november["clock"].advance(days=5)
    admin.as_admin()  # a new token: the first has expired meanwhile

    for path in FILES:
        for version in ("1", "latest"):
            again = fetch(admin, versioned(path, version))
            assert again.raw == published[path].raw, (path, version)
            assert again.headers.get("content-disposition") == published[path].headers.get("content-disposition")
        assert fetch(admin, path).raw != published[path].raw, path  # the live numbers moved
    live = {r["staff_no"]: r for r in rows_of(fetch(admin, FILES[1]))}
    frozen = {r["staff_no"]: r for r in rows_of(published[FILES[1]])}
    assert (frozen["S01"]["total"], frozen["S01"]["n5"], frozen["S01"]["n1"]) == ("4", "4", "0")
    assert (live["S01"]["total"], live["S01"]["n5"], live["S01"]["n1"]) == ("6", "3", "3")
    assert admin.get(versioned(FILES[0], "2")).status == 404


def test_the_console_ranking_shows_the_versions_and_when_the_live_numbers_differ(november: dict, admin: Api):
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    page = browser.get("/console/ranking?month=2026-11")
    assert "本月尚未发布" in page.text and "发布本月排名与汇总（生成第 1 版）" in page.text
    answer = browser.post("/console/ranking/2026-11/publish", {}, csrf=browser.csrf("/console/ranking?month=2026-11"))
    assert (answer.status, answer.headers["location"]) == (303, "/console/ranking?month=2026-11&done=published")
    page = browser.get(answer.headers["location"])
    assert "已发布第 1 版" in page.text and "实时数据与最新发布版本（第 1 版）一致" in page.text
    assert "2026-12-01 10:00" in page.text and ">admin<" in page.text

    late = [press(1, NOV_28 + timedelta(days=2))]
    assert november["device"].post("/api/v1/device/ratings", {"ratings": late}).status == 200
    page = browser.get("/console/ranking?month=2026-11&lang=en")
    assert "The live numbers now differ from the latest published version (version 1)" in page.text
    shown = browser.get("/console/ranking?month=2026-11&hall=A01&version=1")
    assert "以下为第 1 版" in shown.text
    csv = browser.get("/console/reports/staff-monthly.csv?month=2026-11&hall=A01&version=latest")
    assert csv.raw == admin.get("/api/v1/reports/staff-monthly.csv?month=2026-11&hall=A01&version=1").raw

    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Browser(admin.client)
    manager.sign_in("mgr1", "password-123")
    page = manager.get("/console/ranking?month=2026-11")
    assert page.status == 200 and "第 1 版" in page.text and "/console/ranking/2026-11/publish" not in page.text
    refused = manager.post("/console/ranking/2026-11/publish", {}, csrf=manager.csrf("/console/ranking?month=2026-11"))
    assert refused.status == 403


def test_managers_read_only_their_halls_of_a_version(november: dict, admin: Api):
    assert admin.post("/api/v1/reports/2026-11/publish").status == 201
    manager = user(admin, "mgr.a", "manager", ["A01"])
    for path in FILES[:2] + FILES[3:5]:
        rows = rows_of(fetch(manager, versioned(path, "1")))
        assert {r.get("hall_code") or r["营业厅编码"] for r in rows} == {"A01"}, path
    assert [
        i["hall_code"] for i in fetch(manager, "/api/v1/reports/hall-monthly?month=2026-11&version=1").json["items"]
    ] == ["A01"]
    assert manager.get("/api/v1/reports/hall-monthly.csv?month=2026-11&hall=B02&version=1").status == 403
    assert manager.get(versioned(FILES[2], "1")).status == 403  # the branch holds B02
    assert manager.post("/api/v1/reports/2026-11/publish").status == 403
    agent = user(admin, "agent.a", "agent", ["A01"])
    assert agent.get(versioned(FILES[0], "latest")).status == 403
    assert admin.get("/api/v1/reports/hall-monthly.csv?month=2026-11&hall=Z99&version=1").status == 404


@pytest.mark.parametrize(
    ("method", "path", "status", "field"),
    [
        ("GET", "/api/v1/reports/staff-monthly.csv?month=2026-11&version=first", 400, "version"),
        ("GET", "/api/v1/reports/hall-monthly?month=2026-11&version=0", 400, "version"),
        ("GET", "/api/v1/reports/hall-monthly.csv?month=2026-11&version=9", 404, "version"),
        ("POST", "/api/v1/reports/2026-13/publish", 400, "month"),
        ("POST", "/api/v1/reports/2027-01/publish", 400, "month"),  # not started yet
    ],
)
def test_bad_versions_and_months_are_refused_naming_the_field(november: dict, admin: Api, method, path, status, field):
    answer = admin.request(method, path)
    assert answer.status == status, answer.raw
    assert field in answer.json["error"]["fields"]


def test_the_ratings_file_reconciles_with_the_scored_totals_through_status(november: dict, admin: Api):
    manager = user(admin, "mgr.a", "manager", ["A01"])
    appealed = november["presses"][0]["id"]
    assert manager.post(f"/api/v1/ratings/{appealed}/appeal", {"ground": "mistaken"}).status == 201
    assert admin.post(f"/api/v1/appeals/{appealed}/decide", {"upheld": True}).status == 200
    answer = fetch(admin, "/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-11-30&lang=en")
    rows = rows_of(answer)
    assert list(rows[0])[-2:] == ["status", "id"]
    halls = {h["hall_code"]: h for h in fetch(admin, "/api/v1/reports/hall-monthly?month=2026-11").json["items"]}
    for code, hall in halls.items():
        statuses = collections.Counter(r["status"] for r in rows if r["hall_code"] == code)
        assert statuses["scored"] == hall["total"] and statuses["misuse"] == hall["misuse"], code
        scored = [r for r in rows if r["hall_code"] == code and r["status"] == "scored"]
        assert sum(r["level"] == "1" or r["level"] == "2" for r in scored) == hall["bad_ratings"]
    by_id = {r["id"]: r["status"] for r in rows}
    assert by_id[appealed] == "appeal_upheld"
    assert by_id[november["presses"][-1]["id"]] == "misuse"
    assert collections.Counter(by_id.values()) == {"scored": 8, "misuse": 1, "appeal_upheld": 1}
    zh = rows_of(fetch(admin, "/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-11-30&hall=A01"))
    assert {r["状态"] for r in zh} == {"计分", "误按", "申诉核准"} and appealed in {r["编号"] for r in zh}
