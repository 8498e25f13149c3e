"""The local event and schedule pump.

In AWS the table's stream and EventBridge schedules invoke the app's event
handlers; Chalice's local server serves HTTP only. The pump reads DynamoDB
Local's stream and invokes the same handler functions with events shaped as
Lambda's (including ``eventSourceARN`` and a numeric
``ApproximateCreationDateTime``, which the stream API omits or changes), and
fires each ``@app.schedule`` on its cron. Each stream handler reads the stream
at its own pace and gets only the records its event source's ``FilterCriteria``
in infra/resources.json passes, as in AWS. Like Lambda with
``ReportBatchItemFailures``, it retries the records a batch reports failed,
and after ``MAX_ATTEMPTS`` parks them in a dead-letter file and logs an error.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig

from devstack.event_filters import admitted, patterns_of
from devstack.schedules import next_fire

MAX_ATTEMPTS = 3
POLL_SECONDS = 0.5
FIRST_STREAM_HANDLER = "table_changes"


class LambdaContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{name}"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record from the stream API as Lambda hands it to a function."""
    shaped = dict(record)
    dynamodb = dict(shaped["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    shaped["dynamodb"] = dynamodb
    shaped["eventSourceARN"] = stream_arn
    shaped.setdefault("eventSource", "aws:dynamodb")
    shaped.setdefault("eventVersion", "1.1")
    return shaped


def scheduled_event(name: str, at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "local",
        "resources": [f"arn:aws:events:local:000000000000:rule/{name}"],
        "detail": {},
    }


def handler_of(config: Any) -> Any:
    """The decorated function behind an event source (``app.table_changes`` ...)."""
    module, _, name = config.handler_string.rpartition(".")
    return getattr(sys.modules[module], name)


class Pump:
    """Reads the stream at ``endpoint`` (DynamoDB Local itself; default: the environment's endpoint).

    The clients are made in ``start``, on the caller's thread: creating boto3
    clients from several threads at once is not safe.
    """

    def __init__(self, app: Any, table_name: str, data_dir: Path, endpoint: str | None = None) -> None:
        self.app = app
        self.endpoint = endpoint
        self.table_name = table_name
        self.data_dir = data_dir
        self.checkpoint_file = data_dir / "stream-checkpoint.json"
        self.dead_letters = data_dir / "dead-letters.jsonl"
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.checkpoint_lock = threading.Lock()

    def start(self) -> None:
        for config in self.app.event_sources:
            if isinstance(config, DynamoDBEventConfig):
                ddb = boto3.client("dynamodb", endpoint_url=self.endpoint)
                streams = boto3.client("dynamodbstreams", endpoint_url=self.endpoint)
                self._spawn(self._pump_stream, handler_of(config), ddb, streams, config.name)
            elif isinstance(config, ScheduledEventConfig):
                self._spawn(self._fire_schedule, config)

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=5)

    # -- schedules ---------------------------------------------------------
    def _fire_schedule(self, config: Any) -> None:
        handler = handler_of(config)
        started = datetime.now(UTC)
        due = next_fire(config.schedule_expression, started, started)
        while not self.stop_event.wait(max(0.0, (due - datetime.now(UTC)).total_seconds())):
            try:
                handler(scheduled_event(config.name, due), LambdaContext(config.name))
            except Exception as e:  # a failing job is logged and runs again next time, as in AWS
                print(f"pump: schedule {config.name} failed: {e!r}", file=sys.stderr, flush=True)
            due = next_fire(config.schedule_expression, datetime.now(UTC), started)

    # -- the stream --------------------------------------------------------
    @staticmethod
    def _mark(name: str, shard_id: str) -> str:
        """Each handler reads the stream at its own pace, as each event source mapping does in AWS.
        The first handler's marks keep their old name (the shard id), so a data directory from
        before resumes where it was."""
        return shard_id if name == FIRST_STREAM_HANDLER else f"{name}:{shard_id}"

    def _checkpoints(self) -> dict[str, str]:
        if self.checkpoint_file.exists():
            return dict(json.loads(self.checkpoint_file.read_text(encoding="utf-8")))
        return {}

    def _save_checkpoint(self, mark: str, sequence: str) -> None:
        with self.checkpoint_lock:  # two handlers' threads share the file
            marks = self._checkpoints()
            marks[mark] = sequence
            self.checkpoint_file.write_text(json.dumps(marks), encoding="utf-8")

    def _pump_stream(self, handler: Any, ddb: Any, streams: Any, name: str) -> None:
        stream_arn = ddb.describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]
        filters = patterns_of(name)
        iterators: dict[str, str | None] = {}
        while not self.stop_event.is_set():
            try:
                busy = self._pump_once(handler, name, filters, streams, stream_arn, iterators)
            except Exception as e:  # DynamoDB Local restarting, a trimmed shard...: start over
                print(f"pump: stream read failed, retrying: {e!r}", file=sys.stderr, flush=True)
                iterators.clear()
                busy = False
            if not busy:
                self.stop_event.wait(POLL_SECONDS)

    def _pump_once(
        self,
        handler: Any,
        name: str,
        filters: list[dict[str, Any]] | None,
        streams: Any,
        stream_arn: str,
        iterators: dict[str, str | None],
    ) -> bool:
        shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        marks = self._checkpoints()
        busy = False
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in iterators:
                iterators[shard_id] = self._iterator(
                    streams, stream_arn, shard_id, marks.get(self._mark(name, shard_id))
                )
            iterator = iterators[shard_id]
            if iterator is None:
                continue  # a closed shard, read to its end
            answer = streams.get_records(ShardIterator=iterator, Limit=100)
            iterators[shard_id] = answer.get("NextShardIterator")
            records = answer.get("Records", [])
            if records:
                busy = True
                passed = [r for r in records if admitted(filters, r)]  # as the template's FilterCriteria
                if passed:
                    self._deliver(handler, name, [lambda_record(r, stream_arn) for r in passed])
                self._save_checkpoint(self._mark(name, shard_id), records[-1]["dynamodb"]["SequenceNumber"])
        return busy

    @staticmethod
    def _iterator(streams: Any, stream_arn: str, shard_id: str, after: str | None) -> str | None:
        """Where to read a shard: after the checkpoint, or from its oldest record.

        Streams keep records 24 hours: a checkpoint older than that (a stack
        restarted days later) is trimmed away, and reading starts over from the
        oldest record kept — handlers are idempotent, so a repeat is harmless.
        """
        args: dict[str, Any] = {"StreamArn": stream_arn, "ShardId": shard_id}
        if after is not None:
            try:
                answer = streams.get_shard_iterator(
                    **args, ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after
                )
                return answer.get("ShardIterator")
            except ClientError as e:
                print(
                    f"pump: checkpoint of {shard_id} unusable ({e.response['Error'].get('Code')}); "
                    "reading from the oldest record kept",
                    file=sys.stderr,
                    flush=True,
                )
        return streams.get_shard_iterator(**args, ShardIteratorType="TRIM_HORIZON").get("ShardIterator")

    def _deliver(self, handler: Any, name: str, records: list[dict[str, Any]]) -> None:
        """Invoke the handler; retry the records it reports failed, then dead-letter them."""
        pending = records
        for _attempt in range(MAX_ATTEMPTS):
            try:
                response = handler({"Records": pending}, LambdaContext(name)) or {}
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            except Exception:  # Powertools raises when every record failed: all are retried
                failed = {r["dynamodb"]["SequenceNumber"] for r in pending}
            pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
            if not pending:
                return
        with self.dead_letters.open("a", encoding="utf-8") as out:
            for record in pending:
                out.write(json.dumps(record, default=str) + "\n")
        print(
            f"pump: ERROR {len(pending)} stream record(s) failed {MAX_ATTEMPTS} times; kept in {self.dead_letters}",
            file=sys.stderr,
            flush=True,
        )
