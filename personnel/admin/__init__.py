"""The personnel back office, one module per area; importing this package registers them all
(the admin's autodiscovery imports ``personnel.admin``)."""

from personnel.admin import people, roles, training, users

__all__ = ["people", "roles", "training", "users"]
