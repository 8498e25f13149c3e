"""QR codes: the admin's list of a hall's codes, and each code as an SVG image.

SVG, not PNG: Chalice answers binary bodies only when the request's Accept
header matches, and SVG prints sharply at any size.
"""

from __future__ import annotations

import io

from chalice import Response

from chalicelib import composition
from chalicelib.api.schemas import QrCodesOut
from chalicelib.services import organisation, qr_codes, ratings
from chalicelib.web.requests import base_url
from chalicelib.web.responses import json_response
from chalicelib.web.routing import HALL_CODE, Auth, PathParam, Routes

routes = Routes(__name__, tag="qr")
HALL = (PathParam("hall_code", HALL_CODE),)


def _svg(url: str) -> Response:
    out = io.BytesIO()
    import segno  # loaded by the first QR code drawn, not at cold start

    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=False, title=url)
    return Response(
        body=out.getvalue().decode("utf-8"),
        status_code=200,
        headers={"Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "public, max-age=86400"},
    )


@routes(
    "/api/v1/admin/halls/{hall_code}/qr-codes",
    "GET",
    summary="A hall's QR codes: counters and suggestion box",
    response=QrCodesOut,
    path_params=HALL,
)
def list_qr_codes(hall_code: str):  # type: ignore[no-untyped-def]
    codes = qr_codes.hall_codes(
        routes.principal(),
        composition.organisation(),
        composition.settings().qr_key,
        hall_code,
        base_url(routes.request),
    )
    return json_response(QrCodesOut.model_validate(codes, from_attributes=True).model_dump(mode="json"))


@routes(
    "/r/{code}/qr.svg",
    "GET",
    summary="A counter's rating QR code as SVG",
    auth=Auth.public,
    produces="image/svg+xml",
    statuses=(410,),
)
def counter_qr_svg(code: str):  # type: ignore[no-untyped-def]
    ratings.counter_of_code(composition.organisation(), composition.settings().qr_key, code)
    return _svg(f"{base_url(routes.request)}/r/{code}")


@routes(
    "/s/{hall_code}/qr.svg",
    "GET",
    summary="A hall's suggestion-box QR code as SVG",
    auth=Auth.public,
    produces="image/svg+xml",
    path_params=HALL,
)
def suggestion_box_qr_svg(hall_code: str):  # type: ignore[no-untyped-def]
    organisation.existing_hall(composition.organisation(), hall_code)
    return _svg(f"{base_url(routes.request)}/s/{hall_code}")
