"""The checks behind ``manage.py import_grids``: every feature, every reason, before any write.

A feature becomes a :class:`Plan` when its own properties and geometry are sound; the later
checks (duplicates, parents, overlaps) work on the plans and add to the same report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from grids import geometry, services
from grids.choices import CommunityKind
from grids.models import Community, District, Grid, Street

ProgressFn = Callable[[str, int, int], None]

GRID_FIELDS = ("name", "name_en", "kind", "population", "households", "buildings", "active")
COUNT_FIELDS = ("population", "households", "buildings")
TEXT_FIELDS = ("name", "name_en")
LEVELS = (
    # level, code property, name property, code length
    ("community", "community_code", "community_name", 12),
    ("street", "street_code", "street_name", 9),
    ("district", "district_code", "district_name", 6),
)


def level_label(level: str) -> str:
    """The translated name of a level of the hierarchy ("district", "street", ...)."""
    return {
        "district": _("district"),
        "street": _("street"),
        "community": _("community"),
        "grid": _("grid"),
    }[level]


@dataclass(frozen=True)
class FeatureError:
    """One reason a feature (``index`` into ``features``; None for the whole file) is bad."""

    index: int | None
    code: str | None
    message: str

    def __str__(self) -> str:
        if self.index is None:
            return self.message
        where = f"features[{self.index}]"
        if self.code:
            where = f"{where} ({self.code})"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did, or would do (``dry_run``), or why it wrote nothing (``errors``)."""

    dry_run: bool = False
    total: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # (level, code, name) of districts, streets and communities created (or to create).
    parents_created: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[FeatureError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_features(self) -> list[int]:
        return sorted({e.index for e in self.errors if e.index is not None})

    def error(self, index: int | None, code: str | None, message: str) -> None:
        self.errors.append(FeatureError(index=index, code=code, message=message))


@dataclass
class Plan:
    index: int
    code: str
    values: dict[str, Any]  # GRID_FIELDS given in the file, plus "boundary"
    geom: BaseGeometry | None = None
    parent_codes: dict[str, str] = field(default_factory=dict)  # level → code
    parent_names: dict[str, str] = field(default_factory=dict)  # level → name from the file
    community_kind: str | None = None
    existing: Grid | None = None
    action: str = ""

    @property
    def active(self) -> bool:
        if "active" in self.values:
            return self.values["active"]
        return self.existing.active if self.existing is not None else True


def collection_features(collection: Any, report: ImportReport) -> list[Any] | None:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        report.error(None, None, _("The file is not a GeoJSON FeatureCollection."))
        return None
    features = collection.get("features")
    if not isinstance(features, list):
        report.error(None, None, _("The FeatureCollection has no list of features."))
        return None
    return features


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return list(exc.messages)


def _code(value: Any) -> str | None:
    """Codes are strings of digits; integers (from spreadsheets) are accepted as such."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def check_feature(index: int, feature: Any, report: ImportReport) -> Plan | None:
    """Checks that need only the feature itself."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        report.error(index, None, _("This is not a GeoJSON Feature."))
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        report.error(index, None, _("The feature has no properties object."))
        return None
    raw_code = properties.get("code")
    code = _code(raw_code)
    if raw_code in (None, ""):
        report.error(index, None, _("The property code is missing."))
        return None
    if code is None or not re.fullmatch(r"\d{14,15}", code):
        report.error(
            index,
            None,
            _("The code %(code)r is not a grid code (14 or 15 digits).") % {"code": raw_code},
        )
        return None

    values: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, "kind"):
        if properties.get(name) is None:
            continue
        if not isinstance(properties[name], str):
            report.error(index, code, _("%(field)s must be text.") % {"field": name})
        else:
            values[name] = properties[name].strip()
    for name in COUNT_FIELDS:
        value = properties.get(name)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            report.error(
                index,
                code,
                _("%(field)s must be a whole number of 0 or more, not %(value)r.")
                % {"field": name, "value": value},
            )
        else:
            values[name] = value
    if properties.get("active") is not None:
        if not isinstance(properties["active"], bool):
            report.error(index, code, _("active must be true or false."))
        else:
            values["active"] = properties["active"]

    plan = Plan(index=index, code=code, values=values)
    _check_parent_codes(plan, properties, report)
    kind = properties.get("community_kind")
    if kind is not None:
        if kind not in CommunityKind.values:
            report.error(
                index,
                code,
                _("community_kind must be one of %(kinds)s.")
                % {"kinds": ", ".join(CommunityKind.values)},
            )
        else:
            plan.community_kind = kind

    raw_geometry = feature.get("geometry")
    try:
        plan.geom = geometry.parse_boundary(raw_geometry)
    except geometry.BoundaryError as exc:
        for message in exc.messages:
            report.error(index, code, message)
    else:
        values["boundary"] = {
            "type": raw_geometry["type"],
            "coordinates": raw_geometry["coordinates"],
        }

    # The model's own field rules (lengths, blank names, choices), without queries.
    candidate = Grid(code=code, **{k: v for k, v in values.items() if k != "boundary"})
    try:
        candidate.clean_fields(
            exclude=["community", "street", "district", "boundary"]
            + [name for name in GRID_FIELDS if name not in values]
        )
    except ValidationError as exc:
        for message in error_messages(exc):
            report.error(index, code, message)
    return plan


