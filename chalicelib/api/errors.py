"""The one JSON error shape, and the mapping of domain errors to HTTP status."""

from __future__ import annotations

import re
from typing import Any

from chalice import Response
from pydantic import ValidationError

from chalicelib.api.responses import json_response
from chalicelib.domain import errors

STATUS = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.TooManyRequests: 429,
}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return json_response(error_body(code, message, fields), status, headers)


def status_of(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def domain_error_response(error: errors.DomainError) -> Response:
    return error_response(status_of(error), error.code, error.message, error.fields)


def invalid_input(error: ValidationError, prefix: str = "") -> errors.InvalidInput:
    """A pydantic error as InvalidInput naming each field at fault, e.g. ``ratings.3.level``."""
    fields: dict[str, str] = {}
    for e in error.errors(include_url=False):
        path = ".".join(str(p) for p in e["loc"]) or "body"
        fields.setdefault(f"{prefix}{path}", e["msg"])
    return errors.InvalidInput("Some fields are missing or invalid.", fields)


_CHALICE_CODES = re.compile(r"(?<!^)(?=[A-Z])")


def normalise_chalice_error(response: Response) -> Response:
    """Rewrite Chalice's own ``{"Code", "Message"}`` errors (405, 415, 500) into our shape."""
    body = response.body
    if isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code = _CHALICE_CODES.sub("_", str(body["Code"]).removesuffix("Error")).lower()
        return json_response(error_body(code, str(body["Message"])), response.status_code, response.headers)
    return response
