"""The rule that slows down password guessing (domain.accounts.SignInThrottle)."""

from datetime import UTC, datetime, timedelta

from chalicelib.domain.accounts import SignInFailures, SignInThrottle

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
RULE = SignInThrottle()


def test_five_failures_of_a_pair_are_free_then_the_wait_doubles_up_to_fifteen_minutes():
    assert [RULE.pair_wait(n) for n in range(5)] == [0, 0, 0, 0, 0]
    assert [RULE.pair_wait(n) for n in range(5, 15)] == [5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
    assert RULE.pair_wait(10_000) == 900


def test_the_wait_runs_from_the_latest_failure():
    failures = SignInFailures(pair=6, pair_last=NOW - timedelta(seconds=3))
    assert RULE.retry_after(failures, NOW) == 7
    assert RULE.retry_after(failures, NOW + timedelta(seconds=7)) == 0


def test_part_of_a_second_left_is_a_whole_second_to_wait():
    failures = SignInFailures(pair=5, pair_last=NOW - timedelta(seconds=4.2))
    assert RULE.retry_after(failures, NOW) == 1


def test_no_failures_no_wait():
    assert RULE.retry_after(SignInFailures(), NOW) == 0
    assert RULE.retry_after(SignInFailures(pair=4, pair_last=NOW), NOW) == 0


def test_an_address_past_its_generous_ceiling_waits_for_the_next_window():
    ends = NOW + timedelta(minutes=20)
    assert RULE.address_ceiling >= 100
    below = SignInFailures(address=RULE.address_ceiling - 1, address_window_ends=ends)
    at = SignInFailures(address=RULE.address_ceiling, address_window_ends=ends)
    assert RULE.retry_after(below, NOW) == 0
    assert RULE.retry_after(at, NOW) == 20 * 60


def test_the_longer_of_the_two_waits_applies():
    failures = SignInFailures(
        pair=14, pair_last=NOW, address=RULE.address_ceiling, address_window_ends=NOW + timedelta(seconds=60)
    )
    assert RULE.retry_after(failures, NOW) == 900
