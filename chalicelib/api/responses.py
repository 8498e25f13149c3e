"""JSON answers, written as UTF-8 (Chinese text stays readable and small)."""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

JSON = "application/json; charset=utf-8"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={**(headers or {}), "Content-Type": JSON},
    )
