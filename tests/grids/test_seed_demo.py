"""seed_demo: the demo city is complete, tiles exactly, is idempotent and refuses production."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from shapely import STRtree, unary_union

from gridgov import demo as registry
from grids import demo, geometry
from grids.locate import locate_grid_id
from grids.models import Community, Component, District, Grid, Street
from tests import factories

pytestmark = pytest.mark.django_db

ACCOUNTS = (
    "admin",
    "street1",
    "supervisor1",
    "worker1",
    "worker2",
    "dept1",
    "finance1",
    "finance2",
)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    """Seed the demo city; without demo tickets unless asked (they take most of the time)."""
    out = io.StringIO()
    if "--tickets" not in args:
        args = (*args, "--tickets", "0")
    call_command("seed_demo", "--force", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _password_works(username: str, password: str) -> bool:
    return get_user_model().objects.get(username=username).check_password(password)


def shape_of(place) -> object:
    return geometry.parse_boundary(place.boundary)


def mismatch_m2(a, b) -> float:
    """Area in m² covered by one shape and not the other (0 for equal shapes)."""
    difference = a.symmetric_difference(b)
    return 0.0 if difference.is_empty else geometry.area_m2(difference)


def test_seed_demo_builds_the_city_and_accounts():
    output = seed("--password", "s3cret-demo")

    assert District.objects.count() == 1
    district = District.objects.get()
    assert re.fullmatch(r"\d{6}", district.code)
    assert Street.objects.count() == 4
    assert Community.objects.count() >= 20
    assert Grid.objects.count() >= 200
    for street in Street.objects.all():
        assert re.fullmatch(r"\d{9}", street.code) and street.code.startswith(district.code)
        assert street.name.endswith("街道")
    for community in Community.objects.select_related("street"):
        assert re.fullmatch(r"\d{12}", community.code)
        assert community.code.startswith(community.street.code)
    for grid in Grid.objects.select_related("community"):
        assert re.fullmatch(r"\d{14}", grid.code)
        assert grid.code.startswith(grid.community.code)
        assert grid.street_id == grid.community.street_id
        assert grid.district_id == district.pk
        assert grid.households > 50 and grid.population > grid.households
        assert grid.area_m2 > 10_000 and grid.centroid_lat and grid.bbox
    lat, lng = district.centroid_lat, district.centroid_lng
    assert abs(lat - 35.80) < 0.05 and abs(lng - 116.10) < 0.05

    user_model = get_user_model()
    assert set(user_model.objects.values_list("username", flat=True)) >= set(ACCOUNTS)
    for username in ACCOUNTS:
        assert _password_works(username, "s3cret-demo"), username
        assert not _password_works(username, "demo-pass-2026")
    assert user_model.objects.get(username="admin").is_superuser
    assert user_model.objects.get(username="admin").is_staff
    assert not user_model.objects.get(username="worker1").is_superuser
    assert "grids 234/234" in output
    _assert_demo_people(district)


def _assert_demo_people(district) -> None:
    """The demo accounts hold the roles the README names, every grid has one primary
    worker, about 300 workers exist, and there is patrol history to look at."""
    from personnel.models import Department, GridAssignment, GridWorker, PatrolDay, RoleAssignment

    street1 = Street.objects.order_by("code").first()
    held = {
        (a.user.username, a.role): a.scope
        for a in RoleAssignment.objects.filter(state="active").select_related(
            "user", "district", "street", "grid", "department"
        )
    }
    assert held[("street1", "street_staff")] == street1
    assert held[("supervisor1", "supervisor")] == district
    assert held[("finance1", "finance_officer")] == street1
    assert held[("dept1", "dept_handler")].kind == "urban_management"
    grid1, grid2 = held[("worker1", "grid_worker")], held[("worker2", "grid_worker")]
    assert grid1 != grid2 and grid1.street == grid2.street == street1
    assert Department.objects.count() == 11
    assert 290 <= GridWorker.objects.count() <= 320
    open_primaries = GridAssignment.objects.filter(kind="primary", until__isnull=True)
    assert open_primaries.count() == Grid.objects.count()
    assert open_primaries.values("grid").distinct().count() == Grid.objects.count()
    assert PatrolDay.objects.filter(grid=grid1, minutes__gt=0).exists()


def test_grids_tile_each_community_and_parents_are_unions():
    seed()
    communities = Community.objects.prefetch_related("grids")
    for community in communities:
        shapes = {grid.code: shape_of(grid) for grid in community.grids.all()}
        assert len(shapes) >= 6
        for (code_a, a), (code_b, b) in itertools.combinations(shapes.items(), 2):
            assert geometry.overlap_m2(a, b) <= 1.0, (code_a, code_b)
        union = unary_union(list(shapes.values()))
        boundary = shape_of(community)
        assert mismatch_m2(union, boundary) < 1.0, community.code
        assert abs(community.area_m2 - sum(g.area_m2 for g in community.grids.all())) < 5.0
    for street in Street.objects.prefetch_related("communities"):
        union = unary_union([shape_of(c) for c in street.communities.all()])
        assert mismatch_m2(union, shape_of(street)) < 1.0
    district = District.objects.get()
    union = unary_union([shape_of(s) for s in Street.objects.all()])
    assert mismatch_m2(union, shape_of(district)) < 1.0
    # No two grids of the district overlap, across communities and streets too.
    shapes = [shape_of(grid) for grid in Grid.objects.all()]
    tree = STRtree(shapes)
    for position, grid_shape in enumerate(shapes):
        for hit in tree.query(grid_shape, predicate="intersects"):
            if hit != position:
                assert geometry.overlap_m2(grid_shape, shapes[hit]) <= 1.0


def test_every_component_lies_in_its_grid():
    seed()
    components = list(Component.objects.select_related("grid", "type", "grid__district"))
    assert len(components) >= 200
    assert len({c.state for c in components}) >= 3
    assert len({c.type_id for c in components}) >= 10
    for component in components:
        assert re.fullmatch(r"\d{16}", component.code)
        assert component.code.startswith(component.grid.district.code)
        assert component.code[6:10] == component.type.class_code
        assert locate_grid_id(component.lat, component.lng) == component.grid_id, component.code


def test_second_run_changes_nothing():
    seed()

    def snapshot() -> dict:
        return {
            model.__name__: sorted(model.objects.values_list("code", "version", "updated_at"))
            for model in (District, Street, Community, Grid, Component)
        }

    before = snapshot()
    users_before = sorted(get_user_model().objects.values_list("username", "password"))
    output = seed()
    assert snapshot() == before
    assert sorted(get_user_model().objects.values_list("username", "password")) == users_before
    assert "grids: 0 created, 0 updated, 234 unchanged" in output


def test_second_run_repairs_edited_demo_rows_and_changes_the_password():
    seed()
    grid = Grid.objects.order_by("code").first()
    Grid.objects.filter(pk=grid.pk).update(name="改过的名字", population=1)
    Component.objects.order_by("code").last().delete()
    components = Component.objects.count()

    output = seed("--password", "another-one-2026")

    grid.refresh_from_db()
    assert grid.name.endswith("第1网格") and grid.population > 1
    assert grid.version == 2
    assert Component.objects.count() == components + 1
    assert "grids: 0 created, 1 updated, 233 unchanged" in output
    assert _password_works("worker2", "another-one-2026")


def test_password_from_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-env-2026")
    seed()
    assert _password_works("dept1", "from-the-env-2026")


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--tickets", "0", stdout=io.StringIO())
    assert not Grid.objects.exists()
    assert not get_user_model().objects.filter(username="admin").exists()


def test_runs_with_debug_on(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--tickets", "0", stdout=io.StringIO(), verbosity=0)
    assert Grid.objects.count() >= 200


def test_refuses_when_another_grid_overlaps_the_demo_city():
    street = factories.street(number=7)
    other = factories.grid(parent=factories.community(parent=street), lng=116.10, lat=35.80)
    with pytest.raises(CommandError, match=other.code):
        seed()
    assert Grid.objects.count() == 1


def test_tickets_option_is_accepted_and_noted():
    output = seed("--tickets", "25")
    assert "25 demo tickets" in output


def test_steps_are_registered_in_order():
    names = [step.name for step in registry.demo_steps()]
    assert names.index("grids: demo city") < names.index("accounts: demo users")


def test_city_is_deterministic():
    first, second = demo.build_city(), demo.build_city()
    assert [g.boundary for g in first.grids] == [g.boundary for g in second.grids]
    assert [c.code for c in first.components] == [c.code for c in second.components]


def test_apps_option_seeds_only_those_apps():
    seed("--apps", "grids")
    assert Grid.objects.count() >= 200
    assert not get_user_model().objects.filter(username="admin").exists()
    with pytest.raises(CommandError, match="nowhere"):
        seed("--apps", "nowhere")
