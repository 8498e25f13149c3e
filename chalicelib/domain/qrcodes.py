"""Signed, unguessable codes that name a counter in a QR code URL (``/r/{code}``).

A code is ``<payload>.<signature>``: the payload names the hall and counter,
the signature is a truncated HMAC-SHA256 under a configured key, so codes
cannot be guessed or forged and need no storage. Codes stay ASCII (URL path
parameters are not URL-decoded by Chalice).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

_SIGNATURE_BYTES = 12  # 96 bits: far beyond guessing over HTTP


@dataclass(frozen=True)
class CounterTarget:
    hall_code: str
    counter_number: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def counter_code(key: bytes, hall_code: str, counter_number: int) -> str:
    payload = _b64(f"c|{hall_code}|{counter_number}".encode())
    return f"{payload}.{_sign(key, payload)}"


def parse_counter_code(key: bytes, code: str) -> CounterTarget | None:
    """The counter a genuine code names; None for anything unknown or forged."""
    payload, _, signature = code.partition(".")
    if not payload or not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        kind, hall_code, number = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("|")
        counter_number = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if kind != "c":
        return None
    return CounterTarget(hall_code, counter_number)
