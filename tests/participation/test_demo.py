"""seed_demo's participation: residents with care tags, organisations, volunteers, a season
of activities with attendance and points, proposals in every state, ratings and a survey,
public services and reports; and a second run that changes none of it."""

from __future__ import annotations

import pytest

from gridgov import demo as registry
from gridgov.demo import DemoContext, run_steps
from participation.choices import ProposalStatus
from participation.models import (
    Activity,
    ActivitySignup,
    Organisation,
    PointsEntry,
    Proposal,
    PublicReport,
    PublicService,
    Rating,
    Resident,
    Survey,
    SurveyResponse,
    Volunteer,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Resident,
    Organisation,
    Volunteer,
    Activity,
    ActivitySignup,
    PointsEntry,
    Proposal,
    Rating,
    Survey,
    SurveyResponse,
    PublicService,
    PublicReport,
)
SKIPPED = {"patrols: recent patrol history"}


def seed() -> DemoContext:
    steps = [s for s in registry.demo_steps() if s.name not in SKIPPED]
    return run_steps(DemoContext(tickets=300), steps)


def test_the_demo_city_takes_part_and_a_second_run_changes_nothing():
    seed()

    assert Resident.objects.filter(care_tags__isnull=False).exists()
    assert Organisation.objects.values("kind").distinct().count() == 6
    assert Volunteer.objects.filter(resident__isnull=False).exists()
    assert Volunteer.objects.filter(user__username="volunteer1").exists()
    attended = ActivitySignup.objects.filter(attended=True, activity__status="done")
    assert attended.count() >= 10
    assert PointsEntry.objects.filter(kind="earn", key__startswith="attendance:").count() == (
        attended.exclude(hours=0).count()
    )
    assert Activity.objects.filter(status="open").exists()
    assert set(Proposal.objects.values_list("status", flat=True)) == set(ProposalStatus.values)
    assert Rating.objects.exists()
    # Ratings go to recently closed cases, so an unsatisfied one reopens its case.
    assert not Rating.objects.filter(score__lte=2, reopened=False).exists()
    assert SurveyResponse.objects.count() > 0
    assert set(PublicReport.objects.values_list("status", flat=True)) == {
        "pending",
        "ticketed",
        "rejected",
    }

    counts = {model: model.objects.count() for model in MODELS}
    seed()
    assert {model: model.objects.count() for model in MODELS} == counts
