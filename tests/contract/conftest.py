"""Contract tier: one suite, run against the in-memory fakes and against the
DynamoDB repositories on a DynamoDB Local that the session starts.

Each feature adds one line to MEMORY and one to DYNAMODB, under the same name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.adapters.dynamodb.alerts import DynamoAlertRepository
from chalicelib.adapters.dynamodb.appeals import DynamoAppealRepository
from chalicelib.adapters.dynamodb.audit import DynamoAuditLog
from chalicelib.adapters.dynamodb.callbacks import DynamoCallbackRepository
from chalicelib.adapters.dynamodb.departments import DynamoDepartmentRepository
from chalicelib.adapters.dynamodb.device_batches import DynamoDeviceBatchReader
from chalicelib.adapters.dynamodb.exports import DynamoExportJobs
from chalicelib.adapters.dynamodb.inbox import DynamoInboxRepository
from chalicelib.adapters.dynamodb.inspections import DynamoChecklistRepository, DynamoInspectionRepository
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.outbox import DynamoOutbox
from chalicelib.adapters.dynamodb.outreach import DynamoOutreachRepository
from chalicelib.adapters.dynamodb.publications import DynamoMonthPublications
from chalicelib.adapters.dynamodb.rate_limits import DynamoRateLimiter
from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.shifts import DynamoShiftRepository
from chalicelib.adapters.dynamodb.stars import DynamoStarPublications, DynamoStarRuleRepository
from chalicelib.adapters.dynamodb.suggestions import DynamoSuggestionRepository
from chalicelib.adapters.dynamodb.surveys import DynamoSurveyRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.adapters.dynamodb.tickets import DynamoTicketRepository
from chalicelib.adapters.dynamodb.unrated import DynamoUnratedRepository
from chalicelib.adapters.dynamodb.users import DynamoUserRepository
from devstack import tables
from tests.fakes.alerts import InMemoryAlertRepository
from tests.fakes.appeals import InMemoryAppealRepository
from tests.fakes.audit import InMemoryAuditLog
from tests.fakes.callbacks import InMemoryCallbackRepository, InMemoryOutbox
from tests.fakes.departments import InMemoryDepartmentRepository
from tests.fakes.device_batches import InMemoryDeviceBatchReader
from tests.fakes.exports import InMemoryExportJobs
from tests.fakes.inbox import InMemoryInboxRepository
from tests.fakes.inspections import (
    InMemoryChecklistRepository,
    InMemoryInspectionRepository,
    InMemoryStarPublications,
    InMemoryStarRuleRepository,
)
from tests.fakes.organisation import InMemoryOrganisationRepository, InMemoryUserRepository
from tests.fakes.outreach import InMemoryOutreachRepository
from tests.fakes.publications import InMemoryMonthPublications
from tests.fakes.ratings import InMemoryRateLimiter, InMemoryRatingRepository, InMemoryShiftRepository
from tests.fakes.suggestions import InMemorySuggestionRepository
from tests.fakes.surveys import InMemorySurveyRepository
from tests.fakes.tickets import InMemoryTicketRepository
from tests.fakes.unrated import InMemoryUnratedRepository

MEMORY: dict[str, Callable[[], Any]] = {
    "organisation": InMemoryOrganisationRepository,
    "users": InMemoryUserRepository,
    "outreach": InMemoryOutreachRepository,
    "ratings": InMemoryRatingRepository,
    "shifts": InMemoryShiftRepository,
    "limiter": InMemoryRateLimiter,
    "suggestions": InMemorySuggestionRepository,
    "callbacks": InMemoryCallbackRepository,
    "outbox": InMemoryOutbox,
    "appeals": InMemoryAppealRepository,
    "publications": InMemoryMonthPublications,
    "audit": InMemoryAuditLog,
    "departments": InMemoryDepartmentRepository,
    "tickets": InMemoryTicketRepository,
    "checklists": InMemoryChecklistRepository,
    "inspections": InMemoryInspectionRepository,
    "star_rules": InMemoryStarRuleRepository,
    "star_publications": InMemoryStarPublications,
    "inbox": InMemoryInboxRepository,
    "surveys": InMemorySurveyRepository,
    "exports": InMemoryExportJobs,
}

DYNAMODB: dict[str, Callable[[Table], Any]] = {
    "organisation": DynamoOrganisationRepository,
    "users": DynamoUserRepository,
    "outreach": DynamoOutreachRepository,
    "ratings": DynamoRatingRepository,
    "shifts": DynamoShiftRepository,
    "limiter": DynamoRateLimiter,
    "suggestions": DynamoSuggestionRepository,
    "callbacks": DynamoCallbackRepository,
    "outbox": DynamoOutbox,
    "appeals": DynamoAppealRepository,
    "publications": DynamoMonthPublications,
    "audit": DynamoAuditLog,
    "departments": DynamoDepartmentRepository,
    "tickets": DynamoTicketRepository,
    "checklists": DynamoChecklistRepository,
    "inspections": DynamoInspectionRepository,
    "star_rules": DynamoStarRuleRepository,
    "star_publications": DynamoStarPublications,
    "unrated": DynamoUnratedRepository,
    "alerts": DynamoAlertRepository,
    "inbox": DynamoInboxRepository,
    "surveys": DynamoSurveyRepository,
    "exports": DynamoExportJobs,
    "device_batches": DynamoDeviceBatchReader,
}


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    if request.param == "memory":
        fakes = SimpleNamespace(**{name: make() for name, make in MEMORY.items()})
        # In DynamoDB these share one table: tasks add to the ratings' tallies and write the outbox.
        fakes.callbacks.tallies = fakes.ratings.tallies
        fakes.suggestions.tallies = fakes.ratings.tallies
        fakes.appeals.ratings = fakes.ratings
        fakes.callbacks.outbox = fakes.outbox
        fakes.callbacks.ratings = fakes.ratings  # purge_phone removes the phone from the task's source too
        fakes.callbacks.suggestions = fakes.suggestions
        fakes.tickets = InMemoryTicketRepository(fakes.callbacks, fakes.suggestions, fakes.outbox)
        fakes.tickets.tallies = fakes.ratings.tallies
        fakes.callbacks.tickets = fakes.tickets.tickets
        fakes.inspections.tallies = fakes.ratings.tallies  # inspections feed the same tallies
        fakes.unrated = InMemoryUnratedRepository(fakes.ratings)  # the same tallies, as in one table
        fakes.alerts = InMemoryAlertRepository(fakes.ratings, fakes.outbox)
        fakes.device_batches = InMemoryDeviceBatchReader(fakes.organisation, fakes.ratings)  # one table in DynamoDB
        yield fakes
        return
    local = request.getfixturevalue("dynamodb_local")
    client = local.client()
    name = f"contract-{uuid.uuid4().hex[:12]}"  # a table per test: no test sees another's items
    tables.ensure_table(client, name)
    table = Table(client, name)
    yield SimpleNamespace(**{name: make(table) for name, make in DYNAMODB.items()})
    client.delete_table(TableName=name)
