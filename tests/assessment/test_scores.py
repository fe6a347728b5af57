"""Monthly scores: versioned schemes, the compute job on hand-made rollups, adjustments
and sign-offs (append-only), and the frozen month with its "recomputed would differ"
notice."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessment.models import MonthlyScore, ScoreAdjustment, ScoreScheme, ScoreSignOff, WorkerDay
from assessment.services.scores import (
    ScoreFrozen,
    score_adjust,
    score_scheme_create,
    score_sign_off,
    scores_compute_month,
)
from assessment.tasks import scores_compute_current_month, scores_compute_last_month
from tests.assessment.town import OCTOBER, build_town, october_rows, worker_day


@pytest.fixture
def town(db):
    found = build_town()
    october_rows(found)
    return found


def _score(**subject) -> MonthlyScore:
    return MonthlyScore.objects.get(month=OCTOBER, **subject)


def test_the_job_scores_every_active_worker_department_and_community(town):
    counts = scores_compute_month(month=date(2026, 10, 17))
    assert {kind: found["created"] for kind, found in counts.items()} == {
        "worker": 3,
        "department": 2,
        "community": 3,
    }
    w1, w2, w3 = town["workers"]
    c1, c2, c3 = town["communities"]
    department_a, department_b = town["departments"]
    expected = {
        ("worker", w1.pk): (D("88.00"), "B"),
        ("worker", w2.pk): (D("50.00"), "D"),
        ("worker", w3.pk): (None, ""),
        ("department", department_a.pk): (D("84.50"), "B"),
        ("department", department_b.pk): (None, ""),
        ("community", c1.pk): (D("89.00"), "B"),
        ("community", c2.pk): (D("53.13"), "D"),
        ("community", c3.pk): (None, ""),
    }
    got = {
        (row.kind, row.subject_id): (row.computed_score, row.grade)
        for row in MonthlyScore.objects.filter(month=OCTOBER)
    }
    assert got == expected
    first = _score(worker=w1)
    assert first.scheme.version == 1 and first.status == "computed"
    assert first.snapshot["figures"]["reports"] == 10  # November's row is not October's
    assert first.snapshot["indicators"]["valid_report_rate"] == "90.00"


def test_running_the_job_again_changes_nothing(town):
    scores_compute_month(month=OCTOBER)
    before = list(MonthlyScore.objects.values().order_by("pk"))
    counts = scores_compute_month(month=OCTOBER)
    nothing = {"created": 0, "updated": 0, "frozen_differ": 0}
    assert all(found == nothing for found in counts.values())
    assert list(MonthlyScore.objects.values().order_by("pk")) == before
    assert scores_compute_last_month("2026-10")["worker"]["created"] == 0


def test_an_unsigned_score_follows_the_data(town):
    scores_compute_month(month=OCTOBER)
    w2 = town["workers"][1]
    WorkerDay.objects.filter(worker=w2).update(valid_reports=3)
    assert scores_compute_month(month=OCTOBER)["worker"]["updated"] == 1
    assert _score(worker=w2).computed_score == D("75.00")


def test_a_supervisor_adjusts_with_a_reason_and_signs_off(town):
    scores_compute_month(month=OCTOBER)
    score, supervisor = _score(worker=town["workers"][0]), town["supervisor"]
    first = score_adjust(score=score, new_value=D("90"), reason="复核加分", by=supervisor)
    score_adjust(score=score, new_value=D("91.5"), reason="再次复核", by=supervisor)
    assert (first.old_value, first.new_value) == (D("88.00"), D("90.00"))
    score.refresh_from_db()
    assert score.effective_score == D("91.50") and score.effective_grade == "A"
    assert score.computed_score == D("88.00")
    sign_off = score_sign_off(score=score, by=supervisor, note="十月考核")
    assert sign_off.signed_score == D("91.50")
    score.refresh_from_db()
    assert score.status == "signed_off"
    with pytest.raises(ScoreFrozen):
        score_sign_off(score=score, by=supervisor)
    with pytest.raises(ScoreFrozen):
        score_adjust(score=score, new_value=D(50), reason="太晚了", by=supervisor)
    assert ScoreSignOff.objects.filter(score=score).count() == 1


@pytest.mark.parametrize(
    ("value", "reason", "field"),
    [(D(80), "  ", "reason"), (D("100.01"), "超出", "value"), (D(-1), "负数", "value")],
)
def test_an_adjustment_needs_a_reason_and_a_score_from_0_to_100(town, value, reason, field):
    scores_compute_month(month=OCTOBER)
    score = _score(worker=town["workers"][0])
    with pytest.raises(ValidationError) as refusal:
        score_adjust(score=score, new_value=value, reason=reason, by=town["supervisor"])
    assert field in refusal.value.message_dict
    assert not ScoreAdjustment.objects.exists()


@pytest.mark.parametrize("who", ["staff", "handler", "far_supervisor"])
def test_only_supervisors_and_admins_over_the_subject_adjust_and_sign_off(town, who):
    scores_compute_month(month=OCTOBER)
    score = _score(department=town["departments"][0])
    with pytest.raises(PermissionDenied):
        score_adjust(score=score, new_value=D(80), reason="调整", by=town[who])
    with pytest.raises(PermissionDenied):
        score_sign_off(score=score, by=town[who])
    score_sign_off(score=score, by=town["root"])  # a superuser may


def test_adjustments_and_sign_offs_are_append_only(town):
    scores_compute_month(month=OCTOBER)
    score = _score(worker=town["workers"][0])
    adjustment = score_adjust(score=score, new_value=D(70), reason="扣分", by=town["supervisor"])
    sign_off = score_sign_off(score=score, by=town["supervisor"])
    for row, model in ((adjustment, ScoreAdjustment), (sign_off, ScoreSignOff)):
        with pytest.raises(TypeError):
            row.save()
        with pytest.raises(TypeError):
            row.delete()
        with pytest.raises(TypeError):
            model.objects.filter(pk=row.pk).update(at=row.at)
        with pytest.raises(TypeError):
            model.objects.filter(pk=row.pk).delete()


def test_a_signed_off_month_is_frozen_and_says_when_the_data_would_differ(town):
    scores_compute_month(month=OCTOBER)
    w1, w2, _w3 = town["workers"]
    score_sign_off(score=_score(worker=w1), by=town["supervisor"])
    # A late case: w1 made two more reports in October, both invalid; w2 one valid.
    worker_day(w1, day=date(2026, 10, 30), reports=2)
    worker_day(w2, day=date(2026, 10, 30), reports=1, valid_reports=1)
    counts = scores_compute_month(month=OCTOBER)
    assert counts["worker"] == {"created": 0, "updated": 1, "frozen_differ": 1}
    frozen = _score(worker=w1)
    # 0.4 × 75 + 0.2 × 80 + 0.2 × 100 + 0.2 × 80 = 82
    assert (frozen.computed_score, frozen.recomputed_score) == (D("88.00"), D("82.00"))
    assert frozen.recomputed_differs and frozen.status == "signed_off"
    assert _score(worker=w2).computed_score == D("60.00")  # unsigned: follows the data
    noticed_at = frozen.recomputed_at
    scores_compute_month(month=OCTOBER)
    assert _score(worker=w1).recomputed_at == noticed_at  # the same notice, not renewed
    # The late rows go away again: the notice with them.
    WorkerDay.objects.filter(day=date(2026, 10, 30)).delete()
    scores_compute_month(month=OCTOBER)
    frozen = _score(worker=w1)
    assert (frozen.recomputed_score, frozen.recomputed_at) == (None, None)


def test_a_new_scheme_version_recomputes_unsigned_scores_and_leaves_signed_ones(town):
    scores_compute_month(month=OCTOBER)
    w1, w2, _w3 = town["workers"]
    score_sign_off(score=_score(worker=w1), by=town["supervisor"])
    v1 = ScoreScheme.objects.get(kind="worker", version=1)
    v2 = score_scheme_create(
        kind="worker",
        weights={
            "valid_report": "1",
            "missed_report": "0",
            "on_time_verification": "0",
            "on_time_check": "0",
        },
        grade_bands={"A": 95, "B": 85, "C": 70, "D": 55},
        effective_from=date(2026, 10, 1),
        created_by=town["root"],
    )
    assert v2.version == 2
    counts = scores_compute_month(month=OCTOBER)
    assert counts["worker"]["frozen_differ"] == 0  # the data did not change
    assert (_score(worker=w1).scheme, _score(worker=w1).computed_score) == (v1, D("88.00"))
    second = _score(worker=w2)
    assert (second.scheme, second.computed_score, second.grade) == (v2, D("50.00"), "E")
    # Version 2 is in force from October: September keeps version 1.
    assert ScoreScheme.objects.in_force(kind="worker", on=date(2026, 9, 30)) == v1


def test_editing_a_scheme_in_the_admin_saves_a_new_version(town, client):
    scores_compute_month(month=OCTOBER)
    v1 = ScoreScheme.objects.get(kind="community", version=1)
    client.force_login(town["root"])
    assert client.get(f"/admin/assessment/scorescheme/{v1.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/assessment/scorescheme/{v1.pk}/change/",
        {
            "kind": "community",
            "weights": json.dumps(v1.weights),
            "grade_bands": json.dumps({"A": 95, "B": 80, "C": 60, "D": 40}),
            "effective_from": "2000-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    v1.refresh_from_db()
    assert v1.grade_bands == {"A": 90, "B": 75, "C": 60, "D": 40}  # untouched
    v2 = ScoreScheme.objects.get(kind="community", version=2)
    assert v2.grade_bands["A"] == 95 and v2.created_by == town["root"]
    assert _score(community=town["communities"][0]).scheme == v1  # until recomputed
    scores_compute_month(month=OCTOBER)
    assert _score(community=town["communities"][0]).scheme == v2


def test_a_scheme_must_name_the_formula_weights_and_ordered_bands(town):
    with pytest.raises(ValidationError) as refusal:
        score_scheme_create(
            kind="department",
            weights={"closure": "0.3", "speed": "0.7"},
            grade_bands={"A": 60, "B": 75, "C": 60, "D": 40},
            effective_from=date(2026, 1, 1),
            created_by=None,
        )
    assert set(refusal.value.message_dict) == {"weights", "grade_bands"}


def test_the_beat_jobs_compute_last_month_and_this_one(town, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 11, 3))
    assert scores_compute_last_month()["worker"]["created"] == 3
    assert _score(worker=town["workers"][0]).computed_score == D("88.00")
    nightly = scores_compute_current_month()
    assert set(nightly) == {"2026-10", "2026-11"}
    assert nightly["2026-10"]["worker"]["created"] == 0
    assert MonthlyScore.objects.filter(month=date(2026, 11, 1)).count() == 8


def test_months_before_the_first_configured_scheme_use_the_defaults(db):
    later = score_scheme_create(
        kind="department",
        weights={"closure": "0.2", "on_time_handling": "0.4", "no_rework": "0.3"},
        grade_bands={"A": 90, "B": 75, "C": 60, "D": 40},
        effective_from=date(2027, 1, 1),
        created_by=None,
    )
    scores_compute_month(month=OCTOBER)
    defaults = ScoreScheme.objects.in_force(kind="department", on=date(2026, 10, 31))
    assert defaults.version == 2 and defaults.weights["closure"] == "0.3"
    assert ScoreScheme.objects.in_force(kind="department", on=date(2027, 1, 31)) == later
