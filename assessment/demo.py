"""The assessment app's demo step: the rollups of the demo city's history."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.services.rollups import rollups_refresh
from assessment.services.scores import previous_month, scores_compute_month
from gridgov.demo import DemoContext, register


@register("assessment: rollups", order=60)
def seed_rollups(ctx: DemoContext) -> None:
    """Bring the rollups up to date with everything seeded before (the refresh reads every
    event it has not read yet, so a second seeding rewrites only what changed)."""
    ctx.say(_("Rolling up the case history for the dashboards…"))
    result = rollups_refresh()
    ctx.count(
        _("rollup days written"), "created" if result.days else "unchanged", len(result.days) or 1
    )


@register("assessment: monthly scores", order=61)
def seed_scores(ctx: DemoContext) -> None:
    """The last three months' scores, as the nightly job leaves them (none signed off:
    that is the supervisor's to do)."""
    month = previous_month(timezone.localdate())
    for _step in range(3):
        done = scores_compute_month(month=month)
        ctx.count(_("monthly scores"), "created", sum(k["created"] for k in done.values()))
        month = previous_month(month)
