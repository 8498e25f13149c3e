"""The HTTP boundary every request passes: authentication, error shape, access log.

Authentication happens here, once, for every route: a route declares who may
call it (``routing.Auth``) and a route that declares nothing needs a user
token, so a forgotten declaration never opens a route. The console hands in
how a session is read (``sessions``); this package imports no surface.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Chalice, Response

from chalicelib import composition
from chalicelib.domain.errors import DomainError, Unauthenticated
from chalicelib.services import accounts, organisation
from chalicelib.web.errors import answer, internal_error, normalise_chalice_error
from chalicelib.web.requests import bearer
from chalicelib.web.routing import PRINCIPAL, Auth, Operation, operation_of

logger = Logger(service="tingsheng")

# Reads the signed-in principal of a console request, raising a DomainError when there is none.
SessionReader = Callable[[Any], Any]


def _operation(app: Chalice, resource_path: str | None, method: str) -> Operation | None:
    """The route's declaration; None when the method does not exist (Chalice answers 405)."""
    entry = app.routes.get(resource_path or "", {}).get(method)
    if entry is None:
        return None
    return operation_of(entry.view_function) or Operation(summary="", auth=Auth.user)


def _authenticate(auth: Auth, request: Any, sessions: SessionReader) -> Any:
    if auth is Auth.session:
        return sessions(request)
    key = bearer(request)
    if key is None:
        raise Unauthenticated("An Authorization: Bearer header is required.")
    if auth is Auth.device:
        return organisation.authenticate_device(composition.organisation(), key, composition.clock())
    return accounts.authenticate(composition.users(), composition.clock(), composition.token_policy(), key)


# Pages need no script, no frame and no other origin: their styles are inline, images their own.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def with_security_headers(response: Response) -> Response:
    """Every answer: no content sniffing. Pages (and SVG images): the page policy, no framing."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    content_type = str(response.headers.get("Content-Type", ""))
    if content_type.startswith(("text/html", "image/svg+xml")):
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def middleware(app: Chalice, sessions: SessionReader) -> Callable[[Any, Callable[[Any], Response]], Response]:
    """The HTTP middleware of ``app`` (``web.serving`` installs it)."""

    def boundary(request: Any, get_response: Callable[[Any], Response]) -> Response:
        started = time.perf_counter()
        route = request.context.get("resourcePath")
        op = _operation(app, route, request.method)
        try:
            if op is not None and op.auth is not Auth.public:
                request.context[PRINCIPAL] = _authenticate(op.auth, request, sessions)
            response = get_response(request)
        except DomainError as e:  # authentication refused: answered as the route answers its errors
            response = answer(e, request, op.errors) if op else answer(e, request)
        except Exception:
            response = internal_error(request)
        response = with_security_headers(normalise_chalice_error(response))
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

    return boundary
