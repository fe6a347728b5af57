from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from grids import selectors
from grids.geojson import feature_collection


@login_required
def street_index(request):
    streets = selectors.street_list(user=request.user).filter(active=True)
    return render(request, "grids/street_index.html", {"streets": streets})


@login_required
def street_map(request, street_id: int):
    street = get_object_or_404(selectors.street_list(user=request.user), pk=street_id)
    grids = (
        selectors.grid_list(user=request.user).filter(street=street, active=True).order_by("code")
    )
    return render(
        request,
        "grids/street_map.html",
        {
            "street": street,
            "grids_geojson": feature_collection(grids),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )
