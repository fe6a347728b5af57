"""The demo catalogue: every component class and the common event classes, fifteen limits
for each minor class, real-looking limits, and a second run that changes nothing."""

from __future__ import annotations

import pytest

from gridgov import demo as registry
from gridgov.demo import DemoContext, run_steps
from grids.component_catalogue import COMPONENT_TYPES
from incidents import demo_data, services
from incidents.choices import LimitUnit, Priority, Stage
from incidents.models import Category, SlaPolicy
from personnel.demo_data import DEPARTMENTS
from tests import people
from tests.incidents.cases import CATALOGUE_STEPS, seed_demo_catalogue

pytestmark = pytest.mark.django_db

PLAIN_UNITS = {LimitUnit.MINUTES, LimitUnit.HOURS}


@pytest.fixture
def departments():
    return {code: people.department(code=code) for code, *_rest in DEPARTMENTS}


def limit(code: str, priority: str, stage: str) -> tuple[int, str]:
    policy = SlaPolicy.objects.get(category__code=code, priority=priority, stage=stage)
    return policy.amount, policy.unit


def test_steps_run_after_the_departments():
    order = {step.name: step.order for step in registry.demo_steps()}
    categories, policies = CATALOGUE_STEPS
    assert order["departments: functional departments"] < order[categories] < order[policies]
    assert all(30 <= order[name] <= 39 for name in CATALOGUE_STEPS)


def test_the_six_component_classes_mirror_the_component_catalogue(departments):
    seed_demo_catalogue()
    majors = Category.objects.filter(kind="component", parent=None)
    assert sorted(majors.values_list("code", flat=True)) == [f"C0{n}" for n in range(1, 7)]
    assert majors.get(code="C01").name == "公用设施"
    for major, minor, name, name_en in COMPONENT_TYPES:
        category = Category.objects.get(code=f"C{major}{minor}")
        assert category.parent.code == f"C{major}" and category.kind == "component"
        assert category.name == name and category.name_en.lower() == name_en
    assert Category.objects.filter(kind="component", parent__isnull=False).count() == len(
        COMPONENT_TYPES
    )


def test_the_common_event_classes_are_there(departments):
    seed_demo_catalogue()
    majors = dict(Category.objects.filter(kind="event", parent=None).values_list("code", "name"))
    assert majors == {
        "E01": "市容环境",
        "E02": "街面秩序",
        "E03": "施工管理",
        "E04": "突发事件",
        "E05": "社会管理",
    }
    names = set(Category.objects.filter(kind="event").values_list("name_en", flat=True))
    for wanted in (
        "Exposed rubbish",
        "Street not clean",
        "Illegal small advertisements",
        "Illegal parking",
        "Unlicensed street vendors",
        "Occupying the road",
        "Illegal building",
        "Construction noise",
        "Construction dust",
        "Safety hazard",
        "Neighbour dispute",
        "Noise nuisance",
        "Help for a vulnerable resident",
    ):
        assert wanted in names


def test_every_minor_class_is_complete(departments):
    seed_demo_catalogue()
    minors = Category.objects.filter(parent__isnull=False).select_related("lead_department")
    assert minors.count() == sum(len(major.minors) for major in demo_data.catalogue())
    full_set = {(priority, stage) for priority in Priority.values for stage in Stage.values}
    for category in minors.prefetch_related("policies"):
        policies = list(category.policies.all())
        assert {(p.priority, p.stage) for p in policies} == full_set, category.code
        assert len(policies) == 15
        assert category.code.startswith(category.parent.code) and category.name_en
        assert category.filing_criteria.endswith("。") and category.closing_criteria.endswith("。")
        # Emergencies run on the clock.
        assert all(p.unit in PLAIN_UNITS for p in policies if p.priority == "emergency")
        if category.code != "E0501":  # mediation is the community's own work
            assert category.lead_department is not None, category.code
    assert not SlaPolicy.objects.filter(category__parent__isnull=True).exists()
    assert Category.objects.get(code="C0206").lead_department.code == "WY-GA"
    assert Category.objects.get(code="E0503").lead_department.code == "WY-MZ"


def test_limits_follow_the_city_rules(departments):
    seed_demo_catalogue()
    for code in ("E0101", "C0101"):
        assert limit(code, "urgent", "accept") == (10, "minutes")
        assert limit(code, "urgent", "dispatch") == (10, "minutes")
        assert limit(code, "normal", "accept") == (30, "working_minutes")
        assert limit(code, "normal", "dispatch") == (30, "working_minutes")
        assert limit(code, "urgent", "check") == (1, "hours")
    assert limit("E0101", "normal", "handle") == (4, "working_hours")  # exposed rubbish
    assert limit("E0102", "normal", "handle") == (2, "working_hours")  # street cleaning
    assert limit("C0118", "normal", "handle") == (1, "working_days")  # dark street lamps
    cover_codes = ("C0101", "C0102", "C0103", "C0105", "C0106", "C0107", "C0110", "C0111")
    for code in cover_codes:  # a missing manhole cover
        assert Category.objects.get(code=code).default_priority == "urgent"
        assert limit(code, "urgent", "handle") == (2, "hours")
    assert limit("E0301", "urgent", "handle") == (4, "working_hours")  # stop the works
    assert limit("E0301", "normal", "handle") == (20, "working_days")  # demolition
    assert Category.objects.get(code="E0403").default_priority == "emergency"


def test_a_second_run_creates_nothing_and_keeps_edited_limits(departments):
    first = seed_demo_catalogue().counts
    assert first["case categories"]["created"] == Category.objects.count()
    assert first["SLA policies"]["created"] == SlaPolicy.objects.count()
    policy = SlaPolicy.objects.get(category__code="E0101", priority="normal", stage="handle")
    services.sla_policy_update(policy=policy, amount=3)
    before = sorted(SlaPolicy.objects.values_list("pk", "amount", "unit", "updated_at"))
    categories = sorted(Category.objects.values_list("pk", "code", "lead_department"))

    second = seed_demo_catalogue().counts

    assert second["case categories"] == {
        "created": 0,
        "updated": 0,
        "unchanged": len(categories),
    }
    assert second["SLA policies"] == {"created": 0, "updated": 0, "unchanged": len(before)}
    assert sorted(SlaPolicy.objects.values_list("pk", "amount", "unit", "updated_at")) == before
    assert sorted(Category.objects.values_list("pk", "code", "lead_department")) == categories


def test_without_departments_the_leads_are_filled_in_later():
    seed_demo_catalogue()
    assert not Category.objects.filter(lead_department__isnull=False).exists()
    assert SlaPolicy.objects.count() == 15 * Category.objects.filter(parent__isnull=False).count()

    people.department(code="WY-CG")
    counts = seed_demo_catalogue().counts["case categories"]

    led = Category.objects.filter(lead_department__code="WY-CG")
    assert led.filter(code="E0101").exists()
    assert counts["updated"] == led.count() and counts["created"] == 0


def test_progress_is_reported():
    seen = []
    ctx = DemoContext(progress=lambda label, done, total: seen.append((label, done, total)))
    run_steps(ctx, [step for step in registry.demo_steps() if step.name in CATALOGUE_STEPS])
    labels = {label for label, _done, _total in seen}
    assert labels == {"case categories", "SLA policies"}
    assert all(done == total for label, done, total in seen[-1:])
