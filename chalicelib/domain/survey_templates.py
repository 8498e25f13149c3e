"""Ready questionnaires admins start from: the 客户感知 (customer perception) survey.

Five SERVQUAL dimensions as one ``matrix5`` (each row its own dimension), an
overall ``rating5``, an NPS, a reason question shown only to the dissatisfied
(overall level 1-3) and an open text.
"""

from __future__ import annotations

from .labels import REASON, label
from .ratings import Reason
from .surveys import Option, Question, QuestionType, Row, ShowIf, SurveyDraft

SERVQUAL = (
    (
        "tangibles",
        "有形性：营业厅环境整洁、设施完好、标识清楚",
        "Tangibles: a clean hall, working facilities, clear signs",
    ),
    ("reliability", "可靠性：业务一次办对、承诺兑现", "Reliability: done right the first time, promises kept"),
    ("responsiveness", "响应性：等候时间短、及时回应诉求", "Responsiveness: short waits, prompt answers"),
    ("assurance", "保证性：员工业务熟练、让人放心", "Assurance: skilled, trustworthy staff"),
    ("empathy", "移情性：耐心细致、主动关心客户需求", "Empathy: patient, attentive to your needs"),
)
DIMENSION_NAMES = {
    "tangibles": "有形性",
    "reliability": "可靠性",
    "responsiveness": "响应性",
    "assurance": "保证性",
    "empathy": "移情性",
}


def customer_perception() -> SurveyDraft:
    """The 客户感知 template as a draft (every hall, anonymous, no dates)."""
    return SurveyDraft(
        title="客户感知满意度调查",
        intro="感谢您抽出一分钟评价我们的服务，您的意见将帮助我们改进。",
        questions=[
            Question(
                id="q1",
                type=QuestionType.matrix5,
                text="请为以下方面打分（1 非常不满意 — 5 非常满意）",
                text_en="Please rate each aspect (1 very dissatisfied - 5 very satisfied)",
                required=True,
                rows=[Row(key=k, label=zh, label_en=en, dimension=DIMENSION_NAMES[k]) for k, zh, en in SERVQUAL],
            ),
            Question(
                id="q2",
                type=QuestionType.rating5,
                text="总体而言，您对本营业厅的服务满意吗？",
                text_en="Overall, how satisfied are you with this hall's service?",
                required=True,
                dimension="总体满意度",
            ),
            Question(
                id="q3",
                type=QuestionType.nps,
                text="您有多大可能向亲友推荐本营业厅的服务？（0 — 10）",
                text_en="How likely are you to recommend this hall to friends or family? (0-10)",
                required=True,
            ),
            Question(
                id="q4",
                type=QuestionType.multi,
                text="您不满意的主要原因是？（可多选）",
                text_en="What were you dissatisfied with? (choose any)",
                options=[
                    Option(key=r.value, label=label(REASON, r.value, "zh"), label_en=label(REASON, r.value, "en"))
                    for r in Reason
                ],
                show_if=ShowIf.model_validate({"question": "q2", "in": [1, 2, 3]}),
            ),
            Question(
                id="q5",
                type=QuestionType.text,
                text="您对我们还有什么意见或建议？",
                text_en="Anything else you would like to tell us?",
            ),
        ],
    )


def blank() -> SurveyDraft:
    """A draft of one overall question, for a survey built from scratch."""
    question = Question(id="q1", type=QuestionType.rating5, text="您对本次服务满意吗？", required=True)
    return SurveyDraft(title="满意度调查", questions=[question])
