"""Editing a draft a step at a time, as the console's builder does without JavaScript: add,
change, move and remove one question. Each step gives a whole new draft, validated whole
(SurveyDraft), so a step that breaks the questionnaire (removing a question a later
``show_if`` looks at) is refused with the path at fault."""

from __future__ import annotations

from typing import Any

from .errors import InvalidInput
from .surveys import Question, QuestionType, SurveyDraft


def _with_questions(draft: SurveyDraft, questions: list[dict[str, Any]]) -> SurveyDraft:
    body = draft.model_dump(mode="json", by_alias=True)
    body["questions"] = questions
    return SurveyDraft.model_validate(body)


def _dumped(draft: SurveyDraft) -> list[dict[str, Any]]:
    return [q.model_dump(mode="json", by_alias=True) for q in draft.questions]


def _index(draft: SurveyDraft, question_id: str) -> int:
    for i, q in enumerate(draft.questions):
        if q.id == question_id:
            return i
    raise InvalidInput(f"No question {question_id}.", {"question": "not a question of this survey"})


def next_id(draft: SurveyDraft) -> str:
    taken = {q.id for q in draft.questions}
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def starter(kind: QuestionType, question_id: str, text: str) -> dict[str, Any]:
    """A new question of ``kind`` with the options or rows its type needs, to edit afterwards."""
    body: dict[str, Any] = {"id": question_id, "type": kind.value, "text": text}
    if kind in (QuestionType.single, QuestionType.multi):
        body["options"] = [{"key": "a", "label": "选项一"}, {"key": "b", "label": "选项二"}]
    if kind is QuestionType.matrix5:
        body["rows"] = [{"key": "r1", "label": "第一项"}]
    return body


def add_question(draft: SurveyDraft, kind: QuestionType, text: str) -> SurveyDraft:
    return _with_questions(draft, [*_dumped(draft), starter(kind, next_id(draft), text)])


def replace_question(draft: SurveyDraft, question_id: str, question: dict[str, Any]) -> SurveyDraft:
    questions = _dumped(draft)
    questions[_index(draft, question_id)] = question
    return _with_questions(draft, questions)


def move_question(draft: SurveyDraft, question_id: str, step: int) -> SurveyDraft:
    """Move a question ``step`` places (−1 up, +1 down); past either end it stays."""
    questions = _dumped(draft)
    i = _index(draft, question_id)
    j = min(max(i + step, 0), len(questions) - 1)
    questions.insert(j, questions.pop(i))
    return _with_questions(draft, questions)


def remove_question(draft: SurveyDraft, question_id: str) -> SurveyDraft:
    questions = _dumped(draft)
    del questions[_index(draft, question_id)]
    return _with_questions(draft, questions)


def parse_lines(text: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    """Options or rows typed one a line, fields split by ``|`` (``key|标签|label``); blank lines skipped."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        items.append({name: value for name, value in zip(names, parts, strict=False) if value})
    return items


def as_lines(question: Question) -> tuple[str, str]:
    """A question's options and rows as the builder's text areas show them."""
    options = "\n".join("|".join((o.key, o.label, o.label_en)).rstrip("|") for o in question.options)
    rows = "\n".join("|".join((r.key, r.label, r.label_en, r.dimension or "")).rstrip("|") for r in question.rows)
    return options, rows
