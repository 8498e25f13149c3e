"""JSON answers, written as UTF-8 (Chinese text stays readable and small)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalice import Response

JSON = "application/json; charset=utf-8"


def json_response(body: Any, status: int = 200, headers: Mapping[str, str | list[str]] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={**(headers or {}), "Content-Type": JSON},
    )


def cookie(name: str, value: str, path: str, max_age: int, secure: bool) -> str:
    """A ``Set-Cookie`` value: HttpOnly and SameSite=Lax always; Secure outside the local stage."""
    text = f"{name}={value}; Max-Age={max_age}; Path={path}; HttpOnly; SameSite=Lax"
    return text + "; Secure" if secure else text
