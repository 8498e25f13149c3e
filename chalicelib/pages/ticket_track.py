"""The customer's view of a work order at /track/{ticket_no} (SPEC §4.1): the same page and
``?phone4=`` rule as a suggestion's, with the answer once given and the link to rate the callback.
Reached from the tracking route, which tells the two numbers apart by their ``GD`` prefix."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib import composition
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.callbacks import SourceType
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.labels import TICKET_KIND, TICKET_STATUS
from chalicelib.services import callbacks, tickets
from chalicelib.web import rendering as pages
from chalicelib.web.requests import query, wants_json
from chalicelib.web.responses import json_response


def is_ticket_no(number: str) -> bool:
    return number.strip().upper().startswith("GD")


def track_page(request: Any, ticket_no: str) -> Response:
    lang = pages.lang_of(request)
    try:
        tracked = tickets.track_ticket(composition.ticket_ports(), ticket_no, query(request, "phone4"))
    except (InvalidInput, Forbidden) as e:
        if wants_json(request):
            raise
        status = 403 if isinstance(e, Forbidden) else 400
        asked = query(request, "phone4") is not None or status == 403
        return pages.render(
            "track_phone4.html",
            lang,
            status=status if asked else 200,
            tracking_no=ticket_no,
            error=e if asked else None,
        )
    if wants_json(request):
        return json_response(
            {
                "tracking_no": tracked.ticket_no,
                "hall_code": tracked.hall_code,
                "kind": tracked.kind.value,
                "status": tracked.status.value,
                "created_at": tracked.created_at.isoformat(),
                "reply": tracked.answer,
                "replied_at": tracked.answered_at.isoformat() if tracked.answered_at else None,
            }
        )
    follow_up = callbacks.follow_up_link(
        composition.callback_ports(), composition.settings().qr_key, SourceType.ticket, tracked.ticket_id
    )
    i = 0 if lang == "zh" else 1
    page = pages.render(
        "ticket_track.html",
        lang,
        tracked=tracked,
        local=local_minute,
        follow_up=follow_up,
        kind=TICKET_KIND[tracked.kind.value][i],
        status_label=TICKET_STATUS[tracked.status.value][i],
    )
    page.headers["Cache-Control"] = "no-store"
    return page
