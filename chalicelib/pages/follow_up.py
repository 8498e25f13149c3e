"""The customer's follow-up page (追评): a callback's progress, and rating how it was handled."""

from __future__ import annotations

from chalice import Response

from chalicelib import composition
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.labels import LEVEL, label
from chalicelib.pages.errors import page_routes
from chalicelib.pages.forms import FollowUpForm, FollowUpRated
from chalicelib.services import callbacks
from chalicelib.web import rendering as pages
from chalicelib.web.requests import parse_form, wants_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import FORM, HTML, JSON, Auth

routes = page_routes(__name__, tag="public")


def _page(code: str, lang: str, status: int = 200, error: bool = False) -> Response:
    task = callbacks.task_of_follow_up(composition.callback_ports(), composition.settings().qr_key, code)
    return pages.render(
        "follow_up.html",
        lang,
        status=status,
        code=code,
        task=task,
        error=error,
        level_label=lambda v: label(LEVEL, v, lang),
    )


@routes(
    "/f/{code}",
    "GET",
    summary="A customer's callback: progress, and the 追评 form once closed",
    auth=Auth.public,
    produces=HTML,
)
def follow_up_page(code: str):  # type: ignore[no-untyped-def]
    return _page(code, pages.lang_of(routes.request))


@routes(
    "/f/{code}",
    "POST",
    summary="Rate how a closed callback was handled (追评), once; 303 back to the page (JSON with Accept)",
    auth=Auth.public,
    request=FollowUpForm,
    response=FollowUpRated,
    produces=(HTML, JSON),
    content_types=[FORM],
    statuses=(303, 409),
)
def give_follow_up(code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    try:
        form = parse_form(request, FollowUpForm)
    except InvalidInput:
        if wants_json(request):
            raise
        return _page(code, lang, status=400, error=True)
    callbacks.give_follow_up(
        composition.callback_ports(), composition.settings().qr_key, code, form.level, form.comment
    )
    if wants_json(request):
        return json_response({"status": "rated"})
    return Response(body="", status_code=303, headers={"Location": f"/f/{code}" + ("?lang=en" if lang == "en" else "")})
