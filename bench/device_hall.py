"""The device path wired to DynamoDB Local, and one hall to rate in: what the device benches share."""

from __future__ import annotations

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb.device_batches import DynamoDeviceBatchReader
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.shifts import DynamoShiftRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import organisation
from chalicelib.services.ratings import Ports

ADMIN = UserPrincipal(username="bench", role=Role.admin)


def device_hall(table: Table, counters: int, clerks: int = 0) -> Ports:
    """The ratings' ports on ``table``, with hall A01 holding counters 1…``counters`` and clerks
    A0000, A0001 … (``clerks`` of them)."""
    clock = SystemClock()
    ports = Ports(
        DynamoOrganisationRepository(table),
        DynamoRatingRepository(table),
        DynamoShiftRepository(table),
        clock,
        DynamoDeviceBatchReader(table),
    )
    organisation.create_hall(ADMIN, ports.org, clock, code="A01", name="基准厅", branch="基准", grade=HallGrade.A)
    for n in range(1, counters + 1):
        organisation.add_counter(ADMIN, ports.org, clock, hall_code="A01", number=n)
    for s in range(clerks):
        organisation.add_staff(ADMIN, ports.org, clock, staff_no=f"A{s:04d}", name="员工", hall_code="A01")
    return ports
