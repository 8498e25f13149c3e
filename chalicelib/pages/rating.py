"""The customer's rating page behind a counter's QR code (SPEC §4.1 ``/r/{code}``).

The form's idempotency key lives in the page's address, as in the suggestion box:
``/r/{code}`` without a valid ``k`` (as the QR code opens it) answers 303 to itself with a
fresh random one, which the form sends in its hidden ``k``. The rating is stored under an
id derived from the code and the key, so sending the form again (Back, reload) stores
nothing and answers the same 303 to the thank-you page, without counting against the
rate limits; an address whose key was used leads to that page too. A JSON post may send
its own ``key``; without one it is taken as before."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib import composition
from chalicelib.domain import qrcodes
from chalicelib.domain.callbacks import SourceType, task_id, task_type_of_rating
from chalicelib.domain.errors import InvalidInput, TooManyRequests
from chalicelib.domain.form_keys import FORM_KEY_PATTERN, is_form_key, new_form_key
from chalicelib.domain.labels import BUSINESS, LEVEL, REASON, label
from chalicelib.domain.ratings import Business, Rating, Reason
from chalicelib.pages.errors import page_routes
from chalicelib.pages.forms import QrRatingForm, RatingCreated
from chalicelib.services import ratings
from chalicelib.web import rendering as pages
from chalicelib.web.requests import client_address, cookies, form_fields, parse_form, query, wants_json
from chalicelib.web.responses import cookie, json_response
from chalicelib.web.routing import HTML, JSON, Auth, QueryParam, schema

routes = page_routes(__name__, tag="public")
FORM = "application/x-www-form-urlencoded"
ONCE_PER_SECONDS = 600  # one rating per browser per code per 10 minutes
FORM_KEY = QueryParam(
    "k",
    "the form's idempotency key (22-64 of A-Z a-z 0-9 _ -); missing or malformed: 303 to a new one",
    schema=schema(type="string", pattern=FORM_KEY_PATTERN),
    checked=False,
)


def _cookie_name(code: str) -> str:
    return "ts_r_" + hashlib.sha256(code.encode()).hexdigest()[:16]


def _rated_recently(request: Any, code: str) -> bool:
    return _cookie_name(code) in cookies(request)


def _form_page(
    code: str,
    lang: str,
    key: str,
    status: int = 200,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    target = ratings.counter_of_code(composition.organisation(), composition.settings().qr_key, code)
    return pages.render(
        "rating.html",
        lang,
        status=status,
        code=code,
        key=key,
        hall=target.hall,
        counter_number=target.counter_number,
        form=form or {"reasons": []},
        errors=errors or {},
        reasons=[r.value for r in Reason],
        businesses=[b.value for b in Business],
        level_label=lambda v: label(LEVEL, v, lang),
        reason_label=lambda k: label(REASON, k, lang),
        business_label=lambda k: label(BUSINESS, k, lang),
    )


def _thanks(code: str, lang: str, already: bool, follow_up: str | None = None) -> Response:
    target = ratings.counter_of_code(composition.organisation(), composition.settings().qr_key, code)
    key = composition.settings().qr_key
    follow_up = follow_up if follow_up and qrcodes.parse_follow_up_code(key, follow_up) else None
    return pages.render("rating_thanks.html", lang, hall=target.hall, already=already, follow_up=follow_up)


@routes(
    "/r/{code}",
    "GET",
    summary="The rating form of a counter's QR code (410: the counter or its hall is deactivated)",
    auth=Auth.public,
    produces=HTML,
    query=(FORM_KEY,),
    # 303: to itself with a key, or to the thank-you page of the rating its key sent; 410: a deactivated counter
    statuses=(303, 410),
)
def rating_form(code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    ratings.counter_of_code(composition.organisation(), composition.settings().qr_key, code)  # 404/410 first
    key = query(request, "k")
    if key is None or not is_form_key(key):
        return _see_other(f"/r/{code}?k={new_form_key()}" + ("&lang=en" if lang == "en" else ""))
    rated = ratings.rated_with(composition.rating_ports(), code, key)
    if rated is not None:
        return _see_other(_thanks_address(code, lang, rated))
    return _form_page(code, lang, key)


def _see_other(location: str, headers: dict[str, str] | None = None) -> Response:
    sent: dict[str, str | list[str]] = {"Location": location, "Cache-Control": "no-store"}
    sent.update(headers or {})
    return Response(body="", status_code=303, headers=sent)


def _thanks_address(code: str, lang: str, stored: Rating | None) -> str:
    params = {"lang": "en"} if lang == "en" else {}
    if stored is not None and task_type_of_rating(stored) is not None:
        # Show the customer where to follow their callback (and later give a 追评).
        params["f"] = qrcodes.follow_up_code(composition.settings().qr_key, task_id(SourceType.rating, stored.id))
    return f"/r/{code}/thanks" + (f"?{urlencode(params)}" if params else "")


def _sent_key(request: Any) -> str | None:
    """The well-formed idempotency key a post carries (``k`` of the form, or ``key``), if any."""
    try:
        fields = form_fields(request)
    except InvalidInput:  # not UTF-8: the form parser answers it
        return None
    for name in ("k", "key"):
        value = fields.get(name)
        if isinstance(value, str) and is_form_key(value):
            return value
    return None


@routes(
    "/r/{code}",
    "POST",
    summary="Rate a counter visit: 303 to the thank-you page ({id} with Accept: application/json)",
    auth=Auth.public,
    request=QrRatingForm,
    response=RatingCreated,
    produces=(HTML, JSON),
    content_types=[FORM],
    statuses=(303, 410, 429),  # 429: this browser rated the counter lately, or too many from the address
)
def submit_rating(code: str):  # type: ignore[no-untyped-def]
    request = routes.request
    lang = pages.lang_of(request)
    as_json = wants_json(request)
    sent = _sent_key(request)
    earlier = ratings.rated_with(composition.rating_ports(), code, sent) if sent is not None else None
    if earlier is not None:  # sent again (Back, reload): the same answer, nothing stored or counted
        ratings.counter_of_code(composition.organisation(), composition.settings().qr_key, code)  # 404/410 first
        return _rated_answer(code, lang, as_json, earlier)
    if _rated_recently(request, code):
        if as_json:
            raise TooManyRequests("This browser rated this counter in the last 10 minutes.")
        return _thanks(code, lang, already=True)
    try:
        form = parse_form(request, QrRatingForm, repeatable=("reasons",))
        stored = ratings.submit_qr_rating(
            composition.rating_ports(),
            composition.rate_limiter(),
            composition.settings().qr_key,
            code,
            ratings.QrRating(
                level=form.level,
                reasons=tuple(form.reasons),
                business=form.business,
                comment=form.comment,
                phone=form.phone,
                consent=form.consent,
                honeypot=bool(form.website),
            ),
            client=client_address(request),
            key=form.idempotency_key(),
        )
    except InvalidInput as e:
        if as_json:
            raise
        values = form_fields(request, ("reasons",))
        typed = values.get("k")
        key = typed if isinstance(typed, str) and is_form_key(typed) else new_form_key()
        return _form_page(code, lang, key, status=400, form=values, errors=e.fields)
    return _rated_answer(code, lang, as_json, stored)


def _rated_answer(code: str, lang: str, as_json: bool, stored: Rating | None) -> Response:
    """The answer to a rating taken: the same whether it was stored now or by an earlier send."""
    rated = cookie(_cookie_name(code), "1", f"/r/{code}", ONCE_PER_SECONDS, composition.settings().secure_cookies)
    if as_json:
        # A bot caught by the honeypot gets an id like anyone else: it learns nothing.
        return json_response({"id": stored.id if stored else str(uuid.uuid4())}, headers={"Set-Cookie": rated})
    return _see_other(_thanks_address(code, lang, stored), {"Set-Cookie": rated})


@routes(
    "/r/{code}/thanks",
    "GET",
    summary="Thank-you page after rating",
    auth=Auth.public,
    produces=HTML,
    statuses=(410,),
    query=(QueryParam("f", "the follow-up code of the rating's callback, linked from the page", checked=False),),
)
def thanks(code: str):  # type: ignore[no-untyped-def]
    return _thanks(code, pages.lang_of(routes.request), already=False, follow_up=query(routes.request, "f"))
