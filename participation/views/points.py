"""Staff pages of volunteer points: a volunteer's page (their sign-ups, ledger and
redemptions, with the keepers' adjust and redeem forms), the ledger of the user's reach,
and the rewards catalogue with its redemptions (restock, hand over)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grids.selectors import community_list
from participation.choices import PointsKind, Skill
from participation.models import Reward, Volunteer
from participation.selectors import community as life
from participation.selectors import points as selectors
from participation.selectors.common import keeper_places, keeps
from participation.services import points as services
from participation.views import community_forms as forms
from participation.views.community import chosen, named, page_of, render_logged


def _volunteer(request: HttpRequest, pk: int) -> Volunteer:
    return get_object_or_404(life.volunteer_list(user=request.user), pk=pk)


def _offered_rewards(volunteer: Volunteer):
    """Rewards the volunteer could take now: of their street or community, active, in stock."""
    return (
        Reward.objects.filter(street_id=volunteer.street_id, active=True, stock__gte=1)
        .filter(Q(community__isnull=True) | Q(community_id=volunteer.community_id))
        .order_by("cost", "pk")
    )


def _volunteer_response(
    request: HttpRequest,
    volunteer: Volunteer,
    *,
    adjust: forms.AdjustForm | None = None,
    redeem: forms.RedeemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    keeper = keeps(user, volunteer)
    own = volunteer.user_id == user.pk
    names = life.Names(user)
    named(names, [volunteer])
    volunteer.skill_labels = [
        Skill(code).label for code in volunteer.skills if code in Skill.values
    ]
    rewards = _offered_rewards(volunteer)
    context = {
        "volunteer": volunteer,
        "keeper": keeper,
        "signups": life.signup_list(user=user)
        .filter(volunteer=volunteer)
        .select_related("activity")
        .order_by("-activity__starts_at")[:50],
        "entries": selectors.points_entry_list(user=user)
        .filter(account__volunteer=volunteer)
        .order_by("-at", "-pk")[:50],
        "redemptions": selectors.redemption_list(user=user)
        .filter(volunteer=volunteer)
        .order_by("-redeemed_at")[:50],
        "adjust_form": (adjust or forms.AdjustForm()) if keeper else None,
        "redeem_form": (redeem or forms.RedeemForm(rewards=rewards)) if keeper or own else None,
    }
    return render_logged(request, names, "participation/volunteer.html", context, status=status)


@login_required
@require_safe
def volunteer_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _volunteer_response(request, _volunteer(request, pk))


@login_required
@require_POST
def volunteer_adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer(request, pk)
    form = forms.AdjustForm(request.POST)
    entry = forms.run(
        form,
        lambda data: services.points_adjust(volunteer=volunteer, by=request.user, **data),
    )
    if entry is None:
        return _volunteer_response(request, volunteer, adjust=form, status=400)
    messages.success(request, _("Points adjusted."))
    return redirect("participation:volunteer", pk)


@login_required
@require_POST
def volunteer_redeem_view(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer(request, pk)
    form = forms.RedeemForm(request.POST, rewards=selectors.reward_list(user=request.user))
    redemption = forms.run(
        form,
        lambda data: services.redemption_create(
            reward=data["reward"], volunteer=volunteer, by=request.user
        ),
    )
    if redemption is None:
        form.fields["reward"].queryset = _offered_rewards(volunteer)
        return _volunteer_response(request, volunteer, redeem=form, status=400)
    messages.success(request, _("Reward redeemed."))
    return redirect("participation:volunteer", pk)


@login_required
@require_safe
def points_page(request: HttpRequest) -> HttpResponse:
    """The ledger of the volunteers in the user's reach, newest first."""
    rows = selectors.points_entry_list(user=request.user)
    kind = chosen(request, "kind", PointsKind.values)
    if kind:
        rows = rows.filter(kind=kind)
    community = request.GET.get("community", "")
    if community.isdigit():
        rows = rows.filter(account__volunteer__community_id=int(community))
    page = page_of(request, rows.order_by("-at", "-pk"))
    names = life.Names(request.user)
    named(names, [entry.account.volunteer for entry in page])
    context = {
        "page": page,
        "kinds": PointsKind.choices,
        "communities": community_list(user=request.user).order_by("code"),
        "shown_kind": kind,
        "shown_community": community,
    }
    return render_logged(request, names, "participation/points.html", context)


def _rewards_response(
    request: HttpRequest,
    *,
    form: forms.RewardForm | None = None,
    restock: tuple[int, forms.RestockForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    places = keeper_places(user)
    streets, communities = forms.kept_streets(places), forms.kept_communities(places)
    if form is None and not places.empty:
        form = forms.RewardForm(streets=streets, communities=communities)
    rewards = selectors.reward_list(user=user).order_by("street__code", "cost", "pk")
    shown = chosen(request, "active", ("yes", "no", "all")) or "yes"
    if shown != "all":
        rewards = rewards.filter(active=shown == "yes")
    page = page_of(request, rewards)
    for reward in page:
        reward.kept = keeps(user, reward, places=places)
        bound = restock[1] if restock and restock[0] == reward.pk else None
        reward.restock_form = bound or forms.RestockForm()
    pending = (
        selectors.redemption_list(user=user)
        .filter(handed_over_at__isnull=True)
        .order_by("redeemed_at", "pk")[:50]
    )
    names = life.Names(user)
    named(names, [redemption.volunteer for redemption in pending])
    for redemption in pending:
        redemption.kept = keeps(user, redemption.volunteer, places=places)
    context = {"page": page, "form": form, "pending": pending, "shown_active": shown}
    return render_logged(request, names, "participation/rewards.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rewards_page(request: HttpRequest) -> HttpResponse:
    """The catalogue of the user's streets; keepers add rewards here."""
    if request.method != "POST":
        return _rewards_response(request)
    places = keeper_places(request.user)
    if places.empty:
        raise PermissionDenied
    form = forms.RewardForm(
        request.POST,
        streets=forms.kept_streets(places),
        communities=forms.kept_communities(places),
    )

    def add(data: dict):
        street, community = form.places[data.pop("where")]
        return services.reward_create(
            created_by=request.user, street=street, community=community, **data
        )

    reward = forms.run(form, add)
    if reward is None:
        return _rewards_response(request, form=form, status=400)
    messages.success(request, _("Reward added."))
    return redirect("participation:rewards")


@login_required
@require_POST
def reward_restock_view(request: HttpRequest, pk: int) -> HttpResponse:
    reward = get_object_or_404(selectors.reward_list(user=request.user), pk=pk)
    form = forms.RestockForm(request.POST)
    done = forms.run(
        form,
        lambda data: services.reward_restock(reward=reward, by=request.user, count=data["count"]),
    )
    if done is None:
        return _rewards_response(request, restock=(reward.pk, form), status=400)
    messages.success(request, _("Stock changed."))
    return redirect("participation:rewards")


@login_required
@require_POST
def redemption_hand_over_view(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = get_object_or_404(selectors.redemption_list(user=request.user), pk=pk)
    services.redemption_hand_over(redemption=redemption, by=request.user)
    messages.success(request, _("Handed over."))
    return redirect("participation:rewards")
