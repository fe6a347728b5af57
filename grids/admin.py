"""Back office for places and urban components.

Every save goes through grids.services (never ``obj.save()``), and every check a service makes
(a grid overlapping its siblings, a component code naming no known class, a location in no
grid) runs while the form is validated, so it shows as a form error instead of a 500. Places
and components are deactivated, never deleted: foreign keys PROTECT them and history points
at them. Reads go through grids.selectors like every other caller.

``leaflet.admin`` is never imported (it needs GeoDjango/GDAL): the boundary preview is a
read-only field rendering a small Leaflet map from django-leaflet's bundled static files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gridgov.exceptions import StaleObjectError
from grids import selectors, services
from grids.models import Community, Component, ComponentType, District, Grid, Street

STALE_MESSAGE = _(
    "Someone else changed this record since you opened it. Open it again to see their "
    "change, then make yours."
)


class ServiceValidatedForm(forms.ModelForm):
    """A ModelForm that also runs the service-side checks and guards against lost updates.

    ``expected_version`` carries the version the user opened; the save is a compare-and-swap
    on it, as in the API.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version

    def service_validate(self) -> None:
        """Run the service's checks on ``self.instance``; raise ValidationError."""

    def _post_clean(self) -> None:
        super()._post_clean()  # construct_instance() and the model's full_clean()
        if self.errors:
            return
        seen = self.cleaned_data.get("expected_version")
        if self.instance.pk is not None and seen is not None and seen != self.instance.version:
            self.add_error(None, ValidationError(STALE_MESSAGE, code="stale"))
            return
        try:
            self.service_validate()
        except ValidationError as exc:
            self._add_service_errors(exc)

    def _add_service_errors(self, exc: ValidationError) -> None:
        """Attach errors to their fields; errors on fields the form lacks become general."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            target = field if field in self.fields and field != NON_FIELD_ERRORS else None
            self.add_error(target, errors)


class PlaceForm(ServiceValidatedForm):
    def service_validate(self) -> None:
        # Districts, streets and communities: the model's full_clean() (already run) is all
        # the services check besides deriving the boundary figures, which cannot fail here.
        return None


class GridForm(ServiceValidatedForm):
    def service_validate(self) -> None:
        services.grid_validate(grid=self.instance)


class ComponentForm(ServiceValidatedForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "grid" in self.fields:
            self.fields["grid"].required = False
            self.fields["grid"].help_text = _(
                "Leave empty to take the grid that contains the location."
            )

    def service_validate(self) -> None:
        moved = bool({"lat", "lng"} & set(self.changed_data)) and "grid" not in self.changed_data
        relocate = self.instance.pk is not None and moved
        services.component_validate(component=self.instance, relocate=relocate)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A foreign-key list filter offering only the rows the user may see (through the
    admin's ``related_selectors``), not every row of the related table."""

    def field_choices(self, field, request, model_admin) -> list[tuple[Any, str]]:
        selector = getattr(model_admin, "related_selectors", {}).get(field.related_model)
        if selector is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in selector(user=request.user)]


class ScopedAdmin(admin.ModelAdmin):
    """Reads through a selector; saves through services; never deletes.

    Foreign-key choices come through the selectors too (``related_selectors``, by related
    model): a user can neither pick nor post a row outside their reach.
    """

    selector = None
    related_selectors: dict[type[Model], Callable[..., QuerySet]] = {
        District: selectors.district_list,
        Street: selectors.street_list,
        Community: selectors.community_list,
        Grid: selectors.grid_list,
    }

    def get_queryset(self, request) -> QuerySet:
        queryset = type(self).selector(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs: Any):
        selector = self.related_selectors.get(db_field.related_model)
        if selector is not None and "queryset" not in kwargs:
            kwargs["queryset"] = selector(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def changeform_view(self, request, *args: Any, **kwargs: Any):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except StaleObjectError:
            # Someone saved between our form check and our compare-and-swap.
            self.message_user(request, STALE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        except ValidationError as exc:
            # A check that passed with the form failed on save: another write came between
            # (e.g. a sibling grid drawn over this one meanwhile). Nothing was saved.
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # The create and update services, called with the form's data.
    def create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update(self, obj: Model, data: dict[str, Any], expected_version: int | None) -> Model:
        return services.place_update(place=obj, expected_version=expected_version, **data)

    def save_model(self, request, obj: Model, form: forms.ModelForm, change: bool) -> None:
        model_fields = {f.name for f in obj._meta.get_fields()}
        data = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in model_fields and name in form.fields
        }
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            saved = self.update(obj, changed, form.cleaned_data.get("expected_version"))
        else:
            saved = self.create(data)
        _adopt(obj, saved)

    @admin.action(description=_("Deactivate the selected records"))
    def deactivate(self, request, queryset: QuerySet) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Reactivate the selected records"))
    def activate(self, request, queryset: QuerySet) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset: QuerySet, *, active: bool) -> None:
        done = 0
        for obj in queryset.exclude(active=active):
            try:
                self.update(obj, {"active": active}, None)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {'; '.join(exc.messages)}", messages.ERROR)
            except StaleObjectError:
                self.message_user(request, f"{obj}: {STALE_MESSAGE}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d record updated.", "%(n)d records updated.", done) % {"n": done},
                messages.SUCCESS,
            )

    actions = ("deactivate", "activate")


