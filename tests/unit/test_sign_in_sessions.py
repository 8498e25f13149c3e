"""Signing in, out and changing passwords (services.accounts), on the in-memory fakes:
who gets throttled, and which sessions end when."""

import pytest

from chalicelib.domain import credentials
from chalicelib.domain.accounts import Role, SignInThrottle, UserPrincipal
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from chalicelib.services import accounts
from chalicelib.services.accounts import TokenPolicy
from tests.fakes.accounts import InMemorySignInFailureLog
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryUserRepository

POLICY = TokenPolicy(key=b"s" * 32, ttl_seconds=3600)
PASSWORD = "s3cret-enough"
ADMIN = UserPrincipal(username="root", role=Role.admin)
ME = UserPrincipal(username="admin", role=Role.admin)


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def users(clock):
    repo = InMemoryUserRepository()
    accounts.ensure_first_admin(repo, clock, username="admin", password=PASSWORD)
    return repo


@pytest.fixture
def log():
    return InMemorySignInFailureLog()


def login(users, clock, log, password=PASSWORD, client="10.0.0.1", username="admin", **kw):
    return accounts.login(users, clock, POLICY, log, username=username, password=password, client=client, **kw)


def fail(users, clock, log, times, client="10.0.0.1", username="admin"):
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            login(users, clock, log, password="a-wrong-guess", client=client, username=username)


# ---- throttling -----------------------------------------------------------------------
def test_the_sixth_attempt_of_a_pair_waits_even_with_the_right_password(users, clock, log):
    fail(users, clock, log, 5)
    with pytest.raises(TooManyRequests) as throttled:
        login(users, clock, log)
    assert throttled.value.retry_after == 5
    clock.advance(seconds=5)
    assert login(users, clock, log).token


def test_the_owner_at_another_address_is_never_slowed_by_the_attacker(users, clock, log):
    fail(users, clock, log, 5, client="203.0.113.9")
    for _ in range(25):
        with pytest.raises(TooManyRequests):
            login(users, clock, log, password="a-wrong-guess", client="203.0.113.9")
    with pytest.raises(TooManyRequests):
        login(users, clock, log, client="203.0.113.9")  # the right password, from the attacker's address
    assert login(users, clock, log, client="198.51.100.7").token


def test_throttled_attempts_are_not_judged_and_do_not_add_to_the_wait(users, clock, log):
    fail(users, clock, log, 5)
    for _ in range(50):
        with pytest.raises(TooManyRequests) as throttled:
            login(users, clock, log, password="a-wrong-guess")
    assert throttled.value.retry_after == 5


def test_successes_never_count_and_a_success_forgets_the_pairs_failures(users, clock, log):
    for _ in range(20):
        login(users, clock, log)
    fail(users, clock, log, 4)
    login(users, clock, log)
    fail(users, clock, log, 4)
    assert login(users, clock, log).token


def test_a_pairs_failures_are_forgotten_a_day_after_the_last(users, clock, log):
    fail(users, clock, log, 5)
    clock.advance(hours=24)
    fail(users, clock, log, 4)  # counted from zero again
    assert login(users, clock, log).token


def test_an_unknown_name_is_throttled_like_a_known_one(users, clock, log):
    fail(users, clock, log, 5, username="ghost")
    with pytest.raises(TooManyRequests):
        login(users, clock, log, username="ghost", password="anything-at-all")


def test_an_address_failing_across_many_accounts_reaches_its_ceiling(users, clock, log):
    rule = SignInThrottle(address_ceiling=6, address_window_seconds=3600)
    for i in range(6):
        with pytest.raises(Unauthenticated):
            login(users, clock, log, username=f"user{i}", password="guess-guess", throttle=rule)
    with pytest.raises(TooManyRequests) as throttled:
        login(users, clock, log, throttle=rule)  # even the right password for a fresh account
    assert 0 < (throttled.value.retry_after or 0) <= 3600
    assert login(users, clock, log, client="10.9.9.9", throttle=rule).token  # other addresses are fine