def _check_parent_codes(plan: Plan, properties: dict, report: ImportReport) -> None:
    """The grid's community, street and district codes are prefixes of its code; given
    ones must agree, missing ones are derived."""
    child_code, child_level = plan.code, "grid"
    for level, code_property, name_property, length in LEVELS:
        derived = plan.code[:length]
        raw = properties.get(code_property)
        if raw not in (None, ""):
            given = _code(raw)
            if given is None or not re.fullmatch(rf"\d{{{length}}}", given):
                report.error(
                    plan.index,
                    plan.code,
                    _("%(property)s %(value)r is not %(n)d digits.")
                    % {"property": code_property, "value": raw, "n": length},
                )
            elif given != derived:
                report.error(
                    plan.index,
                    plan.code,
                    _(
                        "The %(child)s code %(code)s does not start with its %(level)s code "
                        "%(parent)s."
                    )
                    % {
                        "child": level_label(child_level),
                        "code": child_code,
                        "level": level_label(level),
                        "parent": given,
                    },
                )
        plan.parent_codes[level] = derived
        name = properties.get(name_property)
        if isinstance(name, str) and name.strip():
            plan.parent_names[level] = name.strip()
        child_code, child_level = derived, level


def check_duplicates(plans: list[Plan], report: ImportReport) -> list[Plan]:
    first: dict[str, int] = {}
    kept = []
    for plan in plans:
        if plan.code in first:
            report.error(
                plan.index,
                plan.code,
                _("The code %(code)s is already used by features[%(first)d].")
                % {"code": plan.code, "first": first[plan.code]},
            )
        else:
            first[plan.code] = plan.index
            kept.append(plan)
    return kept


def attach_existing(plans: list[Plan]) -> None:
    existing = Grid.objects.select_related("community__street__district").in_bulk(
        [plan.code for plan in plans], field_name="code"
    )
    for plan in plans:
        plan.existing = existing.get(plan.code)


