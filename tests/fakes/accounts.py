"""In-memory log of failed sign-ins (the DynamoDB one is adapters/dynamodb/rate_limits.py)."""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounts import SignInFailures


class InMemorySignInFailureLog:
    def __init__(self) -> None:
        # (account, client) -> (failures, latest, forgotten at)
        self.pairs: dict[tuple[str, str], tuple[int, datetime, datetime]] = {}
        self.windows: collections.Counter[tuple[str, int]] = collections.Counter()

    def failures(
        self, account: str, client: str, now: datetime, forget_after_seconds: int, address_window_seconds: int
    ) -> SignInFailures:
        start = _window_start(now, address_window_seconds)
        count, last, forgotten_at = self.pairs.get((account, client), (0, now, now))
        live = forgotten_at > now
        return SignInFailures(
            pair=count if live else 0,
            pair_last=last if live else None,
            address=self.windows[(client, start)],
            address_window_ends=datetime.fromtimestamp(start + address_window_seconds, UTC),
        )

    def add_failure(
        self, account: str, client: str, now: datetime, forget_after_seconds: int, address_window_seconds: int
    ) -> None:
        count, _, forgotten_at = self.pairs.get((account, client), (0, now, now))
        if forgotten_at <= now:
            count = 0
        self.pairs[(account, client)] = (count + 1, now, now + timedelta(seconds=forget_after_seconds))
        self.windows[(client, _window_start(now, address_window_seconds))] += 1

    def forget_pair(self, account: str, client: str) -> None:
        self.pairs.pop((account, client), None)


def _window_start(now: datetime, window_seconds: int) -> int:
    epoch = int(now.timestamp())
    return epoch - epoch % window_seconds
