"""Console pages: the route declarations, rendering with the shared layout,
POST/redirect/GET, reading forms, and how errors look.

Every console page is server-rendered (autoescape on) and works without
JavaScript; Chinese by default, ``?lang=en`` carried along every link, form
and redirect.

A form whose input is refused comes back as the page it was on, filled in as
typed, with why beside each field at fault in the page's language (``submit``
for a form's POST, ``filter_of`` for a page's filter): never a separate page,
and never pydantic's or an error's English text (web.messages words them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib.console import session as console_session
from chalicelib.console.header import header_counts
from chalicelib.console.labels import FIELD_LABELS, LABELS
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.web import messages
from chalicelib.web import rendering as pages
from chalicelib.web.errors import invalid_input
from chalicelib.web.requests import form_fields
from chalicelib.web.routing import CURSOR, FORM, HALL_CODE, HTML, LANG, PRINCIPAL, Auth, QueryParam, Routes

# Query parameters many console pages take.
HALL_QUERY = QueryParam("hall", "the hall shown (default: your first)", schema=HALL_CODE)
DONE_QUERY = QueryParam("done", "what the form before did, for the page's notice", checked=False)
LIST_QUERY = (HALL_QUERY, CURSOR, DONE_QUERY)
MAX_HALLS = 200


class ConsoleRoutes(Routes):
    """Routes of the console: a signed-in session (cookie + CSRF), answers are pages.

    A page answers 200; an action (a form's POST) answers 303 to the next page.
    ``declared`` is the rest of the route's contract (``Routes.__call__``): its
    query, its form's model (``request``), other statuses."""

    def __init__(self, import_name: str, tag: str = "console") -> None:
        super().__init__(import_name, tag, errors=error_page, error_media=(HTML,), query=(LANG,))

    def page(self, path: str, summary: str, auth: Auth = Auth.session, **declared: Any) -> Callable[..., Any]:
        declared.setdefault("produces", HTML)
        return self(path, "GET", summary=summary, auth=auth, **declared)

    def action(self, path: str, summary: str, auth: Auth = Auth.session, **declared: Any) -> Callable[..., Any]:
        declared.setdefault("status", 303)
        return self(path, "POST", summary=summary, auth=auth, produces=HTML, content_types=[FORM], **declared)


def lang_of(request: Any) -> str:
    return pages.lang_of(request)


def with_lang(path: str, lang: str, **params: Any) -> str:
    """A console URL keeping the language; ``None`` parameters are left out."""
    kept = {k: v for k, v in params.items() if v is not None and v != ""}
    if lang == "en":
        kept["lang"] = "en"
    return path + (("&" if "?" in path else "?") + urlencode(kept) if kept else "")


def principal(request: Any) -> UserPrincipal:
    found = request.context.get(PRINCIPAL)
    if not isinstance(found, UserPrincipal):  # the boundary authenticates every session route
        raise console_session.SignInRequired("Please sign in.")
    return found


@dataclass(frozen=True)
class Sent:
    """A form that came back refused: which form of the page (its ``id``), what was typed,
    and why, in the page's language: beside each field (``errors``) and as a whole (``summary``)."""

    form: str
    values: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    summary: str = ""

    def of(self, form: str) -> Sent | None:
        """Itself when it is the form ``form`` (a template asks each of its forms)."""
        return self if self.form == form else None


def sent_back(request: Any, form: str, error: DomainError, values: Mapping[str, Any] | None = None) -> Sent:
    """The refused form ``form`` with ``values`` (default: the posted fields) and ``error`` in words."""
    lang = lang_of(request)
    if values is None:
        try:
            values = form_fields(request)
        except InvalidInput:  # not UTF-8, or a control character: nothing typed can be shown again
            values = {}
    kept = {k: v for k, v in values.items() if k != "csrf"}
    summary = messages.summary(error, lang) or messages.FIX_AND_RESEND[0 if lang == "zh" else 1]
    return Sent(form=form, values=kept, errors=messages.field_messages(error, lang), summary=summary)


def submit(request: Any, form: str, act: Callable[[], Response], show: Callable[[Sent], Response]) -> Response:
    """A form's POST: ``act`` (read the form, call the service, redirect). When the input is
    refused (InvalidInput: the form's model or a rule), ``show`` renders the page the form
    was on again, with the form ``form`` filled in as typed and why beside each field;
    it answers 400. Any other error is answered by the error page."""
    try:
        return act()
    except ValidationError as e:  # a domain model refused what the form carried
        refused: InvalidInput = invalid_input(e)
    except InvalidInput as e:
        refused = e
    return show(sent_back(request, form, refused))


def filter_of[T](request: Any, form: str, read: Callable[[], T], default: Callable[[], T]) -> tuple[T, Sent | None]:
    """A page's filter (a GET form) read from the query by ``read``. When it refuses the query,
    the page shows ``default()`` instead, with the filter form ``form`` sent back as typed and
    why beside its field (the page answers 400): a mistyped month keeps the page, not the typo."""
    try:
        return read(), None
    except InvalidInput as e:
        return default(), sent_back(request, form, e, values=dict(request.query_params or {}))


def render(
    request: Any, template: str, status: int = 200, sent: Sent | None = None, page: str = "", **context: Any
) -> Response:
    """A console page. With a form ``sent`` back refused it answers 400; ``page`` is the page's
    own path when it answers a form's POST (its language link leads there, not to the form's action)."""
    lang = lang_of(request)
    token = console_session.session_token(request)
    user = request.context.get(PRINCIPAL)
    signed_in = user if isinstance(user, UserPrincipal) else None
    response = pages.render(
        f"console/{template}",
        lang,
        status=400 if sent is not None and status == 200 else status,
        sent=sent,
        _=lambda zh, en: zh if lang == "zh" else en,
        label=lambda key: LABELS.get(str(key), (str(key), str(key)))[0 if lang == "zh" else 1],
        field_label=lambda key: FIELD_LABELS.get(str(key).split(".")[0], (str(key), str(key)))[
            0 if lang == "zh" else 1
        ],
        url=lambda path, **params: with_lang(path, lang, **params),
        here=console_session.current_path(request),
        other_lang=_other_lang(request, lang, page),
        user=signed_in,
        counts=header_counts(signed_in) if signed_in else None,
        csrf=console_session.csrf_token(token) if token else "",
        **context,
    )
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"})
    return response


def _other_lang(request: Any, lang: str, page: str = "") -> str:
    """This page in the other language."""
    path = page or console_session.current_path(request).split("?")[0]
    params = {k: v for k, v in (request.query_params or {}).items() if k != "lang"}
    return with_lang(path, "en" if lang == "zh" else "zh", **params)


def redirect(request: Any, path: str, **params: Any) -> Response:
    """POST/redirect/GET: 303 to a console page."""
    location = with_lang(path, lang_of(request), **params)
    return Response(body="", status_code=303, headers={"Location": location, "Cache-Control": "no-store"})


def error_page(error: DomainError, status: int, request: Any) -> Response:
    """How the console shows an error: no session sends people to sign in, anything else is a
    page saying why in the page's language (an untranslated message only in English, marked so)."""
    if isinstance(error, console_session.SignInRequired):
        return console_session.sign_in_redirect(request)
    lang = lang_of(request)
    return render(
        request,
        "error.html",
        status=status,
        status_code=status,
        error=error,
        summary=messages.summary(error, lang),
        problems=messages.field_messages(error, lang),
    )


def form_of[M: BaseModel](
    request: Any, model: type[M], repeatable: tuple[str, ...] = (), counts: tuple[str, ...] = ()
) -> M:
    """A console form as ``model`` (the boundary has checked its ``csrf`` field already).

    ``counts`` are whole numbers for strict models: digits become ints, and a
    blank one is left out so the model's default applies.
    """
    data = form_fields(request, repeatable)
    data.pop("csrf", None)
    for name in counts:
        value = data.get(name)
        if value == "":
            del data[name]
        elif isinstance(value, str) and value.isascii() and value.isdigit():
            data[name] = int(value)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise invalid_input(e) from None
