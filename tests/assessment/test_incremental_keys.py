"""The incremental job rewrites only the rows a change can reach (some GridDay keys, some
departments' and workers' rows), and still ends with the rows a rebuild writes: a category
correction, a handover of the grid, a case moved to another grid by any means, a task for
a cooperating department, a red stage that escalates no further, and a busy day."""

from __future__ import annotations

import pytest

from assessment.models import DepartmentDay, GridDay, GridDayTotal, WorkerDay
from assessment.services import changes, grid_days, rollups_rebuild, rollups_refresh
from incidents.choices import Level
from incidents.models import Ticket, TicketEvent
from incidents.services import category_create
from incidents.services.deadlines import deadline_sweep
from incidents.services.tickets import ticket_update
from personnel.services.workers import grid_assignment_create
from tests import people
from tests.assessment.story import day_zero, do
from tests.assessment.test_incremental import ROLLUPS, snapshot
from tests.incidents.cases import report


def _equals_a_rebuild(clock, last_day: int) -> None:
    kept = snapshot()
    for model in ROLLUPS:
        model.objects.all().delete()
    rollups_rebuild(since=clock.day(0), until=clock.day(last_day))
    assert snapshot() == kept


def _ids(**where) -> set[int]:
    return set(GridDay.objects.filter(**where).values_list("pk", flat=True))


def test_a_step_rewrites_its_key_and_leaves_the_other_rows_of_the_day(place, clock):
    day_zero(place, clock)
    clock.at(0, 16, 30)  # past the safety window of the day's last steps (16:00)
    rollups_refresh()
    hotline_rows = _ids(day=clock.day(0), source="hotline")
    patrol_rows = _ids(day=clock.day(0), source="patrol")

    clock.at(0, 17)
    report(place, "patrol", reporter=place["worker"])
    result = rollups_refresh()

    assert result.days == [clock.day(0)]
    assert _ids(day=clock.day(0), source="hotline") == hotline_rows
    assert _ids(day=clock.day(0), source="patrol").isdisjoint(patrol_rows)
    total = GridDayTotal.objects.get(grid=place["grid"], day=clock.day(0))
    assert (total.reported, total.self_handled, total.public_filed) == (5, 1, 1)
    _equals_a_rebuild(clock, 0)


def test_a_category_correction_moves_the_history_to_the_new_key(place, clock):
    other = category_create(
        code="E0102", kind="event", name="积存垃圾渣土", parent=place["category"].parent
    )
    story = day_zero(place, clock)
    rollups_refresh()

    clock.at(1, 9)
    hotline = Ticket.objects.get(pk=story["hotline"].pk)
    ticket_update(
        ticket=hotline, actor=place["staff"], expected_version=hotline.version, category=other
    )
    result = rollups_refresh()

    assert clock.day(0) in result.days
    moved = GridDay.objects.get(day=clock.day(0), category=other, source="hotline")
    assert (moved.reported, moved.closed, moved.rated, moved.overdue) == (1, 1, 1, 1)
    assert not GridDay.objects.filter(
        day=clock.day(0), category=place["category"], source="hotline"
    ).exists()
    _equals_a_rebuild(clock, 1)


def test_a_handover_gives_the_new_primary_the_grid_figures_from_that_day(place, clock):
    day_zero(place, clock)
    rollups_refresh()

    clock.at(1, 8)
    newcomer = people.user()
    profile = people.worker_profile(newcomer, street=place["grid"].street)
    grid_assignment_create(
        created_by=people.root(),
        worker=profile,
        grid=place["grid"],
        kind="primary",
        since=clock.day(1),
        replace_primary=True,
    )
    clock.at(1, 9)
    case = report(place, "hotline")
    do(case, place["staff"], "accept")
    do(case, place["staff"], "file")
    rollups_refresh()

    mine = WorkerDay.objects.get(worker=newcomer, day=clock.day(1))
    assert (mine.grid_filed, mine.grid_public_filed, mine.assigned_grids) == (1, 1, 1)
    assert WorkerDay.objects.get(worker=place["worker"], day=clock.day(1)).grid_filed == 0
    _equals_a_rebuild(clock, 1)


def test_a_case_moved_without_ticket_update_moves_its_history_too(place, clock):
    story = day_zero(place, clock)
    rollups_refresh()

    # The refresh compares the facts' keys with the ticket's, whoever wrote the edit.
    clock.at(1, 9)
    other = place["other_grid"]
    patrol = story["patrol"]
    Ticket.objects.filter(pk=patrol.pk).update(
        grid=other, community_id=other.community_id, street_id=other.street_id
    )
    TicketEvent.objects.create(
        ticket=patrol,
        action="edit",
        from_status="evaluated",
        to_status="evaluated",
        actor=place["staff"],
        at=clock.now,
        data={"lat": other.centroid_lat, "lng": other.centroid_lng},
    )
    rollups_refresh()

    assert GridDay.objects.get(grid=other, day=clock.day(0)).reported == 1
    _equals_a_rebuild(clock, 1)


@pytest.mark.parametrize(
    ("setting", "whole_day"),
    [(("grid_days", "INDEXED_PAIRS"), False), (("changes", "KEYS_PER_DAY"), True)],
    ids=["many keys are matched as text", "too many keys rewrite the day"],
)
def test_the_ways_of_a_busy_day_write_what_a_rebuild_writes(
    place, clock, monkeypatch, setting, whole_day
):
    # A busy day has thousands of changed keys: these limits are a few hundred there.
    module, name = setting
    monkeypatch.setattr({"grid_days": grid_days, "changes": changes}[module], name, 0)
    day_zero(place, clock)
    clock.at(0, 16, 30)
    rollups_refresh()
    hotline_rows = _ids(day=clock.day(0), source="hotline")

    clock.at(0, 17)
    report(place, "patrol", reporter=place["worker"])
    rollups_refresh()

    rewritten = _ids(day=clock.day(0), source="hotline").isdisjoint(hotline_rows)
    assert rewritten == whole_day
    _equals_a_rebuild(clock, 0)


def test_a_cooperating_department_counts_the_task_a_dispatch_gave_it(place, clock):
    helper = people.department(district=place["grid"].district)
    cooperator = people.with_role("dept_handler", helper)
    staff = place["staff"]
    clock.at(0, 9)
    rollups_refresh()
    case = report(place, "hotline")
    do(case, staff, "accept")
    do(case, staff, "file")
    lead = {"lead_department": place["department"].pk, "cooperating_departments": [helper.pk]}
    do(case, staff, "dispatch", data=lead)
    rollups_refresh()
    assert DepartmentDay.objects.get(department=helper, day=clock.day(0)).tasks_assigned == 1

    clock.at(0, 10)
    do(case, cooperator, "task_accept")
    do(case, cooperator, "task_done", note="管线已修复")
    rollups_refresh()

    helped = DepartmentDay.objects.get(department=helper, day=clock.day(0))
    assert (helped.tasks_assigned, helped.tasks_done) == (1, 1)
    _equals_a_rebuild(clock, 0)


def test_a_case_at_the_top_of_the_ladder_turns_red_without_an_escalation(place, clock):
    clock.at(0, 9)
    case = report(place, "hotline")
    Ticket.objects.filter(pk=case.pk).update(level=Level.DISTRICT)
    rollups_refresh()

    clock.at(0, 11)  # the accept stage (1 h) ran out at 10:00
    deadline_sweep(now=clock.now)
    assert not TicketEvent.objects.filter(ticket=case, action="escalate").exists()
    rollups_refresh()

    assert GridDay.objects.get(day=clock.day(0), source="hotline").overdue == 1
    _equals_a_rebuild(clock, 0)
