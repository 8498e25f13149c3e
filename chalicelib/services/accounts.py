"""Accounts: creating users, signing in and out, checking a bearer token, and
changing passwords.

A token carries the user's session epoch; ``authenticate`` re-reads the user on
every request and refuses a token of an older epoch. Signing out, a password
change and deactivation (``end_sessions``) add one to the epoch, so every
session of that user ends at once, on every surface.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain import credentials
from chalicelib.domain.accounts import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH  # stated in the API's document
from chalicelib.domain.accounts import Role, SignInThrottle, User, UserPrincipal, check_password
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from chalicelib.domain.paging import Page
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.ports import Clock, OrganisationRepository, SignInFailureLog, UserRepository

THROTTLE = SignInThrottle()


@dataclass(frozen=True)
class TokenPolicy:
    key: bytes
    ttl_seconds: int


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


# Roles that need no hall: admins see every hall, inspectors record in any hall (SPEC §4.3).
HALL_FREE_ROLES = (Role.admin, Role.handler, Role.inspector)


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
    departments: list[str] | None = None,
    department_known: Callable[[str], bool] | None = None,
) -> User:
    actor.require_admin()
    check_password(password, username)
    _check_departments(role, departments or [], department_known)
    if role not in HALL_FREE_ROLES and not halls:
        raise InvalidInput("A manager or agent needs at least one hall.", {"halls": "at least one hall"})
    for i, code in enumerate(halls):
        if org.get_hall(code) is None:
            raise NotFound(f"No hall {code}.", {f"halls.{i}": "unknown hall"})
    user = User(
        username=username,
        password_hash=credentials.hash_password(password),
        role=role,
        halls=tuple(dict.fromkeys(halls)),
        departments=tuple(dict.fromkeys(departments or [])),
        created_at=clock.now(),
    )
    users.add_user(user)
    return user


def update_user(
    actor: UserPrincipal,
    users: UserRepository,
    org: OrganisationRepository,
    username: str,
    *,
    role: Role | None = None,
    halls: list[str] | None = None,
    active: bool | None = None,
    auditor: Auditor | None = None,
    departments: list[str] | None = None,
    department_known: Callable[[str], bool] | None = None,
) -> User:
    """Change a user's role, halls or whether active (admin). Deactivating ends their sessions at
    once; a user is never deleted. Admins cannot demote or deactivate themselves (no lock-out).
    The change is logged (the log leaves the password hash out)."""
    actor.require_admin()
    user = users.get_user(username)
    if user is None:
        raise NotFound(f"No user {username}.", {"username": "unknown user"})
    changed = user.model_copy(
        update={
            "role": role if role is not None else user.role,
            "halls": tuple(dict.fromkeys(halls)) if halls is not None else user.halls,
            "active": active if active is not None else user.active,
            "departments": tuple(dict.fromkeys(departments)) if departments is not None else user.departments,
        }
    )
    if username == actor.username and (changed.role is not Role.admin or not changed.active):
        raise Conflict("You cannot demote or deactivate your own account.", {"username": "your own account"})
    _check_departments(changed.role, list(changed.departments), department_known if departments is not None else None)
    if changed.role not in HALL_FREE_ROLES and not changed.halls:
        raise InvalidInput("A manager or agent needs at least one hall.", {"halls": "at least one hall"})
    for i, code in enumerate(halls or []):
        if org.get_hall(code) is None:
            raise NotFound(f"No hall {code}.", {f"halls.{i}": "unknown hall"})
    users.save_profile(changed, end_sessions=user.active and not changed.active)
    audit.record(auditor, actor.username, Action.update, RecordKind.user, username, before=user, after=changed)
    return changed


def _check_departments(role: Role, departments: list[str], known: Callable[[str], bool] | None) -> None:
    """A handler belongs to at least one department, each of them known."""
    if role is Role.handler and not departments:
        raise InvalidInput("A handler needs at least one department.", {"departments": "at least one department"})
    for i, code in enumerate(departments):
        if known is not None and not known(code):
            raise NotFound(f"No department {code}.", {f"departments.{i}": "unknown department"})


def get_user(actor: UserPrincipal, users: UserRepository, username: str) -> User:
    """One user (admin); NotFound when there is none."""
    actor.require_admin()
    user = users.get_user(username)
    if user is None:
        raise NotFound(f"No user {username}.", {"username": "unknown user"})
    return user


def list_users(actor: UserPrincipal, users: UserRepository, cursor: str | None, limit: int) -> Page[User]:
    actor.require_admin()
    return users.list_users(cursor, limit)


def _account_key(username: str) -> str:
    """The key failures of a typed name are counted under: any text may be typed, keys stay plain."""
    return hashlib.sha256(username.encode(errors="replace")).hexdigest()[:32]


class _Throttled:
    """The failure log of one (account, address) pair, read and written by one rule."""

    def __init__(self, log: SignInFailureLog, throttle: SignInThrottle, username: str, client: str) -> None:
        self.log, self.throttle = log, throttle
        self.account, self.client = _account_key(username), client
        self.had_failures = False

    def check(self, now: datetime) -> None:
        """TooManyRequests (with Retry-After) while this pair or this address must wait."""
        t = self.throttle
        failures = self.log.failures(self.account, self.client, now, t.forget_after_seconds, t.address_window_seconds)
        self.had_failures = failures.pair > 0
        wait = t.retry_after(failures, now)
        if wait > 0:
            raise TooManyRequests(
                f"Too many failed sign-ins from your address: try again in {wait} seconds.", retry_after=wait
            )

    def failed(self, now: datetime) -> None:
        t = self.throttle
        self.log.add_failure(self.account, self.client, now, t.forget_after_seconds, t.address_window_seconds)

    def succeeded(self) -> None:
        if self.had_failures:  # no write on an ordinary sign-in
            self.log.forget_pair(self.account, self.client)


def login(
    users: UserRepository,
    clock: Clock,
    policy: TokenPolicy,
    failures: SignInFailureLog,
    *,
    username: str,
    password: str,
    client: str,
    throttle: SignInThrottle = THROTTLE,
) -> IssuedToken:
    """A token for the right password; TooManyRequests while this account from this
    address (or this address overall) has failed too often, right password or not."""
    now = clock.now()
    attempt = _Throttled(failures, throttle, username, client)
    attempt.check(now)
    user = users.get_user(username)
    # Hash even for an unknown user so timing does not tell which names exist.
    stored = user.password_hash if user else _unknown_user_hash()
    if not credentials.verify_password(password, stored) or user is None or not user.active:
        attempt.failed(now)
        raise Unauthenticated("Wrong username or password.")
    attempt.succeeded()
    expires = int(now.timestamp()) + policy.ttl_seconds
    claims = credentials.TokenClaims(subject=user.username, expires_at=expires, epoch=user.session_epoch)
    return IssuedToken(
        token=credentials.sign_token(claims, policy.key), expires_at=datetime.fromtimestamp(expires, UTC)
    )


def authenticate(users: UserRepository, clock: Clock, policy: TokenPolicy, token: str) -> UserPrincipal:
    """The principal a bearer token stands for, with the user's current role and halls;
    Unauthenticated for a token that is malformed, expired or of an ended session."""
    claims = credentials.verify_token(token, policy.key, int(clock.now().timestamp()))
    user = users.get_user(claims.subject) if claims else None
    if user is None or claims is None or claims.epoch != user.session_epoch or not user.active:
        raise Unauthenticated("Missing, invalid or expired token.")
    # An inspector works in any hall and sees only their own inspections: no hall opens anything else.
    halls = frozenset() if user.role is Role.inspector else frozenset(user.halls)
    return UserPrincipal(username=user.username, role=user.role, halls=halls, departments=frozenset(user.departments))


def end_sessions(users: UserRepository, username: str) -> None:
    """End every session of a user at once: every token and console cookie signed so far
    stops working (sign-out, deactivation). NotFound when there is no such user."""
    users.end_sessions(username)


def sign_out(users: UserRepository, actor: UserPrincipal) -> None:
    """Sign out: the user's sessions end everywhere (this one included), at once."""
    end_sessions(users, actor.username)


