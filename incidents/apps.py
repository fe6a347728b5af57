from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_CATALOGUE_MODELS = ("category", "slapolicy", "calendaroverride")
_CATALOGUE_VIEW = {f"incidents.view_{model}" for model in _CATALOGUE_MODELS}
_CATALOGUE_EDIT = {
    f"incidents.{verb}_{model}" for model in _CATALOGUE_MODELS for verb in ("add", "change")
}


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from personnel.choices import Role
        from personnel.roles import register_role_permissions

        # The catalogue and the calendar are city-wide reference data: every role reads
        # them; the command centre keeps them.
        mapping = {role: set(_CATALOGUE_VIEW) for role in Role}
        for role in (Role.ADMIN, Role.STREET_STAFF):
            mapping[role] |= _CATALOGUE_EDIT
        # Tickets: everyone reads those in scope; reporting is for the command centre and
        # the people in the field. Workflow actions are decided by the workflow table.
        for role in Role:
            mapping[role] |= {"incidents.view_ticket", "incidents.view_ticketevent"}
        for role in (Role.ADMIN, Role.STREET_STAFF, Role.GRID_WORKER, Role.GRID_CHIEF):
            mapping[role] |= {"incidents.add_ticket", "incidents.change_ticket"}
        register_role_permissions(mapping)

        from incidents.selectors import open_tasks_per_grid, open_tasks_per_worker
        from personnel.selectors_workload import install_open_task_counters

        install_open_task_counters(open_tasks_per_worker, open_tasks_per_grid)

        from gridgov.workdays import install_calendar
        from incidents.calendar import Calendar

        install_calendar(lambda first, last: Calendar(first, last).is_working_day)
