"""Where export files go: S3 in AWS (a presigned GET), the data directory locally
(a link to the app, signed and expiring).

A file is kept as it is written, so a later run can continue it (SPEC §4.10):
locally a partial file under ``<data dir>/exports/partial`` and its length; in
AWS an S3 multipart upload, its id and the parts' numbers and ETags, a part
uploaded whenever ``PART_BYTES`` are buffered (S3 wants at least 5 MiB a part
but the last). A CSV is kept as its own bytes; an XLSX as JSON lines of its
rows (``spreadsheets.SpoolLines``), written as XLSX once every row is kept. A
half-written file is never offered: the CSV is moved into place (locally) or
its upload completed (S3) only when done.

Files go after ``FILE_DAYS``: S3's lifecycle rule removes them (and abandoned
uploads); locally ``expire`` does, called by the export sweep.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.faults import storage_faults
from chalicelib.adapters.spreadsheets import CsvLines, SpoolLines, spooled_rows, write_xlsx
from chalicelib.domain.csv_export import Cell
from chalicelib.domain.errors import Conflict
from chalicelib.domain.exports import (
    FILE_DAYS,
    LINK_SECONDS,
    ExportFormat,
    ExportJob,
    FilePart,
    FileState,
    content_type,
    file_name,
)

ALIVE_ROWS = 2_000  # rows of an XLSX written between signs of life (the run's heartbeat)
PART_BYTES = 8 * 1024 * 1024  # an S3 part (5 MiB at least but the last; at most 10,000 parts: 80 GB)


def _object_name(job: ExportJob) -> str:
    return file_name(job.id, job.format)


def _kept_name(job: ExportJob) -> str:
    """What is kept while the job runs: the CSV itself, or an XLSX's rows as JSON lines."""
    return f"{job.id}.csv" if job.format is ExportFormat.csv else f"{job.id}.jsonl"


class _Kept(Protocol):
    """Bytes kept as they are appended, for a later run to continue."""

    def append(self, data: bytes) -> None: ...
    def keep(self) -> FileState | None: ...
    def finish(self) -> FileState: ...
    def release(self) -> None: ...
    def remove(self) -> None: ...


class _ExportFile:
    """One export file being written (``services.ports.ExportFile``): its lines go to ``kept``;
    ``place`` then offers it, writing the XLSX from the kept rows first."""

    def __init__(self, job: ExportJob, columns: Sequence[str], headers: Mapping[str, str] | None, kept: _Kept) -> None:
        self.job = job
        self.columns = tuple(columns)
        self.headers = headers
        self.kept = kept
        self.lines = CsvLines(columns, job.lang, headers) if job.format is ExportFormat.csv else SpoolLines(columns)

    def start(self) -> None:
        self.kept.append(self.lines.start())

    def write(self, row: Mapping[str, Cell]) -> None:
        self.kept.append(self.lines.line(row))

    def checkpoint(self) -> FileState | None:
        return self.kept.keep()

    def finish(self) -> FileState:
        return self.kept.finish()

    def release(self) -> None:
        self.kept.release()

    def discard(self) -> None:
        self.kept.remove()

    def xlsx(self, rows: Iterator[bytes], work: Path, alive: Callable[[], None]) -> Path:
        """The XLSX of the kept rows, written under ``work``; ``alive`` is called every ``ALIVE_ROWS``."""

        def told(found: Iterator[dict[str, Cell]]) -> Iterator[dict[str, Cell]]:
            for n, row in enumerate(found, 1):
                if n % ALIVE_ROWS == 0:
                    alive()
                yield row

        path = work / _object_name(self.job)
        write_xlsx(path, self.columns, self.job.lang, self.headers, told(spooled_rows(rows)))
        return path


# ---- locally --------------------------------------------------------------------
def link_signature(key: bytes, job_id: str, expires: int) -> str:
    return hmac.new(key, f"export:{job_id}:{expires}".encode(), hashlib.sha256).hexdigest()


