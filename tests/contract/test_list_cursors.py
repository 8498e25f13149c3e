"""Every list refuses a cursor it did not give out, as InvalidInput on ``cursor`` (never a 500)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.accounts import Role, User
from chalicelib.domain.appeals import AppealStatus
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import Hall, HallGrade
from chalicelib.domain.suggestions import SuggestionStatus

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
# A crafted cursor: base64 of a plain JSON object, as a client could forge one.
FORGED = base64.urlsafe_b64encode(json.dumps({"pk": "x"}).encode()).decode()

LISTS: dict[str, Callable[[Any, str], Any]] = {
    "halls": lambda r, c: r.organisation.list_halls(c, 5),
    "staff": lambda r, c: r.organisation.list_staff("A01", c, 5),
    "users": lambda r, c: r.users.list_users(c, 5),
    "callbacks": lambda r, c: r.callbacks.list_by_hall("A01", None, c, 5),
    "appeals": lambda r, c: r.appeals.list_by_hall("A01", AppealStatus.pending, c, 5),
    "outreach events": lambda r, c: r.outreach.list_events("2026Q4", "A01", c, 5),
    "ratings of a day": lambda r, c: r.ratings.day_page("A01", "2026-11-24", c, 5),
    "suggestions": lambda r, c: r.suggestions.list_by_hall("A01", tuple(SuggestionStatus), c, 5),
}


@pytest.mark.parametrize("listing", LISTS.values(), ids=LISTS.keys())
def test_a_forged_cursor_is_invalid_input_naming_the_cursor(repos, listing):
    with pytest.raises(InvalidInput) as refused:
        listing(repos, FORGED)
    assert set(refused.value.fields) == {"cursor"}


def test_the_halls_cursor_does_not_page_the_users(repos):
    for code in ("A01", "B02"):
        repos.organisation.add_hall(
            Hall(code=code, name=f"{code}营业厅", branch="城东分中心", grade=HallGrade.B, created_at=NOW)
        )
    repos.users.add_user(User(username="root", password_hash="y", role=Role.admin, created_at=NOW))
    cursor = repos.organisation.list_halls(None, 1).next
    assert cursor
    with pytest.raises(InvalidInput) as refused:
        repos.users.list_users(cursor, 5)
    assert set(refused.value.fields) == {"cursor"}
