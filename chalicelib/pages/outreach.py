"""The published 五进 results of a quarter (SPEC §4.4): a public page with its
chart, and the same figures as CSV; older versions stay readable."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.labels import OUTREACH_CATEGORY, label
from chalicelib.domain.outreach import (
    QUARTER_PATTERN,
    Category,
    Snapshot,
    is_quarter,
    published_at_label,
)
from chalicelib.pages.errors import page_routes
from chalicelib.services import exports, outreach
from chalicelib.web import params, rendering
from chalicelib.web.downloads import file_download
from chalicelib.web.requests import query, whole_number
from chalicelib.web.routing import CSV, HTML, Auth, PathParam, QueryParam, schema

routes = page_routes(__name__, tag="outreach")
CHART_BAR = 420  # the longest bar, in SVG units


def _version(request: Any) -> int | None:
    raw = query(request, "version")
    if raw is None:
        return None
    version = whole_number(raw, 1, 999_999)
    if version is None:
        raise InvalidInput("Bad version.", {"version": "a version number from 1"})
    return version


def _category(category: Category, lang: str) -> str:
    """The Chinese label, or the stable key on the English page (as published so far)."""
    return label(OUTREACH_CATEGORY, category, "zh") if lang == "zh" else category.value


def _chart(snapshot: Snapshot, lang: str) -> list[dict[str, Any]]:
    """One bar per category, its length in SVG units of the longest (the template draws them)."""
    totals = snapshot.coverage.totals
    counts = [(c, getattr(totals, c.value)) for c in Category]
    top = max(n for _, n in counts) or 1
    return [{"label": _category(c, lang), "count": n, "length": round(CHART_BAR * n / top, 1)} for c, n in counts]


@routes(
    "/outreach/{quarter}",
    "GET",
    summary="Published 五进 results; `2026Q4.csv` gives the CSV",
    auth=Auth.public,
    query=(
        QueryParam(
            "version",
            "an older version (the latest by default)",
            schema=schema(type="integer", minimum=1, maximum=999_999),
        ),
    ),
    produces=(HTML, CSV),
    path_params=(
        PathParam(
            "quarter",
            schema(type="string", pattern=QUARTER_PATTERN.removesuffix("$") + r"(\.csv)?$"),
            "e.g. 2026Q4 for the page, 2026Q4.csv for the CSV",
        ),
    ),
)
def published(quarter: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = rendering.lang_of(request)
    name, is_csv = (quarter[: -len(".csv")], True) if quarter.endswith(".csv") else (quarter, False)
    if not is_quarter(name):
        raise NotFound(f"No such quarter: {name}.")
    version = _version(request)
    snapshot = outreach.published(composition.outreach(), name, version)
    if is_csv:
        # A version never changes once published; "latest" may, so only numbered URLs cache long.
        cache = "public, max-age=31536000, immutable" if version else "public, max-age=300"
        return file_download(exports.published_csv(snapshot, params.lang(request)), cache)
    return rendering.render(
        "outreach.html",
        lang,
        snapshot=snapshot,
        request_version=version is not None,
        published_at=published_at_label(snapshot),
        chart=_chart(snapshot, lang),
        labels={c.value: _category(c, lang) for c in Category},
    )
