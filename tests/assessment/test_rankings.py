"""Rankings with grades, live from hand-made rollups (see ``town.october_rows`` for the
numbers), scoped to what the caller sees."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from assessment.rankings import rankings_for
from assessment.scopes import parse_period, parse_scope
from personnel.services.workers import grid_assignment_create
from tests import people
from tests.assessment.town import build_town, grid_day, october_rows, worker_day

OCTOBER = parse_period("2026-10")


@pytest.fixture
def town(db):
    found = build_town()
    october_rows(found)
    return found


def _table(rows) -> list[tuple]:
    return [(row["rank"], row["code"], row["score"], row["grade"]) for row in rows]


def test_grids_rank_by_the_community_formula_best_first(town):
    g1, g2, g3, g4 = town["grids"]
    rows = rankings_for(user=town["supervisor"], kind="grid", within=None, period=OCTOBER)
    assert _table(rows) == [
        (1, g1.code, D("89.00"), "B"),
        (2, g3.code, D("53.13"), "D"),
        (None, g2.code, None, None),  # no activity: listed last, no rank
        (None, g4.code, None, None),
    ]
    first = rows[0]
    assert first["id"] == g1.pk and first["label"] == g1.name
    assert first["indicators"] == {
        "closure_rate": D("100.00"),
        "on_time_closure_rate": D("83.33"),
        "satisfaction_rate": D("90.00"),
        "public_report_rate": D("20.00"),
    }
    assert first["counts"]["filed"] == 10 and first["counts"]["self_handled"] == 2


def test_equal_scores_share_a_rank(town):
    g1, g2, g3, _g4 = town["grids"]
    grid_day(town, g2, filed=4, closed=2, closed_on_time=1)  # as G3
    rows = rankings_for(user=town["supervisor"], kind="grid", within=None, period=OCTOBER)
    assert [(row["rank"], row["code"]) for row in rows[:3]] == [
        (1, g1.code),
        (2, g2.code),
        (2, g3.code),
    ]


def test_workers_departments_and_communities(town):
    supervisor = town["supervisor"]
    w1, w2, w3 = town["workers"]
    workers = rankings_for(user=supervisor, kind="worker", within=None, period=OCTOBER)
    assert [(row["rank"], row["id"], row["score"], row["grade"]) for row in workers] == [
        (1, w1.pk, D("88.00"), "B"),
        (2, w2.pk, D("50.00"), "D"),
        (None, w3.pk, None, None),
    ]
    assert workers[0]["code"] == "W001" and workers[0]["label"] == "网格员1"
    assert workers[0]["indicators"]["missed_report_rate"] == D("20.00")
    assert workers[0]["counts"]["reports"] == 10
    departments = rankings_for(user=supervisor, kind="department", within=None, period=OCTOBER)
    assert _table(departments) == [(1, "DA", D("84.50"), "B"), (None, "DB", None, None)]
    assert departments[0]["indicators"]["volume_band"] == 2
    c1, c2, c3 = town["communities"]
    communities = rankings_for(user=supervisor, kind="community", within=None, period=OCTOBER)
    assert _table(communities) == [
        (1, c1.code, D("89.00"), "B"),
        (2, c2.code, D("53.13"), "D"),
        (None, c3.code, None, None),
    ]


def test_a_ranking_shows_only_what_the_caller_sees(town):
    w1, w2, _w3 = town["workers"]
    staff = rankings_for(user=town["staff"], kind="worker", within=None, period=OCTOBER)
    assert [row["id"] for row in staff] == [w1.pk, w2.pk]
    grids = rankings_for(user=town["staff2"], kind="grid", within=None, period=OCTOBER)
    assert [row["code"] for row in grids] == [town["grids"][3].code]
    assert rankings_for(user=town["far_supervisor"], kind="grid", within=None, period=OCTOBER) == []
    # A grid worker does not rank the community above their grid.
    assert rankings_for(user=w1, kind="community", within=None, period=OCTOBER) == []


def test_within_a_place(town):
    _s1, s2 = town["streets"]
    rows = rankings_for(
        user=town["supervisor"],
        kind="worker",
        within=parse_scope(f"street:{s2.pk}"),
        period=OCTOBER,
    )
    assert [row["id"] for row in rows] == [town["workers"][2].pk]
    c1 = town["communities"][0]
    rows = rankings_for(
        user=town["supervisor"],
        kind="grid",
        within=parse_scope(f"community:{c1.pk}"),
        period=OCTOBER,
    )
    assert len(rows) == 2


def test_a_scope_that_does_not_fit_the_kind_or_the_caller(town):
    c1 = town["communities"][0]
    with pytest.raises(ValidationError) as refusal:
        rankings_for(
            user=town["supervisor"],
            kind="department",
            within=parse_scope(f"community:{c1.pk}"),
            period=OCTOBER,
        )
    assert "scope" in refusal.value.message_dict
    with pytest.raises(ValidationError):
        rankings_for(user=town["supervisor"], kind="street", within=None, period=OCTOBER)
    with pytest.raises(Http404):
        rankings_for(
            user=town["far_supervisor"],
            kind="grid",
            within=parse_scope(f"street:{town['streets'][0].pk}"),
            period=OCTOBER,
        )


def test_a_longer_period_sums_its_days(town):
    quarter = rankings_for(
        user=town["supervisor"], kind="worker", within=None, period=parse_period("2026-Q4")
    )
    # November's 50 reports, none valid: 9 valid of 60 → 0.4 × 15 + 16 + 20 + 16 = 58.
    first = quarter[0]
    assert (first["id"], first["counts"]["reports"]) == (town["workers"][0].pk, 60)
    assert (first["score"], first["grade"]) == (D("58.00"), "D")


def test_the_number_of_queries_does_not_grow_with_the_subjects(town):
    supervisor = town["supervisor"]

    def queries(kind: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            rankings_for(user=supervisor, kind=kind, within=None, period=OCTOBER)
        return len(captured)

    before = {kind: queries(kind) for kind in ("grid", "worker", "department", "community")}
    s1 = town["streets"][0]
    for number in range(4, 8):
        person = people.user(f"w{number}")
        profile = people.worker_profile(person, street=s1, number=f"W{number:03d}")
        grid_assignment_create(
            created_by=town["root"], worker=profile, grid=town["grids"][2], kind="backup"
        )
        worker_day(person, reports=number, valid_reports=number - 1)
        people.department(code=f"DX{number}", street=s1)
    after = {kind: queries(kind) for kind in ("grid", "worker", "department", "community")}
    assert after == before
    assert max(before.values()) <= 6
