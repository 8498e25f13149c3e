"""Export jobs (SPEC §4.10): a report of any range and scope, written in the
background as CSV or XLSX, kept 7 days and fetched through a short-lived link.

A job is ``queued`` when asked for, ``running`` while one function run writes
it (``rows`` grows, ``heartbeat_at`` moves), then ``done`` or ``failed``. A job
longer than one run continues in the next: at its heartbeats the run keeps on
the job a ``Checkpoint`` (the rows written, where the report's rows stopped,
and how far the file is kept), and a later run resumes from the last one, so
no row is lost or written twice. A run near its time limit stops at its last
checkpoint and queues the job again; a run that stops without a word (a
crash) leaves the heartbeat behind, and the sweep queues the job again. After
``MAX_STALLS`` runs in a row that kept nothing new the job fails, saying why.
Nothing is ever left ``running``.

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
MAX_STALLS = 3  # runs in a row that keep no new checkpoint before an interruption fails the job
STALE_AFTER = timedelta(minutes=2)  # a running job whose heartbeat is older was interrupted
UNCLAIMED_AFTER = timedelta(minutes=15)  # a queued job no run took by then is written again (its record lost)
HEARTBEAT_ROWS = 2_000  # rows between progress writes (and at least every HEARTBEAT_SECONDS)
HEARTBEAT_SECONDS = 10.0
XLSX_SHEET_ROWS = 1_048_576  # XLSX's rows a sheet, the header included: a larger export continues on more sheets
XLSX_MAX_ROWS = 5_000_000  # past this an XLSX file is refused (CSV has no cap)
RUN_BUDGET = timedelta(minutes=13)  # a run stops at a checkpoint after this (the export function's limit is 15)
# XLSX rows written a second from the kept rows, counted low (bench/export_resume.py measured 8,800 on one
# CPU): a run that has read every row writes the XLSX itself only if the time left allows; else the next does.
XLSX_ROWS_PER_SECOND = 5_000


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class FilePart(BaseModel):
    """One uploaded part of a file written in parts (S3's multipart upload)."""

    model_config = ConfigDict(frozen=True)

    number: int
    etag: str


class FileState(BaseModel):
    """How far a file being written is kept: what a later run appends to."""

    model_config = ConfigDict(frozen=True)

    bytes: int = 0  # kept so far: the local partial file's length, or the uploaded parts' total
    upload_id: str | None = None  # S3's multipart upload
    parts: tuple[FilePart, ...] = ()
    complete: bool = False  # every row is kept (an XLSX is then assembled from the kept rows)


class Checkpoint(BaseModel):
    """Where a later run resumes: the rows written, the report's position after the last of them
    (``None``: the start), and the file kept up to that row."""

    model_config = ConfigDict(frozen=True)

    rows: int = 0
    position: str | None = None
    file: FileState = FileState()


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
    checkpoint: Checkpoint | None = None  # where the next run resumes (None: from the start)
    started_rows: int = 0  # the checkpoint's rows when the current run claimed the job
    stalls: int = 0  # runs in a row that ended keeping no new checkpoint

    @property
    def kept_rows(self) -> int:
        return self.checkpoint.rows if self.checkpoint else 0

    def progressed(self) -> bool:
        """Did the current run keep a checkpoint beyond the one it resumed from?"""
        return self.kept_rows > self.started_rows

    def stopped(self, now: datetime) -> ExportJob:
        """The current run ended short of the file: queued again from its checkpoint, or, after
        ``MAX_STALLS`` runs in a row without progress, failed saying so."""
        stalls = 0 if self.progressed() else self.stalls + 1
        if stalls >= MAX_STALLS:
            error = f"The export was interrupted {stalls} times without progress; ask for a smaller one."
            return self.model_copy(
                update={
                    "status": ExportStatus.failed,
                    "stalls": stalls,
                    "finished_at": now,
                    "heartbeat_at": now,
                    "error": error,
                }
            )
        return self.model_copy(
            update={"status": ExportStatus.queued, "rows": self.kept_rows, "stalls": stalls, "heartbeat_at": now}
        )

    @property
    def active(self) -> bool:
        return self.status in (ExportStatus.queued, ExportStatus.running)

    def interrupted(self, now: datetime) -> bool:
        """Running, and no sign of life for ``STALE_AFTER``: its run stopped midway."""
        seen = self.heartbeat_at or self.created_at
        return self.status is ExportStatus.running and now - seen > STALE_AFTER

    def unclaimed(self, now: datetime) -> bool:
        """Queued, and no run has taken it for ``UNCLAIMED_AFTER`` (longer than a run): the record
        that should have started one never did."""
        seen = self.heartbeat_at or self.created_at
        return self.status is ExportStatus.queued and now - seen > UNCLAIMED_AFTER

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
