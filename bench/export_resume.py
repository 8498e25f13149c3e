"""What continuing an XLSX export across runs costs (SPEC §4.10), no storage involved.

Run: .venv/bin/python -m bench.export_resume [--rows 200000]

An XLSX is a zip XlsxWriter finishes in one go, so a job keeps an XLSX's rows
as JSON lines while it reads them (what a later run continues) and writes the
XLSX from those lines once every row is kept. This prints, for rating rows as
the export writes them: the rate of writing each row as a CSV line, as a kept
JSON line and straight into XlsxWriter; the rate of writing the XLSX from the
kept lines; bytes a row of each; the peak of Python's heap while the XLSX is
written from 10 k and from 50 k lines (flat: a ratio near 1); and what
that means for the cap, 5,000,000 rows, against the export function's 15
minutes (a run that has read every row writes the XLSX only if the time
left allows at ``XLSX_ROWS_PER_SECOND``; else a fresh run writes it) and its
/tmp. About a minute with the defaults on two shared CPUs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chalicelib.adapters.spreadsheets import CsvLines, SpoolLines, spooled_rows, write_xlsx
from chalicelib.domain.csv_export import Cell
from chalicelib.domain.exports import XLSX_MAX_ROWS, XLSX_ROWS_PER_SECOND
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.reports import RATING_COLUMNS, rating_csv_row

START = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)


def rows(count: int) -> Iterator[dict[str, Cell]]:
    for i in range(count):
        level = (5, 5, 5, 4, 4, 5, 3, 5, 2, 1)[i % 10]
        rating = Rating(
            id=f"00000000-0000-4000-8000-{i:012d}",
            channel=Channel.device,
            hall_code=f"H{i % 1000:03d}",
            counter_number=1 + i % 8,
            staff_no=f"{i % 2000:05d}",
            level=level,
            business=list(Business)[i % 8],
            reasons=(list(Reason)[i % 8],) if level <= 3 else (),
            comment="排队时间太长，希望多开窗口" if level <= 2 else None,
            rated_at=START + timedelta(seconds=20 * i),
            received_at=START + timedelta(seconds=20 * i),
        )
        yield rating_csv_row(rating, "zh")


def timed(write: Callable[[], None]) -> float:
    began = time.perf_counter()
    write()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    count = parser.parse_args().rows
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    made = list(rows(count))  # the report's rows, made once: only the writing is timed

    csv_lines, spool = CsvLines(RATING_COLUMNS, "zh", None), SpoolLines(RATING_COLUMNS)
    with (work / "f.csv").open("wb") as out:
        csv_s = timed(lambda: [out.write(csv_lines.line(r)) for r in made] and None)
    with (work / "rows.jsonl").open("wb") as out:
        out.write(spool.start())
        spool_s = timed(lambda: [out.write(spool.line(r)) for r in made] and None)
    direct_s = timed(lambda: write_xlsx(work / "direct.xlsx", RATING_COLUMNS, "zh", None, made))

    def assemble(path: Path, lines: int) -> float:
        with (work / "rows.jsonl").open("rb") as kept:
            head = (line for n, line in enumerate(kept) if n <= lines)
            return timed(lambda: write_xlsx(path, RATING_COLUMNS, "zh", None, spooled_rows(head)))

    def peak(lines: int) -> int:
        tracemalloc.start()  # slows Python several times over: timed apart
        assemble(work / "peak.xlsx", lines)
        found = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return found

    small, large = min(10_000, count), min(50_000, count)
    small_peak, large_peak = peak(small), peak(large)
    assemble_s = assemble(work / "kept.xlsx", count)

    size = {name: (work / name).stat().st_size / count for name in ("f.csv", "rows.jsonl", "kept.xlsx")}
    with zipfile.ZipFile(work / "kept.xlsx") as z:  # XlsxWriter's sheet files on /tmp are the sheets unzipped
        size["sheets"] = sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/")) / count
    print(f"rows: {count:,} rating rows (zh)")
    print(f"write a CSV line        {count / csv_s:>10,.0f} rows/s   {size['f.csv']:6.0f} B/row")
    print(f"keep a JSON line        {count / spool_s:>10,.0f} rows/s   {size['rows.jsonl']:6.0f} B/row")
    print(f"write XLSX directly     {count / direct_s:>10,.0f} rows/s")
    print(f"write XLSX from kept    {count / assemble_s:>10,.0f} rows/s   {size['kept.xlsx']:6.0f} B/row")
    print(
        f"heap peak writing XLSX from kept: {small // 1000} k {small_peak / 1e6:.2f} MB, "
        f"{large // 1000} k {large_peak / 1e6:.2f} MB"
    )
    print(f"  ratio {large_peak / small_peak:.2f}")
    cap = XLSX_MAX_ROWS
    print(
        f"at the cap ({cap:,} rows): XLSX from kept lines {cap / (count / assemble_s) / 60:.1f} min of the 15 "
        f"(the job counts on {XLSX_ROWS_PER_SECOND:,} rows/s: {cap / XLSX_ROWS_PER_SECOND / 60:.1f} min); "
        f"kept lines {cap * size['rows.jsonl'] / 1e9:.2f} GB (in S3, read back as a stream); "
        f"local disk: XlsxWriter's sheet files and the XLSX {cap * (size['sheets'] + size['kept.xlsx']) / 1e9:.2f} GB"
    )


if __name__ == "__main__":
    main()
