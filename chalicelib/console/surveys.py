"""Console: surveys without JavaScript. The builder edits the draft a question at a time (add,
change, move, remove; options and rows one a line; ``show_if``) and previews it; publish,
close, links and QR codes, SMS invitations; results with inline SVG charts per question and
per dimension, and a comparison with another version or another survey (a second round)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib import composition
from chalicelib.console.layout import ConsoleRoutes, lang_of, principal, redirect, render
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.domain.labels import LEVEL, QUESTION_TYPE, SURVEY_STATUS, label
from chalicelib.domain.paging import MAX_PAGE_SIZE
from chalicelib.domain.survey_builder import (
    add_question,
    as_lines,
    move_question,
    parse_lines,
    remove_question,
    replace_question,
)
from chalicelib.domain.survey_results import Results
from chalicelib.domain.survey_templates import blank, customer_perception
from chalicelib.domain.surveys import QuestionType, SurveyDraft, blocks
from chalicelib.inputs import InvitationsIn
from chalicelib.services import surveys
from chalicelib.web import report_files
from chalicelib.web.errors import invalid_input
from chalicelib.web.requests import base_url, form_fields, query, whole_number
from chalicelib.web.routing import CSV, PathParam, QueryParam, schema

routes = ConsoleRoutes(__name__)
SURVEY = (PathParam("survey_id", schema(type="string", pattern=r"^[0-9a-f]{32}$"), "the survey's id"),)
QUESTION = (*SURVEY, PathParam("question_id", schema(type="string", pattern=r"^[a-z][a-z0-9_]{0,31}$")))
DONE = QueryParam("done", "what the form before did, for the page's notice", checked=False)


@routes.page("/console/surveys", summary="Surveys: the list, and new ones from the 客户感知 template", query=(DONE,))
def survey_list():  # type: ignore[no-untyped-def]
    request = routes.request
    page = surveys.list_surveys(principal(request), composition.surveys(), query(request, "cursor"), MAX_PAGE_SIZE)
    return render(
        request,
        "surveys.html",
        section="surveys",
        items=page.items,
        next=page.next,
        status_label=_status_label(request),
    )


def _status_label(request: Any) -> Callable[[str], str]:
    lang = lang_of(request)
    return lambda status: label(SURVEY_STATUS, status, lang)


@routes.action("/console/surveys", summary="Start a survey from the template (or a blank one)")
def start_survey():  # type: ignore[no-untyped-def]
    request = routes.request
    draft = blank() if form_fields(request).get("start") == "blank" else customer_perception()
    survey = surveys.create_survey(principal(request), composition.surveys(), composition.clock(), draft)
    return redirect(request, f"/console/surveys/{survey.id}", done="created")


def _builder(survey_id: str, status: int = 200, problems: dict[str, str] | None = None) -> Response:
    request = routes.request
    actor = principal(request)
    survey, versions = surveys.get_survey(actor, composition.surveys(), survey_id)
    links = (
        surveys.hall_links(
            actor,
            composition.surveys(),
            composition.organisation(),
            composition.settings().qr_key,
            survey_id,
            base_url(request),
        )
        if survey.version
        else []
    )
    draft = survey.draft
    return render(
        request,
        "survey_builder.html",
        status=status,
        section="surveys",
        survey=survey,
        draft=draft,
        versions=versions,
        links=links,
        lines={q.id: as_lines(q) for q in draft.questions},
        types=[(t.value, label(QUESTION_TYPE, t.value, lang_of(request))) for t in QuestionType],
        status_label=_status_label(request),
        problems=problems or {},
        done=query(request, "done"),
        opens=_local(draft.opens_at),
        closes=_local(draft.closes_at),
    )


def _local(at: datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if at else ""


@routes.page(
    "/console/surveys/{survey_id}", summary="The survey builder", path_params=SURVEY, query=(DONE,), statuses=(404,)
)
def survey_builder(survey_id: str):  # type: ignore[no-untyped-def]
    return _builder(survey_id)


def _edit(survey_id: str, change: Callable[[SurveyDraft], SurveyDraft], done: str) -> Response:
    """Apply one builder step to the draft; a refused step shows the builder again with why."""
    request = routes.request
    actor = principal(request)
    repo = composition.surveys()
    try:
        survey, _ = surveys.get_survey(actor, repo, survey_id)
        surveys.edit_survey(actor, repo, composition.clock(), survey_id, change(survey.draft))
    except InvalidInput as e:
        return _builder(survey_id, status=400, problems=e.fields)
    return redirect(request, f"/console/surveys/{survey_id}", done=done)


def _instant(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI)
    except ValueError:
        raise InvalidInput("Bad time.", {name: "a date and time"}) from None


@routes.action(
    "/console/surveys/{survey_id}/settings", summary="Change the survey's title, halls and dates", path_params=SURVEY
)
def survey_settings(survey_id: str):  # type: ignore[no-untyped-def]
    fields = form_fields(routes.request)

    def change(draft: SurveyDraft) -> SurveyDraft:
        halls = [h for h in (fields.get("halls") or "").replace(",", " ").split() if h]
        body = draft.model_dump(mode="json", by_alias=True) | {
            "title": fields.get("title") or "",
            "intro": fields.get("intro") or "",
            "halls": halls or None,
            "opens_at": _instant(fields.get("opens_at"), "opens_at"),
            "closes_at": _instant(fields.get("closes_at"), "closes_at"),
            "anonymous": bool(fields.get("anonymous")),
        }
        return _checked(SurveyDraft.model_validate, body)

    return _edit(survey_id, change, "saved")


@routes.action("/console/surveys/{survey_id}/add-question", summary="Add a question at the end", path_params=SURVEY)
def survey_add_question(survey_id: str):  # type: ignore[no-untyped-def]
    fields = form_fields(routes.request)
    kind = fields.get("type")
    if kind not in {t.value for t in QuestionType}:
        return _builder(survey_id, status=400, problems={"type": "a question type"})
    return _edit(survey_id, lambda d: _checked(add_question, d, QuestionType(kind), fields.get("text") or ""), "added")


def _checked[T](step: Callable[..., T], *args: Any) -> T:
    """One step whose model may refuse: pydantic's refusal as InvalidInput naming the paths."""
    try:
        return step(*args)
    except ValidationError as e:
        raise invalid_input(e) from None


