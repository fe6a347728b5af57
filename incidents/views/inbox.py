"""Worklists: a department's linked tasks, and the supervision orders in the user's scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from incidents import selectors
from incidents.choices import OPEN_TASK_STATUSES, SupervisionStatus, TaskStatus

PAGE_SIZE = 50
# Finished tasks shown under the open ones: enough to look back on this week's work.
RECENT_FINISHED = 20


@login_required
@require_safe
def department_inbox(request: HttpRequest) -> HttpResponse:
    """The tasks of the departments the user handles: open ones (pending, accepted) due
    soonest first, 50 a page, then the most recently finished; with counts per status."""
    tasks = selectors.department_inbox(user=request.user)
    counts = dict(
        tasks.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    open_tasks = tasks.filter(status__in=OPEN_TASK_STATUSES)
    page = Paginator(open_tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    finished = tasks.exclude(status__in=OPEN_TASK_STATUSES).order_by("-updated_at", "-pk")
    return render(
        request,
        "incidents/inbox.html",
        {
            "page": page,
            "finished": finished[:RECENT_FINISHED],
            "counts": [
                {"status": value, "label": label, "count": counts.get(value, 0)}
                for value, label in TaskStatus.choices
            ],
            "now": timezone.now(),
        },
    )


class SupervisionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("any")), *SupervisionStatus.choices],
        required=False,
    )


@login_required
@require_safe
def supervision_orders(request: HttpRequest) -> HttpResponse:
    """Supervision orders on tickets in the user's scope, open ones first, overdue ones
    (open past their answer deadline) marked."""
    form = SupervisionFilterForm(request.GET)
    orders = selectors.supervision_order_list(user=request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        orders = orders.filter(status=form.cleaned_data["status"])
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "order": order,
            "overdue": order.status == SupervisionStatus.OPEN and order.due_at < now,
        }
        for order in page
    ]
    return render(request, "incidents/supervision.html", {"form": form, "page": page, "rows": rows})
