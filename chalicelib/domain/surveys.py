"""Surveys (定期客户满意度调查, SPEC §3.1): the questionnaire, its validation, skip logic and answers.

A questionnaire is validated whole: each question's own shape by pydantic
(options only for ``single``/``multi``, rows only for ``matrix5``), and what
ties questions together (unique ids, ``show_if`` on an earlier choice question
and on answers it can give) by ``questionnaire_faults``, which names the path
at fault (``questions.3.show_if.question``) and is raised as InvalidInput.

A response is read from the form's flat names (``q1``, ``q3`` repeated,
``q4.tangibles``) against one frozen version: a visible question's answer is
checked by its type, a hidden question's answer is refused, a required visible
question must be answered. What an accepted response adds to its tallies is in
``survey_results``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from .errors import Conflict, Deactivated, InvalidInput
from .organisation import Code
from .ratings import Channel

KEY_PATTERN = r"^[a-z0-9_]{1,32}$"
QUESTION_ID_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
QuestionId = Annotated[str, StringConstraints(pattern=QUESTION_ID_PATTERN)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LabelEn = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Dimension = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_ROWS = 20
MAX_TEXT = 1000
LEVELS = (1, 2, 3, 4, 5)
NPS_SCORES = tuple(range(11))


class QuestionType(StrEnum):
    rating5 = "rating5"
    nps = "nps"
    single = "single"
    multi = "multi"
    text = "text"
    matrix5 = "matrix5"


CHOICE_TYPES = frozenset({QuestionType.single, QuestionType.multi})
# The questions a show_if may refer to: those whose answers are keys or scores.
CONDITION_TYPES = frozenset({QuestionType.rating5, QuestionType.nps, *CHOICE_TYPES})
# The questions whose answers are 1-5 levels, which dimension means pool.
LEVEL_TYPES = frozenset({QuestionType.rating5, QuestionType.matrix5})


class Option(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: Key
    label: Label
    label_en: LabelEn = ""


class Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: Key
    label: Label
    label_en: LabelEn = ""
    dimension: Dimension | None = None


class ShowIf(BaseModel):
    """Show the question only when ``question``'s answer is (for ``multi``: includes one) of ``in``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)
    question: QuestionId
    in_: list[Annotated[int, Field(strict=True)] | Key] = Field(alias="in", min_length=1, max_length=20)


