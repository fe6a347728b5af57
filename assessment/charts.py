"""Geometry of the dashboard's server-drawn SVG charts (no chart library, no CDN): stacked
weekly bars of cases by source, lines of weekly rates, and the workload bars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from incidents.choices import Source

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28
SOURCE_COLOURS = {
    Source.PATROL: "#0b3d91",
    Source.SELF_HANDLED: "#3b82c4",
    Source.HOTLINE: "#d1242f",
    Source.RESIDENT: "#e5843d",
    Source.OPEN311: "#bf8700",
    Source.DEPARTMENT: "#1a7f37",
    Source.SENSOR: "#8250df",
    Source.LEADER: "#57606a",
}


def _ticks(most: float, steps: int = 4) -> list[dict[str, Any]]:
    """Horizontal guide lines at round values up to ``most``."""
    plot = HEIGHT - TOP - BOTTOM
    return [
        {
            "y": round(HEIGHT - BOTTOM - plot * step / steps, 1),
            "label": f"{most * step / steps:g}",
        }
        for step in range(steps + 1)
    ]


def _round_up(value: float) -> float:
    """A round maximum of an axis (1, 2, 5 × 10^n) at or above ``value``."""
    if value <= 0:
        return 1
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    for step in (1, 2, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def stacked_weeks(trend: list[dict]) -> dict[str, Any]:
    """Per week a bar of cases reported, stacked by source."""
    most = _round_up(max((week["reported"] for week in trend), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(trend), 1)
    bars = []
    for index, week in enumerate(trend):
        base, parts = HEIGHT - BOTTOM, []
        for source, count in week["by_source"].items():
            if not count:
                continue
            height = plot_h * count / most
            base -= height
            parts.append(
                {
                    "y": round(base, 1),
                    "height": round(height, 1),
                    "colour": SOURCE_COLOURS[source],
                    "label": f"{Source(source).label}: {count}",
                }
            )
        bars.append(
            {
                "x": round(LEFT + index * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "parts": parts,
                "total": week["reported"],
                "label": f"{week['start']:%m-%d}",
                "label_x": round(LEFT + index * slot + slot / 2, 1),
            }
        )
    return {"bars": bars, "ticks": _ticks(most), "size": _size()}


def week_lines(trend: list[dict], keys: tuple[str, ...]) -> dict[str, Any]:
    """Lines of weekly percentages (0–100) of ``keys``; a week without data breaks the
    line instead of reading as zero."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(trend), 1)
    lines = []
    for key in keys:
        segments, current, points = [], [], []
        for index, week in enumerate(trend):
            value: Decimal | None = week[key]
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x = round(LEFT + index * slot + slot / 2, 1)
            y = round(HEIGHT - BOTTOM - plot_h * float(value) / 100, 1)
            current.append(f"{x},{y}")
            points.append({"x": x, "y": y, "label": f"{week['start']:%m-%d}: {value}%"})
        if current:
            segments.append(" ".join(current))
        lines.append({"key": key, "segments": segments, "points": points})
    labels = [
        {"x": round(LEFT + index * slot + slot / 2, 1), "label": f"{week['start']:%m-%d}"}
        for index, week in enumerate(trend)
    ]
    return {"lines": lines, "labels": labels, "ticks": _ticks(100), "size": _size()}


def workload_bars(rows: list[dict]) -> list[dict[str, Any]]:
    """Each worker's open tasks and patrol hours as bar widths in percent of the largest."""
    most_tasks = max((row["open_tasks"] for row in rows), default=0) or 1
    most_hours = max((row["patrol_hours"] for row in rows), default=0) or 1
    return [
        {
            **row,
            "tasks_width": f"{row['open_tasks'] * 100 / most_tasks:.1f}",
            "hours_width": f"{float(row['patrol_hours']) * 100 / float(most_hours):.1f}",
        }
        for row in rows
    ]


def _size() -> dict[str, int]:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
    }
