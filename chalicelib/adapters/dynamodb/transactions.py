"""The one way this package writes a DynamoDB transaction (reached as ``Table.transact``).

TransactWriteItems stores every item or none. A cancelled one says why item
by item: ``CancellationReasons`` holds one entry per item in request order
(``None`` for an item that was fine), so reason i belongs to item i. Three
kinds of reason, three outcomes:

* ``ConditionalCheckFailed``: the item's condition said no, and what that
  means is the caller's. ``refusals`` pairs an item's position with the
  domain error its failed condition stands for (a taken tracking number, an
  appeal decided meanwhile); the first failed item's error is raised. When
  that item has none, ConditionFailed names every failed position, for a
  caller that acts on them (ratings drop their duplicates and write the rest).
* ``TransactionConflict`` (another writer touched one of the items at the
  same moment) and throttling: nothing was written, so the same transaction
  is sent again after a full-jitter backoff; when the tries are spent,
  StorageBusy. botocore never retries a cancelled transaction itself.
* anything else (``ValidationError``, ``ItemCollectionSizeLimitExceeded``):
  the request is wrong; the ClientError is raised as it came.

Request-level faults (the whole request throttled, the endpoint unreachable)
are retried by botocore and end as StorageBusy in the table's guarded client.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.domain.errors import DomainError, StorageBusy

# Reason codes (no "Exception" suffix inside CancellationReasons) after which
# the unchanged transaction may succeed.
TRANSIENT_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


@dataclass(frozen=True)
class RetryPolicy:
    """Full-jitter exponential backoff: before retry n (from 0), sleep uniform(0, min(cap, base * 2**n)).

    Eight tries sleep at most 1.6 s in all (0.8 s expected). ``sleep`` and
    ``jitter`` (uniform in [0, 1)) are injected so tests never really wait.
    """

    attempts: int = 8
    base_seconds: float = 0.02
    cap_seconds: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def pause(self, retry: int) -> None:
        self.sleep(self.jitter() * min(self.cap_seconds, self.base_seconds * 2**retry))


class ConditionFailed(Exception):
    """Items' conditions failed and the first has no refusal: nothing was written.

    ``positions`` are the failed items' indexes in the request, in order.
    """

    def __init__(self, positions: tuple[int, ...]) -> None:
        super().__init__(f"condition failed on items {list(positions)}")
        self.positions = positions


def cancellation_reasons(error: ClientError) -> list[str]:
    """One code per item of a cancelled transaction, in request order; empty for any other error."""
    if error_code(error) != "TransactionCanceledException":
        return []
    return [str(r.get("Code", "None")) for r in error.response.get("CancellationReasons", [])]


def transact(
    client: Any,
    items: Sequence[dict[str, Any]],
    refusals: Mapping[int, DomainError],
    retry: RetryPolicy,
) -> None:
    """Write ``items`` (``{"Put": ...}``, ``{"Update": ...}``, ...) all or nothing; see the module docstring."""
    last: ClientError | None = None
    for attempt in range(retry.attempts):
        if attempt:
            retry.pause(attempt - 1)
        try:
            client.transact_write_items(TransactItems=list(items))
            return
        except ClientError as e:
            reasons = cancellation_reasons(e)
            failed = tuple(i for i, code in enumerate(reasons) if code == "ConditionalCheckFailed")
            if failed:
                refusal = refusals.get(failed[0])
                if refusal is None:
                    raise ConditionFailed(failed) from None
                raise refusal from None
            codes = set(reasons) - {"None"}
            if not codes or not codes <= TRANSIENT_REASONS:
                raise
            last = e
    raise StorageBusy() from last
