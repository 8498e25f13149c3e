"""The wire contract of export jobs (SPEC §4.10)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class ExportOut(BaseModel):
    id: str
    report: str
    format: Literal["csv", "xlsx"]
    params: dict[str, str]
    lang: Literal["zh", "en"]
    status: Literal["queued", "running", "done", "failed"]
    rows: int
    bytes: int
    url: str | None  # while the file is kept: a short-lived link to it
    file_name: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None  # when the file goes
    error: str | None
