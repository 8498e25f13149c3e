"""Public routes of the API: health and the API description."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.api.schemas import Health
from chalicelib.services import system
from chalicelib.web import serving
from chalicelib.web.responses import json_response
from chalicelib.web.routing import Auth, Routes

routes = Routes(__name__, tag="public")
API_VERSION = "1.0.0"


@routes(
    "/healthz",
    "GET",
    summary="Healthy once storage answers",
    auth=Auth.public,
    response=Health,
    answers=((503, Health),),  # {"status": "unavailable"}
)
def healthz():  # type: ignore[no-untyped-def]
    if system.storage_answers(composition.table()):
        return json_response({"status": "ok"})
    return json_response({"status": "unavailable"}, status=503)


@routes("/api/openapi.json", "GET", summary="This API as OpenAPI 3", auth=Auth.public, storage=False)
def openapi():  # type: ignore[no-untyped-def]
    from chalicelib.web import openapi as spec  # built on demand: keeps cold starts light

    return json_response(spec.document(serving.app(), API_VERSION))
