from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_SCORES_VIEW = {
    "assessment.view_monthlyscore",
    "assessment.view_scoreadjustment",
    "assessment.view_scoresignoff",
    "assessment.view_scorescheme",
}


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from personnel.choices import Role
        from personnel.roles import register_role_permissions

        # Supervisors and administrators adjust and sign off scores (where: the services
        # check the subject's place); administrators also keep the score schemes.
        register_role_permissions(
            {
                Role.SUPERVISOR: _SCORES_VIEW | {"assessment.change_monthlyscore"},
                Role.ADMIN: _SCORES_VIEW
                | {
                    "assessment.change_monthlyscore",
                    "assessment.add_scorescheme",
                    "assessment.change_scorescheme",
                },
            }
        )
