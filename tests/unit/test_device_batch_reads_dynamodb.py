"""A device batch's keyed reads in DynamoDB: one BatchGetItem, each key once; keys left
unprocessed are asked again after a backoff, and storage trouble is StorageBusy (503),
as for every other read. A scripted client answers; no network, no real waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.device_batches import DynamoDeviceBatchReader
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.adapters.dynamodb.transactions import RetryPolicy
from chalicelib.domain.errors import StorageBusy
from tests.unit.scripted_dynamodb import ScriptedClient, refused

T0 = datetime(2026, 11, 24, 1, 0, 30, tzinfo=UTC)
SEC3 = timedelta(seconds=3)
TRIES = 3


def reader(client: ScriptedClient, pauses: list[float] | None = None) -> DynamoDeviceBatchReader:
    sleep = pauses.append if pauses is not None else (lambda _: None)
    return DynamoDeviceBatchReader(Table(client, "t", RetryPolicy(attempts=TRIES, sleep=sleep, jitter=lambda: 1.0)))


def read(client: ScriptedClient, pauses: list[float] | None = None):  # type: ignore[no-untyped-def]
    times = [T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=59)]  # 01:00 and 01:01
    return reader(client, pauses).read_for_batch("dev-1", "A01", 1, ["A0123", "A0456", "A0123"], times, SEC3)


def hall_item() -> dict:
    pk, sk = keys.hall("A01")
    return to_item(
        {"pk": pk, "sk": sk, "code": "A01", "name": "厅", "branch": "城东", "grade": "A", "created_at": T0.isoformat()}
    )


def key_of(item: dict) -> tuple[str, str]:
    return item["pk"]["S"], item["sk"]["S"]


def test_everything_keyed_is_asked_in_one_batch_get_each_key_once():
    client = ScriptedClient({"Responses": {"t": [hall_item()]}})
    found = read(client)
    (call,) = client.calls
    assert call[0] == "batch_get_item"
    asked = [key_of(k) for k in call[1]["RequestItems"]["t"]["Keys"]]
    minutes = {keys.press_minute("dev-1", T0), keys.press_minute("dev-1", T0 + timedelta(minutes=1))}
    expected = {keys.hall("A01"), keys.counter("A01", 1), keys.staff("A0123"), keys.staff("A0456"), *minutes}
    assert sorted(asked) == sorted(expected)  # no key twice: BatchGetItem refuses duplicates
    assert call[1]["RequestItems"]["t"]["ConsistentRead"] is True
    assert found.hall is not None and found.counter is None and dict(found.staff) == {"A0123": None, "A0456": None}
    assert dict(found.presses.versions) == {sk: 0 for _, sk in minutes}


def test_unprocessed_keys_are_asked_again_after_a_backoff():
    left = {"t": {"Keys": [to_item(dict(zip(("pk", "sk"), keys.hall("A01"), strict=True)))], "ConsistentRead": True}}
    pauses: list[float] = []
    client = ScriptedClient({"Responses": {"t": []}, "UnprocessedKeys": left}, {"Responses": {"t": [hall_item()]}})
    found = read(client, pauses)
    assert [c[1]["RequestItems"] for c in client.calls][1] == left
    assert len(pauses) == 1 and found.hall is not None


def test_unprocessed_keys_are_asked_again_consistently_whatever_the_answer_carried():
    key = to_item(dict(zip(("pk", "sk"), keys.hall("A01"), strict=True)))
    client = ScriptedClient(
        {"Responses": {"t": []}, "UnprocessedKeys": {"t": {"Keys": [key]}}}, {"Responses": {"t": [hall_item()]}}
    )
    read(client, [])
    assert client.calls[1][1]["RequestItems"] == {"t": {"Keys": [key], "ConsistentRead": True}}


def test_keys_still_unprocessed_after_the_tries_are_storage_busy():
    left = {"t": {"Keys": [to_item(dict(zip(("pk", "sk"), keys.hall("A01"), strict=True)))], "ConsistentRead": True}}
    client = ScriptedClient(*[{"Responses": {"t": []}, "UnprocessedKeys": left}] * TRIES)
    with pytest.raises(StorageBusy):
        read(client)
    assert len(client.calls) == TRIES


def test_a_throttled_or_failing_read_is_storage_busy():
    for fault in (refused("ProvisionedThroughputExceededException"), refused("InternalServerError", 500)):
        with pytest.raises(StorageBusy):
            read(ScriptedClient(fault))


def test_more_than_a_hundred_keys_take_one_request_per_hundred():
    client = ScriptedClient()
    many = [f"A{n:04d}" for n in range(150)]
    reader(client).read_for_batch("dev-1", "A01", 1, many, [], SEC3)
    assert [len(c[1]["RequestItems"]["t"]["Keys"]) for c in client.calls] == [100, 52]
