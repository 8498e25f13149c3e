"""The public suggestion box (SPEC §4.1): the form at /s/{hall_code}, its receipt,
and the tracking page. No login; pages in Chinese by default, JSON on request.

A form POST that is taken answers 303 to the receipt page (POST/redirect/GET),
so reloading the receipt never drops the note twice; a refused one shows the
form again as typed, why beside each field in the visitor's language.

The form's idempotency key lives in the form page's address: ``/s/{hall_code}``
without a valid ``k`` (as a QR code opens it) answers 303 to itself with a fresh,
long random one, and the page puts it in the hidden ``k``. Reloading the form, or
coming Back to it after sending, asks for the same address and so sends the same
``k``; the note is stored under an id derived from the hall and the key, so sending
it again stores nothing and answers 303 to the same receipt, and an address whose
key was used leads to that receipt too. A JSON post may send its own ``key`` (or
``id``); without one it is taken as before."""

from __future__ import annotations

from typing import Annotated, Any

from chalice import Response
from pydantic import BaseModel, BeforeValidator, Field

from chalicelib import composition
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.callbacks import SourceType
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.form_keys import FORM_KEY_PATTERN, FormKey, is_form_key, new_form_key
from chalicelib.domain.labels import SUGGESTION_KIND, SUGGESTION_STATUS
from chalicelib.domain.suggestions import (
    CONTENT_MAX,
    CONTENT_MIN,
    Content,
    CustomerName,
    MobilePhone,
    SuggestionKind,
    SuggestionStatus,
)
from chalicelib.domain.tickets import Kind as TicketKind
from chalicelib.domain.tickets import Status as TicketStatus
from chalicelib.pages import ticket_track
from chalicelib.pages.errors import page_routes
from chalicelib.services import callbacks, organisation, suggestions
from chalicelib.web import messages
from chalicelib.web import rendering as pages
from chalicelib.web.requests import client_address, form_fields, parse_form, parse_json, query, wants_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, HTML, Auth, PathParam, QueryParam, schema
from chalicelib.web.schemas import Strict, blank_is_none, checkbox

routes = page_routes(__name__, tag="suggestion box")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
FORM_KEY = QueryParam(
    "k",
    "the form's idempotency key (22-64 of A-Z a-z 0-9 _ -); missing or malformed: 303 to a new one",
    schema=schema(type="string", pattern=FORM_KEY_PATTERN),
    checked=False,
)


class SuggestionIn(Strict):
    kind: SuggestionKind
    content: Content
    name: Annotated[CustomerName | None, BeforeValidator(blank_is_none)] = None
    phone: Annotated[MobilePhone | None, BeforeValidator(blank_is_none)] = None
    consent: Annotated[bool, BeforeValidator(checkbox)] = False
    wants_reply: Annotated[bool, BeforeValidator(checkbox)] = False
    k: Annotated[FormKey | None, BeforeValidator(blank_is_none)] = None  # the form's idempotency key
    key: FormKey | None = None  # a JSON client's idempotency key
    id: FormKey | None = None  # the same, as other APIs name it

    def idempotency_key(self) -> str | None:
        return self.k or self.key or self.id


class TrackingNoOut(BaseModel):
    tracking_no: str


class TrackedOut(BaseModel):
    tracking_no: str
    hall_code: str
    kind: SuggestionKind | TicketKind = Field(description="a work order's kind for a GD number")
    status: SuggestionStatus | TicketStatus
    created_at: str
    reply: str | None
    replied_at: str | None


def _labels(lang: str) -> dict[str, Any]:
    i = 0 if lang == "zh" else 1
    return {
        "kinds": [(k, pair[i]) for k, pair in SUGGESTION_KIND.items()],
        "statuses": {s: pair[i] for s, pair in SUGGESTION_STATUS.items()},
        "content_min": CONTENT_MIN,
        "content_max": CONTENT_MAX,
    }


def _form_values(request: Any) -> dict[str, str]:
    """What the customer typed, to fill the form again after an error."""
    if wants_json(request) or (request.headers.get("content-type") or "").startswith(JSON):
        return {}
    try:
        return form_fields(request)
    except InvalidInput:  # not UTF-8: show an empty form
        return {}


