"""Importing grids from a GeoJSON FeatureCollection (``manage.py import_grids``).

Everything is validated before anything is written, and every bad feature is reported with
its index and the reason; one bad feature means nothing is written. The format is the one
``export_grids`` writes: each feature has a Polygon or MultiPolygon geometry and the
properties ``code``, ``name``, optional ``name_en``, ``kind``, ``population``,
``households``, ``buildings``, ``active``, and ``community_code``/``community_name``,
``street_code``/``street_name``, ``district_code``/``district_name`` (optional
``community_kind``). Other properties (``id``, ``area_m2``) are ignored.

Grids are upserted by code through :func:`grids.services.grid_create` and
:func:`grids.services.grid_update`, so the services' rules hold; this module's checks
are stricter: a grid may not overlap any other active grid (in the file or in the
database, whatever its community) by more than the services' tolerance.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.exceptions import StaleObjectError
from grids import services
from grids.import_checks import (
    ImportReport,
    Plan,
    ProgressFn,
    attach_existing,
    check_duplicates,
    check_feature,
    check_overlaps,
    check_parents,
    collection_features,
    error_messages,
)
from grids.models import Community, District, Grid, Street


def grids_import(
    *,
    collection: Any,
    create_parents: bool = False,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Validate a GeoJSON FeatureCollection of grids, then create or update them by code.

    Every feature is checked (properties, geometry via :func:`grids.geometry.parse_boundary`,
    code prefixes, duplicates, parents, overlaps with the file and the database) and every
    problem goes into ``report.errors``; if there is any, or with ``dry_run``, nothing is
    written and the report says what would have been created or updated. Otherwise all
    writes happen in one transaction: missing parents first (only with ``create_parents``;
    a new district needs ``district_name``, a new street ``street_name``, a new community
    ``community_name``), then grids through the services.
    """
    progress = progress or (lambda label, done, total: None)
    report = ImportReport(dry_run=dry_run)
    features = collection_features(collection, report)
    if features is None:
        return report
    report.total = len(features)
    plans: list[Plan] = []
    step = max(1, len(features) // 10)
    for index, feature in enumerate(features):
        plan = check_feature(index, feature, report)
        if plan is not None:
            plans.append(plan)
        if (index + 1) % step == 0 or index + 1 == len(features):
            progress(_("checked"), index + 1, len(features))
    plans = check_duplicates(plans, report)
    attach_existing(plans)
    parents = check_parents(plans, report, create_parents=create_parents)
    check_overlaps(plans, report)
    if report.errors:
        report.errors.sort(key=lambda e: -1 if e.index is None else e.index)
        return report
    for plan in plans:
        plan.action = _action(plan)
        {"create": report.created, "update": report.updated, "unchanged": report.unchanged}[
            plan.action
        ].append(plan.code)
    report.parents_created = [(level, code, name) for level, code, name, _kind in parents]
    if dry_run:
        return report
    current: Plan | None = None
    try:
        with transaction.atomic():
            made = _create_parents(parents)
            # Grids to update are set inactive first (no version bump; nobody outside this
            # transaction sees it), so the services' overlap check meets each grid in its final
            # state or not at all, never a neighbour that moves away later in the file.
            Grid.objects.filter(
                pk__in=[p.existing.pk for p in plans if p.action == "update" and p.existing]
            ).update(active=False)
            for done, plan in enumerate(plans, start=1):
                current = plan
                _write(plan, made)
                if done % step == 0 or done == len(plans):
                    progress(_("written"), done, len(plans))
    except (ValidationError, StaleObjectError) as exc:
        report.created, report.updated, report.unchanged, report.parents_created = [], [], [], []
        index, code = (current.index, current.code) if current else (None, None)
        messages = error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
        for message in messages:
            report.error(index, code, message)
    return report


def _action(plan: Plan) -> str:
    if plan.existing is None:
        return "create"
    if any(getattr(plan.existing, name) != value for name, value in plan.values.items()):
        return "update"
    return "unchanged"


def _create_parents(
    parents: list[tuple[str, str, str, str | None]],
) -> dict[str, Community | Street | District]:
    made: dict[str, Any] = {}

    def parent(model: type, code: str) -> Any:
        return made.get(code) or model.objects.get(code=code)

    for level, code, name, kind in parents:
        if level == "district":
            made[code] = services.district_create(code=code, name=name)
        elif level == "street":
            made[code] = services.street_create(
                district=parent(District, code[:6]), code=code, name=name
            )
        else:
            extra = {"kind": kind} if kind else {}
            made[code] = services.community_create(
                street=parent(Street, code[:9]), code=code, name=name, **extra
            )
    return made


def _write(plan: Plan, made: dict[str, Any]) -> None:
    if plan.action == "unchanged":
        return
    if plan.action == "update":
        services.grid_update(grid=plan.existing, **plan.values)
        return
    community_code = plan.parent_codes["community"]
    community = made.get(community_code)
    if community is None:
        community = Community.objects.select_related("street").get(code=community_code)
        made[community_code] = community
    fields = dict(plan.values)
    services.grid_create(
        community=community,
        code=plan.code,
        name=fields.pop("name"),
        boundary=fields.pop("boundary"),
        **fields,
    )
