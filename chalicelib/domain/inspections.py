"""Inspections (明察暗访, SPEC §3.3): one window, and the clerk on shift there, scored on one
checklist version.

Score = 100 × points of the items passed ÷ points of the items checked; an
item left out was not checked. Each failed item carries a note. A counted
inspection feeds two month tallies in the same transaction as itself: the
clerk's (``inspection``: count, score sum, points per section) and the hall's
(``hall_inspections``). Voiding it, or upholding a clerk's appeal of it, takes
it out of both, atomically; the inspection stays on record.
"""

from __future__ import annotations

import collections
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .business_time import SHANGHAI
from .checklists import Checklist
from .csv_export import Cell, key_cell
from .errors import Conflict, Forbidden, InvalidInput, Reason
from .labels import INSPECTION_MODE
from .stats import StatKey, StatKind

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Reasoning = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]

# An inspector voids their own inspection within this long of recording it; admins any time.
OWN_VOID_WINDOW = timedelta(hours=24)
# How far back an inspection may be dated (a video review comes later), and ahead (clock skew).
MAX_AGE = timedelta(days=92)
MAX_AHEAD = timedelta(minutes=5)
# Scores are summed in hundredths of a point, so the tallies stay integers.
SCORE_SCALE = 100


class Mode(StrEnum):
    open = "open"  # 明查
    undercover = "undercover"  # 暗访
    video = "video"  # 视频检查


class Status(StrEnum):
    counted = "counted"
    voided = "voided"  # 作废
    appeal_upheld = "appeal_upheld"  # 申诉核准


class AppealStatus(StrEnum):
    pending = "pending"
    upheld = "upheld"
    rejected = "rejected"


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    item: str
    passed: bool
    note: Note = ""


class Appeal(BaseModel):
    """A clerk's appeal of an inspection (lodged for them by a manager), decided by someone else."""

    model_config = ConfigDict(frozen=True)

    note: Note = ""
    appellant: str
    lodged_at: datetime
    status: AppealStatus = AppealStatus.pending
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: Note = ""


class Inspection(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hall_code: str
    counter: int
    staff_no: str
    checklist: str
    version: int
    mode: Mode
    inspected_at: datetime
    findings: tuple[Finding, ...]
    points_passed: int
    points_checked: int
    score: float  # 0-100, two decimals
    sections: dict[str, tuple[int, int]] = Field(default_factory=dict)  # section key -> (passed, checked) points
    inspector: str
    created_at: datetime
    status: Status = Status.counted
    void_reason: Note = ""
    voided_by: str | None = None
    voided_at: datetime | None = None
    appeal: Appeal | None = None
    revision: int = 0  # one more on every change: two changes of one inspection cannot both win

    @property
    def month(self) -> str:
        return self.inspected_at.astimezone(SHANGHAI).strftime("%Y-%m")

    @property
    def counted(self) -> bool:
        return self.status is Status.counted

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.passed)


def inspected_at_problem(at: datetime, now: datetime) -> str | None:
    if at.tzinfo is None:
        return "a time with an offset"
    if at > now + MAX_AHEAD:
        return "not in the future"
    if at < now - MAX_AGE:
        return f"at most {MAX_AGE.days} days ago"
    return None


def score_findings(checklist: Checklist, findings: tuple[Finding, ...]) -> dict[str, object]:
    """The score fields of an inspection of ``checklist``; InvalidInput naming the finding at fault."""
    if not findings:
        raise InvalidInput(
            "An inspection needs findings.", {"findings": "at least one checked item"}, reason=Reason("no_findings")
        )
    problems: dict[str, str] = {}
    seen: set[str] = set()
    reasons: dict[str, Reason] = {}
    sections: dict[str, list[int]] = {}
    passed = checked = 0
    for i, finding in enumerate(findings):
        found = checklist.item(finding.item)
        if found is None:
            problems[f"findings.{i}.item"] = f"no item {finding.item} in {checklist.code} version {checklist.version}"
            continue
        if finding.item in seen:
            problems[f"findings.{i}.item"] = "given twice"
            continue
        seen.add(finding.item)
        if not finding.passed and not finding.note:
            problems[f"findings.{i}.note"] = "a failed item needs a note"
            reasons[f"findings.{i}.note"] = Reason("failed_item_note")
        section, item = found
        totals = sections.setdefault(section.key, [0, 0])
        totals[1] += item.points
        checked += item.points
        if finding.passed:
            totals[0] += item.points
            passed += item.points
    if problems:
        raise InvalidInput("Some findings are not right.", problems, reasons=reasons)
    return {
        "points_passed": passed,
        "points_checked": checked,
        "score": round(100 * passed / checked, 2),
        "sections": {k: (v[0], v[1]) for k, v in sections.items()},
    }


