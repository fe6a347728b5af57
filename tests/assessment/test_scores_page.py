"""The monthly scores page as a supervisor and street staff use it: reading a month's
scores, adjusting one with a reason, signing it off, and what stays refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from assessment.choices import ScoreStatus
from assessment.models import MonthlyScore, ScoreAdjustment, ScoreSignOff
from assessment.services.scores import scores_compute_month
from tests.assessment.town import OCTOBER, build_town, october_rows

PAGE = "/assessment/scores/?month=2026-10&kind=community"


@pytest.fixture
def town(db):
    found = build_town()
    october_rows(found)
    scores_compute_month(month=date(2026, 10, 1))
    found["score"] = MonthlyScore.objects.get(month=OCTOBER, community=found["communities"][0])
    return found


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_supervisor_reads_the_month_and_may_adjust_and_sign(town):
    response = _client(town["supervisor"]).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-score="{town["score"].pk}"' in html
    assert f"/assessment/scores/{town['score'].pk}/sign-off/" in html


def test_an_adjustment_needs_a_reason_and_is_kept_as_history(town):
    client, score = _client(town["supervisor"]), town["score"]
    refused = client.post(f"/assessment/scores/{score.pk}/adjust/", {f"s{score.pk}-value": "80"})
    assert refused.status_code == 400
    assert not ScoreAdjustment.objects.exists()
    done = client.post(
        f"/assessment/scores/{score.pk}/adjust/",
        {f"s{score.pk}-value": "80", f"s{score.pk}-reason": "复核后调整"},
        follow=True,
    )
    assert "Score adjusted" in done.content.decode()
    adjustment = ScoreAdjustment.objects.get()
    assert adjustment.new_value == 80 and adjustment.reason == "复核后调整"
    assert MonthlyScore.objects.get(pk=score.pk).effective_score == 80


def test_a_score_out_of_range_is_refused_on_its_field(town):
    score = town["score"]
    response = _client(town["supervisor"]).post(
        f"/assessment/scores/{score.pk}/adjust/",
        {f"s{score.pk}-value": "101", f"s{score.pk}-reason": "x"},
    )
    assert response.status_code == 400
    assert not ScoreAdjustment.objects.exists()


def test_a_signed_off_score_is_frozen(town):
    client, score = _client(town["supervisor"]), town["score"]
    client.post(f"/assessment/scores/{score.pk}/sign-off/", {f"s{score.pk}-note": "已核"})
    assert MonthlyScore.objects.get(pk=score.pk).status == ScoreStatus.SIGNED_OFF
    again = client.post(f"/assessment/scores/{score.pk}/sign-off/", follow=True)
    assert "signed off" in again.content.decode()
    assert ScoreSignOff.objects.count() == 1
    late = client.post(
        f"/assessment/scores/{score.pk}/adjust/",
        {f"s{score.pk}-value": "50", f"s{score.pk}-reason": "too late"},
        follow=True,
    )
    assert "can no longer be changed" in late.content.decode()
    assert not ScoreAdjustment.objects.exists()


def test_street_staff_read_but_neither_adjust_nor_sign(town):
    client, score = _client(town["staff"]), town["score"]
    html = client.get(PAGE).content.decode()
    assert f'data-score="{score.pk}"' in html
    assert "/sign-off/" not in html
    assert client.post(f"/assessment/scores/{score.pk}/sign-off/").status_code == 403
    assert not ScoreSignOff.objects.exists()


def test_a_supervisor_of_another_district_finds_nothing(town):
    client, score = _client(town["far_supervisor"]), town["score"]
    assert f'data-score="{score.pk}"' not in client.get(PAGE).content.decode()
    assert client.post(f"/assessment/scores/{score.pk}/sign-off/").status_code == 404
