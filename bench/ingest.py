"""Device rating ingest against DynamoDB Local: the single-rating latency against one raw
transaction, then ratings/s, round trips, write units and read units per rating.

Run: .venv/bin/python -m bench.ingest [--pairs 60] [--ratings 1200]

First, interleaved pairs (their order turning round, after a warm-up): one rating through the service
(``ingest_device_batch``, as ``POST /api/v1/device/ratings`` calls it) against one raw
TransactWriteItems of the same items (the rating, its press minutes, its tallies) built
beforehand for another device, so the pair differs only by what the service adds: its
reads and its work. Printed: each median, their ratio (goal ≤ 1.3), and the median of the
pairs' ratios; for a rating naming its clerk (the keyed reads: one BatchGetItem) and for
one naming none (attributed through the shift history: one Query more).

Then, for batches of 1, 10 and 100 ratings from one device, the median batch latency,
ratings per second, DynamoDB round trips per rating and write units per rating (worked out
from item sizes, see bench/capacity.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.alerts import ReadMeter
from bench.capacity import Meter
from bench.device_hall import device_hall
from chalicelib.adapters.dynamodb import presses
from chalicelib.adapters.dynamodb.ratings import _rating_item
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.ratings import DEFAULT_MIN_PRESS_INTERVAL, Business, Reason
from chalicelib.services import ratings, shifts
from chalicelib.services.ratings import DevicePress, Ports
from devstack import dynamodb_local, tables

GOAL = 1.3


def press(n: int, start: datetime, staff: bool = True) -> DevicePress:
    """The n-th press of a device, 10 s after the one before."""
    return DevicePress(
        id=str(uuid.uuid4()),
        level=1 + n % 5,
        staff_no=f"A{n % 4:04d}" if staff else None,
        rated_at=start + timedelta(seconds=10 * n),
        business=list(Business)[n % 8],
        reasons=(list(Reason)[n % 8],),
    )


def raw_items(table: Table, device: DevicePrincipal, item: DevicePress, staff_no: str) -> list[dict[str, Any]]:
    """The items the service writes for ``item`` (read beforehand, untimed), for another device."""
    rating = ratings.device_rating(device, item, staff_no, datetime.now(UTC))
    window = presses.read_window(table, device.device_id, [item.rated_at], DEFAULT_MIN_PRESS_INTERVAL)
    return presses.transaction_items(table.name, window, [rating], [], _rating_item)


WARM_UP = 40  # rounds first, unmeasured: DynamoDB Local's JVM compiles its hot paths meanwhile


def paired(table: Table, client: Any, ports: Ports, pairs: int) -> None:
    """Interleaved pairs, the service's single rating against the raw transaction of its items:
    each round one pair for a rating naming its clerk (counter 4) and one for a rating naming
    none (counter 5, a clerk on shift), in an order that turns round every round."""
    start = datetime.now(UTC) - timedelta(days=1)
    kinds = {True: "names its clerk", False: "names no clerk"}
    measured: dict[str, tuple[list[float], list[float]]] = {kind: ([], []) for kind in kinds.values()}
    for n in range(WARM_UP + pairs):
        runs: list[tuple[list[float] | None, Callable[[], None]]] = []
        for staff, kind in kinds.items():
            counter = 4 if staff else 5
            served = DevicePrincipal(device_id=f"served-{counter}", hall_code="A01", counter_number=counter)
            raw = DevicePrincipal(device_id=f"raw-{counter}", hall_code="A01", counter_number=counter)
            item, twin = press(n, start, staff), press(n, start, staff)
            items = raw_items(table, raw, twin, twin.staff_no or "A0000")

            def service(item: DevicePress = item, served: DevicePrincipal = served) -> None:
                assert ratings.ingest_device_batch(served, [item], ports)[0].status == "created"

            def transaction(items: list[dict[str, Any]] = items) -> None:
                client.transact_write_items(TransactItems=items)

            service_s, raw_s = measured[kind] if n >= WARM_UP else (None, None)
            runs += [(service_s, service), (raw_s, transaction)]
        turn = n % len(runs)
        for times, run in runs[turn:] + runs[:turn]:
            t = time.perf_counter()
            run()
            if times is not None:
                times.append(time.perf_counter() - t)
    for kind, (service_s, raw_s) in measured.items():
        ratios = [s / r for s, r in zip(service_s, raw_s, strict=True)]
        s, r = statistics.median(service_s), statistics.median(raw_s)
        print(
            f"  a rating that {kind:<16} service {s * 1000:6.2f} ms   raw transaction {r * 1000:6.2f} ms   "
            f"ratio {s / r:4.2f} (median of pairs {statistics.median(ratios):4.2f}; goal ≤ {GOAL})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=60, help="interleaved pairs (at least 30)")
    parser.add_argument("--ratings", type=int, default=1200, help="ratings per batch size")
    args = parser.parse_args()
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        ports = device_hall(table, counters=5, clerks=4)
        clock = ports.clock
        clerk_on_shift = DevicePrincipal(device_id="served-5", hall_code="A01", counter_number=5)
        shifts.sign_in(clerk_on_shift, ports.org, ports.shifts, clock, "A0000", clock.now() - timedelta(days=2))

        print(f"DynamoDB Local (in memory), one rating: {args.pairs} interleaved pairs after {WARM_UP} rounds, medians")
        paired(table, client, ports, args.pairs)

        meter, reads = Meter(), ReadMeter()  # write units from item sizes; read units as DynamoDB Local reports them
        meter.attach(client)
        reads.attach(client)
        print(f"\n{args.ratings} ratings per batch size, one device")
        print(
            f"{'batch':>5} {'median ms/batch':>16} {'ratings/s':>10} {'round trips/rating':>19} "
            f"{'WCU/rating':>11} {'RCU/rating':>11}"
        )
        for counter, size in zip((1, 2, 3), (1, 10, 100), strict=True):
            device = DevicePrincipal(device_id=f"dev-{size}", hall_code="A01", counter_number=counter)
            start = datetime.now(UTC) - timedelta(days=1)
            latencies, done = [], 0
            meter.reset()
            reads.reset()
            while done < args.ratings:
                batch = [press(done + i, start) for i in range(size)]
                t = time.perf_counter()
                results = ratings.ingest_device_batch(device, list(batch), ports)
                latencies.append(time.perf_counter() - t)
                assert {r.status for r in results} == {"created"}
                done += size
            median = statistics.median(latencies)
            print(
                f"{size:>5} {median * 1000:>16.1f} {size / median:>10.0f} {meter.round_trips / done:>19.2f} "
                f"{meter.write_units / done:>11.2f} {reads.units / done:>11.2f}"
            )
        print("\nround trips by operation in the last run:", dict(meter.calls))
    finally:
        local.stop()


if __name__ == "__main__":
    main()
