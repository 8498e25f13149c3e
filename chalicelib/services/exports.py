"""The CSV files of SPEC §4.4, as the JSON API and the console both serve them:
each function reads its report with the caller's rights and returns the file's
text and its names (Chinese, and an ASCII fallback that says what and when).

A published version's file is rendered from the version's frozen rows and
named by the day it was published, so it is the same file byte for byte
whenever it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain import csv_export, survey_export
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.business_time import SHANGHAI, today_in_shanghai
from chalicelib.domain.inspections import INSPECTION_COLUMNS
from chalicelib.domain.inspections import csv_row as inspection_csv_row
from chalicelib.domain.outreach import Coverage, Snapshot
from chalicelib.domain.publications import Publication, Wanted
from chalicelib.domain.reports import (
    HALL_COLUMNS,
    RATING_COLUMNS,
    STAFF_COLUMNS,
    HallRow,
    capped,
    hall_csv_row,
    rating_csv_row,
    staff_csv_row,
)
from chalicelib.domain.stars import STAR_COLUMNS
from chalicelib.domain.ticket_ledger import TICKET_COLUMNS, ledger_row
from chalicelib.services import inspections, outreach, publications, reports, stars, surveys, tickets
from chalicelib.services.inspections import InspectionPorts
from chalicelib.services.ports import (
    Clock,
    MonthPublicationRepository,
    OrganisationRepository,
    OutreachRepository,
    RatingRepository,
    StarPublicationRepository,
    StarRuleRepository,
    SurveyRepository,
    TallyReader,
)
from chalicelib.services.tickets import TicketPorts

COVERAGE_COLUMNS = (
    "quarter",
    "branch",
    "hall_code",
    "hall",
    "events",
    "community",
    "enterprise",
    "village",
    "household",
    "school",
    "participants",
    "households_visited",
    "safety_checks",
    "covered",
)


@dataclass(frozen=True)
class CsvFile:
    text: str  # BOM-prefixed, CRLF (domain.csv_export)
    name: str  # in the language asked for
    ascii_name: str  # the fallback every client reads


def _named(text: str, zh_stem: str, en_stem: str, *, lang: csv_export.Lang, clock: Clock) -> CsvFile:
    stamp = today_in_shanghai(clock.now()).strftime("%Y%m%d")
    ascii_name = f"{en_stem}-{stamp}.csv"
    return CsvFile(text, ascii_name if lang == "en" else f"{zh_stem}-{stamp}.csv", ascii_name)


def _published(text: str, zh_stem: str, en_stem: str, *, lang: csv_export.Lang, version: Publication) -> CsvFile:
    """A published version's file: named by its number and the day it was published, never today."""
    day = version.published_at.astimezone(SHANGHAI).strftime("%Y%m%d")
    ascii_name = f"{en_stem}-v{version.version}-{day}.csv"
    return CsvFile(text, ascii_name if lang == "en" else f"{zh_stem}-第{version.version}版-{day}.csv", ascii_name)


def _what(hall: str | None, branch: str | None) -> str:
    """The scope part of a filename: the hall, the branch, or ``all``."""
    return hall or branch or "all"


def _staff_file(report: reports.StaffMonthly, lang: csv_export.Lang, what: str) -> tuple[str, str, str]:
    """The ranking's text and its filename stems (Chinese, English)."""
    text = csv_export.to_csv(STAFF_COLUMNS, (staff_csv_row(r, lang) for r in report.rows), lang)
    scope = "branch-" if report.scope == "branch" else ""
    return text, f"员工月度排名-{report.month}-{what}", f"staff-monthly-{report.month}-{scope}{what}"


def _hall_file(
    month: str, rows: list[HallRow], lang: csv_export.Lang, what: str, columns: tuple[str, ...] = HALL_COLUMNS
) -> tuple[str, str, str]:
    text = csv_export.to_csv(columns, (hall_csv_row(r) for r in rows), lang)
    return text, f"营业厅月度汇总-{month}-{what}", f"hall-monthly-{month}-{what}"


