"""Bulk import against DynamoDB Local: how long a province's sheets take, and again.

Run: .venv/bin/python -m bench.imports [--halls 1000] [--workers 16]
Imports a sheet of halls, one of their counters (two each) and one of staff
(five a hall, at most 5,000), each through ``services.imports`` as the API
does (with the audit log), then imports the hall sheet a second time (every
line unchanged), printing seconds and DynamoDB round trips per line.
"""

from __future__ import annotations

import argparse
import time

from bench.capacity import Meter
from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb.audit import DynamoAuditLog
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.shifts import DynamoShiftRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.imports import ImportKind
from chalicelib.services import imports
from chalicelib.services.audit import Auditor
from chalicelib.services.imports import ImportPorts
from devstack import dynamodb_local, tables

ADMIN = UserPrincipal(username="bench", role=Role.admin)


def sheets(halls: int) -> list[tuple[str, ImportKind, str]]:
    codes = [f"H{i:04d}" for i in range(halls)]
    hall_sheet = "营业厅编码,营业厅名称,分中心,等级\r\n" + "".join(
        f"{c},第{i}供电营业厅,第{i % 20}分中心,{'ABC'[i % 3]}\r\n" for i, c in enumerate(codes)
    )
    counter_sheet = "营业厅编码,窗口号\r\n" + "".join(f"{c},{n}\r\n" for c in codes[:2500] for n in (1, 2))
    staff = [(f"S{i:05d}", codes[i % halls]) for i in range(min(5 * halls, 5000))]
    staff_sheet = "工号,姓名,营业厅编码\r\n" + "".join(f"{no},员工{no},{hall}\r\n" for no, hall in staff)
    return [
        ("halls", ImportKind.halls, hall_sheet),
        ("counters", ImportKind.counters, counter_sheet),
        ("staff", ImportKind.staff, staff_sheet),
        ("halls again", ImportKind.halls, hall_sheet),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--halls", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=imports.WORKERS)
    args = parser.parse_args()
    imports.WORKERS = args.workers
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        clock = SystemClock()
        ports = ImportPorts(
            DynamoOrganisationRepository(table),
            DynamoShiftRepository(table),
            clock,
            Auditor(DynamoAuditLog(table), clock),
        )
        meter = Meter()
        meter.attach(client)
        print(f"DynamoDB Local (in memory), {args.halls} halls, {args.workers} lines at a time\n")
        print(f"{'sheet':<12} {'lines':>6} {'seconds':>8} {'created':>8} {'updated':>8} {'unchanged':>9} {'trips':>5}")
        for name, kind, sheet in sheets(args.halls):
            meter.reset()
            lines = sheet.count("\n") - 1
            started = time.perf_counter()
            report = imports.import_sheet(ADMIN, ports, kind, sheet)
            took = time.perf_counter() - started
            trips = meter.round_trips / lines
            print(
                f"{name:<12} {lines:>6} {took:>8.1f} {report.created:>8} {report.updated:>8} "
                f"{report.unchanged:>9} {trips:>5.1f}"
            )
            assert not report.rejected, report.rejected[:3]
    finally:
        local.stop()


if __name__ == "__main__":
    main()