class _LocalKept:
    """A partial file, appended to; a later run cuts it back to the length last kept."""

    def __init__(self, path: Path, state: FileState | None) -> None:
        self.path = path
        self.out: IO[bytes] | None = None
        if state is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.out = path.open("wb")
        elif not state.complete:
            self.out = path.open("r+b")
            self.out.truncate(state.bytes)  # what the last run wrote after its checkpoint goes
            self.out.seek(state.bytes)

    def append(self, data: bytes) -> None:
        assert self.out is not None
        self.out.write(data)

    def keep(self) -> FileState:
        assert self.out is not None
        self.out.flush()
        os.fsync(self.out.fileno())
        return FileState(bytes=self.out.tell())

    def finish(self) -> FileState:
        state = self.keep()
        self.release()
        return state.model_copy(update={"complete": True})

    def release(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None

    def remove(self) -> None:
        self.release()
        self.path.unlink(missing_ok=True)


class _LocalFile(_ExportFile):
    def __init__(
        self,
        files: LocalExportFiles,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None,
        kept: _LocalKept,
    ) -> None:
        super().__init__(job, columns, headers, kept)
        self.files = files
        self.partial = kept.path

    def close(self, alive: Callable[[], None]) -> int:
        final = self.files.root / _object_name(self.job)
        if not self.partial.exists() and final.exists():
            return final.stat().st_size  # placed by a run that stopped before saying so
        if self.job.format is ExportFormat.xlsx:
            work = Path(tempfile.mkdtemp(prefix=f"export-{self.job.id}-", dir=self.partial.parent))
            try:
                with self.partial.open("rb") as rows:
                    os.replace(self.xlsx(iter(rows), work, alive), final)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            self.partial.unlink()
        else:
            os.replace(self.partial, final)
        return final.stat().st_size


class LocalExportFiles:
    """Files under ``<data dir>/exports``; links to the app's ``/exports/{id}/file``,
    signed with the token key and good for ``LINK_SECONDS``."""

    def __init__(self, root: Path, key: bytes, public_url: str) -> None:
        self.root = root
        self.key = key
        self.public_url = public_url

    def open(
        self,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None = None,
        kept: FileState | None = None,
    ) -> _LocalFile:
        file = _LocalFile(self, job, columns, headers, _LocalKept(self.root / "partial" / _kept_name(job), kept))
        if kept is None:
            file.start()
        return file

    def link(self, job: ExportJob, now: datetime) -> str:
        expires = int(now.timestamp()) + LINK_SECONDS
        signature = link_signature(self.key, job.id, expires)
        return f"{self.public_url}/exports/{quote(job.id)}/file?expires={expires}&sig={signature}"

    def fetch(self, job: ExportJob, expires: int, signature: str, now: datetime) -> Path | None:
        """The file a signed link names, if the link is genuine and unexpired and the file kept."""
        genuine = hmac.compare_digest(link_signature(self.key, job.id, expires).encode(), signature.encode())
        if not genuine or now.timestamp() > expires or not job.file_ready(now):
            return None
        path = self.root / _object_name(job)
        return path if path.is_file() else None

    def expire(self, now: datetime) -> int:
        """Remove files (and partial files of jobs long given up) last written over ``FILE_DAYS`` ago,
        as S3's lifecycle rule does in AWS; answers how many went."""
        before = (now - timedelta(days=FILE_DAYS)).timestamp()
        gone = 0
        for folder in (self.root, self.root / "partial"):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.stat().st_mtime >= before or path.name == "partial":
                    continue
                if path.is_dir():  # the work files of an XLSX whose writing stopped midway
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                gone += 1
        return gone


# ---- in AWS ---------------------------------------------------------------------
def _missing(e: ClientError) -> bool:
    return e.response.get("Error", {}).get("Code") in ("NoSuchUpload", "NoSuchKey", "404")


class _S3Kept:
    """A multipart upload: bytes are buffered on local disk and sent a part at a time. S3 that cannot
    take a request now is StorageBusy, as DynamoDB is: the job is continued later from its checkpoint."""

    def __init__(self, s3: Any, bucket: str, key: str, fmt: ExportFormat, state: FileState | None) -> None:
        self.s3, self.bucket, self.key = s3, bucket, key
        self.state = state or FileState()
        self.buffer: IO[bytes] | None = None
        if state is None:
            kind = content_type(fmt) if fmt is ExportFormat.csv else "application/x-ndjson"
            with storage_faults():
                started = s3.create_multipart_upload(
                    Bucket=bucket, Key=key, ContentType=kind, ServerSideEncryption="AES256"
                )
            self.state = FileState(upload_id=started["UploadId"])
        if not self.state.complete:
            self.buffer = tempfile.TemporaryFile()  # noqa: SIM115 (open across writes; closed by release)

    def append(self, data: bytes) -> None:
        assert self.buffer is not None
        self.buffer.write(data)

    def _send(self) -> None:
        assert self.buffer is not None
        size = self.buffer.tell()
        number = len(self.state.parts) + 1
        self.buffer.seek(0)
        try:
            with storage_faults():
                sent = self.s3.upload_part(
                    Bucket=self.bucket,
                    Key=self.key,
                    UploadId=self.state.upload_id,
                    PartNumber=number,
                    Body=self.buffer,
                    ContentLength=size,
                )
        except ClientError as e:
            if _missing(e):
                raise Conflict("The export's upload is gone (finished or abandoned): ask again.") from e
            raise
        self.buffer.seek(0)
        self.buffer.truncate()
        part = FilePart(number=number, etag=sent["ETag"])
        self.state = self.state.model_copy(
            update={"bytes": self.state.bytes + size, "parts": (*self.state.parts, part)}
        )

    def keep(self) -> FileState | None:
        """A part sent, when enough is buffered for one; None (nothing new kept) otherwise."""
        assert self.buffer is not None
        if self.buffer.tell() < PART_BYTES:
            return None
        self._send()
        return self.state

    def finish(self) -> FileState:
        """The last part sent and the upload completed: the object exists from now on."""
        assert self.buffer is not None
        if self.buffer.tell() or not self.state.parts:
            self._send()
        with storage_faults():
            self.s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.state.upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in self.state.parts]},
            )
        self.release()
        self.state = self.state.model_copy(update={"complete": True})
        return self.state

    def release(self) -> None:
        if self.buffer is not None:
            self.buffer.close()
            self.buffer = None

    def remove(self) -> None:
        self.release()
        with contextlib.suppress(ClientError):  # gone already, or left to the lifecycle rule
            if self.state.complete:
                self.s3.delete_object(Bucket=self.bucket, Key=self.key)
            elif self.state.upload_id:
                self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.state.upload_id)


