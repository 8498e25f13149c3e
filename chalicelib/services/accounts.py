"""Accounts: creating users, signing in, and checking a bearer token."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain import credentials
from chalicelib.domain.accounts import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH  # stated in the API's document
from chalicelib.domain.accounts import Role, User, UserPrincipal, check_password
from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests, Unauthenticated
from chalicelib.domain.paging import Page
from chalicelib.services.ports import Clock, OrganisationRepository, RateLimiter, UserRepository


@dataclass(frozen=True)
class TokenPolicy:
    key: bytes
    ttl_seconds: int


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def create_user(
    actor: UserPrincipal,
    users: UserRepository,
    org: OrganisationRepository,
    clock: Clock,
    *,
    username: str,
    password: str,
    role: Role,
    halls: list[str],
) -> User:
    actor.require_admin()
    check_password(password, username)
    if role is not Role.admin and not halls:
        raise InvalidInput("A manager or agent needs at least one hall.", {"halls": "at least one hall"})
    for i, code in enumerate(halls):
        if org.get_hall(code) is None:
            raise NotFound(f"No hall {code}.", {f"halls.{i}": "unknown hall"})
    user = User(
        username=username,
        password_hash=credentials.hash_password(password),
        role=role,
        halls=tuple(dict.fromkeys(halls)),
        created_at=clock.now(),
    )
    users.add_user(user)
    return user


def list_users(actor: UserPrincipal, users: UserRepository, cursor: str | None, limit: int) -> Page[User]:
    actor.require_admin()
    return users.list_users(cursor, limit)


@dataclass(frozen=True)
class LoginLimits:
    """Sign-in attempts allowed per window: per account, and per client address (a hall's NAT is shared)."""

    per_user: int = 10
    per_client: int = 50
    window_seconds: int = 900


def login(
    users: UserRepository,
    clock: Clock,
    policy: TokenPolicy,
    limiter: RateLimiter,
    *,
    username: str,
    password: str,
    client: str,
    limits: LoginLimits = LoginLimits(),
) -> IssuedToken:
    """A token for the right password; TooManyRequests once an account or an address tries too often."""
    now = clock.now()
    account = hashlib.sha256(username.encode()).hexdigest()[:32]  # any text may be typed: keep keys plain
    if not (
        limiter.allow("login-user", account, limits.per_user, limits.window_seconds, now)
        and limiter.allow("login-client", client, limits.per_client, limits.window_seconds, now)
    ):
        raise TooManyRequests("Too many sign-in attempts: wait a few minutes and try again.")
    user = users.get_user(username)
    # Hash even for an unknown user so timing does not tell which names exist.
    stored = user.password_hash if user else _unknown_user_hash()
    if not credentials.verify_password(password, stored) or user is None:
        raise Unauthenticated("Wrong username or password.")
    expires = int(now.timestamp()) + policy.ttl_seconds
    token = credentials.sign_token(credentials.TokenClaims(subject=user.username, expires_at=expires), policy.key)
    return IssuedToken(token=token, expires_at=datetime.fromtimestamp(expires, UTC))


def authenticate(users: UserRepository, clock: Clock, policy: TokenPolicy, token: str) -> UserPrincipal:
    """The principal a bearer token stands for, with the user's current role and halls."""
    claims = credentials.verify_token(token, policy.key, int(clock.now().timestamp()))
    user = users.get_user(claims.subject) if claims else None
    if user is None:
        raise Unauthenticated("Missing, invalid or expired token.")
    return UserPrincipal(username=user.username, role=user.role, halls=frozenset(user.halls))


def ensure_first_admin(users: UserRepository, clock: Clock, *, username: str, password: str | None) -> str | None:
    """Create the first admin when there is none; returns a generated password to print once."""
    if users.any_admin():
        return None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(15)
    # The operator's choice, checked without the username rule: an operator's
    # configured password (e.g. "<stack>-admin-…") may name the account.
    check_password(password)
    users.add_user(
        User(
            username=username,
            password_hash=credentials.hash_password(password),
            role=Role.admin,
            created_at=clock.now(),
        )
    )
    return generated


@functools.cache
def _unknown_user_hash() -> str:
    return credentials.hash_password(secrets.token_urlsafe(16))
