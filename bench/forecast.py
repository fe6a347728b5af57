"""The forecast's acceptance on the full demo city: seed the default demo tickets
(``BENCH_FORECAST_TICKETS``, 3,000; patrols, the books, the participation data and the
monthly scores left out: the forecast reads the rolled-up reported cases only), let the
demo's rollup step roll them up,
and backtest every grid × major category over the held-out weeks against last week. The
model must beat the naive baseline (``model / naive`` below 1), and the time it takes is
shown with the cached answer's."""

from __future__ import annotations

import os
import time

from django.utils import timezone

from assessment.forecasts import forecast_for
from gridgov import demo as registry
from gridgov.demo import DemoContext, run_steps
from personnel.models import User

TICKETS = int(os.environ.get("BENCH_FORECAST_TICKETS", 3000))
UNREAD = {"patrols: recent patrol history", "assessment: monthly scores"}
UNREAD_APPS = {"funding", "participation"}


def run() -> dict[str, float | int]:
    steps = [
        s for s in registry.demo_steps() if s.name not in UNREAD and s.app_label not in UNREAD_APPS
    ]
    started = time.perf_counter()
    run_steps(DemoContext(tickets=TICKETS), steps)
    seeded = time.perf_counter() - started
    root = User.objects.filter(is_superuser=True).first()
    started = time.perf_counter()
    found = forecast_for(user=root, today=timezone.localdate())
    computed = time.perf_counter() - started
    started = time.perf_counter()
    forecast_for(user=root, today=timezone.localdate())
    cached = time.perf_counter() - started
    tested = found["backtest"]
    return {
        "series": len(found["series"]),
        "held-out series-days": tested["days"],
        "model MAE (median)": tested["model_mae"],
        "naive MAE (last week)": tested["naive_mae"],
        "model / naive MAE": tested["model_mae"] / tested["naive_mae"],
        "model RMSE (expected)": tested["model_rmse"],
        "naive RMSE (last week)": tested["naive_rmse"],
        "model / naive RMSE": tested["model_rmse"] / tested["naive_rmse"],
        "hotspots": len(found["hotspots"]),
        "seed and roll up (s)": seeded,
        "forecast computed (s)": computed,
        "forecast cached (s)": cached,
    }
