"""The hall's current published stars for the public page: surname and 工号 only (张* · A0123)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.stars import DEFAULT_RULES, Figures, StarRow, StarSnapshot, stars
from chalicelib.services.stars import current_public_stars
from chalicelib.web.rendering import environment
from tests.fakes.clock import FixedClock
from tests.fakes.inspections import InMemoryStarPublications

NOW = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)  # 2027Q1 has no version yet: the page shows 2026Q4's


def row(hall: str, staff_no: str, name: str, satisfied: int) -> StarRow:
    figures = Figures(
        ratings=400, satisfied=satisfied, inspections=1, score_sum=9_800, section_checked=10, section_passed=10
    )
    return StarRow(
        quarter="2026Q4", branch="城东", hall_code=hall, hall=f"{hall}营业厅", staff_no=staff_no, name=name,
        figures=figures, result=stars(DEFAULT_RULES, figures),
    )  # fmt: skip


def published() -> InMemoryStarPublications:
    repo = InMemoryStarPublications()
    rows = (row("A01", "A0123", "张三丰", 400), row("A01", "A0456", "李四", 300), row("B01", "B0001", "王五", 400))
    for version in (1, 2):
        repo.add(
            StarSnapshot(
                quarter="2026Q4", version=version, published_at=NOW, published_by="admin", rules_version=1, rows=rows
            )
        )
    return repo


def test_the_public_stars_are_the_latest_version_by_surname_and_staff_number():
    found = current_public_stars(published(), FixedClock(NOW), "A01")
    assert found is not None and (found.quarter, found.version) == ("2026Q4", 2)
    assert [(c.display, c.service_star) for c in found.clerks] == [
        ("张* · A0123", 5),
        ("李* · A0456", 2),
    ]  # 300 of 400: a bound of 0.70
    assert current_public_stars(InMemoryStarPublications(), FixedClock(NOW), "A01") is None


def test_the_partial_shows_them_and_no_full_name():
    html = (
        environment()
        .get_template("pages/_hall_stars.html")
        .render(lang="zh", hall_stars=current_public_stars(published(), FixedClock(NOW), "A01"))
    )
    assert "张* · A0123" in html and "李* · A0456" in html and "★★★★★" in html
    assert "张三丰" not in html and "王五" not in html and "B0001" not in html
    english = environment().get_template("pages/_hall_stars.html").render(lang="en", hall_stars=None)
    assert "No stars published yet." in english
