"""How a refusal reads on a page, in Chinese or English: one table from reasons to words.

A reason (``domain.errors.Reason``) is a stable key and its facts: pydantic's
error type and context for a field a form's model refused (``web.errors.
invalid_input``), or a rule the domain names where it refuses (e.g.
``unreachable_too_early``). Pages show these words, never pydantic's text or
an error's English ``message``; a reason the table does not know reads as a
plain request to check the field. The console and the customer pages both
word their errors here.
"""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, Reason

type Pair = tuple[str, str]  # (Chinese, English); ``{fact}`` is filled in from the reason's facts

CHECK_FIELD: Pair = ("请检查此项。", "Please check this field.")
FIX_AND_RESEND: Pair = ("未保存：请按提示修改后重新提交。", "Not saved: correct what is marked and send again.")

MESSAGES: dict[str, Pair] = {
    # ---- pydantic's error types, as a form's model refuses a field ----
    "missing": ("请填写此项。", "Please fill this in."),
    "string_too_short": ("请至少填写 {min_length} 个字。", "Please write at least {min_length} characters."),
    "string_too_long": ("请不要超过 {max_length} 个字。", "Please keep it to {max_length} characters or fewer."),
    "string_type": ("请填写文字。", "Please enter text."),
    "string_pattern_mismatch": ("格式不正确，请检查。", "This is not in the expected format."),
    "enum": ("请从选项中选择一项。", "Please choose one of the options."),
    "literal_error": ("请从选项中选择一项。", "Please choose one of the options."),
    "int_parsing": ("请填写整数。", "Please enter a whole number."),
    "int_type": ("请填写整数。", "Please enter a whole number."),
    "int_from_float": ("请填写整数。", "Please enter a whole number."),
    "greater_than": ("须大于 {gt}。", "Must be more than {gt}."),
    "greater_than_equal": ("不能小于 {ge}。", "Must be at least {ge}."),
    "less_than": ("须小于 {lt}。", "Must be less than {lt}."),
    "less_than_equal": ("不能大于 {le}。", "Must be at most {le}."),
    "bool_parsing": ("请勾选或不勾选。", "Please tick the box or leave it clear."),
    "bool_type": ("请勾选或不勾选。", "Please tick the box or leave it clear."),
    "date_parsing": ("请填写有效日期，例如 2026-11-24。", "Please enter a real date, e.g. 2026-11-24."),
    "date_from_datetime_parsing": ("请填写有效日期，例如 2026-11-24。", "Please enter a real date, e.g. 2026-11-24."),
    "date_from_datetime_inexact": ("请只填写日期，例如 2026-11-24。", "Please enter a date only, e.g. 2026-11-24."),
    "date_type": ("请填写有效日期，例如 2026-11-24。", "Please enter a real date, e.g. 2026-11-24."),
    "datetime_parsing": ("请填写有效时间。", "Please enter a real time."),
    "datetime_type": ("请填写有效时间。", "Please enter a real time."),
    "time_parsing": ("请填写有效时刻，例如 08:30。", "Please enter a time of day, e.g. 08:30."),
    "uuid_parsing": ("编号格式不正确。", "This id is not in the expected format."),
    "list_type": ("请从选项中选择。", "Please choose from the options."),
    "too_long": ("最多选择 {max_length} 项。", "Choose at most {max_length}."),
    "too_short": ("至少选择 {min_length} 项。", "Choose at least {min_length}."),
    "extra_forbidden": (
        "表单中有无法识别的内容，请刷新页面后重试。",
        "The form carried something it should not: reload the page and try again.",
    ),
    "value_error": ("填写的内容不符合要求，请检查。", "This value is not accepted: please check it."),
    "fields_invalid": (
        "部分内容未填写或不符合要求，请按提示修改。",
        "Not saved: please correct what is marked.",
    ),
    # ---- custom validators' types (pydantic_core.PydanticCustomError) ----
    "mobile_number": ("请输入11位手机号。", "Please enter an 11-digit mobile number."),
    # ---- what the console's filters take ----
    "date_format": ("请填写有效日期，例如 2026-11-24。", "Please enter a real date, e.g. 2026-11-24."),
    "month_format": ("请填写月份，例如 2026-11。", "Please enter a month, e.g. 2026-11."),
    "year_format": ("请填写四位年份，例如 2027。", "Please enter a four-digit year, e.g. 2027."),
    "hall_code": ("营业厅编码不正确。", "Not a hall code."),
    # ---- rules of the domain ----
    "consent_required": (
        "留称呼或手机号请勾选同意，或清空它们。",
        "To leave a name or number, tick the consent box (or clear them).",
    ),
    "unreachable_too_early": (
        "须先记录 {needed} 次未接通的回访，才能以“无法联系”办结；目前为 {failed} 次。",
        "Record {needed} calls that did not reach the customer before closing as unreachable; so far: {failed}.",
    ),
    "not_reached_yet": (
        "请先记录一次“已联系上”的回访，再以“已解决”办结。",
        "Record the call that reached the customer before closing it as resolved.",
    ),
    "task_closed": ("该回访任务已办结，不能再修改。", "This callback task is closed and cannot change."),
    "task_taken": ("该任务已由 {agent} 认领。", "This task is assigned to {agent}."),
    "box_not_opened": ("请先开箱，再答复或关闭这条意见。", "Open the suggestion box before replying to or closing it."),
    "suggestion_closed": ("这条意见已关闭。", "This suggestion is closed."),
    "not_scored": (
        "该评价已不计入任何统计，无需申诉。",
        "This rating already counts in no score: no appeal is needed.",
    ),
    "appeal_decided": ("该申诉已复核过。", "This appeal has been decided already."),
    "own_appeal": (
        "申诉须由申诉人以外的人复核，请另一位主任或管理员处理。",
        "An appeal is decided by someone other than the person who lodged it: ask another manager or an admin.",
    ),
    "day_out_of_range": ("请选择 {first} 至 {last} 年之间的日期。", "Pick a date between {first} and {last}."),
    "year_out_of_range": ("请选择 {first} 至 {last} 年之间的年份。", "Pick a year between {first} and {last}."),
    "password_too_short": ("密码至少 {min_length} 位。", "A password has at least {min_length} characters."),
    "password_too_long": ("密码最多 {max_length} 位。", "A password has at most {max_length} characters."),
    "password_blank": ("密码不能只有空格。", "A password must not be only spaces."),
    "password_not_text": ("密码含有无法识别的字符。", "The password holds characters that are not valid text."),
    "password_holds_username": ("密码不能包含用户名。", "A password must not be or contain the username."),
    "password_common": (
        "这是最常见的密码之一，容易被猜中，请换一个。",
        "One of the most common passwords: choose another.",
    ),
    "password_wrong": ("当前密码不正确。", "The current password is wrong."),
    "password_repeat": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "password_same": ("新密码不能与当前密码相同。", "The new password must differ from the current one."),
    "own_account": ("不能降级或停用自己的账号。", "You cannot demote or deactivate your own account."),
    "halls_required": ("主任和回访员至少需要一个营业厅。", "A manager or agent needs at least one hall."),
    "month_not_started": ("{month} 尚未开始，不能发布。", "{month} has not started yet: it cannot be published."),
    # ---- inspections and stars ----
    "failed_item_note": ("不合格项请写明情况。", "A failed item needs a note."),
    "no_findings": ("请至少检查一项。", "Check at least one item."),
    "nobody_on_shift": (
        "该时间该窗口无人签到，请填写被检查人员工号。",
        "Nobody was signed in at that counter then: enter the staff number.",
    ),
    "inspection_void": ("该检查已作废。", "This inspection is void already."),
    "appealed_already": ("该检查已申诉过。", "This inspection has been appealed already."),
    "not_appealed": ("该检查尚未申诉。", "This inspection has not been appealed."),
    "quarter_not_started": ("{quarter} 尚未开始。", "{quarter} has not started yet."),
    "float_parsing": ("请填写数字。", "Please enter a number."),
}


