"""The OpenAPI 3.1 document, generated from the routes and the pydantic models
that validate their requests and shape their answers."""

from __future__ import annotations

import re
from typing import Any

from chalice import Chalice
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.web.routing import Auth, Operation, operation_of
from chalicelib.web.schemas import ErrorBody

_PATH_PARAM = re.compile(r"{(\w+)}")
_ERRORS = {
    "400": "invalid input; `error.fields` names each field at fault",
    "401": "missing, invalid or expired credentials",
    "403": "outside your role or halls",
    "404": "not found",
    "503": "storage busy or failing: nothing was stored; retry after `Retry-After` seconds",
}
_SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    Auth.user: [{"userToken": []}],
    Auth.device: [{"deviceKey": []}],
    Auth.session: [{"consoleSession": []}],
    Auth.public: [],
}


def _operations(app: Chalice) -> list[tuple[str, str, Operation]]:
    found = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            op = operation_of(entry.view_function)
            if op is not None:
                found.append((path, method, op))
    return found


def document(app: Chalice, version: str) -> dict[str, Any]:
    ops = _operations(app)
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for _, _, op in ops:
        if op.request is not None:
            wanted.append((op.request, "validation"))
        if op.response is not None:
            wanted.append((op.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for path, method, op in ops:
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PATH_PARAM.findall(path)
        ] + [
            {
                "name": q.name,
                "in": "query",
                "required": q.required,
                "description": q.description,
                "schema": {"type": "string"},
            }
            for q in op.query
        ]
        success: dict[str, Any] = {"description": op.summary}
        if op.response is not None:
            success["content"] = {op.produces: {"schema": refs[(op.response, "serialization")]}}
        elif op.produces != "application/json":
            success["content"] = {op.produces: {"schema": {"type": "string"}}}
        error_schema = {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}
        responses = {str(op.status): success} | {
            code: {"description": text, "content": error_schema}
            for code, text in _ERRORS.items()
            if code != "401" or op.auth is not Auth.public
        }
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}",
            "tags": list(op.tags),
            "parameters": params,
            "responses": responses,
            "security": _SECURITY[op.auth],
        }
        if op.request is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(op.request, "validation")]}},
            }
        paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tingsheng (厅声) API", "version": version},
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
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
