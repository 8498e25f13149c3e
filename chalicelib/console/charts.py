"""The dashboard's charts as plain geometry for inline SVG (templates/console/_charts.html):
no JavaScript, no chart library, nothing fetched from elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.stats import Tally

TREND_W, TREND_H, PAD = 720, 180, 34
CELL = 26  # heat map cell, SVG units
WEEKDAYS = (("一", "Mon"), ("二", "Tue"), ("三", "Wed"), ("四", "Thu"), ("五", "Fri"), ("六", "Sat"), ("日", "Sun"))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    title: str


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    bars: list[Bar]  # ratings a day
    line: str  # satisfaction rate a day, as SVG polyline points (days without ratings left out)
    points: list[tuple[float, float, str]]
    ticks: list[tuple[float, str]]  # x, day label
    most: int
    plot: tuple[int, int, int, int]  # left, top, right, bottom


def trend(days: list[tuple[date, Tally]]) -> Trend:
    left, top, right, bottom = PAD, 10, TREND_W - PAD, TREND_H - 24
    step = (right - left) / max(len(days), 1)
    most = max((t.n for _, t in days), default=0) or 1
    bars, points = [], []
    for i, (day, tally) in enumerate(days):
        x = left + i * step
        h = (bottom - top) * tally.n / most
        rate = tally.satisfaction_rate
        text = f"{day.isoformat()}: {tally.n}" + (f" · {rate * 100:.1f}%" if rate is not None else "")
        bars.append(Bar(round(x + step * 0.15, 1), round(bottom - h, 1), round(step * 0.7, 1), round(h, 1), text))
        if rate is not None:
            points.append((round(x + step / 2, 1), round(bottom - (bottom - top) * rate, 1), text))
    ticks = [
        (round(left + i * step + step / 2, 1), d.strftime("%m-%d")) for i, (d, _) in enumerate(days) if i % 15 == 0
    ]
    line = " ".join(f"{x},{y}" for x, y, _ in points)
    return Trend(TREND_W, TREND_H, bars, line, points, ticks, most, (left, top, right, bottom))


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    share: float  # of the largest, 0–1, for the bar length
    of_total: float | None


def shares(counts: list[tuple[str, str, int]], total: int, limit: int | None = None) -> list[Share]:
    """(key, label, count) as bars, largest first."""
    ordered = sorted(counts, key=lambda c: (-c[2], c[0]))[:limit]
    most = max((c for _, _, c in ordered), default=0) or 1
    return [Share(k, text, n, n / most, n / total if total else None) for k, text, n in ordered]


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    opacity: float
    title: str


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    cells: list[HeatCell]
    rows: list[tuple[int, str]]  # y, weekday label
    hours: list[tuple[int, str]]  # x, hour label


def heatmap(parts: dict[str, Tally], lang: str) -> Heatmap:
    """Ratings by ISO weekday (rows) and hour 0–23 (columns), Asia/Shanghai; parts are "W-HH"."""
    left, top = 30, 18
    most = max((t.n for t in parts.values()), default=0) or 1
    cells = []
    for weekday in range(1, 8):
        for hour in range(24):
            tally = parts.get(f"{weekday}-{hour:02d}", Tally())
            name = WEEKDAYS[weekday - 1][0 if lang == "zh" else 1]
            rate = tally.satisfaction_rate
            title = f"{name} {hour:02d}:00 · {tally.n}" + (f" · {rate * 100:.1f}%" if rate is not None else "")
            opacity = 0.06 + 0.94 * tally.n / most if tally.n else 0.0
            cells.append(HeatCell(left + hour * CELL, top + (weekday - 1) * CELL, round(opacity, 3), title))
    rows = [(top + i * CELL + CELL // 2 + 4, WEEKDAYS[i][0 if lang == "zh" else 1]) for i in range(7)]
    hours = [(left + h * CELL + CELL // 2, f"{h}") for h in range(0, 24, 3)]
    return Heatmap(left + 24 * CELL + 4, top + 7 * CELL + 4, cells, rows, hours)