@routes(
    "/s/{hall_code}",
    "GET",
    summary="The hall's suggestion-box form; without a key, 303 to itself with one (410: the hall is deactivated)",
    auth=Auth.public,
    produces=HTML,
    query=(FORM_KEY,),
    # 303: to itself with a key, or to the receipt of the note its key dropped; 410: a deactivated hall
    statuses=(303, 410),
    path_params=(PathParam("hall_code", HALL_CODE),),
)
def suggestion_form(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    hall = organisation.open_hall(composition.organisation(), hall_code)
    key = query(request, "k")
    if key is None or not is_form_key(key):
        return _see_other(f"/s/{hall_code}?k={new_form_key()}" + ("&lang=en" if lang == "en" else ""))
    dropped = suggestions.dropped_with(composition.suggestions(), hall_code, key)
    if dropped is not None:
        return _see_other(_receipt_address(hall_code, dropped.tracking_no, lang))
    return pages.render("suggestion_form.html", lang, hall=hall, key=key, values={}, errors={}, **_labels(lang))


def _receipt_address(hall_code: str, tracking_no: str, lang: str) -> str:
    return f"/s/{hall_code}/receipt/{tracking_no}" + ("?lang=en" if lang == "en" else "")


def _see_other(location: str) -> Response:
    return Response(body="", status_code=303, headers={"Location": location, "Cache-Control": "no-store"})


@routes(
    "/s/{hall_code}",
    "POST",
    summary="Drop a suggestion: 303 to its receipt page ({tracking_no} with Accept: application/json)",
    auth=Auth.public,
    request=SuggestionIn,
    response=TrackingNoOut,
    produces=(HTML, JSON),
    content_types=[FORM, JSON],
    path_params=(PathParam("hall_code", HALL_CODE),),
    # 303: to the receipt page; 410: a deactivated hall; 429: too many notes from one address, or into one hall
    statuses=(303, 410, 429),
)
def drop_suggestion(hall_code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    try:
        is_json = (request.headers.get("content-type") or "").startswith(JSON)
        body = parse_json(request, SuggestionIn) if is_json else parse_form(request, SuggestionIn)
        dropped = suggestions.submit_suggestion(
            composition.suggestions(),
            composition.organisation(),
            composition.clock(),
            composition.rate_limiter(),
            client=client_address(request),
            hall_code=hall_code,
            key=body.idempotency_key(),
            **body.model_dump(exclude={"k", "key", "id"}),
        )
    except InvalidInput as e:
        if wants_json(request):
            raise
        hall = organisation.existing_hall(composition.organisation(), hall_code)  # an unknown hall is a 404 page
        values = _form_values(request)
        errors = messages.field_messages(e, lang)
        sent_key = values.get("k")
        key = sent_key if is_form_key(sent_key) else new_form_key()  # the same key, when the form had one
        return pages.render(
            "suggestion_form.html",
            lang,
            status=400,
            hall=hall,
            key=key,
            values=values,
            errors=errors,
            **_labels(lang),
        )
    if wants_json(request):
        return json_response({"tracking_no": dropped.tracking_no})
    return _see_other(_receipt_address(hall_code, dropped.tracking_no, lang))


@routes(
    "/s/{hall_code}/receipt/{tracking_no}",
    "GET",
    summary="The receipt of a dropped suggestion: its tracking number (safe to reload)",
    auth=Auth.public,
    produces=HTML,
    path_params=(PathParam("hall_code", HALL_CODE),),
)
def suggestion_receipt(hall_code: str, tracking_no: str):  # type: ignore[no-untyped-def]
    lang = pages.lang_of(routes.request)
    found = suggestions.receipt(composition.suggestions(), composition.organisation(), hall_code, tracking_no)
    page = pages.render("suggestion_receipt.html", lang, hall_code=hall_code, receipt=found, **_labels(lang))
    page.headers["Cache-Control"] = "no-store"  # a tracking number stays off shared caches
    return page


@routes(
    "/track/{tracking_no}",
    "GET",
    summary="Status and reply of a suggestion, or of a work order (GD...); ?phone4= when a phone was given",
    auth=Auth.public,
    response=TrackedOut,
    query=(
        QueryParam(
            "phone4",
            "the last four digits of the phone number given",
            schema=schema(type="string", pattern="^[0-9]{4}$"),
        ),
    ),
    produces=(HTML, JSON),
    statuses=(403, 429),  # wrong digits; five wrong tries within the hour
)
def track(tracking_no: str):  # type: ignore[no-untyped-def]
    request = routes.request
    if ticket_track.is_ticket_no(tracking_no):  # a work order's number (GD...), same page and rule
        return ticket_track.track_page(request, tracking_no)
    lang = pages.lang_of(request)
    try:
        tracked = suggestions.track_suggestion(
            composition.suggestions(),
            composition.organisation(),
            composition.clock(),
            tracking_no,
            query(request, "phone4"),
        )
    except (InvalidInput, Forbidden) as e:
        if wants_json(request):
            raise
        status = 403 if isinstance(e, Forbidden) else 400
        # A first visit without phone4 is not a mistake: ask for it without an error.
        asked = query(request, "phone4") is not None or status == 403
        return pages.render(
            "track_phone4.html",
            lang,
            status=status if asked else 200,
            tracking_no=tracking_no,
            error=e if asked else None,
        )
    if wants_json(request):
        out = TrackedOut(
            tracking_no=tracked.tracking_no,
            hall_code=tracked.hall_code,
            kind=tracked.kind,
            status=tracked.status,
            created_at=tracked.created_at.isoformat(),
            reply=tracked.reply,
            replied_at=tracked.replied_at.isoformat() if tracked.replied_at else None,
        )
        return json_response(out.model_dump(mode="json"))
    follow_up = callbacks.follow_up_link(
        composition.callback_ports(), composition.settings().qr_key, SourceType.suggestion, tracked.suggestion_id
    )
    return pages.render("track.html", lang, tracked=tracked, local=local_minute, follow_up=follow_up, **_labels(lang))