def check_parents(
    plans: list[Plan], report: ImportReport, *, create_parents: bool
) -> list[tuple[str, str, str, str | None]]:
    """Every grid's community must exist, or be creatable with ``create_parents`` (and so
    on up to the district). Returns (level, code, name, kind) of parents to create, top down.
    New grids need a name too; this is checked here as it is the first place that knows
    whether a grid is new."""
    for plan in plans:
        if plan.existing is None and not plan.values.get("name"):
            report.error(plan.index, plan.code, _("A new grid needs a name."))
    level_models = {"community": Community, "street": Street, "district": District}
    existing_codes = {
        level: set(
            model.objects.filter(code__in={plan.parent_codes[level] for plan in plans}).values_list(
                "code", flat=True
            )
        )
        for level, model in level_models.items()
    }
    to_create: dict[tuple[str, str], dict[str, list[int]]] = {}  # (level, code) → name → idx
    kinds: dict[str, str] = {}
    for plan in plans:
        community_code = plan.parent_codes["community"]
        if community_code in existing_codes["community"]:
            continue
        if not create_parents:
            report.error(
                plan.index,
                plan.code,
                _(
                    "The community %(code)s does not exist; create it first or import with "
                    "--create-parents."
                )
                % {"code": community_code},
            )
            continue
        for level, _code_property, _name_property, _length in LEVELS:
            code = plan.parent_codes[level]
            if code in existing_codes[level]:
                break
            names = to_create.setdefault((level, code), {})
            names.setdefault(plan.parent_names.get(level, ""), []).append(plan.index)
        if plan.community_kind:
            kinds.setdefault(community_code, plan.community_kind)
    parents = []
    by_index = {plan.index: plan for plan in plans}
    for (level, code), names in to_create.items():
        given = sorted(name for name in names if name)
        property_name = f"{level}_name"
        if not given:
            for index in names[""]:
                report.error(
                    index,
                    by_index[index].code,
                    _("The %(level)s %(code)s does not exist and no feature gives its %(prop)s.")
                    % {"level": level_label(level), "code": code, "prop": property_name},
                )
            continue
        if len(given) > 1:
            for name in given[1:]:
                for index in names[name]:
                    report.error(
                        index,
                        by_index[index].code,
                        _(
                            "%(prop)s %(name)s differs from %(first)s given for the new "
                            "%(level)s %(code)s by features[%(index)d]."
                        )
                        % {
                            "prop": property_name,
                            "name": name,
                            "first": given[0],
                            "level": level_label(level),
                            "code": code,
                            "index": names[given[0]][0],
                        },
                    )
            continue
        parents.append((level, code, given[0], kinds.get(code)))
    order = {"district": 0, "street": 1, "community": 2}
    parents.sort(key=lambda parent: (order[parent[0]], parent[1]))
    return parents


def check_overlaps(plans: list[Plan], report: ImportReport) -> None:
    """No active grid of the file may overlap another active one, in the file or in the
    database (grids the file replaces are compared in their new shape)."""
    mine = [plan for plan in plans if plan.geom is not None and plan.active]
    if not mine:
        return
    min_x = min(plan.geom.bounds[0] for plan in mine)
    min_y = min(plan.geom.bounds[1] for plan in mine)
    max_x = max(plan.geom.bounds[2] for plan in mine)
    max_y = max(plan.geom.bounds[3] for plan in mine)
    envelope = box(min_x, min_y, max_x, max_y)
    in_file = {plan.code for plan in plans}
    others: list[tuple[str, str, BaseGeometry]] = []
    rows = (
        Grid.objects.filter(active=True)
        .exclude(code__in=in_file)
        .values_list("code", "name", "boundary", "bbox")
    )
    for code, name, boundary, bbox in rows.iterator(chunk_size=2000):
        if bbox and not envelope.intersects(box(*bbox)):
            continue
        try:
            others.append((code, name, geometry.parse_boundary(boundary)))
        except geometry.BoundaryError:
            continue  # a stored boundary the services would have refused: not ours to judge
    geoms = [plan.geom for plan in mine] + [geom for _c, _n, geom in others]
    tree = STRtree(geoms)
    for position, plan in enumerate(mine):
        for hit in sorted(int(h) for h in tree.query(plan.geom, predicate="intersects")):
            if hit == position:
                continue
            shared = geometry.overlap_m2(plan.geom, geoms[hit])
            if shared <= services.OVERLAP_TOLERANCE_M2:
                continue
            if hit < len(mine):
                other = mine[hit]
                message = _(
                    "The boundary overlaps features[%(index)d] (grid %(code)s %(name)s) by "
                    "%(area).1f m²."
                ) % {
                    "index": other.index,
                    "code": other.code,
                    "name": other.values.get("name")
                    or (other.existing.name if other.existing else ""),
                    "area": shared,
                }
            else:
                code, name, _geom = others[hit - len(mine)]
                message = _(
                    "The boundary overlaps grid %(code)s (%(name)s) in the database by "
                    "%(area).1f m²."
                ) % {"code": code, "name": name, "area": shared}
            report.error(plan.index, plan.code, message)


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------
