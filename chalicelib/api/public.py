"""Public routes: the landing page, health and the API description."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.api import pages
from chalicelib.api.responses import json_response
from chalicelib.api.routing import Auth, Routes
from chalicelib.api.schemas import Health
from chalicelib.services import system

routes = Routes(__name__, tag="public")
API_VERSION = "1.0.0"


@routes("/", "GET", summary="Landing page", auth=Auth.public, produces="text/html")
def home():  # type: ignore[no-untyped-def]
    return pages.render("home.html", pages.lang_of(routes.request))


@routes("/healthz", "GET", summary="Healthy once storage answers", auth=Auth.public, response=Health)
def healthz():  # type: ignore[no-untyped-def]
    if system.storage_answers(composition.table()):
        return json_response({"status": "ok"})
    return json_response({"status": "unavailable"}, status=503)


@routes("/api/openapi.json", "GET", summary="This API as OpenAPI 3", auth=Auth.public)
def openapi():  # type: ignore[no-untyped-def]
    from chalicelib.api import openapi as spec  # built on demand: keeps cold starts light

    return json_response(spec.document(routes.blueprint.current_app, API_VERSION))
