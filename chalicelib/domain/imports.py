"""Bulk import (SPEC §4.3): reading a spreadsheet of halls, counters or staff.

A sheet is CSV (what Excel and WPS save as "CSV UTF-8"), UTF-8 with or
without a byte-order mark, any line ends; rows copied out of a spreadsheet
and pasted (tab-separated) read the same. The first row names the columns,
in English (the create bodies' fields: ``code,name,branch,grade``) or in
Chinese (``营业厅编码,营业厅名称,分中心,等级``), in any order. A file that
cannot be read at all is refused whole; a line that cannot be read is
reported with its number (the header is line 1) and never stops the others.

A key given twice in one sheet counts once when the lines agree, and the
later line is refused when they do not: which one meant the truth is for
the person who made the sheet to say.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import InvalidInput, PayloadTooLarge
from .organisation import Code, CounterNumber, HallGrade, Name, StaffNo

MAX_LINES = 5000  # data lines a sheet may hold; a province's 10,000 counters take two


# C0 controls and DEL but tab and line breaks, as the input gate refuses them in any other body.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportKind(StrEnum):
    halls = "halls"
    counters = "counters"
    staff = "staff"


class Reason(StrEnum):
    """Why a line was refused."""

    cells = "cells"  # not as many cells as the header has columns
    invalid = "invalid"  # a value breaks a rule (pattern, length, grade ...)
    repeated = "repeated"  # the sheet gives the same key again, with other values
    unknown_hall = "unknown_hall"
    refused = "refused"  # the change itself was refused (e.g. taken meanwhile)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HallRow(_Row):
    code: Code
    name: Name
    branch: Name
    grade: HallGrade

    @field_validator("grade", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class CounterRow(_Row):
    hall_code: Code
    number: CounterNumber


class StaffRow(_Row):
    staff_no: StaffNo
    name: Name
    hall_code: Code


Row = HallRow | CounterRow | StaffRow
ROWS: dict[ImportKind, type[Row]] = {
    ImportKind.halls: HallRow,
    ImportKind.counters: CounterRow,
    ImportKind.staff: StaffRow,
}

# Each column's names in a header row (compared without case and surrounding blanks):
# the create body's field, the Chinese header (the template's), then other names seen.
HEADERS: dict[ImportKind, dict[str, tuple[str, ...]]] = {
    ImportKind.halls: {
        "code": ("code", "营业厅编码", "编码", "hall_code"),
        "name": ("name", "营业厅名称", "名称", "营业厅"),
        "branch": ("branch", "分中心", "所属分中心"),
        "grade": ("grade", "等级", "营业厅等级"),
    },
    ImportKind.counters: {
        "hall_code": ("hall_code", "营业厅编码", "营业厅", "hall"),
        "number": ("number", "窗口号", "窗口", "柜台号", "counter", "counter_number"),
    },
    ImportKind.staff: {
        "staff_no": ("staff_no", "工号"),
        "name": ("name", "姓名"),
        "hall_code": ("hall_code", "营业厅编码", "营业厅", "hall"),
    },
}


def key_of(row: Row) -> str:
    """What identifies the record a line describes."""
    if isinstance(row, HallRow):
        return row.code
    if isinstance(row, CounterRow):
        return f"{row.hall_code}/{row.number}"
    return row.staff_no


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: Reason
    message: str  # English, for the API
    field: str | None = None  # the column at fault, as the create body names it


@dataclass(frozen=True)
class Sheet:
    kind: ImportKind
    rows: tuple[tuple[int, Row], ...]  # (line, row), each key once, in sheet order
    repeats: int  # lines that repeated an earlier line exactly
    rejected: tuple[Rejection, ...]


def decode(data: bytes | str) -> str:
    """The sheet's text: UTF-8, a byte-order mark dropped. Anything else is refused whole."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                "The file is not UTF-8: save it as CSV UTF-8.", {"file": "not UTF-8 (save as CSV UTF-8)"}
            ) from None
    if "\ufffd" in data:  # bytes that were not UTF-8, replaced on their way here
        raise InvalidInput("The file is not UTF-8: save it as CSV UTF-8.", {"file": "not UTF-8 (save as CSV UTF-8)"})
    return data.removeprefix("\ufeff")


def _columns(kind: ImportKind, header: list[str]) -> list[str]:
    names = {alias.casefold(): column for column, aliases in HEADERS[kind].items() for alias in aliases}
    columns: list[str] = []
    for cell in header:
        column = names.get(cell.strip().removeprefix("\ufeff").casefold())
        if column is None:
            raise InvalidInput(f"Unknown column {cell.strip()!r}.", {"header": f"unknown column {cell.strip()!r}"})
        if column in columns:
            raise InvalidInput(f"Column {column} is given twice.", {"header": f"{column} given twice"})
        columns.append(column)
    missing = [c for c in HEADERS[kind] if c not in columns]
    if missing:
        raise InvalidInput(f"Missing columns: {', '.join(missing)}.", {"header": f"missing {', '.join(missing)}"})
    return columns


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if "\t" in first and "," not in first else ","


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Each record and the line it starts on (a quoted cell may hold line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    found: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                found.append((line, cells))
                if len(found) > MAX_LINES + 1:
                    raise PayloadTooLarge(
                        f"At most {MAX_LINES} lines a sheet.", {"file": f"more than {MAX_LINES} lines: split it"}
                    )
            line = reader.line_num + 1
    except csv.Error as e:
        raise InvalidInput(f"Line {reader.line_num}: {e}.", {"file": f"line {reader.line_num} is not CSV"}) from None
    return found


def _why(error: ValidationError) -> tuple[str | None, str]:
    first = error.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else None
    return field, f"{field}: {first['msg']}" if field else first["msg"]


def read_sheet(kind: ImportKind, data: bytes | str) -> Sheet:
    """The sheet's rows, the lines it repeats and the lines it refuses; InvalidInput (or
    PayloadTooLarge) when the file as a whole cannot be read."""
    records = _records(decode(data))
    if not records:
        raise InvalidInput("The file is empty.", {"file": "empty"})
    (_, header), *lines = records
    columns = _columns(kind, header)
    model = ROWS[kind]
    rows: dict[str, tuple[int, Row]] = {}
    rejected: list[Rejection] = []
    repeats = 0
    for line, cells in lines:
        if len(cells) != len(columns):
            message = f"{len(cells)} cells where the header has {len(columns)} columns"
            rejected.append(Rejection(line, Reason.cells, message))
            continue
        fault = next((c for c, v in zip(columns, cells, strict=True) if _CONTROL.search(v)), None)
        if fault is not None:
            rejected.append(Rejection(line, Reason.invalid, f"{fault}: holds a control character", fault))
            continue
        try:
            row = model.model_validate(dict(zip(columns, cells, strict=True)))
        except ValidationError as e:
            field, message = _why(e)
            rejected.append(Rejection(line, Reason.invalid, message, field))
            continue
        seen = rows.get(key_of(row))
        if seen is None:
            rows[key_of(row)] = (line, row)
        elif seen[1] == row:
            repeats += 1
        else:
            message = f"{key_of(row)} was given on line {seen[0]} with other values"
            rejected.append(Rejection(line, Reason.repeated, message))
    return Sheet(kind, tuple(rows.values()), repeats, tuple(sorted(rejected, key=lambda r: r.line)))
