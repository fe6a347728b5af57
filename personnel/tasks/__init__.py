"""Celery tasks of the personnel app, one module per concern; importing the package
registers them all (Celery's autodiscovery imports ``personnel.tasks``)."""

from personnel.tasks import notifications, patrols, roles, training

__all__ = ["notifications", "patrols", "roles", "training"]