def _adopt(obj: Model, saved: Model) -> None:
    """Make the admin's ``obj`` the row a service saved (the admin logs and redirects with it)."""
    if saved is obj:
        return
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class BoundaryPreviewMixin:
    """A read-only field with a small Leaflet map of the stored boundary.

    The map follows the boundary textarea as it is edited. No tile layer unless
    settings.MAP_TILE_URL is set: no tile server is reachable offline.
    """

    class Media:
        css = {"all": ("leaflet/leaflet.css",)}
        js = ("leaflet/leaflet.js", "js/boundary_preview.js")

    @admin.display(description=_("boundary preview"))
    def boundary_preview(self, obj: Model | None) -> str:
        center = settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (35.80, 116.10))
        return render_to_string(
            "admin/grids/boundary_preview.html",
            {
                "boundary": getattr(obj, "boundary", None),
                "element_id": "boundary-preview-data",
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "center_lat": center[0],
                "center_lng": center[1],
                "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
            },
        )

    @admin.display(description=_("area (m²)"), ordering="area_m2")
    def area(self, obj: Model) -> str:
        return "-" if obj.area_m2 is None else f"{obj.area_m2:,.0f}"

    @admin.display(description=_("centroid"))
    def centroid(self, obj: Model) -> str:
        if obj.centroid_lat is None:
            return "-"
        return f"{obj.centroid_lat:.6f}, {obj.centroid_lng:.6f}"


PLACE_DERIVED = ("centroid", "area", "bbox", "version", "created_at", "updated_at")
BOUNDARY_FIELDSET = (_("Boundary"), {"fields": ("boundary", "boundary_preview")})
DERIVED_FIELDSET = (_("Derived and bookkeeping"), {"fields": PLACE_DERIVED})


class PlaceAdmin(BoundaryPreviewMixin, ScopedAdmin):
    form = PlaceForm
    search_fields = ("code", "name", "name_en")
    list_filter = ("active",)
    readonly_fields = ("boundary_preview", *PLACE_DERIVED)
    parent_field: str | None = None

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Children's codes extend this code: changing it (or the parent it extends)
            # would leave them with codes that no longer fit. Recoding is a new place.
            fields += ("code",) + ((self.parent_field,) if self.parent_field else ())
        return fields


@admin.register(District)
class DistrictAdmin(PlaceAdmin):
    selector = selectors.district_list
    list_display = ("code", "name", "name_en", "area", "active")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "active", "expected_version")}),
        BOUNDARY_FIELDSET,
        DERIVED_FIELDSET,
    )

    def create(self, data: dict[str, Any]) -> Model:
        return services.district_create(**data)


