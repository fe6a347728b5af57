from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    """What an assessment is about: a place of the grid hierarchy, a department or a worker."""

    DISTRICT = "district", _("district")
    STREET = "street", _("street")
    COMMUNITY = "community", _("community")
    GRID = "grid", _("grid")
    DEPARTMENT = "department", _("department")
    WORKER = "worker", _("grid worker")


# Scopes read from the region rollup (grid × category × source × day).
PLACE_KINDS = frozenset({ScopeKind.DISTRICT, ScopeKind.STREET, ScopeKind.COMMUNITY, ScopeKind.GRID})


class PeriodKind(models.TextChoices):
    YEAR = "year", _("year")
    QUARTER = "quarter", _("quarter")
    MONTH = "month", _("month")
    WEEK = "week", _("ISO week")


class Grade(models.TextChoices):
    """Assessment grades (DOMAIN.md, "Assessment"): A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below."""

    A = "A", _("A: excellent")
    B = "B", _("B: good")
    C = "C", _("C: pass")
    D = "D", _("D: weak")
    E = "E", _("E: failing")


class SubjectKind(models.TextChoices):
    """Who a monthly score is about. The values name the score's foreign key."""

    WORKER = "worker", _("grid worker")
    DEPARTMENT = "department", _("department")
    COMMUNITY = "community", _("community")


class RankingKind(models.TextChoices):
    """What a ranking ranks: the scored subjects, and grids (by the community formula)."""

    GRID = "grid", _("grid")
    WORKER = "worker", _("grid worker")
    DEPARTMENT = "department", _("department")
    COMMUNITY = "community", _("community")


class ScoreStatus(models.TextChoices):
    COMPUTED = "computed", _("computed")
    SIGNED_OFF = "signed_off", _("signed off")
