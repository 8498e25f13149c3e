"""Star ratings (星级, SPEC §3.3): per clerk per quarter, 服务之星 and 业务之星 (levels 0-5), each
with the figures and the rule lines that gave it.

A rule set is versioned; admins change its thresholds by adding a version.
Levels are tested from 5 down; a clerk gets the highest level all of whose
tests pass, then the caps apply:

- 服务之星, at level L: the Wilson lower bound (z = 1.96) of the quarter's 满意率
  ≥ the level's bound, 差评 ≤ its maximum, and the mean inspection score ≥ its
  minimum. A clerk without a counted inspection in the quarter skips the
  inspection test but reaches at most ``uninspected_cap``; any verified
  complaint caps the level at ``complaint_cap``.
- 业务之星, at level L: rated visits (scored ratings) ≥ the level's volume and the
  score of the business sections (``business_sections``, by default 业务受理 and
  收费服务: 100 × points passed ÷ points checked over the quarter's inspections)
  ≥ its minimum; without checked points in those sections, at most ``uninspected_cap``.

Verified complaints are the complaint and report work orders closed as verified
(属实) against a clerk (SPEC §3.2), and the complaint callback tasks closed as
upheld against a clerk (``services.stars.verified_complaints`` is the one place
that reads them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .checklists import Key
from .inspections import SCORE_SCALE
from .labels import STAR, label
from .ranking import wilson_lower_bound
from .stats import Tally

LEVELS = (1, 2, 3, 4, 5)
Level = Annotated[int, Field(ge=0, le=5)]
Share = Annotated[float, Field(ge=0, le=1)]
Score = Annotated[float, Field(ge=0, le=100)]


class Star(StrEnum):
    service = "service"  # 服务之星
    business = "business"  # 业务之星


class ServiceLevel(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: Annotated[int, Field(ge=1, le=5)]
    min_rate_lower_bound: Share
    min_inspection_score: Score
    max_bad_ratings: Annotated[int, Field(ge=0, le=100_000)]


class BusinessLevel(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: Annotated[int, Field(ge=1, le=5)]
    min_ratings: Annotated[int, Field(ge=0, le=1_000_000)]
    min_section_score: Score


class Thresholds(BaseModel):
    """What an admin sets: one line per level of each star, the caps and the business sections."""

    model_config = ConfigDict(frozen=True)

    service: tuple[ServiceLevel, ...] = Field(min_length=5, max_length=5)
    business: tuple[BusinessLevel, ...] = Field(min_length=5, max_length=5)
    complaint_cap: Level = 2
    uninspected_cap: Level = 3
    business_sections: tuple[Key, ...] = Field(default=("acceptance", "charging"), min_length=1, max_length=10)

    @model_validator(mode="after")
    def _one_line_per_level_and_harder_upwards(self) -> Thresholds:
        for lines in (self.service, self.business):
            if tuple(line.level for line in lines) != LEVELS:
                raise ValueError("one line per level, 1 to 5 in order")
        for low, high in zip(self.service, self.service[1:], strict=False):
            if (
                high.min_rate_lower_bound < low.min_rate_lower_bound
                or high.min_inspection_score < low.min_inspection_score
                or high.max_bad_ratings > low.max_bad_ratings
            ):
                raise ValueError(f"服务之星 level {high.level} must be at least as hard as level {low.level}")
        for blow, bhigh in zip(self.business, self.business[1:], strict=False):
            if bhigh.min_ratings < blow.min_ratings or bhigh.min_section_score < blow.min_section_score:
                raise ValueError(f"业务之星 level {bhigh.level} must be at least as hard as level {blow.level}")
        return self


class RuleSet(Thresholds):
    """One version of the rules."""

    version: int = Field(ge=1)
    created_at: datetime
    created_by: str


DEFAULT_THRESHOLDS = Thresholds(
    service=(
        ServiceLevel(level=1, min_rate_lower_bound=0.60, min_inspection_score=60, max_bad_ratings=12),
        ServiceLevel(level=2, min_rate_lower_bound=0.70, min_inspection_score=70, max_bad_ratings=8),
        ServiceLevel(level=3, min_rate_lower_bound=0.80, min_inspection_score=80, max_bad_ratings=5),
        ServiceLevel(level=4, min_rate_lower_bound=0.88, min_inspection_score=88, max_bad_ratings=3),
        ServiceLevel(level=5, min_rate_lower_bound=0.93, min_inspection_score=95, max_bad_ratings=1),
    ),
    business=(
        BusinessLevel(level=1, min_ratings=50, min_section_score=60),
        BusinessLevel(level=2, min_ratings=150, min_section_score=70),
        BusinessLevel(level=3, min_ratings=300, min_section_score=80),
        BusinessLevel(level=4, min_ratings=500, min_section_score=90),
        BusinessLevel(level=5, min_ratings=800, min_section_score=95),
    ),
)
# Version 1, in force until an admin adds one.
DEFAULT_RULES = RuleSet(
    **DEFAULT_THRESHOLDS.model_dump(), version=1, created_at=datetime(2026, 1, 1, tzinfo=UTC), created_by="system"
)


class Figures(BaseModel):
    """What the stars of one clerk-quarter are computed from, all read from tallies."""

    model_config = ConfigDict(frozen=True)

    ratings: int = 0  # scored ratings (rated visits)
    satisfied: int = 0  # levels 4-5
    bad_ratings: int = 0  # 差评: levels 1-2
    inspections: int = 0  # counted inspections
    score_sum: int = 0  # their scores, in hundredths
    section_passed: int = 0  # points passed in the business sections
    section_checked: int = 0  # points checked in the business sections
    verified_complaints: int = 0

    @property
    def rate_lower_bound(self) -> float | None:
        return wilson_lower_bound(self.satisfied, self.ratings) if self.ratings else None

    @property
    def inspection_score(self) -> float | None:
        return round(self.score_sum / SCORE_SCALE / self.inspections, 2) if self.inspections else None

    @property
    def section_score(self) -> float | None:
        return round(100 * self.section_passed / self.section_checked, 2) if self.section_checked else None


def figures_of(
    tally: Tally, inspection: Mapping[str, int], complaints: int, business_sections: tuple[str, ...]
) -> Figures:
    """A clerk-quarter's figures from their summed rating tally, summed inspection tally and complaints."""
    return Figures(
        ratings=tally.n,
        satisfied=tally.satisfied,
        bad_ratings=tally.bad,
        inspections=int(inspection.get("inspections", 0)),
        score_sum=int(inspection.get("score_sum", 0)),
        section_passed=sum(int(inspection.get(f"passed_{k}", 0)) for k in business_sections),
        section_checked=sum(int(inspection.get(f"checked_{k}", 0)) for k in business_sections),
        verified_complaints=complaints,
    )


