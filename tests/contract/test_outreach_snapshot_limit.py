"""A snapshot too large for one DynamoDB item is refused, in memory as on DynamoDB."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.errors import PayloadTooLarge
from chalicelib.domain.outreach import Category, PublishedEvent, Snapshot, coverage

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def snapshot(title: str) -> Snapshot:
    return Snapshot(
        quarter="2026Q4",
        version=1,
        published_at=NOW,
        published_by="root",
        coverage=coverage("2026Q4", [], {}),
        events=(
            PublishedEvent(
                hall_code="A01",
                category=Category.school,
                date=date(2026, 11, 3),
                place="一中",
                title=title,
                participants=9,
            ),
        ),
    )


def test_a_snapshot_past_the_item_limit_is_payload_too_large_and_stores_nothing(repos):
    # Random text hardly compresses: ~660 KB of it stays well past the ~380 KB an item may hold.
    with pytest.raises(PayloadTooLarge):
        repos.outreach.add_snapshot(snapshot(secrets.token_urlsafe(500_000)))
    assert repos.outreach.latest_version("2026Q4") == 0
    assert repos.outreach.get_snapshot("2026Q4", 1) is None


def test_a_large_snapshot_that_compresses_within_the_limit_is_stored(repos):
    large = snapshot("讲座" * 200_000)  # 1.2 MB of UTF-8 that compresses to almost nothing
    repos.outreach.add_snapshot(large)
    assert repos.outreach.get_snapshot("2026Q4", 1) == large