def change_password(
    users: UserRepository,
    clock: Clock,
    failures: SignInFailureLog,
    actor: UserPrincipal,
    *,
    old_password: str,
    new_password: str,
    client: str,
    throttle: SignInThrottle = THROTTLE,
) -> None:
    """The signed-in user's new password, given the current one; every session of the
    user ends (this one included: sign in again with the new password). A wrong current
    password counts as a failed sign-in, so a stolen session cannot guess it quickly."""
    now = clock.now()
    attempt = _Throttled(failures, throttle, actor.username, client)
    attempt.check(now)
    user = users.get_user(actor.username)
    if user is None:
        raise Unauthenticated("Your account no longer exists.")
    if not credentials.verify_password(old_password, user.password_hash):
        attempt.failed(now)
        raise Forbidden("The current password is wrong.", {"old_password": "wrong password"})
    attempt.succeeded()
    check_password(new_password, user.username, field="new_password")
    if credentials.verify_password(new_password, user.password_hash):
        raise InvalidInput(
            "The new password is the current one.", {"new_password": "must differ from the current password"}
        )
    users.set_password(user.username, credentials.hash_password(new_password))


def reset_password(
    actor: UserPrincipal,
    users: UserRepository,
    *,
    username: str,
    password: str,
    auditor: Auditor | None = None,
) -> None:
    """An admin sets another user's password (forgotten, or to lock someone out); every
    session of that user ends. The log records that the password was set, masked."""
    actor.require_admin()
    if users.get_user(username) is None:
        raise NotFound(f"No user {username}.")
    check_password(password, username)
    users.set_password(username, credentials.hash_password(password))
    audit.record(
        auditor,
        actor.username,
        Action.update,
        RecordKind.user,
        username,
        # that the password changed, never a hash
        before={"password": "***"},
        after={"password": "*** (reset)"},
    )


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
