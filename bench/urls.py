"""The bench URLconf: every route of the project, plus the reference of the ticket API
bench (``bench/reference/tickets/``), selected by ``bench.settings`` only.

The reference answers the rows of the worker's ticket list (the same 50 rows, the same
fields, newest first) with ONE raw SQL query and ``json.dumps``: no authentication, no
serializer, no ORM, no pagination object. The scope comes in the query string (the ids the
bench computed with ``personnel.scope.scope_for``), so its WHERE is the selector's.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

COLUMNS = [
    "id",
    "number",
    "source",
    "category_id",
    "priority",
    "title",
    "description",
    "lat",
    "lng",
    "address",
    "grid_id",
    "community_id",
    "street_id",
    "component_id",
    "status",
    "level",
    "lead_department_id",
    "assignee_id",
    "stage",
    "stage_started_at",
    "stage_due_at",
    "sla_colour",
    "rework_count",
    "satisfaction",
    "duplicate_of_id",
    "version",
    "created_at",
    "updated_at",
]
AREA = ("district_id", "street_id", "community_id", "grid_id")


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def reference_tickets(request):
    """The worker's first page of tickets in one raw query (see the module docstring)."""
    where, params = [], []
    for column in AREA:
        ids = _ids(request.GET.get(column, ""))
        if ids:
            where.append(f"t.{column} IN ({', '.join(['%s'] * len(ids))})")
            params += ids
    where.append("t.reporter_id = %s")
    params.append(int(request.GET["reporter"]))
    limit = min(int(request.GET.get("page_size", 50)), 500)
    columns = ", ".join(f"t.{name}" for name in COLUMNS)
    sql = (
        f"SELECT {columns}, c.name, g.code FROM incidents_ticket t "  # noqa: S608 - ids are ints
        "JOIN incidents_category c ON c.id = t.category_id "
        "JOIN grids_grid g ON g.id = t.grid_id "
        f"WHERE {' OR '.join(where)} ORDER BY t.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    names = [*COLUMNS, "category_name", "grid_code"]
    results = [dict(zip(names, row, strict=True)) for row in rows]
    body = json.dumps({"results": results}, default=str, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/reference/tickets/", reference_tickets),
    path("", include("gridgov.urls")),
]

handler404 = "gridgov.views.not_found"
handler500 = "gridgov.views.server_error"
