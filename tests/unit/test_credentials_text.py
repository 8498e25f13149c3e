"""Credentials holding any text (a header, a cookie, a code in a URL): never a match,
never an error. ``hmac.compare_digest`` on two ``str`` raises TypeError as soon as
either holds a non-ASCII character, so every secret is compared as bytes."""

import pytest

from chalicelib.domain import credentials, qrcodes
from chalicelib.domain.errors import Unauthenticated
from chalicelib.services import accounts
from chalicelib.services.accounts import TokenPolicy
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryUserRepository

POLICY = TokenPolicy(key=b"s" * 32, ttl_seconds=3600)
ODD = ["v1.a.é", "v1.é.a", "é", "v1.a.\ud800", "v1.eyJzdWIiOiJhZG1pbiJ9.签名", "v1." + "[" * 5000 + ".x", ""]


@pytest.mark.parametrize("token", ODD)
def test_tokens_holding_any_text_are_simply_not_tokens(token: str):
    clock, users = FixedClock(), InMemoryUserRepository()
    accounts.ensure_first_admin(users, clock, username="admin", password="s3cret-enough")
    assert credentials.verify_token(token, POLICY.key, 0) is None
    with pytest.raises(Unauthenticated):
        accounts.authenticate(users, clock, POLICY, token)


def test_device_keys_and_secrets_holding_any_text_never_match():
    stored = credentials.hash_device_key("tsd_dev-00_abc")
    assert not credentials.device_key_matches("tsd_dev-00_é", stored)
    assert not credentials.device_key_matches("tsd_dev-00_\ud800", stored)
    assert credentials.same_secret("é", "é") and not credentials.same_secret("é", "e")
    assert not credentials.same_secret("\ud800", "x")


def test_qr_codes_holding_any_text_name_nothing():
    key = b"q" * 32
    genuine = qrcodes.counter_code(key, "A01", 1)
    payload = genuine.split(".")[0]
    for code in (f"{payload}.é", f"{payload}.签名", "é.é", f"{payload}.\ud800"):
        assert qrcodes.parse_counter_code(key, code) is None
        assert qrcodes.parse_follow_up_code(key, code) is None
    assert qrcodes.parse_counter_code(key, genuine) == qrcodes.CounterTarget("A01", 1)
