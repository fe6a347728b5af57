"""The demo step of proposals, ratings and a survey: every proposal state, about sixty
survey responses across the communities, ratings of recently closed public cases (two
unsatisfied ones reopening theirs), and a second run that changes nothing."""

from __future__ import annotations

import pytest

from gridgov.demo import DemoContext
from incidents.models import Ticket
from participation.demo_voice import SURVEY_RESPONSES, seed_voice
from participation.models import Proposal, Rating, SurveyResponse
from tests import people
from tests.participation.voice import build_town, closed_case

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Proposal.objects.count(), Rating.objects.count(), SurveyResponse.objects.count()


def test_the_demo_fills_every_state_and_a_second_run_changes_nothing():
    town = build_town()
    people.user("admin", is_superuser=True)
    cases = [closed_case(town) for _ in range(4)]
    for n, case in enumerate(cases):  # numbered as the demo tickets are
        Ticket.objects.filter(pk=case.pk).update(number=f"GD-20261201-9{n:05d}")
    ctx = DemoContext(data={"district": town["street"].district})

    seed_voice(ctx)

    assert set(Proposal.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "accepted",
        "declined",
    }
    assert Proposal.objects.filter(ticket__isnull=False).count() == 1
    assert Proposal.objects.filter(activity__isnull=False).count() == 1
    assert SurveyResponse.objects.count() == SURVEY_RESPONSES
    assert set(SurveyResponse.objects.values_list("community", flat=True)) == {
        town["community"].pk,
        town["other"].pk,
    }
    assert sorted(Rating.objects.values_list("score", "reopened")) == [
        (1, True),
        (2, True),
        (4, False),
        (5, False),
    ]
    before = _counts()
    seed_voice(DemoContext(data={"district": town["street"].district}))
    assert _counts() == before
