"""Answering a file download: CSV text as an attachment with a filename that
says what and when (RFC 6266, with RFC 5987 ``filename*`` for non-ASCII names)."""

from __future__ import annotations

import re
from urllib.parse import quote

from chalice import Response

from chalicelib.services.exports import CsvFile

CSV = "text/csv; charset=utf-8"
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_filename(name: str) -> str:
    """A fallback every client reads: runs of anything but letters, digits, '.', '_' and '-' become '_'."""
    return _NOT_ASCII_SAFE.sub("_", name).strip("_") or "download"


def content_disposition(filename: str, fallback: str | None = None) -> str:
    plain = ascii_filename(fallback or filename)
    if filename == plain:
        return f'attachment; filename="{plain}"'
    # RFC 5987: UTF-8, percent-encoded; clients that know it prefer it to the fallback.
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_download(text: str, filename: str, fallback: str | None = None, cache: str = "no-store") -> Response:
    """``text`` (already BOM-prefixed, see domain.csv_export) as a CSV attachment."""
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": CSV,
            "Content-Disposition": content_disposition(filename, fallback),
            "Cache-Control": cache,
            "X-Content-Type-Options": "nosniff",
        },
    )


def file_download(file: CsvFile, cache: str = "no-store") -> Response:
    return csv_download(file.text, file.name, file.ascii_name, cache)
