"""What the stream's event filters save, per 1,000 device ratings, against DynamoDB Local.

Run: .venv/bin/python -m bench.stream_filter [--ratings 1000] [--batch 10]

Ingests ``--ratings`` device ratings as the app does (batches of ``--batch``,
the tallies and press records written with them), reads back every record the
table's stream holds, and passes each through the FilterCriteria that
infra/resources.json gives the two stream functions (devstack.event_filters,
the same rules Lambda applies). It prints the records by item kind, how many
each function is handed with and without its filter, and the invocations that
saves: at most one per record when traffic is light (each write its own
invocation), at least one per 100 records under load (full batches).
"""

from __future__ import annotations

import argparse
import math
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bench.device_hall import device_hall
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.ratings import Business
from chalicelib.services import ratings
from chalicelib.services.ratings import DevicePress
from devstack import dynamodb_local, tables
from devstack.event_filters import admitted, patterns_of

FUNCTIONS = ("table_changes", "export_jobs")
BATCH = 100  # the event sources' batch size


def every_record(local: Any, table: str) -> list[dict[str, Any]]:
    client = boto3.client("dynamodbstreams", endpoint_url=local.endpoint, **dynamodb_local.LOCAL_CREDENTIALS)
    ddb = local.client()
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    found = []
    for shard in client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = client.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        ).get("ShardIterator")
        while iterator:
            answer = client.get_records(ShardIterator=iterator, Limit=1000)
            found += answer.get("Records", [])
            if not answer.get("Records"):
                break
            iterator = answer.get("NextShardIterator")
    return found


def kind_of(record: dict[str, Any]) -> str:
    """The item's kind, from its partition key: RATING, STATS (tallies), DEVICE (press records) ..."""
    pk = str(record["dynamodb"].get("Keys", {}).get("pk", {}).get("S", "?"))
    return f"{record['eventName']} {pk.split('#')[0]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        ports = device_hall(table, counters=1, clerks=4)
        before = len(every_record(local, "bench"))
        device = DevicePrincipal(device_id="dev-1", hall_code="A01", counter_number=1)
        start = datetime.now(UTC) - timedelta(days=1)
        for done in range(0, args.ratings, args.batch):
            batch = [
                DevicePress(
                    id=str(uuid.uuid4()),
                    level=(5, 5, 4, 5, 3, 5, 4, 2, 5, 1)[(done + i) % 10],
                    staff_no=f"A{(done + i) % 4:04d}",
                    rated_at=start + timedelta(seconds=10 * (done + i)),
                    business=list(Business)[(done + i) % 8],
                )
                for i in range(min(args.batch, args.ratings - done))
            ]
            ratings.ingest_device_batch(device, batch, ports)
        records = every_record(local, "bench")[before:]
        scale = 1000 / args.ratings
        kinds = Counter(kind_of(r) for r in records)
        print(f"DynamoDB Local; {args.ratings} device ratings in batches of {args.batch}; per 1,000 ratings\n")
        print("stream records by item kind:", {k: round(n * scale) for k, n in kinds.most_common()})
        print(f"\n{'function':<15}{'records':>9}{'passed':>8}{'invocations avoided':>22}{'(full batches)':>16}")
        for name in FUNCTIONS:
            passed = sum(admitted(patterns_of(name), r) for r in records)
            light = (len(records) - passed) * scale
            full = (math.ceil(len(records) / BATCH) - math.ceil(passed / BATCH)) * scale
            print(f"{name:<15}{len(records) * scale:>9.0f}{passed * scale:>8.0f}{light:>22.0f}{full:>16.0f}")
    finally:
        local.stop()


if __name__ == "__main__":
    main()
