"""Hostile input at the gate: what a fuzzer and a hand-made attack sent, answered
with a clear 4xx naming the field, and nothing stored."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from tests.fakes.clock import FixedClock
from tests.http import Answer, Api

AS_JSON = {"Accept": "application/json"}


@pytest.fixture
def device(admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json
    api = Api(admin.client)
    api.token = created["key"]
    return api


def suggestions_of(admin: Api) -> Answer:
    return admin.get("/api/v1/suggestions?hall=A01")


def test_a_suggestion_holding_a_lone_surrogate_is_refused_and_the_managers_list_still_answers(admin: Api):
    admin.seed_hall("A01", counters=1)
    raw = '{"kind": "complaint", "content": "\\ud800 大厅的椅子不够坐"}'
    answer = admin.request("POST", "/s/A01", raw, headers=AS_JSON, token="")
    assert answer.status == 400, answer.raw
    assert answer.json["error"]["fields"] == {"content": "not valid Unicode text"}
    listed = suggestions_of(admin)
    assert listed.status == 200 and listed.json["items"] == []


def test_a_device_batch_with_a_lone_surrogate_id_is_a_400_naming_the_item(device: Api):
    rated_at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    raw = '{"ratings": [{"id": "\\udfff", "level": 5, "rated_at": "' + rated_at + '"}]}'
    answer = device.request("POST", "/api/v1/device/ratings", raw)
    assert answer.status == 400, answer.raw
    assert answer.json["error"]["fields"] == {"ratings.0.id": "not valid Unicode text"}


@pytest.mark.parametrize("path", ["/api/v1/device/ratings", "/s/A01"])
def test_deep_nesting_is_a_400_not_a_crash(device: Api, path: str):
    answer = device.request("POST", path, "[" * 100_000, headers=AS_JSON)
    assert answer.status == 400, answer.raw
    assert "body" in answer.json["error"]["fields"]


def test_nesting_past_the_limit_is_refused_even_when_python_could_parse_it(device: Api):
    nested: object = 1
    for _ in range(40):
        nested = [nested]
    answer = device.post("/api/v1/device/ratings", {"ratings": nested})
    assert answer.status == 400, answer.raw
    assert answer.json["error"]["fields"] == {"body": "nested more than 16 levels"}


def test_a_body_over_256_kb_is_a_413(device: Api):
    item = {"id": str(uuid.uuid4()), "level": 5, "rated_at": datetime.now(UTC).isoformat(), "comment": "好" * 100_000}
    answer = device.post("/api/v1/device/ratings", {"ratings": [item]})
    assert answer.status == 413, answer.raw
    assert answer.json["error"]["fields"] == {"body": "at most 262144 bytes"}


def test_a_huge_form_is_a_413_page(admin: Api):
    admin.seed_hall("A01", counters=1)
    form = "kind=suggestion&content=" + "x" * 300_000
    answer = admin.request(
        "POST", "/s/A01", form, headers={"Content-Type": "application/x-www-form-urlencoded"}, token=""
    )
    assert answer.status == 413
    assert answer.headers["content-type"].startswith("text/html")


def test_sixty_complaints_from_one_address_open_ten_tasks_then_429_with_retry_after(
    admin: Api, monkeypatch: pytest.MonkeyPatch
):
    # A clock inside one 10-minute window: the limits count in fixed windows, and 60 requests
    # straddling a window's end would be judged in two.
    now = datetime.now(UTC)
    monkeypatch.setattr(composition, "clock", lambda: FixedClock(now - timedelta(seconds=now.timestamp() % 600 - 60)))
    admin.seed_hall("A01", counters=1)
    body = {"kind": "complaint", "content": "窗口工作人员态度很差，投诉！"}
    statuses = [admin.request("POST", "/s/A01", body, headers=AS_JSON, token="").status for _ in range(60)]
    assert statuses.count(200) == 10 and statuses.count(429) == 50
    refused = admin.request("POST", "/s/A01", body, headers=AS_JSON, token="")
    assert refused.status == 429 and 0 < int(refused.headers["retry-after"]) <= 600
    page = admin.request(
        "POST",
        "/s/A01",
        "kind=complaint&content=" + "态度很差" * 3,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        token="",
    )
    assert page.status == 429 and page.headers["content-type"].startswith("text/html")
    assert len(suggestions_of(admin).json["items"]) == 10


def test_a_name_with_a_nul_or_another_control_character_is_refused_naming_the_field(admin: Api):
    answer = admin.post(
        "/api/v1/admin/halls", {"code": "A09", "name": "城东\x00营业厅", "branch": "城东", "grade": "A"}
    )
    assert answer.status == 400
    assert answer.json["error"]["fields"] == {"name": "holds a control character"}
    assert admin.get("/api/v1/admin/halls/A09").status == 404
    admin.seed_hall("A01", counters=1)
    form = "kind=suggestion&content=" + "椅子不够坐%07" * 2
    page = admin.request("POST", "/s/A01", form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status == 400


def test_pages_forbid_framing_scripts_and_sniffing(admin: Api):
    admin.seed_hall("A01", counters=1)
    form = admin.request("GET", "/s/A01", token="").headers["location"]  # the form with its key
    page = admin.request("GET", form, token="")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert admin.get("/api/v1/admin/halls").headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/admin/halls?limit=%C2%B2", "limit"),  # "²" passes str.isdigit, not int()
        ("/api/v1/admin/calendar?year=%C2%B2", "year"),
        ("/api/v1/reports/halls/A01/daily?days=%C2%B2", "days"),
        ("/api/v1/ratings?hall=A01&day=20261202", "day"),
        ("/api/v1/ratings?hall=A01&day=2026-W49-3", "day"),
    ],
)
def test_numbers_and_days_in_other_spellings_are_a_400_naming_the_field(admin: Api, path: str, field: str):
    admin.seed_hall("A01", counters=1)
    answer = admin.get(path)
    assert answer.status == 400, answer.raw
    assert field in answer.json["error"]["fields"]


def test_a_published_page_with_an_odd_version_is_a_400_page(admin: Api):
    assert admin.get("/outreach/2026Q4?version=%C2%B2", token="").status == 400
