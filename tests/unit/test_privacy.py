"""Masking phone and ID numbers in free text."""

from __future__ import annotations

import pytest

from chalicelib.domain.privacy import mask_personal_data, mask_phone


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请打13812345678联系我", "请打138****5678联系我"),
        ("电话 138 1234 5678。", "电话 138****5678。"),
        ("电话138-1234-5678", "电话138****5678"),
        ("+86 13812345678", "138****5678"),
        ("身份证110101199003071234", "身份证110***********1234"),
        ("身份证11010119900307123X号", "身份证110***********123X号"),
        ("两个：13912345678和15012345678", "两个：139****5678和150****5678"),
    ],
)
def test_numbers_are_masked_inside_text(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "订单号 1234567890123456789012",  # a longer run is not a phone or ID number
        "户号 0512345678",
        "电表 12345678901",  # 11 digits starting 12: not a mobile number
        "金额 138.50 元",
        "",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_mask_phone_keeps_three_and_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("123") == "***"