def _unique(keys: Sequence[str], what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what} key {key!r} appears twice")
        seen.add(key)


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: QuestionId
    type: QuestionType
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    text_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    required: bool = False
    options: list[Option] = Field(default_factory=list, max_length=MAX_OPTIONS)
    rows: list[Row] = Field(default_factory=list, max_length=MAX_ROWS)
    dimension: Dimension | None = None
    show_if: ShowIf | None = None

    @field_validator("options")
    @classmethod
    def _options_where_needed(cls, options: list[Option], info: ValidationInfo) -> list[Option]:
        kind = info.data.get("type")
        if kind in CHOICE_TYPES and len(options) < 2:
            raise ValueError(f"a {kind} question needs at least two options")
        if kind not in CHOICE_TYPES and options:
            raise ValueError("only single and multi questions have options")
        _unique([o.key for o in options], "option")
        return options

    @field_validator("rows")
    @classmethod
    def _rows_where_needed(cls, rows: list[Row], info: ValidationInfo) -> list[Row]:
        kind = info.data.get("type")
        if kind is QuestionType.matrix5 and not rows:
            raise ValueError("a matrix5 question needs at least one row")
        if kind is not QuestionType.matrix5 and rows:
            raise ValueError("only matrix5 questions have rows")
        _unique([r.key for r in rows], "row")
        return rows

    @field_validator("dimension")
    @classmethod
    def _dimension_on_levels(cls, dimension: str | None, info: ValidationInfo) -> str | None:
        if dimension is not None and info.data.get("type") not in LEVEL_TYPES:
            raise ValueError("only rating5 and matrix5 questions carry a dimension")
        return dimension

    def answer_keys(self) -> tuple[int | str, ...]:
        """The answers a show_if on this question may name."""
        if self.type is QuestionType.rating5:
            return LEVELS
        if self.type is QuestionType.nps:
            return NPS_SCORES
        return tuple(o.key for o in self.options)

    def label(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text


def questionnaire_faults(questions: Sequence[Question]) -> dict[str, str]:
    """What ties the questions together, as ``{path: why}``: ids unique, show_if on an earlier
    rating5/nps/single/multi question and on answers it can give."""
    faults: dict[str, str] = {}
    earlier: dict[str, Question] = {}
    for i, q in enumerate(questions):
        if q.id in earlier:
            faults[f"questions.{i}.id"] = f"the id {q.id} is used by an earlier question"
        if q.show_if is not None:
            target = earlier.get(q.show_if.question)
            if target is None:
                faults[f"questions.{i}.show_if.question"] = "must name an earlier question"
            elif target.type not in CONDITION_TYPES:
                faults[f"questions.{i}.show_if.question"] = "must name a rating5, nps, single or multi question"
            else:
                valid = target.answer_keys()
                for j, value in enumerate(q.show_if.in_):
                    if value not in valid or isinstance(value, bool):
                        faults[f"questions.{i}.show_if.in.{j}"] = f"{value!r} is not an answer of {target.id}"
                        break
        earlier.setdefault(q.id, q)
    return faults


class Questionnaire(BaseModel):
    """The questions of one version, validated as a whole (see the module docstring)."""

    model_config = ConfigDict(frozen=True)
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _whole(self) -> Questionnaire:
        faults = questionnaire_faults(self.questions)
        if faults:
            # A DomainError passes through pydantic unchanged, keeping the exact paths.
            raise InvalidInput("The questionnaire is not consistent.", faults)
        return self


# ----- answers -----------------------------------------------------------------

# One question's answer: a level or score, an option key, option keys, a text, or row -> level.
type AnswerValue = int | str | tuple[str, ...] | dict[str, int]
type Answers = dict[str, AnswerValue]


def is_visible(question: Question, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether the question is shown, given the answers to the questions before it."""
    if question.show_if is None:
        return True
    given = answers.get(question.show_if.question)
    if given is None:
        return False
    wanted = set(question.show_if.in_)
    if isinstance(given, tuple):
        return any(key in wanted for key in given)
    return given in wanted


def _whole(raw: Any, low: int, high: int) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        value = int(raw.strip())
    else:
        return None
    return value if low <= value <= high else None


def _values(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def _blank(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or raw == ()


def _read_one(q: Question, raw: Any, rows: Mapping[str, Any], faults: dict[str, str]) -> AnswerValue | None:
    """The answer a visible question was given, or None; what is wrong goes to ``faults``."""
    if q.type is QuestionType.matrix5:
        levels: dict[str, int] = {}
        for row in q.rows:
            value = rows.get(row.key)
            if _blank(value):
                if q.required:
                    faults[f"{q.id}.{row.key}"] = "required"
                continue
            level = _whole(value, 1, 5)
            if level is None:
                faults[f"{q.id}.{row.key}"] = "a level from 1 to 5"
            else:
                levels[row.key] = level
        return levels or None
    if _blank(raw):
        if q.required:
            faults[q.id] = "required"
        return None
    if q.type is QuestionType.rating5 or q.type is QuestionType.nps:
        high = 5 if q.type is QuestionType.rating5 else 10
        value = _whole(raw, 1 if high == 5 else 0, high)
        if value is None:
            faults[q.id] = f"a whole number from {1 if high == 5 else 0} to {high}"
        return value
    keys = {o.key for o in q.options}
    if q.type is QuestionType.single:
        if not isinstance(raw, str) or raw not in keys:
            faults[q.id] = "one of the question's options"
            return None
        return raw
    if q.type is QuestionType.multi:
        chosen = _values(raw)
        if not all(isinstance(k, str) and k in keys for k in chosen) or len(set(chosen)) != len(chosen):
            faults[q.id] = "distinct options of the question"
            return None
        order = [o.key for o in q.options]
        return tuple(sorted(chosen, key=order.index))
    if not isinstance(raw, str) or len(raw.strip()) > MAX_TEXT:
        faults[q.id] = f"a text of at most {MAX_TEXT} characters"
        return None
    text = raw.strip()
    if not text and q.required:
        faults[q.id] = "required"
    return text or None


def read_answers(questionnaire: Questionnaire, flat: Mapping[str, Any], *, upto: int | None = None) -> Answers:
    """The answers in ``flat`` (the form's names), checked against ``questionnaire`` in order; skip
    logic applied. ``upto`` checks only the first questions (a page's earlier blocks).
    InvalidInput names every field at fault: unknown names, hidden questions' answers, bad values."""
    questions = questionnaire.questions if upto is None else questionnaire.questions[:upto]
    by_id = {q.id: q for q in questionnaire.questions}
    answers: Answers = {}
    faults: dict[str, str] = {}
    grouped: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        if _blank(value):  # an empty field (a form's unticked boxes) answers nothing
            continue
        head, dot, row = name.partition(".")
        q = by_id.get(head)
        if q is None or (dot and (q.type is not QuestionType.matrix5 or row not in {r.key for r in q.rows})):
            faults[name] = "not a question of this survey"
        elif dot:
            rows.setdefault(head, {})[row] = value
        elif q.type is QuestionType.matrix5:
            faults[name] = "a matrix is answered row by row (question.row)"
        else:
            grouped[head] = value
    shown = {q.id for q in questions}
    for name in list(grouped) + [f"{h}.{r}" for h, rs in rows.items() for r in rs]:
        if name.partition(".")[0] not in shown and upto is not None:
            faults.setdefault(name, "not asked yet")
    for q in questions:
        given = grouped.get(q.id)
        given_rows = rows.get(q.id, {})
        if not is_visible(q, answers):
            if not _blank(given) or any(not _blank(v) for v in given_rows.values()):
                faults[q.id] = "hidden by an earlier answer: leave it out"
            continue
        value = _read_one(q, given, given_rows, faults)
        if value is not None:
            answers[q.id] = value
    if faults:
        raise InvalidInput("Some answers are missing or invalid.", faults)
    return answers


def flat_answers(answers: Mapping[str, AnswerValue]) -> dict[str, Any]:
    """Answers back in the form's flat names (``q4.tangibles``): what read_answers reads."""
    flat: dict[str, Any] = {}
    for qid, value in answers.items():
        if isinstance(value, dict):
            flat.update({f"{qid}.{row}": level for row, level in value.items()})
        elif isinstance(value, tuple):
            flat[qid] = list(value)
        else:
            flat[qid] = value
    return flat


def blocks(questionnaire: Questionnaire) -> list[tuple[int, int]]:
    """The page's screens as ``[start, end)`` spans: a new screen begins at a question whose
    show_if looks at an answer of the current screen (the server must have it first)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i, q in enumerate(questionnaire.questions):
        current = {x.id for x in questionnaire.questions[start:i]}
        if i > start and q.show_if is not None and q.show_if.question in current:
            spans.append((start, i))
            start = i
    spans.append((start, len(questionnaire.questions)))
    return spans


# ----- the survey and its versions ---------------------------------------------


class SurveyStatus(StrEnum):
    draft = "draft"
    published = "published"
    closed = "closed"


class SurveyDraft(BaseModel):
    """What an admin edits: the next version's questions and the survey's settings."""

    model_config = ConfigDict(frozen=True)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    intro: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)
    halls: list[Code] | None = None  # None: every hall
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    anonymous: bool = True

    @model_validator(mode="after")
    def _whole(self) -> SurveyDraft:
        faults = questionnaire_faults(self.questions)
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            faults["closes_at"] = "must be after opens_at"
        if faults:
            raise InvalidInput("The survey is not consistent.", faults)
        return self

    def questionnaire(self) -> Questionnaire:
        return Questionnaire(questions=self.questions)


class Survey(BaseModel):
    """A survey: its draft, its status and its latest published version (0: none yet)."""

    model_config = ConfigDict(frozen=True)
    id: str
    draft: SurveyDraft
    status: SurveyStatus = SurveyStatus.draft
    version: int = 0
    edited: bool = True  # the draft differs from the latest version
    created_at: datetime
    created_by: str
    updated_at: datetime

    def runs_in(self, hall_code: str) -> bool:
        return self.draft.halls is None or hall_code in self.draft.halls

    def is_open(self, now: datetime) -> bool:
        d = self.draft
        return (
            self.status is SurveyStatus.published
            and (d.opens_at is None or d.opens_at <= now)
            and (d.closes_at is None or now < d.closes_at)
        )


class SurveyVersion(BaseModel):
    """A published, frozen version: the questions its responses answered."""

    model_config = ConfigDict(frozen=True)
    survey_id: str
    version: int
    title: str
    intro: str
    questions: list[Question]
    published_at: datetime
    published_by: str

    def questionnaire(self) -> Questionnaire:
        return Questionnaire(questions=self.questions)


class SurveyResponse(BaseModel):
    """One accepted response. ``invitation`` is kept only when the survey is not anonymous."""

    model_config = ConfigDict(frozen=True)
    survey_id: str
    response_id: str
    version: int
    hall_code: str
    channel: Channel  # qr (a hall's link) or sms (an invitation)
    submitted_at: datetime
    answers: dict[str, int | str | list[str] | dict[str, int]]
    invitation: str | None = None


class SurveyClosed(Deactivated):
    """The survey takes no responses now (closed, not yet open, or past closes_at): 410."""

    code = "survey_closed"


class InvitationUsed(Conflict):
    """A single-use invitation answered already."""

    code = "invitation_used"


class Invitation(BaseModel):
    """A single-use SMS invitation: the number is kept only as its mask, and as a keyed hash
    (``phone_key``) that an opt-out (退订) records so the number is never invited again."""

    model_config = ConfigDict(frozen=True)
    id: str
    survey_id: str
    hall_code: str
    phone_mask: str
    phone_key: str = ""
    sent_at: datetime
    used_at: datetime | None = None


def phone_key(key: bytes, phone: str) -> str:
    """A keyed hash of a number: the same for the same number, and no way back to it."""
    return hmac.new(key, f"sms-opt-out|{phone}".encode(), hashlib.sha256).hexdigest()
