"""CSV files that open correctly in Excel (SPEC §4.4), shared by every download.

UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting (the csv
module's), a header row in Chinese by default or the English keys with
``lang="en"``, booleans as 是/否 or true/false, and text cells that a
spreadsheet would read as a formula prefixed with ``'`` (OWASP ASVS). Real
numbers are written as numbers, so a negative count stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

Lang = Literal["zh", "en"]
Cell = str | int | float | bool | None

BOM = "\ufeff"

# The Chinese header of every column key of SPEC §4.4.
HEADERS_ZH: dict[str, str] = {
    "month": "月份",
    "quarter": "季度",
    "branch": "分中心",
    "hall_code": "营业厅编码",
    "hall": "营业厅",
    "staff_no": "工号",
    "name": "姓名",
    "total": "评价数",
    "n5": "非常满意",
    "n4": "满意",
    "n3": "基本满意",
    "n2": "不满意",
    "n1": "非常不满意",
    "satisfaction_rate": "满意率",
    "rate_lower_bound": "满意率置信下限",
    "mean_score": "平均分",
    "rank": "排名",
    "flag": "奖惩",
    "bad_ratings": "差评数",
    "callbacks_opened": "回访任务数",
    "callbacks_closed": "已办结回访",
    "callbacks_overdue": "超期回访",
    "suggestions": "意见建议数",
    "rated_at": "评价时间",
    "counter": "窗口",
    "channel": "渠道",
    "level": "评价等级",
    "business": "业务类型",
    "reasons": "不满意原因",
    "comment": "留言",
    "phone": "联系电话",
    "events": "活动次数",
    "community": "进社区",
    "enterprise": "进企业",
    "village": "进农村",
    "household": "进家庭",
    "school": "进学校",
    "participants": "参与人数",
    "households_visited": "走访户数",
    "safety_checks": "安全检查次数",
    "covered": "是否达标",
}

# A text cell starting with one of these is read as a formula (or can smuggle one in).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def header(key: str, lang: Lang) -> str:
    return key if lang == "en" else HEADERS_ZH.get(key, key)


def cell(value: Cell, lang: Lang) -> str | int | float:
    """One value as written: booleans localised, numbers kept, risky text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        if lang == "en":
            return "true" if value else "false"
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Cell]], lang: Lang = "zh") -> str:
    """The whole file as text, BOM first; each row gives a value for every column key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([header(c, lang) for c in columns])
    for row in rows:
        writer.writerow([cell(row.get(c), lang) for c in columns])
    return BOM + out.getvalue()
