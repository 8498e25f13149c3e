"""The OpenAPI 3.1 document, generated from the routes and the pydantic models
that validate their requests and shape their answers.

Each operation lists every status the app answers it with, in the media types
it really uses: its success (JSON, a page, a CSV file or an SVG image, several
where the route negotiates), and its errors in the look of its surface (the
JSON error shape for the API, a page or JSON on request for the customer
pages, a page for the console). What a route declares (``routing.Operation``)
is completed here by the answers every route of its kind gives: 401 when it
needs a credential, 415 and 413 when it takes a body, 503 when it touches
storage."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from chalice import Chalice
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.web.routing import CSV, FORM, JSON, STRING, Auth, Operation, operation_of
from chalicelib.web.schemas import ErrorBody

_PATH_PARAM = re.compile(r"{(\w+)}")
_BODY_METHODS = ("POST", "PUT", "PATCH")
_DESCRIPTIONS = {
    303: "on to another page (`Location`)",
    400: "invalid input; `error.fields` names each field at fault",
    401: "missing, invalid or expired credentials",
    403: "outside your role or halls",
    404: "not found",
    409: "conflicts with the current state: nothing was changed",
    410: "deactivated: the hall or counter takes nothing new",
    413: "too large: the body (over 256 KB, or over 100 ratings a batch), or what it would store",
    415: "the body's media type is not one this route takes",
    429: "too many requests: wait `Retry-After` seconds",
    503: (
        "storage busy or failing: retry after `Retry-After` seconds. Nothing was half-stored; of a device"
        " batch written in several transactions some ratings may be, and the retry answers them `duplicate`"
    ),
}
_RETRY_AFTER = {
    "description": "seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}
_SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    Auth.user: [{"userToken": []}],
    Auth.device: [{"deviceKey": []}],
    Auth.session: [{"consoleSession": []}],
    Auth.public: [],
}
_LOCATION = {"Location": {"description": "the page to go on to", "schema": {"type": "string"}, "required": True}}
_CSRF = {"type": "string", "description": "the form's CSRF token (the console's pages carry it)"}


def _operations(app: Chalice) -> list[tuple[str, str, Operation]]:
    found = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            op = operation_of(entry.view_function)
            if op is not None:
                found.append((path, method, op))
    return found


def _plain(value: Any) -> Any:
    """A declared schema (read-only mappings) as plain JSON."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _reads_body(method: str, op: Operation) -> bool:
    """Whether the route reads a body: a request model (whatever the method), a form, or a console form's CSRF field."""
    if op.request is not None:
        return True
    return method in _BODY_METHODS and (FORM in op.consumes or op.auth is Auth.session)


def _statuses(path: str, method: str, op: Operation) -> list[int]:
    """Every status the route answers besides its success."""
    found = set(op.statuses)
    if _PATH_PARAM.search(path):
        found.add(404)  # the path names something that may not exist
    if op.auth is Auth.user:
        found |= {401, 403}  # no valid token; outside the user's role or halls
    if op.auth is Auth.device:
        found.add(401)  # no valid device key
    if op.auth is Auth.session:
        found |= {303, 403}  # no session: on to the sign-in page; a POST without its CSRF token: 403
    if any(q.checked for q in op.query) or any(p.checked for p in op.path_params):
        found.add(400)
    if method in _BODY_METHODS or _reads_body(method, op):
        found.add(415)
    if _reads_body(method, op):
        found |= {400, 413}
    if op.storage:
        found.add(503)
    found.discard(op.status)
    return sorted(found)


