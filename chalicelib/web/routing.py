"""Declaring routes: one decorator registers a view under its path and method,
records the models it takes and answers (the OpenAPI document is built from
them), says who may call it, and answers domain errors through the one mapping
(``errors.answer``) in the look its surface chose. The app serves the views
from the route table (``web.serving``), importing a declaring module on the
first request to one of its routes.

Chalice turns an exception raised in a view into a 500 before any middleware
sees it, so errors are answered here, in the wrapper of every view."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from chalicelib.domain.errors import DomainError
from chalicelib.domain.organisation import CODE_PATTERN
from chalicelib.domain.outreach import QUARTER_PATTERN
from chalicelib.domain.paging import MAX_PAGE_SIZE
from chalicelib.web import serving
from chalicelib.web.errors import ErrorView, answer, internal_error, invalid_input, json_error

PRINCIPAL = "tingsheng.principal"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
CSV = "text/csv"

# A JSON Schema (read-only: declarations are shared between routes).
Schema = Mapping[str, Any]


def schema(**keywords: Any) -> Schema:
    return MappingProxyType(keywords)


STRING = schema(type="string")


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
    schema: Schema = STRING  # what the route accepts: its pattern, format or range
    checked: bool = True  # a value outside ``schema`` (or a missing required one) is a 400; else ignored


@dataclass(frozen=True)
class PathParam:
    name: str
    schema: Schema
    description: str = ""
    checked: bool = False  # a value outside ``schema`` is a 400; else it names nothing (404)


@dataclass(frozen=True)
class Operation:
    """A route's contract, as the OpenAPI document tells it (``web.openapi``).

    ``status`` is the answer to a request that succeeds; ``statuses`` the other
    answers only this route gives (a 409 on a conflict, a 429 when throttled, a
    303 to another page). The answers every route of its kind gives are the
    document's to derive: a 401 when it needs a credential, 415 and 413 when it
    reads a body, 503 when it touches storage (unless ``storage=False``).
    """

    summary: str
    auth: Auth
    status: int = 200
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    query: tuple[QueryParam, ...] = ()
    produces: str | tuple[str, ...] = JSON  # the success's media types; the JSON one carries ``response``
    tags: tuple[str, ...] = field(default_factory=tuple)
    errors: ErrorView = json_error  # how this route's errors look (the status is errors.answer's)
    error_media: tuple[str, ...] = (JSON,)  # the media types of those errors
    statuses: tuple[int, ...] = ()
    path_params: tuple[PathParam, ...] = ()  # path parameters with constraints (plain strings otherwise)
    consumes: tuple[str, ...] = (JSON,)  # the body's media types (Chalice answers 415 to others)
    body_required: bool = True  # False: the body (``request``) may be left out
    answers: tuple[tuple[int, type[BaseModel]], ...] = ()  # statuses whose body is not the error shape
    storage: bool = True

    @property
    def media(self) -> tuple[str, ...]:
        return (self.produces,) if isinstance(self.produces, str) else self.produces


@dataclass(frozen=True)
class Declared:
    """A route as its module declared it: the route table's row, and the view."""

    path: str
    method: str
    content_types: tuple[str, ...]  # empty: JSON
    module: str
    view: Callable[..., Any]

    @property
    def row(self) -> serving.Row:
        return (self.path, self.method, self.content_types, self.module, self.view.__name__)


_declared: dict[tuple[str, str], Declared] = {}  # (path, method): every route of the modules imported


def declared_routes() -> list[Declared]:
    """The routes of every module imported so far, in the order they were declared."""
    return list(_declared.values())


def declared_view(path: str, method: str) -> Callable[..., Any]:
    return _declared[(path, method)].view


def operation_of(view: Callable[..., Any]) -> Operation | None:
    if isinstance(view, serving.LazyView):
        view = view.loaded()
    op = getattr(view, "operation", None)
    return op if isinstance(op, Operation) else None


class Routes:
    """A module's routes, each view declared with its contract; ``errors`` is how
    its errors look (JSON unless the surface says otherwise)."""

    def __init__(
        self,
        import_name: str,
        tag: str,
        errors: ErrorView = json_error,
        error_media: tuple[str, ...] = (JSON,),
        query: tuple[QueryParam, ...] = (),
    ) -> None:
        self.module = import_name
        self.tag = tag
        self.errors = errors
        self.error_media = error_media
        self.query = query  # taken by every route of the module (e.g. the pages' ``lang``)

    @property
    def request(self) -> Any:
        return serving.app().current_request

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
        produces: str | tuple[str, ...] = JSON,
        content_types: list[str] | None = None,
        statuses: tuple[int, ...] = (),
        path_params: tuple[PathParam, ...] = (),
        answers: tuple[tuple[int, type[BaseModel]], ...] = (),
        storage: bool = True,
        body_required: bool = True,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        op = Operation(
            summary=summary,
            auth=auth,
            status=status,
            request=request,
            response=response,
            query=(*query, *(q for q in self.query if q.name not in {p.name for p in query})),
            produces=produces,
            tags=(self.tag,),
            errors=self.errors,
            error_media=self.error_media,
            statuses=statuses,
            path_params=path_params,
            consumes=tuple(content_types or (JSON,)),
            answers=answers,
            storage=storage,
            body_required=body_required,
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
            if (path, method) in _declared:
                raise ValueError(f"{method} {path} is declared twice")
            _declared[(path, method)] = Declared(path, method, tuple(content_types or ()), self.module, view)
            return view

        return register


# ---- parameters several surfaces take, with the constraints web.params and
# web.requests enforce -------------------------------------------------------
HALL_CODE = schema(type="string", pattern=CODE_PATTERN)
MONTH = schema(type="string", pattern=r"^2[0-9]{3}-(0[1-9]|1[0-2])$", description="YYYY-MM, years 2000-2999")
QUARTER = schema(type="string", pattern=QUARTER_PATTERN)
VERSION = schema(type="string", pattern=r"^([1-9][0-9]{0,5}|latest)$", description="a version number, or latest")
DAY = schema(type="string", format="date")
LANG = QueryParam(
    "lang", "en for English; Chinese otherwise", schema=schema(type="string", enum=["zh", "en"]), checked=False
)
CURSOR = QueryParam("cursor", "continue a list: the `next` of the page before")
LIMIT = QueryParam(
    "limit", f"page size, 1-{MAX_PAGE_SIZE}", schema=schema(type="integer", minimum=1, maximum=MAX_PAGE_SIZE)
)
PAGING = (CURSOR, LIMIT)
