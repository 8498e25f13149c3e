"""An export job's memory at 10 k and 200 k rows, against DynamoDB Local.

Run: .venv/bin/python -m bench.exports [--halls 20] [--per-hall 10000] [--format xlsx]

Seeds a year (2026) of ratings for ``--halls`` halls, ``--per-hall`` each
(the rating items themselves, written in batches: the job reads nothing
else), then runs the export job as the app runs it (``events.run_export_jobs``
through the composition root, DynamoDB Local instead of AWS, files under a
temporary data directory) twice, each in a fresh interpreter: one hall's year
(``--per-hall`` rows) and every hall's year (``--halls × --per-hall`` rows).
It prints each run's rows, file size, time, the peak of Python's heap during
the job (tracemalloc) and the process's peak RSS, and the large/small ratios
of both peaks. Flat memory means a ratio near 1. About five minutes with the
defaults on two shared CPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.ratings import _rating_item
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.services import organisation
from devstack import dynamodb_local, tables

TABLE = "bench"
YEAR_START = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


def ratings_of(hall: int, count: int) -> list[dict[str, Any]]:
    items = []
    for i in range(count):
        day, slot = i % 365, i // 365
        level = (5, 5, 5, 4, 4, 5, 3, 5, 2, 1)[i % 10]
        r = Rating(
            id=f"00000000-0000-4000-{hall:04d}-{i:012d}",
            channel=Channel.device,
            hall_code=f"H{hall:02d}",
            counter_number=1 + i % 8,
            staff_no=f"{(hall * 100 + i % 20):05d}",  # numeric 工号 with leading zeros, e.g. 00123
            level=level,
            business=list(Business)[i % 8],
            reasons=(list(Reason)[i % 8],) if level <= 3 else (),
            comment="排队时间太长，希望多开窗口" if level <= 2 else None,
            rated_at=YEAR_START + timedelta(days=day, seconds=20 * slot),
            received_at=YEAR_START + timedelta(days=day, hours=9),
        )
        items.append(to_item(_rating_item(r)))
    return items


def seed(client: Any, halls: int, per_hall: int) -> None:
    def write(hall: int) -> None:
        items = ratings_of(hall, per_hall)
        for i in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[i : i + 25]]
            left: dict[str, Any] = {TABLE: batch}
            while left:
                left = client.batch_write_item(RequestItems=left).get("UnprocessedItems", {})

    org = DynamoOrganisationRepository(Table(client, TABLE))
    admin = UserPrincipal(username="bench", role=Role.admin)
    for hall in range(1, halls + 1):
        organisation.create_hall(
            admin, org, SystemClock(), code=f"H{hall:02d}", name=f"基准{hall}厅", branch="基准分中心", grade=HallGrade.A
        )
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(1, halls + 1)))


def run_job(hall: str | None, fmt: str) -> dict[str, Any]:
    """In a fresh interpreter (the environment points at DynamoDB Local): ask for and run one job."""
    from chalicelib import composition, events
    from chalicelib.domain.exports import ExportFormat
    from chalicelib.services import accounts, export_jobs
    from chalicelib.web.export_reports import REPORTS

    clock = composition.clock()
    accounts.ensure_first_admin(composition.users(), clock, username="bench", password=secrets.token_urlsafe(16))
    actor = UserPrincipal(username="bench", role=Role.admin)
    params = {"from": "2026-01-01", "to": "2026-12-31"} | ({"hall": hall} if hall else {})
    job = export_jobs.request_export(
        actor, composition.export_ports(), REPORTS, report="ratings", fmt=ExportFormat(fmt), params=params, lang="zh"
    )
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "EXPORT"}, "status": {"S": "queued"}}}}
    record["dynamodb"]["NewImage"]["id"] = {"S": job.id}
    tracemalloc.start()
    began = time.perf_counter()
    events.run_export_jobs({"Records": [record]})
    took = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    done = composition.export_jobs().get(job.id)
    assert done is not None and done.status.value == "done", done
    return {
        "rows": done.rows,
        "bytes": done.bytes,
        "seconds": took,
        "heap_peak_mb": peak / 2**20,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--per-hall", type=int, default=10_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--run-job", metavar="HALL", help=argparse.SUPPRESS)  # the child's part ("all": every hall)
    args = parser.parse_args()
    if args.run_job:
        print(json.dumps(run_job(None if args.run_job == "all" else args.run_job, args.format)))
        return
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, TABLE)
        began = time.perf_counter()
        seed(client, args.halls, args.per_hall)
        print(f"seeded {args.halls} halls × {args.per_hall} ratings in {time.perf_counter() - began:.0f} s", flush=True)
        results = {}
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                **os.environ,
                "AWS_ENDPOINT_URL_DYNAMODB": local.endpoint,
                **{k.upper(): v for k, v in dynamodb_local.LOCAL_CREDENTIALS.items() if k != "region_name"},
                "AWS_DEFAULT_REGION": dynamodb_local.LOCAL_CREDENTIALS["region_name"],
                "TINGSHENG_TABLE": TABLE,
                "TINGSHENG_STAGE": "local",
                "TINGSHENG_DATA_DIR": data_dir,
                "TINGSHENG_TOKEN_KEY": "bench-token-key-0123456789abcdef0123456789",
                "TINGSHENG_QR_KEY": "bench-qr-key-0123456789abcdef0123456789abcd",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            }
            for name, hall in (("one hall", "H01"), ("every hall", "all")):
                child = subprocess.run(
                    [sys.executable, "-m", "bench.exports", "--run-job", hall, "--format", args.format],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[name] = json.loads(child.stdout.strip().splitlines()[-1])
                print(f"  {name}: {results[name]}", flush=True)
        print(f"\nExport job, ratings of 2026, {args.format.upper()}, DynamoDB Local (in memory)\n")
        print(f"{'scope':<12}{'rows':>9}{'MB':>8}{'s':>8}{'heap peak MB':>14}{'RSS peak MB':>13}")
        for name, r in results.items():
            print(
                f"{name:<12}{r['rows']:>9}{r['bytes'] / 2**20:>8.1f}{r['seconds']:>8.1f}"
                f"{r['heap_peak_mb']:>14.1f}{r['rss_peak_mb']:>13.1f}"
            )
        small, large = results["one hall"], results["every hall"]
        heap = large["heap_peak_mb"] / small["heap_peak_mb"]
        rss = large["rss_peak_mb"] / small["rss_peak_mb"]
        print(f"\nratio {large['rows']}/{small['rows']} rows: heap peak ×{heap:.2f}, RSS peak ×{rss:.2f} (flat: ≤ 1.2)")
    finally:
        local.stop()


if __name__ == "__main__":
    main()
