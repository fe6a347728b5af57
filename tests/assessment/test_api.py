"""The assessment API: indicators, scores with their adjust and sign-off steps, and
rankings; 400 with field errors for bad input, 404 outside reach, 403 for the wrong role,
409 on a frozen score."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assessment.models import MonthlyScore
from assessment.services.scores import scores_compute_month
from tests.assessment.town import OCTOBER, build_town, october_rows

INDICATORS = "/api/v1/assessment/indicators/"
SCORES = "/api/v1/assessment/scores/"
RANKINGS = "/api/v1/assessment/rankings/"


@pytest.fixture
def town(db):
    found = build_town()
    october_rows(found)
    scores_compute_month(month=OCTOBER)
    return found


def _as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _attrs(response) -> set:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    return {error["attr"] for error in body["errors"]}


def _score(**subject) -> MonthlyScore:
    return MonthlyScore.objects.get(month=OCTOBER, **subject)


def test_indicators_of_a_street(town):
    s1 = town["streets"][0]
    response = _as(town["staff"]).get(INDICATORS, {"scope": f"street:{s1.pk}", "period": "2026-10"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["scope"], body["period"], body["first"]) == (
        f"street:{s1.pk}",
        "2026-10",
        "2026-10-01",
    )
    assert body["figures"]["filed"] == 14
    assert body["indicators"]["public_report_rate"] == "14.29"  # 2 of 14
    assert body["indicators"]["mean_handling_minutes"] is None  # no case timed


@pytest.mark.parametrize(
    ("query", "attrs"),
    [
        ({}, {"scope", "period"}),
        ({"scope": "street", "period": "2026-10"}, {"scope"}),
        ({"scope": "planet:3", "period": "2026-10"}, {"scope"}),
        ({"scope": "street:1", "period": "2026-13"}, {"period"}),
    ],
)
def test_bad_or_missing_scope_and_period_are_400_naming_them(town, query, attrs):
    assert _attrs(_as(town["staff"]).get(INDICATORS, query)) == attrs


def test_indicators_outside_ones_reach_are_404(town):
    s2 = town["streets"][1]
    response = _as(town["staff"]).get(INDICATORS, {"scope": f"street:{s2.pk}", "period": "2026"})
    assert response.status_code == 404
    assert APIClient().get(INDICATORS, {"scope": "street:1", "period": "2026"}).status_code in (
        401,
        403,
    )


def test_street_staff_read_the_scores_of_their_street(town):
    response = _as(town["staff"]).get(SCORES, {"period": "2026-10", "kind": "worker"})
    assert response.status_code == 200
    w1, w2, _w3 = town["workers"]
    got = {row["subject"]: (row["score"], row["grade"]) for row in response.json()["results"]}
    assert got == {w1.pk: ("88.00", "B"), w2.pk: ("50.00", "D")}
    communities = _as(town["staff"]).get(SCORES, {"kind": "community"}).json()["results"]
    assert {row["subject"] for row in communities} == {c.pk for c in town["communities"][:2]}


def test_a_grid_worker_reads_only_their_own_score(town):
    w1, w2, _w3 = town["workers"]
    client = _as(w1)
    rows = client.get(SCORES).json()["results"]
    assert [(row["kind"], row["subject"]) for row in rows] == [("worker", w1.pk)]
    assert client.get(f"{SCORES}{_score(worker=w2).pk}/").status_code == 404


def test_score_filters(town):
    client = _as(town["supervisor"])
    department = town["departments"][0]
    rows = client.get(SCORES, {"department": department.pk}).json()["results"]
    assert [row["subject_label"] for row in rows] == [department.name]
    assert client.get(SCORES, {"period": "2026-09"}).json()["results"] == []
    assert client.get(SCORES, {"status": "signed_off"}).json()["results"] == []
    assert _attrs(client.get(SCORES, {"period": "2026-Q4"})) == {"period"}
    assert _attrs(client.get(SCORES, {"kind": "street"})) == {"kind"}


def test_a_supervisor_adjusts_and_signs_off_over_the_api(town):
    score = _score(worker=town["workers"][0])
    client = _as(town["supervisor"])
    url = f"{SCORES}{score.pk}/"
    assert _attrs(client.post(f"{url}adjust/", {"value": "101"})) == {"value", "reason"}
    response = client.post(f"{url}adjust/", {"value": "92", "reason": "复核"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["grade"], body["computed_score"]) == ("92.00", "A", "88.00")
    assert body["adjustments"][0]["reason"] == "复核"
    response = client.post(f"{url}sign-off/", {"note": "同意"})
    assert response.status_code == 200
    assert response.json()["status"] == "signed_off"
    assert response.json()["sign_offs"][0]["signed_score"] == "92.00"
    again = client.post(f"{url}sign-off/", {})
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "signed_off"
    assert client.post(f"{url}adjust/", {"value": "50", "reason": "晚了"}).status_code == 409


def test_others_may_not_adjust_or_sign_off(town):
    score = _score(worker=town["workers"][0])
    url = f"{SCORES}{score.pk}/"
    for who in ("staff", "handler"):
        assert _as(town[who]).post(f"{url}sign-off/", {}).status_code == 403
    assert _as(town["workers"][0]).post(f"{url}adjust/", {}).status_code == 403
    # A supervisor of another district does not even see the score.
    assert _as(town["far_supervisor"]).post(f"{url}sign-off/", {}).status_code == 404
    assert _score(worker=town["workers"][0]).status == "computed"


def test_rankings(town):
    client = _as(town["supervisor"])
    response = client.get(RANKINGS, {"kind": "department", "period": "2026-10"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["scope"], body["period"]) == ("department", None, "2026-10")
    assert [(row["rank"], row["code"], row["score"]) for row in body["results"]] == [
        (1, "DA", "84.50"),
        (None, "DB", None),
    ]
    assert body["results"][0]["indicators"]["on_time_handling_rate"] == "90.00"
    assert _attrs(client.get(RANKINGS, {"kind": "street", "period": "2026-10"})) == {"kind"}
    assert _attrs(client.get(RANKINGS, {})) == {"kind", "period"}
    c1 = town["communities"][0]
    query = {"kind": "department", "period": "2026-10", "scope": f"community:{c1.pk}"}
    assert _attrs(client.get(RANKINGS, query)) == {"scope"}
    far = _as(town["far_supervisor"])
    query = {"kind": "grid", "period": "2026", "scope": f"street:{town['streets'][0].pk}"}
    assert far.get(RANKINGS, query).status_code == 404
