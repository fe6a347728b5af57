from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from grids import selectors
from grids.choices import GridKind
from grids.geojson import community_outlines, feature_collection

# One colour per grid kind, shared by the polygons and the legend of the map pages.
GRID_KIND_COLORS = {
    GridKind.UNIT: "#1f6feb",
    GridKind.MANAGEMENT: "#8250df",
    GridKind.COMMUNITY: "#1a7f37",
    GridKind.SPECIAL: "#bc4c00",
}
DEFAULT_COLOR = "#57606a"


@require_safe
@login_required
def street_index(request):
    streets = selectors.street_list(user=request.user).filter(active=True)
    return render(request, "grids/street_index.html", {"streets": streets})


@require_safe
@login_required
def street_map(request, street_id: int):
    street = get_object_or_404(selectors.street_list(user=request.user), pk=street_id)
    grids = list(
        selectors.grid_list(user=request.user).filter(street=street, active=True).order_by("code")
    )
    kind_counts: dict[str, int] = {}
    for grid in grids:
        kind_counts[grid.kind] = kind_counts.get(grid.kind, 0) + 1
    legend = [
        {"kind": kind, "label": label, "color": GRID_KIND_COLORS[kind], "count": kind_counts[kind]}
        for kind, label in GridKind.choices
        if kind in kind_counts
    ]
    totals = {
        "grids": len(grids),
        "communities": len({grid.community_id for grid in grids}),
        "population": sum(grid.population for grid in grids),
        "households": sum(grid.households for grid in grids),
        "area_km2": sum(grid.area_m2 or 0 for grid in grids) / 1_000_000,
    }
    siblings = (
        selectors.street_list(user=request.user)
        .filter(district_id=street.district_id, active=True)
        .annotate(grid_count=Count("grids", filter=Q(grids__active=True)))
        .order_by("code")
    )
    center = settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (35.80, 116.10))
    return render(
        request,
        "grids/street_map.html",
        {
            "street": street,
            "grids": grids,
            "grids_geojson": feature_collection(grids),
            "communities_geojson": community_outlines(
                selectors.community_list(user=request.user).filter(street=street, active=True)
            ),
            "legend": legend,
            "grid_rows": [
                {"grid": grid, "color": GRID_KIND_COLORS.get(grid.kind, DEFAULT_COLOR)}
                for grid in grids
            ],
            "kinds": {
                str(kind): {"label": str(label), "color": GRID_KIND_COLORS[kind]}
                for kind, label in GridKind.choices
            },
            "totals": totals,
            "siblings": siblings,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": center,
            "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
        },
    )
