"""Every stable key the product shows has a Chinese and an English label, in one module."""

from __future__ import annotations

import importlib
import pkgutil
import re
from enum import Enum, IntEnum, StrEnum

import pytest

import chalicelib.domain
from chalicelib.domain import (
    alerts,
    appeals,
    audit,
    callbacks,
    exports,
    imports,
    inspections,
    labels,
    outreach,
    ranking,
    ratings,
    reports,
    stars,
    suggestions,
    surveys,
    tickets,
)
from chalicelib.domain.accounts import Role
from chalicelib.domain.csv_export import key_cell
from chalicelib.domain.notifications import Audience
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.reports import HALL_COLUMNS, RATING_COLUMNS, STAFF_COLUMNS
from chalicelib.domain.shifts import ShiftChange
from chalicelib.domain.stats import StatKind
from chalicelib.domain.workdays import Basis

TABLES: dict[type[Enum], dict] = {
    ratings.Level: labels.LEVEL,
    ratings.Channel: labels.CHANNEL,
    ratings.Business: labels.BUSINESS,
    ratings.Reason: labels.REASON,
    reports.RatingStatus: labels.RATING_STATUS,
    suggestions.SuggestionKind: labels.SUGGESTION_KIND,
    suggestions.SuggestionStatus: labels.SUGGESTION_STATUS,
    callbacks.Status: labels.CALLBACK_STATUS,
    callbacks.Flag: labels.CALLBACK_FLAG,
    callbacks.AttemptResult: labels.ATTEMPT_RESULT,
    callbacks.Outcome: labels.OUTCOME,
    callbacks.TaskType: labels.TASK_TYPE,
    callbacks.SourceType: labels.SOURCE_TYPE,
    Role: labels.ROLE,
    ranking.Flag: labels.RANKING_FLAG,
    outreach.Category: labels.OUTREACH_CATEGORY,
    appeals.Ground: labels.APPEAL_GROUND,
    appeals.AppealStatus: labels.APPEAL_STATUS,
    audit.Action: labels.AUDIT_ACTION,
    audit.RecordKind: labels.AUDIT_RECORD,
    imports.ImportKind: labels.IMPORT_KIND,
    imports.Reason: labels.IMPORT_REASON,
    tickets.Kind: labels.TICKET_KIND,
    tickets.Status: labels.TICKET_STATUS,
    tickets.Flag: labels.TICKET_FLAG,
    tickets.Source: labels.TICKET_SOURCE,
    tickets.Action: labels.TICKET_ACTION,
    tickets.Level: labels.ESCALATION_LEVEL,
    inspections.Mode: labels.INSPECTION_MODE,
    inspections.Status: labels.INSPECTION_STATUS,
    inspections.AppealStatus: labels.APPEAL_STATUS,
    stars.Star: labels.STAR,
    alerts.AlertKind: labels.ALERT_KIND,
    alerts.AlertStatus: labels.ALERT_STATUS,
    exports.ExportStatus: labels.EXPORT_STATUS,
    exports.ExportFormat: labels.EXPORT_FORMAT,
    surveys.SurveyStatus: labels.SURVEY_STATUS,
    surveys.QuestionType: labels.QUESTION_TYPE,
}
# Enums no page, file or message shows by label: internal keys, or shown as they are (grade "A").
NOT_SHOWN = {StatKind, Audience, Basis, HallGrade, ShiftChange}

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def domain_enums() -> set[type[Enum]]:
    found: set[type[Enum]] = set()
    for module in pkgutil.iter_modules(chalicelib.domain.__path__):
        loaded = importlib.import_module(f"chalicelib.domain.{module.name}")
        found |= {
            v
            for v in vars(loaded).values()
            if isinstance(v, type) and issubclass(v, StrEnum | IntEnum) and v.__module__ == loaded.__name__
        }
    return found


def test_every_enum_of_the_domain_is_labelled_or_known_not_to_be_shown():
    assert domain_enums() == set(TABLES) | NOT_SHOWN


@pytest.mark.parametrize("enum", TABLES, ids=lambda e: f"{e.__module__.rsplit('.', 1)[-1]}.{e.__name__}")
def test_every_value_has_a_chinese_and_an_english_label_and_nothing_else_does(enum):
    table = TABLES[enum]
    assert set(table) == {member.value for member in enum}
    for member in enum:
        zh, en = labels.label(table, member, "zh"), labels.label(table, member, "en")
        assert CHINESE.search(zh), member
        assert en.isascii() and en.strip() and en != zh, member


def test_an_unknown_key_is_shown_as_itself():
    assert labels.label(labels.REASON, "gone", "zh") == "gone"


def test_bare_keys_mean_one_thing_each():
    tables = [
        labels.CALLBACK_STATUS,
        labels.CALLBACK_FLAG,
        labels.ATTEMPT_RESULT,
        labels.OUTCOME,
        labels.TASK_TYPE,
        labels.SOURCE_TYPE,
        labels.ROLE,
        labels.RANKING_FLAG,
        labels.OUTREACH_CATEGORY,
        labels.APPEAL_GROUND,
        labels.APPEAL_STATUS,
    ]
    assert sum(len(t) for t in tables) == len({k for t in tables for k in t})
    assert labels.label(labels.BARE_KEYS, "overdue", "zh") == "已超期"
    assert labels.label(labels.BARE_KEYS, "level_5", "en") == "Very satisfied"


def test_csv_cells_write_a_key_as_its_chinese_label_or_as_itself():
    assert key_cell(labels.BUSINESS, ratings.Business.complaint, "zh") == "投诉举报"
    assert key_cell(labels.BUSINESS, ratings.Business.complaint, "en") == "complaint"
    assert key_cell(labels.RANKING_FLAG, ranking.Flag.reward, "en") == "reward"


# SPEC §4.4: exports are contracts; these header rows must not change by a byte.
@pytest.mark.parametrize(
    ("columns", "row"),
    [
        (
            STAFF_COLUMNS,
            "月份,分中心,营业厅编码,营业厅,工号,姓名,评价数,非常满意,满意,基本满意,不满意,非常不满意,"
            "满意率,满意率置信下限,平均分,排名,奖惩",
        ),
        (
            HALL_COLUMNS,
            "月份,分中心,营业厅编码,营业厅,评价数,非常满意,满意,基本满意,不满意,非常不满意,满意率,平均分,"
            "差评数,回访任务数,已办结回访,超期回访,意见建议数,工单数,按时答复工单,未评价数,未评价率",
        ),
        (RATING_COLUMNS, "评价时间,营业厅编码,窗口,工号,渠道,评价等级,业务类型,不满意原因,留言,联系电话,状态,编号"),
        (
            ("events", "community", "enterprise", "village", "household", "school", "participants", "covered"),
            "活动次数,进社区,进企业,进农村,进家庭,进学校,参与人数,是否达标",
        ),
    ],
)
def test_the_chinese_header_rows_stay_as_published(columns, row):
    assert ",".join(labels.HEADERS_ZH[c] for c in columns) == row
