"""Reference data loaded by migrations (component classes, role groups) comes back after a
database flush, which tests that commit and ``manage.py flush`` do."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from grids.component_catalogue import COMPONENT_TYPES
from grids.models import ComponentType
from personnel.choices import Role
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_component_classes_and_role_groups_survive_a_flush():
    call_command("flush", interactive=False, verbosity=0)

    assert ComponentType.objects.count() == len(COMPONENT_TYPES)
    assert set(Group.objects.values_list("name", flat=True)) >= {str(role) for role in Role}
    assert (
        Group.objects.get(name="grid_worker")
        .permissions.filter(codename="add_patrolsession")
        .exists()
    )
    grid = factories.grid()
    assert factories.component(in_grid=grid).type.class_code == "0101"