def _show_if_values(raw: str) -> list[int | str]:
    return [
        int(v) if v.isascii() and v.isdigit() else v for v in raw.replace("，", ",").replace(" ", ",").split(",") if v
    ]


@routes.action(
    "/console/surveys/{survey_id}/questions/{question_id}", summary="Change one question", path_params=QUESTION
)
def survey_change_question(survey_id: str, question_id: str):  # type: ignore[no-untyped-def]
    fields = form_fields(routes.request)
    question: dict[str, Any] = {
        "id": question_id,
        "type": fields.get("type") or "",
        "text": fields.get("text") or "",
        "text_en": fields.get("text_en") or "",
        "required": bool(fields.get("required")),
        "options": parse_lines(fields.get("options") or "", ("key", "label", "label_en")),
        "rows": parse_lines(fields.get("rows") or "", ("key", "label", "label_en", "dimension")),
    }
    if fields.get("dimension"):
        question["dimension"] = fields["dimension"]
    if fields.get("show_if_question"):
        question["show_if"] = {
            "question": fields["show_if_question"],
            "in": _show_if_values(fields.get("show_if_in") or ""),
        }
    return _edit(survey_id, lambda d: _checked(replace_question, d, question_id, question), "saved")


@routes.action(
    "/console/surveys/{survey_id}/questions/{question_id}/move",
    summary="Move a question up or down",
    path_params=QUESTION,
)
def survey_move_question(survey_id: str, question_id: str):  # type: ignore[no-untyped-def]
    step = -1 if form_fields(routes.request).get("direction") == "up" else 1
    return _edit(survey_id, lambda d: _checked(move_question, d, question_id, step), "moved")


@routes.action(
    "/console/surveys/{survey_id}/questions/{question_id}/remove", summary="Remove a question", path_params=QUESTION
)
def survey_remove_question(survey_id: str, question_id: str):  # type: ignore[no-untyped-def]
    return _edit(survey_id, lambda d: _checked(remove_question, d, question_id), "removed")


