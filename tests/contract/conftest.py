"""Contract tier: one suite, run against the in-memory fakes and against the
DynamoDB repositories on a DynamoDB Local that the session starts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.outreach import DynamoOutreachRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.adapters.dynamodb.users import DynamoUserRepository
from devstack import tables
from tests.fakes.organisation import InMemoryOrganisationRepository, InMemoryUserRepository
from tests.fakes.outreach import InMemoryOutreachRepository


@dataclass
class Repositories:
    organisation: Any
    users: Any
    outreach: Any


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Iterator[Repositories]:
    if request.param == "memory":
        yield Repositories(InMemoryOrganisationRepository(), InMemoryUserRepository(), InMemoryOutreachRepository())
        return
    local = request.getfixturevalue("dynamodb_local")
    client = local.client()
    name = f"contract-{uuid.uuid4().hex[:12]}"  # a table per test: no test sees another's items
    tables.ensure_table(client, name)
    table = Table(client, name)
    yield Repositories(
        DynamoOrganisationRepository(table), DynamoUserRepository(table), DynamoOutreachRepository(table)
    )
    client.delete_table(TableName=name)
