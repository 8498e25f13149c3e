"""The halls the signed-in user works with, and the page's chosen hall."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organisation import Hall
from chalicelib.services import organisation
from chalicelib.web import params
from chalicelib.web.requests import query

MAX_HALLS = 200


def halls_of(actor: UserPrincipal) -> list[Hall]:
    return list(organisation.list_halls(actor, composition.organisation(), None, MAX_HALLS).items)


def hall_param(request: Any, actor: UserPrincipal, required: bool = True) -> str | None:
    """The ``hall`` query parameter, else the user's only (or first) hall."""
    code = query(request, "hall")
    if code is not None and not params.HALL_CODE.match(code):
        raise InvalidInput("Bad hall code.", {"hall": "a hall code"})
    if code is None and actor.halls:
        code = sorted(actor.halls)[0]
    if code is None and required:
        first = halls_of(actor)[:1]
        code = first[0].code if first else None
    return code
