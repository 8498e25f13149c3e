"""The reports an export job can write (SPEC §4.10), one entry each in ``REPORTS``.

An entry reads its ``params`` exactly as its download reads its query string
(``web.params``), checks them and the caller at once (``check``: nothing is
read but what a refusal needs), and later opens the report as the caller may
read it (``open``), rows read as they are written. A new report adds one
entry at the end of ``REPORTS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import composition
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.csv_export import Cell, Lang
from chalicelib.domain.reports import (
    HALL_COLUMNS,
    RATING_COLUMNS,
    STAFF_COLUMNS,
    hall_csv_row,
    rating_csv_row,
    staff_csv_row,
)
from chalicelib.services import export_jobs, outreach, publications, reports
from chalicelib.services.export_jobs import ReportRows
from chalicelib.services.exports import COVERAGE_COLUMNS
from chalicelib.web import params
from chalicelib.web.requests import query

Params = Mapping[str, str]


class _Query:
    """A job's params where ``web.params`` expects a request: they are the report's query."""

    def __init__(self, values: Params) -> None:
        self.query_params = dict(values)


@dataclass(frozen=True)
class FileReport:
    check: Callable[[UserPrincipal, Params], None]
    open: Callable[[UserPrincipal, Params, Lang], ReportRows]


def _stem(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _what(hall: str | None, branch: str | None = None) -> str:
    return hall or branch or "all"


# ---- ratings ----------------------------------------------------------------------
def _check_ratings(actor: UserPrincipal, p: Params) -> None:
    asked = params.ratings_span(_Query(p))
    reports.check_span(asked["first"], asked["last"], max_days=None)
    reports.check_reader(actor, asked["hall"])


def _open_ratings(actor: UserPrincipal, p: Params, lang: Lang) -> ReportRows:
    asked = params.ratings_span(_Query(p))
    stored = reports.ratings_export(actor, composition.organisation(), composition.ratings(), **asked, max_days=None)
    span = f"{asked['first']:%Y%m%d}-{asked['last']:%Y%m%d}"
    what = _what(asked["hall"])
    rows = (rating_csv_row(r, lang) for r in stored)
    return ReportRows(RATING_COLUMNS, rows, _stem(lang, f"评价明细-{span}-{what}", f"ratings-{span}-{what}"))


# ---- the month's staff ranking and hall summary (live, or a published version) -----
def _check_staff(actor: UserPrincipal, p: Params) -> None:
    q = _Query(p)
    asked = params.staff_report(q)
    params.version(q)
    reports.check_reader(actor, asked["hall"])


def _open_staff(actor: UserPrincipal, p: Params, lang: Lang) -> ReportRows:
    q = _Query(p)
    asked, version = params.staff_report(q), params.version(q)
    if version is None:
        min_ratings = composition.settings().min_ratings
        report = reports.staff_monthly(
            actor, composition.organisation(), composition.ratings(), **asked, min_ratings=min_ratings
        )
        mark = ""
    else:
        snapshot = publications.published_month(actor, composition.month_publications(), asked["month"], version)
        report = publications.published_staff(
            actor, snapshot, hall=asked["hall"], branch=asked["branch"], by_branch=asked["by_branch"]
        )
        mark = f"-v{snapshot.publication.version}"
    what = _what(asked["hall"], asked["branch"])
    scope = "branch-" if report.scope == "branch" else ""
    rows: Iterator[dict[str, Cell]] = (staff_csv_row(r, lang) for r in report.rows)
    stem = _stem(lang, f"员工月度排名-{report.month}{mark}-{what}", f"staff-monthly-{report.month}{mark}-{scope}{what}")
    return ReportRows(STAFF_COLUMNS, rows, stem)


def _check_halls(actor: UserPrincipal, p: Params) -> None:
    q = _Query(p)
    asked = params.hall_report(q)
    params.version(q)
    reports.check_reader(actor, asked["hall"])


def _open_halls(actor: UserPrincipal, p: Params, lang: Lang) -> ReportRows:
    q = _Query(p)
    asked, version = params.hall_report(q), params.version(q)
    if version is None:
        found = reports.hall_monthly(actor, composition.organisation(), composition.ratings(), **asked)
        mark = ""
    else:
        snapshot = publications.published_month(actor, composition.month_publications(), asked["month"], version)
        found = publications.published_halls(actor, snapshot, hall=asked["hall"])
        mark = f"-v{snapshot.publication.version}"
    month, what = asked["month"], _what(asked["hall"])
    stem = _stem(lang, f"营业厅月度汇总-{month}{mark}-{what}", f"hall-monthly-{month}{mark}-{what}")
    return ReportRows(HALL_COLUMNS, (hall_csv_row(r) for r in found), stem)


# ---- 五进 coverage ------------------------------------------------------------------
def _check_outreach(actor: UserPrincipal, p: Params) -> None:
    params.quarter(query(_Query(p), "quarter"))
    outreach.require_outreach_role(actor)


def _open_outreach(actor: UserPrincipal, p: Params, lang: Lang) -> ReportRows:
    quarter = params.quarter(query(_Query(p), "quarter"))
    cov = outreach.quarter_coverage(actor, composition.organisation(), composition.outreach(), quarter)
    rows: Iterator[dict[str, Any]] = ({"quarter": cov.quarter, **r.model_dump()} for r in cov.rows)
    return ReportRows(COVERAGE_COLUMNS, rows, _stem(lang, f"五进覆盖-{quarter}", f"outreach-coverage-{quarter}"))


REPORTS: dict[str, export_jobs.ExportReport] = {
    "ratings": FileReport(_check_ratings, _open_ratings),
    "staff-monthly": FileReport(_check_staff, _open_staff),
    "hall-monthly": FileReport(_check_halls, _open_halls),
    "outreach": FileReport(_check_outreach, _open_outreach),
}
