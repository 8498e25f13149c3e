"""The one mapping of errors to HTTP: a status table walked by the error's class
hierarchy, the JSON error shape, and the answer every route gives to an error.

Both the route wrapper (``routing``) and the boundary (authentication) answer
errors through ``answer``; a surface only chooses how an error *looks* (JSON,
a customer page, a console page) by the ``ErrorView`` it gives its routes,
never its status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from chalice import Response
from pydantic import ValidationError

from chalicelib.domain import errors
from chalicelib.web.responses import json_response

logger = Logger(service="tingsheng")

STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Deactivated: 410,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.TooManyRequests: 429,
    errors.StorageBusy: 503,
}

# How an error looks to one audience: (error, its status, the request) -> the answer.
ErrorView = Callable[[errors.DomainError, int, Any], Response]


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    return json_response(error_body(code, message, fields), status)


def status_of(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def json_error(error: errors.DomainError, status: int, request: Any) -> Response:
    """The JSON API's look: ``{"error": {code, message, fields}}``."""
    return error_response(status, error.code, error.message, error.fields)


def answer(error: errors.DomainError, request: Any, view: ErrorView = json_error) -> Response:
    """The one answer to a domain error, in the look ``view`` gives it.

    The headers that belong to the status are added here, whatever the look:
    a 401 names the scheme, a 429 or 503 says when to come back.
    """
    status = status_of(error)
    response = view(error, status, request)
    if status == 401 and response.status_code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def internal_error(request: Any) -> Response:
    """A bug, never a client's fault: logged with its trace (call inside ``except``), answered 500."""
    logger.exception("unhandled error", extra={"route": request.context.get("resourcePath")})
    return error_response(500, "internal_error", "An internal error occurred.")


def invalid_input(error: ValidationError, prefix: str = "") -> errors.InvalidInput:
    """A pydantic error as InvalidInput naming each field at fault, e.g. ``ratings.3.level``;
    pydantic's message for the JSON API, its error type and simple context as the field's
    reason, for pages to word (pydantic's own text never reaches a page)."""
    fields: dict[str, str] = {}
    reasons: dict[str, errors.Reason] = {}
    for e in error.errors(include_url=False):
        path = f"{prefix}{'.'.join(str(p) for p in e['loc']) or 'body'}"
        if path not in fields:
            fields[path] = e["msg"]
            facts = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, str | int | float)}
            reasons[path] = errors.Reason(e["type"], facts)
    return errors.InvalidInput(
        "Some fields are missing or invalid.", fields, reason=errors.Reason("fields_invalid"), reasons=reasons
    )


_CHALICE_CODES = re.compile(r"(?<!^)(?=[A-Z])")


def normalise_chalice_error(response: Response) -> Response:
    """Rewrite Chalice's own ``{"Code", "Message"}`` errors (405, 415, 500) into our shape."""
    body = response.body
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code = _CHALICE_CODES.sub("_", str(body["Code"]).removesuffix("Error")).lower()
        return json_response(error_body(code, str(body["Message"])), response.status_code, response.headers)
    return response
