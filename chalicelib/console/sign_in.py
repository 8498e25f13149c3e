"""The manager console (SPEC §4.3): signing in and out on the API's accounts.

The session is the API's own signed bearer token in an HttpOnly cookie
(console_session.py); the pages of each area live in the other console_*
modules and call the same service functions as the JSON API. Signing out ends
every session of the user (the cookie's token and any API token) at once.
"""

from __future__ import annotations

from chalice import Response

from chalicelib import composition
from chalicelib.console import session as console_session
from chalicelib.console.layout import DONE_QUERY, ConsoleRoutes, principal, redirect, render
from chalicelib.domain.accounts import Role
from chalicelib.domain.errors import Forbidden, TooManyRequests, Unauthenticated
from chalicelib.services import accounts
from chalicelib.web.requests import client_address, form_fields, query
from chalicelib.web.routing import Auth, QueryParam
from chalicelib.web.schemas import Strict

routes = ConsoleRoutes(__name__)
MAX_FIELD = 256
NEXT_QUERY = QueryParam(
    "next", "the same-site page to go on to once signed in (else the console's start)", checked=False
)


class SignInForm(Strict):
    """The sign-in form's fields (read by ``login``); ``csrf`` echoes the ``ts_login`` cookie."""

    username: str
    password: str
    csrf: str
    next: str = ""


def wait_text(seconds: int) -> tuple[str, str]:
    """How long to wait, in Chinese and in English: seconds under two minutes, else whole minutes."""
    if seconds < 120:
        return f"{seconds}秒", f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return f"{minutes}分钟", f"{minutes} minutes"


def _login_page(
    status: int = 200, failed: bool = False, username: str = "", retry_after: int | None = None
) -> Response:
    request = routes.request
    nonce, new = console_session.login_nonce(request)
    response = render(
        request,
        "login.html",
        status=status,
        failed=failed,
        throttled=retry_after is not None,
        wait=wait_text(retry_after or 0),
        username=username,
        login_csrf=nonce,
        next=console_session.safe_next(query(request, "next")),
        done=query(request, "done"),
    )
    if new:
        response.headers["Set-Cookie"] = console_session.login_cookie(nonce)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@routes.page(
    "/console/login",
    summary="The console's sign-in page (303 on when already signed in)",
    auth=Auth.public,
    query=(NEXT_QUERY, DONE_QUERY),
    statuses=(303,),
)
def login_page():  # type: ignore[no-untyped-def]
    request = routes.request
    token = console_session.session_token(request)
    if token is not None:
        try:
            accounts.authenticate(composition.users(), composition.clock(), composition.token_policy(), token)
        except Unauthenticated:
            pass  # an ended session: sign in again
        else:
            return redirect(request, console_session.safe_next(query(request, "next")))
    return _login_page()


@routes.action(
    "/console/login",
    summary="Sign in to the console: 303 on, with the session cookie",
    auth=Auth.public,
    request=SignInForm,
    statuses=(401, 403, 429),  # the page again: a wrong pair, an expired form, too many attempts
)
def login():  # type: ignore[no-untyped-def]
    request = routes.request
    form = form_fields(request)
    if not console_session.login_form_is_ours(request, form):
        raise Forbidden("The sign-in form has expired: please try again.", {"csrf": "missing or wrong"})
    username = str(form.get("username", ""))[:MAX_FIELD]
    password = str(form.get("password", ""))[:MAX_FIELD]
    try:
        issued = accounts.login(
            composition.users(),
            composition.clock(),
            composition.token_policy(),
            composition.sign_in_failures(),
            username=username,
            password=password,
            client=client_address(request),
        )
    except TooManyRequests as e:  # the name typed stays in the form
        return _login_page(status=429, failed=True, username=username, retry_after=e.retry_after or 1)
    except Unauthenticated:
        return _login_page(status=401, failed=True, username=username)
    response = redirect(request, console_session.safe_next(str(form.get("next", ""))))
    response.headers["Set-Cookie"] = console_session.session_cookie(issued.token)
    return response


@routes.action("/console/logout", summary="Sign out: every session of yours ends at once, the API's too")
def logout():  # type: ignore[no-untyped-def]
    accounts.sign_out(composition.users(), principal(routes.request))
    response = redirect(routes.request, console_session.LOGIN)
    response.headers["Set-Cookie"] = console_session.ended_session_cookie()
    return response


@routes.page(
    "/console",
    summary="The console's start: the dashboard, or agents' callbacks, handlers' orders, inspectors' inspections",
    status=303,
)
def home():  # type: ignore[no-untyped-def]
    actor = principal(routes.request)
    if actor.role is Role.agent:
        return redirect(routes.request, "/console/callbacks")
    if actor.role is Role.handler:
        return redirect(routes.request, "/console/tickets")
    if actor.role is Role.inspector:
        return redirect(routes.request, "/console/inspections")
    return redirect(routes.request, "/console/dashboard")
