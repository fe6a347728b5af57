"""Celery tasks of the personnel app (one module per concern, all registered here)."""

from personnel.tasks.roles import role_assignments_refresh

__all__ = ["role_assignments_refresh"]
