"""Idempotency keys of forms that create something.

A form's key lives in its page's address, so Back and reload send it again; what the
form creates is stored under an id derived from the key, so a second submit finds the
first instead of creating another. Keys are long and random (the pages mint 32
characters, 192 bits): nobody reaches what another created by guessing one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Annotated

from pydantic import StringConstraints

FORM_KEY_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"
FormKey = Annotated[str, StringConstraints(pattern=FORM_KEY_PATTERN)]


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


def is_form_key(value: str | None) -> bool:
    return value is not None and re.fullmatch(FORM_KEY_PATTERN, value) is not None


def derived_id(form: str, scope: str, key: str, length: int = 32) -> str:
    """``length`` hex digits naming what ``form`` created in ``scope`` with ``key``. One-way:
    an id staff see gives away no key."""
    return hashlib.sha256(f"{form}\0{scope}\0{key}".encode()).hexdigest()[:length]
