"""The device path over HTTP reads what a batch needs by key in one BatchGetItem and writes
each chunk in one transaction; the shift history is queried only for ratings that name no
clerk, and a retried batch writes nothing. The answers are the ones devices always had."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import composition
from tests.http import Api


@pytest.fixture
def device(admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    for staff_no in ("A0123", "A0456"):
        assert (
            admin.post("/api/v1/admin/staff", {"staff_no": staff_no, "name": "张三", "hall_code": "A01"}).status == 201
        )
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json
    api = Api(admin.client)
    api.token = created["key"]
    return api


@pytest.fixture
def calls() -> Iterator[Counter[str]]:
    """DynamoDB operations by name while the test runs."""
    counted: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counted[model.name] += 1

    events = composition.dynamodb_client().meta.events
    events.register("provide-client-params.dynamodb.*", count)
    yield counted
    events.unregister("provide-client-params.dynamodb.*", count)


def rating(n: int, staff_no: str | None = None) -> dict[str, Any]:
    at = datetime.now(UTC) - timedelta(minutes=30) + timedelta(seconds=10 * n)
    return {"id": str(uuid.uuid4()), "level": 1 + n % 5, "rated_at": at.isoformat()} | (
        {"staff_no": staff_no} if staff_no else {}
    )


def test_a_batch_naming_its_clerks_is_one_keyed_read_and_one_transaction(device: Api, calls: Counter[str]):
    batch = [rating(n, ("A0123", "A0456")[n % 2]) for n in range(10)]
    answer = device.post("/api/v1/device/ratings", {"ratings": batch})
    assert [r["status"] for r in answer.json["results"]] == ["created"] * 10
    assert (calls["BatchGetItem"], calls["Query"], calls["TransactWriteItems"]) == (1, 0, 1)
    calls.clear()
    again = device.post("/api/v1/device/ratings", {"ratings": batch})
    assert [r["status"] for r in again.json["results"]] == ["duplicate"] * 10
    assert (calls["BatchGetItem"], calls["Query"], calls["TransactWriteItems"]) == (1, 0, 0)


def test_ratings_naming_no_clerk_add_one_query(device: Api, calls: Counter[str]):
    at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert device.request("PUT", "/api/v1/device/shift", {"staff_no": "A0123", "at": at}).status == 204
    calls.clear()
    answer = device.post("/api/v1/device/ratings", {"ratings": [rating(n) for n in range(40)]})
    assert {r["status"] for r in answer.json["results"]} == {"created"}
    # Two transactions (chunks of 25 and 15), the second judged against what the first wrote.
    assert (calls["BatchGetItem"], calls["Query"], calls["TransactWriteItems"]) == (1, 1, 2)
