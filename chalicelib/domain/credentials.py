"""Passwords, device keys and signed bearer tokens (standard library only).

- Passwords: scrypt (memory-hard, in hashlib), a random salt each.
- Device keys: 256 random bits behind the device id, so a request finds its
  device with one read; only a SHA-256 of the key is stored (the key is random
  enough that a fast hash suffices).
- Tokens: an HMAC-SHA256 over a small JSON payload, keyed from configuration.
  The payload carries the user's session epoch: bumping the stored epoch ends
  every token signed before (tokens from before epochs existed read epoch 0).

Every secret comparison is constant-time on bytes: ``hmac.compare_digest`` on
two ``str`` raises TypeError when either holds a non-ASCII character, and
whatever a client sends (a header, a cookie) may hold one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_TOKEN_VERSION = "v1"  # noqa: S105 (a format version, not a secret)
_DEVICE_KEY_PREFIX = "tsd"


def b64url(data: bytes) -> str:
    """URL-safe base64 without padding (tokens, keys, codes in URLs)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64url(salt)}${b64url(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode(), salt=unb64url(salt), n=int(n), r=int(r), p=int(p), dklen=len(unb64url(digest))
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate, unb64url(digest))  # bytes, never str


def new_device_id() -> str:
    return "dev-" + secrets.token_hex(8)


def new_device_key(device_id: str) -> str:
    return f"{_DEVICE_KEY_PREFIX}_{device_id}_{b64url(secrets.token_bytes(32))}"


def device_id_of_key(key: str) -> str | None:
    """The device id a key names, or None when it is not shaped like a key."""
    parts = key.split("_", 2)  # the secret is base64url and may itself hold "_"
    if len(parts) != 3 or parts[0] != _DEVICE_KEY_PREFIX or not parts[1].startswith("dev-"):
        return None
    return parts[1]


def hash_device_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time equality of two texts, whatever characters either holds (compared as UTF-8)."""
    try:
        return hmac.compare_digest(given.encode(), expected.encode())
    except UnicodeEncodeError:  # a lone surrogate: never anything we issued
        return False


def device_key_matches(key: str, stored_hash: str) -> bool:
    try:
        return same_secret(hash_device_key(key), stored_hash)
    except UnicodeEncodeError:
        return False


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    expires_at: int  # Unix seconds
    epoch: int = 0  # the user's session epoch when the token was signed


def _signature(body: str, key: bytes) -> str:
    return b64url(hmac.new(key, body.encode(), hashlib.sha256).digest())


def sign_token(claims: TokenClaims, key: bytes) -> str:
    data = {"sub": claims.subject, "exp": claims.expires_at, "ep": claims.epoch}
    body = f"{_TOKEN_VERSION}.{b64url(json.dumps(data, separators=(',', ':')).encode())}"
    return f"{body}.{_signature(body, key)}"


def verify_token(token: str, key: bytes, now: int) -> TokenClaims | None:
    """The claims of a well-signed, unexpired token, else None (whatever the text holds)."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_VERSION or not parts[1].isascii():
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not same_secret(parts[2], _signature(body, key)):
        return None
    try:
        data = json.loads(unb64url(parts[1]))
        claims = TokenClaims(subject=str(data["sub"]), expires_at=int(data["exp"]), epoch=int(data.get("ep", 0)))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if claims.expires_at <= now:
        return None
    return claims