def tallies(inspection: Inspection, sign: int = 1) -> dict[StatKey, collections.Counter[str]]:
    """What a counted inspection adds to its month's tallies (``sign=-1``: what leaving takes away)."""
    clerk: collections.Counter[str] = collections.Counter(
        inspections=sign, score_sum=sign * round(inspection.score * SCORE_SCALE)
    )
    for key, (passed, checked) in inspection.sections.items():
        clerk[f"passed_{key}"] = sign * passed
        clerk[f"checked_{key}"] = sign * checked
    hall: collections.Counter[str] = collections.Counter(
        {
            "inspections": sign,
            "score_sum": sign * round(inspection.score * SCORE_SCALE),
            f"mode_{inspection.mode.value}": sign,
        }
    )
    month = inspection.month
    return {
        StatKey(inspection.hall_code, month, StatKind.inspection, inspection.staff_no, None): clerk,
        StatKey(inspection.hall_code, month, StatKind.hall_inspections, "", None): hall,
    }


def void(inspection: Inspection, reason: str, by: str, may_void_any: bool, at: datetime) -> Inspection:
    """Void (admins any time; its inspector within 24 hours of recording it)."""
    if inspection.status is Status.voided:
        raise Conflict("The inspection is void already.", reason=Reason("inspection_void"))
    if not may_void_any:
        if inspection.inspector != by:
            raise Forbidden("Only its inspector or an admin voids an inspection.")
        if at - inspection.created_at > OWN_VOID_WINDOW:
            raise Forbidden("An inspector voids their inspection within 24 hours; ask an admin.")
    return inspection.model_copy(
        update={"status": Status.voided, "void_reason": reason, "voided_by": by, "voided_at": at}
    )


def lodge_appeal(inspection: Inspection, note: str, by: str, at: datetime) -> Inspection:
    if inspection.appeal is not None:
        raise Conflict("This inspection has been appealed already.", reason=Reason("appealed_already"))
    if not inspection.counted:
        raise Conflict("This inspection already counts in no score.", reason=Reason("not_scored"))
    return inspection.model_copy(update={"appeal": Appeal(note=note, appellant=by, lodged_at=at)})


def decide_appeal(inspection: Inspection, upheld: bool, note: str, by: str, at: datetime) -> Inspection:
    appeal = inspection.appeal
    if appeal is None:
        raise Conflict("This inspection has not been appealed.", reason=Reason("not_appealed"))
    if appeal.status is not AppealStatus.pending:
        raise Conflict(f"The appeal was {appeal.status.value} already.", reason=Reason("appeal_decided"))
    if by == appeal.appellant:
        raise Forbidden(
            "An appeal is decided by someone other than the person who lodged it.", reason=Reason("own_appeal")
        )
    decided = appeal.model_copy(
        update={
            "status": AppealStatus.upheld if upheld else AppealStatus.rejected,
            "decided_by": by,
            "decided_at": at,
            "decision_note": note,
        }
    )
    update: dict[str, object] = {"appeal": decided}
    if upheld and inspection.counted:
        update["status"] = Status.appeal_upheld
    return inspection.model_copy(update=update)


# SPEC §4.4 inspections.csv: the columns are a contract; extend, never change.
INSPECTION_COLUMNS = (
    "inspected_at",
    "hall_code",
    "counter",
    "staff_no",
    "mode",
    "checklist",
    "version",
    "score",
    "failed_items",
    "inspector",
)


def csv_row(inspection: Inspection, lang: str) -> dict[str, Cell]:
    """One inspection as a row: Asia/Shanghai time, the failed items as ``key: note`` joined by ``; ``."""
    return {
        "inspected_at": inspection.inspected_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        "hall_code": inspection.hall_code,
        "counter": inspection.counter,
        "staff_no": inspection.staff_no,
        "mode": key_cell(INSPECTION_MODE, inspection.mode.value, lang),
        "checklist": inspection.checklist,
        "version": inspection.version,
        "score": inspection.score,
        "failed_items": "; ".join(f"{f.item}: {f.note}" for f in inspection.failed),
        "inspector": inspection.inspector,
    }
