from chalicelib.domain import credentials
from chalicelib.domain.credentials import TokenClaims

KEY = b"k" * 32


def test_a_password_verifies_against_its_own_hash_only():
    encoded = credentials.hash_password("correct horse battery")
    assert encoded.startswith("scrypt$")
    assert "correct horse" not in encoded
    assert credentials.verify_password("correct horse battery", encoded)
    assert not credentials.verify_password("correct horse batterx", encoded)


def test_two_hashes_of_one_password_differ_by_salt():
    assert credentials.hash_password("same password") != credentials.hash_password("same password")


def test_a_malformed_hash_never_verifies():
    assert not credentials.verify_password("x", "not-a-hash")
    assert not credentials.verify_password("x", "bcrypt$1$2$3$a$b")


def test_a_device_key_names_its_device_and_carries_256_random_bits():
    key = credentials.new_device_key("dev-0011223344556677")
    assert credentials.device_id_of_key(key) == "dev-0011223344556677"
    secret = key.split("_", 2)[2]
    assert len(secret) == 43  # 32 bytes, base64url without padding
    assert credentials.device_key_matches(key, credentials.hash_device_key(key))
    assert not credentials.device_key_matches(key + "x", credentials.hash_device_key(key))


def test_keys_not_shaped_like_device_keys_name_no_device():
    for key in ("", "tsd_x", "abc_dev-1_x", "tsd_nodev_x"):
        assert credentials.device_id_of_key(key) is None


def test_every_new_key_names_its_device_whatever_characters_the_secret_holds():
    # base64url secrets often contain "_", the separator of the key's parts.
    for _ in range(500):
        key = credentials.new_device_key("dev-00ff")
        assert credentials.device_id_of_key(key) == "dev-00ff"


def test_a_token_round_trips_until_it_expires():
    token = credentials.sign_token(TokenClaims("alice", expires_at=1000), KEY)
    assert credentials.verify_token(token, KEY, now=999) == TokenClaims("alice", 1000)
    assert credentials.verify_token(token, KEY, now=1000) is None


def test_a_token_signed_with_another_key_or_altered_is_refused():
    token = credentials.sign_token(TokenClaims("alice", expires_at=1000), KEY)
    assert credentials.verify_token(token, b"o" * 32, now=0) is None
    version, _, signature = token.split(".")
    forged_payload = credentials.b64url(b'{"sub":"root","exp":1000}')
    assert credentials.verify_token(f"{version}.{forged_payload}.{signature}", KEY, now=0) is None
    assert credentials.verify_token("garbage", KEY, now=0) is None
