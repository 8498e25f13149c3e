"""Signing in (services.accounts), on the in-memory fakes: who gets throttled."""

import pytest

from chalicelib.domain.accounts import SignInThrottle
from chalicelib.domain.errors import TooManyRequests, Unauthenticated
from chalicelib.services import accounts
from chalicelib.services.accounts import TokenPolicy
from tests.fakes.accounts import InMemorySignInFailureLog
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryUserRepository

POLICY = TokenPolicy(key=b"s" * 32, ttl_seconds=3600)
PASSWORD = "s3cret-enough"


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
