"""Browser routes of the assessment app (under ``/assessment/``)."""

from django.urls import path

from assessment.views import cases, dashboard, exports, scores

app_name = "assessment"
urlpatterns = [
    path("", dashboard.dashboard_page, name="dashboard"),
    path("heat/", dashboard.heat_layer, name="heat"),
    path("cases/", cases.figure_cases, name="cases"),
    path("report.xlsx", exports.report_xlsx, name="report-xlsx"),
    path("scores/", scores.scores_page, name="scores"),
    path("scores/<int:pk>/adjust/", scores.score_adjust_view, name="score-adjust"),
    path("scores/<int:pk>/sign-off/", scores.score_sign_off_view, name="score-sign-off"),
]
