"""Storage trouble answers 503 with Retry-After and stores nothing: a write
conflict that outlasts its retries, and a DynamoDB that does not answer."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from chalicelib import composition
from chalicelib.adapters.dynamodb.transactions import RetryPolicy
from chalicelib.domain.credentials import TokenClaims, new_device_id, new_device_key, sign_token
from devstack.dynamodb_local import free_port
from tests.http import Api


class ConflictingClient:
    """The real client, except that every transaction is cancelled by a conflict on each item."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.transactions = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def transact_write_items(self, TransactItems: list[Any], **_: Any) -> None:
        self.transactions += 1
        raise ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
                "CancellationReasons": [{"Code": "TransactionConflict"} for _ in TransactItems],
            },
            "TransactWriteItems",
        )


def rating(level: int = 5) -> dict[str, Any]:
    rated_at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {"id": str(uuid.uuid4()), "level": level, "rated_at": rated_at}


@pytest.fixture
def device(admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    created = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json
    api = Api(admin.client)
    api.token = created["key"]
    return api


def test_a_write_conflict_that_outlasts_its_retries_is_a_503_with_retry_after_and_nothing_stored(
    device: Api, admin: Api
):
    table = composition.table()
    real, slept = table.client, []
    conflicting = ConflictingClient(real)
    table.client, table.retry = conflicting, RetryPolicy(sleep=slept.append)
    try:
        answer = device.post("/api/v1/device/ratings", {"ratings": [rating(1), rating(5)]})
        tries, pauses = conflicting.transactions, len(slept)
        box = device.request("POST", "/s/A01", {"kind": "complaint", "content": "等了一个小时没人管"}, token="")
    finally:
        table.client = real
    assert answer.status == 503, answer.raw
    assert answer.json["error"]["code"] == "storage_busy"
    assert int(answer.headers["retry-after"]) > 0
    assert tries == RetryPolicy.attempts and pauses == tries - 1  # retried, with a pause before each retry
    assert box.status == 503 and "retry-after" in box.headers  # not a false 409 "tracking number taken"
    month = datetime.now(UTC).strftime("%Y-%m")
    summary = admin.get(f"/api/v1/reports/hall-monthly?month={month}&hall=A01").json["items"][0]
    assert summary["total"] == 0


@pytest.fixture
def unreachable_storage() -> Iterator[Api]:
    """The app pointed at a port where nothing listens."""
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{free_port()}"
    composition.reset()
    from app import app

    try:
        with Client(app, stage_name="local") as client:
            yield Api(client)
    finally:
        del os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
        composition.reset()


def a_user_token() -> str:
    """A well-signed token, so that authentication has to read the user from storage."""
    claims = TokenClaims(subject="admin", expires_at=int(datetime.now(UTC).timestamp()) + 3600)
    return sign_token(claims, composition.token_policy().key)


@pytest.mark.parametrize(
    ("method", "path", "body", "token"),
    [
        ("POST", "/api/v1/device/ratings", {"ratings": [rating()]}, lambda: new_device_key(new_device_id())),
        ("POST", "/api/v1/auth/login", {"username": "admin", "password": "admin-password-1"}, lambda: ""),
        ("GET", "/api/v1/admin/halls", None, a_user_token),
    ],
)
def test_a_dynamodb_that_does_not_answer_is_a_503_with_retry_after_never_a_500(
    unreachable_storage: Api, method: str, path: str, body: Any, token: Callable[[], str]
):
    answer = unreachable_storage.request(method, path, body, token=token())
    assert answer.status == 503, answer.raw
    assert answer.json["error"]["code"] == "storage_busy"
    assert int(answer.headers["retry-after"]) > 0


def test_the_pages_say_so_kindly_when_storage_does_not_answer(unreachable_storage: Api):
    page = unreachable_storage.request("GET", "/s/A01", token="")
    assert page.status == 503 and page.headers["content-type"].startswith("text/html")
    assert "retry-after" in page.headers