class _Document:
    def __init__(self, ops: list[tuple[str, str, Operation]]) -> None:
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
        for _, _, op in ops:
            if op.request is not None:
                wanted.append((op.request, "validation"))
            if op.response is not None:
                wanted.append((op.response, "serialization"))
            wanted.extend((model, "serialization") for _, model in op.answers)
        self.refs, definitions = models_json_schema(
            list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}"
        )
        self.schemas: dict[str, Any] = definitions.get("$defs", {})

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
        return dict(self.refs[(model, mode)])

    def form_with_csrf(self, model: type[BaseModel] | None) -> dict[str, Any]:
        """A console form: the model's fields and the CSRF token, as one component."""
        if model is None:
            return {"type": "object", "properties": {"csrf": _CSRF}, "required": ["csrf"]}
        name = f"{model.__name__}Form"
        if name not in self.schemas:
            base = self.ref(model, "validation")["$ref"].rsplit("/", 1)[1]
            form = copy.deepcopy(self.schemas[base])
            form["title"] = name
            form.setdefault("properties", {})["csrf"] = _CSRF
            form["required"] = [*form.get("required", []), "csrf"]
            self.schemas[name] = form
        return {"$ref": f"#/components/schemas/{name}"}

    def request_body(self, method: str, op: Operation) -> dict[str, Any] | None:
        if not _reads_body(method, op):
            return None
        content: dict[str, Any] = {}
        for media in op.consumes:
            if op.auth is Auth.session:
                body = self.form_with_csrf(op.request)
            elif media == CSV:  # the body is the file itself
                body = {"type": "string"}
            elif op.request is not None:
                body = self.ref(op.request, "validation")
            else:
                body = {"type": "object"}
            content[media] = {"schema": body}
        return {"required": op.body_required, "content": content}

    def success(self, op: Operation) -> dict[str, Any]:
        answer: dict[str, Any] = {"description": op.summary}
        if op.status == 303:
            answer["headers"] = _LOCATION
        if op.status in (204, 303):
            return answer
        content: dict[str, Any] = {}
        for media in op.media:
            if media == JSON:
                content[media] = {"schema": self.ref(op.response) if op.response else {"type": "object"}}
            else:
                content[media] = {"schema": {"type": "string"}}
        answer["content"] = content
        return answer

    def failure(self, status: int, op: Operation) -> dict[str, Any]:
        answer: dict[str, Any] = {"description": _DESCRIPTIONS.get(status, "")}
        if status == 303:
            answer["headers"] = _LOCATION
            return answer
        # Chalice itself refuses a wrong media type, always in the JSON error shape.
        media = (JSON,) if status == 415 else op.error_media
        content: dict[str, Any] = {}
        for m in media:
            if m == JSON:
                content[m] = {"schema": self.ref(ErrorBody)}
            else:
                content[m] = {"schema": {"type": "string"}}
        answer["content"] = content
        if status in (429, 503):
            answer["headers"] = {"Retry-After": {**_RETRY_AFTER, "required": status == 503}}
        return answer


def _parameters(path: str, op: Operation) -> list[dict[str, Any]]:
    declared = {p.name: p for p in op.path_params}
    params: list[dict[str, Any]] = []
    for name in _PATH_PARAM.findall(path):
        found = declared.get(name)
        param: dict[str, Any] = {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _plain(found.schema if found else STRING),
        }
        if found and found.description:
            param["description"] = found.description
        params.append(param)
    for q in op.query:
        params.append(
            {
                "name": q.name,
                "in": "query",
                "required": q.required,
                "description": q.description,
                "schema": _plain(q.schema),
            }
        )
    return params


def document(app: Chalice, version: str) -> dict[str, Any]:
    ops = _operations(app)
    doc = _Document(ops)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, op in ops:
        responses = {str(op.status): doc.success(op)}
        for status, model in op.answers:
            described = op.summary if status < 300 else _DESCRIPTIONS.get(status, op.summary)
            responses.setdefault(str(status), {"description": described, "content": {JSON: {"schema": doc.ref(model)}}})
        for status in _statuses(path, method, op):
            responses.setdefault(str(status), doc.failure(status, op))
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}",
            "tags": list(op.tags),
            "parameters": _parameters(path, op),
            "responses": dict(sorted(responses.items())),
            "security": _SECURITY[op.auth],
        }
        body = doc.request_body(method, op)
        if body is not None:
            entry["requestBody"] = body
        paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tingsheng (厅声) API", "version": version},
        "paths": paths,
        "components": {
            "schemas": doc.schemas,
            "securitySchemes": {
                "userToken": {"type": "http", "scheme": "bearer", "description": "from POST /api/v1/auth/login"},
                "deviceKey": {"type": "http", "scheme": "bearer", "description": "a counter device's key"},
                "consoleSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "ts_session",
                    "description": "the console's session (POST forms also carry a csrf field)",
                },
            },
        },
    }
