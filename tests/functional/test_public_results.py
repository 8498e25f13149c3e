"""The hall's public results (SPEC §4.1): last month's live numbers marked as such before any
publication, the published version after; the 好差评 indicators, no personal data, no script,
≤ 20 KB; 404 for an unknown hall or a month not over."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import composition
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.public_results import month_before
from tests.fakes.clock import FixedClock
from tests.http import Api

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 11:00 on 2 December in Shanghai


@pytest.fixture
def hall(admin: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    admin.seed_hall("A01", counters=1)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}).status == 201
    device = Api(admin.client)
    device.token = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["key"]
    monkeypatch.setattr(composition, "clock", lambda: FixedClock(NOW - timedelta(days=3)))
    at = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    ratings = [
        {
            "id": str(uuid.uuid4()),
            "level": level,
            "staff_no": "A0123",
            "rated_at": (at + timedelta(minutes=i)).isoformat(),
        }
        for i, level in enumerate([5, 5, 4, 2])
    ]
    assert device.post("/api/v1/device/ratings", {"ratings": ratings}).status == 200
    visit = {"id": str(uuid.uuid4()), "at": (at + timedelta(minutes=30)).isoformat()}
    assert device.post("/api/v1/device/unrated", {"items": [visit]}).status == 200
    monkeypatch.setattr(composition, "clock", lambda: FixedClock(NOW))
    return admin


def test_before_publication_last_months_live_figures_are_shown_and_marked(hall: Api):
    page = hall.get("/p/A01", token="")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "2026-11" in text and "尚未发布" in text
    assert "75.0%" in text and "3 / 4" in text  # 满意率
    assert "20.0%" in text and "1 / 5" in text  # 未评价率: 1 / (4 device ratings + 1)
    assert "张三" not in text and "A0123" not in text and "<script" not in text
    assert len(page.raw) <= 20 * 1024
    assert "<svg" in text and text.count("<circle") == 1  # one month with ratings in six
    assert "Not published yet" in hall.get("/p/A01?lang=en", token="").text


def test_a_published_month_is_shown_from_its_version(hall: Api):
    assert hall.post("/api/v1/reports/2026-11/publish").status == 201
    text = hall.get("/p/A01", token="").text
    assert "第 1 版" in text and "尚未发布" not in text and "75.0%" in text
    assert hall.get("/p/A01/2026-11", token="").text == text


def test_unknown_halls_and_months_not_over_are_404(hall: Api):
    assert hall.get("/p/ZZ9", token="").status == 404
    assert hall.get("/p/A01/2026-12", token="").status == 404
    assert hall.get("/p/A01/2026-13", token="").status == 404
    for no_month in ("2026", "1999-01", "2026-1", "latest"):  # no month at all: a page of nothing
        assert hall.get(f"/p/A01/{no_month}", token="").status == 404, no_month
    assert hall.get(f"/p/A01/{month_before('2026-11', 12)}", token="").status == 200
    assert NOW.astimezone(SHANGHAI).strftime("%Y-%m") == "2026-12"


def test_the_published_stars_show_by_surname_and_staff_number_only(hall: Api):
    assert "星级评定结果尚未公布" in hall.get("/p/A01", token="").text
    assert hall.post("/api/v1/stars/2026Q4/publish").status == 201
    page = hall.get("/p/A01", token="")
    text = page.text
    assert "服务之星" in text and "2026Q4" in text and "张* · A0123" in text
    assert "张三" not in text and "<script" not in text and len(page.raw) <= 20 * 1024


def test_the_suggestion_box_links_to_the_results(hall: Api):
    form = hall.get("/s/A01", token="")
    if form.status == 303:  # a fresh form key first
        form = hall.get(form.headers["location"], token="")
    assert 'href="/p/A01"' in form.text
