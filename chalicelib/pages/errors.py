"""How errors look on the customer pages: a page in the visitor's language, or
JSON when the client asked for it (SPEC §4.1). The status is web.errors'."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.domain.errors import DomainError
from chalicelib.web import messages, rendering
from chalicelib.web.errors import json_error
from chalicelib.web.requests import wants_json
from chalicelib.web.routing import HTML, JSON, LANG, Routes


def error_page(error: DomainError, status: int, request: Any) -> Response:
    if wants_json(request):
        return json_error(error, status, request)
    lang = rendering.lang_of(request)
    return rendering.render(
        "error.html",
        lang,
        status=status,
        status_code=status,
        error=error,
        summary=messages.summary(error, lang),
        problems=messages.field_messages(error, lang),
    )


def page_routes(import_name: str, tag: str) -> Routes:
    """Routes of customer pages: errors answered as pages (JSON when asked), ``?lang=en`` on every one."""
    return Routes(import_name, tag, errors=error_page, error_media=(HTML, JSON), query=(LANG,))
