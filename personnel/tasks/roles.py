from celery import shared_task

from personnel.services.roles import role_assignments_refresh as refresh


@shared_task(name="personnel.tasks.role_assignments_refresh")
def role_assignments_refresh() -> dict[str, int]:
    """Beat job: put due assignments in force and end expired ones (safe to run twice)."""
    return refresh()
