"""The local pump's stream reading, against a fake stream API (no network)."""

from datetime import UTC, datetime

from botocore.exceptions import ClientError

from devstack.pump import Pump, lambda_record


class TrimmedStream:
    """A stream API whose checkpointed record was trimmed (kept 24 h only)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def get_shard_iterator(self, **args: str) -> dict[str, str]:
        self.asked.append(args["ShardIteratorType"])
        if args["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER":
            raise ClientError({"Error": {"Code": "TrimmedDataAccessException"}}, "GetShardIterator")
        return {"ShardIterator": "from-the-oldest"}


def test_a_trimmed_checkpoint_falls_back_to_the_oldest_record_kept():
    stream = TrimmedStream()
    assert Pump._iterator(stream, "arn", "shard-1", "000123") == "from-the-oldest"
    assert stream.asked == ["AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON"]


def test_without_a_checkpoint_reading_starts_at_the_oldest_record():
    stream = TrimmedStream()
    assert Pump._iterator(stream, "arn", "shard-1", None) == "from-the-oldest"
    assert stream.asked == ["TRIM_HORIZON"]


def test_records_are_shaped_as_lambda_hands_them_over():
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "dynamodb": {"ApproximateCreationDateTime": datetime(2026, 11, 24, tzinfo=UTC), "SequenceNumber": "7"},
    }
    shaped = lambda_record(record, "arn:stream")
    assert shaped["eventSourceARN"] == "arn:stream"
    assert shaped["eventSource"] == "aws:dynamodb"
    assert shaped["dynamodb"]["ApproximateCreationDateTime"] == datetime(2026, 11, 24, tzinfo=UTC).timestamp()
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], datetime)  # the input is not changed
