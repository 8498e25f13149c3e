"""Reads per ingested batch with alert evaluation on and off, against DynamoDB Local.

Run: .venv/bin/python -m bench.alerts [--batches 30]
"Off" ingests device batches only. "On" also evaluates the hall's negative-spike
window after each batch, as the stream handler does once per batch and hall
(the rules item, one Query of the window tallies, one keyed Query of the open
alerts; a hall read only when an alert is raised), with runs of 差评 batches
so that alerts are raised and resolved along the way. Then one run of the
five-minute schedule (silent devices, open spikes) over the same table. Read
units are DynamoDB Local's ConsumedCapacity (eventually consistent Query 0.5 per
4 KB; consistent GetItem 1).
"""

from __future__ import annotations

import argparse
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.device_hall import device_hall
from chalicelib.adapters.dynamodb.alerts import DynamoAlertRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.accounts import DevicePrincipal
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import alerts, ratings
from chalicelib.services.alerts import AlertPorts
from chalicelib.services.ratings import DevicePress
from devstack import dynamodb_local, tables

READS = frozenset({"GetItem", "Query", "BatchGetItem", "Scan"})


class ReadMeter:
    """Counts read requests by operation and the read units DynamoDB Local reports for them."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.units = 0.0

    def attach(self, client: Any) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", self._ask)
        client.meta.events.register("after-call.dynamodb.*", self._count)

    def _ask(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in READS:
            params["ReturnConsumedCapacity"] = "TOTAL"

    def _count(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name not in READS:
            return
        self.calls[model.name] += 1
        consumed = parsed.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.units += float(entry.get("CapacityUnits", 0))

    def reset(self) -> None:
        self.calls.clear()
        self.units = 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=30, help="batches per batch size and setting")
    args = parser.parse_args()
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        ports = device_hall(table, counters=6)
        clock, org = ports.clock, ports.org
        alert_ports = AlertPorts(DynamoAlertRepository(table), org, clock)
        meter = ReadMeter()
        meter.attach(client)
        print(f"DynamoDB Local, {args.batches} batches per row, one hall\n")
        print(f"{'batch':>5} {'alerts':>6} {'reads/batch':>12} {'RCU/batch':>10} {'changes':>8}  reads by operation")
        counter = 0
        for size in (1, 10, 100):
            for on in (False, True):
                counter += 1
                device = DevicePrincipal(device_id=f"dev-{counter}", hall_code="A01", counter_number=counter)
                start = datetime.now(UTC) - timedelta(minutes=50)
                meter.reset()
                changes = 0
                for b in range(args.batches):
                    # Runs of 差评 that raise a spike, then good ratings that resolve it.
                    spike = b % 10 < 3 if size > 1 else b < 12
                    batch = [
                        DevicePress(
                            id=str(uuid.uuid4()),
                            level=1 if spike else 5,
                            rated_at=start + timedelta(seconds=4 * (b * size + i)),
                        )
                        for i in range(size)
                    ]
                    ratings.ingest_device_batch(device, list(batch), ports)
                    if on:
                        changes += alerts.evaluate_spikes(alert_ports, "A01")
                print(
                    f"{size:>5} {'on' if on else 'off':>6} {sum(meter.calls.values()) / args.batches:>12.2f} "
                    f"{meter.units / args.batches:>10.2f} {changes:>8}  {dict(meter.calls)}"
                )
        meter.reset()
        alerts.check_devices(alert_ports, WorkingDays())
        alerts.recheck_spikes(alert_ports)
        print(
            f"\nthe five-minute schedule, one run: {sum(meter.calls.values())} reads, {meter.units:.1f} RCU, "
            f"{dict(meter.calls)}"
        )
        print("changes: spike alerts raised or resolved by the evaluations of that row")
    finally:
        local.stop()


if __name__ == "__main__":
    main()
