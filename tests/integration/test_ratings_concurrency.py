"""Ratings against DynamoDB Local: concurrent duplicates and retried batches."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.presses import Press, judge
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.domain.stats import merge
from chalicelib.services.presses import store_presses
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


def test_two_batches_of_one_device_judging_the_same_presses_at_once_count_as_one_stream(table):
    """Interleaved presses 1.5 s apart, half in each of two batches posted at the same moment:
    whichever writes second reads the other's presses first, so the flags are those of the whole set.
    Even rounds start in a minute with nothing stored yet, odd ones in a minute that holds a press."""
    for round_ in range(6):
        start = T0 + timedelta(hours=round_, seconds=30)
        if round_ % 2:
            seed = rating(2099 + 100 * round_).model_copy(update={"rated_at": start - timedelta(seconds=20)})
            repo = DynamoRatingRepository(table)
            store_presses([seed], repo, repo.presses_near(f"dev-{round_}", [seed.rated_at], timedelta(seconds=3)))
        presses = [
            rating(2000 + 100 * round_ + n).model_copy(update={"rated_at": start + timedelta(seconds=1.5 * n)})
            for n in range(12)
        ]
        gate = threading.Barrier(2)

        def post(
            half: int, presses: list[Rating] = presses, gate: threading.Barrier = gate, device: str = f"dev-{round_}"
        ) -> dict[str, str]:
            repo = DynamoRatingRepository(table)
            gate.wait()
            mine = presses[half::2]
            return store_presses(
                mine, repo, repo.presses_near(device, [p.rated_at for p in mine], timedelta(seconds=3))
            )

        with ThreadPoolExecutor(2) as pool:
            statuses = [s for answer in pool.map(post, range(2)) for s in answer.values()]
        assert statuses == ["created"] * 12
        stored = [DynamoRatingRepository(table).get_rating(p.id) for p in presses]
        expected = judge([], [Press(p.rated_at, p.id) for p in presses], timedelta(seconds=3)).misuse
        assert {r.id: r.misuse for r in stored if r} == expected
