"""The reads every report and action makes through prepared statements (a stage's time
limit, who answers for a case's place): the answers follow the data, never a statement
prepared earlier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.prepared import query_rows
from incidents.models import SlaPolicy, Ticket
from incidents.recipients import holders
from incidents.selectors import duplicate_suggestions
from incidents.services import sla_policy_update
from personnel.choices import NotificationKind, Role
from personnel.models import Notification, RoleAssignment
from personnel.services.roles import role_assignment_revoke
from tests import factories, people
from tests.incidents.cases import report

pytestmark = pytest.mark.django_db


def _told(person) -> list[str]:
    """The ticket numbers ``person`` was told of (a title starts with its ticket's)."""
    titles = Notification.objects.filter(user=person, kind=NotificationKind.TICKET)
    titles = titles.values_list("title", flat=True)
    return [title.split()[0] for title in titles]


def test_an_edited_limit_times_the_next_report(place):
    first = report(place)
    assert first.stage_due_at - first.stage_started_at == timedelta(hours=1)
    policy = SlaPolicy.objects.get(
        category=place["category"], priority=first.priority, stage="accept"
    )
    sla_policy_update(policy=policy, amount=5)
    second = report(place)
    assert second.stage_due_at - second.stage_started_at == timedelta(hours=5)


def test_a_report_without_a_limit_runs_no_clock(place):
    SlaPolicy.objects.filter(category=place["category"], stage="accept").delete()
    ticket = report(place)
    assert ticket.stage == "accept" and ticket.stage_due_at is None


def test_a_report_tells_whoever_holds_its_street_at_the_time(place):
    other_street = people.with_role(Role.STREET_STAFF, factories.street(number=2))
    first = report(place)
    assert _told(place["staff"]) == [first.number]
    assert _told(other_street) == []

    newcomer = people.with_role(Role.STREET_STAFF, place["grid"].street)
    role_assignment_revoke(
        assignment=RoleAssignment.objects.get(user=place["staff"], role=Role.STREET_STAFF),
        revoked_by=people.root(),
        announce=False,
    )
    second = report(place)
    assert _told(newcomer) == [second.number]
    assert _told(place["staff"]) == [first.number]
    assert _told(other_street) == []


def test_one_place_and_many_places_find_the_same_holders(place):
    grid = place["grid"]
    second_grid = factories.grid(parent=grid.community, number=3)
    chief = people.with_role(Role.GRID_CHIEF, second_grid)
    here, there = report(place), report(place)
    there.grid_id = second_grid.pk
    roles = {Role.GRID_WORKER, Role.GRID_CHIEF, Role.STREET_STAFF}
    together = holders([here, there], roles)
    assert holders([here], roles) == {here.pk: together[here.pk]}
    assert holders([there], roles) == {there.pk: together[there.pk]}
    assert together[here.pk] == {place["worker"].pk, place["staff"].pk}
    assert together[there.pk] == {chief.pk, place["staff"].pk}


def _suggested(person, ticket) -> list[int]:
    return [other.pk for other, _metres in duplicate_suggestions(user=person, ticket=ticket)]


def test_duplicates_follow_the_scope_the_searcher_has_now(place):
    first = report(place)
    outsider = place["outsider"]
    own = report(place, reporter=outsider)
    assert _suggested(place["worker"], own) == [first.pk]
    assert _suggested(outsider, own) == []
    people.grant(outsider, Role.GRID_WORKER, place["grid"])
    assert _suggested(outsider, own) == [first.pk]


def test_a_resident_is_offered_only_their_own_reports(place):
    own = report(place)
    someone_elses = report(place, reporter=people.user())
    latest = report(place)
    assert _suggested(place["resident"], latest) == [own.pk]
    assert _suggested(place["worker"], latest) == [own.pk, someone_elses.pk]  # all 0 m away
    assert _suggested(people.user(), latest) == []


def test_duplicates_are_searched_around_each_case_in_its_own_window(place):
    old, recent = report(place), report(place)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    Ticket.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(hours=23))
    new = report(place)
    assert _suggested(place["worker"], new) == [recent.pk]
    old.refresh_from_db()
    assert _suggested(place["worker"], old) == [recent.pk]  # 2 hours apart
    elsewhere = report(place, reporter=place["worker"])
    Ticket.objects.filter(pk=elsewhere.pk).update(lat=elsewhere.lat + 0.001)
    elsewhere.refresh_from_db()
    assert _suggested(place["worker"], elsewhere) == []
    [(found, metres)] = duplicate_suggestions(user=place["worker"], ticket=new)
    assert (found.number, found.title, found.get_status_display()) == (
        recent.number,
        recent.title,
        recent.get_status_display(),
    )
    assert metres < 1


def test_a_statement_whose_argument_the_orm_left_out_is_refused():
    with pytest.raises(ValueError, match="no parameter"):
        query_rows(
            "gridgov_test_unused_argument",
            lambda stage: SlaPolicy.objects.values_list("amount", "unit"),
            stage="accept",
        )


def test_only_numbers_text_and_date_times_are_arguments():
    with pytest.raises(TypeError, match="list"):
        query_rows(
            "gridgov_test_list_argument",
            lambda amounts: SlaPolicy.objects.filter(amount__in=amounts).values_list("unit"),
            amounts=[1, 2],
        )


POSTGRESQL_ONLY = "prepared statements are PostgreSQL's"


@pytest.mark.skipif(connection.vendor != "postgresql", reason=POSTGRESQL_ONLY)
def test_a_report_reads_its_limit_and_recipients_by_prepared_statements(place):
    report(place)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        names = {name for (name,) in cursor.fetchall()}
    assert {"gridgov_stage_limit", "gridgov_holders_1"} <= names