@routes.page(
    "/console/surveys/{survey_id}/preview",
    summary="The draft as customers will see it",
    path_params=SURVEY,
    statuses=(404,),
)
def survey_preview(survey_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    survey, _ = surveys.get_survey(principal(request), composition.surveys(), survey_id)
    questionnaire = survey.draft.questionnaire()
    screens = [questionnaire.questions[a:b] for a, b in blocks(questionnaire)]
    return render(
        request,
        "survey_preview.html",
        section="surveys",
        survey=survey,
        screens=screens,
        level_label=lambda v: label(LEVEL, v, "zh"),
    )


@routes.action(
    "/console/surveys/{survey_id}/publish",
    summary="Publish the draft as the next version",
    path_params=SURVEY,
    statuses=(409,),
)
def survey_publish(survey_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    version = surveys.publish_survey(
        principal(request), composition.surveys(), composition.clock(), survey_id, composition.auditor()
    )
    return redirect(request, f"/console/surveys/{survey_id}", done=f"published-{version.version}")


@routes.action("/console/surveys/{survey_id}/close", summary="Close the survey", path_params=SURVEY, statuses=(409,))
def survey_close(survey_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    surveys.close_survey(
        principal(request), composition.surveys(), composition.clock(), survey_id, composition.auditor()
    )
    return redirect(request, f"/console/surveys/{survey_id}", done="closed")


@routes.action(
    "/console/surveys/{survey_id}/invitations", summary="Send SMS invitations", path_params=SURVEY, statuses=(410,)
)
def survey_invite(survey_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    fields = form_fields(request)
    phones = [p for p in (fields.get("phones") or "").replace(",", " ").split() if p]
    try:
        body = _checked(InvitationsIn.model_validate, {"hall_code": fields.get("hall_code") or "", "phones": phones})
        sent = surveys.invite(
            principal(request),
            composition.surveys(),
            composition.organisation(),
            composition.clock(),
            composition.sms(),
            composition.settings().qr_key,
            survey_id=survey_id,
            hall_code=body.hall_code,
            phones=body.phones,
            base_url=base_url(request),
        )
    except InvalidInput as e:
        return _builder(survey_id, status=400, problems=e.fields)
    return redirect(request, f"/console/surveys/{survey_id}", done=f"invited-{sent}")


# ----- results -----


def _bar(text: str, count: float, share: float, of_total: float | None = None) -> dict[str, Any]:
    return {"label": text, "count": count, "share": max(0.0, min(share, 1.0)), "of_total": of_total}


def charts(found: surveys.SurveyResults, lang: str) -> list[tuple[Any, Any, list[dict[str, Any]]]]:
    """Per question: (question, its result, bar items): answers' counts, or a matrix's row means."""
    out = []
    for question, result in zip(found.version.questions, found.results.questions, strict=True):
        items: list[dict[str, Any]] = []
        if question.type is QuestionType.matrix5:
            for row in question.rows:
                mean = result.rows[row.key].mean
                name = row.dimension or (row.label_en if lang == "en" and row.label_en else row.label)
                items.append(_bar(name[:14], mean or 0, (mean or 0) / 5))
        elif result.counts:
            most = max(result.counts.values()) or 1
            names = {o.key: (o.label_en if lang == "en" and o.label_en else o.label) for o in question.options}
            for key, count in result.counts.items():
                name = label(LEVEL, int(key), lang) if question.type is QuestionType.rating5 else names.get(key, key)
                items.append(_bar(name[:14], count, count / most, count / result.n if result.n else None))
        out.append((question, result, items))
    return out


def dimension_bars(results: Results) -> list[dict[str, Any]]:
    return [_bar(name, mean, mean / 5) for name, mean in results.dimensions.items()]


def _other(request: Any, actor: Any, survey_id: str, hall: str | None) -> tuple[str, Results] | None:
    """The results compared with: another version (``compare``) or another survey (``against``)."""
    version = whole_number(query(request, "compare"), 1, 999_999)
    against = query(request, "against")
    try:
        if against:
            found = surveys.survey_results(actor, composition.surveys(), against, None, hall)
            return found.version.title, found.results
        if version:
            found = surveys.survey_results(actor, composition.surveys(), survey_id, version, hall)
            return f"v{version}", found.results
    except DomainError:
        return None
    return None


@routes.page(
    "/console/surveys/{survey_id}/results",
    summary="Results with charts per question and dimension, and a comparison",
    path_params=SURVEY,
    query=(
        QueryParam("version", "a version (default: all, on the latest questions)", checked=False),
        QueryParam("hall", "one hall", checked=False),
        QueryParam("compare", "another version to compare with", checked=False),
        QueryParam("against", "another survey (a round) to compare with", checked=False),
    ),
    statuses=(404,),
)
def survey_results(survey_id: str):  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    version = whole_number(query(request, "version"), 1, 999_999)
    hall = query(request, "hall")
    found = surveys.survey_results(actor, composition.surveys(), survey_id, version, hall)
    others = [
        s
        for s in surveys.list_surveys(actor, composition.surveys(), None, MAX_PAGE_SIZE).items
        if s.id != survey_id and s.version
    ]
    return render(
        request,
        "survey_results.html",
        section="surveys",
        found=found,
        version=version,
        hall=hall or "",
        other=_other(request, actor, survey_id, hall),
        rounds=others,
        charts=charts(found, lang_of(request)),
        dimensions=dimension_bars(found.results),
    )


@routes.page(
    "/console/reports/survey-responses.csv",
    summary="A survey's responses as CSV, one column per question",
    query=(
        QueryParam("survey", "the survey's id", required=True, checked=False),
        QueryParam("version", "a version (default: all)", checked=False),
        QueryParam("hall", "one hall", checked=False),
    ),
    produces=CSV,
    statuses=(400, 404),  # 400: a malformed version or hall
)
def survey_responses_csv():  # type: ignore[no-untyped-def]
    return report_files.survey_responses(routes.request, principal(routes.request))
