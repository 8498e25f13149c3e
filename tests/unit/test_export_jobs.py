"""Export jobs with in-memory fakes: asking checks the report's rules at once, a run writes
every row as it reads it and settles the job, refusals fail it with their reason, storage
trouble leaves it for the sweep, and XLSX cells are typed as a spreadsheet needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import exports as rules
from chalicelib.domain.accounts import Role, User, UserPrincipal
from chalicelib.domain.csv_export import Cell, Lang
from chalicelib.domain.errors import Forbidden, InvalidInput, StorageBusy
from chalicelib.domain.export_rows import RowSource
from chalicelib.domain.exports import ExportFormat, ExportStatus, xlsx_cell
from chalicelib.services import export_jobs
from chalicelib.services.export_jobs import ExportPorts, ReportRows
from tests.fakes.clock import FixedClock
from tests.fakes.exports import InMemoryExportJobs, MemoryExportFiles
from tests.fakes.organisation import InMemoryUserRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)


class Numbers:
    """A report of ``n`` rows, read as iterated; ``fail_at`` raises there."""

    def __init__(self, n: int, fail_at: int | None = None, error: Exception | None = None) -> None:
        self.n, self.fail_at, self.error = n, fail_at, error
        self.read = 0

    def check(self, actor: UserPrincipal, params: Mapping[str, str]) -> None:
        if "month" not in params:
            raise InvalidInput("A month is required.", {"month": "a month such as 2026-11"})
        actor.require_role(Role.admin)

    def tallied_rows(self, actor: UserPrincipal, params: Mapping[str, str], past: int) -> int | None:
        return None

    def open(self, actor: UserPrincipal, params: Mapping[str, str], lang: Lang, position: str | None) -> ReportRows:
        def rows() -> Iterator[dict[str, Cell]]:
            for i in range(self.n):
                if i == self.fail_at and self.error is not None:
                    raise self.error
                self.read += 1
                yield {"staff_no": f"{i:05d}", "total": i}

        return ReportRows(("staff_no", "total"), RowSource.whole(rows, position), "数字")


@pytest.fixture
def ports() -> ExportPorts:
    users = InMemoryUserRepository()
    users.add_user(
        User(username="root", password_hash="x", role=Role.admin, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    return ExportPorts(jobs=InMemoryExportJobs(), files=MemoryExportFiles(), users=users, clock=FixedClock())


def ask(ports: ExportPorts, report: Numbers, fmt: ExportFormat = ExportFormat.csv) -> str:
    job = export_jobs.request_export(
        ADMIN, ports, {"numbers": report}, report="numbers", fmt=fmt, params={"month": "2026-11"}, lang="zh"
    )
    return job.id


def test_a_run_writes_every_row_reporting_progress_and_settles_done(ports: ExportPorts, monkeypatch):
    monkeypatch.setattr(export_jobs, "HEARTBEAT_ROWS", 100)
    report = Numbers(1050)
    job_id = ask(ports, report)
    beats: list[int] = []
    progress = ports.jobs.progress
    monkeypatch.setattr(
        ports.jobs,
        "progress",
        lambda job, rows, now, checkpoint=None: (beats.append(rows), progress(job, rows, now, checkpoint)),
    )
    done = export_jobs.run_export(ports, {"numbers": report}, job_id)
    assert done is not None and done.status is ExportStatus.done and done.rows == 1050
    assert beats == [*range(100, 1001, 100), 1050]  # the last: every row kept
    assert done.file_name == "数字.csv" and done.expires_at == ports.clock.now() + timedelta(days=7)
    assert ports.files.kept[job_id][0] == {"staff_no": "00000", "total": 0}  # type: ignore[attr-defined]
    assert export_jobs.run_export(ports, {"numbers": report}, job_id) is None  # done: a repeat runs nothing


def test_asking_refuses_what_the_report_refuses_and_stores_nothing(ports: ExportPorts):
    with pytest.raises(InvalidInput) as bad:
        export_jobs.request_export(
            ADMIN, ports, {"numbers": Numbers(1)}, report="numbers", fmt=ExportFormat.csv, params={}, lang="zh"
        )
    assert "month" in bad.value.fields
    with pytest.raises(InvalidInput) as unknown:
        export_jobs.request_export(
            ADMIN, ports, {"numbers": Numbers(1)}, report="nope", fmt=ExportFormat.csv, params={}, lang="zh"
        )
    assert "report" in unknown.value.fields
    manager = UserPrincipal(username="mgr", role=Role.manager, halls=frozenset({"A01"}))
    with pytest.raises(Forbidden):
        export_jobs.request_export(
            manager, ports, {"numbers": Numbers(1)}, report="numbers", fmt=ExportFormat.csv,
            params={"month": "2026-11"}, lang="zh",
        )  # fmt: skip
    assert ports.jobs.active() == []


def test_a_refusal_midway_fails_the_job_with_its_reason_and_keeps_no_file(ports: ExportPorts):
    report = Numbers(10, fail_at=5, error=Forbidden("Hall A01 is not one of yours."))
    job_id = ask(ports, report)
    failed = export_jobs.run_export(ports, {"numbers": report}, job_id)
    assert failed is not None and failed.status is ExportStatus.failed and "A01" in (failed.error or "")
    assert ports.files.discarded == [job_id]  # type: ignore[attr-defined]


def test_storage_trouble_leaves_the_job_running_for_the_sweep(ports: ExportPorts):
    report = Numbers(10, fail_at=5, error=StorageBusy())
    job_id = ask(ports, report)
    with pytest.raises(StorageBusy):
        export_jobs.run_export(ports, {"numbers": report}, job_id)
    assert ports.jobs.get(job_id).status is ExportStatus.running  # type: ignore[union-attr]
    ports.clock.advance(minutes=3)  # type: ignore[attr-defined]
    assert export_jobs.sweep(ports) == 1
    again = export_jobs.run_export(ports, {"numbers": Numbers(10)}, job_id)
    assert again is not None and again.status is ExportStatus.done and again.attempts == 2


def test_a_user_deactivated_before_the_run_gets_nothing(ports: ExportPorts):
    job_id = ask(ports, Numbers(3))
    root = ports.users.get_user("root")
    ports.users.users["root"] = root.model_copy(update={"active": False})  # type: ignore[attr-defined,union-attr]
    failed = export_jobs.run_export(ports, {"numbers": Numbers(3)}, job_id)
    assert failed is not None and failed.status is ExportStatus.failed


def test_xlsx_past_its_cap_fails_naming_format(ports: ExportPorts, monkeypatch):
    monkeypatch.setattr(export_jobs, "XLSX_MAX_ROWS", 5)
    job_id = ask(ports, Numbers(6), ExportFormat.xlsx)
    failed = export_jobs.run_export(ports, {"numbers": Numbers(6)}, job_id)
    assert failed is not None and failed.status is ExportStatus.failed and "CSV" in (failed.error or "")


def test_xlsx_cells_keep_codes_text_numbers_numbers_and_times_dates():
    assert xlsx_cell("staff_no", "00123", "zh") == ("text", "00123")
    assert xlsx_cell("hall_code", 123, "zh") == ("text", "123")
    assert xlsx_cell("level", 5, "zh") == ("number", 5)
    assert xlsx_cell("satisfaction_rate", "0.9500", "zh") == ("decimal", 0.95)
    assert xlsx_cell("satisfaction_rate", "", "zh") == ("blank", None)
    assert xlsx_cell("rated_at", "2026-11-24 10:12:03", "zh") == ("time", datetime(2026, 11, 24, 10, 12, 3))
    assert xlsx_cell("comment", "=1+1", "zh") == ("text", "'=1+1")
    assert xlsx_cell("covered", True, "zh") == ("text", "是")
    assert xlsx_cell("covered", True, "en") == ("text", "true")
    assert rules.content_type(ExportFormat.xlsx).endswith("spreadsheetml.sheet")