def staff_monthly_csv(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    clock: Clock,
    *,
    month: str,
    hall: str | None,
    branch: str | None,
    by_branch: bool,
    min_ratings: int,
    lang: csv_export.Lang,
) -> CsvFile:
    report = reports.staff_monthly(
        actor, org, tallies, month=month, hall=hall, branch=branch, by_branch=by_branch, min_ratings=min_ratings
    )
    return _named(*_staff_file(report, lang, _what(hall, branch)), clock=clock, lang=lang)


def hall_monthly_csv(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    clock: Clock,
    *,
    month: str,
    hall: str | None,
    lang: csv_export.Lang,
) -> CsvFile:
    rows = reports.hall_monthly(actor, org, tallies, month=month, hall=hall)
    return _named(*_hall_file(month, rows, lang, _what(hall, None)), clock=clock, lang=lang)


def published_staff_monthly_csv(
    actor: UserPrincipal,
    repo: MonthPublicationRepository,
    *,
    month: str,
    version: Wanted,
    hall: str | None,
    branch: str | None,
    by_branch: bool,
    lang: csv_export.Lang,
) -> CsvFile:
    """A published version's ranking: the same query answers the same bytes for ever."""
    snapshot = publications.published_month(actor, repo, month, version)
    report = publications.published_staff(actor, snapshot, hall=hall, branch=branch, by_branch=by_branch)
    return _published(*_staff_file(report, lang, _what(hall, branch)), version=snapshot.publication, lang=lang)


def published_hall_monthly_csv(
    actor: UserPrincipal,
    repo: MonthPublicationRepository,
    *,
    month: str,
    version: Wanted,
    hall: str | None,
    lang: csv_export.Lang,
) -> CsvFile:
    snapshot = publications.published_month(actor, repo, month, version)
    rows = publications.published_halls(actor, snapshot, hall=hall)
    columns = snapshot.rows.hall_columns
    return _published(
        *_hall_file(month, rows, lang, _what(hall, None), columns), version=snapshot.publication, lang=lang
    )


def ratings_csv(
    actor: UserPrincipal,
    org: OrganisationRepository,
    ratings: RatingRepository,
    clock: Clock,
    *,
    first: date,
    last: date,
    hall: str | None,
    lang: csv_export.Lang,
) -> CsvFile:
    stored = reports.ratings_export(actor, org, ratings, first=first, last=last, hall=hall)
    text = csv_export.to_csv(RATING_COLUMNS, capped(rating_csv_row(r, lang) for r in stored), lang)
    span, what = f"{first:%Y%m%d}-{last:%Y%m%d}", _what(hall, None)
    return _named(text, f"评价明细-{span}-{what}", f"ratings-{span}-{what}", lang=lang, clock=clock)


def _coverage_text(cov: Coverage, lang: csv_export.Lang) -> str:
    rows = ({"quarter": cov.quarter, **r.model_dump()} for r in cov.rows)
    return csv_export.to_csv(COVERAGE_COLUMNS, rows, lang)


def coverage_csv(
    actor: UserPrincipal,
    org: OrganisationRepository,
    repo: OutreachRepository,
    clock: Clock,
    *,
    quarter: str,
    lang: csv_export.Lang,
) -> CsvFile:
    cov = outreach.quarter_coverage(actor, org, repo, quarter)
    text = _coverage_text(cov, lang)
    return _named(text, f"五进覆盖-{quarter}", f"outreach-coverage-{quarter}", lang=lang, clock=clock)


def published_csv(snapshot: Snapshot, lang: csv_export.Lang) -> CsvFile:
    """A published version of a quarter's results: named by its version and the day it was published."""
    day = snapshot.published_at.astimezone(SHANGHAI).strftime("%Y%m%d")
    ascii_name = f"outreach-{snapshot.quarter}-v{snapshot.version}-{day}.csv"
    zh_name = f"五进成果-{snapshot.quarter}-第{snapshot.version}版-{day}.csv"
    return CsvFile(_coverage_text(snapshot.coverage, lang), ascii_name if lang == "en" else zh_name, ascii_name)


