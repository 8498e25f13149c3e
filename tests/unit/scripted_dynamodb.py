"""A stand-in for boto3's low-level DynamoDB client: each call gets the next scripted answer.

An answer is a response dict, or an exception to raise (built by hand as
botocore builds them), so the adapters' handling of DynamoDB's failures is
tested without a network or real waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError


def refused(code: str, status: int = 400) -> ClientError:
    """A request-level error, as botocore raises it after its own retries."""
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


def cancelled(*reasons: str) -> ClientError:
    """A cancelled transaction: one reason code per item, in request order."""
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": r} for r in reasons],
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "TransactWriteItems",
    )


class ScriptedClient:
    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, operation: str) -> Callable[..., dict[str, Any]]:
        def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((operation, kwargs))
            answer = self.answers.pop(0) if self.answers else {}
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call

    def get_paginator(self, operation: str) -> ScriptedPaginator:
        return ScriptedPaginator(getattr(self, operation))

    def sent(self, operation: str) -> list[dict[str, Any]]:
        """The arguments of every call of ``operation``, in order."""
        return [kwargs for name, kwargs in self.calls if name == operation]


class ScriptedPaginator:
    def __init__(self, call: Callable[..., dict[str, Any]]) -> None:
        self._call = call

    def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield self._call(**kwargs)  # one page: the next answer
