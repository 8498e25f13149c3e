"""Declaring routes: one decorator registers a view on a blueprint, records
the models it takes and answers (the OpenAPI document is built from them),
says who may call it, and answers domain errors through the one mapping
(``errors.answer``) in the look its surface chose.

Chalice turns an exception raised in a view into a 500 before any middleware
sees it, so errors are answered here, in the wrapper of every view."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chalice import Blueprint
from pydantic import BaseModel, ValidationError

from chalicelib.domain.errors import DomainError
from chalicelib.web.errors import ErrorView, answer, internal_error, invalid_input, json_error

PRINCIPAL = "tingsheng.principal"


class Auth(StrEnum):
    public = "public"
    user = "user"  # manager, agent or admin bearer token
    device = "device"  # counter device key
    session = "session"  # the console: a signed-in session cookie, CSRF-checked on POST (console/session.py)


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
    errors: ErrorView = json_error  # how this route's errors look (the status is errors.answer's)


def operation_of(view: Callable[..., Any]) -> Operation | None:
    op = getattr(view, "operation", None)
    return op if isinstance(op, Operation) else None


class Routes:
    """A blueprint whose views are declared with their contract; ``errors`` is how
    its errors look (JSON unless the surface says otherwise)."""

    def __init__(self, import_name: str, tag: str, errors: ErrorView = json_error) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag
        self.errors = errors

    @property
    def request(self) -> Any:
        return self.blueprint.current_request

    def principal(self) -> Any:
        return self.request.context.get(PRINCIPAL)

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
            errors=self.errors,
        )

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def view(**path_params: str) -> Any:
                try:
                    return fn(**path_params)
                except ValidationError as e:  # a domain model refused what the request carried
                    return answer(invalid_input(e), self.request, op.errors)
                except DomainError as e:
                    return answer(e, self.request, op.errors)
                except Exception:  # a bug: logged with its trace, answered in our shape
                    return internal_error(self.request)

            view.operation = op  # type: ignore[attr-defined]
            route_kwargs: dict[str, Any] = {"methods": [method]}
            if content_types:
                route_kwargs["content_types"] = content_types
            self.blueprint.route(path, **route_kwargs)(view)
            return view

        return register
