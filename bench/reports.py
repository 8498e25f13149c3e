"""Report cost against DynamoDB Local: the tallies versus a Scan, at 10 k and 200 k ratings.

Run: .venv/bin/python -m bench.reports [--small 10000] [--large 200000] [--repeat 5]
     .venv/bin/python -m bench.reports --company [--repeat 3]

One hall's month grows from ``--small`` to ``--large`` ratings (20 clerks on
10 counters, every day and opening hour). For each size it times the staff
ranking and the hall summary as the app computes them (the tallies: a
constant number of Queries), and the same two summaries computed from a
paginated Scan of the table, which is what "no request path scans a table"
rules out. It prints medians of wall time, round trips and read units
(``ReturnConsumedCapacity="TOTAL"``, which DynamoDB Local reports for plain
reads), and the large/small ratios. The Scan exists only here. About six
minutes with the defaults, most of it the 200 k Scans.

``--company`` measures the company-wide reports instead, at 10, 100 and 1,000
halls (5 clerks and a few ratings each, 10 halls a branch): the hall summary
(which the dashboard overview shows), the staff ranking by branch and the
五进 coverage, as an admin reads them. Besides the total round trips it
prints the sequential ones: the reads of the calling thread plus the most any
one reading thread made (services.fanout), the chain a request waits for; the
bound is halls ÷ 10. About three minutes.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.ranking import rank_staff
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.stats import Tally
from chalicelib.services import organisation, reports
from devstack import dynamodb_local, tables

ADMIN = UserPrincipal(username="bench", role=Role.admin)
HALL, MONTH, COUNTERS, STAFF = "H01", "2026-11", 10, 20
READS = ("Query", "Scan", "GetItem")


@dataclass
class ReadMeter:
    """Asks every read for its consumed capacity and adds it up, with the round trips
    (in all, and per thread: ``sequential`` is the longest chain a reader waited for)."""

    calls: Counter[str] = field(default_factory=Counter)
    units: float = 0.0
    by_thread: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, client: Any) -> None:
        for op in READS:
            client.meta.events.register(f"provide-client-params.dynamodb.{op}", self._ask)
            client.meta.events.register(f"after-call.dynamodb.{op}", self._add)

    def _ask(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
        with self.lock:
            self.calls[model.name] += 1
            self.by_thread[threading.get_ident()] += 1

    def _add(self, parsed: dict[str, Any], **_: Any) -> None:
        with self.lock:
            self.units += float(parsed.get("ConsumedCapacity", {}).get("CapacityUnits", 0.0))

    @property
    def sequential(self) -> int:
        main = self.by_thread.get(threading.main_thread().ident or 0, 0)
        workers = [n for t, n in self.by_thread.items() if t != threading.main_thread().ident]
        return main + max(workers, default=0)

    def reset(self) -> None:
        self.calls.clear()
        self.by_thread.clear()
        self.units = 0.0


def ratings(start: int, count: int) -> list[Rating]:
    """``count`` ratings of the hall-month, ordered so neighbours share tallies (fewer per transaction)."""
    first = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    out = []
    for i in range(start, start + count):
        slot, counter = divmod(i, COUNTERS)
        day = slot % 30
        minute = (slot // 30) % (9 * 60)  # 08:30 to 17:30
        level = (5, 5, 5, 4, 4, 5, 3, 5, 2, 1)[i % 10] if i % 7 else 5
        out.append(
            Rating(
                id=f"00000000-0000-4000-8000-{i:012d}",
                channel=Channel.device if i % 4 else Channel.qr,
                hall_code=HALL,
                counter_number=counter + 1,
                staff_no=f"A{(counter + day) % STAFF:04d}",  # clerks rotate between counters day by day
                level=level,
                business=list(Business)[i % 8],
                reasons=(list(Reason)[i % 8],) if level <= 3 else (),
                rated_at=first + timedelta(days=day, hours=8, minutes=30 + minute),
                received_at=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )
    return sorted(out, key=lambda r: (r.day, r.counter_number, r.local_time.hour))


def seed(repo: DynamoRatingRepository, start: int, count: int) -> float:
    began = time.perf_counter()
    batch = ratings(start, count)
    for i in range(0, len(batch), 2000):
        statuses = repo.save_batch(batch[i : i + 2000])
        assert set(statuses.values()) == {"created"}
    return time.perf_counter() - began


def scan_levels(table: Table) -> dict[str, Counter[str]]:
    """Scored ratings of the hall-month by staff number, from every item of the table."""
    by_staff: dict[str, Counter[str]] = {}
    pages = table.client.get_paginator("scan").paginate(
        TableName=table.name,
        FilterExpression="begins_with(pk, :r) AND hall_code = :h",
        ExpressionAttributeValues=to_item({":r": "RATING#", ":h": HALL}),
        ProjectionExpression="staff_no, #l, rated_at, misuse",
        ExpressionAttributeNames={"#l": "level"},
    )
    for page in pages:
        for item in page.get("Items", []):
            if item.get("misuse", {}).get("BOOL"):
                continue
            at = datetime.fromisoformat(item["rated_at"]["S"]).astimezone(SHANGHAI)
            if at.strftime("%Y-%m") != MONTH:
                continue
            level = int(item["level"]["N"])
            counts = by_staff.setdefault(item.get("staff_no", {}).get("S", ""), Counter())
            counts[f"n{level}"] += 1
            counts["score"] += level
    return by_staff


def scan_staff(table: Table) -> list[tuple[str, int | None]]:
    tallies = {s: Tally.of(dict(c)) for s, c in scan_levels(table).items() if s}
    return [(r.staff_no, r.rank) for r in rank_staff(tallies)]


def scan_hall(table: Table) -> int:
    total = Tally()
    for counts in scan_levels(table).values():
        total += Tally.of(dict(counts))
    return total.n


@dataclass
class Figure:
    ms: float
    round_trips: float
    units: float


def measure(meter: ReadMeter, work: Callable[[], Any], repeat: int) -> tuple[Figure, Any]:
    times, trips, units, answer = [], [], [], None
    for _ in range(repeat):
        meter.reset()
        began = time.perf_counter()
        answer = work()
        times.append((time.perf_counter() - began) * 1000)
        trips.append(sum(meter.calls.values()))
        units.append(meter.units)
    return Figure(statistics.median(times), statistics.median(trips), statistics.median(units)), answer


def seed_company(org: DynamoOrganisationRepository, repo: DynamoRatingRepository, first: int, last: int) -> None:
    """Halls ``first`` to ``last`` (C0001 ...), 10 a branch, 5 clerks and 6 ratings of the month each."""
    clock = SystemClock()
    when = datetime(2026, 11, 10, 2, tzinfo=UTC)
    batch: list[Rating] = []
    for n in range(first, last + 1):
        code = f"C{n:04d}"
        organisation.create_hall(
            ADMIN, org, clock, code=code, name=f"营业厅{n}", branch=f"分中心{(n - 1) // 10:03d}", grade=HallGrade.B
        )
        for s in range(5):
            organisation.add_staff(ADMIN, org, clock, staff_no=f"{n:04d}{s}", name=f"员工{n}-{s}", hall_code=code)
        batch += [
            Rating(
                id=f"00000000-0000-4000-9000-{n * 10 + i:012d}",
                channel=Channel.device,
                hall_code=code,
                counter_number=1,
                staff_no=f"{n:04d}{i % 5}",
                level=(5, 4, 5, 2, 5, 3)[i],
                rated_at=when + timedelta(minutes=i),
                received_at=when,
            )
            for i in range(6)
        ]
        if len(batch) >= 600:
            assert set(repo.save_batch(batch).values()) == {"created"}
            batch = []
    if batch:
        assert set(repo.save_batch(batch).values()) == {"created"}


def company(repeat: int) -> None:
    from chalicelib.adapters.dynamodb.outreach import DynamoOutreachRepository
    from chalicelib.services import outreach

    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        org, repo = DynamoOrganisationRepository(table), DynamoRatingRepository(table)
        activities = DynamoOutreachRepository(table)
        meter = ReadMeter()
        meter.attach(client)
        work: dict[str, Callable[[], Any]] = {
            "hall summary": lambda: reports.hall_monthly(ADMIN, org, repo, month=MONTH),
            "staff by branch": lambda: reports.staff_monthly(ADMIN, org, repo, month=MONTH, by_branch=True),
            "outreach": lambda: outreach.quarter_coverage(ADMIN, org, activities, "2026Q4"),
        }
        rows: list[tuple[str, int, Figure, float]] = []
        seeded = 0
        for halls in (10, 100, 1000):
            began = time.perf_counter()
            seed_company(org, repo, seeded + 1, halls)
            print(f"seeded {halls - seeded} halls in {time.perf_counter() - began:.0f} s", flush=True)
            seeded = halls
            for name, read in work.items():
                chains = []
                for _ in range(repeat):
                    meter.reset()
                    read()
                    chains.append(meter.sequential)
                figure, _ = measure(meter, read, repeat)
                rows.append((name, halls, figure, statistics.median(chains)))
        print("\nDynamoDB Local (in memory); medians; admin, company-wide, 10 halls a branch\n")
        print(f"{'report':<17}{'halls':>6}{'ms':>9}{'round trips':>13}{'sequential':>12}{'bound':>7}{'read units':>12}")
        for name, halls, f, chain in rows:
            print(
                f"{name:<17}{halls:>6}{f.ms:>9.0f}{f.round_trips:>13.0f}{chain:>12.0f}{halls // 10:>7}{f.units:>12.1f}"
            )
    finally:
        local.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tally read (Scans run fewer)")
    parser.add_argument("--company", action="store_true", help="company-wide reports at 10, 100 and 1,000 halls")
    args = parser.parse_args()
    if args.company:
        company(args.repeat)
        return
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        org, repo, clock = DynamoOrganisationRepository(table), DynamoRatingRepository(table), SystemClock()
        organisation.create_hall(ADMIN, org, clock, code=HALL, name="基准厅", branch="基准", grade=HallGrade.A)
        for s in range(STAFF):
            organisation.add_staff(ADMIN, org, clock, staff_no=f"A{s:04d}", name=f"员工{s}", hall_code=HALL)
        meter = ReadMeter()
        meter.attach(client)

        def staff() -> list[tuple[str, int | None]]:
            report = reports.staff_monthly(ADMIN, org, repo, month=MONTH, hall=HALL)
            return [(r.result.staff_no, r.result.rank) for r in report.rows]

        def hall() -> int:
            return reports.hall_monthly(ADMIN, org, repo, month=MONTH, hall=HALL)[0].tally.n

        results: dict[int, dict[str, Figure]] = {}
        seeded = 0
        for size in (args.small, args.large):
            took = seed(repo, seeded, size - seeded)
            print(f"seeded {size - seeded} ratings in {took:.0f} s", flush=True)
            seeded = size
            scans = 3 if size <= args.small else 1  # DynamoDB Local needs minutes for a 200 k Scan
            row: dict[str, Figure] = {}
            row["staff, tallies"], by_tallies = measure(meter, staff, args.repeat)
            row["staff, Scan"], by_scan = measure(meter, lambda: scan_staff(table), scans)
            assert by_tallies == by_scan, "the tallies and the Scan disagree"
            row["hall, tallies"], n = measure(meter, hall, args.repeat)
            row["hall, Scan"], n_scan = measure(meter, lambda: scan_hall(table), scans)
            assert n == n_scan, (n, n_scan)
            results[size] = row
            print(f"  {size} ratings, {n} scored in {MONTH}", flush=True)

        small, large = results[args.small], results[args.large]
        print(f"\nDynamoDB Local (in memory); medians; one hall, {STAFF} clerks, {COUNTERS} counters\n")
        head = f"{'report':<15}{'ratings':>9}{'ms':>10}{'round trips':>13}{'read units':>12}"
        print(head)
        for size, row in results.items():
            for name, f in row.items():
                print(f"{name:<15}{size:>9}{f.ms:>10.1f}{f.round_trips:>13.0f}{f.units:>12.1f}")
        print(f"\nratio {args.large}/{args.small}:")
        for name in small:
            s, big = small[name], large[name]
            print(
                f"{name:<15} time ×{big.ms / s.ms:.2f}  round trips ×{big.round_trips / s.round_trips:.2f}  "
                f"read units ×{(big.units / s.units) if s.units else float('nan'):.2f}"
            )
    finally:
        local.stop()


if __name__ == "__main__":
    main()
