"""Device rating ingest against DynamoDB Local: ratings/s, round trips and write units per rating.

Run: .venv/bin/python -m bench.ingest [--ratings 1200]
Prints, for batches of 1, 10 and 100 ratings from one device, the median
batch latency, ratings per second, DynamoDB round trips per rating and write
units per rating (worked out from item sizes, see bench/capacity.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.capacity import Meter
from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.shifts import DynamoShiftRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.accounts import DevicePrincipal, Role, UserPrincipal
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.ratings import Business, Reason
from chalicelib.services import organisation, ratings
from chalicelib.services.ratings import DevicePress, Ports
from devstack import dynamodb_local, tables

ADMIN = UserPrincipal(username="bench", role=Role.admin)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=1200, help="ratings per batch size")
    args = parser.parse_args()
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        clock = SystemClock()
        ports = Ports(
            DynamoOrganisationRepository(table), DynamoRatingRepository(table), DynamoShiftRepository(table), clock
        )
        organisation.create_hall(ADMIN, ports.org, clock, code="A01", name="基准厅", branch="基准", grade=HallGrade.A)
        for n in (1, 2, 3):
            organisation.add_counter(ADMIN, ports.org, clock, hall_code="A01", number=n)
        for s in range(4):
            organisation.add_staff(ADMIN, ports.org, clock, staff_no=f"A{s:04d}", name="员工", hall_code="A01")
        meter = Meter()
        meter.attach(client)
        print(f"DynamoDB Local (in memory), {args.ratings} ratings per batch size, one device\n")
        print(f"{'batch':>5} {'median ms/batch':>16} {'ratings/s':>10} {'round trips/rating':>19} {'WCU/rating':>11}")
        for counter, size in zip((1, 2, 3), (1, 10, 100), strict=True):
            device = DevicePrincipal(device_id=f"dev-{size}", hall_code="A01", counter_number=counter)
            start = datetime.now(UTC) - timedelta(days=1)
            latencies, done = [], 0
            meter.reset()
            while done < args.ratings:
                batch = [
                    DevicePress(
                        id=str(uuid.uuid4()),
                        level=1 + (done + i) % 5,
                        staff_no=f"A{(done + i) % 4:04d}",
                        rated_at=start + timedelta(seconds=10 * (done + i)),
                        business=list(Business)[(done + i) % 8],
                        reasons=(list(Reason)[(done + i) % 8],),
                    )
                    for i in range(size)
                ]
                t = time.perf_counter()
                results = ratings.ingest_device_batch(device, list(batch), ports)
                latencies.append(time.perf_counter() - t)
                assert {r.status for r in results} == {"created"}
                done += size
            median = statistics.median(latencies)
            print(
                f"{size:>5} {median * 1000:>16.1f} {size / median:>10.0f} {meter.round_trips / done:>19.2f} "
                f"{meter.write_units / done:>11.2f}"
            )
        print("\nround trips by operation in the last run:", dict(meter.calls))
    finally:
        local.stop()


if __name__ == "__main__":
    main()
