"""The password policy (domain.accounts): what a chosen password may not be."""

import pytest

from chalicelib.domain.accounts import (
    BLANK,
    COMMON,
    COMMON_PASSWORDS,
    HOLDS_USERNAME,
    MIN_PASSWORD_LENGTH,
    NOT_TEXT,
    TOO_LONG,
    TOO_SHORT,
    check_password,
    password_problem,
)
from chalicelib.domain.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "东门营业厅-窗口三号", "Riverside-lantern-42", "x" * 256, "  padded but long  "],
)
def test_a_long_uncommon_password_may_be_used(password: str):
    assert password_problem(password, "mgr.wang") is None


def test_the_length_is_counted_in_characters_from_ten():
    assert MIN_PASSWORD_LENGTH == 10
    assert password_problem("abcdefgh9") is TOO_SHORT
    assert password_problem("abcdefgh9!") is None
    assert password_problem("服务窗口满意评价系统") is None  # ten characters, thirty bytes
    assert password_problem("y" * 257) is TOO_LONG


@pytest.mark.parametrize("password", [" " * 10, " " * 40, "\t" * 12, "\u3000" * 10, ""])
def test_a_blank_password_is_refused_whatever_its_length(password: str):
    assert password_problem(password) is BLANK


@pytest.mark.parametrize("password", ["mgr.wang", "mgr.wang2026", "MGR.WANG-2026", "my-Mgr.Wang-pass", "zzmgr.wangzz"])
def test_the_username_may_not_be_the_password_nor_in_it(password: str):
    assert password_problem(password.ljust(10, "!"), "mgr.wang") is HOLDS_USERNAME


def test_without_a_username_only_the_other_rules_apply():
    assert password_problem("admin-password-1") is None
    assert password_problem("admin-password-1", "admin") is HOLDS_USERNAME


@pytest.mark.parametrize(
    "password", ["woaini1314", "qwertyuiop", "1234567890", "password12", "a123456789", "WoAiNi1314", "QWERTYUIOP"]
)
def test_the_most_common_passwords_are_refused_in_any_case(password: str):
    assert password_problem(password) is COMMON


def test_the_common_list_is_about_a_hundred_long_enough_to_matter():
    assert 90 <= len(COMMON_PASSWORDS) <= 150
    assert all(p == p.casefold() and len(p) >= MIN_PASSWORD_LENGTH for p in COMMON_PASSWORDS)


def test_text_that_does_not_encode_is_refused():
    assert password_problem("long enough \ud800 text") is NOT_TEXT


@pytest.mark.parametrize("field", ["password", "new_password"])
def test_a_refusal_names_the_field_and_says_why(field: str):
    with pytest.raises(InvalidInput) as refused:
        check_password("woaini1314", "mgr.wang", field=field)
    assert refused.value.fields == {field: COMMON.note}
    assert "common" in refused.value.message
