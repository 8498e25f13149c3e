"""The QR rating page asks for dissatisfaction reasons only at 基本满意 and below, without script."""

from __future__ import annotations

from tests.http import Api


def test_the_rating_page_asks_for_reasons_only_at_basically_satisfied_and_below(api: Api, admin: Api):
    admin.seed_hall("A01", counters=1)
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/r/", 1)[1]
    page = api.get(api.get(f"/r/{code}", token="").headers["location"], token="").text
    assert "仅在选择基本满意及以下时填写" in page  # what a browser without :has() shows
    assert "form:has(#level3:checked) .reasons" in page and 'class="check reasons"' in page
    assert "<script" not in page
    english = api.get(api.get(f"/r/{code}?lang=en", token="").headers["location"], token="").text
    assert "only for “Basically satisfied” or below" in english
