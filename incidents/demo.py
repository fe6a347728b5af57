"""The incidents app's part of ``manage.py seed_demo``: the case catalogue and its limits.

Categories are found by code and policies by category, priority and stage; rows that exist
are left as they are (staff may have tuned a limit), except that a category seeded before its
lead department existed gets the department once it does.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.demo import DemoContext, register
from incidents import demo_data, services
from incidents.models import Category, SlaPolicy
from personnel.models import Department


@register("incidents: case categories", order=30)
def seed_categories(ctx: DemoContext) -> None:
    """The component and event categories, major classes before their minor classes."""
    label = _("case categories")
    majors = demo_data.catalogue()
    rows = [(major, None) for major in majors]
    rows += [(minor, major) for major in majors for minor in major.minors]
    wanted = {minor.department for major in majors for minor in major.minors} - {None}
    departments = {d.code: d for d in Department.objects.filter(code__in=wanted)}
    existing = {
        c.code: c for c in Category.objects.filter(code__in=[spec.code for spec, _p in rows])
    }
    for done, (spec, major) in enumerate(rows, 1):
        category = existing.get(spec.code)
        if major is None:
            values = {"kind": spec.kind, "name": spec.name, "name_en": spec.name_en}
            department = None
        else:
            department = departments.get(spec.department) if spec.department else None
            values = {
                "parent": existing[major.code],
                "kind": major.kind,
                "name": spec.name,
                "name_en": spec.name_en,
                "default_priority": spec.priority,
                "lead_department": department,
                "filing_criteria": spec.filing,
                "closing_criteria": spec.closing,
            }
        if category is None:
            existing[spec.code] = services.category_create(code=spec.code, **values)
            ctx.count(label, "created")
        elif department is not None and category.lead_department_id is None:
            services.category_update(category=category, lead_department=department)
            ctx.count(label, "updated")
        else:
            ctx.count(label, "unchanged")
        if done % 10 == 0 or done == len(rows):
            ctx.progress(label, done, len(rows))


@register("incidents: SLA policies", order=31)
def seed_policies(ctx: DemoContext) -> None:
    """Every priority and stage of every demo minor class, written in one batch."""
    label = _("SLA policies")
    minors = [minor for major in demo_data.catalogue() for minor in major.minors]
    categories = Category.objects.in_bulk([minor.code for minor in minors], field_name="code")
    existing = set(
        SlaPolicy.objects.filter(category__in=categories.values()).values_list(
            "category_id", "priority", "stage"
        )
    )
    total = len(minors) * len(demo_data.limits(minors[0]))
    done = 0
    new = []
    for minor in minors:
        category = categories[minor.code]
        for priority, stage, (amount, unit) in demo_data.limits(minor):
            done += 1
            if (category.pk, priority, stage) in existing:
                ctx.count(label, "unchanged")
                continue
            policy = SlaPolicy(
                category=category, priority=priority, stage=stage, amount=amount, unit=unit
            )
            # Duplicates were excluded above; the model's own rules still run on every row.
            policy.full_clean(validate_unique=False, validate_constraints=False)
            new.append(policy)
            ctx.count(label, "created")
        if done % 150 == 0 or done == total:
            ctx.progress(label, done, total)
    SlaPolicy.objects.bulk_create(new)


from incidents import demo_tickets  # noqa: E402, F401 - registers the demo tickets step
