"""Console: the QR print sheet of a hall, one card per counter plus the
suggestion box, laid out for A4 (print from the browser)."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import HALL_QUERY, ConsoleRoutes, principal, render
from chalicelib.services import organisation, qr_codes, surveys
from chalicelib.web.requests import base_url

routes = ConsoleRoutes(__name__)


@routes.page("/console/qr", summary="A hall's QR codes as an A4 print sheet", query=(HALL_QUERY,), statuses=(404,))
def qr_sheet():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    hall = hall_param(request, actor)
    codes, found, hall_surveys = None, None, []
    if hall is not None:
        found = organisation.get_hall(actor, composition.organisation(), hall)
        codes = qr_codes.hall_codes(
            actor, composition.organisation(), composition.settings().qr_key, hall, base_url(request)
        )
        hall_surveys = surveys.open_surveys_of_hall(
            actor, composition.surveys(), composition.clock(), composition.settings().qr_key, hall, base_url(request)
        )
    return render(
        request, "qr.html", section="qr", halls=halls_of(actor), hall=found, codes=codes, surveys=hall_surveys
    )
