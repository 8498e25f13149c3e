"""The Chinese and English labels of every stable key the product shows: the one place they live.

One table per enum, ``value → (Chinese, English)``, keyed by the enum's values
(a ``StrEnum`` member looks up as its string, an ``IntEnum`` level as its
number), and the Chinese CSV headers of SPEC §4.4. Chinese is the default
everywhere; an English CSV file writes the key itself, not its English label
(``csv_export.key_cell``). Every enum the product shows has a table here, in
both languages (tests/unit/test_labels.py walks the enums). This module
imports nothing, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Mapping

type Pair = tuple[str, str]  # (Chinese, English)


def label[K](table: Mapping[K, Pair], key: K, lang: str) -> str:
    """The Chinese (``lang="zh"``) or English label of ``key`` in ``table``; an unknown key as itself."""
    zh, en = table.get(key, (str(key), str(key)))
    return zh if lang == "zh" else en


# ---- ratings (ratings.Level, Channel, Business, Reason) ---------------------------
LEVEL: dict[int, Pair] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Basically satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
CHANNEL: dict[str, Pair] = {
    "device": ("评价器", "Counter device"),
    "qr": ("扫码", "QR code"),
    "web": ("网页", "Web"),
    "sms": ("短信", "SMS"),
    "phone": ("电话", "Phone"),
}
BUSINESS: dict[str, Pair] = {
    "fee_payment": ("电费缴纳", "Bill payment"),
    "new_connection": ("业扩报装(新装增容)", "New connection / capacity increase"),
    "change_of_use": ("变更用电", "Change of use"),
    "inquiry": ("咨询查询", "Inquiry"),
    "invoice": ("发票打印", "Invoice printing"),
    "fault_repair": ("故障报修", "Fault repair"),
    "complaint": ("投诉举报", "Complaint / report"),
    "other": ("其他", "Other"),
}
REASON: dict[str, Pair] = {
    "long_wait": ("等候时间长", "Long wait"),
    "attitude": ("服务态度", "Attitude"),
    "unskilled": ("业务不熟练", "Unskilled"),
    "slow": ("办理效率低", "Slow handling"),
    "not_told_once": ("未一次性告知", "Not told everything at once"),
    "repeat_visits": ("多次往返", "Repeat visits"),
    "facilities": ("环境设施", "Facilities"),
    "other": ("其他", "Other"),
}
RATING_STATUS: dict[str, Pair] = {  # reports.RatingStatus: where a stored rating counts
    "scored": ("计分", "Scored"),
    "misuse": ("误按", "Misuse"),
    "appeal_upheld": ("申诉核准", "Appeal upheld"),
}

# ---- the suggestion box (suggestions.SuggestionKind, SuggestionStatus) ------------
SUGGESTION_KIND: dict[str, Pair] = {
    "suggestion": ("建议", "Suggestion"),
    "praise": ("表扬", "Praise"),
    "complaint": ("投诉", "Complaint"),
    "inquiry": ("咨询", "Inquiry"),
    "report": ("举报", "Report"),
}
SUGGESTION_STATUS: dict[str, Pair] = {  # as the customer's tracking page words them
    "new": ("已提交，待开箱", "Received, waiting for the box to be opened"),
    "opened": ("已开箱，处理中", "Opened, being handled"),
    "replied": ("已答复", "Replied"),
    "closed": ("已办结", "Closed"),
}

# ---- callback tasks (callbacks.Status, Flag, AttemptResult, Outcome, TaskType, SourceType)
CALLBACK_STATUS: dict[str, Pair] = {
    "open": ("待回访", "Open"),
    "in_progress": ("回访中", "In progress"),
    "closed": ("已办结", "Closed"),
}
CALLBACK_FLAG: dict[str, Pair] = {
    "at_risk": ("即将超期", "At risk"),
    "overdue": ("已超期", "Overdue"),
}
ATTEMPT_RESULT: dict[str, Pair] = {
    "no_answer": ("无人接听", "No answer"),
    "reached": ("已联系上", "Reached"),
    "wrong_number": ("号码错误", "Wrong number"),
}
OUTCOME: dict[str, Pair] = {
    "resolved_satisfied": ("已解决·满意", "Resolved, satisfied"),
    "resolved_unsatisfied": ("已解决·不满意", "Resolved, unsatisfied"),
    "unreachable": ("无法联系", "Unreachable"),
}
TASK_TYPE: dict[str, Pair] = {
    "bad_rating": ("差评", "Bad rating"),
    "complaint": ("投诉", "Complaint"),
    "report": ("举报", "Report"),
    "reply_request": ("要求答复", "Reply requested"),
    "ticket_answer": ("工单答复回访", "Work order answered"),
}
SOURCE_TYPE: dict[str, Pair] = {
    "rating": ("评价", "Rating"),
    "suggestion": ("意见建议", "Suggestion"),
    "ticket": ("工单", "Work order"),
}

# ---- people, rankings, outreach, appeals -------------------------------------------
ROLE: dict[str, Pair] = {  # accounts.Role
    "admin": ("管理员", "Admin"),
    "manager": ("营业厅主任", "Manager"),
    "agent": ("回访专员", "Callback agent"),
    "handler": ("业务部门处理人", "Department handler"),
    "inspector": ("稽查员", "Inspector"),
}
RANKING_FLAG: dict[str, Pair] = {  # ranking.Flag
    "reward": ("奖励", "Reward"),
    "assess": ("考核", "Assess"),
}
OUTREACH_CATEGORY: dict[str, Pair] = {  # outreach.Category (五进)
    "community": ("进社区", "Communities"),
    "enterprise": ("进企业", "Enterprises"),
    "village": ("进农村", "Villages"),
    "household": ("进家庭", "Households"),
    "school": ("进学校", "Schools"),
}
APPEAL_GROUND: dict[str, Pair] = {  # appeals.Ground
    "malicious": ("恶意评价", "Malicious"),
    "mistaken": ("误评", "Mistaken"),
}
APPEAL_STATUS: dict[str, Pair] = {  # appeals.AppealStatus
    "pending": ("待复核", "Pending"),
    "upheld": ("已核准", "Upheld"),
    "rejected": ("已驳回", "Rejected"),
}

# ---- the audit log and bulk import (audit.Action, RecordKind; imports.ImportKind, Reason)
AUDIT_ACTION: dict[str, Pair] = {
    "create": ("新建", "Created"),
    "update": ("修改", "Changed"),
    "revoke": ("停用", "Revoked"),
    "publish": ("发布", "Published"),
}
AUDIT_RECORD: dict[str, Pair] = {
    "hall": ("营业厅", "Hall"),
    "counter": ("窗口", "Counter"),
    "staff": ("营业员", "Staff"),
    "device": ("评价器", "Device"),
    "user": ("用户", "User"),
    "month": ("月度排名发布", "Month publication"),
    "outreach": ("五进结果发布", "Outreach publication"),
    "calendar": ("工作日历", "Working-day calendar"),
    "checklist": ("检查表", "Checklist"),
    "star_rules": ("星级规则", "Star rules"),
    "stars": ("星级发布", "Star publication"),
    "inspection": ("明察暗访", "Inspection"),
    "alert_rules": ("预警阈值", "Alert thresholds"),
    "survey": ("满意度调查", "Survey"),
}
IMPORT_KIND: dict[str, Pair] = {
    "halls": ("营业厅", "Halls"),
    "counters": ("窗口", "Counters"),
    "staff": ("营业员", "Staff"),
}
IMPORT_REASON: dict[str, Pair] = {
    "cells": ("列数与表头不符", "Wrong number of cells"),
    "invalid": ("取值不符合要求", "Invalid value"),
    "repeated": ("与前面的行重复且内容不同", "Repeats an earlier line with other values"),
    "unknown_hall": ("营业厅不存在", "Unknown hall"),
    "refused": ("无法保存", "Refused"),
}

# ---- work orders (tickets.Kind, Status, Flag, Source, Action, Level) ---------------------
TICKET_KIND: dict[str, Pair] = {
    "consultation": ("咨询", "Consultation"),
    "complaint": ("投诉", "Complaint"),
    "report": ("举报", "Report"),
    "opinion": ("意见", "Opinion"),
    "request": ("诉求", "Request"),
}
TICKET_STATUS: dict[str, Pair] = {
    "new": ("待派单", "New"),
    "assigned": ("已派单", "Assigned"),
    "in_progress": ("办理中", "In progress"),
    "answered": ("已答复", "Answered"),
    "closed": ("已办结", "Closed"),
}
TICKET_FLAG: dict[str, Pair] = {
    "at_risk": ("即将超时", "At risk"),
    "overdue": ("已超时", "Overdue"),
}
TICKET_SOURCE: dict[str, Pair] = {
    "counter": ("柜台", "Counter"),
    "phone": ("电话", "Phone"),
    "web": ("网上", "Web"),
    "suggestion": ("意见箱", "Suggestion box"),
}
TICKET_ACTION: dict[str, Pair] = {
    "created": ("受理", "Created"),
    "assigned": ("派单", "Assigned"),
    "reassigned": ("流转", "Passed on"),
    "progress": ("办理进展", "Progress"),
    "answered": ("答复", "Answered"),
    "closed": ("办结", "Closed"),
    "urged": ("督办", "Urged"),
    "overdue": ("超时升级", "Overdue, escalated"),
}
ESCALATION_LEVEL: dict[int, Pair] = {
    0: ("未升级", "Not escalated"),
    1: ("营业厅主任", "Hall manager"),
    2: ("分中心", "Branch"),
    3: ("公司管理员", "Company admins"),
}
# ---- inspections (inspections.Mode, Status) -------------------------------------------
INSPECTION_MODE: dict[str, Pair] = {
    "open": ("明查", "Open visit"),
    "undercover": ("暗访", "Undercover"),
    "video": ("视频检查", "Video review"),
}
INSPECTION_STATUS: dict[str, Pair] = {
    "counted": ("计分", "Counted"),
    "voided": ("作废", "Void"),
    "appeal_upheld": ("申诉核准", "Appeal upheld"),
}
STAR: dict[str, Pair] = {  # stars.Star
    "service": ("服务之星", "Service star"),
    "business": ("业务之星", "Business star"),
}

# Keys that mean one thing wherever staff pages show them, for templates that pass a
# bare string (``label("overdue")``, ``label("level_5")``). Ratings' and the suggestion
# box's keys are left out: "complaint" or "inquiry" means different things there.
BARE_KEYS: dict[str, Pair] = {
    **CALLBACK_STATUS,
    **CALLBACK_FLAG,
    **ATTEMPT_RESULT,
    **OUTCOME,
    **TASK_TYPE,
    **SOURCE_TYPE,
    **ROLE,
    **RANKING_FLAG,
    **OUTREACH_CATEGORY,
    **APPEAL_GROUND,
    **APPEAL_STATUS,
    **{f"mode_{key}": pair for key, pair in INSPECTION_MODE.items()},
    **INSPECTION_STATUS,
    **{f"level_{n}": pair for n, pair in LEVEL.items()},
}

# ---- CSV headers (SPEC §4.4): the Chinese header of every column key ----------------
HEADERS_ZH: dict[str, str] = {
    "month": "月份",
    "quarter": "季度",
    "branch": "分中心",
    "hall_code": "营业厅编码",
    "hall": "营业厅",
    "staff_no": "工号",
    "name": "姓名",
    "total": "评价数",
    **{f"n{n}": zh for n, (zh, _) in LEVEL.items()},
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
    "unrated": "未评价数",
    "unrated_rate": "未评价率",
    "rated_at": "评价时间",
    "counter": "窗口",
    "channel": "渠道",
    "level": "评价等级",
    "business": "业务类型",
    "reasons": "不满意原因",
    "comment": "留言",
    "phone": "联系电话",
    "status": "状态",
    "id": "编号",
    "events": "活动次数",
    **{key: zh for key, (zh, _) in OUTREACH_CATEGORY.items()},
    "participants": "参与人数",
    "households_visited": "走访户数",
    "safety_checks": "安全检查次数",
    "covered": "是否达标",
    # work orders (工单台账, tickets.csv) and their hall-monthly columns
    "tickets": "工单数",
    "tickets_in_time": "按时答复工单",
    "ticket_no": "工单编号",
    "created_at": "受理时间",
    "kind": "类型",
    "key_account": "大客户",
    "department": "办理部门",
    "subject": "事由",
    "due_at": "答复时限",
    "answered_at": "答复时间",
    "closed_at": "办结时间",
    "in_time": "是否按时",
    "urged": "督办次数",
    "callback_outcome": "回访结果",
    "follow_up_level": "追评等级",
    # inspections.csv and stars.csv (SPEC §4.4)
    "inspected_at": "检查时间",
    "mode": "检查方式",
    "checklist": "检查表",
    "version": "版本",
    "score": "得分",
    "failed_items": "不合格项",
    "inspector": "检查人",
    "service_star": "服务之星",
    "business_star": "业务之星",
    "inspection_score": "检查平均分",
    "verified_complaints": "属实投诉数",
    "ratings": "评价数",
    "basis": "评定依据",
    # survey-responses.csv
    "response_id": "答卷编号",
    "submitted_at": "提交时间",
}

# ---- live operations (alerts.AlertKind, AlertStatus) -------------------------------
ALERT_KIND: dict[str, Pair] = {
    "negative_spike": ("差评激增", "Negative spike"),
    "silent_device": ("评价器失联", "Silent device"),
    "box_unopened": ("意见箱未开箱", "Box unopened"),
    "callback_overdue": ("回访超期", "Callback overdue"),
    "ticket_overdue": ("工单超期", "Work order overdue"),
}
ALERT_STATUS: dict[str, Pair] = {
    "open": ("待处理", "Open"),
    "acknowledged": ("已确认", "Acknowledged"),
    "resolved": ("已解除", "Resolved"),
}


# ---- export jobs (exports.ExportStatus, ExportFormat) -------------------------------
EXPORT_STATUS: dict[str, Pair] = {
    "queued": ("排队中", "Queued"),
    "running": ("生成中", "Running"),
    "done": ("已完成", "Done"),
    "failed": ("失败", "Failed"),
}
EXPORT_FORMAT: dict[str, Pair] = {
    "xlsx": ("XLSX 表格", "XLSX spreadsheet"),
    "csv": ("CSV 文本", "CSV text"),
}


# ---- surveys ----------------------------------------------------------------------
SURVEY_STATUS: dict[str, Pair] = {
    "draft": ("草稿", "Draft"),
    "published": ("进行中", "Open"),
    "closed": ("已结束", "Closed"),
}
QUESTION_TYPE: dict[str, Pair] = {
    "rating5": ("五级满意度", "Five-level rating"),
    "nps": ("推荐意愿（NPS 0–10）", "NPS (0-10)"),
    "single": ("单选", "Single choice"),
    "multi": ("多选", "Multiple choice"),
    "text": ("文本", "Open text"),
    "matrix5": ("矩阵评分（1–5）", "Matrix (1-5)"),
}
