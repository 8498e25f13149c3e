"""Reading many independent things at once: company- and branch-wide reports read
one hall's items after another would take a round trip per hall per kind
(3,000 at 1,000 halls, past API Gateway's 29 s). Reads are I/O: threads
overlap their waits, so ``PARALLEL_READS`` of them make the sequential chain
``PARALLEL_READS`` times shorter (SPEC §5 Scale: never more sequential round
trips than halls ÷ 10). The storage client must allow as many connections
(adapters/dynamodb/faults.py ``client_config``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

PARALLEL_READS = 64


def in_parallel[T](reads: Sequence[Callable[[], T]], workers: int = PARALLEL_READS) -> list[T]:
    """Each read's answer, in the order given; the first failure is raised (the rest still finish)."""
    if len(reads) <= 1:
        return [read() for read in reads]
    with ThreadPoolExecutor(max_workers=min(workers, len(reads))) as pool:
        return list(pool.map(lambda read: read(), reads))
