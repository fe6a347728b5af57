"""The command centre's queue: the tickets in the user's scope, most urgent first, with
filters and the number of tickets in each status."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from grids.selectors import street_list
from incidents import selectors
from incidents.choices import Priority, SlaColour, Source, Status
from incidents.models import Ticket
from incidents.views.common import urgency_order

PAGE_SIZE = 50
TEXT_MAX_LENGTH = 100


def _any(choices) -> list:
    return [("", _("any")), *choices]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; a filter that does not validate is
    left out (and shown with its error) rather than emptying the queue."""

    status = forms.ChoiceField(label=_("Status"), choices=_any(Status.choices), required=False)
    sla_colour = forms.ChoiceField(
        label=_("SLA colour"), choices=_any(SlaColour.choices), required=False
    )
    street = forms.ModelChoiceField(
        label=_("Street"), queryset=None, required=False, empty_label=_("any")
    )
    community = forms.IntegerField(label=_("Community id"), min_value=1, required=False)
    grid = forms.IntegerField(label=_("Grid id"), min_value=1, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("any")
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=_any(Priority.choices), required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=_any(Source.choices), required=False)
    q = forms.CharField(label=_("Text"), max_length=TEXT_MAX_LENGTH, required=False, strip=True)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = street_list(user=user).filter(active=True).order_by("code")
        self.fields["category"].queryset = (
            selectors.category_list(user=user).filter(parent__isnull=False).order_by("code")
        )

    def valid_filters(self) -> dict:
        """The filters that validated (the form's errors say which did not)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


def _filtered(tickets: QuerySet[Ticket], filters: dict, user) -> QuerySet[Ticket]:
    """Every filter but the status, which the status chips count across."""
    exact = {
        "sla_colour": "sla_colour",
        "street": "street",
        "community": "community_id",
        "grid": "grid_id",
        "category": "category",
        "priority": "priority",
        "source": "source",
    }
    tickets = tickets.filter(**{exact[name]: filters[name] for name in exact if name in filters})
    if filters.get("q"):
        text = filters["q"]
        tickets = tickets.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(description__icontains=text)
        )
    if filters.get("mine"):
        tickets = tickets.filter(assignee=user)
    return tickets


@login_required
@require_safe
def ticket_queue(request: HttpRequest) -> HttpResponse:
    """The tickets the user may see, filtered, red first then due soonest, 50 a page, with
    the count of each status under the other filters as clickable chips."""
    form = QueueFilterForm(request.GET, user=request.user)
    filters = form.valid_filters()
    tickets = _filtered(selectors.ticket_list(user=request.user), filters, request.user)
    counts = selectors.ticket_status_counts(tickets)
    status = filters.get("status", "")
    if status:
        tickets = tickets.filter(status=status)
    page = Paginator(tickets.order_by(*urgency_order()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    chips = [
        {"status": value, "label": label, "count": counts.get(value, 0), "active": value == status}
        for value, label in Status.choices
        if counts.get(value) or value == status
    ]
    return render(
        request,
        "incidents/queue.html",
        {
            "form": form,
            "page": page,
            "chips": chips,
            "total": sum(counts.values()),
            "status": status,
        },
    )
