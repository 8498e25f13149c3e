"""The reports an export job can write (SPEC §4.10), one entry each in ``REPORTS``.

An entry reads its ``params`` exactly as its download reads its query string
(``web.params``), checks them and the caller at once (``check``: nothing is
read but what a refusal needs), and later opens the report as the caller may
read it (``open``), rows read as they are written, from the position a
resumed job stopped at. Ratings resume at a hall's day (``reports.rating_days``)
after the last rating written; the other reports, one month or quarter of
halls or clerks, are read again and skip the rows written. A new report adds one entry at the end of ``REPORTS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib import composition
from chalicelib.domain import survey_export
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.csv_export import Cell, Lang
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.export_rows import Marked, Row, RowSource
from chalicelib.domain.inspections import INSPECTION_COLUMNS
from chalicelib.domain.inspections import csv_row as inspection_csv_row
from chalicelib.domain.ratings import Rating
from chalicelib.domain.reports import (
    HALL_COLUMNS,
    RATING_COLUMNS,
    STAFF_COLUMNS,
    hall_csv_row,
    rating_csv_row,
    staff_csv_row,
)
from chalicelib.domain.stars import STAR_COLUMNS
from chalicelib.domain.ticket_ledger import TICKET_COLUMNS, ledger_row
from chalicelib.services import export_jobs, export_sizes, inspections, outreach, publications, reports, stars
from chalicelib.services import surveys as survey_service
from chalicelib.services import tickets as ticket_service
from chalicelib.services.export_jobs import ReportRows
from chalicelib.services.exports import COVERAGE_COLUMNS
from chalicelib.web import params
from chalicelib.web.requests import query, whole_number

Params = Mapping[str, str]


class _Query:
    """A job's params where ``web.params`` expects a request: they are the report's query."""

    def __init__(self, values: Params) -> None:
        self.query_params = dict(values)


def _untallied(actor: UserPrincipal, p: Params, past: int) -> int | None:
    """A report of one period's halls, clerks or records: its rows are not counted when asked for
    (none comes near the XLSX cap at a province's size; the run still stops there)."""
    return None


@dataclass(frozen=True)
class FileReport:
    check: Callable[[UserPrincipal, Params], None]
    open: Callable[[UserPrincipal, Params, Lang, str | None], ReportRows]
    tallied_rows: Callable[[UserPrincipal, Params, int], int | None] = _untallied


def _stem(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _what(hall: str | None, branch: str | None = None) -> str:
    return hall or branch or "all"


def _whole(rows: Iterable[Row], position: str | None) -> RowSource:
    """A report read in one piece: resumed, it is read again and skips the rows written."""
    return RowSource.whole(lambda: rows, position)


# ---- ratings ----------------------------------------------------------------------
def _check_ratings(actor: UserPrincipal, p: Params) -> None:
    asked = params.ratings_span(_Query(p))
    reports.check_span(asked["first"], asked["last"], max_days=None)
    reports.check_reader(actor, asked["hall"])


def _tallied_ratings(actor: UserPrincipal, p: Params, past: int) -> int | None:
    asked = params.ratings_span(_Query(p))
    org, tallies = composition.organisation(), composition.ratings()
    return export_sizes.ratings_between(actor, org, tallies, **asked, past=past)


def _open_ratings(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    asked = params.ratings_span(_Query(p))
    days = reports.rating_days(actor, composition.organisation(), composition.ratings(), **asked, max_days=None)
    span = f"{asked['first']:%Y%m%d}-{asked['last']:%Y%m%d}"
    what = _what(asked["hall"])

    def rows(read: Callable[[], Iterator[Rating]]) -> Callable[[], Iterator[Marked]]:
        return lambda: ((r.id, rating_csv_row(r, lang)) for r in read())  # marked by the rating's id

    source = RowSource(((key, rows(read)) for key, read in days), position)
    return ReportRows(RATING_COLUMNS, source, _stem(lang, f"评价明细-{span}-{what}", f"ratings-{span}-{what}"))


# ---- the month's staff ranking and hall summary (live, or a published version) -----
def _check_staff(actor: UserPrincipal, p: Params) -> None:
    q = _Query(p)
    asked = params.staff_report(q)
    params.version(q)
    reports.check_reader(actor, asked["hall"])


def _open_staff(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
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
    return ReportRows(STAFF_COLUMNS, _whole(rows, position), stem)


def _check_halls(actor: UserPrincipal, p: Params) -> None:
    q = _Query(p)
    asked = params.hall_report(q)
    params.version(q)
    reports.check_reader(actor, asked["hall"])


def _open_halls(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    q = _Query(p)
    asked, version = params.hall_report(q), params.version(q)
    columns: Sequence[str] = HALL_COLUMNS
    if version is None:
        found = reports.hall_monthly(actor, composition.organisation(), composition.ratings(), **asked)
        mark = ""
    else:
        snapshot = publications.published_month(actor, composition.month_publications(), asked["month"], version)
        found = publications.published_halls(actor, snapshot, hall=asked["hall"])
        mark, columns = f"-v{snapshot.publication.version}", snapshot.rows.hall_columns
    month, what = asked["month"], _what(asked["hall"])
    stem = _stem(lang, f"营业厅月度汇总-{month}{mark}-{what}", f"hall-monthly-{month}{mark}-{what}")
    return ReportRows(columns, _whole((hall_csv_row(r) for r in found), position), stem)


# ---- 五进 coverage ------------------------------------------------------------------
def _check_outreach(actor: UserPrincipal, p: Params) -> None:
    params.quarter(query(_Query(p), "quarter"))
    outreach.require_outreach_role(actor)


def _open_outreach(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    quarter = params.quarter(query(_Query(p), "quarter"))
    cov = outreach.quarter_coverage(actor, composition.organisation(), composition.outreach(), quarter)
    rows: Iterator[dict[str, Any]] = ({"quarter": cov.quarter, **r.model_dump()} for r in cov.rows)
    return ReportRows(
        COVERAGE_COLUMNS, _whole(rows, position), _stem(lang, f"五进覆盖-{quarter}", f"outreach-coverage-{quarter}")
    )


# ---- the work-order ledger (工单台账) ----------------------------------------------
def _check_tickets(actor: UserPrincipal, p: Params) -> None:
    asked = params.hall_report(_Query(p))
    reports.check_reader(actor, asked["hall"])


def _open_tickets(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    asked = params.hall_report(_Query(p))
    month, what = asked["month"], _what(asked["hall"])
    found = ticket_service.ledger_rows(actor, composition.ticket_ports(), month, asked["hall"])
    rows = (ledger_row(t, task, lang) for t, task in found)
    return ReportRows(
        TICKET_COLUMNS, _whole(rows, position), _stem(lang, f"工单台账-{month}-{what}", f"tickets-{month}-{what}")
    )


# ---- inspections (明察暗访) and stars ---------------------------------------------
def _check_inspections(actor: UserPrincipal, p: Params) -> None:
    q = _Query(p)
    params.month(q)
    if actor.role is not Role.inspector:  # an inspector's file holds their own inspections
        reports.check_reader(actor, params.hall_code(q))


def _open_inspections(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    q = _Query(p)
    month, hall = params.month(q), params.hall_code(q)
    found = inspections.month_inspections(actor, composition.inspection_ports(), month=month, hall_code=hall)
    stem = _stem(lang, f"明察暗访-{month}-{_what(hall)}", f"inspections-{month}-{_what(hall)}")
    return ReportRows(INSPECTION_COLUMNS, _whole((inspection_csv_row(i, lang) for i in found), position), stem)


def _check_stars(actor: UserPrincipal, p: Params) -> None:
    q = _Query(p)
    params.quarter(query(q, "quarter"))
    params.version(q)
    reports.check_reader(actor, params.hall_code(q))


def _open_stars(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    q = _Query(p)
    quarter, hall, version = params.quarter(query(q, "quarter")), params.hall_code(q), params.version(q)
    org, rule_repo = composition.organisation(), composition.star_rules()
    if version is None:
        board = stars.live_board(actor, org, composition.ratings(), rule_repo, quarter=quarter, hall_code=hall)
        mark = ""
    else:
        repo = composition.star_publications()
        board = stars.published_board(actor, org, rule_repo, repo, quarter=quarter, version=version, hall_code=hall)
        mark = f"-v{board.publication.version}" if board.publication else ""
    stem = _stem(lang, f"星级评定-{quarter}{mark}-{_what(hall)}", f"stars-{quarter}{mark}-{_what(hall)}")
    return ReportRows(STAR_COLUMNS, _whole((r.csv_row(lang) for r in board.rows), position), stem)


# ---- survey responses: one column per question, headed by its text ---------------------
def _survey_query(p: Params) -> tuple[str, int | None, str | None]:
    q = _Query(p)
    survey_id = query(q, "survey")
    if survey_id is None:
        raise InvalidInput("Which survey?", {"survey": "a survey id"})
    version = query(q, "version")
    number = whole_number(version, 1, 999_999) if version is not None else None
    if version is not None and number is None:
        raise InvalidInput("Bad version.", {"version": "a whole number from 1"})
    return survey_id, number, params.hall_code(q)


def _check_survey(actor: UserPrincipal, p: Params) -> None:
    survey_id, version, hall = _survey_query(p)
    survey_service.survey_results(actor, composition.surveys(), survey_id, version, hall)


def _tallied_survey(actor: UserPrincipal, p: Params, past: int) -> int | None:
    survey_id, version, hall = _survey_query(p)
    found = survey_service.survey_results(actor, composition.surveys(), survey_id, version, hall)
    return found.results.responses  # the responses the file would hold, from the survey's tallies


def _open_survey(actor: UserPrincipal, p: Params, lang: Lang, position: str | None) -> ReportRows:
    survey_id, version, hall = _survey_query(p)
    repo = composition.surveys()
    questionnaire = survey_service.survey_results(actor, repo, survey_id, version, hall).version.questionnaire()
    headers = survey_export.question_columns(questionnaire, lang)
    rows = (
        survey_export.response_row(questionnaire, r, lang)
        for r in repo.responses(survey_id, version)
        if (hall is None or r.hall_code == hall) and actor.can_see_hall(r.hall_code)
    )
    what = (f"{survey_id[:8]}-v{version}" if version else survey_id[:8]) + (f"-{hall}" if hall else "")
    stem = _stem(lang, f"问卷答卷-{what}", f"survey-responses-{what}")
    return ReportRows((*survey_export.FIXED_COLUMNS, *headers), _whole(rows, position), stem, headers)


REPORTS: dict[str, export_jobs.ExportReport] = {
    "ratings": FileReport(_check_ratings, _open_ratings, _tallied_ratings),
    "staff-monthly": FileReport(_check_staff, _open_staff),
    "hall-monthly": FileReport(_check_halls, _open_halls),
    "outreach": FileReport(_check_outreach, _open_outreach),
    "tickets": FileReport(_check_tickets, _open_tickets),
    "inspections": FileReport(_check_inspections, _open_inspections),
    "stars": FileReport(_check_stars, _open_stars),
    "survey-responses": FileReport(_check_survey, _open_survey, _tallied_survey),
}
