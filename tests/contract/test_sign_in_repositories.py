"""Contract: session epochs and passwords on the user repository, and the log of
failed sign-ins, alike in memory and in DynamoDB."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.rate_limits import DynamoSignInFailureLog
from chalicelib.adapters.dynamodb.table import to_item
from chalicelib.domain.accounts import Role, SignInFailures, User
from chalicelib.domain.errors import NotFound
from tests.fakes.accounts import InMemorySignInFailureLog

NOW = datetime(2026, 11, 24, 2, 0, 30, 250_000, tzinfo=UTC)  # 30.25 s into an hour
DAY, HOUR = 24 * 3600, 3600


@pytest.fixture
def log(repos):
    table = getattr(repos.users, "table", None)  # the DynamoDB run shares one table
    return DynamoSignInFailureLog(table) if table is not None else InMemorySignInFailureLog()


def manager(**changes) -> User:
    fields = {"username": "mgr1", "password_hash": "x", "role": Role.manager, "halls": ("A01",), "created_at": NOW}
    return User(**{**fields, **changes})


def test_a_new_user_starts_at_epoch_zero_and_ending_sessions_adds_one(repos):
    repos.users.add_user(manager())
    assert repos.users.get_user("mgr1").session_epoch == 0
    assert repos.users.end_sessions("mgr1") == 1
    assert repos.users.end_sessions("mgr1") == 2
    assert repos.users.get_user("mgr1") == manager(session_epoch=2)
    with pytest.raises(NotFound):
        repos.users.end_sessions("nobody")
    assert repos.users.get_user("nobody") is None  # nothing was created


def test_a_new_password_ends_sessions_in_the_same_write(repos):
    repos.users.add_user(manager())
    assert repos.users.set_password("mgr1", "scrypt$new") == 1
    assert repos.users.get_user("mgr1") == manager(password_hash="scrypt$new", session_epoch=1)
    with pytest.raises(NotFound):
        repos.users.set_password("nobody", "scrypt$new")
    assert repos.users.get_user("nobody") is None


def test_a_user_stored_before_epochs_existed_reads_epoch_zero_and_counts_on_from_it(repos):
    repos.users.add_user(manager())
    table = getattr(repos.users, "table", None)
    if table is not None:  # the item as an older version wrote it: no session_epoch attribute
        pk, sk = keys.user("mgr1")
        table.client.update_item(
            TableName=table.name, Key=to_item({"pk": pk, "sk": sk}), UpdateExpression="REMOVE session_epoch"
        )
    assert repos.users.get_user("mgr1").session_epoch == 0
    assert repos.users.end_sessions("mgr1") == 1


def test_failures_count_per_pair_and_per_address(log):
    assert log.failures("acct", "1.2.3.4", NOW, DAY, HOUR) == SignInFailures(
        address_window_ends=datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    )
    for _ in range(3):
        log.add_failure("acct", "1.2.3.4", NOW, DAY, HOUR)
    log.add_failure("other", "1.2.3.4", NOW + timedelta(seconds=1), DAY, HOUR)
    log.add_failure("acct", "5.6.7.8", NOW, DAY, HOUR)
    seen = log.failures("acct", "1.2.3.4", NOW + timedelta(seconds=2), DAY, HOUR)
    assert (seen.pair, seen.pair_last, seen.address) == (3, NOW, 4)
    assert seen.address_window_ends == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert log.failures("acct", "5.6.7.8", NOW, DAY, HOUR).pair == 1


def test_the_address_counts_in_fixed_windows(log):
    log.add_failure("acct", "1.2.3.4", NOW, DAY, HOUR)
    later = NOW + timedelta(hours=1)
    seen = log.failures("acct", "1.2.3.4", later, DAY, HOUR)
    assert seen.address == 0 and seen.pair == 1


def test_forgetting_a_pair_keeps_the_address_count(log):
    for _ in range(2):
        log.add_failure("acct", "1.2.3.4", NOW, DAY, HOUR)
    log.forget_pair("acct", "1.2.3.4")
    log.forget_pair("never-failed", "1.2.3.4")
    seen = log.failures("acct", "1.2.3.4", NOW, DAY, HOUR)
    assert (seen.pair, seen.pair_last, seen.address) == (0, None, 2)


def test_a_pair_is_forgotten_a_day_after_its_last_failure_and_counts_from_one_again(log):
    log.add_failure("acct", "1.2.3.4", NOW, DAY, HOUR)
    log.add_failure("acct", "1.2.3.4", NOW + timedelta(hours=12), DAY, HOUR)
    assert log.failures("acct", "1.2.3.4", NOW + timedelta(hours=35), DAY, HOUR).pair == 2
    gone = NOW + timedelta(hours=36)
    assert log.failures("acct", "1.2.3.4", gone, DAY, HOUR).pair == 0  # TTL may not have deleted it yet
    log.add_failure("acct", "1.2.3.4", gone, DAY, HOUR)
    seen = log.failures("acct", "1.2.3.4", gone, DAY, HOUR)
    assert (seen.pair, seen.pair_last) == (1, gone)
