"""The participation app's part of ``manage.py seed_demo``: five residents in every grid of
street 1, in two households each, some with care tags and a few visited by the grid's
worker, through the same services the API uses. Idempotent: a grid that has residents is
left as it is."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from grids.models import Grid, Street
from participation import (
    demo_community,  # noqa: F401 - registers community life's steps
    demo_public,  # noqa: F401 - registers the public side's steps
    demo_voice,  # noqa: F401 - registers proposals, ratings, a survey
)
from participation.choices import CareTagCode as Tag
from participation.models import Resident
from participation.personal_data import id_check_character
from participation.services import (
    household_create,
    household_update,
    resident_create,
    visit_record,
)
from personnel import demo_data
from personnel.models import GridAssignment

PER_GRID = 5
# Care tags of the five residents of a grid: three cared for, two not.
TAGS = (
    (Tag.ELDERLY_ALONE,),
    (),
    (Tag.DISABLED, Tag.LOW_INCOME),
    (),
    (Tag.VETERAN, Tag.KEY_CARE),
)
# Days since each resident was last visited (None: never).
VISITED_DAYS_AGO = (45, None, 3, None, None)


def _visitor(grid: Grid, fallback):
    assignment = (
        GridAssignment.objects.filter(grid=grid, until__isnull=True)
        .select_related("worker__user")
        .first()
    )
    return assignment.worker.user if assignment else fallback


@register("participation: demo residents", order=50)
def seed_residents(ctx: DemoContext) -> None:
    """Residents, households, care tags and visits in street 1's grids."""
    label = _("demo residents")
    street = Street.objects.filter(district=ctx.data["district"]).order_by("code").first()
    grids = list(Grid.objects.filter(street=street).order_by("code"))
    peopled = set(Resident.objects.filter(grid__in=grids).values_list("grid_id", flat=True))
    admin = get_user_model().objects.filter(username="admin").first()
    now = timezone.now()
    for done, grid in enumerate(grids, 1):
        if grid.pk in peopled:
            ctx.count(label, "unchanged", PER_GRID)
            continue
        visitor = _visitor(grid, admin)
        homes = [
            household_create(grid=grid, building=f"{1 + n}号楼", unit="1", room=f"{101 + n}")
            for n in range(2)
        ]
        for n in range(PER_GRID):
            serial = grid.pk * 10 + n
            surname = demo_data.SURNAMES[serial % len(demo_data.SURNAMES)]
            given = demo_data.GIVEN_NAMES[(serial * 7) % len(demo_data.GIVEN_NAMES)]
            first17 = f"371523{1940 + serial // 1000 % 60}0101{serial % 1000:03d}"
            home = homes[n % 2]
            resident = resident_create(
                grid=grid,
                name=f"{surname}{given}",
                building=home.building,
                unit=home.unit,
                room=home.room,
                phone=f"137{serial:08d}",
                id_number=first17 + id_check_character(first17),
                household=home,
                care_tags=TAGS[n],
            )
            if home.head_id is None:
                home = household_update(household=home, head=resident)
                homes[n % 2] = home
            if VISITED_DAYS_AGO[n] is not None and visitor is not None:
                at = now - timedelta(days=VISITED_DAYS_AGO[n])
                visit_record(resident=resident, visited_by=visitor, at=at, note=_("Routine visit"))
        ctx.count(label, "created", PER_GRID)
        ctx.progress(label, done, len(grids))
