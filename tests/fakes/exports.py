"""In-memory export jobs, and a file store that keeps what was written in memory."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from chalicelib.domain.csv_export import Cell
from chalicelib.domain.errors import Conflict, InvalidInput, StorageBusy
from chalicelib.domain.exports import Checkpoint, ExportJob, ExportStatus, FileState
from chalicelib.domain.paging import Page


class InMemoryExportJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, ExportJob] = {}

    def add(self, job: ExportJob) -> None:
        if job.id in self.jobs:
            raise Conflict(f"Export {job.id} exists already.")
        self.jobs[job.id] = job

    def get(self, job_id: str) -> ExportJob | None:
        return self.jobs.get(job_id)

    def claim(self, job: ExportJob, now: datetime) -> ExportJob | None:
        stored = self.jobs.get(job.id)
        if stored is None or stored.status is not ExportStatus.queued or stored.attempts != job.attempts:
            return None
        kept = job.kept_rows
        claimed = job.model_copy(
            update={
                "status": ExportStatus.running,
                "attempts": job.attempts + 1,
                "rows": kept,
                "started_rows": kept,
                "heartbeat_at": now,
            }
        )
        self.jobs[job.id] = claimed
        return claimed

    def nudge(self, job: ExportJob, now: datetime) -> bool:
        stored = self.jobs.get(job.id)
        if stored is None or stored.status is not ExportStatus.queued or stored.attempts != job.attempts:
            return False
        self.jobs[job.id] = stored.model_copy(update={"heartbeat_at": now})
        return True

    def _owned(self, job: ExportJob) -> bool:
        stored = self.jobs.get(job.id)
        return stored is not None and stored.status is ExportStatus.running and stored.attempts == job.attempts

    def progress(self, job: ExportJob, rows: int, now: datetime, checkpoint: Checkpoint | None = None) -> None:
        if not self._owned(job):
            raise StorageBusy("The export was taken over by another run.")
        update: dict[str, object] = {"rows": rows, "heartbeat_at": now}
        if checkpoint is not None:
            update["checkpoint"] = checkpoint
        self.jobs[job.id] = self.jobs[job.id].model_copy(update=update)

    def settle(self, job: ExportJob) -> bool:
        if not self._owned(job):
            return False
        self.jobs[job.id] = job
        return True

    def by_requester(self, username: str, cursor: str | None, limit: int) -> Page[ExportJob]:
        keyed = {f"{j.created_at.isoformat()}#{j.id}": j for j in self.jobs.values() if j.requested_by == username}
        keys = sorted(keyed, reverse=True)
        if cursor is not None:
            if cursor not in keyed:
                raise InvalidInput("The cursor is not one this API gave out.", {"cursor": "invalid cursor"})
            keys = [k for k in keys if k < cursor]
        chosen = keys[:limit]
        return Page(items=[keyed[k] for k in chosen], next=chosen[-1] if len(keys) > limit else None)

    def active(self) -> list[ExportJob]:
        return sorted((j for j in self.jobs.values() if j.active), key=lambda j: (j.created_at, j.id))


class MemoryFile:
    """Rows kept in memory as a local file would keep them: every row written is kept at a checkpoint."""

    def __init__(
        self,
        files: MemoryExportFiles,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None,
        kept: FileState | None,
    ) -> None:
        self.files, self.job, self.columns, self.headers = files, job, tuple(columns), dict(headers or {})
        self.kept = kept
        self.rows: list[dict[str, Cell]] = list(files.partial.get(job.id, []))[: kept.bytes if kept else 0]

    def write(self, row: Mapping[str, Cell]) -> None:
        self.rows.append({c: row.get(c) for c in self.columns})

    def checkpoint(self) -> FileState:
        self.files.partial[self.job.id] = list(self.rows)
        return FileState(bytes=len(self.rows))  # rows stand for bytes here

    def finish(self) -> FileState:
        return self.checkpoint().model_copy(update={"complete": True})

    def close(self, alive: Callable[[], None]) -> int:
        alive()
        self.files.kept[self.job.id] = self.files.partial.pop(self.job.id, self.rows)
        return sum(len(str(v)) for r in self.files.kept[self.job.id] for v in r.values())

    def release(self) -> None:
        self.files.released.append(self.job.id)

    def discard(self) -> None:
        self.files.partial.pop(self.job.id, None)
        self.files.discarded.append(self.job.id)


class MemoryExportFiles:
    def __init__(self) -> None:
        self.kept: dict[str, list[dict[str, Cell]]] = {}
        self.partial: dict[str, list[dict[str, Cell]]] = {}
        self.discarded: list[str] = []
        self.released: list[str] = []
        self.expired_before: list[datetime] = []

    def open(
        self,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None = None,
        kept: FileState | None = None,
    ) -> MemoryFile:
        return MemoryFile(self, job, columns, headers, kept)

    def link(self, job: ExportJob, now: datetime) -> str:
        return f"memory://{job.id}"

    def fetch(self, job: ExportJob, expires: int, signature: str, now: datetime) -> Path | None:
        return None

    def expire(self, now: datetime) -> int:
        self.expired_before.append(now)
        return 0
