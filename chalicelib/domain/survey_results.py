"""Survey results from tallies (SPEC §3.1): what a response adds, and what the sums mean.

A tally is a flat map of counters per survey version and hall, changed in the
transaction that stores the response:

* ``responses``: responses taken;
* ``<q>.n``: responses answering question q; ``<q>.c.<answer>``: how many gave
  that level, score or option key; ``<q>.sum``: the sum of levels or scores;
* ``<q>.r.<row>.n`` / ``.sum`` / ``.c.<level>``: the same per matrix row.

Results add tallies (halls, versions of the same questions) and derive counts,
means, NPS (% promoters 9-10 minus % detractors 0-6, on -100...100), matrix row
means and dimension means (every 1-5 answer carrying the dimension, a row's
overriding its question's). Nothing here reads a response.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .surveys import AnswerValue, Question, Questionnaire, QuestionType

RESPONSES = "responses"


def tally_increments(questionnaire: Questionnaire, answers: Mapping[str, AnswerValue]) -> Counter[str]:
    """What one accepted response adds to its version's and hall's tally."""
    added: Counter[str] = Counter({RESPONSES: 1})
    for q in questionnaire.questions:
        value = answers.get(q.id)
        if value is None:
            continue
        added[f"{q.id}.n"] += 1
        if isinstance(value, dict):
            for row, level in value.items():
                added[f"{q.id}.r.{row}.n"] += 1
                added[f"{q.id}.r.{row}.sum"] += level
                added[f"{q.id}.r.{row}.c.{level}"] += 1
        elif isinstance(value, tuple):
            for key in value:
                added[f"{q.id}.c.{key}"] += 1
        elif isinstance(value, int):
            added[f"{q.id}.c.{value}"] += 1
            added[f"{q.id}.sum"] += value
        elif q.type is QuestionType.single:
            added[f"{q.id}.c.{value}"] += 1
    return added


def add_tallies(tallies: Iterable[Mapping[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for tally in tallies:
        total.update({k: int(v) for k, v in tally.items()})
    return total


@dataclass(frozen=True)
class RowResult:
    n: int
    mean: float | None
    counts: dict[str, int]


@dataclass(frozen=True)
class QuestionResult:
    id: str
    type: QuestionType
    text: str
    n: int
    counts: dict[str, int]
    mean: float | None = None
    nps: float | None = None
    rows: dict[str, RowResult] = field(default_factory=dict)


@dataclass(frozen=True)
class Results:
    responses: int
    questions: list[QuestionResult]
    dimensions: dict[str, float]


def _mean(total: int, n: int) -> float | None:
    return round(total / n, 4) if n else None


def nps(counts: Mapping[str, int]) -> float | None:
    """% promoters (9-10) minus % detractors (0-6), on -100...100; None without answers."""
    n = sum(counts.values())
    if not n:
        return None
    promoters = sum(counts.get(str(s), 0) for s in (9, 10))
    detractors = sum(counts.get(str(s), 0) for s in range(7))
    return round(100 * (promoters - detractors) / n, 2)


def _answer_keys(q: Question) -> list[str]:
    if q.type is QuestionType.rating5:
        return [str(level) for level in range(5, 0, -1)]
    if q.type is QuestionType.nps:
        return [str(s) for s in range(11)]
    return [o.key for o in q.options]


def results(questionnaire: Questionnaire, tally: Mapping[str, int]) -> Results:
    """The results the counters in ``tally`` (one or several added) mean for these questions."""
    pooled: dict[str, list[int]] = {}  # dimension -> [sum, n]

    def pool(dimension: str | None, total: int, n: int) -> None:
        if dimension and n:
            acc = pooled.setdefault(dimension, [0, 0])
            acc[0] += total
            acc[1] += n

    out: list[QuestionResult] = []
    for q in questionnaire.questions:
        n = tally.get(f"{q.id}.n", 0)
        counts = {key: tally.get(f"{q.id}.c.{key}", 0) for key in _answer_keys(q)}
        if q.type is QuestionType.matrix5:
            rows: dict[str, RowResult] = {}
            for row in q.rows:
                row_n, row_sum = tally.get(f"{q.id}.r.{row.key}.n", 0), tally.get(f"{q.id}.r.{row.key}.sum", 0)
                levels = {str(lv): tally.get(f"{q.id}.r.{row.key}.c.{lv}", 0) for lv in range(5, 0, -1)}
                rows[row.key] = RowResult(row_n, _mean(row_sum, row_n), levels)
                pool(row.dimension or q.dimension, row_sum, row_n)
            out.append(QuestionResult(q.id, q.type, q.text, n, {}, rows=rows))
        elif q.type is QuestionType.rating5:
            total = tally.get(f"{q.id}.sum", 0)
            scored = sum(counts.values())
            pool(q.dimension, total, scored)
            out.append(QuestionResult(q.id, q.type, q.text, n, counts, mean=_mean(total, scored)))
        elif q.type is QuestionType.nps:
            total = tally.get(f"{q.id}.sum", 0)
            out.append(
                QuestionResult(
                    q.id, q.type, q.text, n, counts, mean=_mean(total, sum(counts.values())), nps=nps(counts)
                )
            )
        elif q.type is QuestionType.text:
            out.append(QuestionResult(q.id, q.type, q.text, n, {}))
        else:
            out.append(QuestionResult(q.id, q.type, q.text, n, counts))
    dimensions = {name: round(total / n, 4) for name, (total, n) in pooled.items()}
    return Results(tally.get(RESPONSES, 0), out, dimensions)
