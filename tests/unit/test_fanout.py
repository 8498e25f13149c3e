"""Reads side by side: answers in the order given, no thread reading more than its share."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from chalicelib.services.fanout import in_parallel


def test_answers_keep_their_order_and_no_thread_reads_more_than_its_share():
    per_thread: Counter[int] = Counter()
    lock = threading.Lock()

    def read(n: int) -> int:
        with lock:
            per_thread[threading.get_ident()] += 1
        return n * n

    answers = in_parallel([lambda n=n: read(n) for n in range(300)], workers=64)
    assert answers == [n * n for n in range(300)]
    assert max(per_thread.values()) <= 5  # ceil(300 / 64)


def test_a_failed_read_is_raised_and_one_read_runs_on_the_caller():
    def fail() -> int:
        raise ValueError("storage")

    with pytest.raises(ValueError, match="storage"):
        in_parallel([lambda: 1, fail, lambda: 3])
    assert in_parallel([lambda: threading.get_ident()]) == [threading.get_ident()]
    assert in_parallel([]) == []
