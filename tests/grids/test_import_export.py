"""import_grids / export_grids: validation before any write, upserts, dry runs, round trips."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from grids.imports import grids_import
from grids.models import Community, Component, District, Grid, Street
from tests import factories

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good.geojson"
BAD = FIXTURES / "bad.geojson"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        District.objects.count(),
        Street.objects.count(),
        Community.objects.count(),
        Grid.objects.count(),
    )


def export(*args: str) -> dict:
    out, _err = run("export_grids", *args)
    return json.loads(out)


def test_good_file_creates_parents_and_grids_then_updates():
    out, _err = run("import_grids", str(GOOD), "--create-parents")
    assert "Grids: 3 created, 0 updated, 0 unchanged." in out
    assert "created community 371523009001 测试社区" in out
    community = Community.objects.select_related("street__district").get(code="371523009001")
    assert community.street.name == "测试街道"
    assert community.street.district.name == "汶阳县"
    grids = {grid.code: grid for grid in Grid.objects.all()}
    assert set(grids) == {"37152300900101", "37152300900102", "37152300900103"}
    assert grids["37152300900102"].population == 1210
    assert grids["37152300900102"].area_m2 > 35_000
    assert grids["37152300900103"].kind == "unit" and not grids["37152300900103"].active

    # The same file again changes nothing.
    out, _err = run("import_grids", str(GOOD))
    assert "Grids: 0 created, 0 updated, 3 unchanged." in out
    assert Grid.objects.get(code="37152300900101").version == 1

    # A changed feature updates that grid only (through grid_update: version bumped).
    collection = load(GOOD)
    collection["features"][0]["properties"].update(name="新名字", households=333)
    report = grids_import(collection=collection, create_parents=False, dry_run=False)
    assert report.ok, report.errors
    assert report.updated == ["37152300900101"]
    assert report.unchanged == ["37152300900102", "37152300900103"]
    grid = Grid.objects.get(code="37152300900101")
    assert (grid.name, grid.households, grid.version) == ("新名字", 333, 2)
    assert grid.population == 900  # untouched property kept


def test_unknown_community_needs_create_parents():
    with pytest.raises(CommandError, match="3 of 3 features are invalid"):
        run("import_grids", str(GOOD))
    assert counts() == (0, 0, 0, 0)


def test_into_an_existing_community_without_create_parents():
    community = factories.community(parent=factories.street(number=9), number=1)
    report = grids_import(collection=load(GOOD), create_parents=False, dry_run=False)
    assert report.ok, report.errors
    assert community.grids.count() == 3
    assert report.parents_created == []
    # The names in the file do not rename existing parents.
    community.refresh_from_db()
    assert community.name == "社区1"


def test_bad_file_reports_every_bad_feature_and_writes_nothing():
    with pytest.raises(CommandError) as raised:
        run("import_grids", str(BAD), "--create-parents")
    assert "nothing was written" in str(raised.value)
    assert counts() == (0, 0, 0, 0)

    report = grids_import(collection=load(BAD), create_parents=True, dry_run=False)
    assert not report.ok
    reasons: dict[int, str] = {}
    for error in report.errors:
        reasons[error.index] = reasons.get(error.index, "") + " | " + error.message
    assert report.bad_features == [0, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "features[7]" in reasons[0] and "37152300900107" in reasons[0]
    assert "code is missing" in reasons[2]
    assert "not a grid code" in reasons[3]
    assert "not a valid polygon" in reasons[4] and "Self-intersection" in reasons[4]
    assert "not closed" in reasons[5]
    assert "does not start with its community code 371523009002" in reasons[6]
    assert "overlaps features[0] (grid 37152300900101" in reasons[7]
    assert "population" in reasons[8] and "kind" in reasons[8]
    assert "371523777001 does not exist" in reasons[9] and "community_name" in reasons[9]
    assert "already used by features[1]" in reasons[10]
    assert counts() == (0, 0, 0, 0)


def test_command_prints_each_problem_with_its_index():
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_grids", str(BAD), "--create-parents", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    for index in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        assert any(line.startswith(f"features[{index}]") for line in lines), index
    assert not any(line.startswith("features[1]") for line in lines)


def test_dry_run_writes_nothing():
    out, _err = run("import_grids", str(GOOD), "--create-parents", "--dry-run")
    assert "3 grids would be created" in out
    assert "would create street 371523009 测试街道" in out
    assert counts() == (0, 0, 0, 0)

    run("import_grids", str(GOOD), "--create-parents")
    collection = load(GOOD)
    collection["features"][1]["properties"]["population"] = 5
    report = grids_import(collection=collection, create_parents=False, dry_run=True)
    assert report.ok and report.dry_run and report.updated == ["37152300900102"]
    assert Grid.objects.get(code="37152300900102").population == 1210


def test_overlap_with_a_grid_in_the_database_names_it():
    existing = factories.grid(
        parent=factories.community(parent=factories.street(number=9), number=2),
        lng=116.3015,
        lat=35.9005,
    )
    report = grids_import(collection=load(GOOD), create_parents=True, dry_run=False)
    assert not report.ok
    assert {e.index for e in report.errors} == {0, 1}
    assert all(existing.code in e.message and "in the database" in e.message for e in report.errors)
    assert Grid.objects.count() == 1


def test_inactive_grids_may_overlap_and_overlap_inside_the_file_is_found():
    collection = load(GOOD)
    # Feature 2 is inactive: moving it on top of feature 0 is allowed.
    collection["features"][2]["geometry"] = copy.deepcopy(collection["features"][0]["geometry"])
    assert grids_import(collection=collection, create_parents=True, dry_run=True).ok
    collection["features"][2]["properties"]["active"] = True
    report = grids_import(collection=collection, create_parents=True, dry_run=True)
    assert [(e.index, "features[" in e.message) for e in report.errors] == [(0, True), (2, True)]


def test_neighbours_may_swap_boundaries_in_one_import():
    run("import_grids", str(GOOD), "--create-parents")
    collection = load(GOOD)
    first, second = collection["features"][0], collection["features"][1]
    first["geometry"], second["geometry"] = second["geometry"], first["geometry"]
    report = grids_import(collection=collection, create_parents=False, dry_run=False)
    assert report.ok, report.errors
    assert sorted(report.updated) == ["37152300900101", "37152300900102"]
    moved = Grid.objects.get(code="37152300900101")
    assert moved.boundary == first["geometry"] and moved.active and moved.version == 2
    assert moved.boundary["coordinates"][0][0] == [116.302, 35.9]


def test_not_a_feature_collection():
    report = grids_import(collection={"type": "Feature"}, create_parents=False, dry_run=False)
    assert not report.ok and report.errors[0].index is None
    with pytest.raises(CommandError, match="not JSON"):
        run("import_grids", str(Path(__file__)))


def _wipe() -> None:
    """Remove every place, and the people records that point at them (history rows protect
    places from deletion in normal use; this test starts over on purpose)."""
    apps.get_model("incidents", "Category").objects.update(lead_department=None)
    for model in (
        "PatrolDay",
        "PatrolPoint",
        "PatrolCheckIn",
        "PatrolSession",
        "GridAssignment",
        "GridWorker",
        "RoleAssignment",
        "TrainingSession",
        "Department",
    ):
        apps.get_model("personnel", model).objects.all().delete()
    Component.objects.all().delete()
    Grid.objects.all().delete()
    Community.objects.all().delete()
    Street.objects.all().delete()
    District.objects.all().delete()


def test_round_trip_of_the_demo_city(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Places and people only: books and case histories hold on to their places for ever.
    call_command("seed_demo", "--force", "--apps", "grids,personnel", verbosity=0)
    kinds = dict(Community.objects.values_list("code", "kind"))
    first = tmp_path / "first.geojson"
    run("export_grids", "--output", str(first))
    _wipe()

    out, _err = run("import_grids", str(first), "--create-parents")
    assert "Grids: 234 created" in out
    assert dict(Community.objects.values_list("code", "kind")) == kinds

    second = export()
    assert second == load(first)
    assert len(second["features"]) == 234


def test_round_trip_of_a_factory_city(tmp_path):
    for number in (1, 2):
        factories.grids(3, parent=factories.community(number=number))
    first = export()
    assert {f["properties"]["community_code"] for f in first["features"]} == {
        "371523001001",
        "371523001002",
    }
    assert all("id" not in f and "id" not in f["properties"] for f in first["features"])
    _wipe()
    report = grids_import(collection=first, create_parents=True, dry_run=False)
    assert report.ok, report.errors
    assert export() == first


def test_export_filters_by_street_and_community():
    factories.grids(2, parent=factories.community(number=1))
    factories.grids(3, parent=factories.community(parent=factories.street(number=2), number=1))
    assert len(export()["features"]) == 5
    assert len(export("--street", "371523002")["features"]) == 3
    assert len(export("--community", "371523001001")["features"]) == 2
    with pytest.raises(CommandError, match="371523999"):
        export("--street", "371523999")
