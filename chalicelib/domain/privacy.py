"""Masking personal data: the one place it is done.

Staff lists and exports show free text (comments, content, notes) through
``mask_personal_data``: mainland mobile numbers become ``138****1234`` and
18-digit resident ID numbers ``110***********123X`` wherever they appear. A
field that holds a phone number is shown through ``mask_phone``, the same
mask. The stored text is never changed.
"""

from __future__ import annotations

import re
from datetime import timedelta

# Customers' phone numbers (and names) are kept this long after the matter closes (SPEC §5).
CONTACT_RETENTION = timedelta(days=180)

# 17 digits and a check character (a digit or X), not part of a longer run.
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A mainland mobile number, optionally +86, optionally grouped 3-4-4 by spaces or hyphens.
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


def mask_phone(phone: str) -> str:
    """A stored phone number as staff see it: first three and last four digits (all masked when shorter)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def _mask_id(match: re.Match[str]) -> str:
    text = match.group()
    return f"{text[:3]}{'*' * 11}{text[-4:]}"


def _mask_mobile(match: re.Match[str]) -> str:
    return mask_phone(re.sub(r"\D", "", match.group())[-11:])


def mask_personal_data(text: str) -> str:
    """``text`` with mobile numbers and 18-digit ID numbers masked."""
    return _MOBILE.sub(_mask_mobile, _ID_CARD.sub(_mask_id, text))


def mask_name(name: str) -> str:
    """A person's name as the public sees it: the surname only (张三 → 张*; a Latin name's first letter)."""
    name = name.strip()
    return f"{name[0]}*" if name else "*"