def tickets_csv(
    actor: UserPrincipal, ports: TicketPorts, *, month: str, hall: str | None, lang: csv_export.Lang
) -> CsvFile:
    """The order ledger (工单台账) of a month, per hall, from keyed reads."""
    rows = (ledger_row(t, task, lang) for t, task in tickets.ledger_rows(actor, ports, month, hall))
    text = csv_export.to_csv(TICKET_COLUMNS, rows, lang)
    what = _what(hall, None)
    return _named(text, f"工单台账-{month}-{what}", f"tickets-{month}-{what}", lang=lang, clock=ports.clock)


# ---- inspections.csv and stars.csv (SPEC §4.4) -------------------------------------------------
def inspections_csv(
    actor: UserPrincipal, ports: InspectionPorts, *, month: str, hall: str | None, lang: csv_export.Lang
) -> CsvFile:
    """The month's counted inspections the actor may read (void ones and upheld appeals left out)."""
    found = inspections.month_inspections(actor, ports, month=month, hall_code=hall)
    text = csv_export.to_csv(INSPECTION_COLUMNS, (inspection_csv_row(i, lang) for i in found), lang)
    what = _what(hall, None)
    return _named(text, f"明察暗访-{month}-{what}", f"inspections-{month}-{what}", lang=lang, clock=ports.clock)


def _stars_file(board: stars.Board, lang: csv_export.Lang, what: str) -> tuple[str, str, str]:
    text = csv_export.to_csv(STAR_COLUMNS, (r.csv_row(lang) for r in board.rows), lang)
    return text, f"星级评定-{board.quarter}-{what}", f"stars-{board.quarter}-{what}"


def stars_csv(
    actor: UserPrincipal,
    org: OrganisationRepository,
    tallies: TallyReader,
    rule_repo: StarRuleRepository,
    clock: Clock,
    *,
    quarter: str,
    hall: str | None,
    lang: csv_export.Lang,
) -> CsvFile:
    board = stars.live_board(actor, org, tallies, rule_repo, quarter=quarter, hall_code=hall)
    return _named(*_stars_file(board, lang, _what(hall, None)), clock=clock, lang=lang)


def published_stars_csv(
    actor: UserPrincipal,
    org: OrganisationRepository,
    rule_repo: StarRuleRepository,
    repo: StarPublicationRepository,
    *,
    quarter: str,
    version: Wanted,
    hall: str | None,
    lang: csv_export.Lang,
) -> CsvFile:
    """A published version's stars: the same query answers the same bytes for ever."""
    board = stars.published_board(actor, org, rule_repo, repo, quarter=quarter, version=version, hall_code=hall)
    assert board.publication is not None  # a published board names its version
    text, zh_stem, en_stem = _stars_file(board, lang, _what(hall, None))
    day = board.publication.published_at.astimezone(SHANGHAI).strftime("%Y%m%d")
    number = board.publication.version
    ascii_name = f"{en_stem}-v{number}-{day}.csv"
    return CsvFile(text, ascii_name if lang == "en" else f"{zh_stem}-第{number}版-{day}.csv", ascii_name)


def survey_responses_csv(
    actor: UserPrincipal,
    repo: SurveyRepository,
    clock: Clock,
    *,
    survey_id: str,
    version: int | None,
    hall: str | None,
    lang: csv_export.Lang,
) -> CsvFile:
    """Every response of the survey (or of one version), the questions of that version (or the
    latest) as columns; managers get their halls' rows."""
    found = surveys.survey_results(actor, repo, survey_id, version, hall)
    questionnaire = found.version.questionnaire()
    headers = survey_export.question_columns(questionnaire, lang)
    rows = (
        survey_export.response_row(questionnaire, r, lang)
        for r in repo.responses(survey_id, version)
        if (hall is None or r.hall_code == hall) and actor.can_see_hall(r.hall_code)
    )
    text = csv_export.to_csv((*survey_export.FIXED_COLUMNS, *headers), rows, lang, headers)
    what = f"{survey_id[:8]}-v{version}" if version else survey_id[:8]
    what += f"-{hall}" if hall else ""
    return _named(text, f"问卷答卷-{what}", f"survey-responses-{what}", lang=lang, clock=clock)
