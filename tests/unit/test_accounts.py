import pytest

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.organisation import HallGrade
from chalicelib.services import accounts, organisation
from chalicelib.services.accounts import TokenPolicy
from tests.fakes.accounts import InMemorySignInFailureLog
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository, InMemoryUserRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
POLICY = TokenPolicy(key=b"s" * 32, ttl_seconds=3600)
LIMITER = InMemorySignInFailureLog()


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def org(clock):
    repo = InMemoryOrganisationRepository()
    organisation.create_hall(ADMIN, repo, clock, code="A01", name="城东营业厅", branch="城东分中心", grade=HallGrade.A)
    return repo


@pytest.fixture
def users():
    return InMemoryUserRepository()


def test_the_first_admin_is_created_once_with_a_generated_password(users, clock):
    generated = accounts.ensure_first_admin(users, clock, username="admin", password=None)
    assert generated and len(generated) >= 16
    assert users.get_user("admin").role is Role.admin
    assert accounts.ensure_first_admin(users, clock, username="other", password="whatever-long") is None
    assert users.get_user("other") is None


def test_signing_in_gives_a_token_that_authenticates_until_it_expires(users, clock):
    accounts.ensure_first_admin(users, clock, username="admin", password="s3cret-enough")
    issued = accounts.login(users, clock, POLICY, LIMITER, username="admin", password="s3cret-enough", client="c")
    principal = accounts.authenticate(users, clock, POLICY, issued.token)
    assert principal == UserPrincipal(username="admin", role=Role.admin)
    clock.advance(seconds=3600)
    with pytest.raises(Unauthenticated):
        accounts.authenticate(users, clock, POLICY, issued.token)


def test_a_wrong_password_or_unknown_user_is_refused_alike(users, clock):
    accounts.ensure_first_admin(users, clock, username="admin", password="s3cret-enough")
    with pytest.raises(Unauthenticated) as wrong:
        accounts.login(users, clock, POLICY, LIMITER, username="admin", password="nope", client="c")
    with pytest.raises(Unauthenticated) as unknown:
        accounts.login(users, clock, POLICY, LIMITER, username="ghost", password="nope", client="c")
    assert wrong.value.message == unknown.value.message


def test_a_manager_needs_known_halls_and_a_long_password(users, org, clock):
    with pytest.raises(InvalidInput) as short:
        accounts.create_user(
            ADMIN, users, org, clock, username="mgr1", password="short", role=Role.manager, halls=["A01"]
        )
    assert "password" in short.value.fields
    with pytest.raises(InvalidInput) as no_halls:
        accounts.create_user(
            ADMIN, users, org, clock, username="mgr1", password="long-enough-1", role=Role.manager, halls=[]
        )
    assert "halls" in no_halls.value.fields
    with pytest.raises(NotFound) as unknown:
        accounts.create_user(
            ADMIN, users, org, clock, username="mgr1", password="long-enough-1", role=Role.manager, halls=["A01", "ZZ9"]
        )
    assert unknown.value.fields == {"halls.1": "unknown hall"}
    assert users.get_user("mgr1") is None


def test_a_token_reflects_the_users_current_halls(users, org, clock):
    accounts.create_user(
        ADMIN, users, org, clock, username="mgr1", password="long-enough-1", role=Role.manager, halls=["A01"]
    )
    token = accounts.login(users, clock, POLICY, LIMITER, username="mgr1", password="long-enough-1", client="c").token
    principal = accounts.authenticate(users, clock, POLICY, token)
    assert principal.role is Role.manager and principal.halls == {"A01"}
    with pytest.raises(Forbidden):
        principal.require_admin()


def test_only_admins_create_users_and_usernames_are_unique(users, org, clock):
    manager = UserPrincipal(username="m", role=Role.manager, halls=frozenset({"A01"}))
    with pytest.raises(Forbidden):
        accounts.create_user(
            manager, users, org, clock, username="xadmin", password="long-enough-1", role=Role.admin, halls=[]
        )
    accounts.create_user(
        ADMIN, users, org, clock, username="xadmin", password="long-enough-1", role=Role.admin, halls=[]
    )
    with pytest.raises(Conflict):
        accounts.create_user(
            ADMIN, users, org, clock, username="xadmin", password="long-enough-2", role=Role.admin, halls=[]
        )
