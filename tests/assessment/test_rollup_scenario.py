"""The rollups of real cases driven through the workflow: what a supervisor's dashboard
reads for a grid, a department and a worker."""

from __future__ import annotations

from decimal import Decimal as D

from assessment.models import DepartmentDay, GridDay, WorkerDay
from assessment.scopes import Scope, parse_period, parse_scope
from assessment.selectors import indicators_for
from assessment.services import rollups_refresh
from tests.assessment.story import day_zero


def _grid_rows(place, clock) -> dict[str, dict]:
    rows = GridDay.objects.filter(grid=place["grid"], day=clock.day(0)).values()
    return {row["source"]: row for row in rows}


def test_the_grid_rollup_counts_each_step_on_its_day(place, clock):
    day_zero(place, clock)
    rollups_refresh()

    rows = _grid_rows(place, clock)
    hotline, patrol, self_handled = rows["hotline"], rows["patrol"], rows["self_handled"]
    assert {
        k: hotline[k]
        for k in (
            "reported",
            "accepted",
            "verified",
            "verified_on_time",
            "filed",
            "filed_on_time",
            "dispatched",
            "dispatched_on_time",
            "handled",
            "handled_on_time",
            "checked",
            "checked_on_time",
            "closed",
            "closed_on_time",
            "overdue",
            "escalated_community",
            "rated",
            "rating_sum",
            "unsatisfied",
            "handling_count",
            "handling_seconds",
            "handling_b4",
        )
    } == {
        "reported": 1,
        "accepted": 1,
        "verified": 1,
        "verified_on_time": 1,
        "filed": 1,
        "filed_on_time": 1,
        "dispatched": 1,
        "dispatched_on_time": 1,
        "handled": 1,
        "handled_on_time": 0,
        "checked": 1,
        "checked_on_time": 1,
        "closed": 1,
        "closed_on_time": 0,
        "overdue": 1,
        "escalated_community": 1,
        "rated": 1,
        "rating_sum": 2,
        "unsatisfied": 1,
        "handling_count": 1,
        "handling_seconds": 380 * 60,
        "handling_b4": 1,
    }
    assert {
        k: patrol[k]
        for k in (
            "reported",
            "accepted",
            "rejected",
            "filed",
            "dispatched",
            "handled",
            "handled_on_time",
            "checked",
            "checked_on_time",
            "reworks",
            "closed",
            "closed_on_time",
            "rated",
            "rating_sum",
            "unsatisfied",
            "overdue",
        )
    } == {
        "reported": 2,
        "accepted": 1,
        "rejected": 1,
        "filed": 1,
        "dispatched": 1,
        "handled": 2,
        "handled_on_time": 2,
        "checked": 2,
        "checked_on_time": 2,
        "reworks": 1,
        "closed": 1,
        "closed_on_time": 1,
        "rated": 1,
        "rating_sum": 5,
        "unsatisfied": 0,
        "overdue": 0,
    }
    assert (self_handled["reported"], self_handled["closed"], self_handled["closed_on_time"]) == (
        1,
        1,
        1,
    )


def test_the_department_and_worker_rollups(place, clock):
    day_zero(place, clock)
    rollups_refresh()

    department = DepartmentDay.objects.get(department=place["department"], day=clock.day(0))
    assert (
        department.dispatched,
        department.handled,
        department.handled_on_time,
        department.reworks,
        department.closed,
        department.handling_count,
    ) == (2, 3, 2, 1, 2, 3)
    worker = WorkerDay.objects.get(worker=place["worker"], day=clock.day(0))
    assert (worker.reports, worker.valid_reports) == (3, 2)
    assert (worker.verifications, worker.verifications_on_time) == (1, 1)
    assert (worker.checks, worker.checks_on_time) == (3, 3)
    assert (worker.grid_filed, worker.grid_public_filed) == (2, 1)
    assert (worker.grid_rated, worker.grid_rating_sum, worker.grid_unsatisfied) == (2, 7, 1)
    assert worker.assigned_grids == 1


def test_a_supervisor_reads_the_indicators_of_the_district_department_and_worker(place, clock):
    day_zero(place, clock)
    rollups_refresh()
    supervisor, month = place["supervisor"], parse_period(f"{clock.day(0):%Y-%m}")

    district = indicators_for(
        user=supervisor, scope=parse_scope(f"district:{place['grid'].district_id}"), period=month
    )["indicators"]
    assert district == {
        "closure_rate": D("100.00"),
        "on_time_closure_rate": D("66.67"),
        "public_report_rate": D("50.00"),
        "on_time_filing_rate": D("100.00"),
        "accurate_filing_rate": D("100.00"),
        "on_time_dispatch_rate": D("100.00"),
        "accurate_dispatch_rate": D("50.00"),
        "on_time_verification_rate": D("100.00"),
        "on_time_check_rate": D("100.00"),
        "satisfaction_rate": D("50.00"),
        "mean_rating": D("3.50"),
        "mean_handling_minutes": D("183.3"),  # (380 + 150 + 20) / 3
        "median_handling_minutes": D("180.0"),  # the 2nd of 3, half way into 2–4 h
        # The community formula: 0.3 × 100 + 0.3 × 66.67 + 0.2 × 50 + 0.2 × (100 − 50)
        "score": D("70.00"),
        "grade": "C",
    }
    department = indicators_for(
        user=supervisor, scope=Scope("department", place["department"].pk), period=month
    )["indicators"]
    assert (
        department["handling_rate"],
        department["on_time_handling_rate"],
        department["rework_rate"],
        department["closure_rate"],
        department["score"],
        department["grade"],
    ) == (D("100.00"), D("66.67"), D("33.33"), D("100.00"), D("70.00"), "C")
    worker = indicators_for(
        user=supervisor, scope=Scope("worker", place["profile"].pk), period=month
    )["indicators"]
    assert worker == {
        "valid_report_rate": D("66.67"),
        "missed_report_rate": D("50.00"),
        "on_time_verification_rate": D("100.00"),
        "on_time_check_rate": D("100.00"),
        "patrol_coverage": D("0.00"),
        "satisfaction_rate": D("50.00"),
        "mean_rating": D("3.50"),
        "score": D("76.67"),
        "grade": "B",
    }
