"""Under `make run`, an export job asked for over HTTP is written by the pump's export
handler, fetched through its signed link, and opens in LibreOffice: Chinese headers,
the 工号 ``00123`` intact, levels as numbers."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.integration.stack import RunningStack, start_stack

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; `make integration` installs libreoffice-calc when run as root",
)
PASSWORD = "integration-admin-1"
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def typed_rows(xlsx: Path) -> list[list[tuple[str, str]]]:
    """The first sheet's rows as (cell type, text): ``s`` shared string, ``inlineStr``, ``n`` number."""
    with zipfile.ZipFile(xlsx) as z:
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))  # noqa: S314 (LibreOffice's own file)
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t")) for si in root.findall("x:si", NS)]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows = []
    for row in sheet.iterfind(".//x:sheetData/x:row", NS):
        cells = []
        for c in row.findall("x:c", NS):
            kind = c.get("t", "n")
            v = c.find("x:v", NS)
            text = "".join(t.text or "" for t in c.iter(f"{{{NS['x']}}}t")) if v is None else v.text or ""
            cells.append((kind, shared[int(text)] if kind == "s" else text))
        rows.append(cells)
    return rows


def seed(stack: RunningStack, token: str) -> None:
    hall = {"code": "A01", "name": "城东营业厅", "branch": "城东分中心", "grade": "A"}
    assert stack.call("POST", "/api/v1/admin/halls", hall, token)[0] == 201
    assert stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": 1}, token)[0] == 201
    clerk = {"staff_no": "00123", "name": "张三", "hall_code": "A01"}
    assert stack.call("POST", "/api/v1/admin/staff", clerk, token)[0] == 201
    key = stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}, token)[1]["key"]
    now = datetime.now(UTC)
    batch = [
        {
            "id": str(uuid.uuid4()),
            "level": 5 - i % 5,
            "staff_no": "00123",
            "business": "fee_payment",
            "rated_at": (now - timedelta(hours=2, seconds=10 * i)).isoformat(),
            "reasons": [],
        }
        for i in range(12)
    ]
    status, answer = stack.call("POST", "/api/v1/device/ratings", {"ratings": batch}, key)
    assert status == 200 and {r["status"] for r in answer["results"]} == {"created"}, answer


def test_an_export_job_writes_an_xlsx_that_libreoffice_opens_intact(tmp_path: Path):
    stack = start_stack(tmp_path / "data", PASSWORD)
    try:
        token = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        seed(stack, token)
        today = datetime.now(UTC).date()
        year = {"from": (today - timedelta(days=365)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
        body = {"report": "ratings", "format": "xlsx", "params": year}
        status, job = stack.call("POST", "/api/v1/exports", body, token)
        assert status == 202 and job["status"] == "queued", job
        stack.wait_for_output("export settled", timeout=120)
        status, done = stack.call("GET", f"/api/v1/exports/{job['id']}", token=token)
        assert status == 200 and done["status"] == "done" and done["rows"] == 12, done
        assert done["url"].startswith(stack.url("/exports/"))
        fetch = urllib.request.Request(done["url"], headers={"Accept": "*/*"})  # noqa: S310 (loopback)
        with urllib.request.urlopen(fetch, timeout=30) as answer:  # noqa: S310 (loopback)
            source = tmp_path / "export.xlsx"
            source.write_bytes(answer.read())
        assert json.dumps(done["file_name"], ensure_ascii=False).startswith('"评价明细-')

        # LibreOffice opens the file and saves it again: what it read is what a manager sees.
        out = tmp_path / "out"
        profile = tmp_path / "profile"
        converted = subprocess.run(
            [
                str(SOFFICE),
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert converted.returncode == 0 and (out / "export.xlsx").exists(), converted.stdout + converted.stderr
        header, *rows = typed_rows(out / "export.xlsx")
        names = [text for _, text in header]
        assert names[:6] == ["评价时间", "营业厅编码", "窗口", "工号", "渠道", "评价等级"]
        assert len(rows) == 12
        clerk, level = names.index("工号"), names.index("评价等级")
        assert {row[clerk] for row in rows} == {("s", "00123")}  # text, zeros kept
        assert all(row[level][0] == "n" and row[level][1] in {"1", "2", "3", "4", "5"} for row in rows)
        assert all(row[0][0] == "n" for row in rows)  # the time is a date (a serial number), not text
    finally:
        assert stack.interrupt() == 0
