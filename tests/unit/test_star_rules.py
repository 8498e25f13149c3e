"""Star rules (SPEC §3.3) against a brute-force oracle that reads the raw ratings and inspections."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.stars import (
    DEFAULT_THRESHOLDS,
    BusinessLevel,
    Figures,
    ServiceLevel,
    Thresholds,
    basis,
    figures_of,
    stars,
)
from chalicelib.domain.stats import Tally


def wilson(successes: int, n: int) -> float:
    """The Wilson score interval's lower end, written out again for the oracle."""
    if successes == 0:
        return 0.0
    z = 1.96
    p = successes / n
    return max(0.0, (p + z * z / (2 * n) - z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n)) / (1 + z * z / n))


def oracle(rules: Thresholds, levels: list[int], inspections: list[tuple[int, int, int]], complaints: int):
    """Try every level from 5 down on the raw records; the first that passes, then the caps."""
    n = len(levels)
    bound = wilson(sum(lv >= 4 for lv in levels), n) if n else None
    bad = sum(lv <= 2 for lv in levels)
    mean = round(sum(s for s, _, _ in inspections) / 100 / len(inspections), 2) if inspections else None
    checked = sum(c for _, _, c in inspections)
    section = round(100 * sum(p for _, p, _ in inspections) / checked, 2) if checked else None
    service = 0
    for line in reversed(rules.service):
        ok = bound is not None and bound >= line.min_rate_lower_bound and bad <= line.max_bad_ratings
        if mean is not None:
            ok = ok and mean >= line.min_inspection_score
        if ok:
            service = line.level
            break
    if mean is None:
        service = min(service, rules.uninspected_cap)
    if complaints:
        service = min(service, rules.complaint_cap)
    business = 0
    for bline in reversed(rules.business):
        ok = n >= bline.min_ratings and (section is None or section >= bline.min_section_score)
        if ok:
            business = bline.level
            break
    if section is None:
        business = min(business, rules.uninspected_cap)
    return service, business


def ascending(elements, size=5):
    return st.lists(elements, min_size=size, max_size=size).map(sorted)


@st.composite
def thresholds(draw) -> Thresholds:
    bounds = draw(ascending(st.sampled_from([0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])))
    scores = draw(ascending(st.sampled_from([0.0, 50.0, 60.0, 75.5, 80.0, 90.0, 100.0])))
    bad = draw(ascending(st.integers(0, 6)))[::-1]
    volumes = draw(ascending(st.integers(0, 40)))
    sections = draw(ascending(st.sampled_from([0.0, 40.0, 66.67, 80.0, 100.0])))
    return Thresholds(
        service=tuple(
            ServiceLevel(
                level=i + 1, min_rate_lower_bound=bounds[i], min_inspection_score=scores[i], max_bad_ratings=bad[i]
            )
            for i in range(5)
        ),
        business=tuple(
            BusinessLevel(level=i + 1, min_ratings=volumes[i], min_section_score=sections[i]) for i in range(5)
        ),
        complaint_cap=draw(st.integers(0, 5)),
        uninspected_cap=draw(st.integers(0, 5)),
    )


inspections = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 20)).flatmap(
        lambda sp: st.tuples(st.just(sp[0]), st.just(sp[1]), st.integers(sp[1], 25))
    ),
    max_size=6,
)


@settings(max_examples=400, deadline=None)
@given(
    rules=thresholds(),
    levels=st.lists(st.integers(1, 5), max_size=60),
    found=inspections,
    complaints=st.integers(0, 3),
)
def test_the_stars_are_the_oracles(rules, levels, found, complaints):
    counts = {f"n{lv}": levels.count(lv) for lv in range(1, 6)}
    tally = Tally(**counts, score=sum(levels))
    inspection = {
        "inspections": len(found),
        "score_sum": sum(s for s, _, _ in found),
        "passed_acceptance": sum(p for _, p, _ in found),
        "checked_acceptance": sum(c for _, _, c in found),
    }
    figures = figures_of(tally, inspection, complaints, rules.business_sections)
    result = stars(rules, figures)
    assert (result.service_star, result.business_star) == oracle(rules, levels, found, complaints)


def test_the_lines_show_the_level_reached_and_the_one_above():
    f = Figures(
        ratings=200,
        satisfied=190,
        bad_ratings=2,
        inspections=2,
        score_sum=18_000,
        section_passed=40,
        section_checked=50,
    )
    result = stars(DEFAULT_THRESHOLDS, f)
    assert result.service_star == 4  # the bound (0.91) and the inspection mean (90) fall short of level 5
    assert {line.level for line in result.lines if line.star == "service"} == {4, 5}
    text = basis(result)
    assert "服务之星4: 满意率置信下限 0.9" in text and "服务之星5: 检查平均分 90 >= 95 ✗" in text


def test_a_verified_complaint_caps_the_service_star():
    f = Figures(ratings=500, satisfied=500, inspections=1, score_sum=10_000, verified_complaints=1)
    result = stars(DEFAULT_THRESHOLDS, f)
    assert result.service_star == DEFAULT_THRESHOLDS.complaint_cap
    assert "属实投诉 1, 最高 2" in basis(result)
    assert "verified complaints 1, at most 2" in basis(result, "en")


def test_levels_must_get_harder_upwards():
    lines = list(DEFAULT_THRESHOLDS.service)
    lines[4] = lines[4].model_copy(update={"max_bad_ratings": 50})
    with pytest.raises(ValidationError):
        Thresholds(service=tuple(lines), business=DEFAULT_THRESHOLDS.business)
