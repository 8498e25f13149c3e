"""Reading a request: JSON bodies into pydantic models, query parameters, bearer keys."""

from __future__ import annotations

import email.policy
import json
import re
from email.parser import BytesParser
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError

from chalicelib import composition
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from chalicelib.web.errors import invalid_input

M = TypeVar("M", bound=BaseModel)


# The input gate every body passes. A batch of 100 ratings is about 25 KB and no
# request model nests deeper than a few levels, so these limits refuse only abuse.
MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 16


def _body(request: Any) -> bytes:
    raw: bytes = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"The body is larger than {MAX_BODY_BYTES // 1024} KB.", {"body": f"at most {MAX_BODY_BYTES} bytes"}
        )
    return raw


def _unfit(data: Any) -> tuple[str, str] | None:
    """The path and fault of the first value no answer could carry: text that is not
    valid Unicode (a lone surrogate from ``"\\ud800"``), or nesting past MAX_DEPTH."""
    stack: list[tuple[Any, str, int]] = [(data, "body", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "body", f"nested more than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            for key, item in value.items():
                if not _encodable(key):
                    return path, "a key that is not valid Unicode text"
                stack.append((item, key if path == "body" else f"{path}.{key}", depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}.{i}" if path != "body" else str(i), depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str) and not _encodable(value):
            return path, "not valid Unicode text"
        elif isinstance(value, str) and _CONTROL.search(value):
            return path, "holds a control character"
    return None


# C0 controls and DEL, but tab and line breaks (free text keeps its lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_body(request: Any) -> Any:
    raw = _body(request)
    if not raw.strip():
        raise InvalidInput("A JSON body is required.", {"body": "missing"})
    try:
        data = json.loads(raw)
    except RecursionError:
        raise InvalidInput("The body nests too deeply.", {"body": f"nested more than {MAX_DEPTH} levels"}) from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The body is not valid JSON.", {"body": "not valid JSON"}) from None
    unfit = _unfit(data)
    if unfit is not None:
        field, fault = unfit
        raise InvalidInput("The body holds a value that cannot be accepted.", {field: fault})
    return data


def parse_json(request: Any, model: type[M]) -> M:
    data = json_body(request)
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", {"body": "not an object"})
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise invalid_input(e) from None


def form_fields(request: Any, repeatable: tuple[str, ...] = ()) -> dict[str, Any]:
    """An application/x-www-form-urlencoded body as a dict; ``repeatable`` fields become lists.
    A multipart/form-data body likewise (``multipart_fields``)."""
    if media_type(request) == MULTIPART:
        return multipart_fields(request, repeatable)
    try:
        text = _body(request).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The form is not UTF-8.", {"body": "not UTF-8"}) from None
    data: dict[str, Any] = {name: [] for name in repeatable}
    for name, value in parse_qsl(text, keep_blank_values=True):
        if _CONTROL.search(value):
            raise InvalidInput("A field holds a control character.", {name: "holds a control character"})
        if name in repeatable:
            data[name].append(value)
        else:
            data[name] = value
    return data


MULTIPART = "multipart/form-data"


def media_type(request: Any) -> str:
    """The body's media type, without its parameters, in lower case."""
    return str(request.headers.get("content-type") or "").split(";")[0].strip().lower()


def body_bytes(request: Any) -> bytes:
    """The body as it came (a CSV file, say), within the gate's size."""
    return _body(request)


def multipart_fields(request: Any, repeatable: tuple[str, ...] = ()) -> dict[str, Any]:
    """A multipart/form-data body (a form with a file) as a dict: text fields as text, checked
    as a plain form's are; a file as its bytes, unread; ``repeatable`` fields become lists."""
    header = str(request.headers.get("content-type") or "").encode("latin-1", "replace")
    raw = _body(request)
    message = BytesParser(policy=email.policy.HTTP).parsebytes(b"Content-Type: " + header + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        raise InvalidInput("The form is not multipart.", {"body": "not multipart/form-data"})
    data: dict[str, Any] = {name: [] for name in repeatable}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        value: str | bytes = content
        if part.get_filename() is None:
            try:
                value = content.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput("The form is not UTF-8.", {name: "not UTF-8"}) from None
            if _CONTROL.search(value):
                raise InvalidInput("A field holds a control character.", {name: "holds a control character"})
        if name in repeatable:
            data[name].append(value)
        else:
            data[name] = value
    return data


def parse_form(request: Any, model: type[M], repeatable: tuple[str, ...] = ()) -> M:
    data = form_fields(request, repeatable)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise invalid_input(e) from None


def wants_json(request: Any) -> bool:
    """The public form routes answer JSON instead of a page when asked (SPEC §4.1)."""
    accept = (request.headers.get("accept") or "").lower()
    return "application/json" in accept and "text/html" not in accept


def query(request: Any, name: str) -> str | None:
    params = request.query_params or {}
    value = params.get(name)
    return value if value else None


def whole_number(raw: str | None, low: int, high: int) -> int | None:
    """``raw`` as a whole number in [low, high]: ASCII digits only (``str.isdigit`` also takes "²",
    which ``int`` refuses); None for anything else."""
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def page_args(request: Any) -> tuple[str | None, int]:
    """The ``cursor`` and ``limit`` query parameters of a list request."""
    raw = query(request, "limit")
    if raw is None:
        return query(request, "cursor"), DEFAULT_PAGE_SIZE
    limit = whole_number(raw, 1, MAX_PAGE_SIZE)
    if limit is None:
        raise InvalidInput("Bad page size.", {"limit": f"a whole number from 1 to {MAX_PAGE_SIZE}"})
    return query(request, "cursor"), limit


def cookies(request: Any) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.headers.get("cookie") or "")
    except CookieError:  # a garbled Cookie header is no cookie at all
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def client_address(request: Any) -> str:
    """The caller's address as API Gateway (or the local server) saw it."""
    return str((request.context.get("identity") or {}).get("sourceIp") or "unknown")


def bearer(request: Any) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def base_url(request: Any) -> str:
    """Where customers reach the app: configured, else the host this request came to."""
    configured = composition.settings().public_url
    if configured:
        return configured
    proto = request.headers.get("x-forwarded-proto") or "http"
    return f"{proto}://{request.headers.get('host') or 'localhost'}"