Test = Literal[
    "rate_lower_bound", "inspection_score", "bad_ratings", "ratings", "section_score", "uninspected", "complaints"
]


class RuleLine(BaseModel):
    """One test of one level, or a cap: what was compared with what, and whether it held."""

    model_config = ConfigDict(frozen=True)

    star: Star
    level: int
    test: Test
    actual: float | None
    op: Literal[">=", "<=", "cap"]
    threshold: float
    passed: bool


class StarResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    service_star: Level
    business_star: Level
    lines: tuple[RuleLine, ...]


def _at_least(star: Star, level: int, test: Test, actual: float | None, threshold: float) -> RuleLine:
    return RuleLine(
        star=star,
        level=level,
        test=test,
        actual=actual,
        op=">=",
        threshold=threshold,
        passed=actual is not None and actual >= threshold,
    )


def _service_tests(f: Figures, line: ServiceLevel) -> list[RuleLine]:
    tests = [
        _at_least(Star.service, line.level, "rate_lower_bound", f.rate_lower_bound, line.min_rate_lower_bound),
        RuleLine(
            star=Star.service,
            level=line.level,
            test="bad_ratings",
            actual=f.bad_ratings,
            op="<=",
            threshold=line.max_bad_ratings,
            passed=f.bad_ratings <= line.max_bad_ratings,
        ),
    ]
    if f.inspections:
        tests.append(
            _at_least(Star.service, line.level, "inspection_score", f.inspection_score, line.min_inspection_score)
        )
    return tests


def _business_tests(f: Figures, line: BusinessLevel) -> list[RuleLine]:
    tests = [_at_least(Star.business, line.level, "ratings", f.ratings, line.min_ratings)]
    if f.section_checked:
        tests.append(_at_least(Star.business, line.level, "section_score", f.section_score, line.min_section_score))
    return tests


@dataclass(frozen=True)
class _Reached:
    level: int
    lines: list[RuleLine]


def _highest[L: (ServiceLevel, BusinessLevel)](levels: tuple[L, ...], tests: list[list[RuleLine]]) -> _Reached:
    """The highest level whose tests all pass; the lines shown are that level's and the next one's."""
    reached = 0
    for line, results in zip(levels, tests, strict=True):
        if all(r.passed for r in results):
            reached = max(reached, line.level)
    shown = [r for results in tests for r in results if r.level in (reached, reached + 1)]
    return _Reached(reached, shown)