# ---- sessions ---------------------------------------------------------------------------
def test_signing_out_ends_every_token_of_the_user_at_once(users, clock, log):
    first, second = login(users, clock, log).token, login(users, clock, log).token
    accounts.sign_out(users, accounts.authenticate(users, clock, POLICY, first))
    for token in (first, second):
        with pytest.raises(Unauthenticated):
            accounts.authenticate(users, clock, POLICY, token)
    assert accounts.authenticate(users, clock, POLICY, login(users, clock, log).token).username == "admin"


def test_end_sessions_is_what_deactivation_calls(users, clock, log):
    token = login(users, clock, log).token
    accounts.end_sessions(users, "admin")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(users, clock, POLICY, token)
    with pytest.raises(NotFound):
        accounts.end_sessions(users, "nobody")


def test_a_token_from_before_epochs_stands_for_epoch_zero(users, clock):
    # Signed the way tokens were before the epoch was in them: {"sub", "exp"} only.
    payload = credentials.b64url(b'{"sub":"admin","exp":%d}' % (int(clock.now().timestamp()) + 60))
    body = f"v1.{payload}"
    old = f"{body}.{credentials._signature(body, POLICY.key)}"
    assert credentials.verify_token(old, POLICY.key, int(clock.now().timestamp())).epoch == 0
    assert accounts.authenticate(users, clock, POLICY, old).username == "admin"
    accounts.end_sessions(users, "admin")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(users, clock, POLICY, old)


def test_changing_the_password_ends_every_session_and_needs_the_current_one(users, clock, log):
    token = login(users, clock, log).token
    with pytest.raises(Forbidden) as wrong:
        accounts.change_password(
            users, clock, log, ME, old_password="not-it-at-all", new_password="Riverside-lantern-42", client="c"
        )
    assert wrong.value.fields == {"old_password": "wrong password"}
    assert accounts.authenticate(users, clock, POLICY, token)
    accounts.change_password(
        users, clock, log, ME, old_password=PASSWORD, new_password="Riverside-lantern-42", client="c"
    )
    with pytest.raises(Unauthenticated):
        accounts.authenticate(users, clock, POLICY, token)
    with pytest.raises(Unauthenticated):
        login(users, clock, log)
    assert login(users, clock, log, password="Riverside-lantern-42").token


def test_guessing_the_current_password_with_a_stolen_session_is_throttled(users, clock, log):
    for _ in range(5):
        with pytest.raises(Forbidden):
            accounts.change_password(
                users, clock, log, ME, old_password="guess-guess", new_password="Riverside-lantern-42", client="c"
            )
    with pytest.raises(TooManyRequests):
        accounts.change_password(
            users, clock, log, ME, old_password=PASSWORD, new_password="Riverside-lantern-42", client="c"
        )


@pytest.mark.parametrize(
    ("new", "note"),
    [("qwertyuiop", "one of the most common passwords"), (PASSWORD, "must differ from the current password")],
)
def test_a_new_password_must_pass_the_policy_and_differ(users, clock, log, new, note):
    token = login(users, clock, log).token
    with pytest.raises(InvalidInput) as refused:
        accounts.change_password(users, clock, log, ME, old_password=PASSWORD, new_password=new, client="c")
    assert refused.value.fields == {"new_password": note}
    assert accounts.authenticate(users, clock, POLICY, token)


def test_an_admin_resets_a_password_and_that_users_sessions_end(users, clock, log):
    token = login(users, clock, log).token
    with pytest.raises(Forbidden):
        accounts.reset_password(
            UserPrincipal(username="m", role=Role.manager), users, username="admin", password="Riverside-lantern-42"
        )
    with pytest.raises(InvalidInput) as weak:
        accounts.reset_password(ADMIN, users, username="admin", password="admin-again-2026")
    assert set(weak.value.fields) == {"password"}
    with pytest.raises(NotFound):
        accounts.reset_password(ADMIN, users, username="nobody", password="Riverside-lantern-42")
    accounts.reset_password(ADMIN, users, username="admin", password="Riverside-lantern-42")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(users, clock, POLICY, token)
    assert login(users, clock, log, password="Riverside-lantern-42").token
