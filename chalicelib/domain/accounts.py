"""Accounts, roles and who may act on which hall; the password policy and the
rule that slows down password guessing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .errors import Forbidden, InvalidInput
from .organisation import Code, CounterNumber

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    agent = "agent"
    handler = "handler"  # department handler: work orders of their departments only
    inspector = "inspector"  # records inspections in any hall, reads only their own (SPEC §4.3)


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: Username
    password_hash: str
    role: Role
    halls: tuple[Code, ...] = ()
    created_at: datetime
    # Signed into every token; bumping it ends every session of the user at once
    # (sign-out, a password change, deactivation). Items stored before it existed read 0.
    session_epoch: int = 0
    active: bool = True  # a deactivated user is kept (history points at them) but cannot sign in
    departments: tuple[Code, ...] = ()  # a handler's departments


class UserPrincipal(BaseModel):
    """A signed-in manager, agent or admin, as loaded for this request."""

    model_config = ConfigDict(frozen=True)

    username: str
    role: Role
    halls: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"This needs the role {' or '.join(r.value for r in roles)}.")

    def require_admin(self) -> None:
        self.require_role(Role.admin)

    def can_see_hall(self, hall_code: str) -> bool:
        return self.role is Role.admin or hall_code in self.halls

    def require_hall(self, hall_code: str) -> None:
        if not self.can_see_hall(hall_code):
            raise Forbidden(f"Hall {hall_code} is not one of yours.")


class DevicePrincipal(BaseModel):
    """A counter device, authenticated by its key; its place comes from registration."""

    model_config = ConfigDict(frozen=True)

    device_id: str
    hall_code: Code
    counter_number: CounterNumber


# ---- the password policy ---------------------------------------------------------
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # the console's sign-in form takes no more

# The passwords guessed first: the most common of the big leaks (CSDN, 12306,
# RockYou, ...) long enough to pass the length rule, and the Chinese favourites
# (520 / 1314: "I love you" / "for a lifetime"). Compared case-insensitively.
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        # digits and keyboard walks
        "1234567890", "0123456789", "0987654321", "9876543210", "1111111111", "0000000000",
        "2222222222", "5555555555", "6666666666", "8888888888", "9999999999", "1122334455",
        "1234512345", "1234554321", "1212121212", "1231231231", "1234567891", "12345678910",
        "123456789a", "123456789q", "123123123123", "123456123456", "112233445566", "147258369147",
        "1472583690", "1597534862", "qwertyuiop", "qwertyuiop123", "asdfghjkl;", "asdfghjkl123",
        "zxcvbnm123", "zxcvbnm,./", "1qaz2wsx3edc", "1qaz@wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y",
        "q1w2e3r4t5", "qazwsxedcrfv", "qweasdzxc123", "zaq12wsxcde3", "!qaz2wsx3edc", "qwerty123456",
        "1qaz2wsx!@#", "qwer1234asdf", "asdf1234qwer",
        # words, names and phrases
        "password12", "password123", "password1234", "password01", "p@ssw0rd123", "passw0rd12",
        "iloveyou12", "iloveyou123", "iloveyou1314", "administrator", "admin123456", "admin@12345",
        "admin12345678", "welcome123", "abc123456789", "abcd123456", "abcd1234567", "abcdefghij",
        "abcdefg123", "a123456789", "a1234567890", "aa123456789", "a1b2c3d4e5", "qq12345678",
        "qq123456789", "football123", "baseball123", "sunshine123", "princess123", "superman123",
        "letmein123", "trustno1234", "monkey12345", "dragon12345", "1234qwerasdf", "changeme123",
        # Chinese favourites: 520 / 1314 (love, for a lifetime), pinyin, lucky numbers
        "woaini1314", "woaini520520", "woaini5201314", "woaini123456", "woainima123", "woaiwojia1314",
        "5201314520", "1314520520", "5211314521", "5201314000", "520520520520", "1314521521",
        "woshishui123", "nihao123456", "zhang123456", "wang123456", "li123456789", "liu123456789",
        "chen123456", "zhangwei123", "wangwei123", "88888888888", "6666666666666", "168168168168",
        "147258369a", "asd123456789", "qwe123456789", "zxc123456789", "aa12345678", "qwe1234567",
    }
)  # fmt: skip


@dataclass(frozen=True)
class PasswordProblem:
    """Why a password may not be used: the message, and what its field is told."""

    message: str
    note: str


TOO_SHORT = PasswordProblem("The password is too short.", f"at least {MIN_PASSWORD_LENGTH} characters")
TOO_LONG = PasswordProblem("The password is too long.", f"at most {MAX_PASSWORD_LENGTH} characters")
BLANK = PasswordProblem("The password is blank.", "must not be only spaces")
HOLDS_USERNAME = PasswordProblem("The password holds the username.", "must not be or contain the username")
NOT_TEXT = PasswordProblem("The password is not valid text.", "not valid Unicode text")
COMMON = PasswordProblem(
    "The password is one of the most common ones: it is guessed first.", "one of the most common passwords"
)


def password_problem(password: str, username: str | None = None) -> PasswordProblem | None:
    """What is wrong with a password someone chose, or None when it may be used."""
    if not password.strip():
        return BLANK
    if not _encodes(password):
        return NOT_TEXT
    if len(password) < MIN_PASSWORD_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return TOO_LONG
    folded = password.casefold()
    if username and username.casefold() in folded:
        return HOLDS_USERNAME
    if folded in COMMON_PASSWORDS or folded.strip() in COMMON_PASSWORDS:
        return COMMON
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate, which JSON lets through
        return False
    return True


def check_password(password: str, username: str | None = None, field: str = "password") -> None:
    """InvalidInput naming ``field`` unless the password may be used."""
    problem = password_problem(password, username)
    if problem is not None:
        raise InvalidInput(f"{problem.message} Choose another.", {field: problem.note})


# ---- slowing down password guessing ------------------------------------------------
@dataclass(frozen=True)
class SignInFailures:
    """The failed sign-ins that bear on an attempt to sign in to one account from one address."""

    pair: int = 0  # of this account from this address, not yet forgotten
    pair_last: datetime | None = None  # the latest of those
    address: int = 0  # from this address, to any account, in the current window
    address_window_ends: datetime | None = None


@dataclass(frozen=True)
class SignInThrottle:
    """How failed sign-ins slow down the next attempts (successes never count).

    Failures are counted per (account, address) pair: after ``free_failures``
    failures of a pair, each next attempt of that pair waits, the wait doubling
    from ``first_wait_seconds`` up to ``max_wait_seconds``. Someone guessing
    from one address slows down only themselves: the account's owner, from any
    other address, signs in as ever. A pair's failures are forgotten after a
    success or ``forget_after_seconds`` without a failure. An address (a hall's
    NAT is shared) may fail ``address_ceiling`` times a window across all
    accounts before it waits for the next window.
    """

    free_failures: int = 5
    first_wait_seconds: int = 5
    max_wait_seconds: int = 15 * 60
    forget_after_seconds: int = 24 * 3600
    address_ceiling: int = 100
    address_window_seconds: int = 3600

    def pair_wait(self, failures: int) -> int:
        """Seconds a pair waits after the last of ``failures`` failures."""
        if failures < self.free_failures:
            return 0
        doublings = min(failures - self.free_failures, 30)
        return min(self.first_wait_seconds << doublings, self.max_wait_seconds)

    def retry_after(self, failures: SignInFailures, now: datetime) -> int:
        """0 when an attempt may go ahead now, else the whole seconds to wait."""
        until = now
        if failures.pair_last is not None:
            until = max(until, failures.pair_last + timedelta(seconds=self.pair_wait(failures.pair)))
        if failures.address >= self.address_ceiling and failures.address_window_ends is not None:
            until = max(until, failures.address_window_ends)
        return math.ceil((until - now).total_seconds())
