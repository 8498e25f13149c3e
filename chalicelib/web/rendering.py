"""Server-rendered pages: one Jinja2 environment, autoescape on, Chinese by default;
the customer pages and the console both render through it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalice import Response

if TYPE_CHECKING:
    from jinja2 import Environment

# Locally templates/ sits beside chalicelib/; in the Lambda package it is
# shipped through vendor/templates and lands at the package root, beside
# chalicelib/ again.
TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"

LANGS = ("zh", "en")


@functools.cache
def environment() -> Environment:
    """Built on the first page rendered: a function that renders none never loads Jinja2."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def lang_of(request: Any) -> str:
    lang = (request.query_params or {}).get("lang")
    return lang if lang in LANGS else "zh"


def render(template: str, lang: str, status: int = 200, **context: Any) -> Response:
    html = environment().get_template(template).render(lang=lang, **context)
    return Response(
        body=html,
        status_code=status,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Language": "zh-CN" if lang == "zh" else "en"},
    )
