"""The month publication repository, the same suite on the fake and on DynamoDB Local:
versions are written once, read back equal (a large month over several items), listed in order."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.dynamodb.publications import DynamoMonthPublications
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.domain.errors import Conflict, PayloadTooLarge
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.publications import FrozenHall, FrozenStaff, FrozenTally, MonthRows, MonthSnapshot, Ranking
from chalicelib.domain.ranking import Flag
from devstack import tables

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HALL = Hall(code="A01", name="城东营业厅", branch="城东分中心", grade=HallGrade.A, created_at=AT)


def rows(clerks: int = 3, name=lambda i: f"员工{i}") -> MonthRows:
    staff = tuple(
        FrozenStaff(
            hall_code="A01",
            staff_no=f"S{i:05d}",
            name=name(i),
            tally=FrozenTally(n5=30 + i, n4=2, n1=i % 3, score=5 * (30 + i) + 8 + i % 3),
            lower_bound=0.1 + 1 / (i + 3),
            rank=i + 1 if i < clerks - 1 else None,
            flag=Flag.reward if i < 2 else None,
        )
        for i in range(clerks)
    )
    return MonthRows(
        min_ratings=30,
        halls=(
            FrozenHall(
                hall=HALL,
                tally=FrozenTally(n5=9, misuse=2, appealed=1, score=45),
                callbacks_opened=3,
                callbacks_closed=2,
                callbacks_overdue=1,
                suggestions=4,
            ),
        ),
        rankings=(Ranking(scope="hall", key="A01", rows=staff), Ranking(scope="branch", key="城东分中心", rows=staff)),
    )


def snapshot(version: int, month: str = "2026-11", by: str = "root", **rows_args) -> MonthSnapshot:
    return MonthSnapshot(month=month, version=version, published_at=AT, published_by=by, rows=rows(**rows_args))


def test_a_version_reads_back_equal_and_unknown_ones_are_none(repos):
    first = snapshot(1)
    repos.publications.add(first)
    assert repos.publications.get("2026-11", 1) == first
    assert repos.publications.get("2026-11", 2) is None
    assert repos.publications.get("2026-10", 1) is None


def test_versions_are_listed_oldest_first_without_their_rows_and_latest_is_the_highest(repos):
    assert repos.publications.latest_version("2026-11") == 0
    assert repos.publications.versions("2026-11") == []
    for version, by in ((1, "root"), (2, "admin2"), (3, "root")):
        repos.publications.add(snapshot(version, by=by))
    repos.publications.add(snapshot(1, month="2026-10"))
    assert repos.publications.latest_version("2026-11") == 3
    assert [(p.version, p.published_by, p.published_at) for p in repos.publications.versions("2026-11")] == [
        (1, "root", AT),
        (2, "admin2", AT),
        (3, "root", AT),
    ]
    assert [p.month for p in repos.publications.versions("2026-10")] == ["2026-10"]


def test_a_taken_version_is_a_conflict_and_the_first_stays(repos):
    repos.publications.add(snapshot(1, by="root"))
    with pytest.raises(Conflict):
        repos.publications.add(snapshot(1, by="someone-else", clerks=5))
    kept = repos.publications.get("2026-11", 1)
    assert kept is not None and kept.published_by == "root" and len(kept.rows.rankings[0].rows) == 3


def test_a_month_larger_than_one_item_is_kept_whole(repos):
    # Names that do not compress: the stored rows pass one DynamoDB item's 400 KB several times.
    big = snapshot(1, clerks=8_000, name=lambda i: secrets.token_urlsafe(48))
    repos.publications.add(big)
    assert repos.publications.get("2026-11", 1) == big
    assert [p.version for p in repos.publications.versions("2026-11")] == [1]


def test_a_month_too_large_for_one_transaction_is_refused_and_leaves_nothing(dynamodb_local):
    client = dynamodb_local.client()
    name = f"contract-{uuid.uuid4().hex[:12]}"
    tables.ensure_table(client, name)
    repo = DynamoMonthPublications(Table(client, name), chunk_bytes=1_000, max_chunks=2)
    try:
        with pytest.raises(PayloadTooLarge):
            repo.add(snapshot(1, clerks=200, name=lambda i: secrets.token_urlsafe(48)))
        assert repo.latest_version("2026-11") == 0 and repo.get("2026-11", 1) is None
        small = snapshot(1)
        repo.add(small)
        assert repo.get("2026-11", 1) == small
    finally:
        client.delete_table(TableName=name)
