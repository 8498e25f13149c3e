"""A report CSV opened by a real spreadsheet: LibreOffice converts it to xlsx and the Chinese headers survive."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from chalicelib.domain import csv_export
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.labels import HEADERS_ZH
from chalicelib.domain.organisation import HallGrade
from chalicelib.domain.reports import STAFF_COLUMNS, staff_csv_row
from chalicelib.services import organisation, reports
from tests.fakes.clock import FixedClock
from tests.fakes.organisation import InMemoryOrganisationRepository
from tests.fakes.ratings import InMemoryRatingRepository

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; `make integration` installs libreoffice-calc when run as root",
)
ADMIN = UserPrincipal(username="root", role=Role.admin)
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def staff_csv() -> str:
    org, clock = InMemoryOrganisationRepository(), FixedClock()
    organisation.create_hall(ADMIN, org, clock, code="A01", name="城东营业厅", branch="城东分中心", grade=HallGrade.A)
    organisation.add_staff(ADMIN, org, clock, staff_no="S01", name="张三", hall_code="A01")
    report = reports.staff_monthly(ADMIN, org, InMemoryRatingRepository(), month="2026-11", hall="A01")
    return csv_export.to_csv(STAFF_COLUMNS, [staff_csv_row(r, "zh") for r in report.rows], "zh")


def first_rows(xlsx: Path) -> list[list[str]]:
    """The text of the first sheet's rows, read from the xlsx's XML (shared strings resolved)."""
    with zipfile.ZipFile(xlsx) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))  # noqa: S314 (a file this test made)
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t")) for si in root.findall("x:si", NS)]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows = []
    for row in sheet.iterfind(".//x:sheetData/x:row", NS):
        values = []
        for c in row.findall("x:c", NS):
            v = c.find("x:v", NS)
            text = "".join(t.text or "" for t in c.iter(f"{{{NS['x']}}}t")) if v is None else v.text or ""
            values.append(shared[int(text)] if c.get("t") == "s" else text)
        rows.append(values)
    return rows


def test_libreoffice_reads_the_chinese_headers_and_names_intact(tmp_path: Path):
    source = tmp_path / "员工月度排名-2026-11-A01.csv"
    source.write_bytes(staff_csv().encode("utf-8"))
    profile = tmp_path / "profile"  # its own profile: concurrent runs must not share a lock
    done = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            # Headless conversion ignores the byte-order mark and reads Windows-1252
            # unless told: comma-separated, double quotes, UTF-8 (76) — what a user
            # picks in LibreOffice's import dialog; Excel goes by the BOM.
            "--infilter=CSV:44,34,76",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    converted = source.with_suffix(".xlsx")
    assert done.returncode == 0 and converted.exists(), done.stdout + done.stderr
    header, row = first_rows(converted)[:2]
    assert header == [HEADERS_ZH[c] for c in STAFF_COLUMNS]
    assert row[:6] == ["2026-11", "城东分中心", "A01", "城东营业厅", "S01", "张三"]
