"""The hall's public results page (SPEC §4.1): published months first, else the last complete
month's live numbers; every read keyed (the hall, its month tallies, a publication)."""

from __future__ import annotations

from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.callbacks import CallbackRates
from chalicelib.domain.errors import NotFound
from chalicelib.domain.public_results import (
    LOOK_BACK_MONTHS,
    MonthFigures,
    PublicResults,
    TrendPoint,
    last_complete_month,
    month_before,
    trend_months,
)
from chalicelib.domain.reports import counts_of, is_month, total_of
from chalicelib.domain.stats import StatKind, Tally
from chalicelib.services.ports import Clock, MonthPublicationRepository, OrganisationRepository, TallyReader


def _tally(tallies: TallyReader, hall_code: str, month: str) -> Tally:
    return total_of(tallies.tallies_of_kind(hall_code, month, StatKind.month), StatKind.month)


def _live(tallies: TallyReader, hall_code: str, month: str) -> MonthFigures:
    return MonthFigures(month, _tally(tallies, hall_code, month), _callbacks(tallies, hall_code, month), None)


def _callbacks(tallies: TallyReader, hall_code: str, month: str) -> CallbackRates:
    return CallbackRates(counts_of(tallies.tallies_of_kind(hall_code, month, StatKind.callbacks), StatKind.callbacks))


def _published(
    publications: MonthPublicationRepository, tallies: TallyReader, hall_code: str, month: str
) -> MonthFigures | None:
    version = publications.latest_version(month)
    snapshot = publications.get(month, version) if version else None
    row = next((h for h in snapshot.rows.halls if h.hall.code == hall_code), None) if snapshot else None
    if snapshot is None or row is None:
        return None
    # The callback rates follow their tasks after publication (a task opened in the month is
    # resolved later): they are read live.
    return MonthFigures(month, row.tally.thawed(), _callbacks(tallies, hall_code, month), snapshot.publication)


def hall_results(
    org: OrganisationRepository,
    tallies: TallyReader,
    publications: MonthPublicationRepository,
    clock: Clock,
    hall_code: str,
    month: str | None = None,
) -> PublicResults:
    hall = org.get_hall(hall_code)
    if hall is None:
        raise NotFound(f"No hall {hall_code}.")
    last = last_complete_month(today_in_shanghai(clock.now()))
    if month is not None and not is_month(month):
        raise NotFound(f"{month} is no month: a page is named by one such as 2026-11.")
    if month is not None and month > last:
        raise NotFound(f"{month} is not over yet: its results are not public.")
    figures = None
    if month is None:
        for n in range(LOOK_BACK_MONTHS):
            figures = _published(publications, tallies, hall_code, month_before(last, n))
            if figures is not None:
                break
    else:
        figures = _published(publications, tallies, hall_code, month)
    figures = figures or _live(tallies, hall_code, month or last)
    trend = [
        TrendPoint(m, figures.tally if m == figures.month else _tally(tallies, hall_code, m))
        for m in trend_months(figures.month)
    ]
    return PublicResults(hall.code, hall.name, figures, trend)
