"""Signing in and out of the API, and passwords (SPEC §4.3)."""

from __future__ import annotations

from chalice import Response
from pydantic import AliasChoices, Field

from chalicelib import composition
from chalicelib.api.schemas import LoginIn, LoginOut
from chalicelib.domain.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from chalicelib.services import accounts
from chalicelib.web.requests import client_address, parse_json
from chalicelib.web.responses import json_response
from chalicelib.web.routing import Auth, Routes
from chalicelib.web.schemas import Strict

routes = Routes(__name__, tag="auth")

# The policy (length, not blank, not the username, not a common password) is the
# service's, which names the field at fault; the document states the length.


class PasswordChangeIn(Strict):
    old_password: str = Field(
        min_length=1,
        max_length=MAX_PASSWORD_LENGTH,
        validation_alias=AliasChoices("old_password", "current_password"),
        description="your current password (also taken as `current_password`)",
    )
    new_password: str = Field(
        max_length=MAX_PASSWORD_LENGTH,
        json_schema_extra={"minLength": MIN_PASSWORD_LENGTH},
        description="at least 10 characters, not blank, not holding your username, not a common password",
    )


class PasswordIn(Strict):
    password: str = Field(
        max_length=MAX_PASSWORD_LENGTH,
        json_schema_extra={"minLength": MIN_PASSWORD_LENGTH},
        description="at least 10 characters, not blank, not holding the username, not a common password",
    )


def _no_content() -> Response:
    return Response(body="", status_code=204)


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


@routes(
    "/api/v1/auth/logout",
    "POST",
    summary="Sign out: every session of yours (bearer tokens and console) ends at once",
    status=204,
)
def logout():  # type: ignore[no-untyped-def]
    accounts.sign_out(composition.users(), routes.principal())
    return _no_content()


@routes(
    "/api/v1/auth/password",
    "POST",
    summary="Change your own password; every session of yours ends, this one too (sign in again). "
    "A wrong current password is a 403 naming `old_password` and counts as a failed sign-in",
    status=204,
    request=PasswordChangeIn,
    statuses=(429,),
)
def change_password():  # type: ignore[no-untyped-def]
    body = parse_json(routes.request, PasswordChangeIn)
    accounts.change_password(
        composition.users(),
        composition.clock(),
        composition.sign_in_failures(),
        routes.principal(),
        old_password=body.old_password,
        new_password=body.new_password,
        client=client_address(routes.request),
    )
    return _no_content()


def _reset_password(username: str) -> Response:
    body = parse_json(routes.request, PasswordIn)
    accounts.reset_password(
        routes.principal(),
        composition.users(),
        username=username,
        password=body.password,
        auditor=composition.auditor(),
    )
    return _no_content()


@routes(
    "/api/v1/admin/users/{username}/password",
    "POST",
    summary="Set a user's password (admin); every session of that user ends",
    status=204,
    request=PasswordIn,
)
def reset_password(username: str):  # type: ignore[no-untyped-def]
    return _reset_password(username)


@routes(
    "/api/v1/admin/users/{username}/password",
    "PUT",
    summary="Set a user's password (admin), as POST does; every session of that user ends",
    status=204,
    request=PasswordIn,
)
def put_password(username: str):  # type: ignore[no-untyped-def]
    return _reset_password(username)
