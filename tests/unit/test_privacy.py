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


def test_every_phone_and_id_number_in_a_message_is_masked_and_the_rest_kept():
    text = (
        "我叫张三，身份证11010119900307123X，电话13812345678，"
        "我爱人身份证号是320102198001011234、手机159 8765 4321。"
        "电表号12345678901，订单号12345678901234567890，请回电话。"
    )
    assert mask_personal_data(text) == (
        "我叫张三，身份证110***********123X，电话138****5678，"
        "我爱人身份证号是320***********1234、手机159****4321。"
        "电表号12345678901，订单号12345678901234567890，请回电话。"
    )


@pytest.mark.parametrize(
    "text",
    [
        "订单号 1234567890123456789012",  # a longer run is not a phone or ID number
        "流水号12345678901234567890",  # 20 digits
        "单号 13812345678901234567",  # 20 digits that begin like a mobile number
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
