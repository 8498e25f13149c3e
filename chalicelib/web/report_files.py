"""The report files (SPEC §4.4) as the API and the console both serve them: the
request's query and the caller in, the CSV download out. Live numbers, or a
published version with ``?version=``; who may read what is the service's."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import composition
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import exports
from chalicelib.web import params
from chalicelib.web.downloads import file_download
from chalicelib.web.requests import query, whole_number


def staff_monthly(request: Any, actor: UserPrincipal) -> Response:
    version, lang, asked = params.version(request), params.lang(request), params.staff_report(request)
    if version is not None:
        repo = composition.month_publications()
        return file_download(exports.published_staff_monthly_csv(actor, repo, **asked, version=version, lang=lang))
    org, ratings, clock = composition.organisation(), composition.ratings(), composition.clock()
    min_ratings = composition.settings().min_ratings
    return file_download(
        exports.staff_monthly_csv(actor, org, ratings, clock, **asked, min_ratings=min_ratings, lang=lang)
    )


def hall_monthly(request: Any, actor: UserPrincipal) -> Response:
    version, lang, asked = params.version(request), params.lang(request), params.hall_report(request)
    if version is not None:
        repo = composition.month_publications()
        return file_download(exports.published_hall_monthly_csv(actor, repo, **asked, version=version, lang=lang))
    org, ratings, clock = composition.organisation(), composition.ratings(), composition.clock()
    return file_download(exports.hall_monthly_csv(actor, org, ratings, clock, **asked, lang=lang))


def ratings(request: Any, actor: UserPrincipal) -> Response:
    org, stored, clock = composition.organisation(), composition.ratings(), composition.clock()
    asked, lang = params.ratings_span(request), params.lang(request)
    return file_download(exports.ratings_csv(actor, org, stored, clock, **asked, lang=lang))


def coverage(request: Any, actor: UserPrincipal) -> Response:
    quarter, lang = params.quarter(query(request, "quarter")), params.lang(request)
    org, repo, clock = composition.organisation(), composition.outreach(), composition.clock()
    return file_download(exports.coverage_csv(actor, org, repo, clock, quarter=quarter, lang=lang))


def tickets(request: Any, actor: UserPrincipal) -> Response:
    asked, lang = params.hall_report(request), params.lang(request)
    return file_download(exports.tickets_csv(actor, composition.ticket_ports(), **asked, lang=lang))


def inspections(request: Any, actor: UserPrincipal) -> Response:
    month, hall, lang = params.month(request), params.hall_code(request), params.lang(request)
    return file_download(
        exports.inspections_csv(actor, composition.inspection_ports(), month=month, hall=hall, lang=lang)
    )


def stars(request: Any, actor: UserPrincipal) -> Response:
    quarter, hall = params.quarter(query(request, "quarter")), params.hall_code(request)
    version, lang = params.version(request), params.lang(request)
    org, rule_repo = composition.organisation(), composition.star_rules()
    if version is not None:
        repo = composition.star_publications()
        return file_download(
            exports.published_stars_csv(
                actor, org, rule_repo, repo, quarter=quarter, version=version, hall=hall, lang=lang
            )
        )
    tallies, clock = composition.ratings(), composition.clock()
    return file_download(
        exports.stars_csv(actor, org, tallies, rule_repo, clock, quarter=quarter, hall=hall, lang=lang)
    )


def survey_responses(request: Any, actor: UserPrincipal) -> Response:
    survey_id = query(request, "survey")
    if survey_id is None:
        raise InvalidInput("Which survey?", {"survey": "a survey id"})
    version = query(request, "version")
    number = whole_number(version, 1, 999_999) if version is not None else None
    if version is not None and number is None:
        raise InvalidInput("Bad version.", {"version": "a whole number from 1"})
    return file_download(
        exports.survey_responses_csv(
            actor,
            composition.surveys(),
            composition.clock(),
            survey_id=survey_id,
            version=number,
            hall=params.hall_code(request),
            lang=params.lang(request),
        )
    )
