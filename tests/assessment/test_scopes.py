"""Scopes and periods parsed from their short strings, and indicators only for scopes in
the user's reach (404 otherwise, never 403)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404

from assessment.scopes import Scope, parse_period, parse_scope
from assessment.selectors import indicators_for
from tests import factories, people


@pytest.mark.parametrize(
    ("text", "kind", "first", "last"),
    [
        ("2026-10", "month", date(2026, 10, 1), date(2026, 10, 31)),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-W43", "week", date(2026, 10, 19), date(2026, 10, 25)),
        ("2026-W53", "week", date(2026, 12, 28), date(2027, 1, 3)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(text, kind, first, last):
    period = parse_period(text)
    assert (period.kind, period.first, period.last, str(period)) == (kind, first, last, text)


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2025-W53", "2026-W00", "2026-Q5", "2026-Q0", "26-10", "", "Q4"]
)
def test_bad_periods_say_what_a_period_looks_like(text):
    with pytest.raises(ValidationError) as error:
        parse_period(text)
    assert "give a year (2026), a quarter (2026-Q4)" in error.value.message_dict["period"][0]


def test_scopes():
    assert parse_scope("street:12") == Scope("street", 12)
    assert str(parse_scope(" worker:7 ")) == "worker:7"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("street", "Give the scope as kind:id"),
        ("street:abc", "Give the scope as kind:id"),
        ("street:0", "Give the scope as kind:id"),
        ("planet:3", "Unknown scope kind planet: use one of district, street"),
    ],
)
def test_bad_scopes_say_why(text, message):
    with pytest.raises(ValidationError) as error:
        parse_scope(text)
    assert message in error.value.message_dict["scope"][0]


def _sees(user, scope: str) -> bool:
    try:
        indicators_for(user=user, scope=parse_scope(scope), period=parse_period("2026"))
    except Http404:
        return False
    return True


def test_indicators_only_for_scopes_in_reach(place):
    grid, department = place["grid"], place["department"]
    elsewhere = factories.grid(parent=factories.community(parent=factories.street(number=2)))
    stranger = people.with_role("street_staff", elsewhere.street)
    places = {
        "district": f"district:{grid.district_id}",
        "street": f"street:{grid.street_id}",
        "community": f"community:{grid.community_id}",
        "grid": f"grid:{grid.pk}",
        "department": f"department:{department.pk}",
        "worker": f"worker:{place['profile'].pk}",
    }
    expected = {
        place["supervisor"]: set(places),
        place["staff"]: set(places) - {"district"},
        place["worker"]: {"grid", "department", "worker"},
        stranger: {"department"},  # a district department serves every street
    }
    for user, visible in expected.items():
        assert {name for name, scope in places.items() if _sees(user, scope)} == visible, user
    assert _sees(place["supervisor"], f"street:{elsewhere.street_id}")
    assert not _sees(place["staff"], f"grid:{elsewhere.pk}")


def test_a_missing_scope_a_user_without_roles_or_an_anonymous_caller_is_404(place):
    for scope in ("district:999999", "street:999999", "community:999999", "grid:999999"):
        assert not _sees(place["supervisor"], scope)
    assert not _sees(people.root(), "worker:999999")
    assert not _sees(people.root(), "department:999999")
    assert _sees(people.root(), f"district:{place['grid'].district_id}")
    assert not _sees(people.user(), f"grid:{place['grid'].pk}")
    assert not _sees(AnonymousUser(), f"grid:{place['grid'].pk}")