@admin.register(Street)
class StreetAdmin(PlaceAdmin):
    selector = selectors.street_list
    parent_field = "district"
    list_display = ("code", "name", "name_en", "district", "area", "active", "map_link")
    list_filter = ("active", ("district", ScopedRelatedFilter))
    list_select_related = ("district",)
    autocomplete_fields = ("district",)
    fieldsets = (
        (None, {"fields": ("district", "code", "name", "name_en", "active", "expected_version")}),
        BOUNDARY_FIELDSET,
        DERIVED_FIELDSET,
    )

    def create(self, data: dict[str, Any]) -> Model:
        return services.street_create(**data)

    @admin.display(description=_("grid map"))
    def map_link(self, obj: Street) -> str:
        url = reverse("grids:street-map", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Open the map"))


@admin.register(Community)
class CommunityAdmin(PlaceAdmin):
    selector = selectors.community_list
    parent_field = "street"
    list_display = ("code", "name", "name_en", "street", "kind", "area", "active")
    list_filter = ("active", "kind", ("street__district", ScopedRelatedFilter))
    list_select_related = ("street",)
    autocomplete_fields = ("street",)
    fieldsets = (
        (
            None,
            {"fields": ("street", "code", "name", "name_en", "kind", "active", "expected_version")},
        ),
        BOUNDARY_FIELDSET,
        DERIVED_FIELDSET,
    )

    def create(self, data: dict[str, Any]) -> Model:
        return services.community_create(**data)


@admin.register(Grid)
class GridAdmin(PlaceAdmin):
    form = GridForm
    selector = selectors.grid_list
    list_display = (
        "code",
        "name",
        "community",
        "street",
        "kind",
        "population",
        "households",
        "area",
        "active",
    )
    list_filter = (
        "active",
        "kind",
        ("district", ScopedRelatedFilter),
        ("street", ScopedRelatedFilter),
    )
    list_select_related = ("community", "street", "district")
    autocomplete_fields = ("community",)
    readonly_fields = ("street", "district", "boundary_preview", *PLACE_DERIVED)
    show_full_result_count = False
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "community",
                    ("street", "district"),
                    "code",
                    "name",
                    "name_en",
                    "kind",
                    ("population", "households", "buildings"),
                    "active",
                    "expected_version",
                )
            },
        ),
        BOUNDARY_FIELDSET,
        DERIVED_FIELDSET,
    )

    def get_readonly_fields(self, request, obj: Model | None = None) -> tuple[str, ...]:
        # A grid's code may be corrected (components' codes follow the district, not the grid).
        return tuple(self.readonly_fields)

    def create(self, data: dict[str, Any]) -> Model:
        return services.grid_create(**data)

    def update(self, obj: Model, data: dict[str, Any], expected_version: int | None) -> Model:
        return services.grid_update(grid=obj, expected_version=expected_version, **data)


@admin.register(ComponentType)
class ComponentTypeAdmin(admin.ModelAdmin):
    """The CJ/T 214 catalogue, loaded by a migration: read-only here."""

    list_display = ("class_code", "major_class", "name", "name_en")
    list_filter = ("major_class",)
    search_fields = ("name", "name_en", "minor_class")
    list_per_page = 200

    @admin.display(description=_("class code"), ordering="major_class")
    def class_code(self, obj: ComponentType) -> str:
        return obj.class_code

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Model | None = None) -> bool:
        return False


@admin.register(Component)
class ComponentAdmin(ScopedAdmin):
    form = ComponentForm
    selector = selectors.component_list
    list_display = ("code", "type", "name", "grid", "state", "active")
    list_filter = (
        "active",
        "state",
        "type__major_class",
        ("grid__street", ScopedRelatedFilter),
    )
    list_select_related = ("type", "grid")
    search_fields = ("code", "name", "address", "grid__code")
    autocomplete_fields = ("grid",)
    readonly_fields = ("type", "version", "created_at", "updated_at")
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("code", "type", "name", "state", "active", "expected_version")}),
        (_("Location"), {"fields": (("lat", "lng"), "grid", "address")}),
        (_("Responsibility"), {"fields": ("owner", "maintainer")}),
        (_("Bookkeeping"), {"fields": ("version", "created_at", "updated_at")}),
    )

    def create(self, data: dict[str, Any]) -> Model:
        data.pop("type", None)
        return services.component_create(**data)

    def update(self, obj: Model, data: dict[str, Any], expected_version: int | None) -> Model:
        data.pop("type", None)
        if "grid" in data and data["grid"] is None:
            # Grid cleared: take the grid that contains the location, as on creation.
            del data["grid"]
            data.setdefault("lat", obj.lat)
            data.setdefault("lng", obj.lng)
        return services.component_update(component=obj, expected_version=expected_version, **data)