def _cap(star: Star, level: int, test: Test, actual: float, cap: int, applies: bool) -> tuple[int, list[RuleLine]]:
    if not applies:
        return level, []
    line = RuleLine(star=star, level=min(level, cap), test=test, actual=actual, op="cap", threshold=cap, passed=False)
    return min(level, cap), [line]


def stars(rules: Thresholds, f: Figures) -> StarResult:
    service = _highest(rules.service, [_service_tests(f, line) for line in rules.service])
    level, lines = service.level, list(service.lines)
    level, more = _cap(Star.service, level, "uninspected", 0, rules.uninspected_cap, not f.inspections)
    lines += more
    level, more = _cap(
        Star.service, level, "complaints", f.verified_complaints, rules.complaint_cap, f.verified_complaints > 0
    )
    lines += more
    business = _highest(rules.business, [_business_tests(f, line) for line in rules.business])
    blevel, blines = business.level, list(business.lines)
    blevel, more = _cap(Star.business, blevel, "uninspected", 0, rules.uninspected_cap, not f.section_checked)
    blines += more
    return StarResult(service_star=level, business_star=blevel, lines=(*lines, *blines))


# ---- how a line reads -----------------------------------------------------------------
TEST_LABELS: dict[str, tuple[str, str]] = {
    "rate_lower_bound": ("满意率置信下限", "rate lower bound"),
    "inspection_score": ("检查平均分", "mean inspection score"),
    "bad_ratings": ("差评", "bad ratings"),
    "ratings": ("评价数", "rated visits"),
    "section_score": ("业务受理/收费服务得分", "acceptance and payment sections score"),
    "uninspected": ("本季度未经检查", "not inspected this quarter"),
    "complaints": ("属实投诉", "verified complaints"),
}


def _number(value: float | None, test: str) -> str:
    if value is None:
        return "—"
    if test == "rate_lower_bound":
        return f"{value:.4f}"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def line_text(line: RuleLine, lang: str = "zh") -> str:
    zh = lang != "en"
    name = TEST_LABELS[line.test][0 if zh else 1]
    star = label(STAR, line.star, "zh" if zh else "en")
    if line.op == "cap":
        count = f" {_number(line.actual, line.test)}" if line.test == "complaints" else ""
        return f"{star}: {name}{count}, {'最高' if zh else 'at most'} {int(line.threshold)}"
    mark = "✓" if line.passed else "✗"
    return (
        f"{star}{line.level}: {name} {_number(line.actual, line.test)} {line.op} "
        f"{_number(line.threshold, line.test)} {mark}"
    )


def basis(result: StarResult, lang: str = "zh") -> str:
    """The rule lines as one cell (stars.csv ``basis``)."""
    return "; ".join(line_text(line, lang) for line in result.lines)


# ---- a quarter's board, and its published versions ---------------------------------
class StarRow(BaseModel):
    """One clerk's stars of a quarter at one hall."""

    model_config = ConfigDict(frozen=True)

    quarter: str
    branch: str
    hall_code: str
    hall: str
    staff_no: str
    name: str
    figures: Figures
    result: StarResult

    def csv_row(self, lang: str) -> dict[str, str | int | float | None]:
        f = self.figures
        return {
            "quarter": self.quarter,
            "branch": self.branch,
            "hall_code": self.hall_code,
            "staff_no": self.staff_no,
            "name": self.name,
            "service_star": self.result.service_star,
            "business_star": self.result.business_star,
            "rate_lower_bound": None if f.rate_lower_bound is None else round(f.rate_lower_bound, 4),
            "inspection_score": f.inspection_score,
            "bad_ratings": f.bad_ratings,
            "verified_complaints": f.verified_complaints,
            "ratings": f.ratings,
            "basis": basis(self.result, lang),
        }


# SPEC §4.4 stars.csv: the columns are a contract; extend, never change.
STAR_COLUMNS = (
    "quarter",
    "branch",
    "hall_code",
    "staff_no",
    "name",
    "service_star",
    "business_star",
    "rate_lower_bound",
    "inspection_score",
    "bad_ratings",
    "verified_complaints",
    "ratings",
    "basis",
)


class StarPublication(BaseModel):
    """Who published which version of a quarter's stars, when, under which rules."""

    model_config = ConfigDict(frozen=True)

    quarter: str
    version: int = Field(ge=1)
    published_at: datetime
    published_by: str
    rules_version: int


class StarSnapshot(StarPublication):
    rows: tuple[StarRow, ...]

    @property
    def publication(self) -> StarPublication:
        return StarPublication(**self.model_dump(include=set(StarPublication.model_fields)))
