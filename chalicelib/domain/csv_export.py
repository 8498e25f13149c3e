"""CSV files that open correctly in Excel (SPEC §4.4), shared by every download.

UTF-8 with a byte-order mark, CRLF line ends, RFC 4180 quoting (the csv
module's), a header row in Chinese by default (``labels.HEADERS_ZH``) or the
English keys with ``lang="en"``, stable keys as their Chinese labels or as
themselves, booleans as 是/否 or true/false, and text cells that a
spreadsheet would read as a formula prefixed with ``'`` (OWASP ASVS). Real
numbers are written as numbers, so a negative count stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from .labels import HEADERS_ZH, Pair, label

Lang = Literal["zh", "en"]
Cell = str | int | float | bool | None

BOM = "\ufeff"

# A text cell starting with one of these is read as a formula (or can smuggle one in).
# OWASP's list, and the fullwidth forms a Chinese input method types (spreadsheets read ＝ as =).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")


def header(key: str, lang: Lang) -> str:
    return key if lang == "en" else HEADERS_ZH.get(key, key)


def key_cell[K](table: Mapping[K, Pair], key: K, lang: str) -> str:
    """A stable key as a cell: its Chinese label in Chinese files, the key itself in English ones."""
    return label(table, key, "zh") if lang == "zh" else str(key)


def cell(value: Cell, lang: Lang) -> str | int | float:
    """One value as written: booleans localised, numbers kept, risky text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int
        if lang == "en":
            return "true" if value else "false"
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Cell]],
    lang: Lang = "zh",
    headers: Mapping[str, str] | None = None,
) -> str:
    """The whole file as text, BOM first; each row gives a value for every column key.
    ``headers`` heads columns whose header is not a fixed key's (a survey's questions)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([cell((headers or {}).get(c) or header(c, lang), lang) for c in columns])
    for row in rows:
        writer.writerow([cell(row.get(c), lang) for c in columns])
    return BOM + out.getvalue()
