"""The case catalogue: the category tree, SLA policies, their reads over the API and their
editing in the back office."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from incidents import selectors, services
from incidents.choices import Priority, Stage
from incidents.models import Category, SlaPolicy
from tests import factories, people

pytestmark = pytest.mark.django_db

URL = "/api/v1/categories/"


def major(code: str = "E01", kind: str = "event", **fields) -> Category:
    return services.category_create(code=code, kind=kind, name=f"大类{code}", **fields)


def minor(parent: Category, code: str, **fields) -> Category:
    return services.category_create(
        code=code, kind=parent.kind, name=f"小类{code}", parent=parent, **fields
    )


def full_policy_set(category: Category) -> None:
    for priority in Priority.values:
        for number, stage in enumerate(Stage.values, 1):
            services.sla_policy_create(
                category=category, priority=priority, stage=stage, amount=number, unit="hours"
            )


@pytest.fixture
def tree():
    """Two event major classes and a component one; three minor classes, one inactive, the
    first with its full set of fifteen limits."""
    events, order = major("E01"), major("E02")
    components = major("C01", kind="component")
    rubbish = minor(events, "E0101", default_priority="normal")
    parking = minor(order, "E0201", active=False)
    cover = minor(components, "C0101", default_priority="urgent")
    full_policy_set(rubbish)
    return {
        "events": events,
        "order": order,
        "components": components,
        "rubbish": rubbish,
        "parking": parking,
        "cover": cover,
    }


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# ------------------------------------------------------------------------------- the tree


def test_a_minor_class_sits_under_a_major_class_with_its_kind_and_code_prefix():
    events = major("E01")
    rubbish = minor(events, "E0101")
    assert rubbish.parent == events and not rubbish.is_major and events.is_major

    with pytest.raises(ValidationError) as excinfo:
        minor(rubbish, "E010101")
    assert "parent" in errors_of(excinfo)

    with pytest.raises(ValidationError) as excinfo:
        services.category_create(code="E0102", kind="component", name="错类", parent=events)
    assert "kind" in errors_of(excinfo)

    with pytest.raises(ValidationError) as excinfo:
        minor(events, "E0201")
    assert "E01" in errors_of(excinfo)["code"][0]
    assert Category.objects.count() == 2


@pytest.mark.parametrize("code", ["e01", "E", "E0101010101010", "E-01"])
def test_codes_are_2_to_12_capitals_or_digits(code):
    with pytest.raises(ValidationError) as excinfo:
        major(code)
    assert "code" in errors_of(excinfo)


def test_codes_are_unique():
    major("E01")
    with pytest.raises(ValidationError) as excinfo:
        major("E01", kind="component")
    assert "code" in errors_of(excinfo)


def test_code_major_class_and_kind_are_fixed_once_saved(tree):
    rubbish = tree["rubbish"]
    for change in ({"code": "E0109"}, {"parent": tree["order"]}, {"kind": "component"}):
        with pytest.raises(ValidationError) as excinfo:
            services.category_update(category=Category.objects.get(pk=rubbish.pk), **change)
        assert set(errors_of(excinfo)) == set(change)
    rubbish.refresh_from_db()
    assert (rubbish.code, rubbish.parent, rubbish.kind) == ("E0101", tree["events"], "event")


def test_names_defaults_and_criteria_change(tree):
    department = people.department(code="WY-CG")
    rubbish = services.category_update(
        category=tree["rubbish"],
        name="暴露垃圾",
        name_en="Exposed rubbish",
        default_priority="urgent",
        lead_department=department,
        filing_criteria="成堆垃圾未清运。",
        closing_criteria="垃圾已清运。",
        active=False,
    )
    rubbish.refresh_from_db()
    assert rubbish.name_en == "Exposed rubbish" and rubbish.lead_department == department
    assert rubbish.default_priority == "urgent" and not rubbish.active


# ------------------------------------------------------------------------------- policies


def test_limits_are_set_on_minor_classes_only(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.sla_policy_create(
            category=tree["events"], priority="normal", stage="handle", amount=4, unit="hours"
        )
    assert "category" in errors_of(excinfo)
    assert not SlaPolicy.objects.filter(category=tree["events"]).exists()


def test_one_limit_per_category_priority_and_stage(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.sla_policy_create(
            category=tree["rubbish"], priority="normal", stage="handle", amount=9, unit="hours"
        )
    assert "already has a limit" in " ".join(excinfo.value.messages)
    # The same stage at another priority, or of another category, is another policy.
    services.sla_policy_create(
        category=tree["cover"], priority="normal", stage="handle", amount=2, unit="hours"
    )
    assert SlaPolicy.objects.filter(stage="handle", priority="normal").count() == 2


@pytest.mark.parametrize(
    ("amount", "unit", "field"), [(0, "hours", "amount"), (3, "fortnights", "unit")]
)
def test_a_limit_has_a_positive_amount_and_a_known_unit(tree, amount, unit, field):
    with pytest.raises(ValidationError) as excinfo:
        services.sla_policy_create(
            category=tree["cover"], priority="urgent", stage="handle", amount=amount, unit=unit
        )
    assert field in errors_of(excinfo)


def test_a_limit_changes_its_amount_and_unit_but_not_its_stage(tree):
    policy = SlaPolicy.objects.get(category=tree["rubbish"], priority="normal", stage="handle")
    before = policy.updated_at
    services.sla_policy_update(policy=policy, amount=4, unit="working_hours")
    policy.refresh_from_db()
    assert (policy.amount, policy.unit) == (4, "working_hours")
    assert policy.updated_at > before

    for change in ({"stage": "check"}, {"priority": "urgent"}, {"category": tree["cover"]}):
        with pytest.raises(ValidationError) as excinfo:
            services.sla_policy_update(policy=SlaPolicy.objects.get(pk=policy.pk), **change)
        assert set(errors_of(excinfo)) == set(change)


def test_every_unit_is_accepted(tree):
    for stage, unit in zip(
        Stage.values,
        ["minutes", "hours", "working_minutes", "working_hours", "working_days"],
        strict=True,
    ):
        services.sla_policy_create(
            category=tree["cover"], priority="urgent", stage=stage, amount=1, unit=unit
        )
    assert tree["cover"].policies.count() == 5


# ------------------------------------------------------------------------------- reads


def test_the_catalogue_is_for_every_signed_in_user_and_no_one_else(tree, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.category_list(user=AnonymousUser()).exists()
    assert not selectors.sla_policy_list(user=None).exists()
    assert not selectors.calendar_override_list(user=AnonymousUser()).exists()
    nobody = people.user()
    assert selectors.category_list(user=nobody).count() == 6
    assert selectors.sla_policy_list(user=nobody).count() == 15
    retired = people.user(is_active=False)
    assert not selectors.category_list(user=retired).exists()


def test_api_refuses_anonymous_callers(tree, anon_api):
    assert anon_api.get(URL).status_code in (401, 403)
    assert anon_api.get(f"{URL}{tree['rubbish'].pk}/").status_code in (401, 403)


def test_api_lists_the_catalogue_in_code_order_with_limits_nested(tree, plain_api):
    response = plain_api.get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["code"] for row in rows] == ["C01", "C0101", "E01", "E0101", "E02", "E0201"]
    rubbish = next(row for row in rows if row["code"] == "E0101")
    assert rubbish["parent"] == tree["events"].pk and rubbish["parent_code"] == "E01"
    assert rubbish["kind"] == "event" and rubbish["is_major"] is False
    assert rubbish["default_priority"] == "normal" and rubbish["lead_department"] is None
    policies = rubbish["policies"]
    assert len(policies) == 15
    # Emergency first, stages in the order a case meets them.
    assert [(p["priority"], p["stage"]) for p in policies[:5]] == [
        ("emergency", stage) for stage in Stage.values
    ]
    assert policies[-1]["priority"] == "normal"
    assert set(policies[0]) == {"id", "priority", "stage", "amount", "unit", "updated_at"}
    events = next(row for row in rows if row["code"] == "E01")
    assert events["is_major"] is True and events["parent"] is None and events["policies"] == []


def test_api_detail_nests_the_limits(tree, plain_api):
    department = people.department(code="WY-CG")
    services.category_update(category=tree["rubbish"], lead_department=department)
    response = plain_api.get(f"{URL}{tree['rubbish'].pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "E0101" and body["lead_department_name"] == department.name
    handle = [p for p in body["policies"] if p["stage"] == "handle"]
    assert [(p["priority"], p["amount"]) for p in handle] == [
        ("emergency", 4),
        ("urgent", 4),
        ("normal", 4),
    ]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"kind": "component"}, ["C01", "C0101"]),
        ({"major": "true"}, ["C01", "E01", "E02"]),
        ({"major": "false"}, ["C0101", "E0101", "E0201"]),
        ({"active": "false"}, ["E0201"]),
        ({"code": "E0101"}, ["E0101"]),
    ],
)
def test_api_filters(tree, plain_api, query, codes):
    response = plain_api.get(URL, query)
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == codes


def test_api_filters_by_major_class(tree, plain_api):
    response = plain_api.get(URL, {"parent": tree["events"].pk})
    assert [row["code"] for row in response.json()["results"]] == ["E0101"]
    assert plain_api.get(URL, {"parent": 999999}).status_code == 400


def test_api_list_costs_the_same_queries_whatever_the_page_size(tree, api):
    for number in range(2, 14):
        category = minor(tree["events"], f"E01{number:02d}")
        services.sla_policy_create(
            category=category, priority="urgent", stage="accept", amount=10, unit="minutes"
        )

    def count(page_size: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(URL, {"page_size": page_size})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    (small, small_rows), (large, large_rows) = count(3), count(100)
    assert (small_rows, large_rows) == (3, 18)
    assert small == large


def test_api_is_read_only(tree, api):
    assert api.post(URL, {"code": "E03", "kind": "event", "name": "x"}).status_code == 405
    detail = f"{URL}{tree['rubbish'].pk}/"
    assert api.patch(detail, {"name": "x"}).status_code == 405
    assert api.delete(detail).status_code == 405


# ------------------------------------------------------------------------------- back office


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def policy_form(policy: SlaPolicy, **changes) -> dict:
    return {"amount": policy.amount, "unit": policy.unit, **changes}


def test_superuser_changes_a_limit_in_the_admin(tree, admin_user):
    client = admin_client(admin_user)
    policy = SlaPolicy.objects.get(category=tree["rubbish"], priority="normal", stage="handle")
    url = f"/admin/incidents/slapolicy/{policy.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(url, policy_form(policy, amount=4, unit="working_hours"))
    assert response.status_code == 302, response.content[:2000]
    policy.refresh_from_db()
    assert (policy.amount, policy.unit) == (4, "working_hours")

    # The stage is shown, not posted: a forged stage is ignored.
    response = client.post(url, policy_form(policy, stage="check", amount=5))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.stage, policy.amount) == ("handle", 5)

    response = client.post(url, policy_form(policy, amount=0))
    assert response.status_code == 200  # the form again, with the error
    policy.refresh_from_db()
    assert policy.amount == 5


def inline_form(category: Category, changes: dict[int, dict], new: list[dict]) -> dict:
    """The category change form as the admin renders it: its fields, then the policy rows."""
    policies = list(category.policies.order_by(*selectors.sla_policy_order()))
    data = {
        "name": category.name,
        "name_en": category.name_en,
        "active": "on" if category.active else "",
        "default_priority": category.default_priority,
        "lead_department": category.lead_department_id or "",
        "filing_criteria": category.filing_criteria,
        "closing_criteria": category.closing_criteria,
        "policies-TOTAL_FORMS": len(policies) + len(new),
        "policies-INITIAL_FORMS": len(policies),
        "policies-MIN_NUM_FORMS": 0,
        "policies-MAX_NUM_FORMS": 15,
    }
    rows = [
        {
            "id": policy.pk,
            "category": category.pk,
            "priority": policy.priority,
            "stage": policy.stage,
            "amount": policy.amount,
            "unit": policy.unit,
            **changes.get(policy.pk, {}),
        }
        for policy in policies
    ]
    rows += [{"category": category.pk, **row} for row in new]
    for index, row in enumerate(rows):
        data.update({f"policies-{index}-{name}": value for name, value in row.items()})
    return data


def test_limits_are_edited_and_added_on_the_category_page(tree, admin_user):
    client = admin_client(admin_user)
    cover = tree["cover"]
    services.sla_policy_create(
        category=cover, priority="urgent", stage="handle", amount=3, unit="hours"
    )
    policy = cover.policies.get()
    url = f"/admin/incidents/category/{cover.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b"policies-0-amount" in page.content

    data = inline_form(
        cover,
        changes={policy.pk: {"amount": 2}},
        new=[{"priority": "urgent", "stage": "check", "amount": 1, "unit": "hours"}],
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    assert sorted(cover.policies.values_list("stage", "amount", "unit")) == [
        ("check", 1, "hours"),
        ("handle", 2, "hours"),
    ]

    # A second limit for the same stage and priority is a form error, not a 500.
    data = inline_form(
        cover,
        changes={},
        new=[{"priority": "urgent", "stage": "check", "amount": 5, "unit": "hours"}],
    )
    response = client.post(url, data)
    assert response.status_code == 200 and b"errorlist" in response.content
    assert cover.policies.count() == 2


def test_major_classes_have_no_limit_rows_and_categories_are_never_deleted(tree, admin_user):
    client = admin_client(admin_user)
    page = client.get(f"/admin/incidents/category/{tree['events'].pk}/change/")
    assert page.status_code == 200 and b"policies-TOTAL_FORMS" not in page.content
    delete = client.post(f"/admin/incidents/category/{tree['rubbish'].pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert Category.objects.filter(pk=tree["rubbish"].pk).exists()


def test_a_new_minor_class_is_checked_against_its_major_class_in_the_admin(tree, admin_user):
    client = admin_client(admin_user)
    data = {
        "parent": tree["events"].pk,
        "code": "E0301",
        "kind": "event",
        "name": "违法建设",
        "default_priority": "urgent",
        "active": "on",
    }
    response = client.post("/admin/incidents/category/add/", data)
    assert response.status_code == 200  # E0301 does not start with E01
    assert not Category.objects.filter(code="E0301").exists()
    response = client.post("/admin/incidents/category/add/", {**data, "code": "E0105"})
    assert response.status_code == 302
    assert Category.objects.get(code="E0105").parent == tree["events"]


def test_street_staff_edit_the_catalogue_and_grid_workers_only_read_it(tree):
    street = factories.street()
    staff = people.with_role("street_staff", street, is_staff=True)
    grid = factories.grid(parent=factories.community(parent=street))
    worker = people.with_role("grid_worker", grid, is_staff=True)
    policy = SlaPolicy.objects.get(category=tree["rubbish"], priority="urgent", stage="accept")
    url = f"/admin/incidents/slapolicy/{policy.pk}/change/"

    reader = admin_client(worker)
    assert reader.get("/admin/incidents/category/").status_code == 200
    assert reader.get("/admin/incidents/calendaroverride/").status_code == 200
    assert reader.get(url).status_code == 200
    assert reader.post(url, policy_form(policy, amount=20)).status_code == 403

    editor = admin_client(staff)
    response = editor.post(url, policy_form(policy, amount=20))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.amount == 20
    response = editor.post(
        "/admin/incidents/calendaroverride/add/",
        {"date": "2026-10-09", "kind": "holiday", "note": "县庆"},
    )
    assert response.status_code == 302


def test_api_is_open_to_every_role(tree):
    grid = factories.grid()
    worker = people.with_role("grid_worker", grid)
    client = APIClient()
    client.force_authenticate(worker)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{tree['cover'].pk}/").status_code == 200


def test_categories_are_retired_and_brought_back_from_the_list(tree, admin_user):
    client = admin_client(admin_user)
    url = "/admin/incidents/category/"
    chosen = [tree["rubbish"].pk, tree["parking"].pk]
    response = client.post(url, {"action": "deactivate", "_selected_action": chosen})
    assert response.status_code == 302
    assert not Category.objects.filter(pk__in=chosen, active=True).exists()
    client.post(url, {"action": "activate", "_selected_action": [tree["parking"].pk]})
    assert Category.objects.get(pk=tree["parking"].pk).active
    assert tree["rubbish"].policies.count() == 15  # retiring keeps the limits
