"""Table.transact: position-paired reasons, retried conflicts, StorageBusy when they outlast the tries."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.adapters.dynamodb.table import Table
from chalicelib.adapters.dynamodb.transactions import ConditionFailed, RetryPolicy
from chalicelib.domain.errors import Conflict, StorageBusy
from tests.unit.scripted_dynamodb import ScriptedClient, cancelled, refused

ITEMS = [{"Put": {"TableName": "t", "Item": {"pk": {"S": f"ITEM#{i}"}}}} for i in range(3)]


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def table(client: ScriptedClient, attempts: int = 4, jitter: float = 1.0) -> tuple[Table, Sleeps]:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=attempts, base_seconds=0.1, cap_seconds=0.3, sleep=sleeps, jitter=lambda: jitter)
    return Table(client, "t", retry=policy), sleeps


def test_a_conflict_is_retried_after_a_jittered_pause_then_the_transaction_succeeds():
    client = ScriptedClient(cancelled("None", "TransactionConflict", "None"), {})
    t, sleeps = table(client, jitter=0.5)
    t.transact(ITEMS)
    assert client.sent("transact_write_items") == [{"TransactItems": ITEMS}] * 2
    assert sleeps == [0.05]  # half (the jitter) of the first backoff bound


@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"])
def test_transient_reasons_outlasting_the_tries_end_in_storage_busy(reason):
    client = ScriptedClient(*[cancelled("None", "None", reason)] * 4)
    t, sleeps = table(client, attempts=4)
    with pytest.raises(StorageBusy) as busy:
        t.transact(ITEMS)
    assert len(client.sent("transact_write_items")) == 4
    assert sleeps == [0.1, 0.2, 0.3]  # exponential, capped, and no pause after the last try
    assert busy.value.retry_after > 0
    assert isinstance(busy.value.__cause__, ClientError)  # the last cancellation, for the logs


def test_a_failed_condition_raises_the_error_paired_with_that_item():
    taken_id, taken_number = Conflict("Suggestion id taken."), Conflict("Tracking number taken.")
    client = ScriptedClient(cancelled("None", "ConditionalCheckFailed", "None"))
    t, sleeps = table(client)
    with pytest.raises(Conflict) as refused_:
        t.transact(ITEMS, refusals={0: taken_id, 1: taken_number})
    assert refused_.value is taken_number
    assert len(client.sent("transact_write_items")) == 1 and sleeps == []  # a failed condition is an answer


def test_a_failed_condition_wins_over_a_conflict_on_another_item():
    client = ScriptedClient(cancelled("TransactionConflict", "None", "ConditionalCheckFailed"))
    t, _ = table(client)
    with pytest.raises(ConditionFailed) as failed:
        t.transact(ITEMS)
    assert failed.value.positions == (2,)
    assert len(client.sent("transact_write_items")) == 1


def test_failed_conditions_without_a_refusal_are_named_by_position_for_the_caller():
    client = ScriptedClient(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"))
    t, _ = table(client)
    with pytest.raises(ConditionFailed) as failed:
        t.transact(ITEMS, refusals={1: Conflict("unused")})
    assert failed.value.positions == (0, 2)


def test_a_malformed_transaction_is_raised_as_it_came_and_never_retried():
    error = cancelled("None", "ValidationError", "TransactionConflict")
    client = ScriptedClient(error)
    t, _ = table(client)
    with pytest.raises(ClientError) as raised:
        t.transact(ITEMS)
    assert raised.value is error and len(client.sent("transact_write_items")) == 1


def test_a_request_level_fault_is_storage_busy_at_once():
    """botocore has retried these already; the helper does not add its own tries."""
    for fault in (
        refused("ThrottlingException"),
        refused("TransactionInProgressException"),
        EndpointConnectionError(endpoint_url="https://dynamodb.cn-north-1.amazonaws.com.cn"),
    ):
        client = ScriptedClient(fault)
        t, sleeps = table(client)
        with pytest.raises(StorageBusy):
            t.transact(ITEMS)
        assert len(client.sent("transact_write_items")) == 1 and sleeps == []


def test_the_default_policy_waits_at_most_about_a_second_and_a_half():
    sleeps = Sleeps()
    policy = RetryPolicy(sleep=sleeps, jitter=lambda: 1.0)
    for retry in range(policy.attempts - 1):
        policy.pause(retry)
    assert sleeps[:3] == [0.02, 0.04, 0.08] and max(sleeps) == policy.cap_seconds
    assert sum(sleeps) == pytest.approx(1.62)
