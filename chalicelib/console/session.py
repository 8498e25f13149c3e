"""The console's session (SPEC §4.3): a cookie holding the same signed bearer
token the API takes, and CSRF tokens for every form.

- ``ts_session``: the token; HttpOnly, SameSite=Lax, Path=/console, Secure
  outside the local stage. The user's role, halls and session epoch are
  re-read on every request (``accounts.authenticate``), exactly as for a bearer
  token: after signing out, a password change or deactivation, the old cookie
  sends its bearer back to the sign-in page at once. A cookie holding anything
  else (any text may arrive) is simply no session.
- CSRF: a double-submit token derived from the session token by HMAC with the
  token key; every console form sends it as the hidden field ``csrf`` and the
  boundary checks it on every POST of an ``Auth.session`` route. The sign-in
  form, which has no session yet, is protected by a random ``ts_login`` cookie
  echoed in its form.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from chalice import Response

from chalicelib import composition
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.credentials import b64url, same_secret
from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.services import accounts
from chalicelib.web.requests import form_fields
from chalicelib.web.responses import cookie

SESSION_COOKIE = "ts_session"
LOGIN_COOKIE = "ts_login"
HOME = "/console"
LOGIN = "/console/login"
SAFE_METHODS = ("GET", "HEAD")
# Same-site relative paths only: one leading slash, no "//" or "/\" (other hosts), visible ASCII.
_NEXT = re.compile(r"^/(?![/\\])[!#-\[\]-~]*$")


class SignInRequired(Unauthenticated):
    """No valid session: people are sent to the sign-in page instead of a 401."""


def _cookie_sent(request: Any, name: str) -> str | None:
    """One of our cookies, read on its own. A Cookie header may hold anything (another
    site's cookie on the domain, a planted one with non-ASCII text) and the standard
    parser then drops every cookie in it: which would sign nobody in, ever, until the
    browser forgets it. Our values are plain ASCII; the first of a name wins (the most
    specific path comes first)."""
    for part in (request.headers.get("cookie") or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip() or None
    return None


def session_token(request: Any) -> str | None:
    return _cookie_sent(request, SESSION_COOKIE)


def _mac(purpose: str, value: str) -> str:
    digest = hmac.new(composition.settings().token_key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return b64url(digest)


def csrf_token(token: str) -> str:
    return _mac("console-csrf", token)


def _same(given: object, expected: str) -> bool:
    return isinstance(given, str) and bool(expected) and same_secret(given, expected)


def principal_of(request: Any) -> UserPrincipal:
    """The signed-in user; on a POST the form's CSRF token must match the session."""
    token = session_token(request)
    if token is None:
        raise SignInRequired("Please sign in.")
    try:
        principal = accounts.authenticate(composition.users(), composition.clock(), composition.token_policy(), token)
    except Unauthenticated:
        raise SignInRequired("Your session has ended: please sign in again.") from None
    if request.method not in SAFE_METHODS and not _same(form_fields(request).get("csrf"), csrf_token(token)):
        raise Forbidden("The form has expired or did not come from this site.", {"csrf": "missing or wrong"})
    return principal


# ---- the sign-in form's own token -------------------------------------------
def login_nonce(request: Any) -> tuple[str, bool]:
    """The sign-in form's token, and whether it is new (to be set as a cookie)."""
    known = _cookie_sent(request, LOGIN_COOKIE)
    return (known, False) if known else (secrets.token_urlsafe(24), True)


def login_form_is_ours(request: Any, form: dict[str, Any]) -> bool:
    known = _cookie_sent(request, LOGIN_COOKIE) or ""
    return _same(form.get("csrf"), known)


# ---- cookies -----------------------------------------------------------------
def _cookie(name: str, value: str, path: str, max_age: int) -> str:
    return cookie(name, value, path, max_age, composition.settings().secure_cookies)


def session_cookie(token: str) -> str:
    return _cookie(SESSION_COOKIE, token, HOME, composition.settings().token_ttl_seconds)


def ended_session_cookie() -> str:
    return _cookie(SESSION_COOKIE, "", HOME, 0)


def login_cookie(nonce: str) -> str:
    return _cookie(LOGIN_COOKIE, nonce, LOGIN, 3600)


# ---- where to go -------------------------------------------------------------
def safe_next(value: str | None) -> str:
    return value if value and _NEXT.match(value) else HOME


def current_path(request: Any) -> str:
    """The path and query of this request, rebuilt from the route (the same without a stage prefix)."""
    path: str = request.path
    for name, value in (request.uri_params or {}).items():
        path = path.replace("{" + name + "}", value)
    params = request.query_params or {}
    return path + (f"?{urlencode(params)}" if params else "")


def sign_in_redirect(request: Any) -> Response:
    """303 to the sign-in page, coming back here afterwards (for a page; a form starts over)."""
    lang = (request.query_params or {}).get("lang")
    params = {"next": current_path(request)} if request.method in SAFE_METHODS else {}
    if lang == "en":
        params["lang"] = "en"
    headers: dict[str, str | list[str]] = {
        "Location": LOGIN + (f"?{urlencode(params)}" if params else ""),
        "Cache-Control": "no-store",
    }
    if session_token(request):
        headers["Set-Cookie"] = ended_session_cookie()
    return Response(body="", status_code=303, headers=headers)
