"""Inspection checklists (SPEC §3.3): versioned lists of items in sections, each item worth points.

A checklist is named by a ``code``; each version is frozen once added, so an
inspection that used version 1 still reads version 1 after version 2 exists.
The built-in ``service-norms`` checklist (version 1, below) follows the hall
service norms: 迎送客户 · 分流导办 · 咨询查询 · 业务受理 · 收费服务 · 投诉举报. Admins
add their own checklists, and later versions of this one (numbered from 2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

KEY_PATTERN = r"^[a-z0-9][a-z0-9_]{0,31}$"
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
ChecklistCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalLabel = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Points = Annotated[int, Field(ge=1, le=100)]

BUILT_IN = "service-norms"
MAX_ITEMS = 200


class Item(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: Key  # unique in its checklist version: a finding names it
    text: Label
    text_en: OptionalLabel = ""
    points: Points


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: Key  # stable across versions: star rules name sections by key (业务受理 is ``acceptance``)
    name: Label
    name_en: OptionalLabel = ""
    items: tuple[Item, ...] = Field(min_length=1, max_length=MAX_ITEMS)


class Checklist(BaseModel):
    """One version of a checklist."""

    model_config = ConfigDict(frozen=True)

    code: ChecklistCode
    name: Label
    name_en: OptionalLabel = ""
    version: int = Field(ge=1)
    sections: tuple[Section, ...] = Field(min_length=1, max_length=20)
    created_at: datetime
    created_by: str

    @model_validator(mode="after")
    def _unique_keys(self) -> Checklist:
        sections = [s.key for s in self.sections]
        items = [i.key for s in self.sections for i in s.items]
        if len(set(sections)) != len(sections):
            raise ValueError("section keys must be unique")
        if len(set(items)) != len(items):
            raise ValueError("item keys must be unique across the checklist")
        if len(items) > MAX_ITEMS:
            raise ValueError(f"at most {MAX_ITEMS} items")
        return self

    def item(self, key: str) -> tuple[Section, Item] | None:
        for section in self.sections:
            for item in section.items:
                if item.key == key:
                    return section, item
        return None


def _section(key: str, name: str, name_en: str, items: list[tuple[str, str, str, int]]) -> Section:
    return Section(
        key=key,
        name=name,
        name_en=name_en,
        items=tuple(Item(key=k, text=t, text_en=e, points=p) for k, t, e, p in items),
    )


# The hall service norms (营业厅服务规范) as a 100-point checklist: six sections, 31 items.
SERVICE_NORMS = Checklist(
    code=BUILT_IN,
    name="营业厅服务规范",
    name_en="Hall service norms",
    version=1,
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
    created_by="system",
    sections=(
        _section("greeting", "迎送客户", "Greeting and seeing off", [
            ("g1_stand_up", "客户走进1.5米起身相迎，主动问候", "Stands up and greets a customer within 1.5 m", 4),
            ("g2_uniform", "统一着装、佩戴工号牌，仪容整洁", "Uniform and staff badge worn, neat appearance", 2),
            ("g3_courtesy", "使用文明用语，首问负责", "Courteous language; the first person asked takes charge", 4),
            ("g4_both_hands", "双手递接单据、证件", "Hands documents over and takes them with both hands", 2),
            ("g5_farewell", "业务办结后起身或点头道别", "Stands or nods to say goodbye when the business is done", 3),
        ]),
        _section("guidance", "分流导办", "Lobby guidance", [
            ("d1_ask_and_direct", "大堂引导员主动询问来意并分流", "The lobby guide asks and directs each customer", 4),
            ("d2_help_forms", "指导取号、填单，协助使用自助设备", "Helps with numbers, forms, self-service", 2),
            ("d3_queue", "等候客户较多时及时疏导、增开窗口", "Eases long queues and opens more windows", 2),
            ("d4_priority", "老幼病残孕等特殊客户优先办理", "Serves the elderly, disabled and pregnant first", 3),
            ("d5_notices", "业务告知资料齐全、摆放有序", "Service notices and leaflets complete and in order", 2),
        ]),
        _section("inquiry", "咨询查询", "Inquiries", [
            ("q1_accurate", "答复准确、完整，不推诿", "Answers fully and correctly, never passes it on", 4),
            ("q2_tell_once", "一次性告知缺件，说明所需资料与流程", "Tells every missing document and step at once", 5),
            ("q3_record", "不能当场答复的，登记并承诺答复时限", "Records what waits and promises a time", 3),
            ("q4_billing", "电费、电量查询及时准确", "Answers bill and consumption queries promptly and correctly", 3),
            ("q5_plain", "耐心解释政策，通俗易懂", "Explains policies patiently and plainly", 2),
        ]),
        _section("acceptance", "业务受理", "Accepting applications", [
            ("a1_documents", "资料审核准确，一证受理", "Checks documents correctly; one ID is enough to apply", 5),
            ("a2_entry", "业务系统录入准确、及时", "Enters the application correctly and promptly", 4),
            ("a3_progress", "告知办理进度与后续环节", "Tells the customer the progress and next steps", 3),
            ("a4_in_time", "按时限办结，无超时", "Completes the business within its time limit", 4),
            ("a5_no_extra", "不额外索要资料，不违规收费", "Asks for no extra documents and charges no improper fee", 4),
            ("a6_invite_rating", "邀请客户评价", "Invites the customer to rate the visit", 2),
        ]),
        _section("charging", "收费服务", "Payments", [
            ("c1_announce", "唱收唱付", "Announces the money received and the change given", 5),
            ("c2_receipt", "票据开具准确、及时", "Issues receipts correctly and promptly", 4),
            ("c3_count", "验钞找零准确，现金当面点清", "Checks notes and counts change in front of the customer", 4),
            ("c4_channels", "告知多种缴费渠道", "Tells the customer other ways to pay", 1),
            ("c5_away", "离岗时放置暂停服务牌并锁好钱箱", "Shows a pause sign and locks the cash box when away", 3),
        ]),
        _section("complaints", "投诉举报", "Complaints and reports", [
            ("p1_reception", "投诉客户引至接待室并记录", "Takes complainants aside and records it", 5),
            ("p2_listen", "耐心倾听，不与客户争辩", "Listens patiently and never argues", 4),
            ("p3_process", "告知处理流程与答复时限", "Tells the process and the reply deadline", 3),
            ("p4_escalate", "及时上报，按规定流转", "Reports promptly and routes it as required", 3),
            ("p5_box", "意见箱（簿）公开，每天开箱", "The suggestion box is in sight and opened every day", 1),
        ]),
    ),
)  # fmt: skip
