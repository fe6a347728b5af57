from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunityKind(models.TextChoices):
    URBAN = "urban", _("urban community")
    VILLAGE = "village", _("village")


class GridKind(models.TextChoices):
    UNIT = "unit", _("unit grid")
    MANAGEMENT = "management", _("management grid")
    COMMUNITY = "community", _("community-level grid")
    SPECIAL = "special", _("special grid (campus, park, market)")


class ComponentMajorClass(models.TextChoices):
    """Major classes of urban components (CJ/T 214)."""

    PUBLIC_UTILITIES = "01", _("public utilities")
    ROADS_TRAFFIC = "02", _("roads and traffic")
    CITY_APPEARANCE = "03", _("city appearance and environment")
    GREENERY = "04", _("landscaping and greenery")
    BUILDINGS_LAND = "05", _("buildings and land")
    OTHER = "06", _("other facilities")


class ComponentState(models.TextChoices):
    INTACT = "intact", _("intact")
    DAMAGED = "damaged", _("damaged")
    LOST = "lost", _("lost")
    OCCUPIED = "occupied", _("occupied")
