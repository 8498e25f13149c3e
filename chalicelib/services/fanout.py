"""Reading many independent things at once: company- and branch-wide reports read
one hall's items after another would take a round trip per hall per kind
(3,000 at 1,000 halls, past API Gateway's 29 s). Reads are I/O: threads
overlap their waits, so ``PARALLEL_READS`` of them make the sequential chain
``PARALLEL_READS`` times shorter (SPEC §5 Scale: never more sequential round
trips than halls ÷ 10). The storage client must allow as many connections
(adapters/dynamodb/faults.py ``client_config``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import cast

PARALLEL_READS = 64


def in_parallel[T](reads: Sequence[Callable[[], T]], workers: int = PARALLEL_READS) -> list[T]:
    """Each read's answer, in the order given; the first failure (in that order) is raised once
    every read has finished.

    The reads are dealt out to the threads in turn before any starts, one hand a thread, so no
    thread makes more than ``ceil(len(reads) / workers)`` of them one after another, however
    fast the others are.
    """
    if len(reads) <= 1:
        return [read() for read in reads]
    count = min(workers, len(reads))
    hands = [range(i, len(reads), count) for i in range(count)]
    found: list[T | None] = [None] * len(reads)
    failed: dict[int, BaseException] = {}

    def play(hand: range) -> None:
        for i in hand:
            try:
                found[i] = reads[i]()
            except BaseException as e:  # handed to the caller below
                failed[i] = e

    threads = [threading.Thread(target=play, args=(hand,), daemon=True) for hand in hands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[min(failed)]
    return cast(list[T], found)  # every slot is filled: each index is in exactly one hand
