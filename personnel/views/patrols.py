"""Patrol pages: the workload table and a worker's track for a day on the map."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from grids.geojson import feature_collection
from personnel import selectors_workload
from personnel.services.patrols import EARLIEST_DAY, LATEST_DAY, max_gap

WORKLOAD_PAGE_SIZE = 50
# Shared by the map and its legend, so the two always agree.
TRACK_COLORS = {"track": "#0b62d6", "flagged": "#d1242f", "grid": "#57606a"}


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)],
    )


@require_safe
@login_required
def workload(request):
    """Workers the user oversees (a grid worker: themself) with their grids and the hours
    patrolled this month, and their open tasks (counted by the incidents app)."""
    workers = selectors_workload.workload_list(user=request.user).order_by("employee_number", "pk")
    page = Paginator(workers, WORKLOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "worker": worker,
            "hours": worker.patrol_minutes_month / 60,
            "grids": worker.open_assignments,
        }
        for worker in page
    ]
    return render(
        request,
        "personnel/workload.html",
        {"page": page, "rows": rows, "today": timezone.localdate()},
    )


@require_safe
@login_required
def grid_workload(request):
    """Grids the user sees with their primary worker and the patrolling done inside them
    this month, and the open cases in them (counted by the incidents app)."""
    grids = selectors_workload.grid_workload_list(user=request.user).order_by("code")
    page = Paginator(grids, WORKLOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "personnel/grid_workload.html",
        {
            "page": page,
            "rows": [(grid, grid.patrol_minutes_month / 60) for grid in page],
            "today": timezone.localdate(),
        },
    )


def _session_lines(track) -> list[dict]:
    """The track as the map script draws it: one line per session, flagged points apart."""
    lines = []
    for session in track.sessions:
        lines.append(
            {
                "session": session.session_id,
                "line": [[fix.lat, fix.lng] for fix in session.points],
                "flagged": [
                    {
                        "lat": fix.lat,
                        "lng": fix.lng,
                        "time": timezone.localtime(fix.recorded_at).strftime("%H:%M:%S"),
                    }
                    for fix in session.points
                    if fix.outside
                ],
            }
        )
    return lines


@require_safe
@login_required
def worker_track(request, user_id: int):
    """A worker's patrol track on one local day (``?day=YYYY-MM-DD``, today by default),
    with their grids, flagged points and totals; 404 for a worker outside the user's scope."""
    worker = get_object_or_404(selectors_workload.track_worker_list(user=request.user), pk=user_id)
    today = timezone.localdate()
    form = DayForm(request.GET if "day" in request.GET else {"day": today.isoformat()})
    day = form.cleaned_data["day"] if form.is_valid() else today
    track = selectors_workload.worker_track(user=request.user, worker=worker, day=day)
    return render(
        request,
        "personnel/track.html",
        {
            "worker": worker,
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "form": form,
            "track": track,
            "distance_km": track.distance_m / 1000,
            "track_data": {
                "sessions": _session_lines(track),
                "grids": feature_collection(track.grids),
            },
            "colors": TRACK_COLORS,
            "max_gap_minutes": max_gap().total_seconds() / 60,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (35.80, 116.10)),
            "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
        },
    )


urlpatterns = [
    path("workload/", workload, name="workload"),
    path("workload/grids/", grid_workload, name="grid-workload"),
    path("workers/<int:user_id>/track/", worker_track, name="worker-track"),
]
