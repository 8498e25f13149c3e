"""Ratings against DynamoDB Local: concurrent duplicates and retried batches."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.domain.stats import merge
from devstack import tables
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.fixture
def table(dynamodb_local):
    client = dynamodb_local.client()
    name = f"it-{uuid.uuid4().hex[:12]}"
    tables.ensure_table(client, name)
    yield Table(client, name)
    client.delete_table(TableName=name)


def rating(n: int, counter: int = 1) -> Rating:
    return Rating(
        id=str(uuid.UUID(int=n)),
        channel=Channel.device,
        hall_code="A01",
        counter_number=counter,
        staff_no="A0123",
        level=1 + n % 5,
        rated_at=T0 + timedelta(seconds=5 * n),
        received_at=T0,
    )


def test_two_threads_posting_the_same_id_at_once_create_it_exactly_once(table):
    for round_ in range(5):
        same = rating(1000 + round_)
        gate = threading.Barrier(2)

        def post(_: int, same: Rating = same, gate: threading.Barrier = gate) -> str:
            repo = DynamoRatingRepository(table)
            gate.wait()
            return repo.save_batch([same])[same.id]

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(post, range(2)))
        assert statuses == ["created", "duplicate"]
    stored = [rating(1000 + r) for r in range(5)]
    assert every_tally(DynamoRatingRepository(table), "A01", "2026-11") == merge(stored)


def test_devices_of_one_hall_writing_at_once_lose_and_double_count_nothing(table):
    batches = {counter: [rating(counter * 1000 + i, counter) for i in range(60)] for counter in (1, 2, 3)}

    def post(counter: int) -> set[str]:
        repo = DynamoRatingRepository(table)
        first = set(repo.save_batch(batches[counter]).values())
        retried = set(repo.save_batch(batches[counter]).values())  # a device retrying the whole batch
        return first | {f"retry-{s}" for s in retried}

    with ThreadPoolExecutor(3) as pool:
        outcomes = list(pool.map(post, batches))
    assert outcomes == [{"created", "retry-duplicate"}] * 3
    everything = [r for batch in batches.values() for r in batch]
    assert every_tally(DynamoRatingRepository(table), "A01", "2026-11") == merge(everything)
