"""Signed, unguessable codes in public URLs: a counter (``/r/{code}``) or a callback task (``/f/{code}``).

A code is ``<payload>.<signature>``: the payload names the hall and counter,
the signature is a truncated HMAC-SHA256 under a configured key, so codes
cannot be guessed or forged and need no storage. Codes stay ASCII (URL path
parameters are not URL-decoded by Chalice).
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from dataclasses import dataclass

from .credentials import b64url, same_secret, unb64url

_SIGNATURE_BYTES = 12  # 96 bits: far beyond guessing over HTTP


@dataclass(frozen=True)
class CounterTarget:
    hall_code: str
    counter_number: int


def _sign(key: bytes, payload: str) -> str:
    return b64url(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def _signed(key: bytes, text: str) -> str:
    payload = b64url(text.encode())
    return f"{payload}.{_sign(key, payload)}"


def _verified(key: bytes, code: str) -> str | None:
    payload, _, signature = code.partition(".")
    # Codes we issue are ASCII; anything else (any text may arrive) is no code, and never an error.
    if not payload or not code.isascii() or not same_secret(signature, _sign(key, payload)):
        return None
    try:
        return unb64url(payload).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def counter_code(key: bytes, hall_code: str, counter_number: int) -> str:
    return _signed(key, f"c|{hall_code}|{counter_number}")


def parse_counter_code(key: bytes, code: str) -> CounterTarget | None:
    """The counter a genuine code names; None for anything unknown or forged."""
    text = _verified(key, code)
    try:
        kind, hall_code, number = (text or "").split("|")
        counter_number = int(number)
    except ValueError:
        return None
    if kind != "c":
        return None
    return CounterTarget(hall_code, counter_number)


def follow_up_code(key: bytes, task_id: str) -> str:
    """The customer's link to a callback task (追评): unguessable, and no phone or name in it."""
    return _signed(key, f"f|{task_id}")


def parse_follow_up_code(key: bytes, code: str) -> str | None:
    kind, _, task_id = (_verified(key, code) or "").partition("|")
    return task_id if kind == "f" and task_id else None


@dataclass(frozen=True)
class SurveyLink:
    """What a ``/q/{code}`` names: a survey in a hall, and for an SMS link its invitation."""

    survey_id: str
    hall_code: str
    invitation_id: str | None = None


def survey_code(key: bytes, survey_id: str, hall_code: str) -> str:
    """A hall's survey link (QR): the same for every customer of the hall."""
    return _signed(key, f"q|{survey_id}|{hall_code}")


def invitation_code(key: bytes, survey_id: str, hall_code: str, invitation_id: str) -> str:
    """A single-use SMS link: names the invitation, never the phone."""
    return _signed(key, f"i|{survey_id}|{hall_code}|{invitation_id}")


def parse_survey_code(key: bytes, code: str) -> SurveyLink | None:
    """The survey (and invitation) a genuine code names; None for anything unknown or forged."""
    parts = (_verified(key, code) or "").split("|")
    if len(parts) == 3 and parts[0] == "q" and all(parts[1:]):
        return SurveyLink(parts[1], parts[2])
    if len(parts) == 4 and parts[0] == "i" and all(parts[1:]):
        return SurveyLink(parts[1], parts[2], parts[3])
    return None
