"""Forecast reads: the next week's cases of every grid × major category in a user's reach,
with the backtest beside each and the grids whose week is unusually high (the formulas are
in :mod:`assessment.forecast`; this module reads the rollups and caches the answer).

History is the ``reported`` figure of the grid-day rollups summed per grid, major category
(a minor class counts for its parent) and local day over the last ``HISTORY_WEEKS`` whole
weeks, ending yesterday: today's rollups are still filling, and a half-day would read as a
drop. The forecast covers today and the six days after it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, astuple
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import forecast as fc
from assessment.choices import PLACE_KINDS
from assessment.scopes import Scope
from assessment.selectors import grid_day_list, place_visible
from personnel.scope import scope_for

HISTORY_WEEKS = 16
CACHE_SECONDS = 3600  # a bound on staleness should a rollup write escape the fingerprint
DIGITS = 3


def _history(user, within: Scope | None, first: date, last: date):
    """The user's grid-day rollups of ``first``…``last`` (inside ``within`` if given)."""
    rows = grid_day_list(user=user).filter(day__gte=first, day__lte=last)
    if within is not None:
        rows = rows.filter(**{f"{within.kind}_id": within.id})
    return rows


def _cache_key(user, within: Scope | None, today: date, rows) -> str:
    """Who may see what (the user's reach and the place asked for), the day, and a
    fingerprint of the rows read: the highest id, the number of rows and the cases.

    Why not the rollup cursor's last run: a rebuild rewrites days without touching the
    cursor. Every rollup write deletes whole days and inserts them again, and ids are never
    reused (PostgreSQL sequences, SQLite AUTOINCREMENT), so any write to a day in the
    window changes the highest id or the count; a new day changes ``today``. One aggregate
    over the indexed (place, day) range pays for that certainty.
    """
    reach = astuple(scope_for(user))
    signature = repr(tuple(sorted(p) if isinstance(p, frozenset) else p for p in reach))
    found = rows.aggregate(top=Max("id"), n=Count("id"), cases=Sum("reported"))
    text = f"{signature}|{within}|{today}|{found['top']}|{found['n']}|{found['cases']}"
    return "assessment:forecast:" + hashlib.sha256(text.encode()).hexdigest()


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, DIGITS) if isinstance(v, float) else v for k, v in values.items()}


def _compute(rows, first: date, days: int) -> dict[str, Any]:
    """Forecasts, backtests and hotspots of the rows' series, from ONE grouped query."""
    grouped = rows.values(
        "grid_id",
        "grid__code",
        "grid__name",
        "day",
        major=Coalesce("category__parent_id", "category_id"),
        major_code=Coalesce("category__parent__code", "category__code"),
        major_name=Coalesce("category__parent__name", "category__name"),
    ).annotate(cases=Sum("reported"))
    series: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * days)
    pooled: dict[int, list[int]] = defaultdict(lambda: [0] * days)
    grids: dict[int, dict[str, Any]] = {}
    majors: dict[int, dict[str, Any]] = {}
    for row in grouped.order_by():
        offset = (row["day"] - first).days
        series[(row["grid_id"], row["major"])][offset] += row["cases"]
        pooled[row["major"]][offset] += row["cases"]
        grids[row["grid_id"]] = {
            "id": row["grid_id"],
            "code": row["grid__code"],
            "name": row["grid__name"],
        }
        majors[row["major"]] = {
            "id": row["major"],
            "code": row["major_code"],
            "name": row["major_name"],
        }
    out, backtests = [], []
    by_grid: dict[int, list[int]] = defaultdict(lambda: [0] * days)
    expected_by_grid: dict[int, float] = defaultdict(float)
    for (grid_id, major), counts in series.items():
        if not any(counts):
            continue  # cases reported and later moved away leave rows of zeros
        predicted, dispersion = fc.forecast(counts, first, pooled[major])
        week = fc.total(predicted, dispersion)
        tested = fc.backtest(counts, first, pooled[major])
        backtests.append(tested)
        by_grid[grid_id] = [a + b for a, b in zip(by_grid[grid_id], counts, strict=True)]
        expected_by_grid[grid_id] += week["expected"]
        out.append(
            {
                "grid": grids[grid_id],
                "category": majors[major],
                "days": [_rounded(asdict(day)) for day in predicted],
                "total": _rounded(week),
                "last_week": sum(counts[-7:]),
                "backtest": _rounded(asdict(tested)),
            }
        )
    out.sort(key=lambda s: (s["grid"]["code"], s["category"]["code"]))
    hotspots = []
    for grid_id, counts in by_grid.items():
        z = fc.hotspot_z(counts, expected_by_grid[grid_id])
        if z >= fc.HOTSPOT_Z:
            hotspots.append(
                {
                    "grid": grids[grid_id],
                    "z": round(z, DIGITS),
                    "last_week": sum(counts[-7:]),
                    "expected_week": round(expected_by_grid[grid_id], DIGITS),
                }
            )
    hotspots.sort(key=lambda h: (-h["z"], h["grid"]["code"]))
    return {
        "backtest": _rounded(asdict(fc.pooled_backtest(backtests))),
        "series": out,
        "hotspots": hotspots,
    }


def forecast_for(*, user, within: Scope | None = None, today: date | None = None) -> dict:
    """Next week's expected cases of every grid × major category with a case in the last
    ``HISTORY_WEEKS`` weeks of the user's reach (inside the place ``within`` if given): per
    day and for the week, with 80 % intervals, each series' backtest, all series' backtest
    pooled, and the hotspots (grids whose forecast or last week lies ``HOTSPOT_Z`` or more
    above their own weekly history), highest first.

    The weekday profile of a category is pooled over the grids read, the scope's own.
    Cached (see ``_cache_key``); ValidationError for a scope that is not a place, Http404
    for one outside the user's reach.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404(_("No such scope in your reach."))
    if within is not None:
        if within.kind not in PLACE_KINDS:
            raise ValidationError(
                {
                    "scope": _(
                        "Forecasts are made for places: a district, street, community or grid."
                    )
                },
                code="invalid",
            )
        if not place_visible(user, within):
            raise Http404(_("No such place in your scope."))
    today = today or timezone.localdate()
    last = today - timedelta(days=1)
    first = last - timedelta(days=HISTORY_WEEKS * 7 - 1)
    rows = _history(user, within, first, last)
    key = _cache_key(user, within, today, rows)
    found = cache.get(key)
    if found is None:
        found = {
            "scope": str(within) if within else None,
            "today": today,
            "first": first,
            "last": last,
            **_compute(rows, first, HISTORY_WEEKS * 7),
        }
        cache.set(key, found, CACHE_SECONDS)
    return found
