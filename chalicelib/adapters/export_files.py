"""Where export files go: S3 in AWS (a presigned GET), the data directory locally
(a link to the app, signed and expiring). Either way the file is written to a
local disk first, row by row, and moved into place when it is complete: a
half-written file is never offered.
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chalicelib.adapters.spreadsheets import open_sheet
from chalicelib.domain.csv_export import Cell
from chalicelib.domain.exports import LINK_SECONDS, ExportJob, content_type

PlaceFile = Callable[[ExportJob, Path], None]  # moves a finished file to where downloads come from


class _DraftFile:
    """A file being written in a private temporary directory; ``place`` moves it when complete."""

    def __init__(
        self, job: ExportJob, columns: Sequence[str], headers: Mapping[str, str] | None, place: PlaceFile
    ) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"export-{job.id}-"))
        self.path = self.dir / f"{job.id}.{job.format.value}"
        self.job = job
        self.place = place
        self.sheet = open_sheet(job.format, self.path, columns, job.lang, headers)

    def write(self, row: Mapping[str, Cell]) -> None:
        self.sheet.write(row)

    def close(self) -> int:
        self.sheet.close()
        size = self.path.stat().st_size
        try:
            self.place(self.job, self.path)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        return size

    def discard(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _object_name(job: ExportJob) -> str:
    return f"{job.id}.{job.format.value}"


# ---- locally --------------------------------------------------------------------
def link_signature(key: bytes, job_id: str, expires: int) -> str:
    return hmac.new(key, f"export:{job_id}:{expires}".encode(), hashlib.sha256).hexdigest()


class LocalExportFiles:
    """Files under ``<data dir>/exports``; links to the app's ``/exports/{id}/file``,
    signed with the token key and good for ``LINK_SECONDS``."""

    def __init__(self, root: Path, key: bytes, public_url: str) -> None:
        self.root = root
        self.key = key
        self.public_url = public_url

    def _place(self, job: ExportJob, path: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), self.root / _object_name(job))

    def create(self, job: ExportJob, columns: Sequence[str], headers: Mapping[str, str] | None = None) -> _DraftFile:
        return _DraftFile(job, columns, headers, self._place)

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


# ---- in AWS ---------------------------------------------------------------------
class S3ExportFiles:
    """Objects ``exports/<id>.<ext>`` in the stack's bucket (encrypted, gone after 7 days by
    its lifecycle rule), uploaded in parts from the finished file; links are presigned GETs."""

    PREFIX = "exports/"

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def _place(self, job: ExportJob, path: Path) -> None:
        self.s3.upload_file(
            str(path),
            self.bucket,
            self.PREFIX + _object_name(job),
            ExtraArgs={"ContentType": content_type(job.format), "ServerSideEncryption": "AES256"},
        )

    def create(self, job: ExportJob, columns: Sequence[str], headers: Mapping[str, str] | None = None) -> _DraftFile:
        return _DraftFile(job, columns, headers, self._place)

    def link(self, job: ExportJob, now: datetime) -> str:
        name = job.file_name or _object_name(job)
        disposition = f"attachment; filename=\"{_object_name(job)}\"; filename*=UTF-8''{quote(name, safe='')}"
        return str(
            self.s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.PREFIX + _object_name(job),
                    "ResponseContentDisposition": disposition,
                },
                ExpiresIn=LINK_SECONDS,
            )
        )

    def fetch(self, job: ExportJob, expires: int, signature: str, now: datetime) -> Path | None:
        return None  # links lead to S3, never to the app
