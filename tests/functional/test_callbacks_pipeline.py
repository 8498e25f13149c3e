"""The stream handler and the callback API, over moto."""

from __future__ import annotations

import os
from typing import Any

import pytest

from chalicelib import composition
from devstack.pump import LambdaContext, lambda_record
from tests.http import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
STREAM_ARN = "arn:aws:dynamodb:cn-north-1:000000000000:table/tingsheng-test/stream/2026-11-24T00:00:00.000"


def insert_record(pk: str, sk: str, sequence: str) -> dict[str, Any]:
    """The INSERT record the stream carries for an item stored in the (moto) table."""
    item = composition.dynamodb_client().get_item(
        TableName=os.environ["TINGSHENG_TABLE"], Key={"pk": {"S": pk}, "sk": {"S": sk}}
    )["Item"]
    record = {
        "eventID": sequence,
        "eventName": "INSERT",
        "awsRegion": "cn-north-1",
        "dynamodb": {
            "Keys": {"pk": item["pk"], "sk": item["sk"]},
            "NewImage": item,
            "SequenceNumber": sequence,
            "SizeBytes": 100,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    return lambda_record(record, STREAM_ARN)


def deliver(records: list[dict[str, Any]]) -> dict[str, Any]:
    from app import table_changes

    return table_changes({"Records": records}, LambdaContext("table_changes"))


@pytest.fixture
def hall(admin: Api) -> str:
    admin.seed_hall("A01", counters=1)
    codes = admin.get("/api/v1/admin/halls/A01/qr-codes").json
    return codes["counters"][0]["url"].rsplit("/r/", 1)[1]


def rate(api: Api, code: str, body: str, client: str = "1") -> str:
    answer = api.post(f"/r/{code}", body, token="", headers=FORM | {"X-Client": client})
    assert answer.status == 200, answer.raw
    return str(answer.json["id"])


def test_the_same_stream_batch_delivered_twice_creates_one_task(admin: Api, hall: str):
    rating_id = rate(admin, hall, "level=1&phone=13812345678&consent=1")
    batch = [insert_record(f"RATING#{rating_id}", "RATING", "100")]
    assert deliver(batch) == {"batchItemFailures": []}
    assert deliver(batch) == {"batchItemFailures": []}
    tasks = admin.get("/api/v1/callbacks?hall=A01").json["items"]
    assert [t["source_id"] for t in tasks] == [rating_id]
    assert tasks[0]["phone"] == "13812345678"  # admins see it in full


def test_a_corrupt_record_is_reported_alone_and_the_rest_are_processed(admin: Api, hall: str):
    first = rate(admin, hall, "level=2&phone=13812345678&consent=1")
    corrupt = insert_record(f"RATING#{first}", "RATING", "201")
    corrupt["dynamodb"]["NewImage"]["level"] = {"S": "not a level"}
    second_id = rate(admin.__class__(admin.client), hall, "level=1&phone=13900001111&consent=1")
    answer = deliver([corrupt, insert_record(f"RATING#{second_id}", "RATING", "202")])
    assert answer == {"batchItemFailures": [{"itemIdentifier": "201"}]}
    assert [t["source_id"] for t in admin.get("/api/v1/callbacks?hall=A01").json["items"]] == [second_id]


def test_ratings_that_need_no_callback_make_none(admin: Api, hall: str):
    happy = rate(admin, hall, "level=5&phone=13812345678&consent=1")
    anonymous = rate(Api(admin.client), hall, "level=1")
    deliver([insert_record(f"RATING#{happy}", "RATING", "1"), insert_record(f"RATING#{anonymous}", "RATING", "2")])
    assert admin.get("/api/v1/callbacks?hall=A01").json["items"] == []


def test_agents_work_the_queue_and_the_phone_stays_masked_for_others(admin: Api, hall: str):
    rating_id = rate(admin, hall, "level=1&phone=13812345678&consent=1")
    deliver([insert_record(f"RATING#{rating_id}", "RATING", "1")])
    for name in ("agent.li", "agent.wang"):
        created = admin.post(
            "/api/v1/admin/users", {"username": name, "password": "agent-password-1", "role": "agent", "halls": ["A01"]}
        )
        assert created.status == 201
    li, wang = Api(admin.client), Api(admin.client)
    li.token, wang.token = li.login("agent.li", "agent-password-1"), wang.login("agent.wang", "agent-password-1")
    [task] = li.get("/api/v1/callbacks").json["items"]
    assert task["phone"] == "138****5678"
    assert li.post(f"/api/v1/callbacks/{task['id']}/claim").json["phone"] == "13812345678"
    assert wang.get(f"/api/v1/callbacks/{task['id']}").json["phone"] == "138****5678"
    assert wang.post(f"/api/v1/callbacks/{task['id']}/attempts", {"result": "reached"}).status == 403
    for _ in range(2):
        li.post(f"/api/v1/callbacks/{task['id']}/attempts", {"result": "no_answer", "note": "无人接听"})
    early = li.post(f"/api/v1/callbacks/{task['id']}/close", {"outcome": "unreachable"})
    assert (early.status, list(early.json["error"]["fields"])) == (400, ["outcome"])
    assert li.post(f"/api/v1/callbacks/{task['id']}/attempts", {"result": "wrong_number"}).status == 200
    closed = li.post(f"/api/v1/callbacks/{task['id']}/close", {"outcome": "unreachable", "note": "三次未接通"})
    assert (closed.status, closed.json["status"], closed.json["outcome"]) == (200, "closed", "unreachable")
    assert li.get("/api/v1/callbacks").json["items"] == []
    assert [t["id"] for t in li.get("/api/v1/callbacks?status=closed").json["items"]] == [task["id"]]
    bad = li.post(f"/api/v1/callbacks/{task['id']}/attempts", {"result": "maybe"})
    assert (bad.status, list(bad.json["error"]["fields"])) == (400, ["result"])
    assert li.get("/api/v1/callbacks?status=later").status == 400


def test_the_customer_follows_the_callback_and_rates_its_handling_once(admin: Api, hall: str):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = admin.post(f"/r/{hall}", "level=1&phone=13812345678&consent=1", token="", headers=form)
    thanks = admin.get(answer.headers["location"], token="")
    link = thanks.text.split('href="/f/', 1)[1].split('"', 1)[0]
    [rating] = composition.ratings().ratings_of_day("A01", datetime_day())
    deliver([insert_record(f"RATING#{rating.id}", "RATING", "1")])
    assert "保持电话畅通" in admin.get(f"/f/{link}", token="").text
    task_id = f"rating-{rating.id}"
    admin.post(f"/api/v1/callbacks/{task_id}/attempts", {"result": "reached"})
    admin.post(f"/api/v1/callbacks/{task_id}/close", {"outcome": "resolved_satisfied"})
    assert 'name="level"' in admin.get(f"/f/{link}", token="").text
    rated = admin.post(f"/f/{link}", "level=4&comment=<b>ok</b>", token="", headers=form)
    assert rated.status == 303
    assert "您已评价" in admin.get(f"/f/{link}", token="").text
    assert admin.post(f"/f/{link}", "level=1", token="", headers=form).status == 409
    assert admin.get(f"/api/v1/callbacks/{task_id}").json["follow_up"]["level"] == 4
    assert admin.get("/f/forged.code", token="").status == 404


def datetime_day() -> str:
    from datetime import UTC, datetime

    from chalicelib.domain.business_time import SHANGHAI

    return datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d")
