"""survey-responses.csv (SPEC §4.4): one row per response, one column per question (per row for
``matrix5``) headed by the question's text. Pure: columns, headers and cells."""

from __future__ import annotations

from .csv_export import Cell, Lang, key_cell
from .labels import CHANNEL
from .privacy import mask_personal_data
from .surveys import Question, Questionnaire, QuestionType, SurveyResponse

FIXED_COLUMNS = ("response_id", "submitted_at", "hall_code", "channel")
JOINERS = {"zh": "、", "en": ";"}


def question_columns(questionnaire: Questionnaire, lang: Lang) -> dict[str, str]:
    """Column key -> header, in question order (``q1.tangibles`` -> "请为以下方面打分 · 有形性…")."""
    columns: dict[str, str] = {}
    for q in questionnaire.questions:
        if q.type is QuestionType.matrix5:
            for row in q.rows:
                row_label = row.label_en if lang == "en" and row.label_en else row.label
                columns[f"{q.id}.{row.key}"] = f"{q.label(lang)} · {row_label}"
        else:
            columns[q.id] = q.label(lang)
    return columns


def _option(q: Question, key: str, lang: Lang) -> str:
    labels = {o.key: (o.label, o.label_en or o.key) for o in q.options}
    return key_cell(labels, key, lang)


def response_row(questionnaire: Questionnaire, response: SurveyResponse, lang: Lang) -> dict[str, Cell]:
    row: dict[str, Cell] = {
        "response_id": response.response_id,
        "submitted_at": response.submitted_at.isoformat(),
        "hall_code": response.hall_code,
        "channel": key_cell(CHANNEL, response.channel.value, lang),
    }
    for q in questionnaire.questions:
        value = response.answers.get(q.id)
        if value is None:
            continue
        if isinstance(value, dict):
            row.update({f"{q.id}.{k}": level for k, level in value.items()})
        elif isinstance(value, list):
            row[q.id] = JOINERS[lang].join(_option(q, k, lang) for k in value)
        elif q.type is QuestionType.single and isinstance(value, str):
            row[q.id] = _option(q, value, lang)
        elif isinstance(value, str):
            row[q.id] = mask_personal_data(value)
        else:
            row[q.id] = value
    return row