_COLLECTIONS = ("List", "Tuple", "Set", "Frozenset", "Dictionary")  # pydantic's field_type of a too_long list


def describe(reason: Reason | None, lang: str) -> str | None:
    """The reason in words, in ``lang`` (zh or en); None when the table does not know it."""
    if reason is None:
        return None
    key = reason.key
    if key in ("too_long", "too_short") and reason.facts.get("field_type") not in _COLLECTIONS:
        key = f"string_{key}"  # a text's length checked after a validator cleaned it (e.g. a reply)
    if key == "string_too_short" and reason.facts.get("min_length") == 1:
        key = "missing"  # a blank required field
    pair = MESSAGES.get(key)
    if pair is None:
        return None
    try:
        return pair[0 if lang == "zh" else 1].format_map(reason.facts)
    except (KeyError, IndexError, ValueError):  # facts missing: a reason raised without them
        return None


def field_messages(error: DomainError, lang: str) -> dict[str, str]:
    """Each field the error names, with why in words (a request to check it when the reason is unknown)."""
    names = [*error.fields, *(n for n in error.reasons if n not in error.fields)]
    check = CHECK_FIELD[0 if lang == "zh" else 1]
    return {name: describe(error.reason_of(name), lang) or check for name in names}


def summary(error: DomainError, lang: str) -> str | None:
    """The error as a whole in words; None when its reason is unknown (the page's heading says enough)."""
    return describe(error.reason, lang)
