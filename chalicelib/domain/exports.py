"""Export jobs (SPEC §4.10): a report of any range and scope, written in the
background as CSV or XLSX, kept 7 days and fetched through a short-lived link.

A job is ``queued`` when asked for, ``running`` while one function run writes
it (``rows`` grows, ``heartbeat_at`` moves), then ``done`` or ``failed``. A run
that stops midway (a time-out, a crash) leaves the heartbeat behind: the
sweep queues the job again, and after ``MAX_ATTEMPTS`` runs fails it, saying
why. Nothing is ever left ``running``.

The XLSX cells: codes, 工号 and ids are text (``00123`` stays ``00123``),
counts and rates numbers, times real dates; text is neutralised like the
CSV's (``csv_export.cell``) and never written as a formula.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .csv_export import Cell, Lang
from .csv_export import cell as csv_cell

FILE_DAYS = 7  # a finished file is kept this long (the bucket's lifecycle rule says the same)
LINK_SECONDS = 15 * 60  # a download link works this long
MAX_ATTEMPTS = 3  # runs of one job before an interruption fails it
STALE_AFTER = timedelta(minutes=2)  # a running job whose heartbeat is older was interrupted
HEARTBEAT_ROWS = 2_000  # rows between progress writes (and at least every HEARTBEAT_SECONDS)
HEARTBEAT_SECONDS = 10.0
XLSX_SHEET_ROWS = 1_048_576  # XLSX's rows a sheet, the header included: a larger export continues on more sheets
XLSX_MAX_ROWS = 5_000_000  # past this an XLSX file is refused (CSV has no cap)


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class ExportJob(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    report: str
    format: ExportFormat
    params: dict[str, str]
    lang: Lang
    requested_by: str
    status: ExportStatus = ExportStatus.queued
    rows: int = 0
    bytes: int = 0
    attempts: int = 0
    created_at: datetime
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = None  # when the file goes (done jobs)
    file_name: str | None = None  # what the download is called, e.g. 评价明细-20260101-20261231-all.xlsx
    error: str | None = None

    @property
    def active(self) -> bool:
        return self.status in (ExportStatus.queued, ExportStatus.running)

    def interrupted(self, now: datetime) -> bool:
        """Running, and no sign of life for ``STALE_AFTER``: its run stopped midway."""
        seen = self.heartbeat_at or self.created_at
        return self.status is ExportStatus.running and now - seen > STALE_AFTER

    def file_ready(self, now: datetime) -> bool:
        return self.status is ExportStatus.done and self.expires_at is not None and now < self.expires_at


def file_name(stem: str, fmt: ExportFormat) -> str:
    return f"{stem}.{fmt.value}"


def content_type(fmt: ExportFormat) -> str:
    if fmt is ExportFormat.xlsx:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "text/csv; charset=utf-8"


# ---- XLSX cells -------------------------------------------------------------
# Columns written as text whatever they look like: codes, numbers that are
# names (工号, ids, ticket numbers), and months and quarters (never dates).
TEXT_COLUMNS = frozenset(
    {
        "month",
        "quarter",
        "branch",
        "hall_code",
        "hall",
        "staff_no",
        "name",
        "id",
        "ticket_no",
        "response_id",
        "account_no",
        "phone",
        "comment",
    }
)
# Columns holding local times (Asia/Shanghai, as the CSV prints them): written as dates.
TIME_COLUMNS = frozenset(
    {
        "rated_at",
        "created_at",
        "due_at",
        "answered_at",
        "closed_at",
        "inspected_at",
        "submitted_at",
        "published_at",
    }
)
# Rates and means the CSV prints with 4 decimals: written as numbers shown with 4 decimals.
DECIMAL_COLUMNS = frozenset(
    {"satisfaction_rate", "rate_lower_bound", "mean_score", "unrated_rate", "inspection_score", "score"}
)

XlsxKind = Literal["blank", "text", "number", "decimal", "time"]
XlsxCell = tuple[XlsxKind, str | int | float | datetime | None]

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S%z")


def _time(text: str) -> datetime | None:
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def xlsx_cell(column: str, value: Cell, lang: Lang) -> XlsxCell:
    """How one value of a report row is written into an XLSX cell."""
    if value is None or value == "":
        return ("blank", None)
    if column in TEXT_COLUMNS:
        return ("text", str(csv_cell(str(value), lang)))
    if isinstance(value, bool):
        return ("text", str(csv_cell(value, lang)))
    if isinstance(value, int | float):
        return ("decimal" if column in DECIMAL_COLUMNS else "number", value)
    if column in DECIMAL_COLUMNS:
        try:
            return ("decimal", float(value))
        except ValueError:
            pass
    if column in TIME_COLUMNS:
        at = _time(value)
        if at is not None:
            return ("time", at)
    return ("text", str(csv_cell(value, lang)))
