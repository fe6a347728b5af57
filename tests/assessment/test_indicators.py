"""Every indicator formula on hand-made numbers (DOMAIN.md, "Assessment")."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment import indicators as ind
from assessment.histogram import BUCKETS, median_minutes


def test_percent_rounds_half_up_to_two_places_and_has_no_value_without_a_denominator():
    assert ind.percent(2, 3) == D("66.67")
    assert ind.percent(1, 8) == D("12.50")
    assert ind.percent(0, 5) == D("0.00")
    assert ind.percent(3, 0) is None


def test_region_indicators():
    assert ind.closure_rate(closed=45, filed=40, self_handled=10) == D("90.00")
    assert ind.on_time_closure_rate(closed_on_time=30, filed=40, self_handled=10) == D("60.00")
    assert ind.public_report_rate(public_filed=10, filed=40) == D("25.00")
    assert ind.closure_rate(closed=0, filed=0, self_handled=0) is None


def test_department_indicators_and_score():
    assert ind.handling_rate(handled=18, dispatched=20, reworks=2, returned=2) == D("90.00")
    assert ind.on_time_handling_rate(handled_on_time=15, handled=18) == D("83.33")
    assert ind.rework_rate(reworks=2, handled=18) == D("11.11")
    assert ind.department_closure_rate(closed=16, dispatched=20, returned=2) == D("88.89")
    assert ind.volume_band(handled=18) == 2
    assert ind.volume_band(handled=500) == 10
    assert ind.volume_band(handled=9) == 0
    assert ind.volume_band(handled=60, bands=((50, 7), (0, 1))) == 7
    # 2 + 0.3 × 88.89 + 0.3 × 83.33 + 0.3 × (100 − 11.11) = 2 + 26.667 + 24.999 + 26.667
    assert ind.department_score(
        band=2, closure=D("88.89"), on_time_handling=D("83.33"), rework=D("11.11")
    ) == D("80.33")
    assert ind.department_score(band=0, closure=None, on_time_handling=D(1), rework=D(0)) is None


def test_department_weights_come_from_settings(settings):
    settings.ASSESSMENT_DEPARTMENT_WEIGHTS = {
        "closure": D("0.5"),
        "on_time_handling": D("0.5"),
        "no_rework": D("0"),
    }
    assert ind.department_score(band=10, closure=D(80), on_time_handling=D(60), rework=D(50)) == D(
        "80.00"
    )


def test_grid_worker_indicators_and_score():
    assert ind.valid_report_rate(valid_reports=45, reports=50) == D("90.00")
    assert ind.missed_report_rate(public_filed=5, filed=25) == D("20.00")
    assert ind.on_time_verification_rate(verifications_on_time=9, verifications=10) == D("90.00")
    assert ind.on_time_check_rate(checks_on_time=7, checks=8) == D("87.50")
    assert ind.patrol_coverage(covered_grids=25, assigned_grids=30) == D("83.33")
    assert ind.satisfaction_rate(rated=20, unsatisfied=1) == D("95.00")
    assert ind.mean_rating(rating_sum=87, rated=20) == D("4.35")
    # 0.4 × 90 + 0.2 × (100 − 20) + 0.2 × 90 + 0.2 × 87.5 = 36 + 16 + 18 + 17.5
    assert ind.grid_worker_score(
        valid_report=D(90), missed_report=D(20), on_time_verification=D(90), on_time_check=D("87.5")
    ) == D("87.50")


def test_a_worker_score_part_without_data_is_left_out_and_the_rest_rescaled():
    # (0.4 × 90 + 0.2 × 80) / 0.6
    assert ind.grid_worker_score(
        valid_report=D(90), missed_report=D(20), on_time_verification=None, on_time_check=None
    ) == D("86.67")
    assert (
        ind.grid_worker_score(
            valid_report=None, missed_report=None, on_time_verification=None, on_time_check=None
        )
        is None
    )


def test_command_centre_indicators():
    assert ind.on_time_filing_rate(filed_on_time=38, filed=40) == D("95.00")
    assert ind.accurate_filing_rate(filed=40, voided_after_filing=2) == D("95.00")
    assert ind.on_time_dispatch_rate(dispatched_on_time=36, dispatched=40) == D("90.00")
    assert ind.accurate_dispatch_rate(dispatched=40, reworks=1) == D("97.50")


@pytest.mark.parametrize(
    ("score", "letter"),
    [(D(90), "A"), (D("89.99"), "B"), (D(75), "B"), (D(60), "C"), (D(40), "D"), (D(39), "E")],
)
def test_grades(score, letter):
    assert ind.grade(score) == letter


def test_grade_of_no_score_is_none():
    assert ind.grade(None) is None


def test_mean_and_median_handling_minutes():
    assert ind.mean_minutes(seconds=3 * 3600, count=4) == D("45.0")
    assert ind.mean_minutes(seconds=0, count=0) is None
    counts = [0] * BUCKETS
    counts[2], counts[3] = 2, 2  # 1–2 h twice, 2–4 h twice: the median is the 2nd case
    assert median_minutes(counts) == D("120.0")
    counts = [0] * BUCKETS
    counts[3] = 4  # four cases in 2–4 h: half way in, 120 + 2/4 × 120
    assert median_minutes(counts) == D("180.0")
    counts = [0] * BUCKETS
    counts[-1] = 3  # the open last bucket gives its floor
    assert median_minutes(counts) == D("43200.0")
    assert median_minutes([0] * BUCKETS) is None


def test_a_rate_above_100_adds_no_more_than_full_marks_to_a_score():
    over = ind.community_score(
        closure=D("200"),
        on_time_closure=D("100"),
        satisfaction=D("100"),
        public_report=D("0"),
    )
    assert over == D("100.00")
    department = ind.department_score(
        band=10, closure=D("150"), on_time_handling=D("100"), rework=D("0")
    )
    assert department == D("100.00")
