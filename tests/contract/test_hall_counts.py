"""Hall-wide monthly counts written together with what they count."""

import collections
from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.stats import StatKey, StatKind
from chalicelib.domain.suggestions import Suggestion, SuggestionKind
from tests.tallies import every_tally

AT = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 1 December in Shanghai


def suggestion(n: int) -> Suggestion:
    return Suggestion(
        id=f"s-{n}",
        tracking_no=f"TS20261201-ABCDEFG{n}",
        hall_code="A01",
        kind=SuggestionKind.praise,
        content="服务很好，谢谢",
        created_at=AT,
    )


def test_a_suggestion_counts_in_its_halls_month_once(repos):
    repos.suggestions.add(suggestion(1))
    repos.suggestions.add(suggestion(2))
    with pytest.raises(Conflict):
        repos.suggestions.add(suggestion(1))
    assert every_tally(repos.ratings, "A01", "2026-12") == {
        StatKey("A01", "2026-12", StatKind.suggestions, "", None): collections.Counter(received=2)
    }
