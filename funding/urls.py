"""Browser routes of the funding app (under ``/funding/``)."""

from django.urls import path

from funding.views import budgets, flags, ledger, reports, requests

app_name = "funding"
urlpatterns = [
    path("ledger/", ledger.ledger_page, name="ledger"),
    path("transactions/<int:pk>/post/", ledger.transaction_post_view, name="transaction-post"),
    path(
        "transactions/<int:pk>/reverse/",
        ledger.transaction_reverse_view,
        name="transaction-reverse",
    ),
    path("budgets/", budgets.budgets_page, name="budgets"),
    path("budgets/<int:pk>/lines/", budgets.budget_line_add_view, name="line-add"),
    path("budget-lines/<int:pk>/amount/", budgets.budget_line_amount_view, name="line-amount"),
    path("requests/", requests.requests_page, name="requests"),
    path("requests/<int:pk>/", requests.request_page, name="request"),
    path("requests/<int:pk>/receipts/", requests.receipt_upload, name="receipt-add"),
    path("requests/<int:pk>/<slug:step>/", requests.request_step, name="request-step"),
    path("receipts/<int:pk>/", requests.receipt_file, name="receipt"),
    path("flags/", flags.flags_page, name="flags"),
    path("flags/run/", flags.checks_run_view, name="checks-run"),
    path("flags/<int:pk>/resolve/", flags.flag_resolve_view, name="flag-resolve"),
    path("reports/", reports.report_page, name="reports"),
    path("disclosure/<int:community_id>/", reports.disclosure_page, name="disclosure"),
]
