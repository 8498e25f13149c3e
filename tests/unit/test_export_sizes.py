"""Counting an export's ratings from the tallies when it is asked for: the same number the
run would write (whole months from month tallies, the span's edges from day tallies,
misuse presses and upheld appeals included), early once past the cap, and nothing
when the span would take too many Queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.services import export_sizes, reports
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
T0 = datetime(2025, 12, 1, tzinfo=UTC)


@pytest.fixture
def stored() -> tuple[InMemoryOrganisationRepository, InMemoryRatingRepository]:
    org, ratings = InMemoryOrganisationRepository(), InMemoryRatingRepository()
    for code in ("A01", "B02", "C03"):
        org.add_hall(Hall(code=code, name=code, branch="城东分中心", grade=HallGrade.A, created_at=T0))
    found = [
        Rating(
            id=f"00000000-0000-4000-8000-{n:012d}",
            channel=Channel.device,
            hall_code=("A01", "B02", "C03")[n % 3],
            counter_number=1 + n % 2,
            level=1 + n % 5,
            misuse=n % 7 == 0,
            appeal_upheld=n % 11 == 0 and n % 7 != 0,
            rated_at=T0 + timedelta(hours=37 * n),
            received_at=T0 + timedelta(hours=37 * n),
        )
        for n in range(400)
    ]
    ratings.save_batch(found)
    return org, ratings


@pytest.mark.parametrize(
    ("first", "last", "hall"),
    [
        (date(2025, 12, 1), date(2026, 6, 30), None),  # whole months
        (date(2025, 12, 17), date(2026, 3, 4), None),  # partial months at both ends
        (date(2026, 2, 3), date(2026, 2, 20), "B02"),  # within one month, one hall
        (date(2026, 1, 31), date(2026, 2, 1), None),
    ],
)
def test_the_tallies_count_what_the_run_writes(stored, first: date, last: date, hall: str | None):
    org, ratings = stored
    written = sum(
        1 for _ in reports.ratings_export(ADMIN, org, ratings, first=first, last=last, hall=hall, max_days=None)
    )
    counted = export_sizes.ratings_between(ADMIN, org, ratings, first=first, last=last, hall=hall, past=10**9)
    assert counted == written and written > 0


def test_the_count_stops_once_past_and_gives_up_on_too_many_queries(stored, monkeypatch: pytest.MonkeyPatch):
    org, ratings = stored
    span = {"first": date(2025, 12, 1), "last": date(2026, 12, 31), "hall": None}
    reads: list[str] = []
    of_kind = ratings.tallies_of_kind
    monkeypatch.setattr(ratings, "tallies_of_kind", lambda h, m, k: (reads.append(m), of_kind(h, m, k))[1])
    monkeypatch.setattr(export_sizes, "ROUND", 6)
    assert export_sizes.ratings_between(ADMIN, org, ratings, **span, past=10) > 10  # type: ignore[arg-type,operator]
    assert len(reads) == 6  # the first round was enough
    monkeypatch.setattr(export_sizes, "COUNT_READS", 12)
    assert export_sizes.ratings_between(ADMIN, org, ratings, **span, past=10**9) is None  # type: ignore[arg-type]
    assert len(reads) == 6 + 12  # never more than its share of Queries
