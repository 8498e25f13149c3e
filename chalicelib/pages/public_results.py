"""The hall's public results (好差评 公开, SPEC §4.1): a page and an A4 poster when printed, no
script, no personal data, with the trend of six months as an inline SVG."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.public_results import PublicResults
from chalicelib.pages.errors import page_routes
from chalicelib.services import public_results, stars
from chalicelib.web import rendering
from chalicelib.web.routing import HALL_CODE, HTML, MONTH, Auth, PathParam

routes = page_routes(__name__, tag="public")

# The trend chart, in SVG units: 满意率 from 50 % (bottom) to 100 % (top).
WIDTH, HEIGHT, LEFT, TOP, PLOT_W, PLOT_H, FLOOR = 520, 200, 44, 14, 456, 150, 0.5


def _trend(results: PublicResults) -> dict[str, Any]:
    step = PLOT_W / max(1, len(results.trend) - 1)
    points = []
    for i, point in enumerate(results.trend):
        rate = point.tally.satisfaction_rate
        y = None if rate is None else TOP + PLOT_H * (1 - (max(rate, FLOOR) - FLOOR) / (1 - FLOOR))
        points.append({"x": round(LEFT + i * step, 1), "y": None if y is None else round(y, 1), "point": point})
    line = " ".join(f"{p['x']},{p['y']}" for p in points if p["y"] is not None)
    grid = [
        {"y": round(TOP + PLOT_H * (1 - (v - FLOOR) / (1 - FLOOR)), 1), "label": f"{v:.0%}"} for v in (0.5, 0.75, 1)
    ]
    return {"width": WIDTH, "height": HEIGHT, "points": points, "line": line, "grid": grid, "base": TOP + PLOT_H}


def _page(hall_code: str, month: str | None) -> Any:
    request = routes.request
    results = public_results.hall_results(
        composition.organisation(),
        composition.ratings(),
        composition.month_publications(),
        composition.clock(),
        hall_code,
        month,
    )
    publication = results.figures.publication
    response = rendering.render(
        "public_results.html",
        rendering.lang_of(request),
        results=results,
        f=results.figures,
        published_at=local_minute(publication.published_at) if publication else None,
        chart=_trend(results),
        hall_stars=stars.current_public_stars(composition.star_publications(), composition.clock(), hall_code),
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@routes(
    "/p/{hall_code}",
    "GET",
    summary="A hall's public results (好差评 公开): the latest published month, else last month live",
    auth=Auth.public,
    produces=HTML,
    statuses=(404,),
    path_params=(PathParam("hall_code", HALL_CODE),),
)
def latest(hall_code: str):  # type: ignore[no-untyped-def]
    return _page(hall_code, None)


@routes(
    "/p/{hall_code}/{month}",
    "GET",
    summary="A hall's public results of a month that is over (published, else live)",
    auth=Auth.public,
    produces=HTML,
    statuses=(404,),
    path_params=(PathParam("hall_code", HALL_CODE), PathParam("month", MONTH, "YYYY-MM")),
)
def of_month(hall_code: str, month: str):  # type: ignore[no-untyped-def]
    return _page(hall_code, month)
