"""Serving the routes from a table, each loaded on its first request.

A cold start of the API function imports Chalice, this module and the route
table (``chalicelib/route_table.py``: paths, methods and the module declaring
each), nothing else. Chalice is given one small view per route; the first
request to it imports the declaring module (its services, models, templates)
and every later request goes straight to the view that module declared
(``routing.Routes``). The boundary every request passes (authentication, the
error shape, the access log) is loaded by the first request likewise.

Only the standard library and Chalice may be imported here at module level.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from chalice import Chalice, Response

# One row of the route table: path, method, the body's media types (empty: JSON),
# the module declaring the route and the view's name there.
Row = tuple[str, str, tuple[str, ...], str, str]
View = Callable[..., Any]

_serving: list[Chalice] = []  # the app whose requests are served (one per process)


def app() -> Chalice:
    """The app serving this process's requests (its ``current_request`` is the one being answered)."""
    if not _serving:
        raise RuntimeError("no app serves routes: chalicelib.web.serving.install was not called")
    return _serving[0]


def load(target: str) -> Any:
    """``"package.module:name"``: the name, its module imported."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


class LazyView:
    """What Chalice calls for one route until, and after, its module is loaded."""

    def __init__(self, row: Row) -> None:
        self.path, self.method, _, self.module, self.__name__ = row  # Chalice names the route after it
        self.__doc__ = None  # not this class's: Chalice would describe every route with it
        self._view: View | None = None

    def loaded(self) -> View:
        """The view the declaring module registered (``routing.Routes``), imported once."""
        if self._view is None:
            importlib.import_module(self.module)
            declared: Callable[[str, str], View] = load("chalicelib.web.routing:declared_view")
            self._view = declared(self.path, self.method)
        return self._view

    def __call__(self, **path_params: str) -> Any:
        return self.loaded()(**path_params)


def install(app: Chalice, table: Iterable[Row], boundary: str, sessions: str) -> None:
    """Serve ``table``'s routes on ``app``. ``boundary`` names the factory of the middleware every
    request passes; ``sessions`` how the console reads a signed-in session (both loaded on first use)."""
    _serving[:] = [app]
    for row in table:
        path, method, content_types, _, _ = row
        options: dict[str, Any] = {"methods": [method]}
        if content_types:
            options["content_types"] = list(content_types)
        app.route(path, **options)(LazyView(row))
    middleware: list[Callable[[Any, Callable[[Any], Response]], Response]] = []

    @app.middleware("http")
    def each_request(request: Any, get_response: Callable[[Any], Response]) -> Response:
        if not middleware:
            reader: list[Callable[[Any], Any]] = []  # loaded by the first console request

            def read_session(request: Any) -> Any:
                if not reader:
                    reader.append(load(sessions))
                return reader[0](request)

            middleware.append(load(boundary)(app, sessions=read_session))
        return middleware[0](request, get_response)
