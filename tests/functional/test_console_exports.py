"""The console's exports page: asking for a file, its progress, the download and its expiry;
a refused form comes back with why beside the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib import events
from tests.functional.test_console import Browser
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api


@pytest.fixture
def signed_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, admin: Api) -> Browser:
    monkeypatch.setenv("TINGSHENG_DATA_DIR", str(tmp_path))
    admin.seed_hall("A01", counters=1)
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    return browser


def run_every_queued_job() -> None:
    from chalicelib import composition

    for job in composition.export_jobs().active():
        image = {"sk": {"S": "EXPORT"}, "status": {"S": job.status.value}, "id": {"S": job.id}}
        events.run_export_jobs({"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": image}}]})


def test_asking_for_an_export_then_following_and_downloading_it(signed_in: Browser, admin: Api):
    page = signed_in.get("/console/exports")
    assert page.status == 200 and "还没有导出" in page.text
    form = {"report": "hall-monthly", "format": "xlsx", "month": "2026-11", "from": "2026-01-01", "to": "2026-12-31"}
    asked = signed_in.post("/console/exports", form, signed_in.csrf())
    assert asked.status == 303 and "/console/exports?done=queued" in asked.headers["location"]
    queued = signed_in.get("/console/exports?done=queued").text
    assert "排队中" in queued and "month=2026-11" in queued and "from=" not in queued  # only the report's fields

    run_every_queued_job()

    done = signed_in.get("/console/exports").text
    assert "已完成" in done and "保留至" in done
    link = re.search(r'<a href="([^"]+/file\?[^"]+)">下载</a>', done)
    assert link is not None
    file = admin.get(link.group(1).replace("&amp;", "&"), headers={"Accept": "*/*"}, token="")
    assert file.status == 200 and file.raw[:2] == b"PK"  # a zip: the XLSX


def test_a_refused_export_form_says_why_beside_the_field(signed_in: Browser):
    form = {"report": "ratings", "format": "csv", "from": "2026-12-31", "to": "2026-01-01"}
    refused = signed_in.post("/console/exports", form, signed_in.csrf())
    assert refused.status == 400
    assert 'id="export-to-error"' in refused.text and 'value="2026-12-31"' in refused.text
    assert "还没有导出" in refused.text  # nothing stored


def test_the_reports_page_leads_to_the_exports(signed_in: Browser):
    assert 'href="/console/exports"' in signed_in.get("/console/reports").text
