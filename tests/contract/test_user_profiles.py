"""A user's profile (role, halls, active) is stored the same way by both repositories."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.accounts import Role, User
from chalicelib.domain.errors import NotFound

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def user(**over: object) -> User:
    return User(
        **({"username": "mgr1", "password_hash": "x", "role": Role.manager, "halls": ("A01",), "created_at": T0} | over)
    )


def test_a_profile_change_is_stored_and_deactivation_ends_sessions_in_the_same_write(repos):
    repos.users.add_user(user())
    repos.users.save_profile(user(role=Role.agent, halls=("B02", "C03")), end_sessions=False)
    stored = repos.users.get_user("mgr1")
    assert (stored.role, stored.halls, stored.active, stored.session_epoch) == (Role.agent, ("B02", "C03"), True, 0)
    repos.users.save_profile(user(active=False), end_sessions=True)
    stored = repos.users.get_user("mgr1")
    assert (stored.role, stored.active, stored.session_epoch, stored.password_hash) == (Role.manager, False, 1, "x")


def test_a_profile_of_nobody_is_not_found_and_stores_nothing(repos):
    with pytest.raises(NotFound):
        repos.users.save_profile(user(username="ghost"), end_sessions=True)
    assert repos.users.get_user("ghost") is None


def test_an_admin_demoted_no_longer_counts_as_an_admin(repos):
    repos.users.add_user(user(username="root", role=Role.admin, halls=()))
    assert repos.users.any_admin()
    repos.users.save_profile(user(username="root", role=Role.manager), end_sessions=False)
    assert not repos.users.any_admin()
