"""Query parameters shared by the JSON API and the console, read the same way everywhere."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from chalicelib.domain.csv_export import Lang
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import CODE_PATTERN
from chalicelib.domain.outreach import is_quarter
from chalicelib.domain.publications import LATEST, Wanted
from chalicelib.domain.reports import is_month
from chalicelib.web.requests import query

HALL_CODE = re.compile(CODE_PATTERN)
VERSION = re.compile(r"^[1-9][0-9]{0,5}$")


def month(request: Any) -> str:
    value = query(request, "month")
    if value is None or not is_month(value):
        raise InvalidInput("A month such as 2026-11 is required.", {"month": "a month such as 2026-11"})
    return value


def quarter(value: str | None, name: str = "quarter") -> str:
    if value is None or not is_quarter(value):
        raise InvalidInput("A quarter such as 2026Q4 is required.", {name: "a quarter such as 2026Q4"})
    return value


def hall_code(request: Any) -> str | None:
    """The optional ``hall`` filter."""
    value = query(request, "hall")
    if value is not None and not HALL_CODE.match(value):
        raise InvalidInput("Bad hall code.", {"hall": "a hall code"})
    return value


def one_hall(request: Any, halls: frozenset[str]) -> str:
    """The ``hall`` asked for; left out, the actor's one hall when they have just one."""
    hall = query(request, "hall")
    if hall is None and len(halls) == 1:
        (hall,) = halls
    if hall is None:
        raise InvalidInput("Say which hall.", {"hall": "required"})
    return hall


# Only YYYY-MM-DD names a day (date.fromisoformat also takes 20261124 and 2026-W49-3).
ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def iso_day(value: str | None) -> date | None:
    """``value`` as a day when written YYYY-MM-DD and real; else None."""
    if value is None or not ISO_DAY.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def day(request: Any, name: str) -> date:
    found = iso_day(query(request, name))
    if found is None:
        raise InvalidInput(f"A day such as 2026-11-01 is required in {name}.", {name: "a day such as 2026-11-01"})
    return found


def by_branch(request: Any) -> bool:
    """``scope=branch`` ranks a whole branch (``branch=``); the default scope is a hall."""
    scope = query(request, "scope") or "hall"
    if scope not in ("hall", "branch"):
        raise InvalidInput("Bad scope.", {"scope": "hall or branch"})
    if scope == "hall" and query(request, "branch") is not None:
        raise InvalidInput("A branch is ranked with scope=branch.", {"branch": "only with scope=branch"})
    return scope == "branch"


def version(request: Any) -> Wanted | None:
    """``version=N`` or ``latest``: a published version of the month; None (absent) for the live numbers."""
    value = query(request, "version")
    if value is None:
        return None
    if value == LATEST:
        return LATEST
    if not VERSION.match(value):
        raise InvalidInput("Bad version.", {"version": "a version number (1, 2, ...) or latest"})
    return int(value)


def lang(request: Any) -> Lang:
    """``lang=en`` for English headers, keys and labels; Chinese otherwise."""
    return "en" if query(request, "lang") == "en" else "zh"


# ---- the queries of the report files, the same for the API and the console ----------
def staff_report(request: Any) -> dict[str, Any]:
    return {
        "month": month(request),
        "hall": hall_code(request),
        "branch": query(request, "branch"),
        "by_branch": by_branch(request),
    }


def hall_report(request: Any) -> dict[str, Any]:
    return {"month": month(request), "hall": hall_code(request)}


def ratings_span(request: Any) -> dict[str, Any]:
    return {"first": day(request, "from"), "last": day(request, "to"), "hall": hall_code(request)}
