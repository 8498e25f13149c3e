"""Writing report rows to a file as they come, in constant memory: CSV as every
download writes it (``domain.csv_export``), a line of bytes a row, so a file
can be continued by appending; and XLSX with XlsxWriter's ``constant_memory``
mode (each row goes to disk when the next one starts; strings are written
inline, so no table of them grows).

An XLSX file is a zip XlsxWriter finishes in one go at ``close``: it cannot
be continued by a later run. An export job therefore keeps its rows as JSON
lines (``spool_line``: the report's values, their types intact) and writes
the XLSX from them once every row is kept (``write_xlsx``).

XLSX: a bold Chinese (or English) header row, frozen, with an autofilter over
the sheet; cells typed by ``domain.exports.xlsx_cell`` (codes and 工号 text,
numbers numbers, times dates), never a formula. A sheet holds 1,048,576 rows:
more continue on the next sheet, under the same header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from chalicelib.domain import csv_export
from chalicelib.domain.csv_export import Cell, Lang
from chalicelib.domain.exports import XLSX_SHEET_ROWS, xlsx_cell


def _headers(columns: Sequence[str], lang: Lang, headers: Mapping[str, str] | None) -> list[str]:
    return [(headers or {}).get(c) or csv_export.header(c, lang) for c in columns]


class CsvLines:
    """A CSV file's bytes: ``start`` (byte-order mark and header row), then a ``line`` a row."""

    def __init__(self, columns: Sequence[str], lang: Lang, headers: Mapping[str, str] | None) -> None:
        self.columns = tuple(columns)
        self.lang = lang
        self.headers = _headers(self.columns, lang, headers)
        self.text = io.StringIO()
        self.writer = csv.writer(self.text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def _encoded(self, cells: list[Cell]) -> bytes:
        self.text.seek(0)
        self.text.truncate()
        self.writer.writerow(cells)
        return self.text.getvalue().encode()

    def start(self) -> bytes:
        return csv_export.BOM.encode() + self._encoded([csv_export.cell(h, self.lang) for h in self.headers])

    def line(self, row: Mapping[str, Cell]) -> bytes:
        return self._encoded([csv_export.cell(row.get(c), self.lang) for c in self.columns])


class SpoolLines:
    """Rows kept for an XLSX written later: the columns as the first JSON line, then a row's values a line."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)

    def start(self) -> bytes:
        return json.dumps(self.columns, ensure_ascii=False).encode() + b"\n"

    def line(self, row: Mapping[str, Cell]) -> bytes:
        return json.dumps([row.get(c) for c in self.columns], ensure_ascii=False).encode() + b"\n"


def spooled_rows(lines: Iterable[bytes]) -> Iterator[dict[str, Cell]]:
    """The rows ``SpoolLines`` kept, read back as they come."""
    it = iter(lines)
    columns = json.loads(next(it))
    for line in it:
        if line.strip():
            yield dict(zip(columns, json.loads(line), strict=True))


class XlsxSheet:
    def __init__(
        self, path: Path, columns: Sequence[str], lang: Lang, headers: Mapping[str, str] | None, tmpdir: Path
    ) -> None:
        import xlsxwriter  # type: ignore[import-untyped]  # loaded by the export run only

        self.columns = tuple(columns)
        self.headers = _headers(self.columns, lang, headers)
        self.lang = lang
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": str(tmpdir),
                # Text stays text: never read as a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.formats: dict[str, Any] = {
            "header": self.book.add_format({"bold": True}),
            "text": self.book.add_format({"num_format": "@"}),
            "decimal": self.book.add_format({"num_format": "0.0000"}),
            "time": self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        if self.sheets:
            self._finish_sheet()
        self.sheets += 1
        self.sheet = self.book.add_worksheet(f"第{self.sheets}页" if self.lang == "zh" else f"Part {self.sheets}")
        for i, column in enumerate(self.columns):
            wide = 20 if column in ("rated_at", "hall", "comment", "id") else 12
            self.sheet.set_column(i, i, wide)
        for i, header in enumerate(self.headers):
            self.sheet.write_string(0, i, header, self.formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def _finish_sheet(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row, 1), len(self.columns) - 1)

    def write(self, row: Mapping[str, Cell]) -> None:
        if self.row + 1 >= XLSX_SHEET_ROWS:
            self._new_sheet()
        self.row += 1
        r, sheet, formats = self.row, self.sheet, self.formats
        for c, column in enumerate(self.columns):
            kind, value = xlsx_cell(column, row.get(column), self.lang)
            if kind == "text":
                sheet.write_string(r, c, str(value), formats["text"])
            elif kind == "number":
                assert isinstance(value, int | float)
                sheet.write_number(r, c, value)
            elif kind == "decimal":
                assert isinstance(value, int | float)
                sheet.write_number(r, c, value, formats["decimal"])
            elif kind == "time":
                assert isinstance(value, datetime)
                sheet.write_datetime(r, c, value, formats["time"])

    def close(self) -> None:
        self._finish_sheet()
        self.book.close()


def write_xlsx(
    path: Path,
    columns: Sequence[str],
    lang: Lang,
    headers: Mapping[str, str] | None,
    rows: Iterable[Mapping[str, Cell]],
) -> None:
    """An XLSX file of ``rows``, written as they come (its work files beside ``path``)."""
    sheet = XlsxSheet(path, columns, lang, headers, path.parent)
    for row in rows:
        sheet.write(row)
    sheet.close()
