"""The HTTP boundary every request passes: authentication, error shape, access log.

Authentication happens here, once, for every route: a route declares who may
call it (``routing.Auth``) and a route that declares nothing needs a user
token, so a forgotten declaration never opens a route.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Chalice, Response

from chalicelib import composition
from chalicelib.api import console_session, console_view
from chalicelib.api.errors import domain_error_response, error_response, normalise_chalice_error
from chalicelib.api.requests import bearer
from chalicelib.api.routing import PRINCIPAL, Auth, operation_of
from chalicelib.domain.errors import DomainError, Unauthenticated
from chalicelib.services import accounts, organisation

logger = Logger(service="tingsheng")


def _required_auth(app: Chalice, resource_path: str | None, method: str) -> Auth | None:
    """What the route needs; None when the method does not exist (Chalice answers 405)."""
    entry = app.routes.get(resource_path or "", {}).get(method)
    if entry is None:
        return None
    op = operation_of(entry.view_function)
    return op.auth if op else Auth.user


def _authenticate(auth: Auth, request: Any) -> Any:
    if auth is Auth.session:
        return console_session.principal_of(request)
    key = bearer(request)
    if key is None:
        raise Unauthenticated("An Authorization: Bearer header is required.")
    if auth is Auth.device:
        return organisation.authenticate_device(composition.organisation(), key)
    return accounts.authenticate(composition.users(), composition.clock(), composition.token_policy(), key)


def install(app: Chalice) -> None:
    @app.middleware("http")
    def boundary(request: Any, get_response: Callable[[Any], Response]) -> Response:
        started = time.perf_counter()
        route = request.context.get("resourcePath")
        auth = None
        try:
            auth = _required_auth(app, route, request.method)
            if auth not in (None, Auth.public):
                request.context[PRINCIPAL] = _authenticate(auth, request)
            response = get_response(request)
        except console_session.SignInRequired:
            response = console_session.sign_in_redirect(request)
        except DomainError as e:
            response = console_view.problem_page(e, request) if auth is Auth.session else domain_error_response(e)
        except Exception:
            logger.exception("unhandled error", extra={"route": route})
            response = error_response(500, "internal_error", "An internal error occurred.")
        response = normalise_chalice_error(response)
        logger.info(
            "request",
            extra={
                "route": route,
                "method": request.method,
                "status": response.status_code,
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
