"""The landing page."""

from __future__ import annotations

from chalicelib.pages.errors import page_routes
from chalicelib.web import rendering
from chalicelib.web.routing import HTML, Auth

routes = page_routes(__name__, tag="public")


@routes("/", "GET", summary="Landing page", auth=Auth.public, produces=HTML, storage=False)
def home():  # type: ignore[no-untyped-def]
    return rendering.render("home.html", rendering.lang_of(routes.request))
