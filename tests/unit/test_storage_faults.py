"""Every call through Table's client: storage that cannot answer now is StorageBusy, anything else passes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from chalicelib import composition
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.errors import Conflict, NotFound, StorageBusy
from chalicelib.domain.stats import StatKind
from tests.unit.scripted_dynamodb import ScriptedClient, refused

ENDPOINT = "https://dynamodb.cn-north-1.amazonaws.com.cn"
FAULTS = [
    refused("ThrottlingException"),
    refused("ProvisionedThroughputExceededException"),
    refused("RequestLimitExceeded"),
    refused("TransactionInProgressException"),
    refused("InternalServerError", 500),
    refused("ServiceUnavailable", 503),
    refused("SomethingNew", 502),  # any 5xx is DynamoDB's fault, whatever its code
    EndpointConnectionError(endpoint_url=ENDPOINT),
    ConnectionClosedError(endpoint_url=ENDPOINT),
    ConnectTimeoutError(endpoint_url=ENDPOINT),
    ReadTimeoutError(endpoint_url=ENDPOINT),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: type(f).__name__ + getattr(f, "operation_name", ""))
def test_a_storage_fault_on_any_call_is_storage_busy_with_its_cause_kept(fault):
    table = Table(ScriptedClient(fault), "t")
    with pytest.raises(StorageBusy) as busy:
        table.get("HALL#A01", "HALL")
    assert busy.value.__cause__ is fault


def test_a_fault_while_paging_is_storage_busy_too():
    repo = DynamoRatingRepository(Table(ScriptedClient(refused("ThrottlingException")), "t"))
    with pytest.raises(StorageBusy):
        repo.tallies_of_kind("A01", "2026-11", StatKind.staff)


@pytest.mark.parametrize("code", ["ValidationException", "ResourceNotFoundException", "AccessDeniedException"])
def test_errors_that_are_not_storage_faults_pass_unchanged(code):
    error = refused(code)
    with pytest.raises(ClientError) as raised:
        Table(ScriptedClient(error), "t").get("HALL#A01", "HALL")
    assert raised.value is error


def test_a_failed_condition_still_reaches_the_adapter_that_knows_its_meaning():
    taken = Table(ScriptedClient(refused("ConditionalCheckFailedException")), "t")
    with pytest.raises(Conflict, match="Hall A01 exists already"):
        taken.put_new({"pk": "HALL#A01", "sk": "HALL"}, "Hall A01")
    org = DynamoOrganisationRepository(Table(ScriptedClient(refused("ConditionalCheckFailedException")), "t"))
    with pytest.raises(NotFound):
        org.revoke_device("d1", datetime.now(UTC))


def test_the_shared_client_retries_briefly_and_never_waits_long():
    composition.reset()
    config = composition.dynamodb_client().meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert config.connect_timeout <= 2 and config.read_timeout <= 5
    composition.reset()
