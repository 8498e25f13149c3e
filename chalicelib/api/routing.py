"""Declaring routes: one decorator registers a view on a blueprint, records
the models it takes and answers (the OpenAPI document is built from them),
says who may call it, and maps domain errors to the JSON error shape (or to an
error page, for routes that answer pages)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chalice import Blueprint
from pydantic import BaseModel, ValidationError

from chalicelib.api import pages
from chalicelib.api.errors import domain_error_response, invalid_input, status_of
from chalicelib.api.requests import wants_json
from chalicelib.domain.errors import DomainError

PRINCIPAL = "tingsheng.principal"


class Auth(StrEnum):
    public = "public"
    user = "user"  # manager, agent or admin bearer token
    device = "device"  # counter device key
    session = "session"  # the console: a signed-in session cookie, CSRF-checked on POST (api/console_session.py)


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    auth: Auth
    status: int = 200
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    query: tuple[QueryParam, ...] = ()
    produces: str = "application/json"
    tags: tuple[str, ...] = field(default_factory=tuple)


def operation_of(view: Callable[..., Any]) -> Operation | None:
    op = getattr(view, "operation", None)
    return op if isinstance(op, Operation) else None


class Routes:
    """A blueprint whose views are declared with their contract."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    @property
    def request(self) -> Any:
        return self.blueprint.current_request

    def principal(self) -> Any:
        return self.request.context.get(PRINCIPAL)

    def _error(self, op: Operation, error: DomainError) -> Any:
        """A page for people, unless the route answers JSON or the client asked for it."""
        if op.produces == "text/html" and not wants_json(self.request):
            return pages.error_page(error, status_of(error), pages.lang_of(self.request))
        return domain_error_response(error)

    def __call__(
        self,
        path: str,
        method: str,
        *,
        summary: str,
        auth: Auth = Auth.user,
        status: int = 200,
        request: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        query: tuple[QueryParam, ...] = (),
        produces: str = "application/json",
        content_types: list[str] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        op = Operation(
            summary=summary,
            auth=auth,
            status=status,
            request=request,
            response=response,
            query=query,
            produces=produces,
            tags=(self.tag,),
        )

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def view(**path_params: str) -> Any:
                try:
                    return fn(**path_params)
                except ValidationError as e:  # a domain model refused what the request carried
                    return self._error(op, invalid_input(e))
                except DomainError as e:
                    return self._error(op, e)

            view.operation = op  # type: ignore[attr-defined]
            route_kwargs: dict[str, Any] = {"methods": [method]}
            if content_types:
                route_kwargs["content_types"] = content_types
            self.blueprint.route(path, **route_kwargs)(view)
            return fn

        return register
