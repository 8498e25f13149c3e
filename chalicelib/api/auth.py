"""Signing in to the API."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.api.schemas import LoginIn, LoginOut
from chalicelib.services import accounts
from chalicelib.web.requests import client_address, parse_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import Auth, Routes

routes = Routes(__name__, tag="auth")


@routes(
    "/api/v1/auth/login",
    "POST",
    summary="Sign in; returns a bearer token. After 5 failures of one account from one address "
    "that pair waits (429 with Retry-After), doubling from 5 s up to 15 min; successes never count",
    auth=Auth.public,
    request=LoginIn,
    response=LoginOut,
    statuses=(401, 429),  # a wrong pair; too many attempts
)
def login():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, LoginIn)
    issued = accounts.login(
        composition.users(),
        composition.clock(),
        composition.token_policy(),
        composition.sign_in_failures(),
        username=body.username,
        password=body.password,
        client=client_address(routes.request),
    )
    return json_response(LoginOut(token=issued.token, expires_at=issued.expires_at).model_dump(mode="json"))