class _S3File(_ExportFile):
    def __init__(
        self,
        files: S3ExportFiles,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None,
        kept: _S3Kept,
    ) -> None:
        super().__init__(job, columns, headers, kept)
        self.files = files
        self.upload = kept

    def close(self, alive: Callable[[], None]) -> int:
        """The CSV is the completed upload itself; an XLSX is written from the kept rows and sent."""
        if self.job.format is ExportFormat.csv:
            return self.upload.state.bytes
        with storage_faults():
            return self._write_xlsx(alive)

    def _write_xlsx(self, alive: Callable[[], None]) -> int:
        s3, bucket, final = self.files.s3, self.files.bucket, self.files.key(self.job)
        try:
            spool = s3.get_object(Bucket=bucket, Key=self.upload.key)["Body"]
        except ClientError as e:
            if not _missing(e):
                raise
            return int(s3.head_object(Bucket=bucket, Key=final)["ContentLength"])  # sent by an earlier run
        work = Path(tempfile.mkdtemp(prefix=f"export-{self.job.id}-"))
        try:
            path = self.xlsx(spool.iter_lines(keepends=True), work, alive)
            size = path.stat().st_size
            s3.upload_file(
                str(path),
                bucket,
                final,
                ExtraArgs={"ContentType": content_type(self.job.format), "ServerSideEncryption": "AES256"},
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        s3.delete_object(Bucket=bucket, Key=self.upload.key)
        return size


class S3ExportFiles:
    """Objects ``exports/<id>.<ext>`` in the stack's bucket (encrypted, gone after 7 days by
    its lifecycle rule, which also aborts uploads left unfinished); an XLSX's rows are kept
    under ``exports/rows/`` while it runs. Links are presigned GETs."""

    PREFIX = "exports/"

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def key(self, job: ExportJob) -> str:
        return self.PREFIX + _object_name(job)

    def open(
        self,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None = None,
        kept: FileState | None = None,
    ) -> _S3File:
        key = self.key(job) if job.format is ExportFormat.csv else f"{self.PREFIX}rows/{_kept_name(job)}"
        file = _S3File(self, job, columns, headers, _S3Kept(self.s3, self.bucket, key, job.format, kept))
        if kept is None:
            file.start()
        return file

    def link(self, job: ExportJob, now: datetime) -> str:
        name = job.file_name or _object_name(job)
        disposition = f"attachment; filename=\"{_object_name(job)}\"; filename*=UTF-8''{quote(name, safe='')}"
        return str(
            self.s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self.key(job), "ResponseContentDisposition": disposition},
                ExpiresIn=LINK_SECONDS,
            )
        )

    def fetch(self, job: ExportJob, expires: int, signature: str, now: datetime) -> Path | None:
        return None  # links lead to S3, never to the app

    def expire(self, now: datetime) -> int:
        return 0  # the bucket's lifecycle rule removes files after FILE_DAYS
