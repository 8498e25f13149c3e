"""How refusals read on pages (web.messages): pydantic's error types and the domain's
reasons in Chinese and English, never pydantic's own text."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chalicelib.domain.callbacks import Outcome
from chalicelib.domain.errors import Conflict, InvalidInput, Reason
from chalicelib.domain.suggestions import MobilePhone, Reply
from chalicelib.web import messages
from chalicelib.web.errors import invalid_input


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    decision: Literal["uphold", "reject"] = "uphold"
    note: Annotated[str, StringConstraints(max_length=10)] = ""
    reply: Reply = "好"
    count: Annotated[int, Field(ge=0)] = 0
    phone: MobilePhone | None = None


def refused(**data: object) -> InvalidInput:
    try:
        Form.model_validate(data)
    except ValidationError as e:
        return invalid_input(e)
    raise AssertionError("accepted")


@pytest.mark.parametrize(
    ("data", "field", "zh", "en"),
    [
        ({}, "outcome", "请填写此项。", "Please fill this in."),
        ({"outcome": "maybe"}, "outcome", "请从选项中选择一项。", "Please choose one of the options."),
        ({"outcome": "unreachable", "decision": "x"}, "decision", "请从选项中选择一项。", "Please choose one"),
        ({"outcome": "unreachable", "note": "x" * 11}, "note", "请不要超过 10 个字。", "10 characters or fewer"),
        ({"outcome": "unreachable", "reply": ""}, "reply", "请填写此项。", "Please fill this in."),
        ({"outcome": "unreachable", "reply": "好" * 2001}, "reply", "请不要超过 2000 个字。", "2000 characters"),
        ({"outcome": "unreachable", "count": "x"}, "count", "请填写整数。", "whole number"),
        ({"outcome": "unreachable", "count": -1}, "count", "不能小于 0。", "at least 0"),
        ({"outcome": "unreachable", "phone": "123"}, "phone", "请输入11位手机号。", "11-digit mobile"),
        ({"outcome": "unreachable", "extra": 1}, "extra", "表单中有无法识别的内容", "reload the page"),
    ],
)
def test_a_refused_field_reads_in_words_in_either_language(data, field, zh, en):
    error = refused(**data)
    assert zh in messages.field_messages(error, "zh")[field]
    assert en in messages.field_messages(error, "en")[field]
    assert messages.summary(error, "zh") == "部分内容未填写或不符合要求，请按提示修改。"


def test_the_json_api_keeps_pydantics_message_and_pages_never_see_it():
    error = refused(outcome="maybe")
    assert error.fields["outcome"].startswith("Input should be")  # the API's fields, unchanged
    assert "Input should" not in " ".join(messages.field_messages(error, "en").values())


def test_a_domain_reason_words_the_field_it_names_with_its_facts():
    error = InvalidInput(
        "English for the API.", {"outcome": "raw"}, reason=Reason("unreachable_too_early", {"failed": 1, "needed": 3})
    )
    assert messages.field_messages(error, "zh") == {
        "outcome": "须先记录 3 次未接通的回访，才能以“无法联系”办结；目前为 1 次。"
    }
    assert "so far: 1" in messages.summary(error, "en")


def test_what_the_table_does_not_know_is_a_plain_request_to_check_never_the_raw_text():
    error = Conflict("Something odd.", {"status": "weird internal words"})
    assert messages.field_messages(error, "zh") == {"status": "请检查此项。"}
    assert messages.field_messages(error, "en") == {"status": "Please check this field."}
    assert messages.summary(error, "zh") is None
    assert messages.describe(Reason("task_taken"), "zh") is None  # its fact is missing: no half-filled words


def test_every_message_has_both_languages_and_the_same_facts():
    import string

    for key, (zh, en) in messages.MESSAGES.items():
        assert zh and en, key
        facts = {f for _, f, _, _ in string.Formatter().parse(zh) if f}
        assert facts == {f for _, f, _, _ in string.Formatter().parse(en) if f}, key
