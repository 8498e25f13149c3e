"""Storage faults: the one place where "DynamoDB cannot take this now" becomes StorageBusy.

botocore retries a request itself (``client_config``: a few quick tries), and
what is still failing after that arrives here. A throttled, unavailable or
unreachable DynamoDB is not a bug of ours: it becomes StorageBusy, which the
HTTP layer answers 503 with Retry-After. Every other error (a failed
condition, a cancelled transaction, a malformed request) passes unchanged, for
the adapter that knows what it means.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.domain.errors import StorageBusy

# Request-level codes that mean "not now": throttling of the table or the
# account, a transaction still running on an item, DynamoDB's own faults.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "InternalServerError",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def client_config() -> Config:
    """How the one long-lived DynamoDB client retries and waits.

    Standard mode, three tries in all, short timeouts: a request that cannot
    be served fails within seconds, well inside API Gateway's 29 s. The
    client keeps a retry quota (a token bucket: 5 tokens a throttled retry, 14
    any other, refilled by successes); a burst of faults can spend it, after
    which errors come back untried. Both ends become StorageBusy here, so the
    caller is told to come back instead of seeing a 500.
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": 3},
        connect_timeout=1,
        read_timeout=4,
        # Company-wide reports read with services.fanout.PARALLEL_READS threads at once.
        max_pool_connections=70,
    )


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_transient(error: ClientError) -> bool:
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return error_code(error) in TRANSIENT_CODES or status >= 500


@contextmanager
def storage_faults() -> Iterator[None]:
    """Turn a transient ClientError or a connection error (refused, closed, timed out) into StorageBusy."""
    try:
        yield
    except ClientError as e:
        if is_transient(e):
            raise StorageBusy() from e
        raise
    except (BotoConnectionError, HTTPClientError) as e:
        raise StorageBusy() from e


class GuardedClient:
    """A boto3 DynamoDB client whose every call (and every page of a paginator) goes through storage_faults."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name == "get_paginator":
            return lambda operation: _GuardedPaginator(attribute(operation))
        if not callable(attribute):
            return attribute  # meta, exceptions
        return _guarded(attribute)


def _guarded(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        with storage_faults():
            return call(*args, **kwargs)

    return guarded


class _GuardedPaginator:
    def __init__(self, paginator: Any) -> None:
        self._paginator = paginator

    def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        # Pages are fetched while iterating, so the guard must hold around the iteration.
        with storage_faults():
            yield from self._paginator.paginate(**kwargs)
