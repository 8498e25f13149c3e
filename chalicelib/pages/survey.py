"""The customer's survey page behind a hall's QR code or an SMS invitation (SPEC §4.1 ``/q/{code}``).

No JavaScript: the questionnaire is shown a screen (block) at a time, a new
block starting where a question's ``show_if`` looks at an answer of the block
before (``surveys.blocks``). Each screen posts to ``/q/{code}`` with its
``block`` number; earlier answers travel as hidden fields and are checked
again, so skip logic is the server's. The last screen (or a post without
``block``, as a JSON client sends) stores the response under the form's
``response_id``: sending it again answers the same thank-you page and counts
nothing. A browser that answered carries a cookie and is thanked instead of
asked again; the service limits each client address.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from chalice import Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib import composition
from chalicelib.domain import qrcodes
from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.labels import LEVEL, label
from chalicelib.domain.surveys import (
    InvitationUsed,
    Questionnaire,
    QuestionType,
    SurveyClosed,
    blocks,
    flat_answers,
    is_visible,
    read_answers,
)
from chalicelib.pages.errors import page_routes
from chalicelib.services import surveys
from chalicelib.web import rendering as pages
from chalicelib.web.requests import client_address, cookies, form_fields, json_body, media_type, wants_json
from chalicelib.web.responses import cookie, json_response
from chalicelib.web.routing import FORM, HTML, JSON, Auth

routes = page_routes(__name__, tag="public")
ONCE_PER_SECONDS = 30 * 24 * 3600  # a browser answers a survey once
CONTROL_FIELDS = ("response_id", "version", "block", "lang")


class SurveyAnswersForm(BaseModel):
    """The form's fields: the control fields below, plus one field per question (``q1=4``; a
    ``multi`` question repeats its field; a ``matrix5`` row is ``q5.<row>=3``)."""

    model_config = ConfigDict(extra="allow")
    response_id: str = Field(description="a UUID the page mints: a double submit counts once")
    version: int | None = Field(default=None, description="the version the form shows (default: the latest)")
    block: int | None = Field(default=None, description="the screen sent; absent or the last one: submit")


class SurveyAnswered(BaseModel):
    id: str


def _cookie_name(survey_id: str) -> str:
    return "ts_q_" + hashlib.sha256(survey_id.encode()).hexdigest()[:16]


def _survey_of(code: str) -> str:
    link = qrcodes.parse_survey_code(composition.settings().qr_key, code)
    if link is None:
        raise NotFound("No such survey.")
    return link.survey_id


def _kind_refusal(error: SurveyClosed | InvitationUsed, lang: str, status: int) -> Response:
    return pages.render("survey_closed.html", lang, status=status, used=isinstance(error, InvitationUsed))


def _screen(
    code: str,
    lang: str,
    opened: surveys.Opened,
    index: int,
    response_id: str,
    earlier: dict[str, Any],
    status: int = 200,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    questionnaire = opened.version.questionnaire()
    spans = blocks(questionnaire)
    start, end = spans[index]
    before = {q.id for q in questionnaire.questions[:start]}
    known = read_answers(questionnaire, {k: v for k, v in earlier.items() if k.partition(".")[0] in before}, upto=start)
    shown = [q for q in questionnaire.questions[start:end] if is_visible(q, known)]
    hidden = [
        (k, v) for k, value in flat_answers(known).items() for v in (value if isinstance(value, list) else [value])
    ]
    faulty = {name.partition(".")[0] for name in (errors or {})}
    return pages.render(
        "survey.html",
        lang,
        status=status,
        code=code,
        title=opened.version.title,
        intro=opened.version.intro if index == 0 else "",
        questions=shown,
        step=index + 1,
        steps=len(spans),
        block=index,
        last=index == len(spans) - 1,
        response_id=response_id,
        version=opened.version.version,
        hidden=hidden,
        form=form or {},
        faulty=faulty,
        level_label=lambda v: label(LEVEL, v, lang),
        types=QuestionType,
        invitation=opened.invitation is not None,
    )


@routes(
    "/q/{code}",
    "GET",
    summary="A survey's first screen (410: closed; 409: an invitation used)",
    auth=Auth.public,
    produces=HTML,
    statuses=(409, 410),
)
def survey_form(code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    survey_id = _survey_of(code)
    try:
        opened = surveys.open_link(composition.surveys(), composition.clock(), composition.settings().qr_key, code)
    except SurveyClosed as e:
        return _kind_refusal(e, lang, 410)
    except InvitationUsed as e:
        return _kind_refusal(e, lang, 409)
    if opened.invitation is None and _cookie_name(survey_id) in cookies(request):
        return pages.render("survey_thanks.html", lang, already=True)
    return _screen(code, lang, opened, 0, str(uuid.uuid4()), {})


def _sent(request: Any, opened_version: Any = None) -> dict[str, Any]:
    """The post as flat names: a JSON object, or the form with each ``multi`` field as a list."""
    if media_type(request) == JSON:
        data = json_body(request)
        if not isinstance(data, dict):
            raise InvalidInput("The body must be a JSON object.", {"body": "not an object"})
        return data
    repeatable: tuple[str, ...] = ()
    if opened_version is not None:
        repeatable = tuple(q.id for q in opened_version.questions if q.type is QuestionType.multi)
    return form_fields(request, repeatable)


def _control(sent: dict[str, Any], name: str, high: int) -> int | None:
    raw = sent.get(name)
    if raw is None or raw == "":
        return None
    value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 7:
        value = int(raw)
    if value is None or not 0 <= value <= high:
        raise InvalidInput(f"Bad {name}.", {name: f"a whole number up to {high}"})
    return value


def _first_block_at_fault(questionnaire: Questionnaire, faults: dict[str, str]) -> int:
    ids = [q.id for q in questionnaire.questions]
    at = min((ids.index(n.partition(".")[0]) for n in faults if n.partition(".")[0] in ids), default=0)
    return next(i for i, (start, end) in enumerate(blocks(questionnaire)) if start <= at < end)


@routes(
    "/q/{code}",
    "POST",
    summary="Answer a survey screen; the last one stores the response: 303 to thanks ({id} with Accept: JSON)",
    auth=Auth.public,
    request=SurveyAnswersForm,
    response=SurveyAnswered,
    produces=(HTML, JSON),
    content_types=[FORM, JSON],
    statuses=(303, 409, 410, 429),
)
def submit_survey(code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    as_json = wants_json(request)
    repo, clock, key = composition.surveys(), composition.clock(), composition.settings().qr_key
    survey_id = _survey_of(code)
    first = _sent(request)
    response_id = surveys.response_id_of(first.get("response_id"))
    earlier = surveys.answered(repo, key, code, response_id)
    if earlier is not None:  # sent again (Back, reload, a retry): the same answer, nothing counted
        return _answered(code, lang, as_json, survey_id, response_id)
    try:
        opened = surveys.open_link(repo, clock, key, code, _control(first, "version", 999_999))
    except (SurveyClosed, InvitationUsed) as e:
        if as_json:
            raise
        return _kind_refusal(e, lang, 410 if isinstance(e, SurveyClosed) else 409)
    if opened.invitation is None and _cookie_name(survey_id) in cookies(request):
        if as_json:
            raise TooManyRequests("This browser answered this survey already.")
        return pages.render("survey_thanks.html", lang, already=True)
    sent = _sent(request, opened.version)
    answers = {k: v for k, v in sent.items() if k not in CONTROL_FIELDS and k != "website"}
    questionnaire = opened.version.questionnaire()
    spans = blocks(questionnaire)
    block = _control(sent, "block", len(spans) - 1)
    try:
        if block is not None and block < len(spans) - 1:
            read_answers(questionnaire, answers, upto=spans[block][1])
            return _screen(code, lang, opened, block + 1, response_id, answers)
        surveys.respond_opened(
            repo,
            composition.rate_limiter(),
            clock,
            opened,
            response_id=response_id,
            answers=answers,
            client=client_address(request),
        )
    except InvalidInput as e:
        if as_json:
            raise
        at = block if block is not None and block < len(spans) - 1 else _first_block_at_fault(questionnaire, e.fields)
        return _screen(code, lang, opened, at, response_id, answers, status=400, form=sent, errors=e.fields)
    return _answered(code, lang, as_json, survey_id, response_id)


def _answered(code: str, lang: str, as_json: bool, survey_id: str, response_id: str) -> Response:
    once = cookie(_cookie_name(survey_id), "1", "/q/", ONCE_PER_SECONDS, composition.settings().secure_cookies)
    if as_json:
        return json_response({"id": response_id}, headers={"Set-Cookie": once})
    location = f"/q/{code}/thanks" + ("?lang=en" if lang == "en" else "")
    return Response(
        body="", status_code=303, headers={"Location": location, "Cache-Control": "no-store", "Set-Cookie": once}
    )


@routes("/q/{code}/thanks", "GET", summary="Thank-you page after a survey", auth=Auth.public, produces=HTML)
def survey_thanks(code: str):  # type: ignore[no-untyped-def]
    _survey_of(code)
    return pages.render("survey_thanks.html", pages.lang_of(routes.request), already=False)


@routes(
    "/q/{code}/opt-out",
    "POST",
    summary="退订: an SMS invitation's number is never invited again (404 for any other code)",
    auth=Auth.public,
    produces=HTML,
    content_types=[FORM],
    statuses=(404,),
    body_required=False,
)
def survey_opt_out(code: str):  # type: ignore[no-untyped-def]
    surveys.opt_out(composition.surveys(), composition.settings().qr_key, code)
    return pages.render("survey_thanks.html", pages.lang_of(routes.request), already=False, opted_out=True)
