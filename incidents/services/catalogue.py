"""Writes to the case catalogue: categories and their SLA policies.

A policy change takes effect for stages that start after it: a running stage keeps the due
time computed when it started, so nothing here touches cases.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from incidents.models import Category, SlaPolicy

ModelT = TypeVar("ModelT", bound=models.Model)

# A minor class's code extends its major class's and its kind is the major class's: moving
# or recoding a category would break its minor classes and the figures kept per category.
CATEGORY_FIXED_FIELDS = ("code", "parent", "kind")
# A policy is the limit of one stage at one priority; another stage is another policy.
POLICY_FIXED_FIELDS = ("category", "priority", "stage")


def _update(instance: ModelT, fields: dict[str, Any], fixed: tuple[str, ...]) -> ModelT:
    """Set ``fields``, refuse changes to the ``fixed`` ones (compared with the stored row:
    a form may already have set them on ``instance``), validate and save."""
    for name, value in fields.items():
        setattr(instance, name, value)
    stored = type(instance).objects.get(pk=instance.pk)
    for name in fixed:
        attname = instance._meta.get_field(name).attname
        if getattr(instance, attname) != getattr(stored, attname):
            raise ValidationError({name: _("This cannot change once saved.")})
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def category_create(
    *, code: str, kind: str, name: str, parent: Category | None = None, **fields: Any
) -> Category:
    """A new major class (no ``parent``) or minor class; ``fields`` are the other model
    fields (``name_en``, ``default_priority``, ``lead_department``, criteria, ``active``)."""
    category = Category(code=code, kind=kind, name=name, parent=parent, **fields)
    category.full_clean()
    category.save()
    return category


@transaction.atomic
def category_update(*, category: Category, **fields: Any) -> Category:
    """Change a category's names, defaults, criteria or active flag. Code, major class and
    kind are fixed: retire the category (``active=False``) and create another instead."""
    return _update(category, fields, CATEGORY_FIXED_FIELDS)


@transaction.atomic
def sla_policy_create(
    *, category: Category, priority: str, stage: str, amount: int, unit: str
) -> SlaPolicy:
    """The limit of one stage of a minor class at one priority (one per stage and priority)."""
    policy = SlaPolicy(category=category, priority=priority, stage=stage, amount=amount, unit=unit)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def sla_policy_update(*, policy: SlaPolicy, **fields: Any) -> SlaPolicy:
    """Change a limit's amount or unit. Stages already running keep their due times."""
    return _update(policy, fields, POLICY_FIXED_FIELDS)
